"""The contiguity graph of villages: who neighbours whom, and the bridges that join islands.

Owns :class:`Contiguity` and :func:`contiguity` (snapping of small gaps, no edge across a
kabupaten, bridging of separated parts), and the small graph helpers every other module of
the sub-package uses: connected components, the adjacency matrix, the edge list of a matrix
and the canonical numbering of zone labels.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from kawasan_gis.errors import ConfigError
from kawasan_gis.io import require_villages

__all__ = ["Contiguity", "adjacency_matrix", "canonical", "components", "contiguity", "edge_list"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Contiguity:
    """Neighbour graph of villages.

    Nodes are the rows of the villages frame it was built from, in that order.

    Attributes
    ----------
    kode_desa, group : numpy.ndarray
        Village code and group (kabupaten) of each node.
    i, j : numpy.ndarray
        Edge end points (int64, ``i < j``), sorted by ``(i, j)``; bridges included.
    bridge : numpy.ndarray
        True where the edge is a bridge rather than a shared (or nearly shared) border.
    adjacency : scipy.sparse.csr_matrix
        Symmetric n x n matrix, 1.0 on every edge; the connectivity matrix for Ward.
    labels : numpy.ndarray
        Connected component of each node after bridging (one per group), -1 for
        excluded nodes.
    bridges : geopandas.GeoDataFrame
        One row per bridge: ``from_kode`` (village of the smaller part), ``to_kode``
        (its nearest village elsewhere in the group), ``distance_m``, ``reason``,
        ``group`` and a LineString between the nearest points.
    isolated : tuple of str
        Codes of villages alone in their group: no neighbour is possible.
    snap : float
        Snapping distance used, metres.
    """

    kode_desa: np.ndarray
    group: np.ndarray
    i: np.ndarray
    j: np.ndarray
    bridge: np.ndarray
    adjacency: sparse.csr_matrix
    labels: np.ndarray
    bridges: gpd.GeoDataFrame
    isolated: tuple[str, ...]
    snap: float
    _geoms: np.ndarray = field(repr=False)

    @property
    def n(self) -> int:
        """Number of nodes (villages)."""
        return len(self.kode_desa)

    @cached_property
    def shared_m(self) -> np.ndarray:
        """Approximate length of shared border of each edge, metres (0 for bridges).

        Measured as the length of village ``j``'s boundary lying within ``snap`` of
        village ``i``, less ``2 * snap`` for the two ends where the buffer overshoots,
        floored at 0. Exact for exactly shared straight borders; neighbours meeting at a
        corner get about 0; across a gap of width ``g`` it is short by about ``2 g``.
        Computed on first access (it costs about three times the graph itself).
        """
        out = np.zeros(len(self.i))
        border = ~self.bridge
        if border.any():
            ii, jj = self.i[border], self.j[border]
            snap = max(self.snap, 1e-6)
            near = shapely.buffer(self._geoms, snap, quad_segs=1)
            length = shapely.length(shapely.intersection(shapely.boundary(self._geoms[jj]), near[ii]))
            out[border] = np.maximum(length - 2 * snap, 0.0)
        return out

    def to_frame(self) -> pd.DataFrame:
        """Edges as a table: ``from_kode``, ``to_kode``, ``jenis`` (batas / sambungan), ``shared_m``."""
        return pd.DataFrame(
            {
                "from_kode": self.kode_desa[self.i],
                "to_kode": self.kode_desa[self.j],
                "jenis": np.where(self.bridge, "sambungan", "batas"),
                "shared_m": self.shared_m,
            }
        )


def contiguity(
    villages: gpd.GeoDataFrame,
    *,
    snap: float = 30.0,
    by: str | None = "kode_kab",
    exclude: Sequence[bool] | np.ndarray | None = None,
) -> Contiguity:
    """Build the contiguity graph of villages, bridging islands within each group.

    Two villages are neighbours when their geometries lie within ``snap`` metres of
    each other (queen-like: a shared corner counts), so the slivers and small gaps of
    real layers do not break the graph. No edge joins villages of different ``by``
    groups. Each group is then made connected: repeatedly the smallest component
    (ties: smallest code) is joined to the nearest village of another component of the
    same group, and the bridge is recorded.

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        Polygons in a projected CRS in metres, with a unique ``kode_desa`` column.
    snap : float, default 30.0
        Largest gap, in metres, still treated as a shared border.
    by : str or None, default "kode_kab"
        Column whose groups the graph never crosses; None for a single group.
    exclude : array of bool, optional
        Villages left out of the graph (no edges, label -1), e.g. excluded kelurahan.

    Returns
    -------
    Contiguity

    Raises
    ------
    LayerError, CRSError, FieldError, GeometryError
        The layer breaks the village-layer contract (:func:`kawasan_gis.io.require_villages`:
        not a GeoDataFrame, CRS not projected in metres, ``kode_desa`` or ``by`` missing,
        codes missing or duplicated, geometries empty, not polygonal or invalid).
    ConfigError
        ``snap`` or ``exclude`` out of range.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from kawasan_gis.regionalize import contiguity
    >>> desa = gpd.read_file("data/rtrw_lampung_timur/desa_lampung_timur.gpkg", layer="desa")
    >>> desa = desa.rename(columns={"kode_desa": "kode_dotted", "kode_desa_10": "kode_desa"}).to_crs(32748)
    >>> graph = contiguity(desa)
    >>> int(graph.labels.max()) + 1, len(graph.bridges)
    (1, 0)
    """
    require_villages(villages, step="regionalize", columns=[by] if by else [])
    if not snap >= 0:
        raise ConfigError(f"snap must be a distance >= 0 in metres, not {snap!r}.")
    n = len(villages)
    kode = villages["kode_desa"].astype(str).to_numpy()
    group = villages[by].astype(str).to_numpy() if by else np.full(n, "", dtype=object)
    excluded = np.zeros(n, bool) if exclude is None else np.asarray(exclude, dtype=bool)
    if excluded.shape != (n,):
        raise ConfigError(f"exclude must have one flag per village ({n}), not shape {excluded.shape}.")
    geoms = np.asarray(villages.geometry.array, dtype=object)

    a, b = _near_pairs(geoms, snap)
    same = group[a] == group[b]
    live = ~excluded[a] & ~excluded[b]

    # Components of wider graphs tell why a bridge is needed (see _bridge_reason).
    through_excluded = components(n, a[same], b[same])
    through_any = components(n, a, b)

    ei, ej = a[same & live], b[same & live]
    comp = components(n, ei, ej)
    bridge_rows: list[dict[str, Any]] = []
    bi: list[int] = []
    bj: list[int] = []
    isolated: list[str] = []
    for g in sorted(set(group[~excluded])):
        nodes = np.flatnonzero((group == g) & ~excluded)
        nodes = nodes[np.argsort(kode[nodes], kind="stable")]  # ties below go to the smallest code
        if len(nodes) == 1:
            isolated.append(kode[nodes[0]])
            continue
        local = comp[nodes].copy()
        while True:
            ids, first, sizes = np.unique(local, return_index=True, return_counts=True)
            if len(ids) == 1:
                break
            # smallest component; ties: the one holding the smallest code
            order = np.lexsort((kode[nodes[first]], sizes))
            small = ids[order[0]]
            src = nodes[local == small]
            dst = nodes[local != small]
            (qi, qj), dist = shapely.STRtree(geoms[dst]).query_nearest(geoms[src], return_distance=True, all_matches=True)
            best = dist == dist.min()
            pairs = sorted(zip(kode[src[qi[best]]], kode[dst[qj[best]]], src[qi[best]], dst[qj[best]], strict=True))
            _, _, s, t = pairs[0]
            d = float(dist.min())
            bi.append(min(s, t))
            bj.append(max(s, t))
            bridge_rows.append(
                {
                    "from_kode": kode[s],
                    "to_kode": kode[t],
                    "distance_m": d,
                    "reason": _bridge_reason(s, t, through_excluded, through_any),
                    "group": g,
                    "geometry": shapely.shortest_line(geoms[s], geoms[t]),
                }
            )
            local[local == small] = local[nodes == t][0]

    i = np.concatenate([ei, np.asarray(bi, dtype=np.int64)]).astype(np.int64)
    j = np.concatenate([ej, np.asarray(bj, dtype=np.int64)]).astype(np.int64)
    is_bridge = np.concatenate([np.zeros(len(ei), bool), np.ones(len(bi), bool)])
    order = np.lexsort((j, i))
    i, j, is_bridge = i[order], j[order], is_bridge[order]
    adjacency = adjacency_matrix(n, i, j)
    labels = components(n, i, j)
    labels = np.where(excluded, -1, labels)
    labels[~excluded] = np.unique(labels[~excluded], return_inverse=True)[1]
    bridges = gpd.GeoDataFrame(
        bridge_rows,
        columns=["from_kode", "to_kode", "distance_m", "reason", "group", "geometry"],
        geometry="geometry",
        crs=villages.crs,
    )
    if len(bridges):
        log.info("contiguity: %d bridge(s) join separated parts of their group", len(bridges))
    return Contiguity(
        kode_desa=kode,
        group=group,
        i=i,
        j=j,
        bridge=is_bridge,
        adjacency=adjacency,
        labels=labels,
        bridges=bridges,
        isolated=tuple(isolated),
        snap=float(snap),
        _geoms=geoms,
    )


def _near_pairs(geoms: np.ndarray, snap: float) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``i < j`` of geometries within ``snap`` of each other, sorted.

    Same pairs as ``STRtree.query(predicate="dwithin")`` in about half the time: each pair is
    tested once, not from both sides, and the cheap ``intersects`` settles most of them
    (neighbours in real layers touch or overlap) before any distance is computed.
    """
    xmin, ymin, xmax, ymax = shapely.bounds(geoms).T
    boxes = shapely.box(xmin - snap, ymin - snap, xmax + snap, ymax + snap)
    a, b = shapely.STRtree(geoms).query(boxes)
    keep = a < b
    a, b = a[keep], b[keep]
    near = shapely.intersects(geoms[a], geoms[b])
    far = np.flatnonzero(~near)
    near[far] = shapely.dwithin(geoms[a[far]], geoms[b[far]], snap)
    a, b = a[near], b[near]
    order = np.lexsort((b, a))
    return a[order].astype(np.int64), b[order].astype(np.int64)


def _bridge_reason(s: int, t: int, through_excluded: np.ndarray, through_any: np.ndarray) -> str:
    """Why two parts of a group are apart: sea or wide gap, excluded villages, or another group."""
    if through_excluded[s] == through_excluded[t]:
        return "terhalang"  # connected only through excluded villages (e.g. kelurahan)
    if through_any[s] == through_any[t]:
        return "enklave"  # connected only through villages of another group
    return "pulau"


def components(n: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Connected component of each of ``n`` nodes joined by the edges ``(i, j)``."""
    return connected_components(adjacency_matrix(n, i, j), directed=False)[1]


def adjacency_matrix(n: int, i: np.ndarray, j: np.ndarray) -> sparse.csr_matrix:
    """Symmetric n x n matrix with 1.0 on every edge ``(i, j)``."""
    rows = np.concatenate([i, j])
    cols = np.concatenate([j, i])
    return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))


def edge_list(adjacency: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Edges ``(i, j)`` with ``i < j`` of a symmetric adjacency matrix, in row order."""
    coo = sparse.triu(adjacency, k=1).tocoo()
    return coo.row.astype(np.int64), coo.col.astype(np.int64)


def canonical(lab: np.ndarray) -> np.ndarray:
    """Renumber zones 0..k-1 in order of their first (smallest-code) village."""
    _, first, inverse = np.unique(lab, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first)] = np.arange(len(first))
    return rank[inverse]
