"""Tests of kawasan_gis.regionalize: contiguity graph, bridges, dominant and Ward proposals.

Grids are 1 km squares (100 ha) from conftest.grid_villages: Desa k sits at column
(k-1) % n, row (k-1) // n, counted from the south-west; codes 1807012001 ... 1807022016.
"""

from __future__ import annotations

import itertools
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import connected_components
from shapely.geometry import box
from sklearn.cluster import AgglomerativeClustering
from sklearn.metrics import calinski_harabasz_score

from conftest import UTM48S, X0, Y0, grid_villages, hypothesis_profile
from kawasan_gis.errors import ConfigError, CRSError, FieldError, GeometryError
from kawasan_gis.regionalize import (
    SOLVERS,
    Contiguity,
    DominantSolver,
    Limits,
    Proposal,
    Solver,
    WardSolver,
    Zones,
    contiguity,
    propose_kawasan,
)
from kawasan_gis.regionalize.graph import edge_list
from kawasan_gis.regionalize.ward import pseudo_f, ward_children, ward_cuts

LEFT = "pertanian_unggulan"
RIGHT = "permukiman"
POTENTIALS = [LEFT, RIGHT, "peternakan"]


def scores_for(villages: gpd.GeoDataFrame, dominant: list[str], values: np.ndarray | None = None) -> pd.DataFrame:
    """Score table: 0.9 for the dominant potential and 0.1 elsewhere, unless values are given."""
    if values is None:
        values = np.array([[0.9 if d == p else 0.1 for p in POTENTIALS] for d in dominant])
    s = pd.DataFrame(values, index=villages["kode_desa"].to_numpy(), columns=[f"skor_{p}" for p in POTENTIALS])
    s["potensi_dominan"] = dominant
    return s


def halves(n: int = 4) -> list[str]:
    """Left half of the columns pertanian_unggulan, right half permukiman."""
    return [LEFT if k % n < n // 2 else RIGHT for k in range(n * n)]


def names(proposal: Proposal, kawasan_id: str) -> set[str]:
    return set(proposal.villages.loc[proposal.villages["kawasan_id"] == kawasan_id, "nama_desa"])


def desa(*ks: int) -> set[str]:
    return {f"Desa {k}" for k in ks}


def with_extra(villages: gpd.GeoDataFrame, **row: object) -> gpd.GeoDataFrame:
    base = villages.iloc[0].to_dict() | {"luas_ha": row["geometry"].area / 10_000} | row  # type: ignore[union-attr]
    extra = gpd.GeoDataFrame([base], geometry="geometry", crs=villages.crs)
    return gpd.GeoDataFrame(pd.concat([villages, extra], ignore_index=True), crs=villages.crs)


def second_kabupaten(n: int = 4, *, kab: str = "1808", dx: float = 4000.0) -> gpd.GeoDataFrame:
    """A grid of another kabupaten sharing the eastern border of the default grid."""
    other = grid_villages(n, kab=kab)
    other["geometry"] = other.geometry.translate(dx, 0)
    other["nama_desa"] = [f"Desa B{k + 1}" for k in range(n * n)]
    return other


def assert_connected(proposal: Proposal) -> None:
    graph = proposal.contiguity
    pos = {k: i for i, k in enumerate(graph.kode_desa)}
    for kid, members in proposal.villages.dropna(subset=["kawasan_id"]).groupby("kawasan_id")["kode_desa"]:
        idx = [pos[k] for k in members]
        n_parts = connected_components(graph.adjacency[idx][:, idx], directed=False)[0]
        assert n_parts == 1, f"{kid} is not connected"


# --------------------------------------------------------------------------- contiguity


def test_grid_contiguity_is_queen_with_shared_border_lengths(grid):
    graph = contiguity(grid)
    assert isinstance(graph, Contiguity)
    # 4x4 king graph: 24 rook + 18 diagonal edges
    assert len(graph.i) == 42 and (graph.i < graph.j).all()
    assert graph.adjacency.shape == (16, 16) and (graph.adjacency != graph.adjacency.T).nnz == 0
    assert graph.labels.tolist() == [0] * 16 and len(graph.bridges) == 0 and graph.isolated == ()
    rook = (graph.j - graph.i == 1) | (graph.j - graph.i == 4)
    diagonal = ~rook
    np.testing.assert_allclose(graph.shared_m[rook], 1000.0)
    np.testing.assert_allclose(graph.shared_m[diagonal], 0.0, atol=1e-6)
    frame = graph.to_frame()
    assert list(frame.columns) == ["from_kode", "to_kode", "jenis", "shared_m"]
    assert (frame["jenis"] == "batas").all()


def test_small_gap_is_adjacent_within_snap_and_bridged_below(grid):
    gap = grid.copy()
    # move the eastern column 10 m further east: a 10 m gap along x = X0 + 3000
    east = (np.arange(16) % 4) == 3
    gap.loc[east, "geometry"] = gap.loc[east, "geometry"].translate(10, 0)
    snapped = contiguity(gap, snap=30)
    assert len(snapped.i) == 42 and len(snapped.bridges) == 0
    # the buffer reaches 2 * 10 m less past the ends of the border: 1000 - 2 * 10 m
    across = (snapped.j - snapped.i == 1) & east[snapped.j]
    np.testing.assert_allclose(snapped.shared_m[across], 980.0)
    strict = contiguity(gap, snap=5)
    assert len(strict.bridges) == 1
    bridge = strict.bridges.iloc[0]
    # the eastern column (4 villages) is the smaller part; ties go to the smallest codes
    assert (bridge["from_kode"], bridge["to_kode"]) == ("1807012004", "1807012003")
    assert bridge["distance_m"] == pytest.approx(10.0)
    assert bridge["reason"] == "pulau"
    assert strict.labels.tolist() == [0] * 16
    # the tie between the four equally near pairs does not depend on the row order
    shuffled = contiguity(gap.iloc[::-1], snap=5).bridges
    assert (shuffled.iloc[0]["from_kode"], shuffled.iloc[0]["to_kode"]) == ("1807012004", "1807012003")


def test_no_edge_crosses_a_kabupaten_boundary(grid):
    both = gpd.GeoDataFrame(pd.concat([grid, second_kabupaten()], ignore_index=True), crs=grid.crs)
    graph = contiguity(both)
    kab = both["kode_kab"].to_numpy()
    assert (kab[graph.i] == kab[graph.j]).all()
    assert len(graph.i) == 84 and len(graph.bridges) == 0
    assert sorted(set(graph.labels[:16])) == [0] and sorted(set(graph.labels[16:])) == [1]
    # without the group constraint the two grids touch along x = X0 + 4000
    assert len(contiguity(both, by=None).i) == 84 + 4 + 3 + 3


def test_island_is_bridged_to_nearest_village_of_its_kabupaten(grid):
    island = box(X0 + 9000, Y0 + 1250, X0 + 9500, Y0 + 1750)  # 5 km east of Desa 8
    layer = with_extra(grid, kode_desa="1807022099", nama_desa="Pulau Kecil", geometry=island)
    graph = contiguity(layer)
    assert len(graph.bridges) == 1
    bridge = graph.bridges.iloc[0]
    assert (bridge["from_kode"], bridge["to_kode"], bridge["reason"]) == ("1807022099", "1807012008", "pulau")
    assert bridge["distance_m"] == pytest.approx(5000.0)
    assert bridge.geometry.length == pytest.approx(5000.0)
    assert graph.bridge.sum() == 1 and graph.labels.tolist() == [0] * 17
    assert graph.to_frame().query("jenis == 'sambungan'")["shared_m"].tolist() == [0.0]


def test_island_of_another_kabupaten_is_not_bridged_across(grid):
    island = box(X0 + 9000, Y0 + 1250, X0 + 9500, Y0 + 1750)
    layer = with_extra(grid, kode_desa="1808012001", kode_kab="1808", nama_desa="Pulau Lain", geometry=island)
    graph = contiguity(layer)
    assert len(graph.bridges) == 0 and graph.isolated == ("1808012001",)
    assert graph.labels[-1] != graph.labels[0]


def test_contiguity_checks_its_inputs(grid):
    with pytest.raises(CRSError, match="metres"):
        contiguity(grid.to_crs(4326))
    with pytest.raises(FieldError, match="kode_kab"):
        contiguity(grid.drop(columns="kode_kab"))
    with pytest.raises(ConfigError, match="snap"):
        contiguity(grid, snap=-1)
    empty = grid.copy()
    empty.loc[3, "geometry"] = shapely.Polygon()
    with pytest.raises(GeometryError, match="missing or empty geometry: 1807012004"):
        contiguity(empty)


# --------------------------------------------------------------------------- planted zones


def test_dominant_grows_exact_planted_zones(grid):
    proposal = propose_kawasan(grid, scores_for(grid, halves()))
    k = proposal.kawasan
    assert k["kawasan_id"].tolist() == ["K01", "K02"]
    assert names(proposal, "K01") == desa(1, 2, 5, 6, 9, 10, 13, 14)
    assert names(proposal, "K02") == desa(3, 4, 7, 8, 11, 12, 15, 16)
    assert k["potensi"].tolist() == [LEFT, RIGHT]
    assert k["nama"].tolist() == ["Kawasan Pertanian Unggulan Desa 1", "Kawasan Permukiman Desa 3"]
    assert k["pangsa_potensi"].tolist() == [1.0, 1.0]
    assert k["n_desa"].tolist() == [8, 8] and k["luas_ha"].tolist() == [800.0, 800.0]
    assert k["kecamatan"].tolist() == ["Kecamatan 1, Kecamatan 2"] * 2 and k["n_kecamatan"].tolist() == [2, 2]
    assert k["daftar_desa"].iloc[0] == "Desa 1, Desa 2, Desa 5, Desa 6, Desa 9, Desa 10, Desa 13, Desa 14"
    assert k["profil_pertanian_unggulan"].tolist() == pytest.approx([0.9, 0.1])
    # a 2 x 4 km block: isoperimetric quotient 4 pi A / P^2
    assert k["kekompakan"].tolist() == pytest.approx([4 * math.pi * 8e6 / 12_000**2] * 2)
    assert k.geometry.area.tolist() == pytest.approx([8e6, 8e6])
    assert (k.geom_type == "Polygon").all()
    assert proposal.bss_tss_ratio == pytest.approx(1.0)
    assert k["stabilitas"].tolist() == [1.0, 1.0] and (proposal.villages["stabilitas"] == 1.0).all()
    assert proposal.quality["n_kawasan"] == 2 and proposal.quality["union_fallback"] == []


def test_ward_with_two_zones_finds_the_planted_halves(grid):
    proposal = propose_kawasan(grid, scores_for(grid, halves()), method="ward", n_zones=2)
    assert names(proposal, "K01") == desa(1, 2, 5, 6, 9, 10, 13, 14)
    assert names(proposal, "K02") == desa(3, 4, 7, 8, 11, 12, 15, 16)
    assert proposal.quality["k"] == {"1807": 2}


def test_ward_picks_k_by_pseudo_f(grid):
    rng = np.random.default_rng(1)
    values = scores_for(grid, halves())[[f"skor_{p}" for p in POTENTIALS]].to_numpy(copy=True) + rng.normal(0, 0.01, (16, 3))
    proposal = propose_kawasan(grid, scores_for(grid, halves(), values), method="ward")
    curve = proposal.quality["ch_curve"]["1807"]
    assert max(curve, key=curve.get) == 2 and proposal.quality["k"] == {"1807": 2}
    assert sorted(curve) == list(range(2, 9))
    assert names(proposal, "K01") == desa(1, 2, 5, 6, 9, 10, 13, 14)


def test_lone_village_is_absorbed_by_its_most_similar_neighbour_zone(grid):
    dominant = halves()
    dominant[6] = "peternakan"  # Desa 7 sits in the right half, next to Desa 6 on the left
    values = scores_for(grid, dominant)[[f"skor_{p}" for p in POTENTIALS]].to_numpy(copy=True)
    values[6] = [0.7, 0.2, 0.8]  # much closer to the left zone's mean than to the right one's
    proposal = propose_kawasan(grid, scores_for(grid, dominant, values))
    assert names(proposal, "K01") == desa(1, 2, 5, 6, 7, 9, 10, 13, 14)
    assert names(proposal, "K02") == desa(3, 4, 8, 11, 12, 15, 16)
    k = proposal.kawasan.set_index("kawasan_id")
    assert k.loc["K01", "potensi"] == LEFT and k.loc["K01", "pangsa_potensi"] == pytest.approx(8 / 9)


@pytest.mark.parametrize("limit", [{"max_villages": 4}, {"max_area_ha": 400.0}])
def test_zones_above_the_limit_are_split(grid, limit):
    values = scores_for(grid, halves())[[f"skor_{p}" for p in POTENTIALS]].to_numpy(copy=True)
    values[8:, :2] += np.array([-0.1, 0.1])  # rows 2-3 a little different: the split runs between rows
    proposal = propose_kawasan(grid, scores_for(grid, halves(), values), **limit)
    assert proposal.kawasan["n_desa"].tolist() == [4, 4, 4, 4]
    assert [names(proposal, f"K0{z}") for z in range(1, 5)] == [
        desa(1, 2, 5, 6), desa(3, 4, 7, 8), desa(9, 10, 13, 14), desa(11, 12, 15, 16)
    ]
    assert proposal.kawasan["sesuai_batas"].all() and proposal.quality["violations"] == []


def test_limit_that_cannot_be_met_is_flagged(grid):
    sub = grid[grid["nama_desa"].isin(["Desa 1", "Desa 2", "Desa 3"])]
    proposal = propose_kawasan(sub, scores_for(sub, [LEFT] * 3), max_area_ha=150.0)
    assert proposal.kawasan["n_desa"].tolist() == [3] and not proposal.kawasan["sesuai_batas"].iloc[0]
    assert "exceeds the limits" in proposal.quality["violations"][0]


def test_two_kabupaten_never_share_a_kawasan(grid):
    both = gpd.GeoDataFrame(pd.concat([grid, second_kabupaten()], ignore_index=True), crs=grid.crs)
    s = scores_for(both, [LEFT] * 32)
    for kwargs in ({"method": "dominant"}, {"method": "ward", "n_zones": 2}, {"method": "ward"}):
        proposal = propose_kawasan(both, s, **kwargs)
        assert proposal.villages.groupby("kawasan_id")["kode_kab"].nunique().max() == 1
        assert set(proposal.kawasan["kode_kab"]) == {"1807", "1808"}
    dominant = propose_kawasan(both, s)
    assert dominant.kawasan["n_desa"].tolist() == [16, 16]


def test_n_zones_is_shared_among_kabupaten_or_given_per_kabupaten(grid):
    both = gpd.GeoDataFrame(pd.concat([grid, second_kabupaten()], ignore_index=True), crs=grid.crs)
    s = scores_for(both, halves() * 2)
    assert propose_kawasan(both, s, method="ward", n_zones=4).quality["k"] == {"1807": 2, "1808": 2}
    per = propose_kawasan(both, s, method="ward", n_zones={"1807": 2, "1808": 1})
    assert per.kawasan.groupby("kode_kab").size().to_dict() == {"1807": 2, "1808": 1}


def test_island_village_joins_a_kawasan_through_a_listed_bridge(grid):
    island = box(X0 + 9000, Y0 + 1250, X0 + 9500, Y0 + 1750)
    layer = with_extra(grid, kode_desa="1807022099", nama_desa="Pulau Kecil", geometry=island)
    proposal = propose_kawasan(layer, scores_for(layer, halves() + [RIGHT]))
    bridges = proposal.bridges
    assert len(bridges) == 1
    row = bridges.iloc[0]
    assert (row["from_nama"], row["to_nama"], row["reason"], row["kode_kab"]) == ("Pulau Kecil", "Desa 8", "pulau", "1807")
    assert row["distance_m"] == pytest.approx(5000.0) and row["kawasan_id"] == "K02"
    assert "Pulau Kecil" in names(proposal, "K02")
    k = proposal.kawasan.set_index("kawasan_id")
    assert k.loc["K02", "n_sambungan"] == 1 and k.loc["K01", "n_sambungan"] == 0
    assert k.loc["K02", "geometry"].geom_type == "MultiPolygon"
    assert k.loc["K02", "luas_ha"] == pytest.approx(825.0)
    assert_connected(proposal)


def test_kelurahan_excluded_on_request_and_bridged_around(grid):
    layer = grid.copy()
    layer.loc[(np.arange(16) % 4) == 1, "jenis"] = "kelurahan"  # column 1 cuts column 0 off
    s = scores_for(layer, [LEFT] * 16)
    included = propose_kawasan(layer, s)
    assert included.villages["kawasan_id"].notna().all() and len(included.bridges) == 0
    excluded = propose_kawasan(layer, s, include_kelurahan=False)
    left_out = excluded.villages["jenis"] == "kelurahan"
    assert excluded.villages.loc[left_out, "kawasan_id"].isna().all()
    assert excluded.villages.loc[left_out, "alasan_tidak_masuk"].str.contains("kelurahan").all()
    assert excluded.villages.loc[~left_out, "kawasan_id"].notna().all()
    assert excluded.villages.loc[~left_out, "alasan_tidak_masuk"].isna().all()
    assert len(excluded.bridges) == 1
    row = excluded.bridges.iloc[0]
    assert row["reason"] == "terhalang" and row["distance_m"] == pytest.approx(1000.0)
    assert excluded.params["include_kelurahan"] is False
    assert_connected(excluded)


def test_lone_village_of_a_kabupaten_is_reported(grid):
    lone = second_kabupaten(1, kab="1808")
    layer = gpd.GeoDataFrame(pd.concat([grid, lone], ignore_index=True), crs=grid.crs)
    proposal = propose_kawasan(layer, scores_for(layer, [LEFT] * 17))
    row = proposal.villages.iloc[-1]
    assert pd.isna(row["kawasan_id"]) and "minimal 2 desa" in row["alasan_tidak_masuk"]
    assert np.isnan(row["stabilitas"])
    assert proposal.contiguity.isolated == ("1808012001",)
    assert proposal.quality["n_villages_out"] == 1


# --------------------------------------------------------------------------- solvers


class ColumnSolver(Solver):
    """A method outside the package: one zone per grid column, read from the village codes."""

    name = "column"

    def solve(self, x, adjacency, *, dominant, codes, limits, k=None):
        column = np.array([(int(c[-3:]) - 1) % 4 for c in codes])
        return Zones(np.unique(column, return_inverse=True)[1].astype(np.int64))


class AlternateColumnsSolver(Solver):
    """A faulty method: columns 0 and 2 in one zone, 1 and 3 in the other (not connected)."""

    name = "alternate_columns"

    def solve(self, x, adjacency, *, dominant, codes, limits, k=None):
        return Zones(np.array([(int(c[-3:]) - 1) % 2 for c in codes], dtype=np.int64))


def test_methods_are_solver_classes_by_name():
    assert dict(SOLVERS) == {"dominant": DominantSolver, "ward": WardSolver}
    assert not DominantSolver.takes_k and WardSolver.takes_k
    with pytest.raises(TypeError):
        SOLVERS["column"] = ColumnSolver  # type: ignore[index]


def test_method_name_and_solver_instance_give_the_same_proposal(grid):
    s = scores_for(grid, halves())
    for name, solver in (("dominant", DominantSolver()), ("ward", WardSolver())):
        by_name = propose_kawasan(grid, s, method=name, max_villages=4)
        by_instance = propose_kawasan(grid, s, method=solver, max_villages=4)
        assert_geodataframe_equal(by_name.kawasan, by_instance.kawasan)
        assert_geodataframe_equal(by_name.villages, by_instance.villages)
        assert by_name.quality == by_instance.quality and by_instance.params["method"] == name


def test_a_new_method_is_a_new_solver_class(grid):
    # all villages share one dominant potential: the dominant method would make one zone
    proposal = propose_kawasan(grid, scores_for(grid, [LEFT] * 16), method=ColumnSolver())
    assert [names(proposal, f"K0{z}") for z in range(1, 5)] == [desa(c, c + 4, c + 8, c + 12) for c in range(1, 5)]
    assert proposal.params["method"] == "column" and "k" not in proposal.quality
    # the limits apply to every method: columns of 4 cut into pairs
    paired = propose_kawasan(grid, scores_for(grid, [LEFT] * 16), method=ColumnSolver(), max_villages=2)
    assert paired.kawasan["n_desa"].tolist() == [2] * 8 and paired.kawasan["sesuai_batas"].all()
    with pytest.raises(ConfigError, match="n_zones applies to method='ward' only"):
        propose_kawasan(grid, scores_for(grid, [LEFT] * 16), method=ColumnSolver(), n_zones=2)


def test_a_solver_returning_disconnected_zones_is_refused(grid):
    with pytest.raises(ValueError, match="AlternateColumnsSolver.*not connected.*1807"):
        propose_kawasan(grid, scores_for(grid, halves()), method=AlternateColumnsSolver())


def test_limits_say_what_fits():
    limits = Limits(3, 6, 550.0)
    assert limits.fits(6, 550.0) and not limits.fits(7, 100.0) and not limits.fits(4, 550.5)
    # 7 villages: 2 parts (at most 6) of at least 3 each; 5 with at most 4: 2 parts, not both >= 3
    assert limits.splittable(7) and limits.splittable(13)
    assert not Limits(3, 4, None).splittable(5) and Limits(3, 4, None).splittable(6)


# --------------------------------------------------------------------------- output contract


def test_output_follows_input_rows_and_does_not_depend_on_their_order(grid):
    rng = np.random.default_rng(3)
    s = scores_for(grid, list(rng.choice(POTENTIALS, 16)), rng.random((16, 3)))
    shuffled = grid.sample(frac=1.0, random_state=5)
    a = propose_kawasan(grid, s, method="ward", n_perturb=5)
    b = propose_kawasan(shuffled, s, method="ward", n_perturb=5)
    assert b.villages.index.equals(shuffled.index)
    assert_geodataframe_equal(a.kawasan, b.kawasan, check_less_precise=False)
    assert_geodataframe_equal(a.villages.loc[shuffled.index], b.villages)


def test_output_columns_and_types(grid):
    proposal = propose_kawasan(grid, scores_for(grid, halves()).assign(margin=0.8))
    k = proposal.kawasan
    assert list(k.columns) == [
        "kawasan_id", "nama", "potensi", "pangsa_potensi", "kode_kab", "nama_kab", "n_desa", "daftar_desa",
        "daftar_kode", "kecamatan", "n_kecamatan", "luas_ha", "profil_pertanian_unggulan", "profil_permukiman",
        "profil_peternakan", "wss", "kekompakan", "stabilitas", "n_sambungan", "sesuai_batas", "geometry",
    ]
    assert k.crs == grid.crs and k.index.tolist() == [0, 1]
    assert k["n_desa"].dtype == np.int64 and k["sesuai_batas"].dtype == bool
    d = proposal.villages
    assert list(d.columns[: len(grid.columns) - 1]) == list(grid.columns.drop("geometry"))
    assert {"skor_permukiman", "potensi_dominan", "margin", "kawasan_id", "alasan_tidak_masuk", "stabilitas"} <= set(d.columns)
    assert d.geometry.name == "geometry" and d.crs == grid.crs
    assert list(proposal.bridges.columns) == [
        "from_kode", "to_kode", "from_nama", "to_nama", "distance_m", "reason", "kode_kab", "geometry", "kawasan_id"
    ]
    assert proposal.graph.shape == (42, 4)
    assert proposal.params["method"] == "dominant" and proposal.params["snap"] == 30.0


def test_stability_falls_where_scores_are_ambiguous(grid):
    rng = np.random.default_rng(7)
    s = scores_for(grid, list(rng.choice(POTENTIALS, 16)), 0.5 + rng.normal(0, 0.02, (16, 3)))
    s["potensi_dominan"] = s.iloc[:, :3].idxmax(axis=1).str.removeprefix("skor_")
    proposal = propose_kawasan(grid, s, n_perturb=30)
    stab = proposal.villages["stabilitas"]
    assert stab.between(0, 1).all() and stab.min() < 1.0
    assert stab.mul(30).round(9).eq(stab.mul(30).round()).all()  # shares of 30 runs
    assert propose_kawasan(grid, s, n_perturb=0).villages["stabilitas"].isna().all()


def test_ward_cut_matches_agglomerative_clustering_and_pseudo_f_matches_sklearn():
    rng = np.random.default_rng(11)
    villages = grid_villages(6)
    x = rng.random((36, 3))
    adj = contiguity(villages).adjacency
    cuts = ward_cuts(ward_children(x, adj), 36, range(2, 10))
    for k, lab in cuts.items():
        ref = AgglomerativeClustering(n_clusters=k, linkage="ward", connectivity=adj).fit_predict(x)
        assert pd.crosstab(lab, ref).gt(0).sum(axis=1).eq(1).all() and len(set(lab)) == k
        assert pseudo_f(x, lab) == pytest.approx(calinski_harabasz_score(x, lab), rel=1e-12)
    assert len(edge_list(adj)[0]) == 110


# --------------------------------------------------------------------------- errors


def test_villages_without_a_potential_stay_out_with_their_reason(grid):
    """Data-kurang and mostly-lindung villages (no dominant potential) take no part and say why."""
    s = scores_for(grid, halves())
    s["alasan_potensi"] = ""
    out = [grid.kode_desa[3], grid.kode_desa[7], grid.kode_desa[11]]  # Desa 4, 8, 12: east column, rows 1-3
    s.loc[out, "potensi_dominan"] = None
    s.loc[out, "skor_permukiman"] = np.nan
    s.loc[out[:2], "alasan_potensi"] = ["sebagian besar kawasan lindung (72 %) / mostly protected land (72 %)", "data kurang"]
    # a potential not scored in a scored village (NaN) weighs as 0 in the clustering
    s.loc[grid.kode_desa[0], "skor_peternakan"] = np.nan
    shuffled = grid.iloc[::-1]
    proposal = propose_kawasan(shuffled, s, n_perturb=3)
    d = proposal.villages
    assert d.index.equals(shuffled.index) and d.kode_desa.tolist() == shuffled.kode_desa.tolist()
    left = d.set_index("kode_desa").loc[out]
    assert left.kawasan_id.isna().all() and left.skor_permukiman.isna().all()
    assert left.alasan_tidak_masuk.tolist() == [
        "sebagian besar kawasan lindung (72 %) / mostly protected land (72 %)",
        "data kurang",
        "tidak ada data untuk menilai potensi / no data to score any potential",
    ]
    # the rest is the proposal made without those villages at all, the NaN read as 0
    kept = ~grid.kode_desa.isin(out)
    alone = propose_kawasan(grid[kept], s.loc[grid.kode_desa[kept]].fillna({"skor_peternakan": 0.0}), n_perturb=3)
    pd.testing.assert_frame_equal(
        proposal.kawasan.drop(columns="geometry"), alone.kawasan.drop(columns="geometry"), check_like=False
    )
    inside = d.set_index("kode_desa").loc[grid.kode_desa[kept], ["kawasan_id", "stabilitas"]]
    pd.testing.assert_frame_equal(inside, alone.villages.set_index("kode_desa")[["kawasan_id", "stabilitas"]], check_dtype=False)
    assert names(proposal, "K02") == desa(3, 7, 11, 15, 16)


def test_errors_at_the_door(grid):
    s = scores_for(grid, halves())
    with pytest.raises(CRSError, match="metres"):
        propose_kawasan(grid.to_crs(4326), s)
    with pytest.raises(CRSError, match="no CRS"):
        propose_kawasan(grid.set_crs(None, allow_override=True), s)
    with pytest.raises(FieldError, match="kode_kec"):
        propose_kawasan(grid.drop(columns="kode_kec"), s)
    with pytest.raises(FieldError, match="1807022016"):
        propose_kawasan(grid, s.iloc[:-1])
    with pytest.raises(FieldError, match="potensi_dominan"):
        propose_kawasan(grid, s.drop(columns="potensi_dominan"))
    with pytest.raises(FieldError, match="skor_"):
        propose_kawasan(grid, s[["potensi_dominan"]])
    with pytest.raises(FieldError, match="infinite or not numeric for: 1807012001"):
        propose_kawasan(grid, s.assign(skor_permukiman=[np.inf] + [0.5] * 15))
    with pytest.raises(FieldError, match="no village has a development potential"):
        propose_kawasan(grid, s.assign(potensi_dominan=None))
    with pytest.raises(FieldError, match="duplicate kode_desa.*: 1807012001"):
        propose_kawasan(grid.assign(kode_desa=["1807012001"] * 16), s)
    with pytest.raises(ConfigError) as err:
        propose_kawasan(grid, s, method="skater", min_villages=0, jitter=-1)
    assert len(err.value.problems) == 3
    with pytest.raises(ConfigError, match="max_villages"):
        propose_kawasan(grid, s, min_villages=3, max_villages=2)
    with pytest.raises(ConfigError, match="n_zones applies"):
        propose_kawasan(grid, s, n_zones=3)
    bowtie = shapely.Polygon([(X0, Y0), (X0 + 1000, Y0 + 1000), (X0 + 1000, Y0), (X0, Y0 + 1000)])
    broken = grid.copy()
    broken.loc[0, "geometry"] = bowtie
    with pytest.raises(GeometryError, match="invalid.*1807012001"):
        propose_kawasan(broken, s)


# --------------------------------------------------------------------------- properties


def grid_case(
    n: int, split: int, kelurahan: list[bool], dominant: list[str], values: np.ndarray, options: dict
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, dict]:
    """An n x n grid whose columns >= split belong to a second kabupaten (1808), with its scores."""
    layer = grid_villages(n)
    col = np.arange(n * n) % n
    layer.loc[col >= split, "kode_kab"] = "1808"
    layer["kode_desa"] = [f"{kab}{code[4:]}" for kab, code in zip(layer["kode_kab"], layer["kode_desa"], strict=True)]
    layer.loc[kelurahan, "jenis"] = "kelurahan"
    return layer, scores_for(layer, dominant, values), options


@st.composite
def random_layers(draw: st.DrawFn) -> tuple[gpd.GeoDataFrame, pd.DataFrame, dict]:
    n = draw(st.integers(2, 6))
    split = draw(st.integers(0, n))
    kelurahan = draw(st.lists(st.booleans(), min_size=n * n, max_size=n * n))
    dominant = draw(st.lists(st.sampled_from(POTENTIALS), min_size=n * n, max_size=n * n))
    values = np.array(draw(st.lists(st.floats(0, 1), min_size=3 * n * n, max_size=3 * n * n))).reshape(-1, 3)
    min_v = draw(st.integers(1, 3))
    options = {
        "method": draw(st.sampled_from(["dominant", "ward"])),
        "min_villages": min_v,
        "max_villages": draw(st.one_of(st.none(), st.integers(2 * min_v, 8))),
        "include_kelurahan": draw(st.booleans()),
        "n_perturb": 2,
    }
    if options["method"] == "ward":
        options["n_zones"] = draw(st.one_of(st.none(), st.integers(1, 6)))
    return grid_case(n, split, kelurahan, dominant, values, options)


def spider_values() -> np.ndarray:
    """Scores of issue 14's case: Ward puts Desa 11 and its legs 6-2, 12-8, 14-13 in one zone of 7."""
    values = np.zeros((16, 3))
    values[[1, 5, 11, 12, 13], 1] = 1.0  # Desa 2, 6, 12, 13, 14
    values[[7, 10], 2] = 1.0  # Desa 8, 11
    return values


# Issue 14, found by searching random_layers for a violation on the 4 x 4 grid (ward, 3-6 villages):
# Ward's zone of 7 is a spider that no cut splits into connected 3 + 4. Before the regrouping of
# such zones with a neighbour, 1 run in 18 of this test failed on a case like it.
ISSUE_14 = grid_case(
    4, 0, [False] * 16, [LEFT] * 16, spider_values(),
    {"method": "ward", "min_villages": 3, "max_villages": 6, "include_kelurahan": True, "n_perturb": 2, "n_zones": None},
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_layers())
@example(ISSUE_14)
def test_every_kawasan_is_connected_in_one_kabupaten_and_within_limits(case):
    layer, s, options = case
    proposal = propose_kawasan(layer, s, **options)
    d = proposal.villages
    assert_connected(proposal)
    inside = d.dropna(subset=["kawasan_id"])
    assert (inside.groupby("kawasan_id")["kode_kab"].nunique() == 1).all()
    sizes = inside.groupby("kawasan_id").size()
    assert (sizes >= options["min_villages"]).all()
    over = proposal.kawasan.set_index("kawasan_id")["sesuai_batas"].eq(False)
    if options["max_villages"] is not None:
        assert (sizes[~over] <= options["max_villages"]).all()
        assert len(proposal.quality["violations"]) == over.sum()
    # Each kabupaten is a rectangle of the grid (a king graph): the limits can always be met.
    # Excluded kelurahan can leave a star of bridged villages, where they cannot; then flagged.
    if options["include_kelurahan"] or d["jenis"].eq("desa").all():
        assert not over.any(), proposal.quality["violations"]
    # every village that could be in a kawasan is in exactly one; the others say why
    eligible = d["jenis"].eq("desa") | options["include_kelurahan"]
    counts = d[eligible].groupby("kode_kab").size()
    big = d["kode_kab"].map(counts).fillna(0) >= options["min_villages"]
    assert d.loc[eligible & big, "kawasan_id"].notna().all()
    assert d.loc[~(eligible & big), "alasan_tidak_masuk"].notna().all()
    assert d["kawasan_id"].isna().eq(d["alasan_tidak_masuk"].notna()).all()
    assert proposal.kawasan["n_desa"].sum() == len(inside)


def test_issue_14_zone_that_no_cut_splits_is_regrouped_with_a_neighbour():
    layer, s, options = ISSUE_14
    spider = ["Desa 2", "Desa 6", "Desa 8", "Desa 11", "Desa 12", "Desa 13", "Desa 14"]
    graph = contiguity(layer)
    legs = [int(name.split()[1]) - 1 for name in spider]

    def connected(idx: list[int]) -> bool:
        return connected_components(graph.adjacency[idx][:, idx], directed=False)[0] == 1

    # every way of taking 3 connected villages out of the 7 leaves the other 4 apart
    assert connected(legs)
    assert not any(connected(list(three)) and connected([v for v in legs if v not in three]) for three in itertools.combinations(legs, 3))
    # and Ward (3-6 villages) does make that zone
    x = s[[f"skor_{p}" for p in POTENTIALS]].to_numpy()
    zones = WardSolver().solve(x, graph.adjacency, dominant=np.array([LEFT] * 16), codes=graph.kode_desa, limits=Limits(3, 6, None))
    nama = layer["nama_desa"].to_numpy()
    assert set(spider) in [set(nama[zones.labels == z]) for z in range(zones.labels.max() + 1)]

    proposal = propose_kawasan(layer, s, **options)
    assert proposal.quality["violations"] == [] and proposal.kawasan["sesuai_batas"].all()
    assert proposal.kawasan["n_desa"].between(3, 6).all() and proposal.kawasan["n_desa"].sum() == 16
    assert_connected(proposal)
    kawasan_of = proposal.villages.set_index("nama_desa")["kawasan_id"]
    assert kawasan_of[spider].nunique() >= 2
    # the zone next to it that the regrouping did not need stays as Ward made it
    assert desa(3, 4, 7, 10, 15, 16) in [names(proposal, k) for k in proposal.kawasan["kawasan_id"]]


def test_hypothesis_is_derandomised_in_ci():
    assert hypothesis_profile({"CI": "true"}) == "ci" and hypothesis_profile({"CI": "1"}) == "ci"
    assert hypothesis_profile({}) == "dev" and hypothesis_profile({"CI": "false"}) == "dev"
    assert hypothesis_profile({"CI": "true", "HYPOTHESIS_PROFILE": "dev"}) == "dev"
    ci = settings.get_profile("ci")
    assert ci.derandomize and ci.database is None and ci.deadline is None
    assert not settings.get_profile("dev").derandomize


# --------------------------------------------------------------------------- real data


def real_villages(path, crs: str) -> gpd.GeoDataFrame:
    """The bundled village layers in the internal schema (what io.read_villages returns)."""
    raw = gpd.read_file(path, layer="desa").to_crs(crs)
    return gpd.GeoDataFrame(
        {
            "kode_desa": raw["kode_desa_10"].astype(str),
            "nama_desa": raw["nama_desa"].astype(str),
            "kode_kec": raw["kode_kec"].str.replace(".", "", regex=False),
            "nama_kec": raw["nama_kec"].astype(str),
            "kode_kab": raw["kode_kab"].str.replace(".", "", regex=False),
            "nama_kab": raw["nama_kab"].astype(str),
            "jenis": raw["jenis"].astype(str),
            "luas_ha": raw.area / 10_000,
        },
        geometry=raw.geometry.to_numpy(),
        crs=raw.crs,
    )


def random_scores(villages: gpd.GeoDataFrame, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    s = pd.DataFrame(rng.random((len(villages), 3)), index=villages["kode_desa"].to_numpy(), columns=[f"skor_{p}" for p in POTENTIALS])
    s["potensi_dominan"] = s.idxmax(axis=1).str.removeprefix("skor_")
    return s


@pytest.fixture(scope="module")
def lamtim(lamtim_desa_path) -> gpd.GeoDataFrame:
    return real_villages(lamtim_desa_path, UTM48S)


@pytest.mark.slow
@pytest.mark.parametrize("options", [{"method": "dominant", "max_villages": 15}, {"method": "ward", "n_zones": 15}])
def test_lampung_timur_every_village_in_one_repeatable_kawasan(lamtim, options):
    s = random_scores(lamtim)
    first = propose_kawasan(lamtim, s, **options)
    assert first.villages["kawasan_id"].notna().all()
    assert (first.villages.groupby("kawasan_id")["kode_kab"].nunique() == 1).all()
    assert first.kawasan["n_desa"].min() >= 2 and first.kawasan["n_desa"].sum() == 264
    assert len(first.bridges) == 0  # Braja Yekti's islets are parts of one village: no bridge needed
    braja = first.villages.loc[first.villages["nama_desa"] == "Braja Yekti"]
    assert len(braja) == 1 and braja.geometry.iloc[0].geom_type == "MultiPolygon"
    assert first.kawasan.geometry.is_valid.all()
    # each kawasan's area is the union of its villages (the Lampung Timur layer overlaps by slivers),
    # recomputed here with geopandas
    union = first.villages.dissolve("kawasan_id").area / 10_000
    np.testing.assert_allclose(first.kawasan.set_index("kawasan_id")["luas_ha"].sort_index(), union.sort_index(), rtol=1e-9)
    assert first.kawasan["luas_ha"].sum() <= lamtim.area.sum() / 10_000
    assert 0 < first.bss_tss_ratio < 1
    assert_connected(first)
    again = propose_kawasan(lamtim.sample(frac=1.0, random_state=1), s, **options)
    assert_geodataframe_equal(first.kawasan, again.kawasan, check_less_precise=False)
    assert_geodataframe_equal(first.villages, again.villages.loc[first.villages.index], check_less_precise=False)
    assert first.quality == again.quality


@pytest.fixture(scope="module")
def gorontalo(gorontalo_desa_path) -> gpd.GeoDataFrame:
    return real_villages(gorontalo_desa_path, "EPSG:32651")


@pytest.mark.slow
def test_gorontalo_islets_belong_to_mainland_villages(gorontalo):
    graph = contiguity(gorontalo)
    assert len(graph.bridges) == 0
    assert sorted(pd.Series(graph.labels).value_counts().tolist()) == [104, 205]
    kab = gorontalo["kode_kab"].to_numpy()
    assert (kab[graph.i] == kab[graph.j]).all()


@pytest.mark.slow
def test_pohuwato_islands_as_own_features_are_bridged_and_listed(gorontalo):
    # Split every multi-part village of Pohuwato into its parts: the detached parts become
    # island villages of their own, as some layers record them.
    pohuwato = gorontalo[gorontalo["kode_kab"] == "7504"].explode(index_parts=True).reset_index(drop=True)
    part = pohuwato.groupby("kode_desa").cumcount()
    pohuwato["kode_desa"] = pohuwato["kode_desa"] + np.where(part > 0, "p" + part.astype(str), "")
    graph = contiguity(pohuwato)
    bridges = graph.bridges
    assert len(bridges) == 39 and (bridges["reason"] == "pulau").all()
    assert graph.labels.max() == 0
    geom = pohuwato.set_index("kode_desa").geometry
    measured = shapely.distance(geom.loc[bridges["from_kode"]].to_numpy(), geom.loc[bridges["to_kode"]].to_numpy())
    np.testing.assert_allclose(bridges["distance_m"], measured)
    assert (bridges["distance_m"] > graph.snap).all()
    np.testing.assert_allclose(bridges.geometry.length, bridges["distance_m"])
    proposal = propose_kawasan(pohuwato, random_scores(pohuwato), method="ward", n_zones=8, n_perturb=3)
    assert proposal.villages["kawasan_id"].notna().all() and len(proposal.bridges) == 39
    assert proposal.bridges["kawasan_id"].notna().sum() == proposal.kawasan["n_sambungan"].sum()
    assert_connected(proposal)


def test_kawasan_area_is_the_union_of_overlapping_villages(grid):
    """Village 2 reaches 200 m into villages 1 and 3: 140 ha, 20 ha shared with each neighbour.

    The three villages add up to 340 ha, their union is 300 ha: luas_ha, the max_area_ha limit
    and kawasan check all use 300 (the sum would break a 320 ha limit the kawasan meets).
    """
    from shapely.geometry import box

    from conftest import X0, Y0
    from kawasan_gis.check import check_plan, read_plan

    sub = grid[grid["nama_desa"].isin(["Desa 1", "Desa 2", "Desa 3"])].copy()
    sub.loc[sub["nama_desa"] == "Desa 2", "geometry"] = box(X0 + 800, Y0, X0 + 2200, Y0 + 1000)
    sub["luas_ha"] = sub.area / 10_000
    assert sub["luas_ha"].sum() == pytest.approx(340)
    proposal = propose_kawasan(sub, scores_for(sub, [LEFT] * 3), max_area_ha=320.0)
    k = proposal.kawasan
    assert k["n_desa"].tolist() == [3] and k["luas_ha"].tolist() == pytest.approx([300])
    assert k["sesuai_batas"].all() and proposal.quality["violations"] == []
    tight = propose_kawasan(sub, scores_for(sub, [LEFT] * 3), max_area_ha=290.0)
    assert not tight.kawasan["sesuai_batas"].iloc[0] and "300 ha exceeds the limits" in tight.quality["violations"][0]
    rtrw = gpd.GeoDataFrame({"kelas": ["pertanian"]}, geometry=[box(X0, Y0, X0 + 3000, Y0 + 1000)], crs=grid.crs)
    checked = check_plan(read_plan(k, sub), rtrw).kawasan.iloc[0]
    assert checked.luas_ha == pytest.approx(300) and checked.ha_I == pytest.approx(300)


@settings(max_examples=60, deadline=None)
@given(
    side=st.integers(2, 6),
    seed=st.integers(0, 10_000),
    ties=st.booleans(),
    dims=st.integers(1, 4),
)
def test_ward_merge_tree_equals_scikit_learn(side: int, seed: int, ties: bool, dims: int) -> None:
    # the merge tree is computed in kawasan_gis (scikit-learn costs ~2 s to import): it must be
    # scikit-learn's own, tie order included (small integer scores make many equal costs)
    from sklearn.cluster import ward_tree

    rng = np.random.default_rng(seed)
    n = side * side
    x = rng.integers(0, 3, (n, dims)).astype(float) if ties else rng.random((n, dims))
    adj = contiguity(grid_villages(side)).adjacency
    np.testing.assert_array_equal(ward_children(x, adj), ward_tree(x, connectivity=adj)[0])
