"""Spatially constrained Ward clustering: the merge tree, its cuts and the pseudo-F of a cut.

Shared by the Ward solver (:mod:`.solvers`) and the splitter of zones over the limits
(:mod:`.limits`). The merge tree is the one scikit-learn's ``ward_tree`` builds with the
contiguity matrix as connectivity (what ``AgglomerativeClustering`` builds, and spopt's
``WardSpatial`` uses), computed here with the same merge rule and tie order and tested equal to
it: importing scikit-learn costs ~2 s (scipy.stats comes with it), more than all the merges of a
kabupaten. It is cut here for many k at once because ``AgglomerativeClustering`` would rebuild it
for each k.
"""

from __future__ import annotations

from collections.abc import Sequence
from heapq import heapify, heappop, heappush

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from kawasan_gis.regionalize.graph import canonical

__all__ = ["pseudo_f", "ward_children", "ward_cuts", "zone_means"]


def _merge_costs(m1: np.ndarray, m2: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Ward's merge cost of clusters ``rows[i]`` and ``cols[i]``: the rise of the within-cluster
    sum of squares, ``n_a n_b / (n_a + n_b) * |mean_a - mean_b|**2`` (``m1`` sizes, ``m2`` sums).

    Summed feature by feature in order, as scikit-learn does, so that equal costs stay equal.
    """
    a, b = m1[rows], m1[cols]
    pa = np.zeros(len(rows))
    for j in range(m2.shape[1]):
        pa += (m2[rows, j] / a - m2[cols, j] / b) ** 2
    return pa * ((a * b) / (a + b))


def ward_children(x: np.ndarray, adj: sparse.spmatrix) -> np.ndarray:
    """Merge tree of Ward clustering constrained by ``adj`` (connected): the ``children`` array of
    ``sklearn.cluster.ward_tree(x, connectivity=adj)``.

    Row ``s`` holds the two clusters merged at step ``s`` (smaller id first); the cluster made at
    step ``s`` is ``n + s``. Each step merges the adjacent pair with the least Ward cost, ties to
    the pair with the smaller (larger id, smaller id), as scikit-learn's heap orders them.
    """
    x = np.asarray(x, dtype=float)
    x = x.reshape(-1, 1) if x.ndim == 1 else x
    n = len(x)
    sym = sparse.csr_matrix(adj + adj.T)
    if n > 1 and connected_components(sym, directed=False)[0] != 1:  # pragma: no cover - guarded by bridging
        raise RuntimeError("internal error: Ward ran on a disconnected graph")
    m1 = np.zeros(2 * n - 1)
    m1[:n] = 1.0
    m2 = np.zeros((2 * n - 1, x.shape[1]))
    m2[:n] = x
    coo = sym.tocoo()
    upper = coo.row > coo.col
    rows, cols = coo.row[upper].astype(np.intp), coo.col[upper].astype(np.intp)
    heap = list(zip(_merge_costs(m1, m2, rows, cols).tolist(), rows.tolist(), cols.tolist()))
    heapify(heap)
    neighbours = [set(sym.indices[sym.indptr[i] : sym.indptr[i + 1]].tolist()) - {i} for i in range(n)]
    active = np.ones(2 * n - 1, dtype=bool)
    children = np.empty((max(n - 1, 0), 2), dtype=np.intp)
    for step, k in enumerate(range(n, 2 * n - 1)):
        while True:  # entries of clusters merged since they were pushed are skipped
            _, i, j = heappop(heap)
            if active[i] and active[j]:
                break
        active[i] = active[j] = False
        children[step] = (j, i)
        m1[k] = m1[i] + m1[j]
        m2[k] = m2[i] + m2[j]
        joined = (neighbours[i] | neighbours[j]) - {i, j}
        for c in joined:
            neighbours[c] -= {i, j}
            neighbours[c].add(k)
        neighbours.append(joined)
        other = np.fromiter(sorted(joined), dtype=np.intp, count=len(joined))
        for cost, c in zip(_merge_costs(m1, m2, np.full(len(other), k, dtype=np.intp), other).tolist(), other.tolist()):
            heappush(heap, (cost, k, c))
    return children


def ward_cuts(children: np.ndarray, n: int, ks: Sequence[int]) -> dict[int, np.ndarray]:
    """Cluster labels after ``n - k`` merges of the tree, for each k (equal to AgglomerativeClustering(k))."""
    rep = np.arange(2 * n - 1)
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    lab = np.arange(n)
    out = {}
    step = 0
    for k in sorted(set(ks), reverse=True):
        while n - step > k:
            a, b = rep[children[step, 0]], rep[children[step, 1]]
            if len(members[a]) < len(members[b]):
                a, b = b, a
            moved = members.pop(b)
            lab[moved] = a
            members[a].extend(moved)
            rep[n + step] = a
            step += 1
        out[k] = canonical(lab)
    return out


def zone_means(lab: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Mean score vector of each zone (labels 0..k-1)."""
    counts = np.bincount(lab).astype(float)
    sums = np.column_stack([np.bincount(lab, weights=col, minlength=len(counts)) for col in x.T])
    return sums / counts[:, None]


def pseudo_f(x: np.ndarray, lab: np.ndarray) -> float:
    """Calinski-Harabasz pseudo-F, as ``sklearn.metrics.calinski_harabasz_score`` (vectorised: it runs per k)."""
    n, k = len(x), int(lab.max()) + 1
    means = zone_means(lab, x)
    between = float((np.bincount(lab) * ((means - x.mean(axis=0)) ** 2).sum(axis=1)).sum())
    within = float(((x - means[lab]) ** 2).sum())
    return 1.0 if within == 0.0 else between * (n - k) / (within * (k - 1.0))
