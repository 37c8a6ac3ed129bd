"""Spatially constrained Ward clustering: the merge tree, its cuts and the pseudo-F of a cut.

Shared by the Ward solver (:mod:`.solvers`) and the splitter of zones over the limits
(:mod:`.limits`). The merge tree is scikit-learn's ``ward_tree`` with the contiguity matrix as
connectivity (what ``AgglomerativeClustering`` builds, and spopt's ``WardSpatial`` uses); it is
cut here for many k at once because ``AgglomerativeClustering`` would rebuild it for each k.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

from kawasan_gis.regionalize.graph import canonical

__all__ = ["pseudo_f", "ward_children", "ward_cuts", "zone_means"]


def ward_children(x: np.ndarray, adj: sparse.csr_matrix) -> np.ndarray:
    """Merge tree of Ward clustering constrained by ``adj`` (connected), as AgglomerativeClustering builds it."""
    # imported here: scikit-learn takes ~2 s to import, and most runs never split a zone
    from sklearn.cluster import ward_tree

    children, n_components, _, _ = ward_tree(x, connectivity=adj)
    if n_components != 1:  # pragma: no cover - guarded by bridging; scikit-learn would join the parts silently
        raise RuntimeError("internal error: Ward ran on a disconnected graph")
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
