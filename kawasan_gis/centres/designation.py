"""The RTRW's own designated centres (PKN, PKW, PKL, PPK, PPL).

Owns :data:`DESIGNATION_LEVELS`, :func:`designation_level` (the level of one label) and
:func:`designated_centres` (the highest designation of the points inside each village).

Imports :mod:`kawasan_gis.centres.network` (the projected-CRS check),
:mod:`kawasan_gis.centres.common` and :mod:`kawasan_gis.errors`.
"""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kawasan_gis.centres.common import CODE
from kawasan_gis.centres.network import _check_projected
from kawasan_gis.errors import FieldError

__all__ = [
    "DESIGNATION_LEVELS",
    "designated_centres",
    "designation_level",
]

DESIGNATION_LEVELS: dict[str, int] = {"PKN": 5, "PKW": 4, "PKL": 3, "PPK": 2, "PPL": 1}
"""RTRW centre hierarchy (national, regional, local activity centre; kawasan and environment
service centre). A promoted centre (``PKWp``, ``PKLp``: *promosi*) keeps its level."""


def designation_level(text: Any) -> tuple[str | None, int]:
    """The label and level of an RTRW centre function (``"PKLp"`` -> ``("PKLp", 3)``; other text -> ``(None, 0)``).

    Examples
    --------
    >>> designation_level("PKWp"), designation_level("Ibukota Desa")
    (('PKWp', 4), (None, 0))
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None, 0
    raw = str(text).strip()
    key = raw.upper()
    base = key[:-1] if key.endswith("P") and key[:-1] in DESIGNATION_LEVELS else key
    if base not in DESIGNATION_LEVELS:
        return None, 0
    return raw, DESIGNATION_LEVELS[base]


def designated_centres(villages: gpd.GeoDataFrame, centres: gpd.GeoDataFrame, *, column: str) -> pd.DataFrame:
    """The highest RTRW designation (PKN ... PPL) of the points inside each village.

    Parameters
    ----------
    villages : GeoDataFrame
        Villages (projected CRS).
    centres : GeoDataFrame
        Points with the designation in ``column`` (``PKW``, ``PKLp``, ``PPK``...; other values
        and empty cells are not designations and are ignored).

    Returns
    -------
    DataFrame
        Indexed by ``kode_desa``: ``penetapan_rtrw`` (the label as written, None without) and
        ``level_penetapan`` (PKN 5, PKW 4, PKL 3, PPK 2, PPL 1, 0 without).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from kawasan_gis.centres import designated_centres
    >>> desa = gpd.read_file("data/rtrw_lampung_timur/desa_lampung_timur.gpkg").to_crs(32748)
    >>> pk = gpd.read_file("data/rtrw_lampung_timur/konteks_lampung_timur.gpkg", layer="pusat_kegiatan")
    >>> int((designated_centres(desa, pk.to_crs(32748), column="Fungsi")["level_penetapan"] > 0).sum())  # 46 points
    24
    """
    _check_projected(villages, "desa / villages")
    if column not in centres.columns:
        raise FieldError(
            f"lapisan pusat kegiatan tidak punya kolom {column!r} / the designated-centre layer has no column {column!r}; "
            f"it has {', '.join(map(str, centres.columns))}"
        )
    if centres.crs != villages.crs:
        centres = centres.to_crs(villages.crs)
    labels = [designation_level(x) for x in centres[column]]
    level = np.array([lv for _, lv in labels], dtype=np.int64)
    text = np.array([lb for lb, _ in labels], dtype=object)
    geoms = centres.geometry.values.to_numpy()
    ok = (level > 0) & ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    index = pd.Index(villages[CODE].astype(str), name=CODE)
    best = np.zeros(len(villages), dtype=np.int64)
    best_text = np.full(len(villages), None, dtype=object)
    if ok.any():
        vi, pi = shapely.STRtree(geoms[ok]).query(villages.geometry.values.to_numpy(), predicate="intersects")
        lv, tx = level[ok][pi], text[ok][pi]
        order = np.lexsort((-lv, vi))
        vi, lv, tx = vi[order], lv[order], tx[order]
        first = np.r_[True, vi[1:] != vi[:-1]]
        best[vi[first]] = lv[first]
        best_text[vi[first]] = tx[first]
    return pd.DataFrame({"penetapan_rtrw": best_text, "level_penetapan": best}, index=index)
