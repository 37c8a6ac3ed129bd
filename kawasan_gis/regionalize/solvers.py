"""Regionalization methods: one solver class per method, one interface.

A solver turns the score vectors of one connected part of one kabupaten (a *unit*) into zone
labels; :func:`~kawasan_gis.regionalize.propose_kawasan` then applies the size limits, measures
stability and assembles the proposal the same way for every method. This follows spopt's
``BaseSpOptHeuristicSolver`` (one ``solve`` per method), except that ``solve`` returns its
:class:`Zones` instead of setting ``labels_`` on the instance, so one solver object can serve
every unit and every perturbed run.

A new method is a new :class:`Solver` subclass, passed to ``propose_kawasan(method=...)`` as an
instance, or registered by name with :func:`register_solver`. :data:`SOLVERS` lists the named
ones (the built-in two and any registered); the config (``[proposal] method``) and
``kawasan propose --method`` accept exactly those names.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import ClassVar

import numpy as np
from scipy import sparse

from kawasan_gis.regionalize.graph import canonical, components, edge_list
from kawasan_gis.regionalize.limits import Limits, merge_small
from kawasan_gis.regionalize.ward import pseudo_f, ward_children, ward_cuts

__all__ = ["SOLVERS", "DominantSolver", "Solver", "WardSolver", "Zones", "register_solver"]

# Upper end of the k range searched with the pseudo-F curve, per kabupaten. Planners
# rarely want more than a few dozen kawasan in one kabupaten, and the curve is flat there.
_MAX_K = 40


@dataclass(frozen=True, eq=False)
class Zones:
    """Zones of one unit as a solver found them.

    Attributes
    ----------
    labels : numpy.ndarray
        Zone of each village of the unit (int64, 0..k-1); each zone must be connected.
    k : int, optional
        Number of zones the solver aimed at (reported per kabupaten in ``quality["k"]`` and
        kept by the perturbed runs of the stability figure), for solvers that take one.
    curve : dict, optional
        Criterion per k when the solver chose k itself (Ward: the pseudo-F curve).
    """

    labels: np.ndarray
    k: int | None = None
    curve: Mapping[int, float] | None = None


class Solver(ABC):
    """A regionalization method.

    Subclasses set :attr:`name` and implement :meth:`solve`. The size limits are applied
    after the solver (see :mod:`kawasan_gis.regionalize.limits`), so a solver may return
    zones of any size; it must return connected zones and the same labels for the same
    inputs (no hidden randomness).
    """

    #: Name used in ``propose_kawasan(method=...)``, ``params["method"]`` and the config.
    name: ClassVar[str]
    #: Whether the solver takes a number of zones per kabupaten (``n_zones`` applies).
    takes_k: ClassVar[bool] = False

    @abstractmethod
    def solve(
        self,
        x: np.ndarray,
        adjacency: sparse.csr_matrix,
        *,
        dominant: np.ndarray,
        codes: np.ndarray,
        limits: Limits,
        k: int | None = None,
    ) -> Zones:
        """Zone the villages of one connected unit.

        Parameters
        ----------
        x : numpy.ndarray
            Score vectors (villages x potentials), villages in ``kode_desa`` order.
        adjacency : scipy.sparse.csr_matrix
            Contiguity of the unit's villages (connected, bridges included).
        dominant : numpy.ndarray
            Dominant potential of each village.
        codes : numpy.ndarray
            ``kode_desa`` of each village (for solvers that treat given villages apart).
        limits : Limits
            The size limits the zones will be held to.
        k : int, optional
            Number of zones asked for (``n_zones``, or the k of the proposal in a perturbed
            run); only for solvers with ``takes_k``.

        Returns
        -------
        Zones
        """

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class DominantSolver(Solver):
    """Adjacent villages of the same dominant potential grow into one zone."""

    name = "dominant"

    def solve(
        self,
        x: np.ndarray,
        adjacency: sparse.csr_matrix,
        *,
        dominant: np.ndarray,
        codes: np.ndarray,
        limits: Limits,
        k: int | None = None,
    ) -> Zones:
        i, j = edge_list(adjacency)
        same = dominant[i] == dominant[j]
        return Zones(canonical(components(len(dominant), i[same], j[same])))


class WardSolver(Solver):
    """Spatially constrained Ward clustering of the score vectors.

    With ``k`` given, the Ward tree is cut into k clusters. Without, k runs from 2 to
    ``min(n // min_villages, 40)`` and the cut with the largest pseudo-F (Calinski-Harabasz)
    after merging zones under ``min_villages`` wins; the curve is returned.
    """

    name = "ward"
    takes_k = True

    def solve(
        self,
        x: np.ndarray,
        adjacency: sparse.csr_matrix,
        *,
        dominant: np.ndarray,
        codes: np.ndarray,
        limits: Limits,
        k: int | None = None,
    ) -> Zones:
        n = len(x)
        k_max = min(n // limits.min_villages, _MAX_K, n - 1)
        if n < 2 or (k is None and k_max < 2):
            return Zones(np.zeros(n, dtype=np.int64), k=1)
        children = ward_children(x, adjacency)
        if k is not None:
            return Zones(ward_cuts(children, n, [k])[k], k=k)
        edges = edge_list(adjacency)
        curve: dict[int, float] = {}
        best: tuple[float, int, np.ndarray] | None = None
        for kk, lab in sorted(ward_cuts(children, n, range(2, k_max + 1)).items()):
            merged = merge_small(lab, edges, x, limits)
            if merged.max() < 1:
                continue
            ch = pseudo_f(x, merged)
            curve[kk] = ch
            if best is None or ch > best[0]:
                best = (ch, kk, merged)
        if best is None:
            return Zones(np.zeros(n, dtype=np.int64), k=1, curve=curve)
        return Zones(best[2], k=best[1], curve=curve)


_REGISTRY: dict[str, type[Solver]] = {}

#: The solvers by name: a read-only view; :func:`register_solver` adds to it.
SOLVERS: Mapping[str, type[Solver]] = MappingProxyType(_REGISTRY)


def register_solver(cls: type[Solver]) -> type[Solver]:
    """Make a :class:`Solver` subclass a named method (usable as a class decorator).

    Its :attr:`Solver.name` is then accepted by ``propose_kawasan(method=...)``, by
    ``[proposal] method`` in a config file and by ``kawasan propose --method``. The class is
    built with no arguments for each proposal.

    Raises
    ------
    TypeError
        When ``cls`` is not a Solver subclass or has no name.
    ValueError
        When another class is registered under the same name.

    Examples
    --------
    >>> from kawasan_gis.regionalize import SOLVERS
    >>> sorted(SOLVERS)
    ['dominant', 'ward']
    """
    if not (isinstance(cls, type) and issubclass(cls, Solver)):
        raise TypeError(f"register_solver takes a Solver subclass, not {cls!r}")
    name = getattr(cls, "name", None)
    if not (isinstance(name, str) and name):
        raise TypeError(f"{cls.__name__} has no name; set the class attribute `name`")
    if _REGISTRY.get(name, cls) is not cls:
        raise ValueError(f"method {name!r} is already {_REGISTRY[name].__name__}; choose another name for {cls.__name__}")
    _REGISTRY[name] = cls
    return cls


register_solver(DominantSolver)
register_solver(WardSolver)
