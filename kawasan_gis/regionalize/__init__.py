"""Proposals of kawasan perdesaan: contiguous groups of villages within one kabupaten.

Two public steps:

- :func:`contiguity` builds the neighbour graph of villages from their boundaries,
  tolerant of the small gaps and overlaps of real village layers, never across a
  kabupaten boundary, and bridges islands to the nearest village of their kabupaten.
- :func:`propose_kawasan` groups adjacent villages into kawasan (one kabupaten each,
  UU 6/2014 Pasal 83) with a regionalization method (a :class:`Solver`: ``"dominant"``
  grows zones of one dominant potential, ``"ward"`` clusters the score vectors with
  spatially constrained Ward), holds them to the size limits, and reports quality and
  stability figures.

Rooms, in import order (each imports only those before it):

- ``graph``: :class:`Contiguity`, :func:`contiguity` and the small graph helpers;
- ``ward``: the Ward merge tree and its cuts, shared by the Ward solver and the splitter;
- ``limits``: :class:`Limits`, merging zones under the minimum, cutting zones over the maximum;
- ``solvers``: :class:`Solver` and one class per method, by name in :data:`SOLVERS` (:func:`register_solver`);
- ``validation``: the checks at the door of :func:`propose_kawasan`;
- ``stability``: the perturbed runs;
- ``output``: :class:`Proposal` and its assembly;
- ``propose``: :func:`propose_kawasan`, which chains them.

Outside the sub-package it imports only :mod:`kawasan_gis.errors`, :mod:`kawasan_gis.i18n`
(lists in messages), :mod:`kawasan_gis.io` (the village-layer contract,
``require_villages``) and :mod:`kawasan_gis.vocab` (display names of potentials).
"""

from kawasan_gis.regionalize.graph import Contiguity, contiguity
from kawasan_gis.regionalize.limits import Limits
from kawasan_gis.regionalize.output import Proposal
from kawasan_gis.regionalize.propose import propose_kawasan
from kawasan_gis.regionalize.solvers import SOLVERS, DominantSolver, Solver, WardSolver, Zones, register_solver

__all__ = [
    "SOLVERS",
    "Contiguity",
    "DominantSolver",
    "Limits",
    "Proposal",
    "Solver",
    "WardSolver",
    "Zones",
    "contiguity",
    "propose_kawasan",
    "register_solver",
]
