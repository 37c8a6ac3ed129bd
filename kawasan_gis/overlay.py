"""Village x layer overlays: class areas, raster class histograms, line density, point counts.

Every function here takes the villages (the internal schema of :mod:`kawasan_gis.io`: a
GeoDataFrame in a projected working CRS with a unique ``kode_desa``) and one other layer,
and returns a DataFrame indexed by ``kode_desa`` in the villages' order. Inputs are never
modified. A vector layer in another CRS is reprojected to the villages' CRS (logged); a
raster is never resampled: the villages are reprojected to the raster instead.

How the class areas are computed (the hot path, see ``docs/indicators.md``):

1. an STRtree of the class polygons gives every (village, class polygon) pair whose bounding
   boxes meet;
2. a class polygon that the village *covers* (prepared-geometry test) contributes its own
   area, with no intersection at all; on tessellated land use that is most pairs;
3. only the remaining pairs that really intersect are cut with ``shapely.intersection``;
4. the areas are summed into a (village x class) matrix with ``numpy.bincount``.

The work is split by village over ``n_jobs`` threads (shapely releases the GIL). Each thread
prepares its own copies of its villages: a prepared geometry is never shared between
threads, which is not safe in GEOS.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from os import PathLike
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kawasan_gis.errors import (
    CRSError,
    DataSourceError,
    FieldError,
    GeometryError,
    KawasanError,
    LayerError,
)
from kawasan_gis.i18n import format_list
from kawasan_gis.io import polygon_parts, polygonal, require_villages

log = logging.getLogger(__name__)

__all__ = [
    "NO_CLASS",
    "OVERLAP",
    "UNMAPPED",
    "default_priority",
    "line_density",
    "point_stats",
    "raster_histogram",
    "resolve_overlaps",
    "tabulate_classes",
]

UNMAPPED = "unmapped"
"""Column of village area the layer does not cover (or covers with nodata)."""

OVERLAP = "overlap"
"""Column of village area where class polygons overlapped (resolved by priority)."""

NO_CLASS = "tanpa_kelas"
"""Class name of line and point features whose ``by`` value is missing or blank."""

CODE = "kode_desa"
M2_PER_HA = 10_000.0
_BATCH = 20_000  # pairs cut per shapely call: bounds the memory of intersection results
_MAX_LISTED = 10


# --------------------------------------------------------------------------- validation


def _problem_error(problems: list[tuple[type[KawasanError], str]], what: str) -> None:
    """Raise one error listing every problem; its class is that of the first problem."""
    if problems:
        raise problems[0][0](f"Cannot use {what}:", problems=[p for _, p in problems])


def _crs_problems(gdf: gpd.GeoDataFrame, name: str) -> list[tuple[type[KawasanError], str]]:
    if not isinstance(gdf, gpd.GeoDataFrame):
        return [(LayerError, f"{name} is a {type(gdf).__name__}, not a GeoDataFrame")]
    if gdf.crs is None:
        return [(CRSError, f"{name} has no CRS; set it (GeoDataFrame.set_crs) or read it with kawasan_gis.io")]
    return []




def _rows(gdf: pd.DataFrame, mask: np.ndarray) -> str:
    """Name the rows in ``mask``: by kode_desa when there is one, else by index label."""
    labels = gdf[CODE] if CODE in gdf.columns else pd.Series(gdf.index, index=gdf.index)
    return "rows " + format_list(labels[np.asarray(mask)].astype(str).tolist(), lang="en")


def _align(villages: gpd.GeoDataFrame, layer: gpd.GeoDataFrame, name: str) -> gpd.GeoDataFrame:
    """Check the layer's CRS and bring it to the villages' CRS (a logged reprojection)."""
    _problem_error(_crs_problems(layer, name), name)
    if layer.crs != villages.crs:
        log.info("reprojecting %s from %s to the villages' CRS %s", name, layer.crs.to_string(), villages.crs.to_string())
        layer = layer.to_crs(villages.crs)
    return layer


def _require_columns(layer: pd.DataFrame, columns: Sequence[str | None], name: str) -> None:
    missing = [c for c in columns if c is not None and c not in layer.columns]
    if missing:
        raise FieldError(
            f"{name} lacks column(s) {', '.join(map(repr, missing))}; it has {format_list(list(layer.columns), lang='en')}"
        )


def _valid_geoms(
    layer: gpd.GeoDataFrame, name: str, type_ids: Sequence[int], kind: str, n_jobs: int = 2
) -> np.ndarray:
    """Non-missing geometries of ``layer`` as an array (None kept for missing), checked once."""
    geoms = layer.geometry.values.to_numpy()
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    tid = shapely.get_type_id(geoms)
    bad_type = present & ~np.isin(tid, list(type_ids) + [7])
    if bad_type.any():
        raise LayerError(f"{name} must hold {kind}; found other geometry types at {_rows(layer, bad_type)}")
    invalid = present & ~_parallel(shapely.is_valid, geoms, n_jobs)
    if invalid.any():
        reasons = shapely.is_valid_reason(geoms[invalid][:_MAX_LISTED])
        raise GeometryError(
            f"{name} has {int(invalid.sum())} invalid geometries; repair them first "
            "(kawasan_gis.io.read_class_layer or shapely.make_valid)",
            problems=[f"row {i}: {why}" for i, why in zip(np.flatnonzero(invalid), reasons)],
        )
    return geoms


def _parallel(func: Callable[[np.ndarray], np.ndarray], geoms: np.ndarray, n_jobs: int = 2) -> np.ndarray:
    """Apply a read-only vectorised shapely function over two halves in threads."""
    if n_jobs < 2 or len(geoms) < 50_000:
        return func(geoms)
    parts = np.array_split(geoms, n_jobs)
    with ThreadPoolExecutor(n_jobs) as ex:
        return np.concatenate(list(ex.map(func, parts)))


def _parallel_pairs(
    func: Callable[[np.ndarray, np.ndarray], np.ndarray], a: np.ndarray, b: np.ndarray, n_jobs: int = 2
) -> np.ndarray:
    """Apply a read-only binary shapely function to pairs, in two threads when there are many."""
    if n_jobs < 2 or len(a) < 10_000:
        return func(a, b)
    cuts = np.array_split(np.arange(len(a)), n_jobs)
    with ThreadPoolExecutor(n_jobs) as ex:
        return np.concatenate(list(ex.map(lambda c: func(a[c], b[c]), cuts)))


# --------------------------------------------------------------------------- engine


def _chunks(n: int, n_jobs: int, per_job: int = 4, most: int = 500) -> list[np.ndarray]:
    """Village index groups: interleaved so every group gets a fair share of the work, and
    at most ``most`` villages each, which bounds the memory of the work in flight."""
    k = max(n_jobs * per_job if n_jobs > 1 else 1, -(-n // most))
    k = max(1, min(n, k))
    return [np.arange(i, n, k) for i in range(k)]


def _map_chunks(
    work: Callable[[np.ndarray], Any], n: int, n_jobs: int, progress: Callable[[int], None] | None = None
) -> Iterator[Any]:
    chunks = _chunks(n, n_jobs)
    if n_jobs <= 1 or len(chunks) == 1:
        for c in chunks:
            yield work(c)
            if progress:
                progress(len(c))
        return
    with ThreadPoolExecutor(n_jobs) as ex:
        futures = [ex.submit(work, c) for c in chunks]
        for c, f in zip(chunks, futures):
            yield f.result()
            if progress:
                progress(len(c))


def _private_prepared(geoms: np.ndarray) -> np.ndarray:
    """Copies of ``geoms`` prepared for repeated predicates, owned by the calling thread only."""
    copies = shapely.from_wkb(shapely.to_wkb(geoms))
    shapely.prepare(copies)
    return copies


def _measure_matrix(
    vgeoms: np.ndarray,
    geoms: np.ndarray,
    keys: np.ndarray,
    n_keys: int,
    *,
    measure: Literal["area", "length"],
    n_jobs: int,
    progress: Callable[[int], None] | None = None,
) -> np.ndarray:
    """Sum ``measure`` of every geometry's part inside every village, by key.

    Returns an array (n_villages, n_keys). ``keys`` (ints in [0, n_keys)) labels each of
    ``geoms``; features with a negative key are ignored.
    """
    measure_fn = shapely.area if measure == "area" else shapely.length
    use = np.flatnonzero(keys >= 0)
    out = np.zeros((len(vgeoms), n_keys))
    # Parts, not features: cutting a MultiPolygon of a thousand parts with a village costs
    # far more than cutting the few parts near it (the STRtree finds those).
    geoms, src = polygon_parts(geoms[use], (3,) if measure == "area" else (1, 2))
    keys = keys[use][src]
    if len(geoms) == 0 or len(vgeoms) == 0:
        return out
    full = measure_fn(geoms)
    tree = shapely.STRtree(geoms)
    # GEOS builds the tree lazily on the first query: build it here, before threads share it.
    tree.query(shapely.box(0, 0, 0, 0))

    def work(vidx: np.ndarray) -> np.ndarray:
        villages = _private_prepared(vgeoms[vidx])
        qv, qg = tree.query(villages)
        value = np.zeros(len(qv))
        inside = shapely.covers(villages[qv], geoms[qg])
        value[inside] = full[qg[inside]]
        cut = np.flatnonzero(~inside)
        cut = cut[shapely.intersects(villages[qv[cut]], geoms[qg[cut]])]
        for start in range(0, len(cut), _BATCH):
            b = cut[start : start + _BATCH]
            value[b] = measure_fn(shapely.intersection(villages[qv[b]], geoms[qg[b]]))
        return np.bincount(qv * n_keys + keys[qg], weights=value, minlength=len(vidx) * n_keys).reshape(-1, n_keys)

    for vidx, part in zip(_chunks(len(vgeoms), n_jobs), _map_chunks(work, len(vgeoms), n_jobs, progress)):
        out[vidx] = part
    return out


# --------------------------------------------------------------------------- class areas


def default_priority(kind: str = "rtrw") -> dict[str, int]:
    """Overlap priorities of the standard classes of ``kind`` (higher wins).

    The ``priority`` of each class in the vocabulary (:func:`kawasan_gis.vocab.load_vocabulary`,
    ``kawasan_gis/data/pola_ruang.toml``): every kawasan lindung class outranks every kawasan
    budidaya class.

    Examples
    --------
    >>> from kawasan_gis.overlay import default_priority
    >>> p = default_priority("rtrw")
    >>> p["hutan_lindung"] > p["permukiman_perdesaan"]
    True
    """
    from kawasan_gis.vocab import load_vocabulary

    return {cls.code: int(cls.priority) for cls in load_vocabulary(kind)}


def _ranks(geoms: np.ndarray, classes: pd.Series, priority: Mapping[str, int] | None) -> np.ndarray:
    """Rank of each feature, 0 strongest: priority (high first), then area (small first), then row.

    Features without a class are the weakest.
    """
    if priority is None:
        prio = np.zeros(len(geoms))
    else:
        known = classes.isin(list(priority))
        unknown = classes[classes.notna() & ~known].astype(str).unique()
        if len(unknown):
            log.warning("no overlap priority for classes %s: they get priority 0", format_list(sorted(unknown), lang="en"))
        prio = classes.map(dict(priority)).astype(float).fillna(0.0).to_numpy()
    prio = np.where(classes.isna().to_numpy(), -np.inf, prio)
    order = np.lexsort((np.arange(len(geoms)), shapely.area(geoms), -prio))
    rank = np.empty(len(geoms), dtype=np.int64)
    rank[order] = np.arange(len(geoms))
    return rank


def _subtract_groups(base: np.ndarray, target: np.ndarray, sub: np.ndarray) -> np.ndarray:
    """``base[t] - union(sub[k] for every pair k with target[k] == t)``.

    A target with one partner is cut in one vectorised call; the partners of a target with
    several are unioned first, so a large polygon is cut once rather than once per partner.
    """
    out = base.copy()
    if len(target) == 0:
        return out
    order = np.argsort(target, kind="stable")
    target, sub = target[order], sub[order]
    starts = np.flatnonzero(np.r_[True, target[1:] != target[:-1]])
    ends = np.r_[starts[1:], len(target)]
    t = target[starts]
    cutter = sub[starts].copy()
    for k in np.flatnonzero(ends - starts > 1):
        # Only the partners' parts near the target matter: clip them to its box first, so
        # that large zoning polygons are not unioned whole again and again.
        near = polygonal(shapely.intersection(sub[starts[k] : ends[k]], shapely.envelope(out[t[k]])))
        cutter[k] = shapely.union_all(near)
    out[t] = shapely.difference(out[t], cutter)
    return out


def resolve_overlaps(
    classes: gpd.GeoDataFrame,
    *,
    class_column: str = "kelas",
    priority: Mapping[str, int] | None = None,
    n_jobs: int = 2,
) -> gpd.GeoDataFrame:
    """Make a class layer a planar partition: where polygons overlap, the stronger one wins.

    Strength, in order: the class's ``priority`` (higher wins; see :func:`default_priority`
    for lindung before budidaya), then the smaller polygon (the more specific designation,
    such as a settlement drawn over an agricultural zone), then the earlier row. Without
    ``priority`` all classes are equal and the last two rules decide.

    Only pairs whose interiors really overlap are cut: an STRtree query finds neighbours and
    a DE-9IM test (in ``n_jobs`` threads) keeps those that overlap. That test is the main cost
    on a large layer that is already a partition (about 15 microseconds per pair of
    neighbours); a polygon with several overlapping partners is cut once, by their union
    clipped to its box.

    Parameters
    ----------
    classes : GeoDataFrame
        Polygons in a projected CRS, with ``class_column``.
    class_column : str
        Column with the class code.
    priority : mapping of str to int, optional
        Priority of each class code; classes not listed get 0.
    n_jobs : int
        Threads for the overlap test.

    Returns
    -------
    GeoDataFrame
        One row per remaining piece, with the columns of the feature it came from, plus
        ``overlap`` (bool: this piece was also covered by weaker polygons, i.e. the layer
        overlapped there) and ``source_row`` (position of that feature). Multi-part features
        are split into their parts, and a part that won an overlap gives two pieces (the
        overlapped area and the rest). Pieces are pairwise disjoint; empty ones are dropped.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from kawasan_gis.overlay import resolve_overlaps
    >>> zones = gpd.GeoDataFrame({"kelas": ["pertanian", "hutan_lindung"]},
    ...                          geometry=[box(0, 0, 100, 100), box(50, 0, 150, 100)], crs="EPSG:32748")
    >>> out = resolve_overlaps(zones, priority={"hutan_lindung": 2, "pertanian": 1})
    >>> out.assign(a=out.area).groupby("kelas").a.sum().to_dict()
    {'hutan_lindung': 10000.0, 'pertanian': 5000.0}
    """
    _problem_error(_crs_problems(classes, "class layer"), "class layer")
    if not classes.crs.is_projected:
        raise CRSError(f"class layer is in {classes.crs.to_string()}, not projected; reproject it to metres first")
    _require_columns(classes, [class_column], "class layer")
    geoms = _valid_geoms(classes, "class layer", (3, 6), "polygons", n_jobs)
    rank = _ranks(geoms, classes[class_column].reset_index(drop=True), priority)
    # Work on polygon parts: a zoning MultiPolygon can have thousands of parts, and cutting
    # it whole costs far more than cutting the few parts that really overlap.
    g, owner = polygon_parts(geoms)
    tree = shapely.STRtree(g)
    i, j = tree.query(g)
    keep = (i < j) & (owner[i] != owner[j])
    i, j = i[keep], j[keep]
    # Interiors meet: the only pairs that need resolving. Neighbours that share an edge
    # are the costly case for this test, hence the threads.
    real = _parallel_pairs(lambda a, b: shapely.relate_pattern(a, b, "T********"), g[i], g[j], n_jobs)
    i, j = i[real], j[real]
    first = rank[owner[i]] < rank[owner[j]]
    strong = np.where(first, i, j)
    weak = np.where(first, j, i)
    won = _subtract_groups(g, weak, g[strong])
    own = _subtract_groups(won, strong, g[weak])
    lost_to_weaker = np.unique(strong)
    ovl = shapely.difference(won[lost_to_weaker], own[lost_to_weaker])
    if len(i):
        log.info("class layer: %d overlapping polygon pairs resolved by priority", len(i))

    pieces = polygonal(np.concatenate([own, ovl]))
    src = np.concatenate([owner, owner[lost_to_weaker]])
    flag = np.r_[np.zeros(len(own), bool), np.ones(len(ovl), bool)]
    ok = ~shapely.is_empty(pieces) & (shapely.area(pieces) > 0)
    order = np.lexsort((flag[ok], src[ok]))
    rows = src[ok][order]
    out = classes.iloc[rows].copy()
    out = out.set_geometry(gpd.GeoSeries(pieces[ok][order], index=out.index, crs=classes.crs), crs=classes.crs)
    out["overlap"] = flag[ok][order]
    out["source_row"] = rows
    return out.reset_index(drop=True)


def tabulate_classes(
    villages: gpd.GeoDataFrame,
    classes: gpd.GeoDataFrame,
    *,
    class_column: str = "kelas",
    priority: Mapping[str, int] | None = None,
    overlaps: Literal["resolve", "keep"] = "resolve",
    n_jobs: int = 2,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Hectares of each class in each village, plus the unmapped and overlapped area.

    Parameters
    ----------
    villages : GeoDataFrame
        Villages in the internal schema (projected CRS, unique ``kode_desa``).
    classes : GeoDataFrame
        Class polygons with ``class_column`` (the standard class code). Reprojected to the
        villages' CRS if needed (logged). Rows without a class are ignored (their area is
        unmapped).
    class_column : str
        Column with the class code.
    priority : mapping of str to int, optional
        Overlap priority per class (see :func:`resolve_overlaps`, :func:`default_priority`).
    overlaps : {"resolve", "keep"}
        ``"resolve"`` (default) first makes the layer a planar partition with
        :func:`resolve_overlaps`, so that classes plus ``unmapped`` add up to the village area.
        ``"keep"`` counts every polygon in full, as ``geopandas.overlay`` followed by a
        group-by does; shares may then exceed 100 % and there are no ``unmapped`` or
        ``overlap`` columns.
    n_jobs : int
        Threads (the work is split by village).
    progress : callable, optional
        Called with the number of villages finished, for a progress bar.

    Returns
    -------
    DataFrame
        Indexed by ``kode_desa`` in the villages' order; one column per class code (sorted),
        in **hectares**; with ``overlaps="resolve"`` also ``unmapped`` (village area no class
        covers) and ``overlap`` (village area where the layer's polygons overlapped; it is
        already inside the class columns, counted once for the winning class).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from kawasan_gis.overlay import tabulate_classes
    >>> desa = gpd.read_file("data/rtrw_lampung_timur/desa_lampung_timur.gpkg").to_crs(32748)
    >>> desa = desa.rename(columns={"kode_desa": "dotted", "kode_desa_10": "kode_desa"})
    >>> zones = gpd.read_file("data/rtrw_lampung_timur/rtrw_lampung_timur.gpkg").to_crs(32748)
    >>> zones["geometry"] = zones.make_valid()
    >>> table = tabulate_classes(desa, zones)  # raw class names in "kelas" here
    >>> round(float(table.sum(axis=1).sub(table["overlap"]).sum()) / 100)  # km2 of the villages
    3858
    """
    require_villages(villages, step="overlay")
    classes = _align(villages, classes, "class layer")
    _require_columns(classes, [class_column], "class layer")
    if overlaps not in ("resolve", "keep"):
        raise ValueError(f"overlaps must be 'resolve' or 'keep', not {overlaps!r}")
    names = sorted(pd.unique(classes[class_column].dropna().astype(str)))
    clash = {UNMAPPED, OVERLAP} & set(names)
    if clash and overlaps == "resolve":
        raise FieldError(f"class codes {sorted(clash)} are reserved for the unmapped and overlap columns")
    if overlaps == "resolve":
        classes = resolve_overlaps(classes, class_column=class_column, priority=priority, n_jobs=n_jobs)
        geoms = classes.geometry.values.to_numpy()
        flag = classes["overlap"].to_numpy(dtype=bool)
    else:
        geoms = _valid_geoms(classes, "class layer", (3, 6), "polygons", n_jobs)
        flag = np.zeros(len(geoms), dtype=bool)
    raw = classes[class_column]
    codes = pd.Index(names, dtype=object).get_indexer(raw.astype(str).where(raw.notna(), None).astype(object))
    n = len(names)
    keys = np.where(codes >= 0, codes + n * flag, -1)
    vgeoms = villages.geometry.values.to_numpy()
    m2 = _measure_matrix(vgeoms, geoms, keys, 2 * n, measure="area", n_jobs=n_jobs, progress=progress)
    ha = (m2[:, :n] + m2[:, n:]) / M2_PER_HA
    out = pd.DataFrame(ha, index=pd.Index(villages[CODE].astype(str), name=CODE), columns=names)
    out.columns.name = class_column
    if overlaps == "resolve":
        luas = shapely.area(vgeoms) / M2_PER_HA
        out[UNMAPPED] = np.maximum(luas - ha.sum(axis=1), 0.0)
        out[OVERLAP] = m2[:, n:].sum(axis=1) / M2_PER_HA
    return out


# --------------------------------------------------------------------------- raster


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
        raise LayerError("rotated geographic rasters are not supported; warp the raster to north-up first")
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
    n_jobs: int = 2,
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
    n_jobs : int
        Threads, each with its own dataset handle.
    progress : callable, optional
        Called with the number of villages finished.

    Returns
    -------
    DataFrame
        Indexed by ``kode_desa``; one column per class (sorted) and ``unmapped``, in hectares.

    Examples
    --------
    >>> from kawasan_gis.overlay import raster_histogram
    >>> raster_histogram(desa, "tutupan.tif", class_map={10: "hutan", 40: "pertanian"})  # doctest: +SKIP
    """
    import rasterio

    require_villages(villages, step="overlay")
    try:
        with rasterio.open(raster_path) as src:
            rcrs, transform, shape = src.crs, src.transform, (src.height, src.width)
            src_nodata, dtype, count = src.nodata, np.dtype(src.dtypes[0]), src.count
    except rasterio.errors.RasterioIOError as exc:
        raise DataSourceError(f"cannot open raster {raster_path}: {exc}") from exc
    if rcrs is None:
        raise CRSError(f"raster {raster_path} has no CRS; assign one (gdal_edit.py -a_srs) first")
    if not 1 <= band <= count:
        raise LayerError(f"raster {raster_path} has {count} band(s); band {band} does not exist")
    if rcrs.is_geographic and (transform.b != 0 or transform.d != 0):
        raise LayerError("rotated geographic rasters are not supported; warp the raster to north-up first")
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
    for part in _map_chunks(work, len(vgeoms_r), n_jobs, progress):
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


# --------------------------------------------------------------------------- lines and points


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
        log.warning("%s: %d feature(s) have no %r value; they count in the total and as %r",
                    name, int(blank.sum()), by, NO_CLASS)
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.int64), [str(u) for u in uniques]


def line_density(
    villages: gpd.GeoDataFrame,
    lines: gpd.GeoDataFrame,
    *,
    by: str | None = None,
    n_jobs: int = 2,
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
    >>> from kawasan_gis.overlay import line_density
    >>> roads = gpd.read_file("data/rtrw_lampung_timur/konteks_lampung_timur.gpkg", layer="jalan")
    >>> line_density(desa, roads.to_crs(32748), by="kelas_jalan").columns.tolist()  # doctest: +SKIP
    ['km_per_km2', 'km_per_km2_arteri', 'km_per_km2_kolektor', 'km_per_km2_lain', 'km_per_km2_lokal']
    """
    require_villages(villages, step="overlay")
    lines = _align(villages, lines, "line layer")
    _require_columns(lines, [by], "line layer")
    geoms = _valid_geoms(lines, "line layer", (1, 2, 5), "lines")
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    group, names = _groups(lines, by, "line layer")
    n = max(len(names), 1)
    keys = np.where(present, group, -1)
    vgeoms = villages.geometry.values.to_numpy()
    metres = _measure_matrix(vgeoms, geoms, keys, n, measure="length", n_jobs=n_jobs, progress=progress)
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
    >>> from kawasan_gis.overlay import point_stats
    >>> pusat = gpd.read_file("data/rtrw_lampung_timur/konteks_lampung_timur.gpkg", layer="pusat_kegiatan")
    >>> int(point_stats(desa, pusat.to_crs(32748))["n"].sum())  # doctest: +SKIP
    268
    """
    require_villages(villages, step="overlay")
    points = _align(villages, points, "point layer")
    _require_columns(points, [by], "point layer")
    geoms = _valid_geoms(points, "point layer", (0, 4), "points")
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
