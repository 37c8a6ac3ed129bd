"""Vocabulary gaps of real RTRW/RDTR layers: combined classes, lindung geologi, rawan bencana,
mining sub-zones, and a standard RDTR layer with the zone list of Permen ATR/BPN 11/2021.

Expected statuses are read off by hand from ``data/itbx.toml`` (the rows of the parts), not
recomputed with the code's own rule.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from conftest import X0, Y0
from kawasan_gis.check import check_plan, read_plan
from kawasan_gis.errors import ConfigError
from kawasan_gis.vocab import ITBX_KEY, apply_mapping, load_itbx, load_vocabulary, match_classes

POTENTIALS = ("peternakan", "hutan_tanaman_industri", "pertanian_unggulan", "permukiman", "perekonomian", "perikanan", "pariwisata")


def _one(value: str) -> tuple[str | None, tuple[str, ...]]:
    (r,) = match_classes([value], kind="rtrw")
    return r.code, r.parts


# --------------------------------------------------------------------------- combined classes


@pytest.mark.parametrize(
    ("raw", "code", "parts"),
    [
        ("Cagar Alam/Kawasan Tanaman Pangan", "suaka_alam", ("suaka_alam", "tanaman_pangan")),
        ("Kawasan Ekosistem Mangrove/Kawasan Tanaman Pangan", "ekosistem_mangrove", ("ekosistem_mangrove", "tanaman_pangan")),
        # the protected part leads whatever the order the layer wrote them in
        ("Kawasan Tanaman Pangan / Kawasan Ekosistem Mangrove", "ekosistem_mangrove", ("ekosistem_mangrove", "tanaman_pangan")),
        ("Taman Wisata Alam + Pertanian Tanaman Pangan", "taman_wisata_alam", ("taman_wisata_alam", "tanaman_pangan")),
        # both parts one class: a plain value, no combined key
        ("Sawah/Tanaman Pangan", "tanaman_pangan", ()),
    ],
)
def test_combined_class_is_its_protected_part_with_all_parts_kept(raw: str, code: str, parts: tuple[str, ...]) -> None:
    assert _one(raw) == (code, parts)


def test_combined_value_with_an_unknown_part_is_matched_as_a_whole() -> None:
    # "Register 38" is no class: the value is read by its head, as before
    assert _one("HL Gunung Balak/Register 38") == ("hutan_lindung", ())


def test_combined_class_takes_the_stricter_status_of_its_parts_for_each_potential() -> None:
    itbx = load_itbx()
    # itbx.toml rows: ekosistem_mangrove X everywhere but pariwisata B; tanaman_pangan
    # peternakan T, HTI X, pertanian I, permukiman B, perekonomian B, perikanan T, pariwisata B
    mangrove_pangan = dict(zip(POTENTIALS, "XXXXXXB", strict=True))
    # taman_wisata_alam X everywhere but pariwisata T: tanaman_pangan's B is stricter there
    twa_pangan = dict(zip(POTENTIALS, "XXXXXXB", strict=True))
    # perkebunan (peternakan B, HTI B, pertanian I, permukiman B, perekonomian B, perikanan B,
    # pariwisata B) with industri (X X X T I X X)
    kebun_industri = dict(zip(POTENTIALS, "XXXBBXX", strict=True))
    for key, expected in (
        ("ekosistem_mangrove+tanaman_pangan", mangrove_pangan),
        ("taman_wisata_alam+tanaman_pangan", twa_pangan),
        ("perkebunan+industri", kebun_industri),
    ):
        assert {p: itbx.status(p, key) for p in POTENTIALS} == expected, key
    assert itbx.status("pariwisata", "taman_wisata_alam") == "T"  # the protected part alone is looser
    # overlays still tighten a combined key
    assert itbx.status("perekonomian", "perkebunan+industri") == "B"
    assert itbx.status("perekonomian", "perkebunan+industri", lp2b=True) == "X"
    with pytest.raises(ConfigError, match="'kebun'"):
        itbx.status("perekonomian", "perkebunan+kebun")


def test_apply_mapping_adds_the_itbx_key_only_for_combined_values() -> None:
    geoms = [box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)]
    layer = gpd.GeoDataFrame(
        {"NAMOBJ": ["Kawasan Ekosistem Mangrove/Kawasan Tanaman Pangan", "Hutan Lindung", None]}, geometry=geoms, crs="EPSG:32748"
    )
    out, _ = apply_mapping(layer, kind="rtrw")
    assert out["kelas"].tolist()[:2] == ["ekosistem_mangrove", "hutan_lindung"]
    assert out[ITBX_KEY].tolist()[:2] == ["ekosistem_mangrove+tanaman_pangan", "hutan_lindung"]
    assert out[ITBX_KEY].isna().tolist() == [False, False, True]
    plain, _ = apply_mapping(layer.iloc[1:2], kind="rtrw")
    assert ITBX_KEY not in plain.columns


def _perkebunan_industri() -> gpd.GeoDataFrame:
    # villages 1-4 (bottom row, 400 ha): left half "Perkebunan/Industri" (two budidaya classes,
    # kelas industri by priority), right half industri. A perekonomian kawasan is I on industri
    # alone but B on the combined zone, because it is B on perkebunan (itbx.toml).
    raw = gpd.GeoDataFrame(
        {"NAMOBJ": ["Kawasan Perkebunan/Kawasan Peruntukan Industri", "Kawasan Peruntukan Industri"]},
        geometry=[box(X0, Y0, X0 + 2000, Y0 + 4000), box(X0 + 2000, Y0, X0 + 4000, Y0 + 4000)],
        crs="EPSG:32748",
    )
    rtrw, _ = apply_mapping(raw, kind="rtrw")
    assert rtrw["kelas"].tolist() == ["industri", "industri"]
    return rtrw


def test_check_reads_a_combined_zone_with_the_stricter_status(grid: gpd.GeoDataFrame) -> None:
    rtrw = _perkebunan_industri()
    plan = read_plan(pd.DataFrame({"kode_desa": [f"18070120{k:02d}" for k in (1, 2, 3, 4)], "kawasan_id": "K1", "potensi": "perekonomian"}), grid)
    row = check_plan(plan, rtrw).kawasan.iloc[0]
    assert (row.ha_I, row.ha_T, row.ha_B, row.ha_X) == pytest.approx((200, 0, 200, 0))
    # without the key (kelas alone) the same area would be I: the key matters
    alone = check_plan(plan, rtrw.drop(columns=[ITBX_KEY])).kawasan.iloc[0]
    assert (alone.ha_I, alone.ha_B) == pytest.approx((400, 0))
    per_kelas = check_plan(plan, rtrw, include_conditional_conflicts=True)
    assert set(per_kelas.conflicts["kelas"]) == {"industri"}  # shown under kelas, not the key


def test_a_combined_zone_with_a_lindung_part_is_kept_lindung(grid: gpd.GeoDataFrame) -> None:
    raw = gpd.GeoDataFrame(
        {"NAMOBJ": ["Taman Wisata Alam/Kawasan Tanaman Pangan", "Kawasan Pariwisata"]},
        geometry=[box(X0, Y0, X0 + 2000, Y0 + 4000), box(X0 + 2000, Y0, X0 + 4000, Y0 + 4000)],
        crs="EPSG:32748",
    )
    rtrw, _ = apply_mapping(raw, kind="rtrw")
    plan = read_plan(pd.DataFrame({"kode_desa": [f"18070120{k:02d}" for k in (1, 2, 3, 4)], "kawasan_id": "K1", "potensi": "pariwisata"}), grid)
    row = check_plan(plan, rtrw).kawasan.iloc[0]
    assert (row.ha_I, row.ha_L) == pytest.approx((200, 200))


def test_studio_live_check_reads_combined_zones_the_same_way(grid: gpd.GeoDataFrame) -> None:
    from kawasan_gis.check import load_check_config
    from kawasan_gis.regionalize import Limits
    from kawasan_gis.studio import LiveCheck
    from kawasan_gis.studio.plan import Kawasan, PlanState

    rtrw = _perkebunan_industri()
    live = LiveCheck(grid, rtrw, itbx=load_itbx(), config=load_check_config(), limits=Limits(2, None, None), include_conditional=True)
    state = PlanState(member={f"18070120{k:02d}": "K1" for k in (1, 2, 3, 4)}, kawasan=(Kawasan("K1", "Satu", "perekonomian"),))
    fig = live.evaluate(state, ["K1"])["K1"]
    assert (fig.row["ha_T"], fig.row["ha_B"], fig.row["ha_I"]) == pytest.approx((0, 200, 200))
    assert set(fig.conflicts["kelas"]) == {"industri"}


# --------------------------------------------------------------------------- new classes


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("Kawasan Imbuhan Air Tanah", "lindung_geologi"),
        ("Kawasan Imbuhan Air Tanah Bandung-Soreang", "lindung_geologi"),
        ("Kawasan Cagar Alam Geologi", "lindung_geologi"),
        ("Cagar Alam Geologi Karangsambung", "lindung_geologi"),
        ("Kawasan Bentang Alam Karst", "lindung_geologi"),
        ("Cagar Alam Gunung Tilu", "suaka_alam"),  # the shorter head still leads plain cagar alam
        ("Sempadan Mata Air", "perlindungan_setempat"),
        ("Pertambangan Mineral Bukan Logam", "pertambangan"),
        ("Kawasan Peruntukan Pertambangan Batuan", "pertambangan"),
        ("Pertambangan Mineral Bukan Logam dan Batuan", "pertambangan"),
        ("Kawasan Rawan Bencana Banjir", "rawan_bencana"),
        ("Kawasan Rawan Tanah Longsor", "rawan_bencana"),
        ("Rawan Bencana Tsunami", "rawan_bencana"),
        ("Kawasan Rawan Gempa Bumi", "rawan_bencana"),
        ("Sempadan Sesar Lembang", "rawan_bencana"),
        ("Sempadan Sungai Citarum", "perlindungan_setempat"),  # sempadan still leads plain setbacks
        ("KRB", "rawan_bencana"),
    ],
)
def test_lindung_geologi_mining_and_disaster_prone_values(raw: str, code: str) -> None:
    assert _one(raw) == (code, ())


def test_new_classes_are_lindung_where_they_protect() -> None:
    v = load_vocabulary("rtrw")
    assert v.group("lindung_geologi") == v.group("rawan_bencana") == "lindung"
    budidaya_top = max(c.priority for c in v if c.group == "budidaya")
    assert min(v["lindung_geologi"].priority, v["rawan_bencana"].priority) > budidaya_top


# --------------------------------------------------------------------------- a standard RDTR layer

# The zones and sub-zones of Permen ATR/BPN 11/2021 as a standard RDTR layer writes them
# (NAMZON, KODZON, NAMSZN, KODSZN; NAMOBJ = the sub-zone name, or the zone name where there is
# none) and the class each must land on. See docs/vocab.md, "RDTR zones", for the sources.
RDTR = [
    # zona lindung
    ("Zona Hutan Lindung", "HL", "", "HL", "hutan_lindung"),
    ("Zona Lindung Gambut", "LG", "", "LG", "lindung_gambut"),
    ("Zona Perlindungan Setempat", "PS", "Sempadan Pantai", "PS-1", "perlindungan_setempat"),
    ("Zona Perlindungan Setempat", "PS", "Sempadan Sungai", "PS-2", "perlindungan_setempat"),
    ("Zona Perlindungan Setempat", "PS", "Sempadan Danau atau Waduk", "PS-3", "perlindungan_setempat"),
    ("Zona Perlindungan Setempat", "PS", "Sempadan Mata Air", "PS-4", "perlindungan_setempat"),
    ("Zona Ruang Terbuka Hijau", "RTH", "Rimba Kota", "RTH-1", "rth"),
    ("Zona Ruang Terbuka Hijau", "RTH", "Taman Kota", "RTH-2", "rth"),
    ("Zona Ruang Terbuka Hijau", "RTH", "Taman Kecamatan", "RTH-3", "rth"),
    ("Zona Ruang Terbuka Hijau", "RTH", "Taman Kelurahan", "RTH-4", "rth"),
    ("Zona Ruang Terbuka Hijau", "RTH", "Taman RW", "RTH-5", "rth"),
    ("Zona Ruang Terbuka Hijau", "RTH", "Taman RT", "RTH-6", "rth"),
    ("Zona Ruang Terbuka Hijau", "RTH", "Pemakaman", "RTH-7", "rth"),
    ("Zona Ruang Terbuka Hijau", "RTH", "Jalur Hijau", "RTH-8", "rth"),
    ("Zona Konservasi", "KS", "Cagar Alam", "CA", "suaka_alam"),
    ("Zona Konservasi", "KS", "Suaka Margasatwa", "SM", "suaka_alam"),
    ("Zona Konservasi", "KS", "Taman Nasional", "TN", "taman_nasional"),
    ("Zona Konservasi", "KS", "Taman Hutan Raya", "THR", "tahura"),
    ("Zona Konservasi", "KS", "Taman Wisata Alam", "TWA", "taman_wisata_alam"),
    ("Zona Cagar Budaya", "CB", "", "CB", "cagar_budaya"),
    ("Zona Ekosistem Mangrove", "EM", "", "EM", "ekosistem_mangrove"),
    ("Zona Badan Air", "BA", "", "BA", "badan_air"),
    # zona budi daya
    ("Zona Badan Jalan", "BJ", "", "BJ", "transportasi"),
    ("Zona Hutan Produksi", "KHP", "Hutan Produksi Terbatas", "HPT", "hutan_produksi_terbatas"),
    ("Zona Hutan Produksi", "KHP", "Hutan Produksi Tetap", "HP", "hutan_produksi_tetap"),
    ("Zona Hutan Produksi", "KHP", "Hutan Produksi Konversi", "HPK", "hutan_produksi_konversi"),
    ("Zona Perkebunan Rakyat", "KR", "", "KR", "perkebunan_rakyat"),
    ("Zona Pertanian", "P", "Tanaman Pangan", "P-1", "tanaman_pangan"),
    ("Zona Pertanian", "P", "Hortikultura", "P-2", "hortikultura"),
    ("Zona Pertanian", "P", "Perkebunan", "P-3", "perkebunan"),
    ("Zona Pertanian", "P", "Peternakan", "P-4", "peternakan"),
    ("Zona Perikanan", "IK", "Perikanan Tangkap", "IK-1", "perikanan_tangkap"),
    ("Zona Perikanan", "IK", "Perikanan Budi Daya", "IK-2", "perikanan_budidaya"),
    ("Zona Pergaraman", "", "", "", "pergaraman"),
    ("Zona Pertambangan", "", "Mineral Logam", "", "pertambangan"),
    ("Zona Pertambangan", "", "Mineral Bukan Logam", "", "pertambangan"),
    ("Zona Pertambangan", "", "Batuan", "", "pertambangan"),
    ("Zona Pertambangan", "", "Batubara", "", "pertambangan"),
    ("Zona Pertambangan", "", "Panas Bumi", "", "pertambangan"),
    ("Zona Pertambangan", "", "Minyak dan Gas Bumi", "", "pertambangan"),
    ("Zona Pembangkitan Tenaga Listrik", "PTL", "", "PTL", "pembangkitan_listrik"),
    ("Zona Kawasan Peruntukan Industri", "KPI", "", "KPI", "industri"),
    ("Zona Pariwisata", "W", "", "W", "pariwisata"),
    ("Zona Perumahan", "R", "Perumahan Kepadatan Sangat Tinggi", "R-1", "permukiman"),
    ("Zona Perumahan", "R", "Perumahan Kepadatan Tinggi", "R-2", "permukiman"),
    ("Zona Perumahan", "R", "Perumahan Kepadatan Sedang", "R-3", "permukiman"),
    ("Zona Perumahan", "R", "Perumahan Kepadatan Rendah", "R-4", "permukiman"),
    ("Zona Perumahan", "R", "Perumahan Kepadatan Sangat Rendah", "R-5", "permukiman"),
    ("Zona Sarana Pelayanan Umum", "SPU", "SPU Skala Kota", "SPU-1", "permukiman"),
    ("Zona Sarana Pelayanan Umum", "SPU", "SPU Skala Kecamatan", "SPU-2", "permukiman"),
    ("Zona Sarana Pelayanan Umum", "SPU", "SPU Skala Kelurahan", "SPU-3", "permukiman"),
    ("Zona Sarana Pelayanan Umum", "SPU", "SPU Skala RW", "SPU-4", "permukiman"),
    ("Zona Ruang Terbuka Non Hijau", "RTNH", "", "RTNH", "rtnh"),
    ("Zona Campuran", "C", "Campuran Intensitas Tinggi", "C-1", "permukiman"),
    ("Zona Campuran", "C", "Campuran Intensitas Menengah", "C-2", "permukiman"),
    ("Zona Perdagangan dan Jasa", "K", "Perdagangan dan Jasa Skala Kota", "K-1", "permukiman"),
    ("Zona Perdagangan dan Jasa", "K", "Perdagangan dan Jasa Skala WP", "K-2", "permukiman"),
    ("Zona Perdagangan dan Jasa", "K", "Perdagangan dan Jasa Skala SWP", "K-3", "permukiman"),
    ("Zona Perkantoran", "KT", "", "KT", "permukiman"),
    ("Zona Pengembangan Nuklir", "", "", "", "pengembangan_nuklir"),
    ("Zona Pengelolaan Persampahan", "PP", "", "PP", "pengelolaan_persampahan"),
    ("Zona Transportasi", "TR", "", "TR", "transportasi"),
    ("Zona Pertahanan dan Keamanan", "HK", "", "HK", "pertahanan_keamanan"),
    ("Zona Peruntukan Lainnya", "PL", "Tempat Evakuasi Bencana", "", "peruntukan_lainnya"),
    ("Zona Peruntukan Lainnya", "PL", "Instalasi Pengolahan Air Minum", "", "instalasi_air"),
    ("Zona Peruntukan Lainnya", "PL", "Instalasi Pengolahan Air Limbah", "", "instalasi_air"),
    ("Zona Peruntukan Lainnya", "PL", "Pergudangan", "", "peruntukan_lainnya"),
    ("Zona Peruntukan Lainnya", "PL", "", "PL", "peruntukan_lainnya"),
]
INFRASTRUCTURE = {"pembangkitan_listrik", "instalasi_air", "pengelolaan_persampahan", "pengembangan_nuklir", "peruntukan_lainnya", "rtnh"}


@pytest.fixture(scope="module")
def rdtr_layer() -> gpd.GeoDataFrame:
    rows = [
        {"NAMOBJ": szn or zon, "NAMZON": zon, "KODZON": kz, "NAMSZN": szn, "KODSZN": ks, "JNSRPR": "", "WADMKD": "Desa Contoh", "expected": code}
        for zon, kz, szn, ks, code in RDTR
    ]
    frame = pd.DataFrame(rows)
    frame["JNSRPR"] = ["Zona Lindung" if load_vocabulary("rtrw").group(c) == "lindung" else "Zona Budi Daya" for c in frame["expected"]]
    geoms = [box(i * 100, 0, i * 100 + 100, 100) for i in range(len(frame))]
    return gpd.GeoDataFrame(frame, geometry=geoms, crs="EPSG:32748")


def test_standard_rdtr_layer_maps_with_no_mapping_file(rdtr_layer: gpd.GeoDataFrame) -> None:
    out, mapping = apply_mapping(rdtr_layer.drop(columns="expected"), kind="rtrw")  # NAMOBJ found by name
    assert not mapping.unmatched
    assert {r.method for r in mapping} <= {"exact", "synonym"}  # nothing guessed
    wrong = [(n, got, exp) for n, got, exp in zip(rdtr_layer["NAMOBJ"], out["kelas"], rdtr_layer["expected"], strict=True) if got != exp]
    assert wrong == []


def test_rdtr_codes_alone_give_the_same_classes(rdtr_layer: gpd.GeoDataFrame) -> None:
    coded = rdtr_layer[rdtr_layer["KODSZN"] != ""]
    assert len(coded) >= 50
    out, mapping = apply_mapping(coded.drop(columns="expected"), kind="rtrw", column="KODSZN")
    assert not mapping.unmatched
    assert out["kelas"].tolist() == coded["expected"].tolist()
    zones = rdtr_layer[rdtr_layer["KODZON"] != ""].drop_duplicates("KODZON")
    # zone codes of zones with sub-zones fall on the family's class (P -> pertanian, KS -> konservasi)
    by_zone = match_classes(zones["KODZON"], kind="rtrw").as_dict()
    assert not [z for z in zones["KODZON"] if z not in by_zone]
    assert (by_zone["P"], by_zone["KS"], by_zone["R"], by_zone["PP"], by_zone["PTL"]) == (
        "pertanian", "kawasan_konservasi", "permukiman", "pengelolaan_persampahan", "pembangkitan_listrik"
    )


def test_every_rdtr_zone_has_an_itbx_row(rdtr_layer: gpd.GeoDataFrame) -> None:
    itbx = load_itbx()
    table = itbx.table()
    for code in set(rdtr_layer["expected"]):
        assert code in table.columns, code
        assert table[code].isin(["I", "T", "B", "X"]).all(), code
    # infrastructure and special-purpose zones are kept for their facility: settlement is X,
    # economic activity at most B (conditional)
    for code in INFRASTRUCTURE:
        assert itbx.status("permukiman", code) == "X", code
        assert itbx.status("perekonomian", code) in {"T", "B", "X"}, code
    for code in ("pembangkitan_listrik", "instalasi_air", "pengembangan_nuklir"):
        assert set(table[code]) == {"X"}, code
    # lindung zones of the RDTR forbid every mission potential
    lindung = {c for c in set(rdtr_layer["expected"]) if load_vocabulary("rtrw").group(c) == "lindung"}
    assert lindung >= {"rth", "suaka_alam", "hutan_lindung", "perlindungan_setempat"}
    for code in lindung:
        assert set(table.loc[["peternakan", "hutan_tanaman_industri", "pertanian_unggulan", "permukiman", "perekonomian"], code]) == {"X"}, code
