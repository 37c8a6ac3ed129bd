"""Where a polygon layer can overlap, found from its edges without testing pairs of polygons.

:func:`overlap_zones` owns the exact first pass of
:func:`~kawasan_gis.overlay.resolve_overlaps` and of :func:`~kawasan_gis.io.coverage_problems`
(overlapping villages): on a layer that is already a planar
partition (most land-use layers, drawn as one coverage) it proves that no two polygons overlap
in about a quarter of the time a DE-9IM test of every pair of neighbours takes, and on a
layer with a few overlaps it returns the small areas where they can be, so that only the
polygons there are tested pairwise.

Why it is exact: orient every ring (shells counter-clockwise, holes clockwise). At a point
on no boundary, the winding number of all these rings together counts the polygons that
contain the point. An edge that two polygons share appears once in each direction, and the
two cancel, so that count is also the winding number of the edges left over (the outline of
the layer, for a partition). The outline is small: it is noded, cut into faces, and the
winding number is evaluated once per face (it is constant on a face). Faces where it is at
most 1 hold no overlap. Any doubt (segments that merely look alike, a face too thin to
judge, an outline too large to node cheaply) answers "unknown", and the caller tests every
pair as before: this pass can only save work, never change a result.

A room of :mod:`kawasan_gis.io` that imports numpy, pandas and shapely only.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import shapely

from kawasan_gis.io.geometry import default_jobs

__all__ = ["overlap_zones", "partition_outline", "winding_faces"]

# odd 64-bit constants for hashing the coordinates of a point
_MIX = tuple(np.uint64(k) for k in (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9))
_CHUNK = 5_000  # polygons per batch, and
_CHUNK_VERTICES = 250_000  # vertices per batch: bound the memory of the edge arrays (~140 bytes a vertex)
# Edges left over: noding costs ~30 us per edge, so above a tenth of all edges (a layer that
# is no partition, such as scattered patches) or 100,000 the pairwise test is the cheaper way;
# up to 2,000 edges the pass costs milliseconds whatever the layer.
_MIN_OUTLINE = 2_000
_MAX_OUTLINE = 100_000
_MAX_OUTLINE_SHARE = 0.1
_MAX_WORK = 50_000_000  # faces x outline edges for the winding numbers
_MIN_GAP_M = 1e-6  # a face point closer than this to an outline edge is not judged


def _mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """A 64-bit hash of points from the bits of their coordinates."""
    h = x.view(np.uint64) * _MIX[0]
    h ^= (h >> np.uint64(29)) ^ (y.view(np.uint64) * _MIX[1])
    return h * _MIX[2]


def _net_edges(
    ax: np.ndarray, ay: np.ndarray, bx: np.ndarray, by: np.ndarray, weight: np.ndarray, h: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Add up the weights of identical segments, a segment drawn backwards counting negatively.

    Segments are grouped by a hash that ignores direction (``h``, computed when not given;
    one pass of a hash table, no sort), and every segment is compared exactly with the
    first of its group: it must equal it forwards or backwards (else two segments share a
    hash, and the batch is regrouped by the coordinates themselves). A segment drawn the
    other way round from its group's first counts negatively.

    Returns
    -------
    (segments, net)
        The segments (rows ax, ay, bx, by) whose sum is not zero, and that sum, in the order
        of their hashes.
    """
    if len(weight) == 0:
        return np.empty((0, 4)), np.empty(0, dtype=np.int64)
    if h is None:
        h = _mix(ax, ay) + _mix(bx, by)
    group, hashes = pd.factorize(h)
    # groups are numbered in order of first appearance: the position of each group's first
    first = np.flatnonzero(np.r_[True, group[1:] > np.maximum.accumulate(group)[:-1]])
    f = first[group]
    same = (ax == ax[f]) & (ay == ay[f]) & (bx == bx[f]) & (by == by[f])
    turned = (ax == bx[f]) & (ay == by[f]) & (bx == ax[f]) & (by == ay[f])
    if not (same | turned).all():
        return _net_edges_exact(ax, ay, bx, by, weight)
    net = np.bincount(group, weights=np.where(same, weight, -weight), minlength=len(first)).astype(np.int64)
    keep = np.flatnonzero(net != 0)
    keep = keep[np.argsort(hashes[keep])]
    rows = first[keep]
    return np.column_stack([ax[rows], ay[rows], bx[rows], by[rows]]), net[keep]


def _net_edges_exact(ax: np.ndarray, ay: np.ndarray, bx: np.ndarray, by: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_net_edges` grouping on the coordinates themselves (after a hash collision)."""
    up = (ax < bx) | ((ax == bx) & (ay < by))
    lo_x, lo_y, hi_x, hi_y = np.where(up, ax, bx), np.where(up, ay, by), np.where(up, bx, ax), np.where(up, by, ay)
    frame = pd.DataFrame({"a": lo_x, "b": lo_y, "c": hi_x, "d": hi_y, "w": np.where(up, weight, -weight)})
    net = frame.groupby(["a", "b", "c", "d"], sort=False)["w"].sum()
    net = net[net != 0]
    return net.index.to_frame().to_numpy(), net.to_numpy().astype(np.int64)


def _edges(polygons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The segments of the rings of ``polygons`` (interior on the left) that do not cancel among themselves."""
    rings, owner = shapely.get_rings(polygons, return_index=True)
    shell = np.r_[True, owner[1:] != owner[:-1]]  # each polygon's exterior ring comes first
    # A shell drawn clockwise or a hole drawn counter-clockwise counts backwards.
    ring_sign = np.where(shapely.is_ccw(rings) == shell, 1, -1)
    xy, ring = shapely.get_coordinates(rings, return_index=True)
    x, y = np.ascontiguousarray(xy[:, 0]), np.ascontiguousarray(xy[:, 1])  # strided columns gather slowly
    # Pairs across two rings are no segments, nor are repeated vertices: weight 0.
    real = (ring[1:] == ring[:-1]) & ((x[:-1] != x[1:]) | (y[:-1] != y[1:]))
    weight = np.where(real, ring_sign[ring[:-1]], 0)
    point = _mix(x, y)
    return _net_edges(x[:-1], y[:-1], x[1:], y[1:], weight, point[:-1] + point[1:])


def _winding(a: np.ndarray, b: np.ndarray, px: float, py: float) -> int | None:
    """Winding number of the directed segments ``a -> b`` around (px, py); None when too close to judge."""
    up = (a[:, 1] <= py) & (b[:, 1] > py)
    down = (b[:, 1] <= py) & (a[:, 1] > py)
    cross = up | down
    xa, ya, xb, yb = a[cross, 0], a[cross, 1], b[cross, 0], b[cross, 1]
    xi = xa + (py - ya) * (xb - xa) / (yb - ya)
    if np.any(np.abs(xi - px) < _MIN_GAP_M):
        return None
    right = xi > px
    return int(np.sum(right & up[cross])) - int(np.sum(right & down[cross]))


def winding_faces(polygons: np.ndarray, *, n_jobs: int | None = None) -> tuple[np.ndarray, np.ndarray] | None:
    """The bounded faces of the layer's outline and how many of ``polygons`` cover each; None when unknown.

    Parameters
    ----------
    polygons : ndarray of shapely Polygon
        Valid polygons (single parts) in a projected CRS.
    n_jobs : int, optional
        Threads (default :func:`~kawasan_gis.io.geometry.default_jobs`); batches of polygons are independent.

    Returns
    -------
    (faces, winding) or None
        Faces (Polygons) covering every bounded area the outline encloses, and the number
        of polygons over each face: 0 is a gap enclosed by polygons, 1 is covered once, 2
        or more is an overlap. None when the outline is too large to judge cheaply.

    Examples
    --------
    >>> import numpy as np
    >>> from shapely.geometry import box
    >>> # a ring of four tiles around a 1 x 1 gap, and a fifth tile over one of them by 1 x 1
    >>> ring = np.array([box(0, 0, 3, 1), box(0, 2, 3, 3), box(0, 1, 1, 2), box(2, 1, 3, 2), box(2, 0, 4, 1)])
    >>> faces, winding = winding_faces(ring)
    >>> {int(w): float(sum(f.area for f in faces[winding == w])) for w in np.unique(winding)}
    {0: 1.0, 1: 8.0, 2: 1.0}
    """
    found = _outline_faces(polygons, n_jobs)
    return None if found is None else found[2:]


def _outline_faces(polygons: np.ndarray, n_jobs: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """The directed outline segments (a -> b, interior on the left), the faces and their winding; None when unknown."""
    n = len(polygons)
    if n == 0:
        return np.empty((0, 2)), np.empty((0, 2)), np.empty(0, dtype=object), np.empty(0, dtype=np.int64)
    # batches of neighbouring polygons (strips of x, then y), so most shared edges cancel
    # inside a batch and only its outline is kept
    box = shapely.bounds(polygons)
    cx, cy = box[:, 0] + box[:, 2], box[:, 1] + box[:, 3]
    strips = max(int(np.sqrt(n / _CHUNK)), 1)
    strip = np.minimum(((cx - cx.min()) / max(float(np.ptp(cx)), 1e-9) * strips).astype(np.int64), strips - 1)
    order = np.lexsort((cy, strip))
    vertices = shapely.get_num_coordinates(polygons)
    total = float(vertices.sum())
    # a new batch every _CHUNK polygons and every _CHUNK_VERTICES vertices (villages have 6x
    # the vertices of land-use polygons: 5,000 of them in one batch took ~200 MB)
    by_count = np.arange(n) // _CHUNK
    by_vertices = np.cumsum(vertices[order]) // _CHUNK_VERTICES
    starts = np.r_[0, np.flatnonzero((by_count[1:] != by_count[:-1]) | (by_vertices[1:] != by_vertices[:-1])) + 1, n]
    with ThreadPoolExecutor(max(default_jobs() if n_jobs is None else n_jobs, 1)) as pool:
        parts = list(pool.map(_edges, (polygons[order[a:b]] for a, b in zip(starts[:-1], starts[1:]))))
    limit = min(_MAX_OUTLINE, max(_MIN_OUTLINE, _MAX_OUTLINE_SHARE * total))
    # Batch outlines include the borders between batches (a few % of all edges on a
    # partition); nearly all edges left over means the layer is no partition.
    if sum(len(p[1]) for p in parts) > max(4 * limit, 0.25 * total):
        return None
    seg = np.concatenate([p[0] for p in parts]).T.copy()
    seg, net = _net_edges(seg[0], seg[1], seg[2], seg[3], np.concatenate([p[1] for p in parts]))
    if len(net) == 0 or len(net) > limit or np.abs(net).max() > 1:
        # a segment drawn twice in one direction is an overlap: the pairs will show where
        return None
    forward = (net > 0)[:, None]
    a = np.where(forward, seg[:, :2], seg[:, 2:])
    b = np.where(forward, seg[:, 2:], seg[:, :2])
    noded = shapely.node(shapely.multilinestrings(shapely.linestrings(np.stack([a, b], axis=1))))
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    if len(faces) == 0 or len(faces) * len(a) > _MAX_WORK:
        return None
    winding = np.empty(len(faces), dtype=np.int64)
    for k, (px, py) in enumerate(shapely.get_coordinates(shapely.point_on_surface(faces))):
        w = _winding(a, b, px, py)
        if w is None or w < 0:
            return None
        winding[k] = w
    return a, b, faces, winding


def overlap_zones(polygons: np.ndarray, *, n_jobs: int | None = None) -> np.ndarray | None:
    """Faces of the plane where two or more of ``polygons`` may overlap; None when unknown.

    Parameters
    ----------
    polygons : ndarray of shapely Polygon
        Valid polygons (single parts) in a projected CRS.
    n_jobs : int, optional
        Threads (default :func:`~kawasan_gis.io.geometry.default_jobs`); batches of polygons are independent.

    Returns
    -------
    ndarray of Polygon or None
        Empty when no two polygons' interiors intersect (proven). Otherwise every pair of
        polygons whose interiors intersect meets inside one of the returned faces. None when
        the layer's outline is too large to prove anything cheaply: test every pair.

    Examples
    --------
    >>> import numpy as np
    >>> from shapely.geometry import box
    >>> tiles = np.array([box(0, 0, 1, 1), box(1, 0, 2, 1), box(0, 1, 2, 2)])
    >>> len(overlap_zones(tiles))
    0
    >>> [z.bounds for z in overlap_zones(np.array([box(0, 0, 2, 1), box(1, 0, 3, 1)]))]
    [(1.0, 0.0, 2.0, 1.0)]
    """
    found = winding_faces(polygons, n_jobs=n_jobs)
    if found is None:
        return None
    faces, winding = found
    return np.asarray(faces[winding > 1], dtype=object)


def partition_outline(polygons: np.ndarray, *, n_jobs: int | None = None) -> np.ndarray | None:
    """The outline of a layer proven to have no overlaps, as segments; None when overlaps may exist.

    Parameters
    ----------
    polygons : ndarray of shapely Polygon
        Valid polygons (single parts) in a projected CRS.
    n_jobs : int, optional
        Threads (default :func:`~kawasan_gis.io.geometry.default_jobs`); batches of polygons are independent.

    Returns
    -------
    ndarray of shape (n, 4) or None
        Segments (x0, y0, x1, y1) whose union contains the boundary of the union of
        ``polygons`` (the edges no two polygons share). A polygon of another layer that
        touches none of them and meets one of ``polygons`` lies inside their union. None
        when the pass cannot prove that no two polygons overlap.

    Examples
    --------
    >>> import numpy as np
    >>> from shapely.geometry import box
    >>> len(partition_outline(np.array([box(0, 0, 1, 1), box(1, 0, 2, 1)])))  # the 2 x 1 rectangle
    6
    >>> partition_outline(np.array([box(0, 0, 2, 1), box(1, 0, 3, 1)])) is None  # they overlap
    True
    """
    found = _outline_faces(polygons, n_jobs)
    if found is None or (len(found[3]) and found[3].max() > 1):
        return None
    return np.column_stack([found[0], found[1]])
