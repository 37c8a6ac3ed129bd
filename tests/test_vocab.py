"""Tests of kawasan_gis.vocab: vocabularies, the normaliser and matcher, mapping files, potentials, ITBX."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import box

from kawasan_gis.errors import ClassMappingError, ConfigError, FieldError, ReviewWarning
from kawasan_gis.vocab import (
    STATUSES,
    apply_mapping,
    find_class_column,
    load_itbx,
    load_potentials,
    load_vocabulary,
    match_classes,
    normalise,
    read_mapping,
    write_template,
)

DATA_PKG = Path(__file__).resolve().parents[1] / "kawasan_gis" / "data"

# docs/design.md fixes these codes.
RTRW_CODES = (
    "badan_air hutan_lindung perlindungan_setempat perlindungan_bawahan lindung_gambut suaka_alam "
    "taman_nasional tahura taman_wisata_alam kawasan_konservasi ekosistem_mangrove cagar_budaya rth "
    "lindung_geologi rawan_bencana "
    "hutan_produksi_terbatas hutan_produksi_tetap hutan_produksi_konversi hutan_rakyat pertanian "
    "tanaman_pangan hortikultura perkebunan perkebunan_rakyat peternakan perikanan perikanan_tangkap "
    "perikanan_budidaya pertambangan pergaraman industri pariwisata permukiman permukiman_perkotaan "
    "permukiman_perdesaan transportasi pertahanan_keamanan "
    "pembangkitan_listrik instalasi_air pengelolaan_persampahan pengembangan_nuklir rtnh peruntukan_lainnya"
).split()
LANDCOVER_CODES = (
    "hutan_lahan_kering_primer hutan_lahan_kering_sekunder hutan hutan_mangrove_primer "
    "hutan_mangrove_sekunder mangrove hutan_rawa_primer hutan_rawa_sekunder hutan_tanaman semak_belukar "
    "belukar_rawa savana perkebunan pertanian_lahan_kering pertanian_lahan_kering_campur pertanian sawah "
    "tambak permukiman bandara_pelabuhan transmigrasi tanah_terbuka pertambangan tubuh_air rawa awan salju lumut"
).split()
LINDUNG = {
    "badan_air", "hutan_lindung", "perlindungan_setempat", "perlindungan_bawahan", "lindung_gambut",
    "suaka_alam", "taman_nasional", "tahura", "taman_wisata_alam", "kawasan_konservasi",
    "ekosistem_mangrove", "cagar_budaya", "rth", "lindung_geologi", "rawan_bencana",
}
KLHK = {
    2001: "hutan_lahan_kering_primer", 2002: "hutan_lahan_kering_sekunder", 2004: "hutan_mangrove_primer",
    20041: "hutan_mangrove_sekunder", 2005: "hutan_rawa_primer", 20051: "hutan_rawa_sekunder",
    2006: "hutan_tanaman", 2007: "semak_belukar", 20071: "belukar_rawa", 2010: "perkebunan",
    20091: "pertanian_lahan_kering", 20092: "pertanian_lahan_kering_campur", 20093: "sawah", 20094: "tambak",
    2012: "permukiman", 20121: "bandara_pelabuhan", 20122: "transmigrasi", 2014: "tanah_terbuka",
    20141: "pertambangan", 3000: "savana", 5001: "tubuh_air", 50011: "rawa", 2500: "awan",
}
WORLDCOVER = {
    10: "hutan", 20: "semak_belukar", 30: "savana", 40: "pertanian", 50: "permukiman", 60: "tanah_terbuka",
    70: "salju", 80: "tubuh_air", 90: "rawa", 95: "mangrove", 100: "lumut",
}
POTENTIALS = (
    "peternakan", "hutan_tanaman_industri", "pertanian_unggulan", "permukiman", "perekonomian",
    "perikanan", "pariwisata",
)
MISSION = POTENTIALS  # perikanan and pariwisata enabled too, scored only where their key evidence exists


def table(mapping):
    return {r.raw: (r.code, r.method) for r in mapping}


# --------------------------------------------------------------------------- vocabularies
def test_rtrw_vocabulary_has_exactly_the_design_codes():
    v = load_vocabulary("rtrw")
    assert v.codes == tuple(RTRW_CODES)
    assert {c.code for c in v if c.group == "lindung"} == LINDUNG
    assert {c.group for c in v} == {"lindung", "budidaya"}


def test_landcover_vocabulary_has_exactly_the_design_codes_and_landuse_is_the_same_list():
    v = load_vocabulary("landcover")
    assert v.codes == tuple(LANDCOVER_CODES)
    assert load_vocabulary("landuse") is v
    assert {c.group for c in v} <= {"hutan", "pertanian", "permukiman", "air", "lainnya"}


def test_lindung_outranks_budidaya_where_zones_overlap():
    v = load_vocabulary("rtrw")
    lowest_lindung = min(c.priority for c in v if c.group == "lindung")
    highest_budidaya = max(c.priority for c in v if c.group == "budidaya")
    assert lowest_lindung > highest_budidaya


def test_official_colours_labels_and_groups():
    v = load_vocabulary("rtrw")
    assert v.colour("hutan_lindung") == (50, 95, 40)
    assert v.colour("taman_nasional") == (155, 135, 255)
    assert v.colour("permukiman_perdesaan") == (235, 155, 60)
    assert v.colour("pertahanan_keamanan") == (155, 0, 255)
    assert v.label("permukiman_perdesaan") == "Permukiman Perdesaan"
    assert v.label("permukiman_perdesaan", lang="en") == "Rural settlement"
    assert v.group("taman_nasional") == "lindung"
    assert v.group("industri") == "budidaya"
    with pytest.raises(KeyError, match="nope"):
        v.colour("nope")
    with pytest.raises(ConfigError, match="lang"):
        v.label("rth", lang="fr")


def test_colours_are_valid_rgb_everywhere():
    for kind in ("rtrw", "landcover"):
        for cls in load_vocabulary(kind):
            assert len(cls.colour) == 3 and all(0 <= c <= 255 for c in cls.colour)
    colours = [p.colour for p in load_potentials()]
    assert len(set(colours)) == len(colours)


def test_klhk_and_worldcover_codes():
    v = load_vocabulary("landcover")
    assert {n: v.lookup_number(n, "klhk") for n in KLHK} == KLHK
    assert len(KLHK) == 23
    assert {n: v.lookup_number(n, "worldcover") for n in WORLDCOVER} == WORLDCOVER


def test_vocabulary_is_immutable_and_cached():
    v = load_vocabulary("rtrw")
    assert load_vocabulary("rtrw") is v
    with pytest.raises(dataclasses.FrozenInstanceError):
        v.kind = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        v["rth"].codes["x"] = (1,)  # type: ignore[index]
    with pytest.raises(TypeError):
        v.synonyms.phrases["x"] = "rth"  # type: ignore[index]


# --------------------------------------------------------------------------- normaliser
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("KWS. PERUNTUKAN  Pertanian", "pertanian"),
        ("Kawasan Peruntukan Perkebunan", "perkebunan"),
        ("Pemukiman Perdesaan", "pemukiman perdesaan"),
        ("HL Gunung Balak", "hl gunung balak"),
        ("HL_Pantai Timur", "hl pantai timur"),
        ("HPT", "hpt"),
        ("Perumahan Kepadatan Sedang", "perumahan kepadatan sedang"),
        ("Sub Zona Perumahan", "perumahan"),
        ("SPU Skala RW", "spu skala rw"),
        ("Badan Jalan", "badan jalan"),
        ("Taman Kota", "taman kota"),
        ("R-1", "r 1"),
        ("Tanah Kosong / Gundul", "tanah kosong gundul"),
        ("Pertahanan & Keamanan", "pertahanan dan keamanan"),
        ("  Pérmukiman\tKota ", "permukiman kota"),
        ("Kawasan", "kawasan"),
        ("Kawasan Peruntukan", "peruntukan"),
        (20093, "20093"),
        (2001.0, "2001"),
        (None, ""),
        (float("nan"), ""),
        ("   ", ""),
    ],
)
def test_normalise(raw, expected):
    assert normalise(raw) == expected


@given(st.one_of(st.text(), st.integers(), st.floats(allow_nan=True)))
def test_normalise_is_idempotent(value):
    once = normalise(value)
    assert normalise(once) == once


@given(st.text(alphabet=st.characters(codec="ascii"), max_size=40))
def test_normalise_gives_lowercase_words_separated_by_single_spaces(value):
    out = normalise(value)
    assert out == out.strip() and "  " not in out
    assert all(ch.isalnum() or ch == " " for ch in out)
    assert out == out.lower()


# --------------------------------------------------------------------------- matcher
@pytest.mark.parametrize(
    ("raw", "code", "method"),
    [
        ("Hutan Lindung", "hutan_lindung", "exact"),
        ("KWS. PERUNTUKAN  Pertanian", "pertanian", "exact"),
        ("Pemukiman Perdesaan", "permukiman_perdesaan", "synonym"),
        ("HL Gunung Balak", "hutan_lindung", "synonym"),
        ("HPT", "hutan_produksi_terbatas", "synonym"),
        ("HPK", "hutan_produksi_konversi", "synonym"),
        ("HP", "hutan_produksi_tetap", "synonym"),
        ("Hutan Produksi", "hutan_produksi_tetap", "synonym"),
        ("TN Way Kambas REG 9", "taman_nasional", "synonym"),
        ("KP2B", "tanaman_pangan", "synonym"),
        ("LP2B", "tanaman_pangan", "synonym"),
        ("Perumahan Kepadatan Sedang", "permukiman", "synonym"),
        ("R-3", "permukiman", "synonym"),
        ("Perdagangan dan Jasa Skala Kota", "permukiman", "synonym"),
        ("K-1", "permukiman", "synonym"),
        ("SPU Skala RW", "permukiman", "synonym"),
        ("Badan Jalan", "transportasi", "synonym"),
        ("Taman Kota", "rth", "synonym"),
        ("RTH Pemakaman", "rth", "synonym"),
        ("Jalur Hijau", "rth", "synonym"),
        ("HK", "pertahanan_keamanan", "synonym"),
        ("P-2", "hortikultura", "synonym"),
        ("Sempadan Sungai Way Seputih", "perlindungan_setempat", "synonym"),
        ("Kawasan Sekitar Danau", "perlindungan_setempat", "exact"),
        ("Permukiman", "permukiman", "exact"),
        ("Permukiman Kota", "permukiman_perkotaan", "exact"),
        ("Pertahanan & Keamanan", "pertahanan_keamanan", "exact"),
        ("Taman Nasional", "taman_nasional", "exact"),
        ("Hutan Produksi Terbatass", "hutan_produksi_terbatas", "fuzzy"),
        (1001, "hutan_lindung", "code"),
        (1003.0, "hutan_produksi_tetap", "code"),
        ("1005", "hutan_produksi_konversi", "code"),
        (10022, "kawasan_konservasi", "code"),
    ],
)
def test_match_rtrw_tricky_names(raw, code, method):
    if method == "fuzzy":
        with pytest.warns(ReviewWarning, match=f"{raw}' -> {code}"):
            (record,) = match_classes([raw], kind="rtrw").records
    else:
        (record,) = match_classes([raw], kind="rtrw").records
    assert (record.code, record.method) == (code, method)


@pytest.mark.parametrize(
    ("raw", "code", "method"),
    [
        ("Hutan Rawa", "hutan_rawa_sekunder", "synonym"),
        ("Pemukiman dan Tempat Kegiatan", "permukiman", "synonym"),
        ("Perkebunan Kelapa Sawit", "perkebunan", "synonym"),
        ("Semak/Belukar", "semak_belukar", "exact"),
        ("Pc", "pertanian_lahan_kering_campur", "synonym"),
        (20093, "sawah", "code"),
        ("20041", "hutan_mangrove_sekunder", "code"),
    ],
)
def test_match_landcover_names_and_codes(raw, code, method):
    (record,) = match_classes([raw], kind="landuse").records
    assert (record.code, record.method) == (code, method)


def test_fuzzy_accepts_a_misspelling_with_its_score():
    with pytest.warns(ReviewWarning) as caught:
        (r,) = match_classes(["Perkebunan Rakyatt"], kind="rtrw").records
    assert len(caught) == 1
    assert (r.code, r.method) == ("perkebunan_rakyat", "fuzzy")
    assert 85 <= r.score < 100
    assert r.score == pytest.approx(97.1)
    assert r.suggestions[0][0] == "perkebunan"


def test_a_fuzzy_zoning_match_is_kept_only_with_a_warning_listing_it_for_review():
    """Pola ruang is a legal designation: every similarity match is named, with its code and score;
    exact and synonym matches are not; land use (not a legal designation) raises no warning."""
    with pytest.warns(ReviewWarning) as caught:
        m = match_classes(["Perkebunan Rakyatt", "Kawasan Peruntukan Pertanian", "Hutan Produksi Terbatass", "HL"], kind="rtrw")
    assert len(caught) == 1
    text = str(caught[0].message)  # Indonesian, the package's default language; English on request
    assert text.startswith("2 kelas pola ruang dicocokkan menurut kemiripan ejaan, periksa: 'Perkebunan Rakyatt' -> perkebunan_rakyat (97,1)")
    assert "'Hutan Produksi Terbatass' -> hutan_produksi_terbatas" in text and "/" not in text
    assert "Pertanian'" not in text and "'HL'" not in text
    english = caught[0].message.text("en")
    assert english.startswith("2 pola ruang classes matched by spelling similarity, review: 'Perkebunan Rakyatt' -> perkebunan_rakyat (97.1)")
    assert [r.raw for r in m.fuzzy] == ["Perkebunan Rakyatt", "Hutan Produksi Terbatass"]
    # confirmed by the user's mapping: no similarity match left, no warning (filterwarnings=error)
    confirmed = match_classes(["Perkebunan Rakyatt"], kind="rtrw", mapping={"Perkebunan Rakyatt": "perkebunan_rakyat"})
    assert [r.method for r in confirmed] == ["user"]
    landuse = match_classes(["Sawahh Irigasi"], kind="landuse")  # a warning here would fail the test
    assert [(r.code, r.method) for r in landuse.fuzzy] == [("sawah", "fuzzy")]


def test_fuzzy_below_threshold_or_ambiguous_is_not_guessed():
    m = match_classes(
        ["Permukiman Perkotaan Perdesaan", "Kawasan Strategis Nasional", "Perkebunan Rakyatt"],
        kind="rtrw",
        min_score=98,
    )
    assert [r.raw for r in m.unmatched] == [
        "Permukiman Perkotaan Perdesaan", "Kawasan Strategis Nasional", "Perkebunan Rakyatt",
    ]
    ambiguous = m.unmatched[0]
    assert {c for c, _ in ambiguous.suggestions[:2]} == {"permukiman_perkotaan", "permukiman_perdesaan"}
    assert ambiguous.suggestions[0][1] == ambiguous.suggestions[1][1]
    # the same ambiguity stays unmatched at the default threshold
    assert match_classes(["Permukiman Perkotaan Perdesaan"], kind="rtrw").unmatched


def test_numeric_codes_follow_the_scheme_asked_for():
    assert match_classes([10, 95], kind="landcover").as_dict() == {}
    assert match_classes([10, 95], kind="landcover", codes="worldcover").as_dict() == {10: "hutan", 95: "mangrove"}
    # 1007 is APL (areal penggunaan lain): not a pola ruang class, left to the user
    assert [r.raw for r in match_classes([1001, 1007], kind="rtrw").unmatched] == [1007]
    with pytest.raises(ConfigError, match="worldcover"):
        match_classes([10], kind="rtrw", codes="worldcover")
    with pytest.raises(ConfigError, match="kind"):
        match_classes(["x"], kind="pola")


def test_counts_and_missing_values():
    m = match_classes(["Sawah", None, "Sawah", float("nan"), " ", "Air Tambak"], kind="landuse")
    assert [(r.raw, r.n) for r in m] == [("Sawah", 2), ("Air Tambak", 1)]
    frame = m.to_frame()
    assert list(frame.columns) == ["raw", "normalised", "code", "nama", "name", "method", "score", "n"]
    assert frame["n"].tolist() == [2, 1]


def test_user_mapping_beats_builtin_by_raw_or_normalised_key():
    m = match_classes(
        ["Hutan Produksi", "HUTAN  LINDUNG", "Sawah"],
        kind="rtrw",
        mapping={"Hutan Produksi": "hutan_produksi_terbatas", "hutan lindung": "kawasan_konservasi", "Lain": ""},
    )
    assert table(m) == {
        "Hutan Produksi": ("hutan_produksi_terbatas", "user"),
        "HUTAN  LINDUNG": ("kawasan_konservasi", "user"),
        "Sawah": ("tanaman_pangan", "exact"),
    }
    with pytest.raises(ConfigError, match="hutan_lindungg"):
        match_classes(["x"], kind="rtrw", mapping={"x": "hutan_lindungg"})


# --------------------------------------------------------------------------- real data
LAMTIM_KELAS = {
    "Hutan Lindung": ("hutan_lindung", "exact"),
    "Hutan Produksi": ("hutan_produksi_tetap", "synonym"),
    "Kawasan Industri": ("industri", "exact"),
    "Kawasan Peruntukan Perikanan": ("perikanan", "exact"),
    "Kawasan Peruntukan Perkebunan": ("perkebunan", "exact"),
    "Kawasan Peruntukan Pertanian": ("pertanian", "exact"),
    "Kawasan Sekitar Danau": ("perlindungan_setempat", "exact"),
    "Pemukiman Perdesaan": ("permukiman_perdesaan", "synonym"),
    "Permukiman": ("permukiman", "exact"),
    "Permukiman Perdesaan": ("permukiman_perdesaan", "exact"),
    "Taman Nasional": ("taman_nasional", "exact"),
}
LAMTIM_KAWASAN = {
    "HL Gunung Balak REG 38": ("hutan_lindung", "synonym"),
    "HL Rawa Selapan": ("hutan_lindung", "synonym"),
    "HL_Pantai Timur": ("hutan_lindung", "synonym"),
    "TN Way Kambas REG 9": ("taman_nasional", "synonym"),
    "HP Way Ketibung REG 5,35,37& Gedong Wani REG 40": ("hutan_produksi_tetap", "synonym"),
}
GORONTALO = {
    "Air Danau / Situ": ("tubuh_air", "exact"),
    "Air Empang": ("tambak", "exact"),
    "Air Rawa": ("rawa", "exact"),
    "Air Tambak": ("tambak", "exact"),
    "Air Waduk": ("tubuh_air", "exact"),
    "Danau": ("tubuh_air", "exact"),
    "Hutan Bakau": ("mangrove", "exact"),
    "Hutan Rawa": ("hutan_rawa_sekunder", "synonym"),
    "Hutan Tanaman Industri": ("hutan_tanaman", "exact"),
    "Mangrove": ("mangrove", "exact"),
    "Pasir / Bukit Pasir Darat": ("tanah_terbuka", "exact"),
    "Pasir / Bukit Pasir Laut": ("tanah_terbuka", "exact"),
    "Permukiman dan Tempat Kegiatan": ("permukiman", "exact"),
    "Sawah": ("sawah", "exact"),
    "Sawah Tadah Hujan": ("sawah", "exact"),
    "Tanah Kosong / Gundul": ("tanah_terbuka", "exact"),
}


@pytest.fixture(scope="module")
def lamtim(lamtim_rtrw_path):
    return gpd.read_file(lamtim_rtrw_path, layer="pola_ruang")


@pytest.fixture(scope="module")
def gorontalo(gorontalo_lulc_path):
    return gpd.read_file(gorontalo_lulc_path, layer="lulc")


@pytest.mark.slow
def test_lampung_timur_pola_ruang_maps_exactly_without_user_file(lamtim):
    assert find_class_column(lamtim, kind="rtrw") == "kelas"
    m = match_classes(lamtim["kelas"], kind="rtrw")
    assert table(m) == LAMTIM_KELAS
    assert sum(r.n for r in m) == 283
    assert {r.raw: r.n for r in m}["Pemukiman Perdesaan"] == 1


@pytest.mark.slow
def test_lampung_timur_forest_register_names_map(lamtim):
    assert table(match_classes(lamtim["KAWASAN"], kind="rtrw")) == LAMTIM_KAWASAN
    jns = match_classes(lamtim["JnsHutan"], kind="rtrw")
    assert table(jns) == {k: LAMTIM_KELAS[k] for k in ("Hutan Lindung", "Taman Nasional", "Hutan Produksi")}


@pytest.mark.slow
def test_gorontalo_land_use_maps_exactly_without_user_file(gorontalo):
    assert find_class_column(gorontalo, kind="landuse") == "penggunaan_lahan"
    assert table(match_classes(gorontalo["penggunaan_lahan"], kind="landuse")) == GORONTALO


@pytest.mark.slow
def test_apply_mapping_on_real_layer_adds_columns_to_a_copy(lamtim):
    before = lamtim.copy()
    out, m = apply_mapping(lamtim, kind="rtrw")
    pd.testing.assert_frame_equal(lamtim.drop(columns="geometry"), before.drop(columns="geometry"))
    assert "kelas_raw" not in lamtim.columns
    assert out["kelas_raw"].tolist() == lamtim["kelas"].tolist()
    assert out["kelas"].value_counts().to_dict() == {
        "permukiman_perdesaan": 181, "pertanian": 73, "perkebunan": 10, "hutan_lindung": 5, "permukiman": 5,
        "taman_nasional": 3, "industri": 2, "perikanan": 2, "hutan_produksi_tetap": 1,
        "perlindungan_setempat": 1,
    }
    assert out.crs == lamtim.crs and len(m) == 11


# --------------------------------------------------------------------------- class column
def test_find_class_column_by_name_option_and_content():
    df = pd.DataFrame({"id": [1, 2, 3], "Penggunaan_LHN": ["Sawah", "Tambak", "Sawah"]})
    assert find_class_column(df, kind="landuse") == "Penggunaan_LHN"
    assert find_class_column(df, kind="landuse", column="penggunaan_lhn") == "Penggunaan_LHN"
    by_content = pd.DataFrame({"id": [1, 2, 3], "jenis": ["Hutan Lindung", "HPT", "Permukiman"], "x": [0.5, 1.5, 2.5]})
    assert find_class_column(by_content, kind="rtrw") == "jenis"
    sparse = pd.DataFrame({"kelas": [None, None, "Sawah"], "tutupan": ["Sawah", "Rawa", "Sawah"]})
    assert find_class_column(sparse, kind="landuse") == "tutupan"


def test_find_class_column_errors_list_the_columns_seen():
    df = pd.DataFrame({"id": [1, 2], "nama": ["Desa A", "Desa B"]})
    with pytest.raises(FieldError, match=r"(?s)No rtrw class column.*columns in the layer: id, nama"):
        find_class_column(df, kind="rtrw")
    with pytest.raises(FieldError, match=r"(?s)'NAMOBJ' is not in the layer.*id, nama"):
        find_class_column(df, kind="rtrw", column="NAMOBJ")


# --------------------------------------------------------------------------- unmatched values and templates
@pytest.fixture
def layer_with_unknown():
    values = ["Kawasan Peruntukan Pertanian", "Kawasan Strategis Nasional", "Kawasan Strategis Nasional",
              "Permukiman Perkotaan Perdesaan", "Pertanian Lahan Kering", "HL Gunung Balak"]
    geoms = [box(i * 1000, 0, (i + 1) * 1000, 1000) for i in range(len(values))]
    return gpd.GeoDataFrame({"NAMOBJ": values}, geometry=geoms, crs="EPSG:32748")


def test_unknown_class_stops_with_error_and_template(layer_with_unknown, tmp_path):
    template = tmp_path / "sub" / "mapping.toml"
    with pytest.raises(ClassMappingError) as info:
        apply_mapping(layer_with_unknown, kind="rtrw", template_path=template)
    message = str(info.value)
    # Indonesian first, then English: the headline and every line under it
    assert message.startswith("3 nilai kelas rtrw di kolom 'NAMOBJ' tidak dapat dicocokkan dengan yakin ke kelas standar / ")
    assert "3 rtrw class values in column 'NAMOBJ' could not be matched" in message
    assert "'Kawasan Strategis Nasional' (2 fitur / features)" in message
    assert "'Permukiman Perkotaan Perdesaan' (1 fitur / feature): ambigu / ambiguous" in message
    assert f"Isi templat pemetaan yang ditulis ke {template} dan berikan kembali dengan --mapping / Fill the mapping" in message
    assert str(template) in message
    assert info.value.template == str(template)
    text = template.read_text()
    parsed = tomllib.loads(text)
    assert parsed["kind"] == "rtrw"
    assert parsed["mapping"] == {
        "Kawasan Strategis Nasional": "",
        "Permukiman Perkotaan Perdesaan": "",
        # close and clearly ahead of the next class: suggested, for the user to check
        "Pertanian Lahan Kering": "pertanian",
    }
    assert '# "HL Gunung Balak" = "hutan_lindung"  # synonym, 1 feature' in text
    assert "#   pertahanan_keamanan" in text
    assert not list(template.parent.glob("*.tmp"))


def test_filled_template_makes_the_run_pass(layer_with_unknown, tmp_path):
    template = tmp_path / "mapping.toml"
    with pytest.raises(ClassMappingError):
        apply_mapping(layer_with_unknown, kind="rtrw", template_path=template)
    text = template.read_text()
    text = text.replace('"Kawasan Strategis Nasional" = ""', '"Kawasan Strategis Nasional" = "industri"')
    template.write_text(text)
    with pytest.raises(ClassMappingError, match="Permukiman Perkotaan Perdesaan") as info:
        apply_mapping(layer_with_unknown, kind="rtrw", mapping=template)
    assert "Kawasan Strategis Nasional" not in str(info.value)
    template.write_text(text.replace('"Permukiman Perkotaan Perdesaan" = ""',
                                     '"Permukiman Perkotaan Perdesaan" = "permukiman"'))
    out, m = apply_mapping(layer_with_unknown, kind="rtrw", mapping=template)
    assert out["kelas"].tolist() == [
        "pertanian", "industri", "industri", "permukiman", "pertanian", "hutan_lindung",
    ]
    methods = {r.raw: r.method for r in m}
    assert methods["Kawasan Strategis Nasional"] == "user"
    assert methods["Pertanian Lahan Kering"] == "user"
    assert methods["HL Gunung Balak"] == "synonym"


def test_error_without_template_says_how_to_get_one(layer_with_unknown):
    with pytest.raises(ClassMappingError, match="--write-template") as info:
        apply_mapping(layer_with_unknown, kind="rtrw")
    assert info.value.template is None
    assert isinstance(info.value, ValueError)


def test_write_template_for_numeric_values_round_trips(tmp_path):
    m = match_classes([1001, 1007, 1007], kind="rtrw")
    path = write_template(m, tmp_path / "m.toml", column="FUNGSIKWS")
    assert tomllib.loads(path.read_text())["mapping"] == {"1007": ""}
    path.write_text(path.read_text().replace('"1007" = ""', '"1007" = "permukiman"'))
    assert match_classes([1001, 1007.0], kind="rtrw", mapping=path).as_dict() == {
        1001: "hutan_lindung", 1007.0: "permukiman",
    }


def test_read_mapping_skips_empty_entries_and_names_bad_lines(tmp_path):
    path = tmp_path / "m.toml"
    path.write_text('kind = "rtrw"\n\n[mapping]\n"A" = "industri"\n"B" = ""\n"C" = "industry"\n"D" = 3\n')
    with pytest.raises(ConfigError) as info:
        read_mapping(path)
    message = str(info.value)
    assert "m.toml:6: 'C' = 'industry': kode rtrw tidak dikenal / unknown rtrw code (maksud Anda / did you mean industri?)" in message
    assert "m.toml:7: 'D' = 3: kode harus teks / the code must be a string" in message
    path.write_text('kind = "rtrw"\n[mapping]\n"A" = "industri"\n"B" = ""\n')
    assert read_mapping(path) == {"A": "industri"}
    with pytest.raises(ConfigError, match="for kind 'rtrw', not 'landuse'"):
        read_mapping(path, kind="landuse")
    with pytest.raises(ConfigError, match="not found"):
        read_mapping(tmp_path / "none.toml")
    path.write_text("[mapping\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        read_mapping(path)
    path.write_text('[mapping]\n"A" = "sawah"\n[other]\nx = 1\n')
    with pytest.raises(ConfigError, match="unknown key 'other'"):
        read_mapping(path, kind="landuse")


# --------------------------------------------------------------------------- vocabulary overrides
def test_vocabulary_override_extends_and_changes(tmp_path):
    path = tmp_path / "vocab.toml"
    path.write_text(
        'columns = ["ZONA_KAB"]\n'
        "[classes.hutan_lindung]\n"
        'aliases = ["Lindung Register"]\n'
        "colour = [1, 2, 3]\n"
        "[classes.kawasan_strategis]\n"
        'nama = "Kawasan Strategis"\nname = "Strategic area"\ngroup = "budidaya"\n'
        "colour = [9, 9, 9]\npriority = 30\n"
        "[synonyms.phrases]\n"
        '"ksn" = "kawasan_strategis"\n'
    )
    v = load_vocabulary("rtrw", overrides=path)
    assert v.colour("hutan_lindung") == (1, 2, 3)
    assert "hutan lindung" in v["hutan_lindung"].aliases  # built-in aliases kept
    assert v.codes[-1] == "kawasan_strategis"
    assert v.columns[0] == "ZONA_KAB"
    m = match_classes(["Lindung Register", "KSN", "Strategis"], kind="rtrw", vocabulary=v)
    assert table(m) == {
        "Lindung Register": ("hutan_lindung", "exact"),
        "KSN": ("kawasan_strategis", "synonym"),
        "Strategis": ("kawasan_strategis", "exact"),
    }
    assert load_vocabulary("rtrw").colour("hutan_lindung") == (50, 95, 40)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"classes": {"x": {"nama": "X"}}}, "classes.x: tidak ada / missing name, group, colour"),
        ({"classes": {"rth": {"colour": [1, 2]}}}, r"colour harus \[r, g, b\] bilangan bulat 0-255, bukan \[1, 2\] / must be"),
        ({"classes": {"rth": {"group": "hutan"}}}, "group harus salah satu dari / must be one of lindung, budidaya"),
        ({"classes": {"rth": {"colur": [1, 2, 3]}}}, "unknown key 'colur'"),
        ({"classes": {"Bad-Code": {"nama": "a", "name": "b", "group": "budidaya", "colour": [1, 2, 3]}}}, "snake_case"),
        ({"classes": {"rth": {"aliases": ["industri"]}}}, "nama 'industri' dipakai oleh 'rth' dan 'industri' / name 'industri' is given to both 'rth' and 'industri'"),
        ({"synonyms": {"phrases": {"foo": "nope"}}}, "unknown code 'nope'"),
        ({"synonyms": {"heads": {"hutan": "hutan_lindung"}}}, "would capture"),
        ({"colours": {}}, "unknown key 'colours'"),
    ],
)
def test_vocabulary_override_errors(override, message):
    with pytest.raises(ConfigError, match=message):
        load_vocabulary("rtrw", overrides=override)


def test_override_file_errors(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_vocabulary("rtrw", overrides=tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("classes = [\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_potentials(overrides=bad)
    # Override and mapping files are read by one reader: a file saved in Latin-1 is a clear error.
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes('[matrix.peternakan]\nperkebunan = "T" # dua puluh derajat\xb0\n'.encode("latin-1"))
    with pytest.raises(ConfigError, match=r"ITBX override file .*latin1\.toml cannot be read"):
        load_itbx(overrides=latin1)


def test_builtin_heads_do_not_capture_other_classes():
    # A head that began another class's name would map e.g. "taman nasional" to RTH; the loader
    # refuses that, so loading the built-ins is the test. Spot-check the data besides.
    for kind in ("rtrw", "landcover"):
        v = load_vocabulary(kind)
        for head, code in v.synonyms.heads.items():
            assert code in v
            assert head == normalise(head)


# --------------------------------------------------------------------------- potentials
def test_potentials_catalogue():
    cat = load_potentials()
    assert cat.codes == POTENTIALS
    assert tuple(p.code for p in cat.enabled) == MISSION
    rtrw, lc = load_vocabulary("rtrw"), load_vocabulary("landcover")
    for p in cat:
        assert p.indicators and p.nama and p.name
        assert abs(sum(i.weight for i in p.indicators) - 1.0) < 1e-9
        for i in p.indicators:
            assert i.weight > 0
            assert i.dasar in ("kondisi_lahan", "zonasi")
            if i.kind == "landcover_share":
                assert i.classes and all(c in lc for c in i.classes)
            elif i.kind == "rtrw_share":
                assert i.classes and all(c in rtrw for c in i.classes)
            elif i.kind == "table":
                assert i.column
            else:
                assert i.kind in ("line_density", "point_count", "point_distance") and i.layer
            assert i.invert == (i.kind == "point_distance")
    kinds = {i.kind for p in cat for i in p.indicators}
    assert kinds == {"landcover_share", "rtrw_share", "line_density", "point_count", "point_distance", "table"}
    assert {i.dasar for i in cat["pertanian_unggulan"].indicators} == {"kondisi_lahan", "zonasi"}
    irigasi = cat["pertanian_unggulan"].indicators[2]
    assert (irigasi.id, irigasi.kind, irigasi.layer) == ("irigasi", "line_density", "saluran_irigasi")
    assert irigasi.weight == 0.3


def test_potentials_override_adds_a_potential_and_changes_a_weight(tmp_path):
    path = tmp_path / "potensi.toml"
    path.write_text(
        "[potentials.pertanian_unggulan]\n"
        "[[potentials.pertanian_unggulan.indicators]]\n"
        'id = "irigasi"\nweight = 0.6\n'
        "[potentials.perikanan]\nenabled = true\n"
        "[potentials.agrowisata]\n"
        'nama = "Agrowisata"\nname = "Agritourism"\ncolour = [10, 200, 10]\n'
        "[[potentials.agrowisata.indicators]]\n"
        'id = "kebun"\nkind = "landcover_share"\nclasses = ["perkebunan"]\nweight = 1\ndasar = "kondisi_lahan"\n'
    )
    cat = load_potentials(overrides=path)
    assert cat.codes == (*POTENTIALS, "agrowisata")
    assert [i.weight for i in cat["pertanian_unggulan"].indicators] == [0.4, 0.3, 0.6]
    assert cat["pertanian_unggulan"].indicators[2].layer == "saluran_irigasi"
    assert cat["agrowisata"].enabled and cat["perikanan"].enabled
    assert cat["agrowisata"].indicators[0].classes == ("perkebunan",)
    assert load_potentials()["pertanian_unggulan"].indicators[2].weight == 0.3


@pytest.mark.parametrize(
    ("indicator", "message"),
    [
        (
            {"id": "a", "kind": "landcover_share", "classes": ["nope"], "weight": 1, "dasar": "zonasi"},
            "unknown landcover codes nope",
        ),
        ({"id": "a", "kind": "rtrw_share", "weight": 1, "dasar": "zonasi"}, "needs classes"),
        ({"id": "a", "kind": "line_density", "weight": 1, "dasar": "zonasi"}, "needs layer"),
        ({"id": "a", "kind": "table", "weight": 1, "dasar": "zonasi"}, "needs column"),
        ({"id": "a", "kind": "area", "weight": 1, "dasar": "zonasi"}, "kind harus salah satu dari / must be one of"),
        ({"id": "a", "kind": "table", "column": "c", "weight": -1, "dasar": "zonasi"}, "weight harus angka >= 0, bukan -1 / must be a number >= 0"),
        ({"id": "a", "kind": "table", "column": "c", "weight": 1, "dasar": "x"}, "dasar harus kondisi_lahan atau zonasi, bukan / must be"),
        ({"id": "a", "kind": "table", "column": "c", "weight": 1}, "missing dasar"),
    ],
)
def test_potentials_override_errors(indicator, message):
    override = {"potentials": {"baru": {"nama": "B", "name": "B", "colour": [1, 2, 3], "indicators": [indicator]}}}
    with pytest.raises(ConfigError, match=message):
        load_potentials(overrides=override)


# --------------------------------------------------------------------------- ITBX
def test_itbx_covers_every_potential_and_class():
    itbx = load_itbx()
    assert itbx.potentials == POTENTIALS
    assert itbx.classes == tuple(RTRW_CODES)
    frame = itbx.table()
    assert frame.shape == (7, len(RTRW_CODES))
    assert set(frame.to_numpy().ravel()) <= set(STATUSES)
    raw = tomllib.loads((DATA_PKG / "itbx.toml").read_text())
    for potential in load_potentials().codes:
        assert set(raw["matrix"][potential]) == set(RTRW_CODES), potential


def test_itbx_follows_domain_defaults():
    s = load_itbx().status
    assert s("peternakan", "peternakan") == "I"
    assert s("peternakan", "permukiman_perdesaan") == "T"
    assert s("peternakan", "hutan_produksi_konversi") == "B"
    assert s("hutan_tanaman_industri", "hutan_produksi_tetap") == "I"
    assert s("hutan_tanaman_industri", "hutan_produksi_terbatas") == "T"
    assert s("hutan_tanaman_industri", "tanaman_pangan") == "X"
    assert s("pertanian_unggulan", "hortikultura") == "I"
    assert s("pertanian_unggulan", "permukiman_perkotaan") == "X"
    assert s("permukiman", "pariwisata") == "T"
    assert s("permukiman", "badan_air") == "X"
    assert s("perekonomian", "transportasi") == "T"
    assert s("perekonomian", "industri") == "I"
    # the five potentials of the founding document are prohibited on all kawasan lindung;
    # itbx.toml documents the exceptions of the two extra ones (fishing open water, nature tourism)
    for potential in set(MISSION) - {"perikanan", "pariwisata"}:
        for code in LINDUNG:
            assert s(potential, code) == "X", (potential, code)
    assert {c for c in LINDUNG if s("perikanan", c) != "X"} == {"badan_air"}
    assert s("pariwisata", "taman_wisata_alam") == "T" and s("pariwisata", "suaka_alam") == "X"


def test_generic_permukiman_is_the_stricter_settlement_status():
    itbx = load_itbx()
    for p in itbx.potentials:
        pair = [itbx.status(p, "permukiman_perdesaan"), itbx.status(p, "permukiman_perkotaan")]
        assert itbx.status(p, "permukiman") == max(pair, key=STATUSES.index)


def test_overlays_tighten_and_never_loosen():
    itbx = load_itbx()
    assert itbx.status("permukiman", "permukiman_perdesaan", lp2b=True) == "X"
    assert itbx.status("pertanian_unggulan", "tanaman_pangan", lp2b=True) == "I"
    assert itbx.status("peternakan", "peternakan", lp2b=True) == "T"
    assert itbx.status("permukiman", "permukiman_perdesaan", hazard=True) == "X"
    assert itbx.status("perekonomian", "industri", hazard=True) == "B"
    for p in itbx.potentials:
        for c in itbx.classes:
            base = STATUSES.index(itbx.status(p, c))
            for lp2b, hazard in ((True, False), (False, True), (True, True)):
                assert STATUSES.index(itbx.status(p, c, lp2b=lp2b, hazard=hazard)) >= base
    # an overlay asking for "I" leaves every status as it was
    loose = load_itbx(overrides={"overlays": {"lp2b": {"hutan_tanaman_industri": "I"}}})
    assert loose.status("hutan_tanaman_industri", "hutan_lindung", lp2b=True) == "X"
    pd.testing.assert_series_equal(
        loose.table(lp2b=True).loc["hutan_tanaman_industri"], loose.table().loc["hutan_tanaman_industri"]
    )


def test_itbx_override_changes_cells_and_adds_potentials(tmp_path):
    row = "\n".join(f'{c} = "B"' for c in RTRW_CODES)
    path = tmp_path / "itbx.toml"
    path.write_text(
        f'[matrix.peternakan]\nperkebunan = "I"\n[matrix.agrowisata]\n{row}\n[overlays.lp2b]\nagrowisata = "X"\n'
    )
    itbx = load_itbx(overrides=path)
    assert itbx.status("peternakan", "perkebunan") == "I"
    assert itbx.status("agrowisata", "tanaman_pangan") == "B"
    assert itbx.status("agrowisata", "tanaman_pangan", lp2b=True) == "X"
    assert itbx.table().shape == (8, len(RTRW_CODES))


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"matrix": {"baru": {"rth": "X"}}}, r"matrix.baru: tidak ada status untuk / no status for badan_air"),
        ({"matrix": {"peternakan": {"rth": "Y"}}}, "status harus I, T, B atau X / status must be I, T, B or X: rth = 'Y'"),
        ({"matrix": {"peternakan": {"kota": "X"}}}, "unknown pola ruang codes kota"),
        ({"overlays": {"banjir": {"permukiman": "X"}}}, "unknown overlay"),
        ({"overlays": {"lp2b": {"baru": "X"}}}, "unknown potential 'baru'"),
    ],
)
def test_itbx_override_errors(override, message):
    with pytest.raises(ConfigError, match=message):
        load_itbx(overrides=override)


def test_itbx_unknown_lookups():
    itbx = load_itbx()
    with pytest.raises(ConfigError, match="no potential 'wisata'"):
        itbx.status("wisata", "rth")
    with pytest.raises(ConfigError, match="unknown pola ruang code 'kota'"):
        itbx.status("permukiman", "kota")


def test_docs_list_every_class_and_potential():
    doc = (Path(__file__).resolve().parents[1] / "docs" / "vocab.md").read_text()
    for code in (*RTRW_CODES, *LANDCOVER_CODES, *POTENTIALS):
        assert f"| `{code}` |" in doc, code


def test_itbx_matrix_pickles_and_stays_read_only() -> None:
    """kawasan run sends the matrix to its second process: the same statuses arrive, still read-only."""
    import pickle

    itbx = load_itbx()
    back = pickle.loads(pickle.dumps(itbx))
    assert back == itbx and back is not itbx
    assert back.status("permukiman", "pertanian", lp2b=True) == itbx.status("permukiman", "pertanian", lp2b=True) == "X"
    with pytest.raises(TypeError):
        back.matrix["permukiman"]["pertanian"] = "I"  # type: ignore[index]
