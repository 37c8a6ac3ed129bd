"""laporan.html: sections, escaping, self-containment, languages."""

from __future__ import annotations

import base64
import re

import geopandas as gpd
import pandas as pd
import pytest
from conftest import X0, Y0
from shapely.geometry import box
from test_maps import XSS, scenario

from kawasan_gis import maps
from kawasan_gis.errors import ConfigError, DataSourceError, FieldError
from kawasan_gis.io import LayerReport, Repair
from kawasan_gis.report import write_report

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@pytest.fixture
def inputs(tmp_path):
    layers = scenario()
    png = tmp_path / "peta.png"
    png.write_bytes(PNG)
    reports = [
        LayerReport(path="desa.gpkg", layer="desa", kind="villages", n_read=17, n_features=16,
                    geometry_types=["Polygon"], crs_source="EPSG:32748", working_crs="EPSG:32748",
                    repairs=[Repair("invalid geometries repaired (make_valid)", 1, ["1807012003 (<b>Desa 3</b>)"])],
                    code_problems=["duplicate code 1807012004"], notes=["1 empty geometry dropped"],
                    coverage={"n_gaps": 2, "gap_ha": 0.5, "n_overlaps": 1, "overlap_ha": 0.25}, area_ha=1600.0),
        LayerReport(path="rtrw.gpkg", layer="pola_ruang", kind="rtrw", n_read=4, n_features=4).to_dict(),
    ]
    return {
        "desa": layers["desa"],
        "kawasan": layers["kawasan"],
        "konflik": layers["konflik"],
        "layer_reports": reports,
        "indicator_coverage": {"zonasi_peternakan": None, "populasi_ternak": "kolom 'ternak' tidak ada", "jalan": True},
        "params": {"regionalize": {"min_desa": 2, "max_desa": 15, "metode": "ward"}, "simplify_m": 25.0, "lang": "id"},
        "static_map_png": png,
    }


def sections(html: str) -> list[str]:
    return re.findall(r"<h2>(.*?)</h2>", html)


def test_sections_in_reading_order(tmp_path, inputs):
    path = write_report(tmp_path / "laporan.html", **inputs)
    html = path.read_text(encoding="utf-8")
    assert sections(html) == ["Ringkasan", "Peta kawasan", "Masukan dan perbaikan", "Cakupan indikator", "Tabel kawasan",
                              "Daftar konflik", "Metode dan parameter"]
    assert html.startswith("<!DOCTYPE html>") and '<html lang="id">' in html


def test_summary_figures(tmp_path, inputs):
    html = write_report(tmp_path / "laporan.html", **inputs).read_text(encoding="utf-8")
    cards = re.findall(r'<div class="card"><b>(.*?)</b>', html)
    # 16 villages of 100 ha; 8 in two kawasan; two conflicts
    assert cards == ["16", "1.600 ha", "2", "800 ha", "2"]
    assert "1 Dilarang (X), 1 Bersyarat (B)" in html


def test_inputs_and_repairs(tmp_path, inputs):
    html = write_report(tmp_path / "laporan.html", **inputs).read_text(encoding="utf-8")
    assert "invalid geometries repaired (make_valid): 1" in html
    assert "1807012003 (&lt;b&gt;Desa 3&lt;/b&gt;)" in html
    assert "duplicate code 1807012004" in html and "1 empty geometry dropped" in html
    assert "2 celah (0,50 ha); 1 tumpang tindih (0,25 ha)" in html
    assert "tidak ada perbaikan" in html  # the second layer
    assert "16 (dibaca 17)" in html


def test_indicator_coverage(tmp_path, inputs):
    html = write_report(tmp_path / "laporan.html", **inputs).read_text(encoding="utf-8")
    table = html[html.index('id="cakupan"'):html.index('id="kawasan"')]
    rows = re.findall(r"<tr><td>(.*?)</td><td>.*?>(dihitung|tidak dihitung)<.*?<td>(.*?)</td></tr>", table)
    assert rows == [("populasi_ternak", "tidak dihitung", "kolom &#39;ternak&#39; tidak ada"),
                    ("jalan", "dihitung", ""), ("zonasi_peternakan", "dihitung", "")]


def test_indicator_coverage_as_frame(tmp_path, inputs):
    frame = pd.DataFrame({"indikator": ["a", "b"], "desa_dengan_nilai": [16, 3], "pct": [100.0, 18.75]})
    inputs["indicator_coverage"] = frame
    html = write_report(tmp_path / "laporan.html", **inputs).read_text(encoding="utf-8")
    assert "<th>desa_dengan_nilai</th>" in html and "<td>18,75</td>" in html


def test_kawasan_table_profiles_and_compliance(tmp_path, inputs):
    html = write_report(tmp_path / "laporan.html", **inputs).read_text(encoding="utf-8")
    assert "Kawasan &lt;b&gt;Satu&lt;/b&gt;" in html and "<b>Satu</b>" not in html
    # K01 = villages 1, 2, 5, 6, 100 ha each: peternakan scores 0.10, 0.10, 0.90, 0.10 -> mean 0.30
    card = html[html.index('id="k-1"'):html.index('id="k-2"')]
    assert re.search(r"Peternakan</td><td><span class=\"bar\"><i style=\"width:30%", card)
    assert ">0,30</td>" in card
    assert "Diizinkan (I): 60,0%" not in card and "60,0%" in card and "bersyarat" in card
    assert "Desa anggota (4): &lt;img src=x onerror=alert(1)&gt;, Desa 2, Desa 5, Desa 6<" in card
    assert "0,79" in html  # kekompakan 0.785


def test_profile_bars_are_the_catalogue_potentials_only(tmp_path, inputs):
    """A village column that starts with skor_ but is no potential (an older run's centre score) gets no bar."""
    desa = inputs["desa"]
    potentials = [c for c in desa.columns if str(c).startswith("skor_")]
    inputs["desa"] = desa.assign(nilai_pusat=0.7, skor_pusat=0.7)
    html = write_report(tmp_path / "laporan.html", **inputs).read_text(encoding="utf-8")
    card = html[html.index('id="k-1"'):html.index('id="k-2"')]
    bars = re.findall(r"</span>([^<]*)</td><td><span class=\"bar\">", card)
    assert len(bars) == len(potentials) >= 2 and "Peternakan" in bars
    assert not any("pusat" in b.lower() for b in bars)


def test_conflicts_prohibited_first(tmp_path, inputs):
    inputs["konflik"] = inputs["konflik"].iloc[::-1].assign(desa=["Desa 2 (12.00 ha)", "<b>Desa 1</b> (30.00 ha)"],
                                                            sebab="pola_ruang")
    html = write_report(tmp_path / "laporan.html", **inputs).read_text(encoding="utf-8")
    table = html[html.index('id="konflik"'):html.index('id="metode"')]
    statuses = re.findall(r'<span class="tag tag-(X|B)">', table)
    assert statuses == ["X", "B"]
    assert "Hutan Lindung" in table and "K01 – Kawasan &lt;b&gt;Satu&lt;/b&gt;" in table and "30,0" in table
    assert "<th>Sebab</th>" in table and "<td>pola ruang</td>" in table
    assert '<td class="members">&lt;b&gt;Desa 1&lt;/b&gt; (30.00 ha)</td>' in table


def test_method_and_parameters(tmp_path, inputs):
    html = write_report(tmp_path / "laporan.html", **inputs).read_text(encoding="utf-8")
    assert "<code>regionalize.min_desa</code></td><td>2</td>" in html
    assert "<code>regionalize.metode</code></td><td>ward</td>" in html
    assert "Ward" in html


def test_self_contained_and_escaped(tmp_path, inputs):
    html = write_report(tmp_path / "laporan.html", **inputs).read_text(encoding="utf-8")
    assert 'src="data:image/png;base64,' + base64.b64encode(PNG).decode() + '"' in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "<link" not in html and "<script" not in html
    assert XSS not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_english(tmp_path, inputs):
    html = write_report(tmp_path / "report.html", **inputs, lang="en").read_text(encoding="utf-8")
    assert sections(html) == ["Summary", "Kawasan map", "Inputs and repairs", "Indicator coverage", "Kawasan table",
                              "Conflict list", "Method and parameters"]
    assert '<html lang="en">' in html and "1,600 ha" in html and "Livestock" in html


def test_minimal_report(tmp_path):
    layers = scenario()
    html = write_report(tmp_path / "laporan.html", desa=layers["desa"].drop(columns="kawasan_id"), kawasan=None).read_text(
        encoding="utf-8")
    for text in ["Tidak ada laporan masukan.", "Cakupan indikator tidak tersedia.", "Tidak ada kawasan yang diusulkan.",
                 "Tidak ada konflik dengan RTRW.", "Parameter tidak dicatat."]:
        assert text in html


def test_with_the_real_static_map(tmp_path, inputs):
    png = maps.static_map(inputs["desa"], kawasan=inputs["kawasan"], path=tmp_path / "peta_kawasan.png", dpi=60, pdf=False)
    inputs["static_map_png"] = png
    path = write_report(tmp_path / "laporan.html", **inputs)
    assert path.stat().st_size > png.stat().st_size
    assert sorted(p.name for p in tmp_path.iterdir()) == ["laporan.html", "peta.png", "peta_kawasan.png"]


def test_errors(tmp_path, inputs):
    with pytest.raises(FieldError, match="kode_desa"):
        write_report(tmp_path / "a.html", **{**inputs, "desa": inputs["desa"].drop(columns="kode_desa")})
    with pytest.raises(FieldError, match="kawasan_id"):
        write_report(tmp_path / "a.html", **{**inputs, "kawasan": inputs["kawasan"].drop(columns="kawasan_id")})
    with pytest.raises(DataSourceError, match="static map"):
        write_report(tmp_path / "a.html", **{**inputs, "static_map_png": tmp_path / "none.png"})
    with pytest.raises(DataSourceError, match="does not exist"):
        write_report(tmp_path / "none" / "a.html", **inputs)
    with pytest.raises(ConfigError):
        write_report(tmp_path / "a.html", **inputs, lang="jv")
    assert not (tmp_path / "a.html").exists()


def test_report_says_how_much_rests_on_zoning(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import geopandas as gpd
    from conftest import grid_villages

    from kawasan_gis.report import write_report

    desa = grid_villages(2).assign(kawasan_id="K01", potensi_dominan="permukiman", skor_permukiman=0.5)
    kawasan = gpd.GeoDataFrame(
        {"kawasan_id": ["K01"], "nama": ["Kawasan Uji"], "potensi": ["permukiman"], "n_desa": [4], "luas_ha": [400.0],
         "pct_I": [100.0], "pct_T": [0.0], "pct_B": [0.0], "pct_X": [0.0], "pct_outside": [0.0], "verdict": ["sesuai"], "pct_dasar_zonasi": [75.0]},
        geometry=[desa.union_all()], crs=desa.crs,
    )
    page = write_report(tmp_path / "laporan.html", desa=desa, kawasan=kawasan).read_text()
    assert "bertumpu pada zonasi RTRW" in page and "75%" in page
    en = write_report(tmp_path / "report.html", desa=desa, kawasan=kawasan, lang="en").read_text()
    assert "resting on RTRW zoning" in en


def test_zoning_labels_do_not_collide() -> None:
    from kawasan_gis.i18n import t

    # the map's short "rests on" label and the report's long sentence are two keys
    assert t("dasar_zonasi") == "zonasi RTRW"
    assert t("pct_dasar_zonasi").startswith("Potensi desa yang bertumpu pada zonasi RTRW")


def test_lindung_kept_is_listed_apart_and_not_counted_as_a_conflict(tmp_path, inputs):
    kept = gpd.GeoDataFrame({"kawasan_id": ["K01"], "kelas": ["taman_nasional"], "status": ["L"], "luas_ha": [20.0],
                             "sebab": ["lindung"]}, geometry=[box(X0 + 2200, Y0 + 2200, X0 + 2600, Y0 + 2700)], crs=inputs["konflik"].crs)
    inputs["konflik"] = gpd.GeoDataFrame(pd.concat([kept, inputs["konflik"]], ignore_index=True), crs=kept.crs)
    inputs["kawasan"] = inputs["kawasan"].assign(pct_L=[5.0, 0.0], pct_I=[55.0, 80.0])
    html = write_report(tmp_path / "laporan.html", **inputs).read_text(encoding="utf-8")
    cards = re.findall(r'<div class="card"><b>(.*?)</b>', html)
    assert cards[-1] == "2"  # still the two conflicts: protected land kept is none
    assert "1 Dilarang (X), 1 Bersyarat (B); 1 Kawasan lindung dipertahankan (L)" in html
    table = html[html.index('id="konflik"'):html.index('id="metode"')]
    assert re.findall(r'<span class="tag tag-(X|B|L)">', table) == ["X", "B", "L"]  # after the conflicts, in its own colour
    assert ".tag-L { background: #e4eee8;" in html
    assert 'title="Lindung dipertahankan (L) 5,0%"' in html and "background:#6b9080" in html


# ------------------------------------------------------------------------- one language per report


def _plain_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


@pytest.fixture
def run_like(tmp_path, inputs):
    """What a run hands the report: Messages in both languages, absolute paths, catalogue keys."""
    from kawasan_gis.i18n import message

    inputs["layer_reports"] = [
        LayerReport(path="/home/planner/data/konteks_lampung_timur.gpkg", layer="jalan", kind="lines", n_read=3223,
                    n_features=3223, working_crs="EPSG:32748", working_crs_reason=message("crs_reason_given"),
                    repairs=[Repair(message("repair_invalid"), 1351, ["#95"])],
                    notes=[message("note_unknown_type", n=1200)],
                    coverage={"n_gaps": 1351, "gap_ha": 54.04, "n_overlaps": 404, "overlap_ha": 1234.5}),
    ]
    inputs["indicator_coverage"] = {
        "hutan_tanaman_industri.hutan_tanaman": message("missing_layer", kinds="x"),
        "masukan.landuse": message("not_given"),
        "permukiman.kerapatan_jalan": True,
    }
    inputs["params"] = {"inputs": {"villages": {"path": "/home/planner/data/desa.gpkg", "assume_crs": None}},
                        "potentials": {"mixed_margin": 0.05, "max_pct_lindung": 50.0}, "proposal": {"random_state": 12345,
                        "include_kelurahan": True}, "source": "/home/planner/kawasan.toml"}
    inputs["kawasan"] = inputs["kawasan"].assign(verdict=["sesuai bersyarat", "tidak sesuai"])
    inputs["konflik"] = inputs["konflik"].assign(sebab="pola_ruang")
    inputs["warnings"] = [message("no_rtrw_room")]
    return inputs


def test_report_in_indonesian_only(tmp_path, run_like):
    html = write_report(tmp_path / "laporan.html", **run_like).read_text(encoding="utf-8")
    text = _plain_text(html)
    assert "/home/planner" not in html  # file names, not the machine's paths
    for expected in [
        "konteks_lampung_timur.gpkg [Lapisan jalan]",
        "Jenis garis",
        "Fitur 3.223 (dibaca 3.223)",
        "CRS kerja EPSG:32748 (ditentukan)",
        "geometri tidak sah diperbaiki (make_valid, structure): 1.351 (#95)",
        "1.200 desa tanpa jenis (desa/kelurahan) dianggap desa",
        "1.351 celah (54,04 ha); 404 tumpang tindih (1.234,50 ha)",
        "Hutan Tanaman Industri: hutan tanaman tidak dihitung tidak ada lapisan x",
        "Masukan: penggunaan lahan tidak dihitung tidak diberikan",
        "Permukiman: kerapatan jalan dihitung",
        "inputs.villages.path desa.gpkg",
        "inputs.villages.assume_crs –",
        "potentials.mixed_margin 0,05",
        "potentials.max_pct_lindung 50",
        "proposal.random_state 12345",
        "proposal.include_kelurahan ya",
        "source kawasan.toml",
        "tanpa RTRW: kawasan lindung tidak diketahui, seluruh desa dianggap ruang kembang",
        "Penilaian: sesuai bersyarat",
        "Kelas Sebab Luas (ha)",
    ]:
        assert expected in text, expected
    konflik = _plain_text(html[html.index('id="konflik"'):html.index('id="metode"')])
    assert "pola ruang" in konflik and "pola_ruang" not in konflik
    for english in ("invalid geometries", "not given", "no RTRW", "given)", "villages of unknown type"):
        assert english not in text, english


def test_report_in_english_only(tmp_path, run_like):
    html = write_report(tmp_path / "report.html", **run_like, lang="en").read_text(encoding="utf-8")
    text = _plain_text(html)
    for expected in [
        "konteks_lampung_timur.gpkg [Layer jalan]",
        "Kind lines",
        "Features 3,223 (read 3,223)",
        "Working CRS EPSG:32748 (given)",
        "invalid geometries repaired (make_valid, structure): 1,351 (#95)",
        "1,200 villages of unknown type (desa/kelurahan) are treated as desa",
        "1,351 gaps (54.04 ha); 404 overlaps (1,234.50 ha)",
        "Industrial plantation forest: plantation forest not computed no x layer",
        "Input: land use not computed not given",
        "inputs.villages.path desa.gpkg",
        "potentials.mixed_margin 0.05",
        "proposal.include_kelurahan yes",
        "no RTRW: kawasan lindung unknown, the whole village is taken as development room",
        "Verdict: conditionally compliant",
        "pola ruang (zoning)",
    ]:
        assert expected in text, expected
    for indonesian in ("diperbaiki", "tidak diberikan", "ditentukan", "dianggap desa", "sesuai bersyarat"):
        assert indonesian not in text, indonesian
