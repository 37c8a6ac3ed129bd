"""The public step :func:`propose_kawasan`: validation, the run over kabupaten, stability, assembly.

Villages are split into *units* (one connected part of one kabupaten after bridging); the
solver zones each unit, the limits are applied, the run is repeated on perturbed scores for
the stability figure, and the output is assembled. Every result is deterministic for given
inputs, options and ``random_state``: villages are processed in ``kode_desa`` order whatever
the row order of the input. Villages without a dominant potential (data kurang, mostly
kawasan lindung) take no part: they stay out of every kawasan with their reason.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from kawasan_gis.regionalize.graph import adjacency_matrix, contiguity, edge_list
from kawasan_gis.regionalize.limits import Limits, ZoneAreas, merge_small, split_large
from kawasan_gis.regionalize.output import Proposal, assemble, with_unscored
from kawasan_gis.regionalize.solvers import Solver, Zones
from kawasan_gis.regionalize.stability import stability
from kawasan_gis.regionalize.validation import SCORE_PREFIX, validate

__all__ = ["propose_kawasan"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class _Unit:
    """One connected part of one kabupaten: the scope of every clustering step."""

    nodes: np.ndarray  # indices into the sorted villages
    adjacency: sparse.csr_matrix  # sub-graph on nodes
    kab: str

    @cached_property
    def edges(self) -> tuple[np.ndarray, np.ndarray]:
        return edge_list(self.adjacency)


@dataclass
class _RunInfo:
    k: dict[str, int] = field(default_factory=dict)
    curve: dict[str, dict[int, float]] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)


def propose_kawasan(
    villages: gpd.GeoDataFrame,
    scores: pd.DataFrame,
    *,
    method: str | Solver = "dominant",
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
        ``potensi_dominan``, as returned by ``potential.score_potentials``. A village
        whose ``potensi_dominan`` is empty (data kurang, mostly kawasan lindung) stays
        out of every kawasan, with ``alasan_potensi`` (or "no data") as the reason and
        without taking part in the contiguity graph; an empty score of a village that
        has a dominant potential (a potential not scored there) counts as 0.
    method : {"dominant", "ward"} or Solver, default "dominant"
        A name in :data:`SOLVERS` or a :class:`Solver` instance.
        ``dominant``: adjacent villages of the same dominant potential grow into zones.
        ``ward``: spatially constrained Ward clustering of the score vectors.
    n_zones : int or mapping, optional
        Solvers that take a number of zones only (``ward``). An int is the total number of clusters, shared among kabupaten in
        proportion to their villages (largest remainder, at least 1 each); a mapping
        gives the number per ``kode_kab`` (kabupaten not in it are chosen as for None).
        None picks k per kabupaten by the largest pseudo-F (Calinski-Harabasz) after
        small clusters are merged.
    min_villages : int, default 2
        Smallest kawasan; smaller zones are merged into their most similar neighbour.
    max_villages, max_area_ha : optional
        Largest kawasan; larger zones are split (Ward inside the zone, then cuts along a
        spanning tree). When a limit cannot be met with ``min_villages`` the zone is
        kept, flagged ``sesuai_batas=False`` and listed in ``quality["violations"]``.
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
    LayerError
        ``villages`` is not a GeoDataFrame.
    CRSError
        The villages have no CRS or one not in metres.
    FieldError
        Columns missing, codes duplicated, scores missing for some villages, infinite or
        not numeric, or no village with a dominant potential.
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
    >>> len(hasil.kawasan), hasil.villages["kawasan_id"].notna().all()
    (12, np.True_)
    """
    solver, columns = validate(
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
    kode_all = villages["kode_desa"].astype(str).to_numpy()
    given = scores.set_axis(scores.index.astype(str))
    scored = given.loc[kode_all, "potensi_dominan"].notna().to_numpy()
    # a potential not scored for a village (silent) does not pull the clustering either way
    filled = given.fillna({c: 0.0 for c in columns})
    options = {
        "n_zones": n_zones, "min_villages": min_villages, "max_villages": max_villages, "max_area_ha": max_area_ha,
        "include_kelurahan": include_kelurahan, "snap": snap, "random_state": random_state, "n_perturb": n_perturb,
        "jitter": jitter,
    }  # fmt: skip
    if scored.all():
        return _propose(villages, filled, solver, columns, **options)
    proposal = _propose(villages.loc[scored], filled, solver, columns, **options)
    return with_unscored(proposal, villages, given, scored)


def _propose(
    villages: gpd.GeoDataFrame,
    scores: pd.DataFrame,
    solver: Solver,
    columns: Sequence[str],
    *,
    n_zones: int | Mapping[str, int] | None,
    min_villages: int,
    max_villages: int | None,
    max_area_ha: float | None,
    include_kelurahan: bool,
    snap: float,
    random_state: int,
    n_perturb: int,
    jitter: float,
) -> Proposal:
    """:func:`propose_kawasan` on validated villages that all have a dominant potential."""
    limits = Limits(int(min_villages), max_villages, None if max_area_ha is None else float(max_area_ha))
    order = np.argsort(villages["kode_desa"].astype(str).to_numpy(), kind="stable")
    v = villages.iloc[order].reset_index(drop=True)
    kode = v["kode_desa"].astype(str).to_numpy()
    s = scores.set_axis(scores.index.astype(str)).loc[kode]
    x = s[columns].to_numpy(dtype=float)
    dominant = s["potensi_dominan"].astype(str).to_numpy()
    geoms = np.asarray(v.geometry.array, dtype=object)
    area = shapely.area(geoms) / 10_000
    kab = v["kode_kab"].astype(str).to_numpy()

    reason = np.full(len(v), None, dtype=object)
    excluded = np.zeros(len(v), bool)
    if not include_kelurahan:
        excluded = v["jenis"].astype(str).str.lower().to_numpy() == "kelurahan"
        reason[excluded] = "kelurahan dikecualikan (include_kelurahan=False)"
    graph = contiguity(v, snap=snap, by="kode_kab", exclude=excluded)
    # the size limit measures a zone as luas_ha and check_plan do: the union of its villages
    zone_areas = ZoneAreas.of_geometries(geoms, graph.i[~graph.bridge], graph.j[~graph.bridge])
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
    k_of = _allocate(n_zones, units, limits) if solver.takes_k else {}

    labels, info = _zone(solver, units, x, dominant, kode, zone_areas, limits, k_of)

    def rerun(xr: np.ndarray, dr: np.ndarray) -> np.ndarray:
        # perturbed runs keep the number of zones chosen for the proposal
        return _zone(solver, units, xr, dr, kode, zone_areas, limits, info.k)[0]

    codes = [c.removeprefix(SCORE_PREFIX) for c in columns]
    shares = stability(
        rerun, labels, graph, x, dominant, codes=codes, random_state=random_state, n_perturb=n_perturb, jitter=jitter
    )
    diagnostics = {"k": dict(info.k), "ch_curve": {k: dict(c) for k, c in info.curve.items()}} if solver.takes_k else {}
    return assemble(
        villages, v, order, s, columns, labels, shares, reason, graph, area, limits, info.violations, diagnostics,
        params={
            "method": solver.name,
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


def _allocate(n_zones: int | Mapping[str, int] | None, units: list[_Unit], limits: Limits) -> dict[str, int]:
    """Number of zones per kabupaten; empty when the solver chooses it."""
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


def _zone(
    solver: Solver,
    units: list[_Unit],
    x: np.ndarray,
    dominant: np.ndarray,
    kode: np.ndarray,
    area: ZoneAreas,
    limits: Limits,
    k_of: Mapping[str, int],
) -> tuple[np.ndarray, _RunInfo]:
    """Zone label per village (-1 outside every kawasan), numbered by unit then smallest code."""
    labels = np.full(len(x), -1, dtype=np.int64)
    info = _RunInfo()
    offset = 0
    for unit in units:
        xs = x[unit.nodes]
        zones = solver.solve(
            xs, unit.adjacency, dominant=dominant[unit.nodes], codes=kode[unit.nodes], limits=limits, k=k_of.get(unit.kab)
        )
        _check_zones(zones, unit, solver)
        if zones.k is not None:
            info.k[unit.kab] = zones.k
        if zones.curve is not None:
            info.curve[unit.kab] = dict(zones.curve)
        lab = merge_small(zones.labels, unit.edges, xs, limits)
        lab, misfits = split_large(lab, unit.adjacency, xs, area[unit.nodes], limits)
        info.violations += [
            f"kabupaten {unit.kab}: a zone of {size} villages and {ha:.0f} ha exceeds the limits "
            f"and cannot be cut into connected parts of at least {limits.min_villages}, alone or with a neighbouring zone"
            for size, ha in misfits
        ]
        labels[unit.nodes] = lab + offset
        offset += int(lab.max()) + 1
    return labels, info


def _check_zones(zones: Zones, unit: _Unit, solver: Solver) -> None:
    """A solver's labels: one non-negative integer per village, each zone connected."""
    lab = np.asarray(zones.labels)
    if lab.shape != (len(unit.nodes),) or not np.issubdtype(lab.dtype, np.integer) or (lab < 0).any():
        raise TypeError(f"{solver!r}.solve must return one zone number >= 0 per village, got {lab.dtype} {lab.shape}.")
    i, j = unit.edges
    same = lab[i] == lab[j]
    if connected_components(adjacency_matrix(len(lab), i[same], j[same]), directed=False)[0] != len(np.unique(lab)):
        raise ValueError(f"{solver!r}.solve returned a zone that is not connected in kabupaten {unit.kab}.")
