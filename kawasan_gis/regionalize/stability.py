"""Stability of a proposal: how often each village keeps its neighbours when the scores shake.

The scores are perturbed ``n_perturb`` times (each potential's column scaled by
``1 + jitter * N(0, 1)``, each value shifted by ``N(0, (jitter / 4)^2)``), the whole zoning is
run again on each, and a village counts as stable in a run when every graph edge at it keeps
its status (both ends in one kawasan, or not). Randomness comes only from ``random_state``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from kawasan_gis.regionalize.graph import Contiguity

__all__ = ["stability"]

# Sd of the additive noise in a perturbed run, as a share of ``jitter`` (scores are 0-1).
_ADDITIVE_SHARE = 0.25


def stability(
    run: Callable[[np.ndarray, np.ndarray], np.ndarray],
    labels: np.ndarray,
    graph: Contiguity,
    x: np.ndarray,
    dominant: np.ndarray,
    *,
    codes: Sequence[str],
    random_state: int,
    n_perturb: int,
    jitter: float,
) -> np.ndarray:
    """Share of perturbed runs in which each village keeps exactly the same neighbours in its kawasan.

    A village is stable in a run when every graph edge at it keeps its status (both ends
    in one kawasan, or not). Dominant potentials follow the perturbed scores only where
    the perturbation changes which score is highest.

    Parameters
    ----------
    run : callable
        ``run(scores, dominant) -> labels``: the whole zoning on perturbed inputs (the caller
        keeps the proposal's k for solvers that take one).
    labels : numpy.ndarray
        Zone of each village in the proposal, -1 outside every kawasan.
    graph : Contiguity
        The graph the zones were grown on.
    x, dominant : numpy.ndarray
        Score vectors and dominant potential of each village.
    codes : sequence of str
        Potential code of each column of ``x``.
    random_state, n_perturb, jitter
        Seed, number and size of the perturbations.

    Returns
    -------
    numpy.ndarray
        Share of runs, NaN outside every kawasan (and everywhere when ``n_perturb`` is 0).
    """
    inside = labels >= 0
    out = np.full(len(labels), np.nan)
    if n_perturb == 0 or not inside.any():
        return out
    e = inside[graph.i] & inside[graph.j]
    i, j = graph.i[e], graph.j[e]
    base = labels[i] == labels[j]
    names = np.array(codes, dtype=object)
    top = np.argmax(x, axis=1)
    rng = np.random.default_rng(random_state)
    stable = np.zeros(len(labels))
    for _ in range(n_perturb):
        weight = 1.0 + jitter * rng.standard_normal(x.shape[1])
        xp = x * weight + _ADDITIVE_SHARE * jitter * rng.standard_normal(x.shape)
        top_p = np.argmax(xp, axis=1)
        dp = np.where(top_p == top, dominant, names[top_p])
        lab = run(xp, dp)
        changed = (lab[i] == lab[j]) != base
        moved = np.zeros(len(labels), bool)
        moved[i[changed]] = True
        moved[j[changed]] = True
        stable += ~moved
    out[inside] = stable[inside] / n_perturb
    return out
