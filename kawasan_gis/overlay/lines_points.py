"""Line density and point counts per village, in all and by class.

:func:`line_density` clips lines with the shared engine (length instead of area);
:func:`point_stats` counts points inside each village (repeated points once) and measures
the distance to the nearest. A feature whose class is missing or blank is the class
:data:`NO_CLASS`, so the classes add up to the total. Imports :mod:`kawasan_gis.io` (the
village contract) and the overlay's ``inputs`` and ``engine``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Hashable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kawasan_gis.i18n import message
from kawasan_gis.io import require_villages
from kawasan_gis.overlay.engine import measure_matrix
from kawasan_gis.overlay.inputs import CODE, align_layer, require_columns, valid_geoms

log = logging.getLogger(__name__)

__all__ = ["NO_CLASS", "line_density", "point_stats", "slug"]

NO_CLASS = "tanpa_kelas"
"""Class name of line and point features whose ``by`` value is missing or blank."""


def slug(value: Hashable) -> str:
    """Column-name form of a class value: ``"Ibu Kota Kecamatan"`` -> ``"ibu_kota_kecamatan"``.

    A value with no letter or digit is :data:`NO_CLASS`.
    """
    text = re.sub(r"[^0-9a-z]+", "_", str(value).strip().lower()).strip("_")
    return text or NO_CLASS


def _groups(layer: gpd.GeoDataFrame, by: str | None, name: str) -> tuple[np.ndarray, list[str]]:
    """Group of each feature and the slugged group names; a missing or blank value is :data:`NO_CLASS`.

    Every feature gets a group, so the classes add up to the total (a feature without a class
    is not silently dropped); features without one are logged.
    """
    if by is None:
        return np.zeros(len(layer), dtype=np.int64), []
    values = layer[by].map(lambda x: NO_CLASS if pd.isna(x) else slug(x))
    blank = layer[by].isna() | (values == NO_CLASS)
    if blank.any():
        log.warning("%s", message("blank_by_value", layer=name, n=int(blank.sum()), column=by, kelas=NO_CLASS))
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.int64), [str(u) for u in uniques]


def line_density(
    villages: gpd.GeoDataFrame,
    lines: gpd.GeoDataFrame,
    *,
    by: str | None = None,
    n_jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Kilometres of line per square kilometre of each village, in all and by class.

    Lines are clipped to each village with the same STRtree engine as
    :func:`tabulate_classes`. A line running exactly along a shared border counts for both
    villages.

    Parameters
    ----------
    villages : GeoDataFrame
        Villages in the internal schema.
    lines : GeoDataFrame
        (Multi)LineStrings; reprojected to the villages' CRS if needed.
    by : str, optional
        Column whose values split the density by class (e.g. ``kelas_jalan``).

    Returns
    -------
    DataFrame
        Indexed by ``kode_desa``: ``km_per_km2`` (every line) and, with ``by``,
        ``km_per_km2_<value>`` for each value (in column-name form, see :func:`slug`); lines
        whose value is missing or blank are ``km_per_km2_tanpa_kelas`` (:data:`NO_CLASS`,
        logged), so the classes add up to ``km_per_km2``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from kawasan_gis.io import read_villages
    >>> from kawasan_gis.overlay import line_density
    >>> desa = read_villages("data/rtrw_lampung_timur/desa_lampung_timur.gpkg")
    >>> roads = gpd.read_file("data/rtrw_lampung_timur/konteks_lampung_timur.gpkg", layer="jalan")
    >>> line_density(desa, roads.to_crs(32748), by="kelas_jalan").columns.tolist()
    ['km_per_km2', 'km_per_km2_arteri', 'km_per_km2_kolektor', 'km_per_km2_lain', 'km_per_km2_lokal']
    """
    require_villages(villages, step="overlay")
    lines = align_layer(villages, lines, "line layer")
    require_columns(lines, [by], "line layer")
    geoms = valid_geoms(lines, "line layer", (1, 2, 5), "lines")
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    group, names = _groups(lines, by, "line layer")
    n = max(len(names), 1)
    keys = np.where(present, group, -1)
    vgeoms = villages.geometry.values.to_numpy()
    metres = measure_matrix(vgeoms, geoms, keys, n, measure="length", n_jobs=n_jobs, progress=progress)
    km2 = shapely.area(vgeoms) / 1e6
    dens = np.divide(metres / 1000, km2[:, None], out=np.full_like(metres, np.nan), where=km2[:, None] > 0)
    index = pd.Index(villages[CODE].astype(str), name=CODE)
    out = pd.DataFrame({"km_per_km2": dens.sum(axis=1)}, index=index)
    if by is not None:
        # The total from the summed lengths, not from the summed densities: one division.
        total = metres.sum(axis=1)
        out["km_per_km2"] = np.divide(total / 1000, km2, out=np.full(len(km2), np.nan), where=km2 > 0)
        for k, name in enumerate(names):
            out[f"km_per_km2_{name}"] = dens[:, k]
    return out


def _dedupe(xy: np.ndarray, group: np.ndarray, tolerance: float) -> np.ndarray:
    """Mask keeping the first point of every cluster of points within ``tolerance`` (same group)."""
    n = len(xy)
    if n == 0 or tolerance <= 0:
        return np.ones(n, dtype=bool)
    pts = shapely.points(xy)
    i, j = shapely.STRtree(pts).query(pts, predicate="dwithin", distance=tolerance)
    same = (i != j) & (group[i] == group[j])
    i, j = i[same], j[same]
    label = np.arange(n)
    while True:  # connected components by min-label propagation
        new = label.copy()
        np.minimum.at(new, i, label[j])
        new = new[new]
        if np.array_equal(new, label):
            break
        label = new
    return label == np.arange(n)


def point_stats(
    villages: gpd.GeoDataFrame,
    points: gpd.GeoDataFrame,
    *,
    by: str | None = None,
    dedupe_tolerance: float = 1.0,
) -> pd.DataFrame:
    """Number of points in each village and distance to the nearest one, in all and by class.

    Points closer than ``dedupe_tolerance`` metres to each other (and of the same class when
    ``by`` is given) are counted once: real layers repeat features, such as the activity
    centres of Lampung Timur that appear in several source files. MultiPoints count as
    their parts. A point on a shared border counts for both villages.

    Parameters
    ----------
    villages : GeoDataFrame
        Villages in the internal schema.
    points : GeoDataFrame
        (Multi)Points; reprojected to the villages' CRS if needed.
    by : str, optional
        Column whose values split the statistics by class (e.g. ``Fungsi``).
    dedupe_tolerance : float
        Metres; 0 counts every point.

    Returns
    -------
    DataFrame
        Indexed by ``kode_desa``: ``n`` (count), ``jarak_km`` (km from the village to the
        nearest point, 0 when one is inside; NaN when the layer is empty) and, with ``by``,
        ``n_<value>`` and ``jarak_km_<value>`` for each value (column-name form, :func:`slug`;
        a missing or blank value is ``tanpa_kelas``, :data:`NO_CLASS`, logged).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from kawasan_gis.io import read_villages
    >>> from kawasan_gis.overlay import point_stats
    >>> desa = read_villages("data/rtrw_lampung_timur/desa_lampung_timur.gpkg")
    >>> pusat = gpd.read_file("data/rtrw_lampung_timur/konteks_lampung_timur.gpkg", layer="pusat_kegiatan")
    >>> len(pusat), int(point_stats(desa, pusat.to_crs(32748))["n"].sum())  # 9 outside, 22 repeated
    (290, 259)
    """
    require_villages(villages, step="overlay")
    points = align_layer(villages, points, "point layer")
    require_columns(points, [by], "point layer")
    geoms = valid_geoms(points, "point layer", (0, 4), "points")
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    group, names = _groups(points, by, "point layer")
    parts, src = shapely.get_parts(geoms[present], return_index=True)
    src = np.flatnonzero(present)[src]
    xy = shapely.get_coordinates(parts)
    g = group[src]
    vgeoms = villages.geometry.values.to_numpy()
    index = pd.Index(villages[CODE].astype(str), name=CODE)
    out = pd.DataFrame(index=index)

    def stats(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        pts = shapely.points(xy[mask])
        count = np.zeros(len(vgeoms), dtype=np.int64)
        dist = np.full(len(vgeoms), np.nan)
        if len(pts) == 0:
            return count, dist
        tree = shapely.STRtree(pts)
        qv, _ = tree.query(vgeoms, predicate="intersects")
        count = np.bincount(qv, minlength=len(vgeoms))
        (nv, _), d = tree.query_nearest(vgeoms, return_distance=True, all_matches=False)
        dist[nv] = d / 1000
        return count, dist

    keep_all = _dedupe(xy, np.zeros(len(xy), dtype=np.int64), dedupe_tolerance)
    if keep_all.sum() < len(xy):
        log.info("point layer: %d repeated points (within %g m) counted once", len(xy) - keep_all.sum(), dedupe_tolerance)
    out["n"], out["jarak_km"] = stats(keep_all)
    if by is not None:
        keep = _dedupe(xy, g, dedupe_tolerance)
        for k, name in enumerate(names):
            out[f"n_{name}"], out[f"jarak_km_{name}"] = stats(keep & (g == k))
    return out
