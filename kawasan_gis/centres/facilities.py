"""The facility matrix: how many units of each facility type every village has.

Owns :func:`facility_counts`, which counts from point layers (units, near-duplicates within a
tolerance counted once), line layers (present or not: a line has no units) or table columns
(Podes ``R701*``...). Its table is the input of :mod:`kawasan_gis.centres.hierarchy`.

Imports :mod:`kawasan_gis.overlay` (point and line measures), :mod:`kawasan_gis.errors` and
:mod:`kawasan_gis.centres.common`.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from kawasan_gis.centres.common import CODE
from kawasan_gis.errors import FieldError

__all__ = [
    "facility_counts",
]

def facility_counts(
    villages: gpd.GeoDataFrame,
    *,
    points: Mapping[str, gpd.GeoDataFrame] | None = None,
    lines: Mapping[str, gpd.GeoDataFrame] | None = None,
    table: pd.DataFrame | None = None,
    columns: Mapping[str, str] | None = None,
    dedupe_tolerance: float = 1.0,
) -> pd.DataFrame:
    """Units of every facility type in every village: the input of the hierarchy.

    Parameters
    ----------
    villages : GeoDataFrame
        Villages in the internal schema (projected CRS, unique ``kode_desa``).
    points : mapping of name to GeoDataFrame, optional
        Point layers; each is one facility type counted per village (points repeated within
        ``dedupe_tolerance`` metres count once, see :func:`kawasan_gis.overlay.point_stats`).
    lines : mapping of name to GeoDataFrame, optional
        Line layers (roads of a class, irrigation canals); a type is *present* (1 unit) in a
        village the line crosses, since a line has no units to count.
    table : DataFrame, optional
        Indexed by ``kode_desa`` (as :func:`kawasan_gis.indicators.join_table` returns it).
    columns : mapping of type name to table column, optional
        Which table columns are facility counts (e.g. ``{"sd": "tbl_R701DK2"}``).

    Returns
    -------
    DataFrame
        Indexed by ``kode_desa`` in the villages' order, one float column per type (NaN where
        a table has no row for the village). ``attrs["sources"]`` says where each type came
        from and how it was counted; ``attrs["jarak_km"]`` holds, for the point types, the km
        from every village to the nearest point (0 inside).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from kawasan_gis.centres import facility_counts
    >>> desa = gpd.read_file("data/rtrw_lampung_timur/desa_lampung_timur.gpkg").to_crs(32748)
    >>> sma = gpd.read_file("data/fasilitas/sma_lampung_timur_gorontalo.gpkg").to_crs(32748)
    >>> len(sma), int(facility_counts(desa, points={"sma": sma})["sma"].sum())  # the others are in Gorontalo
    (67, 43)
    """
    from kawasan_gis.overlay import line_density, point_stats

    index = pd.Index(villages[CODE].astype(str), name=CODE)
    out = pd.DataFrame(index=index)
    sources: dict[str, str] = {}
    names: list[str] = [*(points or {}), *(lines or {}), *(columns or {})]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise FieldError(f"jenis fasilitas bernama ganda / facility types named twice: {', '.join(dup)}; give each a unique name")
    distances: dict[str, np.ndarray] = {}
    for name, layer in (points or {}).items():
        stats = point_stats(villages, layer, dedupe_tolerance=dedupe_tolerance)
        out[name] = stats["n"].to_numpy(dtype=float)
        distances[name] = stats["jarak_km"].to_numpy(dtype=float)
        sources[name] = f"titik / points ({len(layer)}): jumlah unit per desa / units per village"
    for name, layer in (lines or {}).items():
        dens = line_density(villages, layer)
        out[name] = (dens["km_per_km2"].to_numpy() > 0).astype(float)
        sources[name] = f"garis / lines ({len(layer)}): ada atau tidak di desa / present in the village or not"
    if columns:
        if table is None:
            raise FieldError("facility table columns were named but no table was given / kolom tabel disebut tanpa tabel")
        missing = [c for c in columns.values() if c not in table.columns]
        if missing:
            raise FieldError(
                f"kolom fasilitas tidak ada di tabel / facility columns not in the table: {', '.join(missing)}; "
                f"table columns: {', '.join(map(str, table.columns[:20]))}"
            )
        aligned = table.reindex(index)
        for name, col in columns.items():
            values = pd.to_numeric(aligned[col], errors="coerce").to_numpy(dtype=float)
            if (values < 0).any():
                raise FieldError(f"kolom {col!r} berisi nilai negatif / column {col!r} holds negative counts")
            out[name] = values
            sources[name] = f"tabel / table column {col}"
    out.attrs["sources"] = sources
    out.attrs["jarak_km"] = distances
    return out
