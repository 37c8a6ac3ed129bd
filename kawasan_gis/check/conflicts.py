"""The conflict layer (``konflik``) of the plan check.

Owns :func:`conflict_layer`: the prohibited (X) and, when asked, conditional (B) pieces of
each kawasan merged per class, status and cause, with the villages each conflict falls in and
the hectares in each. Kawasan lindung kept protected inside a kawasan (status L) is in the
layer too, so that maps and reports can show it apart from prohibited development; it is not
a conflict, and nothing counts it as one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kawasan_gis.check.zoning import LINDUNG
from kawasan_gis.i18n import format_number
from kawasan_gis.overlay import M2_PER_HA

__all__ = ["conflict_layer"]

# Pieces of conflict smaller than this are not named as lying in a village (touching borders).
_VILLAGE_MIN_M2 = 1.0


def conflict_layer(
    kaw: pd.DataFrame,
    pieces: pd.DataFrame,
    shapes: np.ndarray,
    villages: gpd.GeoDataFrame,
    *,
    include_conditional: bool,
    label: Callable[[str], str],
    crs: Any,
    lang: str = "id",
) -> gpd.GeoDataFrame:
    """One row per kawasan x class x status x cause of X (and B) and L pieces, with the villages it falls in.

    ``pieces`` and ``shapes`` are :func:`~kawasan_gis.check.zoning.classify_pieces` of the
    kawasan geometries ``kaw``; ``label`` names a class in the output language, and the
    hectares in ``desa`` are written in its number style. Rows are ordered by kawasan, then
    X, B, L, then largest first.
    """
    wanted = ("X", "B", LINDUNG) if include_conditional else ("X", LINDUNG)
    mask = pieces["status"].isin(wanted).to_numpy()
    sel = pieces.loc[mask].assign(_i=np.flatnonzero(mask))
    rows = []
    for (owner, kelas, status, sebab), g in sel.groupby(["owner", "kelas", "status", "sebab"], sort=True):
        rows.append({"kawasan_id": kaw["kawasan_id"].iloc[owner], "kelas": kelas, "nama_kelas": label(kelas),
                     "status": status, "sebab": sebab, "luas_ha": float(g["ha"].sum()),
                     "geometry": shapely.union_all(shapes[g["_i"].to_numpy()])})
    columns = ["kawasan_id", "kelas", "nama_kelas", "status", "sebab", "luas_ha", "desa", "kode_desa", "geometry"]
    if not rows:
        return gpd.GeoDataFrame({c: pd.Series(dtype=float if c == "luas_ha" else object) for c in columns[:-1]},
                                geometry=gpd.GeoSeries([], crs=crs), crs=crs)
    frame = pd.DataFrame(rows)
    rank = frame["status"].map({"X": 0, "B": 1, LINDUNG: 2})
    frame = (frame.assign(_rank=rank).sort_values(["kawasan_id", "_rank", "luas_ha"], ascending=[True, True, False], kind="stable")
             .drop(columns="_rank").reset_index(drop=True))
    geoms = np.asarray(frame["geometry"].to_numpy(), dtype=object)
    vgeoms = np.asarray(villages.geometry.array, dtype=object)
    ci, vi = shapely.STRtree(vgeoms).query(geoms, predicate="intersects")
    m2 = shapely.area(shapely.intersection(geoms[ci], vgeoms[vi]))
    big = m2 >= _VILLAGE_MIN_M2
    ci, vi, m2 = ci[big], vi[big], m2[big]
    names = villages["nama_desa"].astype(str).to_numpy()
    codes = villages["kode_desa"].astype(str).to_numpy()
    desa_text, kode_text = [], []
    for i in range(len(frame)):
        m = ci == i
        order = np.argsort(-m2[m], kind="stable")
        v, a = vi[m][order], m2[m][order]
        desa_text.append("; ".join(f"{names[j]} ({format_number(x / M2_PER_HA, 2, lang)} ha)" for j, x in zip(v, a, strict=True)))
        kode_text.append(",".join(codes[v]))
    frame["desa"] = desa_text
    frame["kode_desa"] = kode_text
    return gpd.GeoDataFrame(frame[columns], geometry="geometry", crs=crs)

