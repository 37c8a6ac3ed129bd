"""Contiguity graph of villages and proposals of kawasan perdesaan.

Two public steps:

- :func:`contiguity` builds the neighbour graph of villages from their boundaries,
  tolerant of the small gaps and overlaps of real village layers, never across a
  kabupaten boundary, and bridges islands to the nearest village of their kabupaten.
- :func:`propose_kawasan` groups adjacent villages into kawasan (one kabupaten each,
  UU 6/2014 Pasal 83), either by growing zones of one dominant potential
  (``method="dominant"``) or by spatially constrained Ward clustering of the score
  vectors (``method="ward"``), then reports quality and stability figures.

Every result is deterministic for given inputs, options and ``random_state``: villages
are processed in ``kode_desa`` order whatever the row order of the input.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse.csgraph import breadth_first_order, connected_components, depth_first_tree, minimum_spanning_tree
from sklearn.cluster import ward_tree

from kawasan_gis.errors import ConfigError, FieldError
from kawasan_gis.io import require_villages

__all__ = ["Contiguity", "Proposal", "contiguity", "propose_kawasan"]

log = logging.getLogger(__name__)

Method = Literal["dominant", "ward"]

_VILLAGE_COLUMNS = ("kode_desa", "nama_desa", "kode_kec", "kode_kab", "jenis")
_SCORE_PREFIX = "skor_"
# Upper end of the k range searched with the pseudo-F curve, per kabupaten. Planners
# rarely want more than a few dozen kawasan in one kabupaten, and the curve is flat there.
_MAX_K = 40
# Ward attempts (k = k_min .. k_min + _SPLIT_TRIES) before a zone too large for the limits
# is cut along a spanning tree instead.
_SPLIT_TRIES = 10
# Depth-first trees (one per root, most peripheral villages first) tried after that.
_TREE_ROOTS = 30
# Sd of the additive noise in a perturbed run, as a share of ``jitter`` (scores are 0-1).
_ADDITIVE_SHARE = 0.25
_LISTED = 10  # problems listed per error before "... and N more"


# --------------------------------------------------------------------------- contiguity


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
    CRSError
        The layer has no CRS or a CRS not in metres.
    FieldError
        ``kode_desa`` or ``by`` missing, or codes duplicated.

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
    through_excluded = _components(n, a[same], b[same])
    through_any = _components(n, a, b)

    ei, ej = a[same & live], b[same & live]
    comp = _components(n, ei, ej)
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
    adjacency = _adjacency(n, i, j)
    labels = _components(n, i, j)
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


def _components(n: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    return connected_components(_adjacency(n, i, j), directed=False)[1]


def _adjacency(n: int, i: np.ndarray, j: np.ndarray) -> sparse.csr_matrix:
    rows = np.concatenate([i, j])
    cols = np.concatenate([j, i])
    return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))


# --------------------------------------------------------------------------- proposal


@dataclass(frozen=True, eq=False)
class Proposal:
    """Result of :func:`propose_kawasan`.

    Attributes
    ----------
    desa : geopandas.GeoDataFrame
        The villages (input order and index) with their score columns, ``kawasan_id``
        (None when left out), ``alasan_tidak_masuk`` (why it was left out) and
        ``stabilitas`` (share of perturbed runs keeping its neighbours in or out of
        its kawasan as in the proposal).
    kawasan : geopandas.GeoDataFrame
        One row per kawasan; see the module documentation for the columns.
    sambungan : geopandas.GeoDataFrame
        Bridges of the contiguity graph, with village names and the ``kawasan_id``
        that uses the bridge (None when its ends fall in different kawasan).
    contiguity : Contiguity
        The graph the kawasan were grown on (villages in ``kode_desa`` order).
    params : dict
        The options of the run.
    quality : dict
        ``rasio_bss_tss``, ``n_kawasan``, ``n_desa_masuk``, ``n_desa_tidak_masuk``,
        ``pelanggaran`` (limits that could not be met), ``union_fallback`` (kawasan
        whose geometry needed a full union), and for Ward ``k`` and ``kurva_ch`` per
        kabupaten.
    """

    desa: gpd.GeoDataFrame
    kawasan: gpd.GeoDataFrame
    sambungan: gpd.GeoDataFrame
    contiguity: Contiguity
    params: dict[str, Any]
    quality: dict[str, Any]

    @property
    def rasio_bss_tss(self) -> float:
        """Between- over total sum of squares of the score vectors of villages in a kawasan."""
        return float(self.quality["rasio_bss_tss"])

    @property
    def graph(self) -> pd.DataFrame:
        """Edges of the contiguity graph (see :meth:`Contiguity.to_frame`)."""
        return self.contiguity.to_frame()


@dataclass(frozen=True)
class _Limits:
    min_villages: int
    max_villages: int | None
    max_area_ha: float | None

    def fits(self, size: int, area: float) -> bool:
        return (self.max_villages is None or size <= self.max_villages) and (
            self.max_area_ha is None or area <= self.max_area_ha
        )

    def splittable(self, size: int) -> bool:
        """Whether ``size`` villages can be cut into parts of allowed sizes (ignores area)."""
        if self.max_villages is None:
            return True
        m = math.ceil(size / self.max_villages)
        return m * self.min_villages <= size


@dataclass(frozen=True, eq=False)
class _Unit:
    """One connected part of one kabupaten: the scope of every clustering step."""

    nodes: np.ndarray  # indices into the sorted villages
    adjacency: sparse.csr_matrix  # sub-graph on nodes
    kab: str

    @cached_property
    def edges(self) -> tuple[np.ndarray, np.ndarray]:
        return _edges(self.adjacency)


@dataclass
class _RunInfo:
    k: dict[str, int] = field(default_factory=dict)
    curve: dict[str, dict[int, float]] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)


def propose_kawasan(
    villages: gpd.GeoDataFrame,
    scores: pd.DataFrame,
    *,
    method: Method = "dominant",
    n_zones: int | Mapping[str, int] | None = None,
    min_villages: int = 2,
    max_villages: int | None = None,
    max_area_ha: float | None = None,
    include_kelurahan: bool = True,
    snap: float = 30.0,
    potential_columns: Sequence[str] | None = None,
    random_state: int = 0,
    n_perturb: int = 20,
    jitter: float = 0.1,
) -> Proposal:
    """Propose kawasan perdesaan: contiguous groups of villages within one kabupaten.

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        Villages in the internal schema (``kode_desa``, ``nama_desa``, ``kode_kec``,
        ``kode_kab``, ``jenis``; ``nama_kec`` and ``nama_kab`` used when present) in a
        projected CRS in metres.
    scores : pandas.DataFrame
        Indexed by ``kode_desa``, with ``skor_<potential>`` columns (0-1) and
        ``potensi_dominan``, as returned by ``potential.score_potentials``.
    method : {"dominant", "ward"}, default "dominant"
        ``dominant``: adjacent villages of the same dominant potential grow into zones.
        ``ward``: spatially constrained Ward clustering of the score vectors.
    n_zones : int or mapping, optional
        Ward only. An int is the total number of clusters, shared among kabupaten in
        proportion to their villages (largest remainder, at least 1 each); a mapping
        gives the number per ``kode_kab`` (kabupaten not in it are chosen as for None).
        None picks k per kabupaten by the largest pseudo-F (Calinski-Harabasz) after
        small clusters are merged.
    min_villages : int, default 2
        Smallest kawasan; smaller zones are merged into their most similar neighbour.
    max_villages, max_area_ha : optional
        Largest kawasan; larger zones are split (Ward inside the zone, then cuts along a
        spanning tree). When a limit cannot be met with ``min_villages`` the zone is
        kept, flagged ``sesuai_batas=False`` and listed in ``quality["pelanggaran"]``.
    include_kelurahan : bool, default True
        Whether kelurahan may be part of a kawasan.
    snap : float, default 30.0
        Contiguity snapping distance, metres (see :func:`contiguity`).
    potential_columns : sequence of str, optional
        Score columns to use; default every ``skor_*`` column.
    random_state : int, default 0
        Seed of the perturbed runs.
    n_perturb : int, default 20
        Number of perturbed runs for the stability figure (0 to skip; NaN then).
    jitter : float, default 0.1
        Size of the perturbation: each potential's column is multiplied by
        ``1 + jitter * N(0, 1)`` and each value gets ``N(0, (jitter / 4)^2)`` added.

    Returns
    -------
    Proposal

    Raises
    ------
    ConfigError
        An option is out of range.
    CRSError
        The villages have no CRS or one not in metres.
    FieldError
        Columns missing, codes duplicated, scores missing for some villages or not finite.
    GeometryError
        Empty, invalid or non-polygonal village geometries.

    Examples
    --------
    >>> import geopandas as gpd, numpy as np, pandas as pd
    >>> from kawasan_gis.regionalize import propose_kawasan
    >>> desa = gpd.read_file("data/rtrw_lampung_timur/desa_lampung_timur.gpkg", layer="desa").to_crs(32748)
    >>> desa = desa.assign(kode_desa=desa["kode_desa_10"], kode_kec=desa["kode_kec"].str.replace(".", ""),
    ...                    kode_kab=desa["kode_kab"].str.replace(".", ""))
    >>> rng = np.random.default_rng(0)
    >>> skor = pd.DataFrame(rng.random((len(desa), 2)), index=desa["kode_desa"],
    ...                     columns=["skor_pertanian_unggulan", "skor_permukiman"])
    >>> skor["potensi_dominan"] = skor.idxmax(axis=1).str.removeprefix("skor_")
    >>> hasil = propose_kawasan(desa, skor, method="ward", n_zones=12, n_perturb=0)
    >>> len(hasil.kawasan), hasil.desa["kawasan_id"].notna().all()
    (12, np.True_)
    """
    columns = _validate(
        villages,
        scores,
        method=method,
        n_zones=n_zones,
        min_villages=min_villages,
        max_villages=max_villages,
        max_area_ha=max_area_ha,
        snap=snap,
        potential_columns=potential_columns,
        n_perturb=n_perturb,
        jitter=jitter,
    )
    limits = _Limits(int(min_villages), max_villages, None if max_area_ha is None else float(max_area_ha))
    order = np.argsort(villages["kode_desa"].astype(str).to_numpy(), kind="stable")
    v = villages.iloc[order].reset_index(drop=True)
    kode = v["kode_desa"].astype(str).to_numpy()
    s = scores.set_axis(scores.index.astype(str)).loc[kode]
    x = s[columns].to_numpy(dtype=float)
    dominant = s["potensi_dominan"].astype(str).to_numpy()
    area = shapely.area(np.asarray(v.geometry.array, dtype=object)) / 10_000
    kab = v["kode_kab"].astype(str).to_numpy()

    reason = np.full(len(v), None, dtype=object)
    excluded = np.zeros(len(v), bool)
    if not include_kelurahan:
        excluded = v["jenis"].astype(str).str.lower().to_numpy() == "kelurahan"
        reason[excluded] = "kelurahan dikecualikan (include_kelurahan=False)"
    graph = contiguity(v, snap=snap, by="kode_kab", exclude=excluded)
    units: list[_Unit] = []
    for comp in np.unique(graph.labels[graph.labels >= 0]):
        nodes = np.flatnonzero(graph.labels == comp)
        if len(nodes) < limits.min_villages:
            reason[nodes] = (
                f"kabupaten {kab[nodes[0]]} hanya memiliki {len(nodes)} desa yang dapat masuk kawasan; "
                f"kawasan perlu minimal {limits.min_villages} desa"
            )
            continue
        units.append(_Unit(nodes, graph.adjacency[nodes][:, nodes].tocsr(), kab[nodes[0]]))
    k_of = _allocate(n_zones, units, limits) if method == "ward" else {}

    labels, info = _regionalize(method, units, x, dominant, area, limits, k_of, len(v))

    def rerun(xr: np.ndarray, dr: np.ndarray) -> np.ndarray:
        # perturbed runs keep the number of Ward clusters chosen for the proposal
        return _regionalize(method, units, xr, dr, area, limits, info.k, len(v))[0]

    stability = _stability(rerun, labels, graph, x, dominant, columns, random_state, n_perturb, jitter)
    return _assemble(
        villages, v, order, s, columns, labels, stability, reason, graph, area, limits, info, method,
        params={
            "method": method,
            "n_zones": dict(n_zones) if isinstance(n_zones, Mapping) else n_zones,
            "min_villages": min_villages,
            "max_villages": max_villages,
            "max_area_ha": max_area_ha,
            "include_kelurahan": include_kelurahan,
            "snap": snap,
            "potential_columns": list(columns),
            "random_state": random_state,
            "n_perturb": n_perturb,
            "jitter": jitter,
        },
    )


# --------------------------------------------------------------------------- validation


def _listed(items: Sequence[str]) -> str:
    shown = ", ".join(map(str, items[:_LISTED]))
    return shown + (f" ... and {len(items) - _LISTED} more" if len(items) > _LISTED else "")


def _validate(
    villages: gpd.GeoDataFrame,
    scores: pd.DataFrame,
    *,
    method: str,
    n_zones: Any,
    min_villages: Any,
    max_villages: Any,
    max_area_ha: Any,
    snap: Any,
    potential_columns: Sequence[str] | None,
    n_perturb: Any,
    jitter: Any,
) -> list[str]:
    """Check everything once; return the score columns to use."""
    bad = []
    if method not in ("dominant", "ward"):
        bad.append(f"method must be 'dominant' or 'ward', not {method!r}")
    if not (isinstance(min_villages, int | np.integer) and min_villages >= 1):
        bad.append(f"min_villages must be an integer >= 1, not {min_villages!r}")
    elif max_villages is not None and not (isinstance(max_villages, int | np.integer) and max_villages >= min_villages):
        bad.append(f"max_villages must be an integer >= min_villages ({min_villages}), not {max_villages!r}")
    if max_area_ha is not None and not (isinstance(max_area_ha, int | float) and max_area_ha > 0):
        bad.append(f"max_area_ha must be a positive number of hectares, not {max_area_ha!r}")
    if n_zones is not None:
        if method != "ward":
            bad.append("n_zones applies to method='ward' only")
        values = n_zones.values() if isinstance(n_zones, Mapping) else [n_zones]
        if not all(isinstance(k, int | np.integer) and k >= 1 for k in values):
            bad.append(f"n_zones must be an integer >= 1 or a mapping kode_kab -> integer >= 1, not {n_zones!r}")
    if not (isinstance(snap, int | float) and snap >= 0):
        bad.append(f"snap must be a distance >= 0 in metres, not {snap!r}")
    if not (isinstance(n_perturb, int | np.integer) and n_perturb >= 0):
        bad.append(f"n_perturb must be an integer >= 0, not {n_perturb!r}")
    if not (isinstance(jitter, int | float) and jitter >= 0):
        bad.append(f"jitter must be a number >= 0, not {jitter!r}")
    if bad:
        raise ConfigError("Invalid options for propose_kawasan.", problems=bad)

    require_villages(villages, step="regionalize", columns=_VILLAGE_COLUMNS)
    if not isinstance(scores, pd.DataFrame):
        raise TypeError(f"scores must be a DataFrame indexed by kode_desa, not {type(scores).__name__}.")
    problems: list[str] = []
    if potential_columns is None:
        columns = [c for c in scores.columns if isinstance(c, str) and c.startswith(_SCORE_PREFIX)]
        if not columns:
            problems.append("scores has no skor_<potential> columns")
    else:
        columns = list(potential_columns)
        absent = [c for c in columns if c not in scores.columns]
        if absent:
            problems.append(f"scores lacks the potential columns {absent}")
        if not columns:
            problems.append("potential_columns is empty")
    if "potensi_dominan" not in scores.columns:
        problems.append("scores lacks the column 'potensi_dominan'")
    if scores.index.has_duplicates:
        problems.append(f"scores index has duplicated codes: {_listed(sorted(set(map(str, scores.index[scores.index.duplicated()]))))}")
    if problems:
        raise FieldError("Columns needed to propose kawasan are missing.", problems=problems)
    if villages.empty:
        raise FieldError("The villages layer is empty.")
    kode = villages["kode_desa"].astype(str)
    missing = sorted(set(kode) - set(map(str, scores.index)))
    if missing:
        raise FieldError(
            f"scores has no row for {len(missing)} village(s); index scores by kode_desa.",
            problems=[f"missing: {_listed(missing)}"],
        )
    s = scores.set_axis(scores.index.astype(str)).loc[kode.to_numpy()]
    values = s[columns].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    not_finite = kode.to_numpy()[~np.isfinite(values).all(axis=1)]
    problems = []
    if len(not_finite):
        problems.append(f"scores not finite (or not numeric) for: {_listed(sorted(not_finite))}")
    no_dom = kode.to_numpy()[s["potensi_dominan"].isna().to_numpy()]
    if len(no_dom):
        problems.append(f"potensi_dominan empty for: {_listed(sorted(no_dom))}")
    jenis = villages["jenis"].astype(str).str.lower()
    odd = sorted(set(jenis) - {"desa", "kelurahan"})
    if odd:
        problems.append(f"jenis must be 'desa' or 'kelurahan', found {odd}")
    if problems:
        raise FieldError("Scores or village attributes cannot be used.", problems=problems)
    return columns


# --------------------------------------------------------------------------- zoning


def _allocate(n_zones: int | Mapping[str, int] | None, units: list[_Unit], limits: _Limits) -> dict[str, int]:
    """Number of Ward clusters per kabupaten; empty when it is chosen by pseudo-F."""
    if n_zones is None or not units:
        return {}
    cap = {u.kab: max(1, len(u.nodes) // limits.min_villages) for u in units}
    if isinstance(n_zones, Mapping):
        unknown = sorted(set(map(str, n_zones)) - set(cap))
        if unknown:
            log.warning("n_zones names kabupaten without eligible villages: %s", ", ".join(unknown))
        want = {kab: int(k) for kab, k in n_zones.items() if kab in cap}
    else:
        sizes = np.array([len(u.nodes) for u in units], dtype=float)
        quota = int(n_zones) * sizes / sizes.sum()
        base = np.maximum(np.floor(quota).astype(int), 1)
        spare = int(n_zones) - int(base.sum())
        # largest remainder; ties to the kabupaten listed first (smallest code)
        for idx in sorted(range(len(units)), key=lambda r: (-(quota[r] - math.floor(quota[r])), r))[: max(spare, 0)]:
            base[idx] += 1
        if spare < 0:
            log.warning("n_zones=%d is below the number of kabupaten (%d): one zone each", n_zones, len(units))
        want = {u.kab: int(k) for u, k in zip(units, base, strict=True)}
    got = {kab: min(k, cap[kab]) for kab, k in want.items()}
    for kab in sorted(got):
        if got[kab] < want[kab]:
            log.warning(
                "kabupaten %s: %d zones asked, at most %d possible with min_villages=%d",
                kab, want[kab], got[kab], limits.min_villages,
            )
    return got


def _regionalize(
    method: str,
    units: list[_Unit],
    x: np.ndarray,
    dominant: np.ndarray,
    area: np.ndarray,
    limits: _Limits,
    k_of: Mapping[str, int],
    n: int,
) -> tuple[np.ndarray, _RunInfo]:
    """Zone label per village (-1 outside every kawasan), numbered by unit then smallest code."""
    labels = np.full(n, -1, dtype=np.int64)
    info = _RunInfo()
    offset = 0
    for unit in units:
        xs = x[unit.nodes]
        if method == "dominant":
            lab = _dominant_zones(unit.edges, dominant[unit.nodes])
        else:
            lab = _ward_zones(unit.adjacency, unit.edges, xs, k_of.get(unit.kab), limits, unit.kab, info)
        lab = _merge_small(lab, unit.edges, xs, limits)
        lab = _split_large(lab, unit.adjacency, xs, area[unit.nodes], limits, info, unit)
        labels[unit.nodes] = lab + offset
        offset += int(lab.max()) + 1
    return labels, info


def _canonical(lab: np.ndarray) -> np.ndarray:
    """Renumber zones 0..k-1 in order of their first (smallest-code) village."""
    _, first, inverse = np.unique(lab, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first)] = np.arange(len(first))
    return rank[inverse]


def _edges(adj: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    coo = sparse.triu(adj, k=1).tocoo()
    return coo.row.astype(np.int64), coo.col.astype(np.int64)


def _dominant_zones(edges: tuple[np.ndarray, np.ndarray], dominant: np.ndarray) -> np.ndarray:
    i, j = edges
    same = dominant[i] == dominant[j]
    return _canonical(_components(len(dominant), i[same], j[same]))


def _ward_children(x: np.ndarray, adj: sparse.csr_matrix) -> np.ndarray:
    """Merge tree of Ward clustering constrained by ``adj`` (connected), as AgglomerativeClustering builds it."""
    children, n_components, _, _ = ward_tree(x, connectivity=adj)
    if n_components != 1:  # pragma: no cover - guarded by bridging; scikit-learn would join the parts silently
        raise RuntimeError("internal error: Ward ran on a disconnected graph")
    return children


def _ward_cuts(children: np.ndarray, n: int, ks: Sequence[int]) -> dict[int, np.ndarray]:
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
        out[k] = _canonical(lab)
    return out


def _ward_zones(
    adj: sparse.csr_matrix,
    edges: tuple[np.ndarray, np.ndarray],
    x: np.ndarray,
    k: int | None,
    limits: _Limits,
    kab: str,
    info: _RunInfo,
) -> np.ndarray:
    n = len(x)
    k_max = min(n // limits.min_villages, _MAX_K, n - 1)
    if n < 2 or (k is None and k_max < 2):
        info.k[kab] = 1
        return np.zeros(n, dtype=np.int64)
    children = _ward_children(x, adj)
    if k is not None:
        info.k[kab] = k
        return _ward_cuts(children, n, [k])[k]
    curve: dict[int, float] = {}
    best: tuple[float, int, np.ndarray] | None = None
    for kk, lab in sorted(_ward_cuts(children, n, range(2, k_max + 1)).items()):
        merged = _merge_small(lab, edges, x, limits)
        if merged.max() < 1:
            continue
        ch = _pseudo_f(x, merged)
        curve[kk] = ch
        if best is None or ch > best[0]:
            best = (ch, kk, merged)
    info.curve[kab] = curve
    if best is None:
        info.k[kab] = 1
        return np.zeros(n, dtype=np.int64)
    info.k[kab] = best[1]
    return best[2]


def _zone_means(lab: np.ndarray, x: np.ndarray) -> np.ndarray:
    counts = np.bincount(lab).astype(float)
    sums = np.column_stack([np.bincount(lab, weights=col, minlength=len(counts)) for col in x.T])
    return sums / counts[:, None]


def _pseudo_f(x: np.ndarray, lab: np.ndarray) -> float:
    """Calinski-Harabasz pseudo-F, as ``sklearn.metrics.calinski_harabasz_score`` (vectorised: it runs per k)."""
    n, k = len(x), int(lab.max()) + 1
    means = _zone_means(lab, x)
    between = float((np.bincount(lab) * ((means - x.mean(axis=0)) ** 2).sum(axis=1)).sum())
    within = float(((x - means[lab]) ** 2).sum())
    return 1.0 if within == 0.0 else between * (n - k) / (within * (k - 1.0))


def _merge_small(lab: np.ndarray, edges: tuple[np.ndarray, np.ndarray], x: np.ndarray, limits: _Limits) -> np.ndarray:
    """Merge zones under ``min_villages`` into the adjacent zone with the nearest mean score vector.

    The smallest zone goes first (ties: the one holding the smallest code). Neighbours
    that would stay within ``max_villages`` are preferred to those that would not; then
    the nearest mean; then the zone holding the smallest code.
    """
    lab = _canonical(lab)
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
    return _canonical(lab)


def _split_large(
    lab: np.ndarray, adj: sparse.csr_matrix, x: np.ndarray, area: np.ndarray, limits: _Limits, info: _RunInfo, unit: _Unit
) -> np.ndarray:
    if limits.max_villages is None and limits.max_area_ha is None:
        return lab
    out = lab.copy()
    next_label = int(lab.max()) + 1
    for z in range(int(lab.max()) + 1):
        nodes = np.flatnonzero(lab == z)
        if limits.fits(len(nodes), float(area[nodes].sum())):
            continue
        parts = _split_zone(nodes, adj, x, area, limits)
        for part in parts[1:]:
            out[part] = next_label
            next_label += 1
        for part in parts:
            if not limits.fits(len(part), float(area[part].sum())):
                info.violations.append(
                    f"kabupaten {unit.kab}: a zone of {len(part)} villages and {area[part].sum():.0f} ha "
                    f"exceeds the limits and cannot be cut into connected parts of at least {limits.min_villages}"
                )
    return _canonical(out)


def _split_zone(
    nodes: np.ndarray, adj: sparse.csr_matrix, x: np.ndarray, area: np.ndarray, limits: _Limits
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
        cuts = _ward_cuts(_ward_children(xs, sub), n, range(k_min, k_max + 1))
        edges = _edges(sub)
        for k in range(k_min, k_max + 1):
            lab = _merge_small(cuts[k], edges, xs, limits)
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
    area: np.ndarray,
    limits: _Limits,
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


def _best_cut(idx: np.ndarray, tree: sparse.csr_matrix, x: np.ndarray, limits: _Limits) -> tuple[np.ndarray, np.ndarray] | None:
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


# --------------------------------------------------------------------------- stability


def _stability(
    run: Callable[[np.ndarray, np.ndarray], np.ndarray],
    labels: np.ndarray,
    graph: Contiguity,
    x: np.ndarray,
    dominant: np.ndarray,
    columns: Sequence[str],
    random_state: int,
    n_perturb: int,
    jitter: float,
) -> np.ndarray:
    """Share of perturbed runs in which each village keeps exactly the same neighbours in its kawasan.

    A village is stable in a run when every graph edge at it keeps its status (both ends
    in one kawasan, or not). Dominant potentials follow the perturbed scores only where
    the perturbation changes which score is highest. Ward keeps the k of the proposal.
    """
    inside = labels >= 0
    out = np.full(len(labels), np.nan)
    if n_perturb == 0 or not inside.any():
        return out
    e = inside[graph.i] & inside[graph.j]
    i, j = graph.i[e], graph.j[e]
    base = labels[i] == labels[j]
    codes = np.array([c.removeprefix(_SCORE_PREFIX) for c in columns], dtype=object)
    top = np.argmax(x, axis=1)
    rng = np.random.default_rng(random_state)
    stable = np.zeros(len(labels))
    for _ in range(n_perturb):
        weight = 1.0 + jitter * rng.standard_normal(x.shape[1])
        xp = x * weight + _ADDITIVE_SHARE * jitter * rng.standard_normal(x.shape)
        top_p = np.argmax(xp, axis=1)
        dp = np.where(top_p == top, dominant, codes[top_p])
        lab = run(xp, dp)
        changed = (lab[i] == lab[j]) != base
        moved = np.zeros(len(labels), bool)
        moved[i[changed]] = True
        moved[j[changed]] = True
        stable += ~moved
    out[inside] = stable[inside] / n_perturb
    return out


# --------------------------------------------------------------------------- output


def _potential_labels(codes: Sequence[str]) -> dict[str, str]:
    """Display names of potentials from ``vocab.load_potentials()``, else title-cased codes."""
    names: dict[str, str] = {}
    try:
        from kawasan_gis import vocab

        catalogue: Any = vocab.load_potentials()
    except (ImportError, AttributeError):  # vocabulary module absent from this install
        catalogue = ()
    for item in catalogue:
        code, nama = getattr(item, "code", None), getattr(item, "nama", None)
        if code and nama:
            names[str(code)] = str(nama)
    return {c: names.get(c) or c.replace("_", " ").title() for c in codes}


def _zone_potential(dom: np.ndarray, area: np.ndarray, profile: Mapping[str, float]) -> tuple[str, float]:
    """Potential holding the largest area share (ties: higher profile score, then name), and its share."""
    names, inverse = np.unique(dom, return_inverse=True)
    share = np.bincount(inverse, weights=area) / area.sum()
    best = sorted(range(len(names)), key=lambda r: (-share[r], -profile.get(names[r], -np.inf), names[r]))[0]
    return str(names[best]), float(share[best])


def _union(geoms: np.ndarray) -> tuple[Any, bool]:
    if len(geoms) > 1 and bool(shapely.coverage_is_valid(geoms)):
        return shapely.coverage_union_all(geoms), False
    return shapely.union_all(geoms), len(geoms) > 1


def _assemble(
    villages: gpd.GeoDataFrame,
    v: gpd.GeoDataFrame,
    order: np.ndarray,
    s: pd.DataFrame,
    columns: Sequence[str],
    labels: np.ndarray,
    stability: np.ndarray,
    reason: np.ndarray,
    graph: Contiguity,
    area: np.ndarray,
    limits: _Limits,
    info: _RunInfo,
    method: str,
    params: dict[str, Any],
) -> Proposal:
    n_zones = int(labels.max()) + 1 if (labels >= 0).any() else 0
    width = max(2, len(str(n_zones)))
    ids = np.array([f"K{z + 1:0{width}d}" for z in range(n_zones)], dtype=object)
    kawasan_id = np.where(labels >= 0, ids[np.maximum(labels, 0)] if n_zones else None, None)
    codes = [c.removeprefix(_SCORE_PREFIX) for c in columns]
    label_of = _potential_labels(sorted(set(codes) | set(s["potensi_dominan"].astype(str))))
    x = s[columns].to_numpy(dtype=float)
    dom = s["potensi_dominan"].astype(str).to_numpy()
    nama_desa = v["nama_desa"].astype(str).to_numpy()
    kode = v["kode_desa"].astype(str).to_numpy()
    kode_kec = v["kode_kec"].astype(str).to_numpy()
    kab = v["kode_kab"].astype(str).to_numpy()
    nama_kec = v["nama_kec"].astype(str).to_numpy() if "nama_kec" in v.columns else np.full(len(v), "")
    nama_kab = v["nama_kab"].astype(str).to_numpy() if "nama_kab" in v.columns else np.full(len(v), "")
    geoms = np.asarray(v.geometry.array, dtype=object)
    bridge_of = {(min(a, b), max(a, b)) for a, b in zip(graph.i[graph.bridge], graph.j[graph.bridge], strict=True)}

    rows = []
    fallback = []
    wss_total = 0.0
    for z in range(n_zones):
        m = np.flatnonzero(labels == z)
        w = area[m] / area[m].sum()
        profile = dict(zip(codes, (w @ x[m]).tolist(), strict=True))
        potensi, pangsa = _zone_potential(dom[m], area[m], profile)
        wss = float(((x[m] - x[m].mean(axis=0)) ** 2).sum())
        wss_total += wss
        geom, fell_back = _union(geoms[m])
        if fell_back:
            fallback.append(str(ids[z]))
        kec_order = sorted(set(zip(kode_kec[m], nama_kec[m], strict=True)))
        largest = m[np.lexsort((kode[m], -area[m]))[0]]
        in_zone = set(m.tolist())
        perimeter = shapely.length(geom)
        rows.append(
            {
                "kawasan_id": ids[z],
                "nama": f"Kawasan {label_of.get(potensi, potensi)} {nama_desa[largest]}",
                "potensi": potensi,
                "pangsa_potensi": pangsa,
                "kode_kab": kab[m[0]],
                "nama_kab": nama_kab[m[0]],
                "n_desa": len(m),
                "daftar_desa": ", ".join(nama_desa[m]),
                "daftar_kode": ", ".join(kode[m]),
                "kecamatan": ", ".join(nm or kc for kc, nm in kec_order),
                "n_kecamatan": len({kc for kc, _ in kec_order}),
                "luas_ha": float(area[m].sum()),
                **{f"profil_{c}": profile[c] for c in codes},
                "wss": wss,
                "kekompakan": float(4 * math.pi * shapely.area(geom) / perimeter**2) if perimeter > 0 else np.nan,
                "stabilitas": float(np.mean(stability[m])),
                "n_sambungan": sum(1 for a, b in bridge_of if a in in_zone and b in in_zone),
                "sesuai_batas": limits.fits(len(m), float(area[m].sum())) and len(m) >= limits.min_villages,
                "geometry": geom,
                "_kec": nama_kec[largest],
            }
        )
    kawasan = _kawasan_frame(rows, codes, v.crs)
    if fallback:
        log.info("kawasan %s: villages overlap or leave gaps, geometry built with union_all instead of coverage union",
                 ", ".join(fallback))

    inside = labels >= 0
    tss = float(((x[inside] - x[inside].mean(axis=0)) ** 2).sum()) if inside.any() else 0.0
    quality: dict[str, Any] = {
        "rasio_bss_tss": 1.0 - wss_total / tss if tss > 0 else float("nan"),
        "n_kawasan": n_zones,
        "n_desa_masuk": int(inside.sum()),
        "n_desa_tidak_masuk": int((~inside).sum()),
        "n_sambungan": len(graph.bridges),
        "pelanggaran": list(info.violations),
        "union_fallback": fallback,
    }
    if method == "ward":
        quality["k"] = dict(info.k)
        quality["kurva_ch"] = {kab: dict(c) for kab, c in info.curve.items()}
    for text in info.violations:
        log.warning(text)

    # back to the caller's row order and index
    back = np.empty(len(order), dtype=np.int64)
    back[order] = np.arange(len(order))
    extra = s.loc[kode, [c for c in s.columns if c not in villages.columns]].reset_index(drop=True)
    desa = villages.drop(columns=villages.geometry.name).copy()
    for c in extra.columns:
        desa[c] = extra[c].to_numpy()[back]
    desa["kawasan_id"] = pd.Series(kawasan_id[back], index=desa.index, dtype="str")
    desa["alasan_tidak_masuk"] = pd.Series(reason[back], index=desa.index, dtype="str")
    desa["stabilitas"] = stability[back]
    desa = gpd.GeoDataFrame(desa, geometry=villages.geometry.copy(), crs=villages.crs)

    sambungan = graph.bridges.copy()
    name_of = dict(zip(kode, nama_desa, strict=True))
    zone_of = dict(zip(kode, kawasan_id, strict=True))
    sambungan.insert(2, "from_nama", [name_of[c] for c in sambungan["from_kode"]])
    sambungan.insert(3, "to_nama", [name_of[c] for c in sambungan["to_kode"]])
    sambungan["kawasan_id"] = [
        zone_of[a] if zone_of[a] is not None and zone_of[a] == zone_of[b] else None
        for a, b in zip(sambungan["from_kode"], sambungan["to_kode"], strict=True)
    ]
    sambungan = sambungan.rename(columns={"group": "kode_kab"})
    return Proposal(desa=desa, kawasan=kawasan, sambungan=sambungan, contiguity=graph, params=params, quality=quality)


def _kawasan_frame(rows: list[dict[str, Any]], codes: Sequence[str], crs: Any) -> gpd.GeoDataFrame:
    columns = [
        "kawasan_id", "nama", "potensi", "pangsa_potensi", "kode_kab", "nama_kab", "n_desa", "daftar_desa",
        "daftar_kode", "kecamatan", "n_kecamatan", "luas_ha", *[f"profil_{c}" for c in codes], "wss",
        "kekompakan", "stabilitas", "n_sambungan", "sesuai_batas", "geometry",
    ]
    frame = pd.DataFrame(rows, columns=[*columns, "_kec"])
    # Two kawasan named after villages of the same name and potential: add the kecamatan, then the id.
    for key in ("_kec", "kawasan_id"):
        dup = frame["nama"].duplicated(keep=False)
        frame.loc[dup, "nama"] = frame.loc[dup, "nama"] + " (" + frame.loc[dup, key].astype(str) + ")"
    frame = frame.drop(columns="_kec")
    frame["n_desa"] = frame["n_desa"].astype("int64")
    frame["n_kecamatan"] = frame["n_kecamatan"].astype("int64")
    frame["n_sambungan"] = frame["n_sambungan"].astype("int64")
    frame["sesuai_batas"] = frame["sesuai_batas"].astype(bool)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=crs)
