"""Where a polygon layer can overlap, found from its edges without testing pairs of polygons.

:func:`overlap_zones` owns the exact first pass of
:func:`~kawasan_gis.overlay.overlaps.resolve_overlaps`: on a layer that is already a planar
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

Imports numpy, pandas and shapely only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

__all__ = ["overlap_zones"]

# odd 64-bit constants for hashing the four coordinates of a segment
_MIX = tuple(np.uint64(k) for k in (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5))
_CHUNK = 20_000  # polygons per batch: bounds the memory of the edge arrays
# Edges left over: noding costs ~30 us per edge, so above a tenth of all edges (a layer that
# is no partition, such as scattered patches) or 100,000 the pairwise test is the cheaper way;
# up to 2,000 edges the pass costs milliseconds whatever the layer.
_MIN_OUTLINE = 2_000
_MAX_OUTLINE = 100_000
_MAX_OUTLINE_SHARE = 0.1
_MAX_WORK = 50_000_000  # faces x outline edges for the winding numbers
_MIN_GAP_M = 1e-6  # a face point closer than this to an outline edge is not judged


def _net_edges(cols: list[np.ndarray], sign: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Add up ``sign`` over identical segments; keep the segments whose sum is not zero.

    ``cols`` are the segments' lower endpoint (x, y) then upper endpoint (x, y). Segments are
    grouped by a hash of their coordinates, then every member is compared with its group's
    first exactly; a hash collision regroups the batch by the coordinates themselves.
    """
    if len(sign) == 0:
        return cols, sign
    h = cols[0].view(np.uint64) * _MIX[0]
    for c, k in zip(cols[1:], _MIX[1:], strict=True):
        h = (h ^ (c.view(np.uint64) * k))
        h = (h << np.uint64(7)) | (h >> np.uint64(57))
    codes = pd.factorize(h)[0]
    first = np.empty(int(codes.max()) + 1, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)
    if any((c != c[first[codes]]).any() for c in cols):
        codes = pd.DataFrame(dict(enumerate(cols))).groupby([0, 1, 2, 3], sort=False).ngroup().to_numpy()
        first = np.empty(int(codes.max()) + 1, dtype=np.int64)
        first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)
    net = np.rint(np.bincount(codes, weights=sign, minlength=len(first))).astype(np.int64)
    keep = np.flatnonzero(net)
    return [c[first[keep]] for c in cols], net[keep]


def _edges(polygons: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """The segments of the oriented rings of ``polygons`` that do not cancel among themselves."""
    rings = shapely.get_rings(shapely.orient_polygons(polygons))
    xy, ring = shapely.get_coordinates(rings, return_index=True)
    same = ring[1:] == ring[:-1]
    ax, ay, bx, by = xy[:-1, 0][same], xy[:-1, 1][same], xy[1:, 0][same], xy[1:, 1][same]
    up = (ax < bx) | ((ax == bx) & (ay < by))
    down = (ax > bx) | ((ax == bx) & (ay > by))
    real = up | down  # repeated vertices wind around nothing
    up, ax, ay, bx, by = up[real], ax[real], ay[real], bx[real], by[real]
    cols = [np.where(up, ax, bx), np.where(up, ay, by), np.where(up, bx, ax), np.where(up, by, ay)]
    return _net_edges(cols, np.where(up, 1.0, -1.0))


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


def overlap_zones(polygons: np.ndarray) -> np.ndarray | None:
    """Faces of the plane where two or more of ``polygons`` may overlap; None when unknown.

    Parameters
    ----------
    polygons : ndarray of shapely Polygon
        Valid polygons (single parts) in a projected CRS.

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
    n = len(polygons)
    if n == 0:
        return np.empty(0, dtype=object)
    # batches of neighbouring polygons (strips of x, then y), so most shared edges cancel
    # inside a batch and only its outline is kept
    box = shapely.bounds(polygons)
    cx, cy = box[:, 0] + box[:, 2], box[:, 1] + box[:, 3]
    strips = max(int(np.sqrt(n / _CHUNK)), 1)
    strip = np.minimum(((cx - cx.min()) / max(float(np.ptp(cx)), 1e-9) * strips).astype(np.int64), strips - 1)
    order = np.lexsort((cy, strip))
    parts = [_edges(polygons[order[s : s + _CHUNK]]) for s in range(0, n, _CHUNK)]
    limit = min(_MAX_OUTLINE, max(_MIN_OUTLINE, _MAX_OUTLINE_SHARE * float(shapely.get_num_coordinates(polygons).sum())))
    if sum(len(p[1]) for p in parts) > 4 * limit:
        return None
    cols, net = _net_edges([np.concatenate([p[0][i] for p in parts]) for i in range(4)],
                           np.concatenate([p[1] for p in parts]).astype(float))
    if len(net) == 0 or len(net) > limit or np.abs(net).max() > 1:
        # a segment drawn twice in one direction is an overlap: the pairs will show where
        return None
    forward = net > 0
    a = np.column_stack([np.where(forward, cols[0], cols[2]), np.where(forward, cols[1], cols[3])])
    b = np.column_stack([np.where(forward, cols[2], cols[0]), np.where(forward, cols[3], cols[1])])
    noded = shapely.node(shapely.multilinestrings(shapely.linestrings(np.stack([a, b], axis=1))))
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    if len(faces) == 0 or len(faces) * len(a) > _MAX_WORK:
        return None
    zones = []
    for face, (px, py) in zip(faces, shapely.get_coordinates(shapely.point_on_surface(faces)), strict=True):
        w = _winding(a, b, px, py)
        if w is None or w < 0:
            return None
        if w > 1:
            zones.append(face)
    return np.array(zones, dtype=object)
