"""Scoring potentials: hand-computed scores, missing indicators, dominance, zoning basis."""

from __future__ import annotations

from types import SimpleNamespace as NS

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kawasan_gis.errors import FieldError
from kawasan_gis.potential import score_contributions, score_potentials
from kawasan_gis.vocab import IndicatorSpec

CODES = pd.Index(["1807012001", "1807012002", "1807012003", "1807012004"], name="kode_desa")


def spec(id: str, kind: str, weight: float, dasar: str, **kw: object) -> IndicatorSpec:
    return IndicatorSpec(id=id, kind=kind, weight=weight, dasar=dasar, classes=tuple(kw.get("classes", ())), layer=kw.get("layer"), column=kw.get("column"), invert=bool(kw.get("invert", False)))  # type: ignore[arg-type]


CATALOGUE = [
    NS(
        code="pertanian_unggulan",
        enabled=True,
        indicators=[
            spec("lahan_pertanian", "landcover_share", 0.5, "kondisi_lahan", classes=("sawah",)),
            spec("zonasi_pertanian", "rtrw_share", 0.25, "zonasi", classes=("pertanian",)),
            spec("irigasi", "line_density", 0.25, "kondisi_lahan", layer="saluran_irigasi"),
        ],
    ),
    NS(
        code="permukiman",
        enabled=True,
        indicators=[
            spec("lahan_terbangun", "landcover_share", 0.5, "kondisi_lahan", classes=("permukiman",)),
            spec("zonasi_permukiman", "rtrw_share", 0.5, "zonasi", classes=("permukiman_perdesaan",)),
        ],
    ),
    NS(code="pariwisata", enabled=False, indicators=[spec("z", "rtrw_share", 1.0, "zonasi", classes=("pariwisata",))]),
]


def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "luas_ha": [100.0, 100.0, 100.0, 100.0],
            "pct_landuse_unmapped": [0.0, 0.0, 50.0, 0.0],
            "pct_landuse_sawah": [80.0, 10.0, 0.0, 40.0],
            "pct_landuse_permukiman": [20.0, 90.0, 50.0, 60.0],
            "pct_rtrw_unmapped": [0.0, 0.0, 0.0, 0.0],
            "pct_rtrw_pertanian": [100.0, 0.0, 0.0, 50.0],
            "pct_rtrw_permukiman_perdesaan": [0.0, 100.0, 100.0, 50.0],
            "km_per_km2_saluran_irigasi": [2.0, 0.0, 1.0, 4.0],
        },
        index=CODES,
    )


def test_hand_computed_scores() -> None:
    s = score_potentials(table(), catalogue=CATALOGUE)
    # by hand (docs/potentials.md, section 3): a share scores 0.5 x share + 0.5 x min(LQ, 2) / 2 with
    # LQ = share / kabupaten share (shares weighted by the hectares they are taken over); any other
    # kind scores min(LQ, 2) / 2 with LQ = value / kabupaten mean.
    # sawah [0.8, 0.1, 0, 0.4] over [100, 100, 50, 100] ha mapped: kabupaten 130/350;
    #   LQ [2.154 -> 2, 0.269, 0, 1.077] -> [0.9, 0.1173, 0, 0.4692]
    # pertanian zoning [1, 0, 0, 0.5]: kabupaten 0.375; LQ [2.667 -> 2, 0, 0, 1.333] -> [1, 0, 0, 0.5833]
    # irrigation [2, 0, 1, 4]: mean 1.75; LQ [1.143, 0, 0.571, 2.286 -> 2] -> [0.5714, 0, 0.2857, 1]
    # built-up [0.2, 0.9, 1.0, 0.6]: kabupaten 220/350; LQ [0.318, 1.432, 1.591, 0.955] -> [0.1795, 0.8080, 0.8977, 0.5386]
    # settlement zoning [0, 1, 1, 0.5]: kabupaten 0.625; LQ [0, 1.6, 1.6, 0.8] -> [0, 0.9, 0.9, 0.45]
    expected_pert = [0.842857, 0.058654, 0.071429, 0.630449]  # 0.5 sawah + 0.25 zoning + 0.25 irrigation
    expected_perm = [0.089773, 0.853977, 0.898864, 0.494318]  # 0.5 built-up + 0.5 zoning
    np.testing.assert_allclose(s["skor_pertanian_unggulan"], expected_pert, atol=1e-6)
    np.testing.assert_allclose(s["skor_permukiman"], expected_perm, atol=1e-6)
    assert "skor_pariwisata" not in s.columns  # disabled potential
    assert s.potensi_dominan.tolist() == ["pertanian_unggulan", "permukiman", "permukiman", "pertanian_unggulan"]
    np.testing.assert_allclose(s.margin, np.abs(np.array(expected_pert) - expected_perm), atol=2e-6)
    assert s.index.equals(CODES)


def test_zoning_basis_recorded() -> None:
    s = score_potentials(table(), catalogue=CATALOGUE)
    # village 3: permukiman 0.5 x 0.8977 (land) + 0.5 x 0.9 (zoning) -> 0.45 / 0.8989 = 50.1 % zoning -> campuran
    assert s.loc["1807012003", "pct_dasar_zonasi"] == pytest.approx(50.1)
    assert s.loc["1807012003", "dasar"] == "campuran"
    only_zoning = table().drop(columns=[c for c in table().columns if "landuse" in c or "irigasi" in c])
    z = score_potentials(only_zoning, catalogue=CATALOGUE, min_weight_share=0.0)
    assert (z.dasar == "zonasi").all() and (z.pct_dasar_zonasi == 100.0).all()


def test_missing_indicator_weight_redistributed() -> None:
    no_landuse = table().drop(columns=[c for c in table().columns if c.startswith("pct_landuse")])
    s = score_potentials(no_landuse, catalogue=CATALOGUE)
    # permukiman now rests on zoning alone with weight 1 (settlement zoning scaled by hand in test_hand_computed_scores)
    np.testing.assert_allclose(s["skor_permukiman"], [0.0, 0.9, 0.9, 0.45])
    # each reason in both languages (the report shows the run's)
    no_layer = "tidak ada lapisan tutupan lahan/penggunaan lahan / no landcover/landuse layer"
    assert s.attrs["missing"] == {"pertanian_unggulan.lahan_pertanian": no_layer, "permukiman.lahan_terbangun": no_layer}
    assert s.attrs["missing"]["permukiman.lahan_terbangun"].text("id") == "tidak ada lapisan tutupan lahan/penggunaan lahan"
    assert s.loc["1807012001", "indikator_dipakai"] == "irigasi,zonasi_permukiman,zonasi_pertanian"


def test_village_with_nan_table_value_uses_the_rest() -> None:
    cat = [NS(code="peternakan", enabled=True, indicators=[spec("ternak", "table", 0.5, "kondisi_lahan", column="sapi"), spec("z", "rtrw_share", 0.5, "zonasi", classes=("peternakan",))])]
    ind = pd.DataFrame({"tbl_sapi": [10.0, 5.0, np.nan], "pct_rtrw_unmapped": 0.0, "pct_rtrw_peternakan": [0.0, 0.0, 40.0]}, index=CODES[:3])
    s = score_potentials(ind, catalogue=cat)
    # village 3 has no table row: its score is the zoning indicator at full weight
    # sapi [10, 5]: mean 7.5, LQ [1.333, 0.667] -> [0.667, 0.333]
    # zoning [0, 0, 0.4]: kabupaten 0.4 / 3 (no luas_ha: unweighted), LQ [0, 0, 3 -> 2] -> 0.5 x 0.4 + 0.5 x 1 = 0.7
    np.testing.assert_allclose(s["skor_peternakan"], [0.5 * 2 / 3, 0.5 * 1 / 3, 0.7])


def test_distance_inverted_and_scaled_per_kabupaten() -> None:
    cat = [NS(code="perekonomian", enabled=True, indicators=[spec("jarak", "point_distance", 1.0, "kondisi_lahan", layer="pasar", invert=True)])]
    ind = pd.DataFrame({"jarak_km_pasar": [0.0, 10.0, 0.0, 1.0]}, index=CODES)
    groups = pd.Series(["A", "A", "B", "B"], index=CODES)
    s = score_potentials(ind, catalogue=cat, groups=groups)
    # nearness LQ = kabupaten mean distance / distance: A mean 5 -> [inf, 0.5], B mean 0.5 -> [inf, 0.5];
    # capped at 2 and halved -> [1, 0.25] in each kabupaten
    np.testing.assert_allclose(s["skor_perekonomian"], [1.0, 0.25, 1.0, 0.25])


def test_ties_follow_catalogue_order_and_flag_mixed() -> None:
    ind = pd.DataFrame({"pct_rtrw_unmapped": [0.0], "pct_rtrw_pertanian": [50.0], "pct_rtrw_permukiman_perdesaan": [50.0]}, index=CODES[:1])
    cat = [CATALOGUE[0], CATALOGUE[1]]
    s = score_potentials(ind, catalogue=cat, min_weight_share=0.0)
    # both zonings are the only (so the top) value of the kabupaten: percentile 1 each -> tie, first in catalogue wins, flagged mixed
    assert s.potensi_dominan.iloc[0] == "pertanian_unggulan"
    assert bool(s.campuran.iloc[0]) and s.margin.iloc[0] == pytest.approx(0.0)


def test_nothing_computable_is_an_error() -> None:
    with pytest.raises(FieldError, match="no potential can be scored"):
        score_potentials(pd.DataFrame({"luas_ha": [1.0]}, index=CODES[:1]), catalogue=CATALOGUE)


def test_contributions_sum_to_scores() -> None:
    c = score_contributions(table(), catalogue=CATALOGUE)
    s = score_potentials(table(), catalogue=CATALOGUE)
    summed = c.groupby(["kode_desa", "potensi"])["kontribusi"].sum().unstack()
    np.testing.assert_allclose(summed["permukiman"].reindex(CODES), s["skor_permukiman"])
    # weights of each (village, potential) sum to one after redistribution
    np.testing.assert_allclose(c.groupby(["kode_desa", "potensi"])["bobot"].sum(), 1.0)
    # village 2: zoning 0.5 x 0.9, built-up 0.5 x 0.8080
    assert s.loc["1807012002", "kontribusi_utama"].startswith("zonasi_permukiman 0,45; lahan_terbangun 0,40")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 100), st.floats(0, 100), st.floats(0, 50)), min_size=2, max_size=12))
def test_scores_bounded_and_dominant_is_max(rows: list[tuple[float, float, float]]) -> None:
    sawah, perm, irr = (np.array(x) for x in zip(*rows, strict=True))
    n = len(rows)
    ind = pd.DataFrame(
        {
            "pct_landuse_unmapped": 0.0,
            "pct_landuse_sawah": sawah,
            "pct_landuse_permukiman": perm,
            "pct_rtrw_unmapped": 0.0,
            "pct_rtrw_pertanian": 100 - sawah,
            "km_per_km2_saluran_irigasi": irr,
        },
        index=pd.Index([f"18070120{i:02d}" for i in range(n)], name="kode_desa"),
    )
    s = score_potentials(ind, catalogue=CATALOGUE)
    scores = s[["skor_pertanian_unggulan", "skor_permukiman"]].to_numpy()
    scored = ~np.isnan(scores)  # a class found nowhere in the kabupaten leaves its indicator out
    assert np.all((scores[scored] >= 0) & (scores[scored] <= 1 + 1e-12))
    filled = np.where(scored, scores, -1.0)
    has = filled.max(axis=1) > 0
    best = np.array(["pertanian_unggulan", "permukiman"])[np.argmax(filled, axis=1)]
    assert (s.potensi_dominan.to_numpy()[has] == best[has]).all() and s.potensi_dominan[~has].isna().all()
    assert np.all(s.margin[has] >= 0)


def test_builtin_catalogue_scores_lampung_timur_style_inputs() -> None:
    ind = pd.DataFrame(
        {
            "pct_rtrw_unmapped": [0.0, 0.0, 0.0],
            "pct_rtrw_pertanian": [90.0, 0.0, 0.0],
            "pct_rtrw_permukiman_perdesaan": [10.0, 100.0, 0.0],
            "pct_rtrw_hutan_produksi_tetap": [0.0, 0.0, 100.0],
            "km_per_km2_jalan": [1.0, 3.0, 0.0],
            "km_per_km2_saluran_irigasi": [2.0, 0.0, 0.0],
            "n_pusat_kegiatan": [0.0, 2.0, 0.0],
            "jarak_km_pusat_kegiatan": [3.0, 0.0, 9.0],
        },
        index=CODES[:3],
    )
    s = score_potentials(ind)
    assert [c for c in s.columns if c.startswith("skor_")] == [
        "skor_peternakan", "skor_hutan_tanaman_industri", "skor_pertanian_unggulan", "skor_permukiman", "skor_perekonomian",
        "skor_perikanan", "skor_pariwisata",
    ]
    assert s.potensi_dominan.tolist() == ["pertanian_unggulan", "permukiman", "hutan_tanaman_industri"]
    assert "peternakan.populasi_ternak" in s.attrs["missing"]


def test_uninformative_indicator_left_out_per_kabupaten() -> None:
    cat = [
        NS(code="perekonomian", enabled=True, indicators=[spec("pusat", "point_count", 0.5, "kondisi_lahan", layer="pusat"), spec("z", "rtrw_share", 0.5, "zonasi", classes=("industri",))]),
    ]
    ind = pd.DataFrame(
        {"n_pusat": [1.0, 1.0, 0.0, 2.0], "pct_rtrw_unmapped": 0.0, "pct_rtrw_industri": [10.0, 30.0, 0.0, 0.0]}, index=CODES
    )
    groups = pd.Series(["A", "A", "B", "B"], index=CODES)
    s = score_potentials(ind, catalogue=cat, groups=groups)
    # kabupaten A: one centre in every village -> the count is left out, zoning alone decides:
    # zoning 0.1, 0.3, kabupaten 0.2, LQ 0.5, 1.5 -> 0.05 + 0.125, 0.15 + 0.375
    np.testing.assert_allclose(s["skor_perekonomian"].iloc[:2], [0.175, 0.525])
    # kabupaten B: centres 0, 2 (mean 1, LQ 0, 2) -> 0, 1; industry zoning nowhere in B: left out
    np.testing.assert_allclose(s["skor_perekonomian"].iloc[2:], [0.0, 1.0])
    assert {k: v.text("en") for k, v in s.attrs["missing"].items()} == {
        "perekonomian.pusat": "same value in every village of A: not informative",
        "perekonomian.z": "not in the layer anywhere in B: not informative",
    }
    assert s.attrs["missing"]["perekonomian.pusat"].text("id") == "nilai sama di setiap desa A: tidak membedakan desa"


def test_no_evidence_means_unknown_potential_and_unscorable_potentials_dropped() -> None:
    ind = table().drop(columns=[c for c in table().columns if c.startswith(("pct_rtrw", "km_"))])
    ind.loc["1807012002", ["pct_landuse_sawah", "pct_landuse_permukiman"]] = 0.0
    s = score_potentials(ind, catalogue=CATALOGUE)
    assert pd.isna(s.loc["1807012002", "potensi_dominan"]) and np.isnan(s.loc["1807012002", "margin"])
    assert s.loc["1807012002", "skor_permukiman"] == 0.0
    only_lines = pd.DataFrame({"km_per_km2_saluran_irigasi": [1.0, 2.0]}, index=CODES[:2])
    t = score_potentials(only_lines, catalogue=CATALOGUE)
    assert [c for c in t.columns if c.startswith("skor_")] == ["skor_pertanian_unggulan"]
    assert t.attrs["missing"]["permukiman"].text("en") == "no indicator of this potential could be computed"


def test_contributions_read_with_catalogue_labels() -> None:
    ind = pd.DataFrame({"pct_rtrw_unmapped": [0.0], "pct_rtrw_pertanian": [80.0], "km_per_km2_saluran_irigasi": [1.0]}, index=CODES[:1])
    s = score_potentials(ind)
    # one village: it is its own kabupaten (LQ 1 -> 0.5), 0.5 x 0.8 + 0.5 x 0.5 = 0.65; the irrigation
    # density is the same in every village of the kabupaten and left out
    assert s.kontribusi_utama.iloc[0] == "zonasi pertanian 0,65"  # one number style per language
    en = score_potentials(ind, labels={"zonasi_pertanian": "agricultural zoning"}, lang="en")
    assert en.kontribusi_utama.iloc[0] == "agricultural zoning 0.65"
    assert score_potentials(ind, lang="en").kontribusi_utama.iloc[0] == "agricultural zoning 0.65"


def test_worked_example_of_docs() -> None:
    """docs/potentials.md, "Worked example": village 1807012004 of table(), computed there by hand."""
    s = score_potentials(table(), catalogue=CATALOGUE)
    v = s.loc["1807012004"]
    assert v.skor_pertanian_unggulan == pytest.approx(0.630, abs=5e-4)
    assert v.skor_permukiman == pytest.approx(0.494, abs=5e-4)
    assert v.potensi_dominan == "pertanian_unggulan" and v.margin == pytest.approx(0.136, abs=5e-4)
    assert v.kekuatan_bukti == 1.0 and v.stabilitas_potensi == 1.0
    assert v.pct_dasar_zonasi == pytest.approx(23.1) and v.dasar == "kondisi_lahan"
    # village 3: its land use maps only half of it: evidence 0.5 x 0.5 + 0.5 = 0.75 for permukiman
    assert s.loc["1807012003", "kekuatan_bukti"] == 0.75


def test_mostly_lindung_village_gets_no_development_potential() -> None:
    ind = pd.DataFrame(
        {
            "luas_ha": [200.0, 100.0],
            "pct_rtrw_unmapped": [0.0, 0.0],
            "pct_rtrw_taman_nasional": [72.0, 40.0],
            "pct_rtrw_pertanian": [28.0, 30.0],
            "pct_rtrw_permukiman_perdesaan": [0.0, 30.0],
        },
        index=CODES[:2],
    )
    s = score_potentials(ind, catalogue=CATALOGUE)
    assert s.status_potensi.tolist() == ["lindung", "dinilai"]
    assert pd.isna(s.potensi_dominan.iloc[0]) and np.isnan(s.skor_pertanian_unggulan.iloc[0])
    assert s.alasan_potensi.iloc[0] == "sebagian besar kawasan lindung (72 %) / mostly protected land (72 %)"
    np.testing.assert_allclose(s.ha_ruang_kembang, [56.0, 60.0])
    # zoning shares are read over the development room (30 of the 60 % outside the park each), ranked
    # without the mostly-lindung village: both the top of the kabupaten -> tie, catalogue order
    # (pertanian has data for only 25 % of its weight: not scored unless the caller allows it)
    assert np.isnan(s.skor_pertanian_unggulan.iloc[1]) and s.potensi_dominan.iloc[1] == "permukiman"
    t = score_potentials(ind, catalogue=CATALOGUE, min_weight_share=0.0)
    assert t.potensi_dominan.iloc[1] == "pertanian_unggulan" and t.margin.iloc[1] == pytest.approx(0.0)
    # the threshold is the caller's: at 80 % the first village is scored again
    assert score_potentials(ind, catalogue=CATALOGUE, max_pct_lindung=80.0, min_weight_share=0.0).status_potensi.iloc[0] == "dinilai"


def test_sparse_indicator_keeps_its_signal() -> None:
    """A market in 1 village of 40 (p95 = 0) still scores there at full strength; its absence elsewhere is no evidence."""
    codes = pd.Index([f"18070120{i:02d}" for i in range(40)], name="kode_desa")
    cat = [NS(code="perekonomian", enabled=True, indicators=[spec("pasar", "point_count", 1.0, "kondisi_lahan", layer="pasar")])]
    s = score_potentials(pd.DataFrame({"n_pasar": [0.0] * 39 + [1.0]}, index=codes), catalogue=cat)
    # LQ = 1 / (1/40) = 40, capped at 2 -> 1; the 39 zeros of an indicator present in < 25 % of the villages are not data
    assert s.skor_perekonomian.iloc[-1] == 1.0 and s.skor_perekonomian.iloc[:-1].isna().all()
    assert s.potensi_dominan.iloc[-1] == "perekonomian" and s.potensi_dominan.iloc[:-1].isna().all()
    assert (s.status_potensi.iloc[:-1] == "data_kurang").all()
    # present in 10 of 40 (25 %): a zero is a measured zero again
    t = score_potentials(pd.DataFrame({"n_pasar": [0.0] * 30 + [1.0] * 10}, index=codes), catalogue=cat)
    assert (t.skor_perekonomian.iloc[:30] == 0.0).all() and (t.skor_perekonomian.iloc[30:] == 1.0).all()


def test_minor_surviving_indicator_cannot_carry_a_potential() -> None:
    # permukiman: only the 0.15-weight activity-centre count has data -> not scored (< 30 % of the weight)
    ind = pd.DataFrame({"n_pusat_kegiatan": [0.0, 3.0, 1.0]}, index=CODES[:3])
    s = score_potentials(ind)
    assert "skor_permukiman" in s.columns and s.skor_permukiman.isna().all()
    assert (s.status_potensi == "data_kurang").all() and s.alasan_potensi.str.startswith("data kurang").all()
    assert score_potentials(ind, min_weight_share=0.1).potensi_dominan.iloc[1] == "perekonomian"


def test_thin_coverage_is_data_kurang_not_zero() -> None:
    # the land-use layer maps 5 % of village 1 (all sawah there) and all of village 2
    ind = pd.DataFrame({"pct_landuse_unmapped": [95.0, 0.0], "pct_landuse_sawah": [5.0, 60.0], "pct_landuse_permukiman": [0.0, 40.0]}, index=CODES[:2])
    s = score_potentials(ind, catalogue=CATALOGUE)
    # share over the mapped part: village 1 is 100 % sawah where mapped, evidence 0.5 x 0.05 = 0.025 < 0.2
    assert s.status_potensi.tolist() == ["data_kurang", "dinilai"]
    assert s.kekuatan_bukti.iloc[0] == 0.025 and np.isnan(s.skor_pertanian_unggulan.iloc[0])
    assert score_potentials(ind, catalogue=CATALOGUE, min_evidence=0.0).potensi_dominan.iloc[0] == "pertanian_unggulan"


def test_key_potential_silent_without_its_evidence() -> None:
    """Perikanan is scored only where tambak or fisheries zoning exists; elsewhere NaN, not 0."""
    ind = pd.DataFrame(
        {"pct_landuse_unmapped": [0.0, 0.0], "pct_landuse_tambak": [70.0, 0.0], "pct_landuse_sawah": [30.0, 100.0]},
        index=CODES[:2],
    )
    s = score_potentials(ind)
    assert s.potensi_dominan.tolist() == ["perikanan", "pertanian_unggulan"]
    # tambak 0.7, kabupaten 0.35, LQ 2 -> 0.5 x 0.7 + 0.5 x 1 = 0.85; water bodies are nowhere in the
    # kabupaten: left out, tambak carries the score alone
    assert s.skor_perikanan.iloc[0] == pytest.approx(0.85) and np.isnan(s.skor_perikanan.iloc[1])
    # pariwisata has no key evidence anywhere (no tourism zoning, no natural landscape): silent
    assert s.skor_pariwisata.isna().all()


def test_stability_drops_when_weights_decide() -> None:
    # village 1: pertanian 0.5 x 1 + 0.25 x 0 (+ irrigation absent) vs permukiman 0.5 x 1 + 0.5 x 0:
    ind = pd.DataFrame(
        {"pct_landuse_unmapped": [0.0, 0.0], "pct_landuse_sawah": [50.0, 10.0], "pct_landuse_permukiman": [50.0, 90.0],
         "pct_rtrw_unmapped": [0.0, 0.0], "pct_rtrw_pertanian": [0.0, 100.0], "pct_rtrw_permukiman_perdesaan": [0.0, 0.0]},
        index=CODES[:2],
    )
    s = score_potentials(ind, catalogue=CATALOGUE)
    # no irrigation layer; settlement zoning is nowhere in the kabupaten: left out. By hand (no luas_ha):
    # village 1: sawah 0.5 (kabupaten 0.3, LQ 1.667) -> 0.25 + 0.4167 = 0.6667; pertanian zoning 0 -> 0
    #   pertanian = 0.5 x 0.6667 / 0.75 = 0.4444; permukiman: built-up 0.5 (kabupaten 0.7) -> 0.25 + 0.1786 = 0.4286
    # of the 8 moves (4 indicators x 0.8, x 1.2) two flip it to permukiman: sawah x 0.8 (0.2667 / 0.65 = 0.410)
    # and pertanian zoning x 1.2 (0.3333 / 0.8 = 0.417); the permukiman moves change nothing (one indicator)
    assert s.skor_pertanian_unggulan.iloc[0] == pytest.approx(0.4 / 0.9, abs=1e-9)
    assert s.stabilitas_potensi.iloc[0] == 0.75
    # village 2: permukiman 0.45 + 0.3214 = 0.771 vs pertanian (0.0667 + 0.25) / 0.75 = 0.422: no move flips it
    assert s.potensi_dominan.iloc[1] == "permukiman" and s.stabilitas_potensi.iloc[1] == 1.0


@pytest.mark.slow
def test_gorontalo_perikanan_wins_where_tambak_dominates(gorontalo_desa_path, gorontalo_lulc_path, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from kawasan_gis.indicators import build_indicators
    from kawasan_gis.io import read_class_layer, read_villages
    from kawasan_gis.vocab import apply_mapping

    desa = read_villages(gorontalo_desa_path)
    lulc = read_class_layer(gorontalo_lulc_path, kind="landuse", working_crs=desa.crs)
    lulc, _ = apply_mapping(lulc, kind="landuse", column="penggunaan_lahan", mapping=None, template_path=tmp_path / "t.toml")
    ind = build_indicators(desa, landuse=lulc)
    s = score_potentials(ind, groups=desa.set_index("kode_desa")["kode_kab"])
    classes = [c for c in ind.columns if c.startswith("pct_landuse_") and c != "pct_landuse_unmapped"]
    tambak_first = ind[classes].idxmax(axis=1) == "pct_landuse_tambak"
    assert ((s.potensi_dominan == "perikanan") & tambak_first).sum() >= 1
    # perikanan is silent where the village has no tambak (no fisheries zoning without an RTRW)
    no_tambak = ind["pct_landuse_tambak"].fillna(0) == 0
    assert s.loc[no_tambak, "skor_perikanan"].isna().all()
    # the land-use layer covers ~8 %: a village it maps under a third of cannot reach 0.2 evidence
    # (no potential has more than 0.6 of its weight in land use: 0.6 x 0.33 < 0.2), so it is data kurang
    thin = ind["pct_landuse_unmapped"] > 67
    assert (s.loc[thin, "status_potensi"] == "data_kurang").all() and thin.sum() > 150


def test_peternakan_scored_on_its_zoning_and_left_out_where_the_plan_has_none() -> None:
    """Livestock zoning alone (0.3 of the weight) scores peternakan; an RTRW with no livestock zone says nothing."""
    ind = pd.DataFrame(
        {"luas_ha": [100.0, 100.0], "pct_rtrw_unmapped": [0.0, 0.0], "pct_rtrw_peternakan": [60.0, 0.0], "pct_rtrw_pertanian": [40.0, 100.0]},
        index=CODES[:2],
    )
    s = score_potentials(ind)
    # peternakan zoning 0.6, 0 over 100 ha each: kabupaten 0.3, LQ 2 -> 0.5 x 0.6 + 0.5 x 1 = 0.8; village 2: 0
    np.testing.assert_allclose(s.skor_peternakan, [0.8, 0.0])
    # pertanian zoning 0.4, 1.0: kabupaten 0.7, LQ 0.571 -> 0.2 + 0.143 = 0.343 in village 1
    assert s.skor_pertanian_unggulan.iloc[0] == pytest.approx(0.2 + 0.5 * (0.4 / 0.7) / 2)
    assert s.potensi_dominan.tolist() == ["peternakan", "pertanian_unggulan"]
    no_zone = score_potentials(ind.assign(pct_rtrw_peternakan=0.0, pct_rtrw_pertanian=100.0))
    assert no_zone.skor_peternakan.isna().all()
    assert no_zone.attrs["missing"]["peternakan.zonasi_peternakan"].text("en") == "not in the layer anywhere in all: not informative"


def test_thin_evidence_leads_with_its_cause_and_names_indicators_by_label() -> None:
    from kawasan_gis.potential import thin_evidence

    # 4 scored villages, none without data: thin only because the median strength (0.3 + 0.4) / 2 = 0.35 < 0.5
    weak = pd.DataFrame({
        "status_potensi": ["dinilai"] * 4,
        "kekuatan_bukti": [0.2, 0.3, 0.4, 0.9],
        "indikator_dipakai": ["jarak_pusat_kegiatan,tambak", "jarak_pusat_kegiatan", "jarak_pusat_kegiatan", "tambak"],
    })
    msg = thin_evidence(weak)
    assert msg.text("id") == (
        "bukti tipis: median kekuatan bukti desa yang dinilai 0,35 (di bawah 0,50); "
        "indikator yang dipakai: dekat pusat kegiatan (3 desa), tambak (2 desa)"
    )
    assert msg.text("en") == (
        "thin evidence: median evidence strength of the scored villages 0.35 (below 0.50); "
        "indicators used: near an activity centre (3 villages), fish ponds (2 villages)"
    )
    # 2 of 5 villages without data (40 % > 25 %), strong median: that is the cause, and the only one named
    sparse = pd.DataFrame({
        "status_potensi": ["dinilai", "dinilai", "dinilai", "data_kurang", "data_kurang"],
        "kekuatan_bukti": [0.8, 0.9, 0.7, 0.0, 0.0],
        "indikator_dipakai": ["tambak", "tambak", "tambak", "", ""],
    })
    assert thin_evidence(sparse).text("id") == "bukti tipis: 2 dari 5 desa data kurang (lebih dari 25 %); indikator yang dipakai: tambak (3 desa)"
    assert thin_evidence(sparse.iloc[:4]) is None  # 1 of 4 = 25 %, median 0.8: not thin
