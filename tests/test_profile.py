"""Four-pillar profile, IDM join and status, programme catalogue (kawasan_gis.profile)."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kawasan_gis.errors import ConfigError, FieldError
from kawasan_gis.profile import PILLARS, idm_status, join_idm, load_program, profile_kawasan

from conftest import DATA

IDM_CSV = DATA / "idm2024" / "idm2024_lampung_timur_gorontalo.csv"


def test_idm_status_thresholds() -> None:
    # Mandiri > 0.8155, Maju > 0.7072, Berkembang > 0.5989, Tertinggal > 0.4907, else Sangat Tertinggal
    values = pd.Series([0.8156, 0.8155, 0.7073, 0.7072, 0.5990, 0.5989, 0.4908, 0.4907, 0.0, np.nan])
    assert idm_status(values).tolist() == [
        "Mandiri", "Maju", "Maju", "Berkembang", "Berkembang", "Tertinggal", "Tertinggal",
        "Sangat Tertinggal", "Sangat Tertinggal", None,
    ]  # fmt: skip


def test_join_idm_lampung_timur_matches_the_file(recwarn: pytest.WarningsRecorder) -> None:
    desa = gpd.read_file(DATA / "rtrw_lampung_timur" / "desa_lampung_timur.gpkg", layer="desa")
    desa = desa.rename(columns={"kode_desa": "dotted", "kode_desa_10": "kode_desa"})
    idm = join_idm(desa, IDM_CSV)
    assert idm.attrs["tahun"] == 2024
    assert idm["idm"].notna().sum() == 264  # every Lampung Timur desa (SOURCE.md)
    # the rows of Gorontalo and Pohuwato in the same file are not reported as mismatches
    # (an IDM table covers more than the study area)
    assert not [w for w in recwarn.list if "match no village" in str(w.message)]
    raw = pd.read_csv(IDM_CSV, dtype={"kode_desa": str}).set_index("kode_desa")
    assert idm["iks"].to_dict() == pytest.approx(raw.loc[idm.index, "iks_2024"].to_dict())
    # the recomputed status agrees with the official one in the file
    assert (idm["status_idm"].str.upper() == raw.loc[idm.index, "status_2024"]).all()


def test_join_idm_errors() -> None:
    villages = pd.DataFrame({"kode_desa": ["1807012001"]})
    with pytest.raises(FieldError, match="ikl"):
        join_idm(villages, pd.DataFrame({"kode_desa": ["1807012001"], "idm": [0.7], "iks": [0.7], "ike": [0.7]}))
    with pytest.raises(FieldError, match="tidak cocok dengan desa mana pun"):
        join_idm(villages, pd.DataFrame({"kode_desa": ["7501012001"], "idm": [0.7], "iks": [0.7], "ike": [0.7], "ikl": [0.7]}))
    with pytest.raises(FieldError, match="di luar 0-1"):
        join_idm(villages, pd.DataFrame({"kode_desa": ["1807012001"], "idm": [70], "iks": [0.7], "ike": [0.7], "ikl": [0.7]}))


def _villages() -> pd.DataFrame:
    # K1: villages a, b, c; K2: d, e; f outside every kawasan (still a reference for percentiles)
    return pd.DataFrame(
        {
            "kawasan_id": ["K1", "K1", "K1", "K2", "K2", None],
            "iks": [0.9, 0.7, np.nan, 0.6, 0.8, 0.5],
            "ike": [0.6, 0.5, np.nan, np.nan, np.nan, 0.5],
            "ikl": [0.8, 0.6, np.nan, 0.4, 0.6, 0.5],
            "status_idm": ["Mandiri", "Berkembang", None, "Berkembang", "Maju", "Tertinggal"],
            "jarak_km_pendidikan": [0.0, 3.0, 8.0, 1.0, 2.0, 9.0],
            "jalan_km_per_km2": [4.0, 1.0, 2.0, 3.0, 5.0, 6.0],
            "jarak_pusat_km": [0.0, 4.0, 12.0, 0.0, 9.0, np.nan],
            "skor_potensi_kawasan": [0.8, 0.4, 0.6, np.nan, np.nan, 0.1],
        },
        index=pd.Index(list("abcdef"), name="kode_desa"),
    )


def test_profile_hand_computed() -> None:
    v = _villages()
    kaw = pd.DataFrame({"pct_X": [10.0, 0.0], "ha_lindung": [100.0, 0.0], "ha_lindung_X": [25.0, 0.0]}, index=["K1", "K2"])
    fac = pd.DataFrame({"sma": [1, 0, 0, 0, 0, 1], "pasar": [0, 0, 0, 0, 0, 1]}, index=v.index)
    p = profile_kawasan(v, kawasan=kaw, facilities=fac, access_km=5.0, beyond_km=10.0)
    t = p.table
    # K1 pemberdayaan: iks mean(0.9, 0.7) = 0.8; akses_pendidikan a 0, b 3 within 5 km, c 8 not -> 2/3
    # pillar = mean(0.8, 2/3) = 0.7333 (no health data: left out)
    assert t.loc["K1", "komp_iks"] == pytest.approx(0.8)
    assert t.loc["K1", "komp_akses_pendidikan"] == pytest.approx(2 / 3)
    assert math.isnan(t.loc["K1", "komp_akses_kesehatan"])
    assert t.loc["K1", "pilar_pemberdayaan"] == pytest.approx((0.8 + 2 / 3) / 2)
    # road density percentile ranks over all six villages (1, 2, 3, 4, 5, 6 km/km2 -> 1/6 .. 6/6):
    # a 4 -> 4/6, b 1 -> 1/6, c 2 -> 2/6: mean 7/18; K2: d 3 -> 3/6, e 5 -> 5/6: mean 2/3
    assert t.loc["K1", "komp_kepadatan_jalan"] == pytest.approx(7 / 18)
    assert t.loc["K2", "komp_kepadatan_jalan"] == pytest.approx(2 / 3)
    # facility coverage: the system has 2 types (sma, pasar, both in f); K1 has sma -> 1/2; K2 none -> 0
    assert t.loc["K1", "komp_cakupan_fasilitas"] == pytest.approx(0.5)
    assert t.loc["K2", "komp_cakupan_fasilitas"] == pytest.approx(0.0)
    # within 10 km of the centre: K1 a, b yes, c 12 no -> 2/3; K2 both -> 1
    assert t.loc["K1", "komp_jarak_pusat"] == pytest.approx(2 / 3)
    assert t.loc["K1", "pilar_infrastruktur"] == pytest.approx((7 / 18 + 0.5 + 2 / 3) / 3)
    # sosial_ekonomi K1: ike mean(0.6, 0.5) = 0.55; potential mean(0.8, 0.4, 0.6) = 0.6 -> 0.575
    assert t.loc["K1", "pilar_sosial_ekonomi"] == pytest.approx(0.575)
    # K2 has neither IKE, nor markets, nor potential scores: the pillar is missing, not 0
    assert math.isnan(t.loc["K2", "pilar_sosial_ekonomi"])
    assert p.pillar_text("K2", "sosial_ekonomi") == "tidak ada data"
    assert p.pillar_text("K2", "sosial_ekonomi", "en") == "no data"
    # lingkungan_budaya K1: ikl 0.7; lindung kept 1 - 25/100 = 0.75; not X 1 - 0.10 = 0.9 -> mean 0.7833
    assert t.loc["K1", "pilar_lingkungan_budaya"] == pytest.approx((0.7 + 0.75 + 0.9) / 3)
    # K2 holds no protected land: that component does not apply (ikl 0.5, not X 1.0 -> 0.75)
    assert math.isnan(t.loc["K2", "komp_lindung_terjaga"])
    assert t.loc["K2", "pilar_lingkungan_budaya"] == pytest.approx(0.75)
    # IDM status mix
    assert t.loc["K1", "status_idm"] == "Mandiri 1, Berkembang 1"
    assert (t.loc["K1", "idm_mandiri"], t.loc["K1", "idm_berkembang"], t.loc["K1", "idm_tanpa_data"]) == (1, 1, 1)
    # weakest pillar of K1: pemberdayaan 0.733, infrastruktur 0.519, sosial_ekonomi 0.575, lingkungan 0.783
    assert t.loc["K1", "pilar_terlemah"] == "infrastruktur"
    assert t.loc["K1", "fokus_program"].startswith("Infrastruktur dan sarana prasarana: ")
    assert t.loc["K1", "fokus_program_en"].startswith("Infrastructure and facilities: ")
    assert "tidak ada data" in p.sources["sosial_ekonomi"]["akses_ekonomi"]
    assert p.sources["pemberdayaan"]["iks"] == "IDM: IKS"


def test_profile_without_any_data_and_bad_input() -> None:
    v = pd.DataFrame({"kawasan_id": ["K1", "K1"]}, index=["a", "b"])
    t = profile_kawasan(v).table
    assert all(math.isnan(t.loc["K1", f"pilar_{p}"]) for p in PILLARS)
    assert t.loc["K1", "pilar_terlemah"] is None and t.loc["K1", "status_idm"] == "tidak ada data"
    with pytest.raises(FieldError, match="kawasan_id"):
        profile_kawasan(pd.DataFrame({"iks": [0.5]}))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["K1", "K2", None]),
            st.one_of(st.none(), st.floats(0, 1)),
            st.one_of(st.none(), st.floats(0, 50)),
            st.one_of(st.none(), st.floats(0, 20)),
            st.one_of(st.none(), st.floats(0, 100)),
        ),
        min_size=1,
        max_size=12,
    ),
    st.floats(0, 100),
)
def test_pillars_are_in_unit_interval_or_missing(rows: list[tuple], pct_x: float) -> None:
    v = pd.DataFrame(rows, columns=["kawasan_id", "iks", "jarak_km_kesehatan", "jalan_km_per_km2", "ha_budaya_wisata"])
    v.index = [f"d{i}" for i in range(len(v))]
    kaw = pd.DataFrame({"pct_X": [pct_x, pct_x]}, index=["K1", "K2"])
    t = profile_kawasan(v.astype({c: float for c in v.columns[1:]}), kawasan=kaw).table
    for p in PILLARS:
        if len(t):
            values = t[f"pilar_{p}"].to_numpy(dtype=float)
            assert np.all(np.isnan(values) | ((values >= 0) & (values <= 1)))


def test_program_catalogue_override(tmp_path) -> None:
    cat = load_program({"pilar": {"infrastruktur": {"program": "Jalan usaha tani"}}})
    assert cat.pillars["infrastruktur"].program == "Jalan usaha tani"
    assert cat.pillars["infrastruktur"].nama == "Infrastruktur dan sarana prasarana"
    assert cat.component("iks", "en").startswith("IKS")
    bad = tmp_path / "program.toml"
    bad.write_text('[pilar.ekonomi]\nprogram = "x"\n[komponen]\niks = "one"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_program(bad)
    assert "pilar.ekonomi" in str(err.value) and "komponen" in str(err.value)
