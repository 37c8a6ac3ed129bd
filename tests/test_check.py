"""Plans checked against the RTRW: hand-computed hectares on the grid, rules, plan errors, real data.

Grid (conftest): 4 x 4 villages of 1 km (100 ha), codes 18070{kec}2{k:03d}, k = 1..16 row-major
from the south-west; rows 0-1 in kecamatan 1, rows 2-3 in kecamatan 2.
"""

from __future__ import annotations

import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from conftest import X0, Y0, grid_villages
from kawasan_gis.check import (
    CheckResult,
    Plan,
    check_plan,
    load_check_config,
    read_plan,
    write_check,
)
from kawasan_gis.errors import ConfigError, CoverageError, CRSError, FieldError, PlanError
from kawasan_gis.overlay import default_priority, resolve_overlaps
from kawasan_gis.vocab import load_itbx, load_vocabulary

HA = 10_000.0


def code(k: int) -> str:
    """Code of grid village k (1..16)."""
    kec = 1 + (k - 1) // 8
    return f"18070{kec}2{k:03d}"


def zones(*items: tuple[str, tuple[float, float, float, float]], crs: str = "EPSG:32748") -> gpd.GeoDataFrame:
    """RTRW polygons from (kelas, (x0, y0, x1, y1) in km from the grid origin)."""
    return gpd.GeoDataFrame(
        {"kelas": [k for k, _ in items]},
        geometry=[box(X0 + a * 1000, Y0 + b * 1000, X0 + c * 1000, Y0 + d * 1000) for _, (a, b, c, d) in items],
        crs=crs,
    )


def table(ks: list[int], kawasan: str | list[str] = "K1", potensi: str | list[str] = "permukiman", **extra: object) -> pd.DataFrame:
    return pd.DataFrame({"kode_desa": [code(k) for k in ks], "kawasan_id": kawasan, "potensi": potensi, **extra})


@pytest.fixture
def halves() -> gpd.GeoDataFrame:
    """Left half hutan produksi tetap (X for settlement, and not kawasan lindung), right half permukiman perdesaan."""
    return zones(("hutan_produksi_tetap", (0, 0, 2, 4)), ("permukiman_perdesaan", (2, 0, 4, 4)))


@pytest.fixture
def park() -> gpd.GeoDataFrame:
    """Left half taman nasional (kawasan lindung), right half permukiman perdesaan."""
    return zones(("taman_nasional", (0, 0, 2, 4)), ("permukiman_perdesaan", (2, 0, 4, 4)))


# --------------------------------------------------------------------------- hectares


def test_hand_computed_hectares_on_the_grid(grid: gpd.GeoDataFrame, halves: gpd.GeoDataFrame) -> None:
    res = check_plan(read_plan(table([1, 2, 3, 4]), grid), halves)
    row = res.kawasan.iloc[0]
    assert (row.kawasan_id, row.potensi, row.n_desa) == ("K1", "permukiman", 4)
    assert row.luas_ha == pytest.approx(400)
    assert (row.ha_I, row.ha_T, row.ha_B, row.ha_X, row.ha_outside) == pytest.approx((200, 0, 0, 200, 0))
    assert (row.pct_I, row.pct_X) == pytest.approx((50, 50))
    pct = res.kawasan[["pct_I", "pct_T", "pct_B", "pct_X", "pct_outside"]].sum(axis=1)
    assert pct.to_numpy() == pytest.approx([100.0])
    assert row.verdict == "tidak sesuai"
    # per village: 1 and 2 wholly in the national park, 3 and 4 wholly settlement
    desa = res.villages.set_index("kode_desa")
    assert desa.loc[[code(1), code(2)], "ha_X"].tolist() == pytest.approx([100, 100])
    assert desa.loc[[code(3), code(4)], "ha_I"].tolist() == pytest.approx([100, 100])
    assert desa["pct_X"].tolist() == pytest.approx([100, 100, 0, 0])


def test_conflict_geometries(grid: gpd.GeoDataFrame, halves: gpd.GeoDataFrame) -> None:
    res = check_plan(read_plan(table([1, 2, 3, 4]), grid), halves)
    k = res.conflicts
    assert list(k.columns) == ["kawasan_id", "kelas", "nama_kelas", "status", "sebab", "luas_ha", "desa", "kode_desa", "geometry"]
    assert len(k) == 1
    r = k.iloc[0]
    assert (r.kawasan_id, r.kelas, r.nama_kelas, r.status, r.sebab) == ("K1", "hutan_produksi_tetap", "Hutan Produksi Tetap", "X", "pola_ruang")
    assert r.luas_ha == pytest.approx(200)
    assert r.geometry.area / HA == pytest.approx(200)
    assert r.geometry.equals(box(X0, Y0, X0 + 2000, Y0 + 1000))
    assert r.kode_desa == f"{code(1)},{code(2)}"
    assert r.desa == "Desa 1 (100,00 ha); Desa 2 (100,00 ha)"  # the check's language: Indonesian decimal comma
    en = check_plan(read_plan(table([1, 2, 3, 4]), grid), halves, lang="en").conflicts.iloc[0]
    assert en.desa == "Desa 1 (100.00 ha); Desa 2 (100.00 ha)"


def test_per_class_table(grid: gpd.GeoDataFrame) -> None:
    rtrw = zones(("hutan_produksi_tetap", (0, 0, 1, 4)), ("pertanian", (1, 0, 3, 4)))  # east column not covered
    res = check_plan(read_plan(table([1, 2, 3, 4]), grid), rtrw)
    got = res.per_class.set_index("kelas")
    assert got.loc["pertanian", ["status", "luas_ha", "pct"]].tolist() == ["B", pytest.approx(200), pytest.approx(50)]
    assert got.loc["hutan_produksi_tetap", ["status", "luas_ha"]].tolist() == ["X", pytest.approx(100)]
    assert got.loc["luar_rtrw", ["status", "luas_ha"]].tolist() == ["outside", pytest.approx(100)]
    assert res.per_class["pct"].sum() == pytest.approx(100)
    assert got.loc["luar_rtrw", "nama_kelas"] == "di luar RTRW"  # class names in the language of the check
    english = check_plan(read_plan(table([1, 2, 3, 4]), grid), rtrw, lang="en").per_class.set_index("kelas")["nama_kelas"]
    assert english["luar_rtrw"] == "outside the RTRW"


def test_overlapping_zones_resolved_lindung_first(grid: gpd.GeoDataFrame) -> None:
    # pertanian over everything, hutan lindung drawn over the west column: 400 ha of overlap
    rtrw = zones(("pertanian", (0, 0, 4, 4)), ("hutan_lindung", (0, 0, 1, 4)))
    res = check_plan(read_plan(table([1, 2, 3, 4]), grid), rtrw)
    row = res.kawasan.iloc[0]
    # the west village is hutan lindung, kept protected (L) in a kawasan of whole villages
    assert (row.ha_L, row.ha_X, row.ha_B, row.ha_outside) == pytest.approx((100, 0, 300, 0))
    assert row.pct_L + row.pct_B == pytest.approx(100)  # never above 100 %, overlaps or not
    assert res.info["rtrw_overlap_ha"] == pytest.approx(400)


def test_lp2b_tightens_settlement_not_farming(grid: gpd.GeoDataFrame) -> None:
    rtrw = zones(("pertanian", (0, 0, 4, 4)))
    lp2b = zones(("lp2b", (0, 0, 2, 1)))  # villages 1 and 2
    farm = check_plan(read_plan(table([1, 2, 3, 4], potensi="pertanian_unggulan"), grid), rtrw, lp2b=lp2b).kawasan.iloc[0]
    assert (farm.ha_I, farm.ha_X) == pytest.approx((400, 0))
    res = check_plan(read_plan(table([1, 2, 3, 4]), grid), rtrw, lp2b=lp2b, include_conditional_conflicts=False)
    settle = res.kawasan.iloc[0]
    assert (settle.ha_X, settle.ha_B) == pytest.approx((200, 200))
    assert res.conflicts[["kelas", "status", "sebab"]].values.tolist() == [["pertanian", "X", "lp2b"]]
    assert res.conflicts.geometry.iloc[0].equals(box(X0, Y0, X0 + 2000, Y0 + 1000))
    assert res.villages.set_index("kode_desa").loc[code(2), "ha_X"] == pytest.approx(100)


def test_hazard_overlay_splits_pieces(grid: gpd.GeoDataFrame) -> None:
    rtrw = zones(("tanaman_pangan", (0, 0, 4, 4)))
    hazard = zones(("krb", (2.5, 0, 3, 1)))  # half of village 3: 50 ha
    res = check_plan(read_plan(table([1, 2, 3, 4], potensi="pertanian_unggulan"), grid), rtrw, hazard=hazard)
    row = res.kawasan.iloc[0]
    assert (row.ha_I, row.ha_T) == pytest.approx((350, 50))  # rawan bencana tightens I to T
    assert res.per_class.set_index("status").loc["T", "sebab"] == "rawan_bencana"
    both = check_plan(read_plan(table([1, 2, 3, 4]), grid), rtrw, hazard=hazard, lp2b=zones(("lp2b", (2, 0, 3, 1))),
                      include_conditional_conflicts=False)
    assert both.kawasan.iloc[0][["ha_X", "ha_B"]].tolist() == pytest.approx([100, 300])
    assert set(both.conflicts["sebab"]) == {"lp2b", "lp2b+rawan_bencana"}
    assert both.conflicts["luas_ha"].sum() == pytest.approx(100)


def test_uncovered_area_is_outside_never_compliant(grid: gpd.GeoDataFrame) -> None:
    rtrw = zones(("permukiman_perdesaan", (0, 0, 4, 0.5)))  # south half of row 0
    row = check_plan(read_plan(table([1, 2, 3, 4]), grid), rtrw).kawasan.iloc[0]
    assert (row.ha_I, row.ha_outside, row.pct_outside) == pytest.approx((200, 200, 50))
    assert row.verdict == "sesuai bersyarat"


def test_conditional_conflicts_optional(grid: gpd.GeoDataFrame) -> None:
    rtrw = zones(("perkebunan", (0, 0, 2, 4)), ("hutan_produksi_tetap", (2, 0, 4, 4)))
    plan = read_plan(table([1, 2, 3, 4]), grid)
    assert check_plan(plan, rtrw, include_conditional_conflicts=False).conflicts["status"].tolist() == ["X"]
    k = check_plan(plan, rtrw).conflicts  # B too by default, as in kawasan run
    assert k[["kelas", "status", "luas_ha"]].values.tolist() == [["hutan_produksi_tetap", "X", 200.0], ["perkebunan", "B", 200.0]]


def test_verdict_thresholds_and_tolerance(grid: gpd.GeoDataFrame) -> None:
    plan = read_plan(table([1, 2, 3, 4]), grid)
    # 12 ha of production forest in a 400 ha settlement kawasan: 3 % X
    rtrw = zones(("permukiman_perdesaan", (0, 0, 4, 4)), ("hutan_produksi_tetap", (0, 0, 0.3, 0.4)))
    assert check_plan(plan, rtrw).kawasan["verdict"].iloc[0] == "sesuai bersyarat"
    assert check_plan(plan, rtrw, thresholds={"tidak_sesuai_pct_X": 2.0}).kawasan["verdict"].iloc[0] == "tidak sesuai"
    # 25 m2 of production forest: below the 0.01 ha tolerance, still reported
    sliver = zones(("permukiman_perdesaan", (0, 0, 4, 4)), ("hutan_produksi_tetap", (0, 0, 0.005, 0.005)))
    res = check_plan(plan, sliver)
    assert res.kawasan["ha_X"].iloc[0] == pytest.approx(0.0025)
    assert res.kawasan["verdict"].iloc[0] == "sesuai"
    assert not res.fails("prohibited") and res.failure("prohibited") is None
    assert check_plan(plan, rtrw).fails("prohibited")
    assert check_plan(plan, zones(("permukiman_perdesaan", (0, 0, 4, 4)))).kawasan["verdict"].iloc[0] == "sesuai"


def test_fail_levels(grid: gpd.GeoDataFrame) -> None:
    # settlement on farmland is B: 4 villages of 100 ha, all of it B
    only_b = check_plan(read_plan(table([1, 2, 3, 4]), grid), zones(("pertanian", (0, 0, 4, 4))))
    assert (only_b.fails("prohibited"), only_b.fails("conditional"), only_b.fails("never")) == (False, True, False)
    assert only_b.failure("prohibited") is None and only_b.failure("never") is None
    assert only_b.failure("conditional") == (
        "1 kawasan dengan luas bersyarat (B) atau dilarang (X) di atas toleransi 0,01 ha atau tidak tercakup RTRW: K1 (B 400,00 ha)"
    )
    assert only_b.failure("conditional", lang="en") == (
        "1 kawasan with conditional (B) or prohibited (X) area above the 0.01 ha tolerance or not covered by the RTRW: K1 (B 400.00 ha)"
    )
    with pytest.raises(ConfigError, match="fail level"):
        only_b.fails("sometimes")


def test_fail_message_names_each_failing_kawasan_with_its_hectares(grid: gpd.GeoDataFrame, halves: gpd.GeoDataFrame) -> None:
    # A = villages 1, 2 (x 0-2 km): all production forest, X 200 ha; B = villages 3, 4 (x 2-4 km): settlement, I;
    # C = villages 9, 10 (x 0-2 km, y 2-3 km): X 200 ha
    plan = read_plan(table([1, 2, 3, 4, 9, 10], kawasan=["A", "A", "B", "B", "C", "C"]), grid)
    res = check_plan(plan, halves, lang="en")
    assert res.failing("prohibited")["kawasan_id"].tolist() == ["A", "C"]
    assert res.failure("prohibited") == (
        "2 kawasan with prohibited (X) area above the 0.01 ha tolerance or not covered by the RTRW: A (X 200.00 ha), C (X 200.00 ha)"
    )
    # a tolerance above 200 ha lets both pass; the figures themselves are unchanged
    lenient = check_plan(plan, halves, thresholds={"toleransi_ha": 250})
    assert lenient.failure("prohibited") is None and lenient.kawasan["ha_X"].tolist() == pytest.approx([200, 0, 200])
    strict = check_plan(plan, halves, thresholds={"toleransi_ha": 150})
    assert strict.failure("prohibited") == (
        "2 kawasan dengan luas dilarang (X) di atas toleransi 150 ha atau tidak tercakup RTRW: A (X 200,00 ha), C (X 200,00 ha)"
    )


def test_matrix_override(grid: gpd.GeoDataFrame, halves: gpd.GeoDataFrame) -> None:
    itbx = load_itbx(overrides={"matrix": {"permukiman": {"hutan_produksi_tetap": "B"}}})
    row = check_plan(read_plan(table([1, 2, 3, 4]), grid), halves, itbx=itbx).kawasan.iloc[0]
    assert (row.ha_B, row.ha_X) == pytest.approx((200, 0))


def test_several_kawasan_and_index_independence(grid: gpd.GeoDataFrame, halves: gpd.GeoDataFrame) -> None:
    shuffled = grid.iloc[::-1].set_index(np.arange(100, 116))
    plan = read_plan(table([1, 5, 4, 8], kawasan=["A", "A", "B", "B"], potensi=["permukiman", "permukiman", "peternakan", "peternakan"]), shuffled)
    res = check_plan(plan, halves)
    got = res.kawasan.set_index("kawasan_id")
    assert got.loc["A", ["ha_X", "ha_I"]].tolist() == pytest.approx([200, 0])
    assert got.loc["B", ["ha_T", "ha_X"]].tolist() == pytest.approx([200, 0])  # peternakan on permukiman perdesaan: T
    assert res.conflicts["kawasan_id"].tolist() == ["A"]


def rect_layers(fifth: str) -> st.SearchStrategy[list]:
    """1-6 RTRW rectangles of four common classes and ``fifth``, on the half-kilometre grid of the villages."""
    return st.lists(
        st.tuples(st.sampled_from(["taman_nasional", "pertanian", "permukiman_perdesaan", "industri", fifth]),
                  st.integers(0, 7), st.integers(0, 7), st.integers(1, 4), st.integers(1, 4)),
        min_size=1, max_size=6,
    )


def rect_zones(rects: list) -> gpd.GeoDataFrame:
    return zones(*[(k, (x / 2, y / 2, x / 2 + w / 2, y / 2 + h / 2)) for k, x, y, w, h in rects])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rects=rect_layers("hutan_lindung"),
    members=st.sets(st.integers(1, 16), min_size=1, max_size=16),
)
def test_area_conservation_and_independent_overlay(rects: list, members: set[int]) -> None:
    grid = grid_villages()
    rtrw = rect_zones(rects)
    # any cover, however small (the coverage stop has its own tests); X only in konflik
    res = check_plan(read_plan(table(sorted(members)), grid), rtrw, thresholds={"min_cakupan_rtrw_pct": 0},
                     include_conditional_conflicts=False)
    row = res.kawasan.iloc[0]
    parts = row[["ha_I", "ha_T", "ha_B", "ha_X", "ha_L", "ha_outside"]].to_numpy(dtype=float)
    assert parts.sum() == pytest.approx(row.luas_ha, rel=1e-12) and (parts >= 0).all()
    assert round(row[["pct_I", "pct_T", "pct_B", "pct_X", "pct_L", "pct_outside"]].sum(), 9) == 100.0
    planar = resolve_overlaps(rtrw, priority=default_priority("rtrw"))
    itbx = load_itbx()
    lindung = {"taman_nasional", "hutan_lindung"}
    kawasan = res.kawasan[["kawasan_id", "geometry"]]

    def overlay_ha(z: gpd.GeoDataFrame) -> float:
        return gpd.overlay(kawasan, z, how="intersection", keep_geom_type=True).area.sum() / HA if len(z) else 0.0

    want_x = overlay_ha(planar[[k not in lindung and itbx.status("permukiman", k) == "X" for k in planar["kelas"]]])
    want_l = overlay_ha(planar[planar["kelas"].isin(lindung)])
    assert (row.ha_X, row.ha_L) == pytest.approx((want_x, want_l), abs=1e-9)
    k = res.conflicts.groupby("status")["luas_ha"].sum()
    assert (k.get("X", 0.0), k.get("L", 0.0)) == pytest.approx((want_x, want_l), abs=1e-9)
    assert res.villages["luas_ha"].sum() == pytest.approx(100 * len(members))


# --------------------------------------------------------------------------- rule checks


def rules_of(res: CheckResult, rule: str) -> pd.DataFrame:
    return res.rules[res.rules["rule"] == rule]


def test_rule_one_kabupaten(grid: gpd.GeoDataFrame, halves: gpd.GeoDataFrame) -> None:
    two = grid.copy()
    two.loc[1, ["kode_kab", "nama_kab"]] = ["1808", "Kabupaten Tetangga"]
    res = check_plan(read_plan(table([1, 2]), two), halves)
    hit = rules_of(res, "satu_kabupaten")
    assert hit["level"].tolist() == ["error"]
    msg = hit["message"].iloc[0]
    assert "UU 6/2014 Pasal 83 ayat (1)" in msg and "kerja sama antar daerah" in msg and "Kabupaten Tetangga (1808)" in msg
    assert res.kawasan["n_error"].iloc[0] == 1 and "[error]" in res.kawasan["aturan"].iloc[0]
    assert rules_of(check_plan(read_plan(table([1, 2]), grid), halves), "satu_kabupaten").empty


def test_rule_contiguity(grid: gpd.GeoDataFrame, halves: gpd.GeoDataFrame) -> None:
    res = check_plan(read_plan(table([1, 3, 4]), grid), halves)  # 1 is cut off from 3-4
    hit = rules_of(res, "bersambung")
    assert hit["level"].tolist() == ["error"]
    assert "2 bagian" in hit["message"].iloc[0] and "Desa 1 | Desa 3, Desa 4" in hit["message"].iloc[0]
    assert rules_of(check_plan(read_plan(table([1, 6]), grid), halves), "bersambung").empty  # corners touch
    explicit = check_plan(read_plan(table([1, 3, 4]), grid), halves, bridges=[(code(1), code(3))])
    assert rules_of(explicit, "bersambung").empty
    english = check_plan(read_plan(table([1, 3, 4]), grid), halves, lang="en")
    assert "not contiguous: 2 separate parts" in rules_of(english, "bersambung")["message"].iloc[0]


def test_rule_contiguity_allows_listed_island_bridges(grid: gpd.GeoDataFrame, halves: gpd.GeoDataFrame) -> None:
    island = grid.iloc[[3]].copy()
    island["kode_desa"], island["nama_desa"] = "1807012017", "Pulau"
    island.geometry = [box(X0 + 4500, Y0, X0 + 4800, Y0 + 300)]  # 500 m east of village 4
    with_island = pd.concat([grid, island], ignore_index=True)
    ok = check_plan(read_plan(pd.DataFrame({"kode_desa": [code(4), "1807012017"], "kawasan_id": "K", "potensi": "permukiman"}), with_island), halves)
    assert rules_of(ok, "bersambung").empty
    far = check_plan(read_plan(pd.DataFrame({"kode_desa": [code(3), "1807012017"], "kawasan_id": "K", "potensi": "permukiman"}), with_island), halves)
    assert len(rules_of(far, "bersambung")) == 1  # the island's bridge goes to village 4, not 3


def test_rule_at_least_two_villages(grid: gpd.GeoDataFrame, halves: gpd.GeoDataFrame) -> None:
    res = check_plan(read_plan(table([1, 2, 16], kawasan=["A", "A", "B"]), grid), halves)
    hit = rules_of(res, "minimal_dua_desa")
    assert hit["kawasan_id"].tolist() == ["B"] and hit["level"].tolist() == ["error"]
    assert "Pasal 83" in hit["message"].iloc[0] and "Desa 16" in hit["message"].iloc[0]


def test_rule_info_kecamatan_and_kelurahan(grid: gpd.GeoDataFrame, halves: gpd.GeoDataFrame) -> None:
    g = grid.copy()
    g.loc[8, "jenis"] = "kelurahan"  # village 9
    res = check_plan(read_plan(table([5, 9]), g), halves)
    kec = rules_of(res, "kecamatan")
    assert kec["level"].tolist() == ["info"] and "2 kecamatan: Kecamatan 1, Kecamatan 2" in kec["message"].iloc[0]
    kel = rules_of(res, "kelurahan")
    assert kel["level"].tolist() == ["info"] and "Desa 9" in kel["message"].iloc[0]
    assert res.kawasan["n_error"].iloc[0] == 0
    assert list(res.rules.columns) == ["kawasan_id", "rule", "level", "message", "dasar"]


def test_dasar_zonasi_share(grid: gpd.GeoDataFrame, halves: gpd.GeoDataFrame) -> None:
    half = check_plan(read_plan(table([1, 2, 3, 4], dasar=["zonasi", "zonasi", "kondisi_lahan", "kondisi_lahan"]), grid), halves)
    assert half.kawasan["pct_dasar_zonasi"].iloc[0] == pytest.approx(50)
    assert rules_of(half, "dasar_zonasi").empty
    most = check_plan(read_plan(table([1, 2, 3, 4], dasar=["zonasi", "zonasi", "zonasi", "campuran"]), grid), halves)
    assert most.kawasan["pct_dasar_zonasi"].iloc[0] == pytest.approx(75)
    assert rules_of(most, "dasar_zonasi")["level"].tolist() == ["warning"]
    assert np.isnan(check_plan(read_plan(table([1, 2]), grid), halves).kawasan["pct_dasar_zonasi"].iloc[0])


# --------------------------------------------------------------------------- plans


def test_table_plan_codes_and_potential_names(grid: gpd.GeoDataFrame) -> None:
    dotted = ["18.07.01.2001", "1807012002", " 18.07.01.2003 "]
    plan = read_plan(pd.DataFrame({"Kode_Desa": dotted, "Kawasan": "A", "Potensi": ["Pertanian Unggulan", "PERTANIAN  unggulan", "priority crops"]}), grid)
    assert isinstance(plan, Plan) and plan.kind == "table"
    assert plan.members["kode_desa"].tolist() == [code(1), code(2), code(3)]
    assert set(plan.members["potensi"]) == {"pertanian_unggulan"}
    k = plan.kawasan.iloc[0]
    assert (k.kawasan_id, k.potensi, k.n_desa, k.luas_ha) == ("A", "pertanian_unggulan", 3, pytest.approx(300))
    assert k.geometry.equals(box(X0, Y0, X0 + 3000, Y0 + 1000))


def test_bad_plan_table_lists_every_problem(grid: gpd.GeoDataFrame) -> None:
    bad = pd.DataFrame(
        {
            "kode_desa": [code(1), code(2), "1807019999", code(2), code(4), code(5)],
            "kawasan_id": ["A", "A", "A", "B", "B", "B"],
            "potensi": ["permukiman", "permukiman", "permukiman", "peternakan", "", "kota"],
        }
    )
    with pytest.raises(PlanError, match="4 problem") as err:
        read_plan(bad, grid)
    problems = err.value.problems
    assert len(problems) == 4
    assert any("1807019999" in p and "baris / row 4" in p for p in problems)
    assert any(code(2) in p and "A (baris / row 3)" in p and "B (baris / row 5)" in p for p in problems)
    assert any("baris / row 6" in p and "missing potential" in p for p in problems)
    assert any("'kota'" in p and "permukiman" in p and "pertanian_unggulan" in p for p in problems)  # lists valid codes


def test_plan_table_errors(grid: gpd.GeoDataFrame) -> None:
    with pytest.raises(PlanError, match="lacks columns") as err:
        read_plan(pd.DataFrame({"kode_desa": [code(1)], "jenis": ["x"]}), grid)
    assert len(err.value.problems) == 2
    with pytest.raises(PlanError, match="empty"):
        read_plan(pd.DataFrame({"kode_desa": [], "kawasan_id": [], "potensi": []}), grid)
    with pytest.raises(PlanError, match="several potentials"):
        read_plan(table([1, 2], potensi=["permukiman", "peternakan"]), grid)
    with pytest.raises(PlanError) as err:
        read_plan(pd.DataFrame({"kode_desa": ["3201012001", "3201012002"], "kawasan_id": "A", "potensi": "permukiman"}), grid)
    assert any("right kabupaten" in p for p in err.value.problems)


def test_plan_from_csv_and_xlsx(grid: gpd.GeoDataFrame, tmp_path: Path) -> None:
    t = table([1, 2], kawasan="01")  # ids with leading zeros stay text
    t.to_csv(tmp_path / "plan.csv", index=False)
    t.to_excel(tmp_path / "plan.xlsx", index=False)
    for name in ("plan.csv", "plan.xlsx"):
        plan = read_plan(tmp_path / name, grid)
        assert plan.kawasan["kawasan_id"].tolist() == ["01"] and plan.source.endswith(name)


def test_polygon_plan_majority_rule(grid: gpd.GeoDataFrame, halves: gpd.GeoDataFrame) -> None:
    # covers villages 1-2 fully, 60 % of village 3 and nothing of 4; a second polygon covers 30 % of 4
    poly = gpd.GeoDataFrame(
        {"POTENSI": ["Permukiman", "Peternakan"], "nama": ["Kawasan Kota", "Kawasan Ternak"]},
        geometry=[box(X0, Y0, X0 + 2600, Y0 + 1000), box(X0 + 3700, Y0, X0 + 4000, Y0 + 1000)],
        crs=grid.crs,
    )
    plan = read_plan(poly, grid)
    assert plan.kind == "polygons"
    assert plan.kawasan[["kawasan_id", "nama", "potensi", "n_desa"]].values.tolist() == [
        ["K01", "Kawasan Kota", "permukiman", 3], ["K02", "Kawasan Ternak", "peternakan", 0],
    ]
    assert plan.members["kode_desa"].tolist() == [code(1), code(2), code(3)]
    assert plan.partial[["kode_desa", "kawasan_id"]].values.tolist() == [[code(4), "K02"]]
    assert plan.partial["pct_tertutup"].iloc[0] == pytest.approx(30)
    res = check_plan(plan, halves)
    row = res.kawasan.iloc[0]
    assert (row.luas_ha, row.ha_X, row.ha_I) == pytest.approx((260, 200, 60))  # the polygon, not the villages
    assert res.villages.set_index("kode_desa").loc[code(3), "luas_ha"] == pytest.approx(60)  # village part inside
    assert rules_of(res, "cakupan_sebagian")["kawasan_id"].tolist() == ["K02"]
    assert rules_of(res, "minimal_dua_desa")["kawasan_id"].tolist() == ["K02"]


def test_polygon_plan_errors(grid: gpd.GeoDataFrame) -> None:
    poly = gpd.GeoDataFrame({"potensi": ["permukiman", None], "kawasan_id": ["A", "A"]},
                            geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000), box(X0, Y0 + 1000, X0 + 1000, Y0 + 2000)], crs=grid.crs)
    with pytest.raises(PlanError, match="feature 2: potensi kosong"):
        read_plan(poly, grid)
    with pytest.raises(PlanError, match="no potential column"):
        read_plan(poly.drop(columns="potensi"), grid)
    with pytest.raises(CRSError, match="reproject"):
        read_plan(poly.to_crs(4326), grid)


def test_propose_output_is_accepted_as_is(grid: gpd.GeoDataFrame, halves: gpd.GeoDataFrame, tmp_path: Path) -> None:
    members = grid.iloc[[0, 1, 4, 5]]
    kawasan = gpd.GeoDataFrame(
        {"kawasan_id": ["K01"], "nama": ["Kawasan Permukiman Desa 1"], "potensi": ["permukiman"], "n_desa": [4],
         "daftar_desa": [", ".join(members["nama_desa"])], "daftar_kode": [", ".join(members["kode_desa"])]},
        geometry=[members.union_all()], crs=grid.crs,
    )
    path = tmp_path / "usulan.gpkg"
    grid.to_file(path, layer="desa")
    kawasan.to_file(path, layer="kawasan")
    plan = read_plan(path, grid)
    assert plan.members["kode_desa"].tolist() == members["kode_desa"].tolist()
    assert "[layer kawasan]" in plan.source
    row = check_plan(plan, halves).kawasan.iloc[0]
    assert (row.ha_X, row.n_desa) == (pytest.approx(400), 4)
    # the proposal's kawasan are whole villages: the national park in them is kept (L), not X
    assert plan.whole_villages
    park = zones(("taman_nasional", (0, 0, 2, 4)))
    row = check_plan(plan, park).kawasan.iloc[0]
    assert (row.ha_L, row.ha_X, row.verdict) == (pytest.approx(400), 0, "tidak sesuai")


# --------------------------------------------------------------------------- inputs and config


def test_check_input_errors(grid: gpd.GeoDataFrame, halves: gpd.GeoDataFrame) -> None:
    plan = read_plan(table([1, 2]), grid)
    with pytest.raises(CRSError, match="working_crs"):
        check_plan(plan, halves.to_crs(4326))
    with pytest.raises(FieldError, match="apply_mapping"):
        check_plan(plan, halves.rename(columns={"kelas": "NAMOBJ"}))
    with pytest.raises(FieldError) as err:
        check_plan(plan, zones(("Taman Nasional", (0, 0, 4, 4))))
    assert "kelas not in the ITBX matrix: Taman Nasional" in err.value.problems[0]
    with pytest.raises(CRSError, match="LP2B"):
        check_plan(plan, halves, lp2b=halves.to_crs(4326))
    with pytest.raises(ConfigError, match="tidak_sesuai_pct_x"):
        check_plan(plan, halves, thresholds={"tidak_sesuai_pct_x": 1})
    with pytest.raises(ConfigError, match="not in the village layer"):
        check_plan(plan, halves, bridges=[(code(1), "1807019999")])


def test_load_check_config(tmp_path: Path) -> None:
    cfg = load_check_config()
    assert cfg.thresholds.tidak_sesuai_pct_X == 5.0 and cfg.snap_m == 30.0
    assert cfg.rules["satu_kabupaten"].level == "error"
    f = tmp_path / "cek.toml"
    f.write_text('[verdict]\nbersyarat_pct_B = 25\n[rules.kecamatan]\nlevel = "warning"\n', encoding="utf-8")
    cfg = load_check_config(f)
    assert cfg.thresholds.bersyarat_pct_B == 25.0 and cfg.rules["kecamatan"].level == "warning"
    with pytest.raises(ConfigError) as err:
        load_check_config({"verdict": {"bersyarat_pct_B": 120, "x": 1}, "rules": {"kelurahan": {"id": "{nama}"}}, "extra": {}})
    assert len(err.value.problems) == 4



def test_rule_messages_come_through_the_catalogue(grid: gpd.GeoDataFrame, halves: gpd.GeoDataFrame) -> None:
    cfg = load_check_config()
    assert cfg.messages.t("rule_kecamatan", "en", kawasan="K1", n=2, daftar="A, B", dasar="-") == "Kawasan K1 spans 2 kecamatan: A, B."
    reworded = load_check_config({"rules": {"kecamatan": {"en": "{kawasan}: {n} districts ({daftar})"}}})
    assert reworded.messages.t("rule_kecamatan", "en", kawasan="K1", n=2, daftar="A, B", dasar="-") == "K1: 2 districts (A, B)"
    assert reworded.messages.t("rule_kecamatan", "id", kawasan="K1", n=2, daftar="A, B", dasar="-") == "Kawasan K1 mencakup 2 kecamatan: A, B."
    res = check_plan(read_plan(table([5, 9]), grid), halves, config=reworded, lang="en")
    assert rules_of(res, "kecamatan")["message"].tolist() == ["K1: 2 districts (Kecamatan 1, Kecamatan 2)"]


# --------------------------------------------------------------------------- writing


def test_write_check(grid: gpd.GeoDataFrame, halves: gpd.GeoDataFrame, tmp_path: Path) -> None:
    res = check_plan(read_plan(table([1, 2, 3, 4]), grid), halves)
    out = write_check(res, tmp_path / "hasil")
    assert sorted(p.name for p in out.iterdir()) == [".kawasan_gis", "check.csv", "check.gpkg", "check.xlsx"]
    assert [name for name, _ in pyogrio.list_layers(out / "check.gpkg")] == ["kawasan", "konflik", "desa"]
    kaw = gpd.read_file(out / "check.gpkg", layer="kawasan")
    assert {"pct_I", "pct_T", "pct_B", "pct_X", "pct_outside", "verdict"} <= set(kaw.columns)
    konflik = gpd.read_file(out / "check.gpkg", layer="konflik")
    assert konflik[["kawasan_id", "kelas", "status"]].values.tolist() == [["K1", "hutan_produksi_tetap", "X"]]
    assert konflik["luas_ha"].iloc[0] == pytest.approx(200)
    csv = pd.read_csv(out / "check.csv", dtype={"kawasan_id": str})
    assert csv["verdict"].tolist() == ["tidak sesuai"]
    with pd.ExcelFile(out / "check.xlsx") as xlsx:
        assert xlsx.sheet_names == ["kawasan", "desa", "per_kelas", "konflik", "aturan"]
    # an existing folder keeps its other files; the outputs are replaced
    (out / "catatan.txt").write_text("x")
    write_check(check_plan(read_plan(table([3, 4]), grid), halves), out)
    assert (out / "catatan.txt").exists() and pd.read_csv(out / "check.csv")["verdict"].tolist() == ["sesuai"]
    assert gpd.read_file(out / "check.gpkg", layer="konflik").empty
    # written empty, the layer keeps its polygon type (GDAL would write Unknown, which QGIS shows without a symbol)
    assert pyogrio.read_info(out / "check.gpkg", layer="konflik")["geometry_type"] == "MultiPolygon"


def test_write_check_leaves_nothing_on_failure(grid: gpd.GeoDataFrame, halves: gpd.GeoDataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    res = check_plan(read_plan(table([1, 2]), grid), halves)

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", boom)  # after the GeoPackage is written
    with pytest.raises(OSError, match="disk full"):
        write_check(res, tmp_path / "hasil")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- real data


@pytest.mark.slow
def test_lampung_timur_settlement_next_to_way_kambas(lamtim_desa_path: Path, lamtim_rtrw_path: Path) -> None:
    from kawasan_gis.io import read_class_layer, read_villages
    from kawasan_gis.vocab import apply_mapping

    desa = read_villages(lamtim_desa_path, check_coverage=False)
    rtrw, _ = apply_mapping(read_class_layer(lamtim_rtrw_path, kind="rtrw", working_crs=desa.crs), kind="rtrw")
    park = rtrw[rtrw["kelas"] == "taman_nasional"]
    assert set(park["kelas_raw"]) == {"Taman Nasional"}
    # villages touching Taman Nasional Way Kambas, one kawasan per kecamatan with two or more of them
    touching = desa[desa.intersects(park.union_all())]
    groups = touching.groupby("kode_kec").filter(lambda g: len(g) >= 2)
    assert groups["kode_kec"].nunique() >= 3
    plan = read_plan(pd.DataFrame({"kode_desa": groups["kode_desa"], "kawasan_id": "KWS-" + groups["kode_kec"], "potensi": "permukiman"}), desa)
    start = time.perf_counter()
    res = check_plan(plan, rtrw)
    elapsed = time.perf_counter() - start

    # independent: geopandas overlay of each kawasan with the X zones of the same resolved RTRW;
    # only polygons meeting a kawasan are resolved (same ranks, far faster than the whole layer)
    near = rtrw[rtrw.intersects(plan.kawasan.union_all())]
    planar = resolve_overlaps(near[["kelas", "geometry"]], priority=default_priority("rtrw"))
    itbx = load_itbx()
    lindung = {c.code for c in load_vocabulary("rtrw") if c.group == "lindung"}
    x_zones = planar[[k not in lindung and itbx.status("permukiman", k) == "X" for k in planar["kelas"]]]
    l_zones = planar[planar["kelas"].isin(lindung)]
    inter = gpd.overlay(plan.kawasan[["kawasan_id", "geometry"]], x_zones[["kelas", "geometry"]], how="intersection", keep_geom_type=True)
    want = inter.assign(ha=inter.area / HA).groupby("kawasan_id")["ha"].sum()
    got = res.kawasan.set_index("kawasan_id")["ha_X"]
    assert (got.reindex(want.index) > 0).all()
    np.testing.assert_allclose(got.reindex(want.index).to_numpy(), want.to_numpy(), rtol=1e-6)
    # konflik holds conditional (B) areas too since they are on by default: compare its X part
    prohibited = res.conflicts[res.conflicts["status"] == "X"]
    by_kawasan = prohibited.groupby("kawasan_id")["luas_ha"].sum()
    np.testing.assert_allclose(by_kawasan.reindex(want.index).to_numpy(), want.to_numpy(), rtol=1e-6)
    # the park inside these kawasan of whole villages is kept protected (L), not prohibited development
    assert set(res.conflicts.loc[res.conflicts["kelas"] == "taman_nasional", "status"]) == {"L"}
    inter_l = gpd.overlay(plan.kawasan[["kawasan_id", "geometry"]], l_zones[["kelas", "geometry"]], how="intersection", keep_geom_type=True)
    want_l = inter_l.assign(ha=inter_l.area / HA).groupby("kawasan_id")["ha"].sum()
    np.testing.assert_allclose(res.kawasan.set_index("kawasan_id")["ha_L"].reindex(want_l.index).to_numpy(), want_l.to_numpy(), rtol=1e-6)
    # no kawasan mostly protected land comes out sesuai, and every verdict but sesuai says why
    mostly = res.kawasan[res.kawasan["pct_L"] > 50]
    assert len(mostly) and (mostly["verdict"] != "sesuai").all()
    assert mostly["alasan_verdict"].str.contains("ruang kembang hanya").all()
    assert (res.kawasan.loc[res.kawasan["verdict"] != "sesuai", "alasan_verdict"].str.len() > 0).all()
    assert rules_of(res, "satu_kabupaten").empty
    pct = res.kawasan[["pct_I", "pct_T", "pct_B", "pct_X", "pct_L", "pct_outside"]]
    assert (pct.sum(axis=1).round(9) == 100.0).all()
    print(res.kawasan[["kawasan_id", "pct_L", "verdict"]].to_string())
    print(f"\nLampung Timur: {len(plan.kawasan)} kawasan, X {got.sum():,.1f} ha, check {elapsed:.1f} s")


def test_verdict_reasons_in_words(grid: gpd.GeoDataFrame, halves: gpd.GeoDataFrame) -> None:
    """Reasons name the share that passed its threshold; shares computed by hand from the grid."""
    plan = read_plan(table([1, 2, 3, 4]), grid)  # the bottom row: 4 villages of 100 ha

    def reasons(rtrw: gpd.GeoDataFrame, **kw: object) -> tuple[str, str]:
        row = check_plan(plan, rtrw, **kw).kawasan.iloc[0]  # type: ignore[arg-type]
        return row.alasan_verdict, row.alasan_verdict_en

    # 200 of 400 ha production forest: 50 % X
    assert reasons(halves) == ("tidak sesuai: dilarang (X) 50,0 % > ambang 5 %", "not compliant: prohibited (X) 50.0 % > threshold 5 %")
    # 300 m x 400 m = 12 ha of production forest: 3 % X, above 0 %, below 5 % (2.5 % when set)
    forest = zones(("permukiman_perdesaan", (0, 0, 4, 4)), ("hutan_produksi_tetap", (0, 0, 0.3, 0.4)))
    assert reasons(forest)[0] == "sesuai bersyarat: dilarang (X) 3,0 % > ambang 0 %"
    assert reasons(forest, thresholds={"tidak_sesuai_pct_X": 2.5})[0] == "tidak sesuai: dilarang (X) 3,0 % > ambang 2,5 %"
    # RTRW over the south half of the row only: 200 of 400 ha outside
    assert reasons(zones(("permukiman_perdesaan", (0, 0, 4, 0.5))))[0] == "sesuai bersyarat: di luar RTRW 50,0 % > ambang 10 %"
    # perkebunan is B for settlement: 200 ha B (50 %) and 200 ha I
    mixed = zones(("perkebunan", (0, 0, 2, 4)), ("permukiman_perdesaan", (2, 0, 4, 4)))
    assert reasons(mixed)[1] == "conditionally compliant: conditional (B) 50.0 % > threshold 10 %"
    assert reasons(zones(("permukiman_perdesaan", (0, 0, 4, 4)))) == (
        "sesuai: dilarang (X) 0,0 %, bersyarat (B) 0,0 %, di luar RTRW 0,0 %, semua dalam ambang",
        "compliant: prohibited (X) 0.0 %, conditional (B) 0.0 %, outside the RTRW 0.0 %, all within the thresholds",
    )


# --------------------------------------------------------------------------- lindung kept (L), development room, shares


def test_lindung_in_a_kawasan_of_villages_is_kept_not_prohibited(grid: gpd.GeoDataFrame, park: gpd.GeoDataFrame) -> None:
    # villages 1-4 (bottom row): 1 and 2 in the national park (x 0-2 km), 3 and 4 settlement
    res = check_plan(read_plan(table([1, 2, 3, 4]), grid), park)
    row = res.kawasan.iloc[0]
    assert (row.ha_I, row.ha_X, row.ha_L, row.ha_outside) == pytest.approx((200, 0, 200, 0))
    assert (row.pct_I, row.pct_L) == (50.0, 50.0)
    assert (row.ha_ruang_kembang, row.pct_ruang_kembang) == pytest.approx((200, 50))
    assert row.verdict == "sesuai"  # a room of 50 % is not below the 50 % threshold
    assert row.alasan_verdict == ("sesuai: dilarang (X) 0,0 %, bersyarat (B) 0,0 %, di luar RTRW 0,0 % dari ruang kembang, "
                                  "semua dalam ambang; kawasan lindung dipertahankan 50,0 % dari luas kawasan")
    assert res.villages.set_index("kode_desa").loc[[code(1), code(2), code(3)], "ha_L"].tolist() == pytest.approx([100, 100, 0])
    k = res.conflicts
    assert k[["kelas", "status", "sebab"]].values.tolist() == [["taman_nasional", "L", "lindung"]]
    assert k["luas_ha"].iloc[0] == pytest.approx(200)
    assert res.per_class.set_index("kelas").loc["taman_nasional", "status"] == "L"
    assert not res.fails("conditional")  # protected land kept is no conflict


def test_small_development_room_is_never_sesuai(grid: gpd.GeoDataFrame, park: gpd.GeoDataFrame) -> None:
    # villages 1-3: 200 ha park + 100 ha settlement -> room 100 of 300 ha = 33.3 %
    plan = read_plan(table([1, 2, 3]), grid)
    row = check_plan(plan, park).kawasan.iloc[0]
    assert (row.pct_L, row.pct_I, row.pct_ruang_kembang) == (66.7, 33.3, pytest.approx(33.3))
    assert row.verdict == "sesuai bersyarat"
    assert row.alasan_verdict == ("sesuai bersyarat: ruang kembang hanya 33,3 % dari luas kawasan < ambang 50 %; sisanya kawasan "
                                  "lindung yang dipertahankan, jadi kawasan ini tidak dapat dinilai sesuai")
    assert row.alasan_verdict_en.startswith("conditionally compliant: development room only 33.3 % of the kawasan area < threshold 50 %")
    # the threshold is the run config's: at 30 % the same kawasan is sesuai
    assert check_plan(plan, park, thresholds={"min_pct_ruang_kembang": 30}).kawasan["verdict"].iloc[0] == "sesuai"
    # villages 1-2: all park, no room at all
    none = check_plan(read_plan(table([1, 2]), grid), park).kawasan.iloc[0]
    assert (none.ha_L, none.ha_ruang_kembang, none.verdict) == (pytest.approx(200), pytest.approx(0), "tidak sesuai")
    assert none.alasan_verdict == "tidak sesuai: tidak ada ruang kembang: seluruh kawasan adalah kawasan lindung yang dipertahankan"


def test_verdict_judges_the_development_room(grid: gpd.GeoDataFrame) -> None:
    # villages 1-4: park x 0-2 km (200 ha L), production forest x 2-2.16 km (16 ha X), settlement the rest (184 ha I)
    rtrw = zones(("taman_nasional", (0, 0, 2, 4)), ("hutan_produksi_tetap", (2, 0, 2.16, 4)), ("permukiman_perdesaan", (2.16, 0, 4, 4)))
    row = check_plan(read_plan(table([1, 2, 3, 4]), grid), rtrw).kawasan.iloc[0]
    # X is 16/400 = 4 % of the kawasan but 16/200 = 8 % of the land it would develop: above 5 %
    assert (row.pct_X, row.pct_L) == (4.0, 50.0)
    assert row.verdict == "tidak sesuai"
    assert row.alasan_verdict == ("tidak sesuai: dilarang (X) 8,0 % dari ruang kembang > ambang 5 %; "
                                  "kawasan lindung dipertahankan 50,0 % dari luas kawasan")


def test_drawn_development_zone_over_lindung_is_prohibited(grid: gpd.GeoDataFrame, park: gpd.GeoDataFrame) -> None:
    # a planner draws a settlement zone over villages 1-2, inside the national park: X, not L
    poly = gpd.GeoDataFrame({"potensi": ["permukiman"]}, geometry=[box(X0, Y0, X0 + 2000, Y0 + 1000)], crs=grid.crs)
    plan = read_plan(poly, grid)
    assert not plan.whole_villages
    res = check_plan(plan, park)
    row = res.kawasan.iloc[0]
    assert (row.ha_X, row.ha_L, row.verdict) == (pytest.approx(200), 0, "tidak sesuai")
    assert res.conflicts["status"].tolist() == ["X"]
    assert res.villages["ha_X"].tolist() == pytest.approx([100, 100])


def test_kawasan_outside_the_rtrw_is_not_compliant(grid: gpd.GeoDataFrame) -> None:
    # RTRW (settlement) over rows 0-2; A = villages 1-8 (rows 0-1, covered), B = villages 13-14 (row 3, not covered):
    # the plan is 800 of 1000 ha covered (80 %), B wholly outside
    rtrw = zones(("permukiman_perdesaan", (0, 0, 4, 3)))
    plan = read_plan(table([*range(1, 9), 13, 14], kawasan=["A"] * 8 + ["B"] * 2), grid)
    res = check_plan(plan, rtrw)
    got = res.kawasan.set_index("kawasan_id")
    assert got.loc["A", "verdict"] == "sesuai"
    assert (got.loc["B", "ha_outside"], got.loc["B", "pct_outside"], got.loc["B", "verdict"]) == (pytest.approx(200), 100.0, "tidak sesuai")
    assert got.loc["B", "alasan_verdict"] == ("tidak sesuai: di luar RTRW 100,0 % > ambang 50 %: zonasi RTRW tidak mencakup kawasan ini, "
                                              "jadi kesesuaiannya tidak dapat dinilai")
    assert got.loc["B", "alasan_verdict_en"].endswith("the RTRW zoning does not cover this kawasan, so its compliance cannot be assessed")
    # fail-on treats it as the verdict does: it fails "prohibited" (the check cannot show it free of X)
    assert res.failing("prohibited")["kawasan_id"].tolist() == ["B"]
    assert res.failure("prohibited") == (
        "1 kawasan dengan luas dilarang (X) di atas toleransi 0,01 ha atau tidak tercakup RTRW: B (di luar RTRW 100,0 %)"
    )
    # 30 % outside (B = villages 9-12 and 13-14 with the RTRW over rows 0-2 and half of row 3... here: rows 0-2 only)
    part = check_plan(read_plan(table([9, 10, 11, 13, 14, 15, 16], kawasan="C"), grid), zones(("permukiman_perdesaan", (0, 0, 4, 3.5))),
                      thresholds={"min_cakupan_rtrw_pct": 0}).kawasan.iloc[0]
    # 300 ha in row 2 + 200 of 400 ha in row 3 covered: outside 200 of 700 ha = 28.6 %
    assert (part.pct_outside, part.verdict) == (28.6, "sesuai bersyarat")
    assert part.alasan_verdict == "sesuai bersyarat: di luar RTRW 28,6 % > ambang 10 %"


def test_overlapping_villages_area_is_their_union(grid: gpd.GeoDataFrame) -> None:
    # village 2 reaches 200 m into village 1: 120 ha, 20 ha of it also in village 1; kawasan {1, 2} = 200 ha, not 220
    g = grid.copy()
    g.loc[1, "geometry"] = box(X0 + 800, Y0, X0 + 2000, Y0 + 1000)
    g.loc[1, "luas_ha"] = 120.0
    # x 0-0.5 km production forest (50 ha X), 0.5-1.5 settlement (100 ha I), 1.5-1.9 park (40 ha L), 1.9-2.0 not zoned (10 ha)
    rtrw = zones(("hutan_produksi_tetap", (0, 0, 0.5, 1)), ("permukiman_perdesaan", (0.5, 0, 1.5, 1)), ("taman_nasional", (1.5, 0, 1.9, 1)))
    res = check_plan(read_plan(table([1, 2]), g), rtrw, thresholds={"min_cakupan_rtrw_pct": 0})
    row = res.kawasan.iloc[0]
    assert row.luas_ha == pytest.approx(200)
    assert (row.ha_I, row.ha_T, row.ha_B, row.ha_X, row.ha_L, row.ha_outside) == pytest.approx((100, 0, 0, 50, 40, 10))
    assert row[["ha_I", "ha_T", "ha_B", "ha_X", "ha_L", "ha_outside"]].sum() == pytest.approx(row.luas_ha, rel=1e-12)
    assert (row.pct_I, row.pct_X, row.pct_L, row.pct_outside) == (50.0, 25.0, 20.0, 5.0)
    # room 160 ha: X 50/160 = 31.25 %, outside 10/160 = 6.25 %; the half unit goes to the leftmost (X)
    assert row.alasan_verdict == ("tidak sesuai: dilarang (X) 31,3 % dari ruang kembang > ambang 5 %; "
                                  "kawasan lindung dipertahankan 20,0 % dari luas kawasan")
    desa = res.villages.set_index("kode_desa")
    assert desa.loc[code(2), ["luas_ha", "ha_I", "ha_L", "ha_outside"]].tolist() == pytest.approx([120, 70, 40, 10])


def test_shares_sum_to_exactly_100_as_shown(grid: gpd.GeoDataFrame) -> None:
    # three villages of 100 ha: I, B and X, a third each: 33.4 + 33.3 + 33.3 (the leftmost takes the unit)
    rtrw = zones(("permukiman_perdesaan", (0, 0, 1, 4)), ("perkebunan", (1, 0, 2, 4)), ("hutan_produksi_tetap", (2, 0, 3, 4)))
    row = check_plan(read_plan(table([1, 2, 3]), grid), rtrw).kawasan.iloc[0]
    assert (row.pct_I, row.pct_T, row.pct_B, row.pct_X, row.pct_L, row.pct_outside) == (33.4, 0.0, 33.3, 33.3, 0.0, 0.0)
    assert [f"{v:.1f}" for v in (row.pct_I, row.pct_B, row.pct_X)] == ["33.4", "33.3", "33.3"]
    assert round(row.pct_I + row.pct_B + row.pct_X, 9) == 100.0


def test_rtrw_overlap_counts_every_zone(grid: gpd.GeoDataFrame) -> None:
    # two overlaps: 100 ha under the kawasan (x 0-1, y 0-1) and 50 ha far from it (x 3-3.5, y 3-4)
    rtrw = zones(("pertanian", (0, 0, 4, 1)), ("hutan_produksi_tetap", (0, 0, 1, 1)),
                 ("permukiman_perdesaan", (0, 3, 4, 4)), ("industri", (3, 3, 3.5, 4)))
    res = check_plan(read_plan(table([1, 2]), grid), rtrw)
    assert res.info["rtrw_overlap_ha"] == pytest.approx(150)


@settings(max_examples=30, deadline=None)
@given(
    rects=rect_layers("hutan_produksi_tetap"),
    members=st.sets(st.integers(1, 16), min_size=2, max_size=16),
)
def test_check_on_the_layer_resolved_once_equals_its_own_resolution(rects: list, members: set[int]) -> None:
    # kawasan run resolves the RTRW once (whole layer) for the indicators and the check; the
    # check's own path resolves only the zones meeting the plan and measures the overlap on the
    # raw layer by pairwise intersections: both must give the same figures
    grid = grid_villages()
    rtrw = rect_zones(rects)
    plan = read_plan(table(sorted(members)), grid)
    kw = {"thresholds": {"min_cakupan_rtrw_pct": 0}}
    own = check_plan(plan, rtrw, **kw)
    shared = check_plan(plan, rtrw, partition=resolve_overlaps(rtrw, priority=default_priority("rtrw")), **kw)
    cols = [c for c in own.kawasan.columns if c.startswith(("ha_", "pct_"))]
    pd.testing.assert_frame_equal(shared.kawasan[cols], own.kawasan[cols], rtol=1e-9, atol=1e-9)
    assert shared.kawasan["verdict"].tolist() == own.kawasan["verdict"].tolist()
    pd.testing.assert_frame_equal(shared.villages[[c for c in own.villages.columns if c.startswith("ha_")]],
                                  own.villages[[c for c in own.villages.columns if c.startswith("ha_")]], rtol=1e-9, atol=1e-9)
    assert shared.info["rtrw_overlap_ha"] == pytest.approx(own.info["rtrw_overlap_ha"], abs=1e-9)
    # the villages' hectares come from the area engine unless an overlay splits the pieces: an
    # LP2B polygon far from every village sends them through the cut pieces, with the same result
    far = check_plan(plan, rtrw, lp2b=zones(("lp2b", (20, 20, 21, 21))), **kw)
    ha = [c for c in own.villages.columns if c.startswith(("ha_", "pct_"))]
    pd.testing.assert_frame_equal(far.villages[ha], own.villages[ha], rtol=1e-9, atol=1e-9)


def test_resolved_layer_overlap_hectares_by_hand(grid: gpd.GeoDataFrame) -> None:
    # the layer of test_rtrw_overlap_counts_every_zone, resolved beforehand: 100 + 50 ha overlap
    rtrw = zones(("pertanian", (0, 0, 4, 1)), ("hutan_produksi_tetap", (0, 0, 1, 1)),
                 ("permukiman_perdesaan", (0, 3, 4, 4)), ("industri", (3, 3, 3.5, 4)))
    res = check_plan(read_plan(table([1, 2]), grid), rtrw, partition=resolve_overlaps(rtrw, priority=default_priority("rtrw")))
    assert res.info["rtrw_overlap_ha"] == pytest.approx(150)
    with pytest.raises(FieldError, match="resolve_overlaps"):
        check_plan(read_plan(table([1, 2]), grid), rtrw, partition=rtrw)


def test_plan_the_zones_miss_stops_alike_with_a_partition(grid: gpd.GeoDataFrame) -> None:
    # the shared partition has no early stop of its own: the cover check stops it, word for word
    rtrw = zones(("pertanian", (20, 20, 21, 21)))
    plan = read_plan(table([1, 2]), grid)
    with pytest.raises(CoverageError) as own:
        check_plan(plan, rtrw)
    with pytest.raises(CoverageError) as shared:
        check_plan(plan, rtrw, partition=resolve_overlaps(rtrw, priority=default_priority("rtrw")))
    assert str(shared.value) == str(own.value) and "0,0 %" in str(own.value)
