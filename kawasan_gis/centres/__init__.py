"""Settlement hierarchy and growth centres: where each kawasan's pusat is, and why.

This package owns what planners cite when they set the integrated inter-village growth
centre (*pusat pertumbuhan terpadu antar desa*, PP 43/2014) of a kawasan perdesaan, one module
per part (each module's docstring gives its formulas and the variant used; the variant is
named in every output):

* :mod:`~kawasan_gis.centres.facilities`: the **facility matrix**, units of each facility type
  in every village (:func:`facility_counts`);
* :mod:`~kawasan_gis.centres.guttman` and :mod:`~kawasan_gis.centres.hierarchy`: the
  **settlement hierarchy** from that matrix, the Guttman scalogram (:func:`scalogram`), the
  Marshall centrality index (:func:`centrality`) and the hierarchy orders
  (:func:`hierarchy_orders`), together in :func:`settlement_hierarchy`;
* :mod:`~kawasan_gis.centres.network`: **accessibility on the road network**
  (:func:`road_network`, :meth:`RoadNetwork.distances`);
* :mod:`~kawasan_gis.centres.designation`: the RTRW's own designated centres (PKN, PKW, PKL,
  PPK, PPL points: :func:`designated_centres`);
* :mod:`~kawasan_gis.centres.choice`: the **choice of the centre** of every kawasan
  (:func:`choose_centres`) from hierarchy, accessibility and designation, with the reason in
  words (id and en) and the runner-up;
* :mod:`~kawasan_gis.centres.common`: the names they share.

Every public name is re-exported here: ``from kawasan_gis.centres import choose_centres``.
Inside the package imports run ``choice -> designation -> network`` and
``hierarchy -> guttman``, all of them onto ``common``; from outside it the package imports only
:mod:`kawasan_gis.overlay` (point and line measures) and :mod:`kawasan_gis.errors`.
"""

from __future__ import annotations

from kawasan_gis.centres.choice import DEFAULT_WEIGHTS, Centres, choose_centres
from kawasan_gis.centres.common import CODE, ORDER_NAMES
from kawasan_gis.centres.designation import DESIGNATION_LEVELS, designated_centres, designation_level
from kawasan_gis.centres.facilities import facility_counts
from kawasan_gis.centres.guttman import COR_ACCEPTED, CS_ACCEPTED, Scalogram, scalogram
from kawasan_gis.centres.hierarchy import (
    FACILITY_CATEGORIES,
    Centrality,
    Hierarchy,
    Orders,
    centrality,
    hierarchy_orders,
    settlement_hierarchy,
    sturges_k,
)
from kawasan_gis.centres.network import RoadNetwork, road_network

__all__ = [
    "CODE",
    "COR_ACCEPTED",
    "CS_ACCEPTED",
    "DEFAULT_WEIGHTS",
    "DESIGNATION_LEVELS",
    "FACILITY_CATEGORIES",
    "ORDER_NAMES",
    "Centrality",
    "Centres",
    "Hierarchy",
    "Orders",
    "RoadNetwork",
    "Scalogram",
    "centrality",
    "choose_centres",
    "designated_centres",
    "designation_level",
    "facility_counts",
    "hierarchy_orders",
    "road_network",
    "scalogram",
    "settlement_hierarchy",
    "sturges_k",
]
