"""Tests of ``kawasan classes`` through click's CliRunner on files in a temp dir."""

from __future__ import annotations

import json
import tomllib

import geopandas as gpd
import pytest
from click.testing import CliRunner
from shapely.geometry import box

from kawasan_gis.cli import cli

X0, Y0 = 500_000.0, 9_400_000.0


def write_layer(path, values, *, column="NAMOBJ", size=1000.0, crs="EPSG:32748"):
    """One square of ``size`` metres per value (100 ha for 1 km), in a row."""
    geoms = [box(X0 + i * size, Y0, X0 + (i + 1) * size, Y0 + size) for i in range(len(values))]
    gdf = gpd.GeoDataFrame({column: values, "id": range(len(values))}, geometry=geoms, crs="EPSG:32748")
    gdf.to_crs(crs).to_file(path, layer="zona", driver="GPKG")
    return path


def run(*args):
    return CliRunner().invoke(cli, ["classes", *map(str, args)])


def test_table_lists_values_counts_hectares_codes_and_methods(tmp_path):
    path = write_layer(
        tmp_path / "rtrw.gpkg",
        ["Kws. Peruntukan Pertanian", "HL Gunung Balak", "Kws. Peruntukan Pertanian", "Perkebunan Rakyatt"],
    )
    result = run(path, "--kind", "rtrw")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "rtrw.gpkg: kolom / column 'NAMOBJ', 4 fitur / features"
    assert lines[1].split() == ["nilai", "asli", "n", "ha", "kode", "nama", "cara", "skor"]
    assert lines[3].split() == [
        "Kws.", "Peruntukan", "Pertanian", "2", "200,0", "pertanian", "Pertanian", "sama", "100,0",
    ]
    rest = sorted(line.split() for line in lines[4:])
    assert rest == [
        ["HL", "Gunung", "Balak", "1", "100,0", "hutan_lindung", "Hutan", "Lindung", "sinonim", "100,0"],
        ["Perkebunan", "Rakyatt", "1", "100,0", "perkebunan_rakyat", "Perkebunan", "Rakyat", "mirip", "ejaan", "(periksa/review)", "97,1"],
    ]
    # the similarity match, and only it, is listed for review once on stderr
    assert result.stderr.count("Perkebunan Rakyatt") == 1 and "HL Gunung" not in result.stderr
    assert (
        "1 kelas pola ruang dicocokkan menurut kemiripan ejaan, periksa / 1 pola ruang class matched by "
        "spelling similarity, review: 'Perkebunan Rakyatt' -> perkebunan_rakyat (97.1)" in result.stderr
    )
    # columns line up: every "ha" value ends where the header's "ha" ends
    end = lines[1].index("ha") + 2
    assert all(line[end - 1] == "0" for line in lines[3:])


def test_json_records(tmp_path):
    path = write_layer(tmp_path / "lu.gpkg", ["Sawah", "Air Tambak", "Sawah", None], column="penggunaan_lahan")
    result = run(path, "--kind", "landuse", "--json")
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert records == [
        {"raw": "Sawah", "n": 2, "ha": 200.0, "code": "sawah", "nama": "Sawah", "name": "Paddy field",
         "method": "exact", "score": 100.0, "review": False, "suggestions": []},
        {"raw": "Air Tambak", "n": 1, "ha": 100.0, "code": "tambak", "nama": "Tambak", "name": "Fish pond",
         "method": "exact", "score": 100.0, "review": False, "suggestions": []},
        {"raw": None, "n": 1, "ha": 100.0, "code": None, "nama": None, "name": None,
         "method": None, "score": None, "review": False, "suggestions": []},
    ]


def test_rdtr_zones_fold_onto_rtrw_classes(tmp_path):
    zones = ["Perumahan Kepadatan Sedang", "SPU Skala RW", "Badan Jalan", "Taman Kota", "Perdagangan dan Jasa", "P-1"]
    path = write_layer(tmp_path / "rdtr.gpkg", zones, column="NAMSZN")
    result = run(path, "--kind", "rtrw", "--json", "--column", "namszn")
    assert result.exit_code == 0, result.output
    got = {r["raw"]: (r["code"], r["method"]) for r in json.loads(result.stdout)}
    assert got == {
        "Perumahan Kepadatan Sedang": ("permukiman", "synonym"),
        "SPU Skala RW": ("permukiman", "synonym"),
        "Badan Jalan": ("transportasi", "synonym"),
        "Taman Kota": ("rth", "synonym"),
        "Perdagangan dan Jasa": ("permukiman", "synonym"),
        "P-1": ("tanaman_pangan", "synonym"),
    }


def test_geographic_layer_hectares_are_measured_in_a_projected_crs(tmp_path):
    path = write_layer(tmp_path / "geo.gpkg", ["Sawah", "Sawah"], column="PL", crs="EPSG:4326")
    result = run(path, "--kind", "landcover", "--json")
    assert result.exit_code == 0, result.output
    (record,) = json.loads(result.stdout)
    assert record["ha"] == pytest.approx(200.0, rel=1e-3)


def test_unknown_class_exits_2_and_the_filled_template_makes_it_pass(tmp_path):
    path = write_layer(
        tmp_path / "rtrw.gpkg", ["Kawasan Strategis Nasional", "Hutan Lindung", "Kawasan Strategis Nasional"]
    )
    template = tmp_path / "mapping.toml"
    result = run(path, "--kind", "rtrw", "--write-template", template)
    assert result.exit_code == 2
    assert "'Kawasan Strategis Nasional' (2 fitur / features)" in result.stderr
    assert f"Fill the mapping template written to {template}" in result.stderr
    assert "TIDAK COCOK / UNMATCHED" in result.stdout
    assert tomllib.loads(template.read_text())["mapping"] == {"Kawasan Strategis Nasional": ""}

    again = run(path, "--kind", "rtrw", "--mapping", template)
    assert again.exit_code == 2, "an empty entry stays unmatched"

    template.write_text(template.read_text().replace('= ""', '= "pariwisata"', 1))
    done = run(path, "--kind", "rtrw", "--mapping", template, "--json")
    assert done.exit_code == 0, done.output
    got = {r["raw"]: (r["code"], r["method"], r["n"], r["ha"]) for r in json.loads(done.stdout)}
    assert got == {
        "Kawasan Strategis Nasional": ("pariwisata", "user", 2, 200.0),
        "Hutan Lindung": ("hutan_lindung", "exact", 1, 100.0),
    }


def test_unmatched_json_carries_suggestions(tmp_path):
    path = write_layer(tmp_path / "rtrw.gpkg", ["Permukiman Perkotaan Perdesaan"])
    result = run(path, "--kind", "rtrw", "--json")
    assert result.exit_code == 2
    (record,) = json.loads(result.stdout)
    assert record["code"] is None and record["method"] is None
    assert {s["code"] for s in record["suggestions"][:2]} == {"permukiman_perkotaan", "permukiman_perdesaan"}
    assert "--write-template" in result.stderr


def test_template_for_a_fully_matched_layer_lists_matches_for_review(tmp_path):
    path = write_layer(tmp_path / "rtrw.gpkg", ["Hutan Lindung"])
    template = tmp_path / "review.toml"
    result = run(path, "--kind", "rtrw", "--write-template", template)
    assert result.exit_code == 0, result.output
    text = template.read_text()
    assert tomllib.loads(text)["mapping"] == {}
    assert '# "Hutan Lindung" = "hutan_lindung"  # exact, 1 feature' in text


def test_bad_inputs(tmp_path):
    path = write_layer(tmp_path / "rtrw.gpkg", ["Hutan Lindung"])
    missing_column = run(path, "--kind", "rtrw", "--column", "KELAS_X")
    assert missing_column.exit_code == 2
    assert "'KELAS_X' is not in the layer" in missing_column.stderr
    bad_mapping = tmp_path / "m.toml"
    bad_mapping.write_text('[mapping]\n"Hutan Lindung" = "hutan_lindungg"\n')
    bad = run(path, "--kind", "rtrw", "--mapping", bad_mapping)
    assert bad.exit_code == 2
    assert "m.toml:2: 'Hutan Lindung' = 'hutan_lindungg': kode rtrw tidak dikenal / unknown rtrw code" in bad.stderr
    no_kind = run(path)
    assert no_kind.exit_code == 2 and "--kind" in no_kind.stderr


@pytest.mark.slow
def test_real_lampung_timur_layer(lamtim_rtrw_path):
    result = run(lamtim_rtrw_path, "--kind", "rtrw", "--layer", "pola_ruang", "--json")
    assert result.exit_code == 0, result.output
    records = {r["raw"]: r for r in json.loads(result.stdout)}
    assert len(records) == 11
    # hectares as in data/rtrw_lampung_timur/SOURCE.md (EPSG:32748)
    assert records["Taman Nasional"]["ha"] == pytest.approx(122_704.4, abs=0.1)
    assert records["Kawasan Peruntukan Pertanian"]["n"] == 73
    assert records["Pemukiman Perdesaan"]["code"] == "permukiman_perdesaan"
    assert sum(r["n"] for r in records.values()) == 283


def test_fuzzy_matches_are_marked_in_json_and_a_mapping_confirms_them(tmp_path):
    path = write_layer(tmp_path / "rtrw.gpkg", ["Perkebunan Rakyatt", "Kawasan Peruntukan Pertanian"])
    result = run(path, "--kind", "rtrw", "--json")
    assert result.exit_code == 0, result.output
    review = {r["raw"]: r["review"] for r in json.loads(result.stdout)}
    assert review == {"Perkebunan Rakyatt": True, "Kawasan Peruntukan Pertanian": False}
    # confirmed in a mapping file, the value is the user's, no longer a similarity match
    mapping = tmp_path / "pemetaan.toml"
    mapping.write_text('[mapping]\n"Perkebunan Rakyatt" = "perkebunan_rakyat"\n')
    confirmed = run(path, "--kind", "rtrw", "--mapping", mapping)
    assert confirmed.exit_code == 0, confirmed.output
    assert "periksa" not in confirmed.stdout + confirmed.stderr
