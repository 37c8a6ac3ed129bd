"""Size limits of a kawasan: merging zones under the minimum, cutting zones over the maximum.

Every solver's zones pass through :func:`merge_small` (a zone under ``min_villages`` joins
its most similar neighbour) and :func:`split_large` (a zone over ``max_villages`` or
``max_area_ha`` is cut into connected parts: Ward inside the zone first, then cuts along
spanning trees). The minimum always wins over the maximum.

A zone's hectares are those of the union of its villages (:class:`ZoneAreas`: village areas less
the overlaps of member pairs), the area ``luas_ha`` of the kawasan and ``check_plan`` measure.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import breadth_first_order, depth_first_tree, minimum_spanning_tree

from kawasan_gis.regionalize.graph import canonical, edge_list
from kawasan_gis.regionalize.ward import ward_children, ward_cuts

__all__ = ["Limits", "ZoneAreas", "merge_small", "split_large", "split_zone"]

# Ward attempts (k = k_min .. k_min + _SPLIT_TRIES) before a zone too large for the limits
# is cut along a spanning tree instead.
_SPLIT_TRIES = 10
# Depth-first trees (one per root, most peripheral villages first) tried after that.
_TREE_ROOTS = 30


@dataclass(frozen=True)
class Limits:
    """Size limits of a kawasan: villages at least and at most, hectares at most (None: no limit)."""

    min_villages: int
    max_villages: int | None
    max_area_ha: float | None

    def fits(self, size: int, area: float) -> bool:
        """Whether a zone of ``size`` villages and ``area`` hectares is within the upper limits."""
        return (self.max_villages is None or size <= self.max_villages) and (
            self.max_area_ha is None or area <= self.max_area_ha
        )

    def splittable(self, size: int) -> bool:
        """Whether ``size`` villages can be cut into parts of allowed sizes (ignores area)."""
        if self.max_villages is None:
            return True
        m = math.ceil(size / self.max_villages)
        return m * self.min_villages <= size


class ZoneAreas:
    """Hectares of villages and of any union of them, each overlap of two villages counted once.

    Village layers overlap along borders (by slivers, sometimes by whole fields): the sum of
    member areas then overstates a zone. A zone's area here is the sum of its villages less the
    overlap of every pair of members (inclusion-exclusion to pairs: exact unless a point lies in
    three villages at once, where the triple overlap, square metres at tri-points, is taken off
    once too often).

    Indexing with village positions gives the areas of those villages (their overlaps
    renumbered); :meth:`sum` is the area of their union; comparisons look at single villages.

    Parameters
    ----------
    ha : array of float
        Village areas in hectares.
    i, j, overlap : arrays, optional
        Pairs of village positions that overlap and their overlap in hectares.

    Examples
    --------
    >>> a = ZoneAreas(np.array([100.0, 120.0, 100.0]), np.array([0]), np.array([1]), np.array([20.0]))
    >>> float(a.sum()), float(a[[1, 2]].sum()), a.by_label(np.array([0, 0, 1])).tolist()
    (300.0, 220.0, [200.0, 100.0])
    """

    def __init__(self, ha: np.ndarray, i: np.ndarray | None = None, j: np.ndarray | None = None, overlap: np.ndarray | None = None) -> None:
        self.ha = np.asarray(ha, dtype=float)
        empty = np.empty(0, dtype=np.int64)
        self.i = empty if i is None else np.asarray(i, dtype=np.int64)
        self.j = empty if j is None else np.asarray(j, dtype=np.int64)
        self.overlap = np.empty(0) if overlap is None else np.asarray(overlap, dtype=float)

    @classmethod
    def of_geometries(cls, geoms: np.ndarray, i: np.ndarray, j: np.ndarray) -> ZoneAreas:
        """Areas of ``geoms`` (metric CRS) with the overlaps of the candidate pairs ``i``, ``j`` (e.g. the contiguity edges:
        overlapping villages always touch)."""
        import shapely

        ha = shapely.area(geoms) / 10_000
        if len(i) == 0:
            return cls(ha)
        o = shapely.area(shapely.intersection(geoms[i], geoms[j])) / 10_000
        keep = o > 0
        return cls(ha, i[keep], j[keep], o[keep])

    def __len__(self) -> int:
        return len(self.ha)

    def __getitem__(self, idx: np.ndarray | list[int]) -> ZoneAreas:
        idx = np.asarray(idx)
        if idx.dtype == bool:
            idx = np.flatnonzero(idx)
        if len(self.overlap) == 0:
            return ZoneAreas(self.ha[idx])
        pos = np.full(len(self.ha), -1, dtype=np.int64)
        pos[idx] = np.arange(len(idx))
        both = (pos[self.i] >= 0) & (pos[self.j] >= 0)
        return ZoneAreas(self.ha[idx], pos[self.i[both]], pos[self.j[both]], self.overlap[both])

    def sum(self) -> float:
        """Hectares of the union of all these villages."""
        return float(self.ha.sum() - self.overlap.sum())

    def __gt__(self, value: float) -> np.ndarray:
        return self.ha > value

    def by_label(self, lab: np.ndarray) -> np.ndarray:
        """Hectares of the union of each zone's villages, by zone label (0..max)."""
        n = int(lab.max()) + 1 if len(lab) else 0
        out = np.bincount(lab, weights=self.ha, minlength=n)
        same = lab[self.i] == lab[self.j]
        return out - np.bincount(lab[self.i[same]], weights=self.overlap[same], minlength=n)


def merge_small(lab: np.ndarray, edges: tuple[np.ndarray, np.ndarray], x: np.ndarray, limits: Limits) -> np.ndarray:
    """Merge zones under ``min_villages`` into the adjacent zone with the nearest mean score vector.

    The smallest zone goes first (ties: the one holding the smallest code). Neighbours
    that would stay within ``max_villages`` are preferred to those that would not; then
    the nearest mean; then the zone holding the smallest code.
    """
    lab = canonical(lab)
    ei, ej = edges
    size = np.bincount(lab)
    k = len(size)
    sums = np.column_stack([np.bincount(lab, weights=col, minlength=k) for col in x.T])
    first = np.unique(lab, return_index=True)[1]  # canonical labels: zone z's smallest node
    alive = np.ones(k, bool)
    while alive.sum() > 1:
        small_ones = np.flatnonzero(alive & (size < limits.min_villages))
        if len(small_ones) == 0:
            break
        small = small_ones[np.lexsort((first[small_ones], size[small_ones]))[0]]
        touching = np.zeros(k, bool)
        touching[lab[ej[lab[ei] == small]]] = True
        touching[lab[ei[lab[ej] == small]]] = True
        touching[small] = False
        targets = np.flatnonzero(touching)
        dist = np.linalg.norm(sums[targets] / size[targets, None] - sums[small] / size[small], axis=1)
        over = (
            size[targets] + size[small] > limits.max_villages
            if limits.max_villages is not None
            else np.zeros(len(targets), bool)
        )
        target = targets[np.lexsort((first[targets], dist, over))[0]]
        lab[lab == small] = target
        size[target] += size[small]
        sums[target] += sums[small]
        first[target] = min(first[target], first[small])
        alive[small] = False
        size[small] = 0
    return canonical(lab)


def split_large(
    lab: np.ndarray, adj: sparse.csr_matrix, x: np.ndarray, area: ZoneAreas, limits: Limits
) -> tuple[np.ndarray, list[tuple[int, float]]]:
    """Cut every zone over the upper limits into connected parts within them (best effort).

    Each zone over a limit is cut on its own (:func:`split_zone`). A zone that no cut can
    split (on a king graph, three legs of two villages around one village cannot be cut into
    3 + 4) is then regrouped with one neighbouring zone (:func:`_regroup`).

    Returns the new labels and, for each zone still over the limits, its number of villages
    and hectares.
    """
    if limits.max_villages is None and limits.max_area_ha is None:
        return lab, []
    out = lab.copy()
    next_label = int(lab.max()) + 1
    over = False
    for z in range(int(lab.max()) + 1):
        nodes = np.flatnonzero(lab == z)
        if limits.fits(len(nodes), float(area[nodes].sum())):
            continue
        parts = split_zone(nodes, adj, x, area, limits)
        for part in parts[1:]:
            out[part] = next_label
            next_label += 1
        over = over or not all(limits.fits(len(p), float(area[p].sum())) for p in parts)
    out = canonical(out)
    if over:
        out = _regroup(out, adj, x, area, limits)
    sizes = np.bincount(out)
    hectares = area.by_label(out)
    return out, [(int(n), float(ha)) for n, ha in zip(sizes, hectares, strict=True) if not limits.fits(int(n), float(ha))]


def _regroup(lab: np.ndarray, adj: sparse.csr_matrix, x: np.ndarray, area: ZoneAreas, limits: Limits) -> np.ndarray:
    """Cut each zone still over the limits together with one neighbouring zone, where that fits.

    Each success leaves one zone fewer over the limits, and a pair of zones is tried once, so
    this ends. Zones holding a village larger than ``max_area_ha`` are left as they are (no
    grouping can help them).
    """
    edges = edge_list(adj)
    tried: set[tuple[frozenset[int], frozenset[int]]] = set()
    while (regrouped := _regroup_once(lab, edges, adj, x, area, limits, tried)) is not None:
        lab = regrouped
    return lab


def _regroup_once(
    lab: np.ndarray,
    edges: tuple[np.ndarray, np.ndarray],
    adj: sparse.csr_matrix,
    x: np.ndarray,
    area: ZoneAreas,
    limits: Limits,
    tried: set[tuple[frozenset[int], frozenset[int]]],
) -> np.ndarray | None:
    """The labels after the first regrouping that fits, or None when none does.

    Zones over the limits are taken in order of their first village; their neighbours in
    order of the distance between mean score vectors (ties: first village). The first union
    that :func:`split_zone` cuts into parts all within the limits replaces the two zones.
    """
    ei, ej = edges
    size = np.bincount(lab)
    hectares = area.by_label(lab)
    means = np.column_stack([np.bincount(lab, weights=col) for col in x.T]) / size[:, None]
    first = np.unique(lab, return_index=True)[1]
    for z in np.flatnonzero([not limits.fits(int(n), float(ha)) for n, ha in zip(size, hectares, strict=True)]):
        nodes = np.flatnonzero(lab == z)
        if limits.max_area_ha is not None and (area[nodes] > limits.max_area_ha).any():
            continue
        near = np.zeros(len(size), bool)
        near[lab[ej[lab[ei] == z]]] = True
        near[lab[ei[lab[ej] == z]]] = True
        near[z] = False
        neighbours = np.flatnonzero(near)
        dist = np.linalg.norm(means[neighbours] - means[z], axis=1)
        for nb in neighbours[np.lexsort((first[neighbours], dist))]:
            other = np.flatnonzero(lab == nb)
            pair = (frozenset(nodes.tolist()), frozenset(other.tolist()))
            if pair in tried:
                continue
            tried.add(pair)
            parts = split_zone(np.sort(np.concatenate([nodes, other])), adj, x, area, limits)
            if all(len(p) >= limits.min_villages and limits.fits(len(p), float(area[p].sum())) for p in parts):
                out = lab.copy()
                for part, label in zip(parts, [z, nb, *range(len(size), len(size) + len(parts) - 2)], strict=True):
                    out[part] = label
                return canonical(out)
    return None


def split_zone(
    nodes: np.ndarray, adj: sparse.csr_matrix, x: np.ndarray, area: ZoneAreas, limits: Limits
) -> list[np.ndarray]:
    """Cut one connected zone into connected parts within the limits (best effort)."""
    n = len(nodes)
    sub = adj[nodes][:, nodes].tocsr()
    xs, ar = x[nodes], area[nodes]
    k_min = max(
        2,
        math.ceil(n / limits.max_villages) if limits.max_villages else 1,
        math.ceil(ar.sum() / limits.max_area_ha) if limits.max_area_ha else 1,
    )
    k_max = min(n // limits.min_villages, k_min + _SPLIT_TRIES)
    if k_min <= k_max:
        cuts = ward_cuts(ward_children(xs, sub), n, range(k_min, k_max + 1))
        edges = edge_list(sub)
        for k in range(k_min, k_max + 1):
            lab = merge_small(cuts[k], edges, xs, limits)
            parts = [np.flatnonzero(lab == z) for z in range(int(lab.max()) + 1)]
            if all(limits.fits(len(p), float(ar[p].sum())) for p in parts):
                return [nodes[p] for p in parts]
    # Ward could not meet the limits: cut along a spanning tree (SKATER-like), first the tree
    # of most similar neighbours, then depth-first trees from peripheral villages, which are
    # path-like and so leave fewer dead ends where no cut keeps both sides large enough.
    def misfits(parts: list[np.ndarray]) -> int:
        return sum(len(p) for p in parts if not limits.fits(len(p), float(ar[p].sum())))

    everything = np.arange(n)
    best = _tree_split(everything, sub, xs, ar, limits, _similarity_tree)
    degree = np.diff(sub.indptr)
    for root in np.lexsort((everything, degree))[:_TREE_ROOTS]:
        if misfits(best) == 0:
            break
        parts = _tree_split(everything, sub, xs, ar, limits, partial(_depth_first, root=int(root)))
        if misfits(parts) < misfits(best):
            best = parts
    best.sort(key=lambda p: int(p.min()))
    return [nodes[p] for p in best]


def _similarity_tree(sub: sparse.csr_matrix, x: np.ndarray) -> sparse.csr_matrix:
    coo = sparse.triu(sub, k=1).tocoo()
    # +1 keeps equal score vectors as edges (csgraph drops zero weights) without changing the MST
    w = 1.0 + np.linalg.norm(x[coo.row] - x[coo.col], axis=1)
    return minimum_spanning_tree(sparse.csr_matrix((w, (coo.row, coo.col)), shape=sub.shape))


def _depth_first(sub: sparse.csr_matrix, x: np.ndarray, *, root: int) -> sparse.csr_matrix:
    return depth_first_tree(sub, root, directed=False)


def _tree_split(
    part: np.ndarray,
    sub: sparse.csr_matrix,
    x: np.ndarray,
    area: ZoneAreas,
    limits: Limits,
    make_tree: Callable[[sparse.csr_matrix, np.ndarray], sparse.csr_matrix],
) -> list[np.ndarray]:
    """Recursively cut the tree edge leaving both sides >= min_villages with the least within-SS."""
    local = sub[part][:, part].tocsr()
    tree = make_tree(local, x[part])
    tree = (tree + tree.T).tocsr()
    todo = [np.arange(len(part))]
    done = []
    while todo:
        idx = todo.pop()
        if limits.fits(len(idx), float(area[part[idx]].sum())):
            done.append(idx)
            continue
        cut = _best_cut(idx, tree, x[part], limits)
        if cut is None:
            done.append(idx)
            continue
        todo.extend(cut)
    return [part[np.sort(d)] for d in done]


def _best_cut(idx: np.ndarray, tree: sparse.csr_matrix, x: np.ndarray, limits: Limits) -> tuple[np.ndarray, np.ndarray] | None:
    t = tree[idx][:, idx].tocsr()
    order, pred = breadth_first_order(t, 0, directed=False, return_predecessors=True)
    n = len(idx)
    xi = x[idx]
    size = np.ones(n)
    sx = xi.copy()
    sq = (xi**2).sum(axis=1)
    for v in order[::-1][:-1]:
        p = pred[v]
        size[p] += size[v]
        sx[p] += sx[v]
        sq[p] += sq[v]
    total_sx, total_sq = sx[order[0]], sq[order[0]]
    best = None
    for v in order[1:]:
        a = int(size[v])
        b = n - a
        if a < limits.min_villages or b < limits.min_villages:
            continue
        sse = sq[v] - (sx[v] ** 2).sum() / a + (total_sq - sq[v]) - ((total_sx - sx[v]) ** 2).sum() / b
        key = (int(not limits.splittable(a)) + int(not limits.splittable(b)), round(float(sse), 9), int(v))
        if best is None or key < best[0]:
            best = (key, int(v))
    if best is None:
        return None
    side = np.zeros(n, bool)
    side[best[1]] = True
    for u in order:  # breadth-first: a parent is always met before its children
        if pred[u] >= 0 and side[pred[u]]:
            side[u] = True
    return idx[side], idx[~side]
