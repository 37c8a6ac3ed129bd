"""Hectares of each raster class in each village, weighting every cell by its part inside.

The exact cell fractions come from the village outlines in pixel space (signed-area
accumulation of the edge pieces, see :func:`_coverage`); geographic rasters weight each row
by its true area. The raster is never resampled: the villages are reprojected to it.
Imports :mod:`kawasan_gis.errors`, :mod:`kawasan_gis.i18n`, :mod:`kawasan_gis.io` (the
village contract), the overlay's ``inputs`` and ``engine``, and rasterio (lazily).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from os import PathLike
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kawasan_gis.errors import CRSError, DataSourceError, FieldError, LayerError
from kawasan_gis.i18n import format_list
from kawasan_gis.io import require_villages
from kawasan_gis.overlay.engine import map_chunks
from kawasan_gis.overlay.inputs import CODE, M2_PER_HA, UNMAPPED

log = logging.getLogger(__name__)

__all__ = ["raster_histogram"]


def _segments(coords: np.ndarray, ring_id: np.ndarray) -> tuple[np.ndarray, ...]:
    """Pieces of the ring edges that each lie inside one cell.

    ``coords`` are pixel coordinates (u = column, v = row, continuous) of closed rings, with
    the ring of each coordinate in ``ring_id``. Returns per piece: its edge's index (into the
    edges, i.e. coordinate pairs), the cell row and column, the row span ``dv`` and the mean
    position of the piece across the cell ``fx`` (0 = left side, 1 = right side).
    """
    same = ring_id[1:] == ring_id[:-1]
    edge_start = np.flatnonzero(same)
    p0 = coords[edge_start]
    p1 = coords[edge_start + 1]
    lo = np.minimum(p0, p1)
    hi = np.maximum(p0, p1)
    # Grid lines strictly inside each edge's span, per axis: k in (lo, hi).
    first = np.floor(lo) + 1
    count = np.maximum(np.ceil(hi) - first, 0).astype(np.int64)  # (E, 2)
    n_edges = len(edge_start)
    parts_t = [np.zeros(n_edges), np.ones(n_edges)]
    parts_e = [np.arange(n_edges), np.arange(n_edges)]
    parts_axis = [np.full(n_edges, -1), np.full(n_edges, -1)]
    parts_k = [np.zeros(n_edges), np.zeros(n_edges)]
    for axis in (0, 1):
        c = count[:, axis]
        e = np.repeat(np.arange(n_edges), c)
        offs = np.arange(len(e)) - np.repeat(np.cumsum(c) - c, c)
        k = first[e, axis] + offs
        d = p1[e, axis] - p0[e, axis]
        parts_t.append((k - p0[e, axis]) / d)
        parts_e.append(e)
        parts_axis.append(np.full(len(e), axis))
        parts_k.append(k)
    t = np.concatenate(parts_t)
    e = np.concatenate(parts_e)
    axis = np.concatenate(parts_axis)
    kk = np.concatenate(parts_k)
    order = np.lexsort((t, e))
    t, e, axis, kk = t[order], e[order], axis[order], kk[order]
    pts = p0[e] + t[:, None] * (p1[e] - p0[e])
    # Crossing points lie exactly on their grid line.
    on = axis >= 0
    pts[on, axis[on]] = kk[on]
    seg = np.flatnonzero(e[1:] == e[:-1])
    a = pts[seg]
    b = pts[seg + 1]
    mid = (a + b) / 2
    col = np.floor(mid[:, 0])
    row = np.floor(mid[:, 1])
    return e[seg], row.astype(np.int64), col.astype(np.int64), b[:, 1] - a[:, 1], mid[:, 0] - col, edge_start


def _pixel_rings(geoms: np.ndarray, transform: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ring coordinates of ``geoms`` in pixel space, each ring's id and each ring's geometry."""
    oriented = shapely.orient_polygons(geoms, exterior_cw=False)
    polys, poly_owner = shapely.get_parts(oriented, return_index=True)
    rings, ring_poly = shapely.get_rings(polys, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    inv = ~transform
    u = inv.a * coords[:, 0] + inv.b * coords[:, 1] + inv.c
    v = inv.d * coords[:, 0] + inv.e * coords[:, 1] + inv.f
    return np.column_stack([u, v]), coord_ring, poly_owner[ring_poly]


def _coverage(rows: np.ndarray, cols: np.ndarray, dv: np.ndarray, fx: np.ndarray) -> tuple[np.ndarray, int, int]:
    """Exact fraction of each cell covered by one polygon, from its edge pieces.

    Signed-area accumulation (as in exact font rasterisers): a piece crossing a row with
    span ``dv`` adds ``dv * (1 - fx)`` to its own cell and ``dv * fx`` to the next one; the
    running sum along the row is then the area of the cell inside the polygon.
    Returns (coverage of the window, first row, first column).
    """
    r0, c0 = int(rows.min()), int(cols.min())
    h = int(rows.max()) - r0 + 1
    w = int(cols.max()) - c0 + 2
    flat = (rows - r0) * w + (cols - c0)
    acc = np.bincount(flat, weights=dv * (1 - fx), minlength=h * w)
    acc += np.bincount(flat + 1, weights=dv * fx, minlength=h * w + 1)[: h * w]
    cov = np.cumsum(acc.reshape(h, w), axis=1)
    if cov.sum() < 0:  # ring orientation in pixel space depends on the transform
        cov = -cov
    return cov, r0, c0


def _row_weights(transform: Any, crs: Any, r0: int, h: int) -> np.ndarray | None:
    """Relative true area of the cells of rows r0..r0+h for a geographic raster, else None."""
    if not crs.is_geographic:
        return None
    if transform.b != 0 or transform.d != 0:
        raise LayerError("raster geografis yang diputar tidak didukung; warp dulu ke arah utara / "
                         "rotated geographic rasters are not supported; warp the raster to north-up first")
    lat_edges = transform.f + transform.e * np.arange(r0, r0 + h + 1)
    s = np.sin(np.radians(np.clip(lat_edges, -90, 90)))
    return np.abs(np.diff(s))


def raster_histogram(
    villages: gpd.GeoDataFrame,
    raster_path: str | PathLike[str],
    *,
    class_map: Mapping[Any, str] | None = None,
    nodata: float | None = None,
    band: int = 1,
    n_jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Hectares of each raster class in each village, weighting cells by the part inside.

    Every cell counts with the exact fraction of its area inside the village (not only
    cells whose centre falls inside), computed from the village outline (see
    ``docs/indicators.md``). The villages are reprojected to the raster's CRS; the raster is
    never resampled. Cells that are nodata (the raster's own, or ``nodata``) or lie outside
    the raster are ``unmapped``.

    Hectares: each village's class *fractions* are measured on the raster grid (weighting
    each cell by its true area when the raster is geographic) and multiplied by the
    village's area in its own projected CRS, so the classes plus ``unmapped`` add up to
    the village area whatever the raster's CRS.

    Parameters
    ----------
    villages : GeoDataFrame
        Villages in the internal schema.
    raster_path : path
        A single-band class raster readable by rasterio (GeoTIFF...).
    class_map : mapping, optional
        Raster value -> class code. Several values may share a code. Values not in the map
        keep their own column, named by the value, and are logged.
    nodata : number, optional
        A value to treat as nodata in addition to the raster's own.
    band : int
        Band to read.
    n_jobs : int, optional
        Threads (default :func:`~kawasan_gis.io.geometry.default_jobs`), each with its own dataset handle.
    progress : callable, optional
        Called with the number of villages finished.

    Returns
    -------
    DataFrame
        Indexed by ``kode_desa``; one column per class (sorted) and ``unmapped``, in hectares.

    Examples
    --------
    One 1 km village over a 2 x 2 raster of 500 m cells, tree cover (10) west, cropland (40) east:

    >>> import geopandas as gpd, numpy as np, rasterio
    >>> from rasterio.transform import from_origin
    >>> from shapely.geometry import box
    >>> from kawasan_gis.overlay import raster_histogram
    >>> desa = gpd.GeoDataFrame({"kode_desa": ["1807012001"]}, geometry=[box(500_000, 9_400_000, 501_000, 9_401_000)], crs=32748)
    >>> grid = {"width": 2, "height": 2, "count": 1, "dtype": "uint8", "crs": "EPSG:32748", "transform": from_origin(500_000, 9_401_000, 500, 500)}
    >>> with rasterio.open("/vsimem/tutupan.tif", "w", driver="GTiff", **grid) as dst:
    ...     dst.write(np.array([[[10, 40], [10, 40]]], dtype="uint8"))
    >>> raster_histogram(desa, "/vsimem/tutupan.tif", class_map={10: "hutan", 40: "pertanian"})
    kelas       hutan  pertanian  unmapped
    kode_desa
    1807012001   50.0       50.0       0.0
    """
    import rasterio

    require_villages(villages, step="overlay")
    try:
        with rasterio.open(raster_path) as src:
            rcrs, transform, shape = src.crs, src.transform, (src.height, src.width)
            src_nodata, dtype, count = src.nodata, np.dtype(src.dtypes[0]), src.count
    except rasterio.errors.RasterioIOError as exc:
        raise DataSourceError(f"{raster_path}: raster tidak dapat dibuka / cannot open raster: {exc}") from exc
    if rcrs is None:
        raise CRSError(f"{raster_path}: raster tidak punya CRS; tetapkan dulu (gdal_edit.py -a_srs) / has no CRS; assign one (gdal_edit.py -a_srs) first")
    if not 1 <= band <= count:
        raise LayerError(f"{raster_path}: raster punya {count} band; band {band} tidak ada / has {count} band(s); band {band} does not exist")
    if rcrs.is_geographic and (transform.b != 0 or transform.d != 0):
        raise LayerError("raster geografis yang diputar tidak didukung; warp dulu ke arah utara / "
                         "rotated geographic rasters are not supported; warp the raster to north-up first")
    vgeoms_r = villages.geometry.to_crs(rcrs).values.to_numpy()
    nodata_values = [v for v in (src_nodata, nodata) if v is not None]

    def work(vidx: np.ndarray) -> list[tuple[int, np.ndarray, np.ndarray, float, float]]:
        coords, coord_ring, ring_owner = _pixel_rings(vgeoms_r[vidx], transform)
        eidx, rows, cols, dv, fx, edge_start = _segments(coords, coord_ring)
        owner = ring_owner[coord_ring[edge_start[eidx]]]
        order = np.argsort(owner, kind="stable")
        owner, rows, cols, dv, fx = owner[order], rows[order], cols[order], dv[order], fx[order]
        bounds = np.searchsorted(owner, np.arange(len(vidx) + 1))
        results = []
        with rasterio.open(raster_path) as src:
            for k, v in enumerate(vidx):
                s, e = bounds[k], bounds[k + 1]
                if s == e:
                    results.append((int(v), np.zeros(0), np.zeros(0), 0.0, 0.0))
                    continue
                cov, r0, c0 = _coverage(rows[s:e], cols[s:e], dv[s:e], fx[s:e])
                weights = _row_weights(transform, rcrs, r0, cov.shape[0])
                if weights is not None:
                    cov = cov * weights[:, None]
                total = float(cov.sum())
                rr0, rr1 = max(r0, 0), min(r0 + cov.shape[0], shape[0])
                cc0, cc1 = max(c0, 0), min(c0 + cov.shape[1], shape[1])
                if rr0 >= rr1 or cc0 >= cc1:
                    results.append((int(v), np.zeros(0), np.zeros(0), total, total))
                    continue
                window = ((rr0, rr1), (cc0, cc1))
                values = src.read(band, window=window)
                w = cov[rr0 - r0 : rr1 - r0, cc0 - c0 : cc1 - c0]
                invalid = _invalid_cells(src, band, window, values, nodata_values)
                if invalid is not None:
                    w = np.where(invalid, 0.0, w)
                uniq, sums = _weighted_histogram(values, w)
                covered = float(sums.sum())
                results.append((int(v), uniq, sums, total, total - covered))
        return results

    pieces: list[tuple[int, np.ndarray, np.ndarray, float, float]] = []
    for part in map_chunks(work, len(vgeoms_r), n_jobs, progress):
        pieces.extend(part)
    luas = shapely.area(villages.geometry.values.to_numpy()) / M2_PER_HA
    vid = np.concatenate([np.full(len(p[1]), p[0]) for p in pieces] + [np.zeros(0, int)]).astype(np.int64)
    val = np.concatenate([p[1] for p in pieces] + [np.zeros(0, dtype=dtype)])
    amt = np.concatenate([p[2] for p in pieces] + [np.zeros(0)])
    totals = np.zeros(len(luas))
    unmapped = np.zeros(len(luas))
    for v, _, _, total, um in pieces:
        totals[v], unmapped[v] = total, um
    names = _value_names(val, class_map)
    scale = np.divide(luas, totals, out=np.zeros_like(luas), where=totals > 0)
    index = pd.Index(villages[CODE].astype(str), name=CODE)
    table = (
        pd.DataFrame({"v": vid, "kelas": names, "ha": amt * scale[vid]})
        .groupby(["v", "kelas"], sort=True)["ha"].sum()
        .unstack(fill_value=0.0)
        .reindex(range(len(luas)), fill_value=0.0)
    )
    out = pd.DataFrame(table.to_numpy(), index=index, columns=[str(c) for c in table.columns])
    if UNMAPPED in out.columns:
        raise FieldError(f"class code {UNMAPPED!r} is reserved for the unmapped column")
    out[UNMAPPED] = np.where(totals > 0, unmapped * scale, luas)
    out.columns.name = "kelas"
    return out


def _invalid_cells(src: Any, band: int, window: Any, values: np.ndarray, nodata_values: list[float]) -> np.ndarray | None:
    """Mask of the cells of a window that hold no data (None when every cell is valid).

    Nodata values (the raster's and the caller's), NaN, and GDAL mask bands (per-dataset
    masks, alpha) all count.
    """
    from rasterio.enums import MaskFlags

    invalid = None
    flags = src.mask_flag_enums[band - 1]
    if MaskFlags.per_dataset in flags or MaskFlags.alpha in flags:
        invalid = src.read_masks(band, window=window) == 0
    for value in nodata_values:
        hit = np.isnan(values) if np.isnan(value) else values == np.asarray(value).astype(values.dtype)
        if values.dtype.kind in "iu" and not float(value).is_integer():
            continue
        invalid = hit if invalid is None else invalid | hit
    if values.dtype.kind == "f":
        invalid = np.isnan(values) if invalid is None else invalid | np.isnan(values)
    return invalid


def _weighted_histogram(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values with weight and the sum of the weights of each (bincount for small integers)."""
    flat_v, flat_w = values.ravel(), weights.ravel()
    if values.dtype in (np.uint8, np.uint16):
        sums = np.bincount(flat_v, weights=flat_w, minlength=1 << (8 * values.dtype.itemsize))
        hit = np.flatnonzero(sums)
        return hit.astype(values.dtype), sums[hit]
    if values.dtype.kind in "iu" and values.size:
        lo, hi = int(flat_v.min()), int(flat_v.max())
        if hi - lo < 1 << 20:
            sums = np.bincount((flat_v - lo).astype(np.intp, copy=False) if lo else flat_v.astype(np.intp, copy=False),
                               weights=flat_w, minlength=hi - lo + 1)
            hit = np.flatnonzero(sums)
            return (hit + lo).astype(values.dtype), sums[hit]
    uniq, inv = np.unique(flat_v, return_inverse=True)
    sums = np.bincount(inv.ravel(), weights=flat_w, minlength=len(uniq))
    hit = sums != 0
    return uniq[hit], sums[hit]


def _value_names(values: np.ndarray, class_map: Mapping[Any, str] | None) -> np.ndarray:
    """Class code of each raster value: from ``class_map``, else the value itself as text."""
    uniq, inv = np.unique(values, return_inverse=True)
    text = [_value_text(u) for u in uniq]
    if class_map is None:
        return np.asarray(text, dtype=object)[inv]
    lookup = {_value_text(k): str(c) for k, c in class_map.items()}
    unknown = [t for t in text if t not in lookup]
    if unknown:
        log.warning("raster values not in the class map, kept as their own columns: %s", format_list(unknown, lang="en"))
    return np.asarray([lookup.get(t, t) for t in text], dtype=object)[inv]


def _value_text(value: Any) -> str:
    f = float(value)
    return str(int(f)) if f.is_integer() else repr(f)
