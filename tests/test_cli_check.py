"""``kawasan check`` through the click runner, on files written to a temp dir."""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner
from shapely.geometry import box

from conftest import X0, Y0
from kawasan_gis.cli import cli


def code(k: int) -> str:
    return f"18070{1 + (k - 1) // 8}2{k:03d}"


@pytest.fixture
def files(grid: gpd.GeoDataFrame, tmp_path: Path) -> dict[str, Path]:
    """Villages, an RTRW with raw class names (west half production forest: X for settlement), LP2B, plans."""
    desa = tmp_path / "desa.gpkg"
    grid.to_file(desa, layer="desa")
    rtrw = tmp_path / "pola_ruang.gpkg"
    gpd.GeoDataFrame(
        {"NAMOBJ": ["Hutan Produksi Tetap", "Kawasan Peruntukan Pertanian", "Pemukiman Perdesaan"]},
        geometry=[box(X0, Y0, X0 + 2000, Y0 + 4000), box(X0 + 2000, Y0, X0 + 3000, Y0 + 4000), box(X0 + 3000, Y0, X0 + 4000, Y0 + 4000)],
        crs=grid.crs,
    ).to_file(rtrw)
    lp2b = tmp_path / "lp2b.geojson"
    gpd.GeoDataFrame({"nama": ["LP2B"]}, geometry=[box(X0 + 2000, Y0, X0 + 3000, Y0 + 1000)], crs=grid.crs).to_crs(4326).to_file(lp2b)
    west = tmp_path / "rencana_barat.csv"
    pd.DataFrame({"kode_desa": [code(1), code(2)], "kawasan_id": "K1", "potensi": "Permukiman"}).to_csv(west, index=False)
    east = tmp_path / "rencana_timur.xlsx"
    pd.DataFrame({"kode_desa": [code(3), code(4)], "kawasan_id": "K2", "potensi": "permukiman"}).to_excel(east, index=False)
    return {"desa": desa, "rtrw": rtrw, "lp2b": lp2b, "west": west, "east": east, "out": tmp_path / "hasil"}


def run(files: dict[str, Path], plan: str, *extra: str) -> object:
    args = ["check", str(files[plan]), "--villages", str(files["desa"]), "--rtrw", str(files["rtrw"]), "--out", str(files["out"]), *extra]
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def test_check_writes_outputs_and_prints_summary(files: dict[str, Path]) -> None:
    res = run(files, "west")
    assert res.exit_code == 0, res.output
    out = files["out"]
    assert sorted(p.name for p in out.iterdir()) == [".kawasan_gis", "check.csv", "check.gpkg", "check.xlsx"]  # the stamp: a folder it wrote
    assert [n for n, _ in pyogrio.list_layers(out / "check.gpkg")] == ["kawasan", "konflik", "desa", "layer_styles"]
    kaw = gpd.read_file(out / "check.gpkg", layer="kawasan")
    assert kaw[["pct_I", "pct_T", "pct_B", "pct_X", "pct_L", "pct_outside"]].iloc[0].tolist() == pytest.approx([0, 0, 0, 100, 0, 0])
    assert kaw["verdict"].tolist() == ["tidak sesuai"]
    konflik = gpd.read_file(out / "check.gpkg", layer="konflik")
    assert konflik[["kawasan_id", "kelas", "status"]].values.tolist() == [["K1", "hutan_produksi_tetap", "X"]]
    assert konflik["luas_ha"].iloc[0] == pytest.approx(200)
    lines = res.output.splitlines()
    assert lines[0].split() == ["Kawasan", "Potensi", "Desa", "Luas", "ha", "%I+T", "%B", "%X", "%L", "%Luar", "Putusan", "Aturan"]
    assert lines[2].split() == ["K1", "permukiman", "2", "200,0", "0,0", "0,0", "100,0", "0,0", "0,0", "tidak", "sesuai", "0"]  # Indonesian decimal commas
    assert "check.csv" not in res.output and str(out) in res.output


# west: villages 1-2 wholly in production forest, X 200 ha; east: village 3 on pertanian (B, 100 ha)
# and village 4 on permukiman perdesaan (I)
X_WEST = "dilarang (X) di atas toleransi 0,01 ha atau tidak tercakup RTRW: K1 (X 200,00 ha)"


@pytest.mark.parametrize(
    ("plan", "fail_on", "code", "message"),
    [
        ("west", "never", 0, None),
        ("west", "prohibited", 3, f"--fail-on prohibited: 1 kawasan dengan luas {X_WEST}"),
        ("west", "conditional", 3, f"--fail-on conditional: 1 kawasan dengan luas bersyarat (B) atau {X_WEST}"),
        ("east", "prohibited", 0, None),
        ("east", "conditional", 3,
         "--fail-on conditional: 1 kawasan dengan luas bersyarat (B) atau dilarang (X) di atas toleransi 0,01 ha atau tidak tercakup RTRW: "
         "K2 (B 100,00 ha)"),
    ],
)
def test_fail_on_exit_codes(files: dict[str, Path], plan: str, fail_on: str, code: int, message: str | None) -> None:
    res = run(files, plan, "--fail-on", fail_on)
    assert res.exit_code == code, res.output
    if message:
        assert message in " ".join(res.output.split())  # click may wrap the line
    else:
        assert "--fail-on" not in res.output
    assert (files["out"] / "check.gpkg").exists()  # outputs are written either way


@pytest.mark.parametrize(("tolerance", "code"), [(250, 0), (150, 3)])
def test_fail_on_uses_the_tolerance_of_the_thresholds_file(files: dict[str, Path], tmp_path: Path, tolerance: int, code: int) -> None:
    cfg = tmp_path / "toleransi.toml"
    cfg.write_text(f"[verdict]\ntoleransi_ha = {tolerance}\n", encoding="utf-8")
    res = run(files, "west", "--thresholds", str(cfg), "--fail-on", "prohibited")  # 200 ha of X
    assert res.exit_code == code, res.output
    if code == 3:
        assert f"di atas toleransi {tolerance} ha atau tidak tercakup RTRW: K1 (X 200,00 ha)" in " ".join(res.output.split())


def test_lp2b_matrix_and_language(files: dict[str, Path], tmp_path: Path) -> None:
    res = run(files, "east", "--lp2b", str(files["lp2b"]), "--fail-on", "prohibited", "--lang", "en")
    assert res.exit_code == 3, res.output  # settlement on LP2B farmland is prohibited
    assert "not compliant" in res.output and "Verdict" in res.output
    # village 3 (100 ha) lies wholly on the LP2B polygon
    assert "1 kawasan with prohibited (X) area above the 0.01 ha tolerance or not covered by the RTRW: K2 (X 100.00 ha)" in " ".join(res.output.split())
    matrix = tmp_path / "itbx.toml"
    matrix.write_text('[matrix.permukiman]\nhutan_produksi_tetap = "B"\n', encoding="utf-8")
    ok = run(files, "west", "--matrix", str(matrix), "--fail-on", "prohibited")
    assert ok.exit_code == 0, ok.output


def test_thresholds_file(files: dict[str, Path], tmp_path: Path) -> None:
    cfg = tmp_path / "ambang.toml"
    cfg.write_text("[verdict]\nbersyarat_pct_B = 60\n", encoding="utf-8")
    res = run(files, "east", "--thresholds", str(cfg))  # 50 % B: conditional by default, not with 60
    assert res.exit_code == 0, res.output
    assert pd.read_csv(files["out"] / "check.csv")["verdict"].tolist() == ["sesuai"]


def test_rule_errors_are_printed(files: dict[str, Path], tmp_path: Path) -> None:
    plan = tmp_path / "satu.csv"
    pd.DataFrame({"kode_desa": [code(1)], "kawasan_id": "K9", "potensi": "permukiman"}).to_csv(plan, index=False)
    files["one"] = plan
    res = run(files, "one")
    assert res.exit_code == 0
    assert "! Kawasan K9 hanya memuat 1 desa" in res.output


def test_bad_plan_exits_2_listing_problems(files: dict[str, Path], tmp_path: Path) -> None:
    plan = tmp_path / "salah.csv"
    pd.DataFrame({"kode_desa": [code(1), "18.07.01.9999", code(2)], "kawasan_id": ["A", "A", "B"], "potensi": ["permukiman", "permukiman", ""]}).to_csv(plan, index=False)
    files["bad"] = plan
    res = run(files, "bad")
    assert res.exit_code == 2
    assert "1807019999" in res.output and "missing potential" in res.output
    assert not files["out"].exists()


def test_propose_output_with_plan_layer(files: dict[str, Path], grid: gpd.GeoDataFrame, tmp_path: Path) -> None:
    usulan = tmp_path / "usulan.gpkg"
    members = grid.iloc[[2, 3]]
    gpd.GeoDataFrame({"kawasan_id": ["K01"], "potensi": ["perekonomian"], "daftar_kode": [", ".join(members["kode_desa"])]},
                     geometry=[members.union_all()], crs=grid.crs).to_file(usulan, layer="zona")
    grid.to_file(usulan, layer="desa")
    files["usulan"] = usulan
    assert run(files, "usulan").exit_code == 2  # two layers, none called kawasan
    res = run(files, "usulan", "--plan-layer", "zona")
    assert res.exit_code == 0, res.output
    assert "perekonomian" in res.output


def test_hazard_and_conditional_conflicts(files: dict[str, Path], grid: gpd.GeoDataFrame, tmp_path: Path) -> None:
    krb = tmp_path / "krb.gpkg"
    gpd.GeoDataFrame({"KRB": ["tinggi"]}, geometry=[box(X0 + 3000, Y0, X0 + 3500, Y0 + 1000)], crs=grid.crs).to_file(krb)
    res = run(files, "east", "--hazard", str(krb), "--conditional-conflicts")
    assert res.exit_code == 0, res.output
    konflik = gpd.read_file(files["out"] / "check.gpkg", layer="konflik")
    got = konflik[["kelas", "status", "sebab", "luas_ha"]].round(6).values.tolist()
    assert got == [["permukiman_perdesaan", "X", "rawan_bencana", 50.0], ["pertanian", "B", "pola_ruang", 100.0]]


def test_check_gpkg_opens_styled_in_qgis(files: dict[str, Path]) -> None:
    """check.gpkg carries default QGIS styles: zones by status, villages by the plan's potential, labelled kawasan."""
    from qgis_probe import qgis_styles_seen, require_qgis

    from kawasan_gis.maps.styles import KONFLIK_STYLE, potential_styles

    res = run(files, "west", "--lang", "en")
    assert res.exit_code == 0, res.output
    gpkg = files["out"] / "check.gpkg"
    styles = pyogrio.read_dataframe(gpkg, layer="layer_styles")
    assert sorted(styles["f_table_name"]) == ["desa", "kawasan", "konflik"]
    assert 'attr="potensi"' in styles.set_index("f_table_name").loc["desa", "styleQML"]  # the plan's potential, not a score
    require_qgis()
    seen = qgis_styles_seen(gpkg, ["kawasan", "konflik", "desa"])
    assert {n: (s["loaded"], s["renderer"], s.get("attr")) for n, s in seen.items()} == {
        "kawasan": (True, "categorizedSymbol", "potensi"),
        "konflik": (True, "categorizedSymbol", "status"),
        "desa": (True, "categorizedSymbol", "potensi"),
    }
    konflik = {c["value"]: c for c in seen["konflik"]["categories"]}
    assert konflik["X"]["label"] == "Prohibited (X)"  # --lang en
    red = KONFLIK_STYLE["X"]["fillColor"].lstrip("#")
    assert konflik["X"]["fill"][:3] == [int(red[i : i + 2], 16) for i in (0, 2, 4)]
    settlement = potential_styles("en")["permukiman"].colour.lstrip("#")
    desa = {c["value"]: c for c in seen["desa"]["categories"]}
    assert desa["permukiman"]["fill"][:3] == [int(settlement[i : i + 2], 16) for i in (0, 2, 4)]
    assert desa["permukiman"]["label"] == "Settlement"
    assert (seen["kawasan"]["labels"], seen["kawasan"]["label_field"]) == (True, "nama")


def test_warnings_read_as_one_line() -> None:
    from kawasan_gis.cli import _format_warning
    from kawasan_gis.errors import RepairWarning

    from kawasan_gis.i18n import Message

    repaired = RepairWarning(Message("x.gpkg: geometri tidak sah diperbaiki: 1", "x.gpkg: invalid geometries repaired: 1"))
    text = _format_warning(repaired, RepairWarning, "/src/io.py", 10, "code line")
    assert text == "Perbaikan: x.gpkg: geometri tidak sah diperbaiki: 1\n"  # Indonesian, not both languages joined
    assert _format_warning(UserWarning("hati-hati"), UserWarning, "f.py", 1).startswith("Peringatan: hati-hati")


def test_plan_of_another_kabupaten_stops_with_the_coverage_message(
    gorontalo_desa_path: Path, lamtim_rtrw_path: Path, tmp_path: Path
) -> None:
    """A Gorontalo plan checked against the Lampung Timur RTRW: the RTRW covers 0 % of it, exit 2, nothing written."""
    codes = gpd.read_file(gorontalo_desa_path, layer="desa")["kode_desa"].astype(str)
    plan = tmp_path / "rencana_gorontalo.csv"
    pd.DataFrame({"kode_desa": codes.iloc[:3], "kawasan_id": "K1", "potensi": "permukiman"}).to_csv(plan, index=False)
    out = tmp_path / "hasil"
    args = ["check", str(plan), "--villages", str(gorontalo_desa_path), "--rtrw", str(lamtim_rtrw_path), "--out", str(out)]
    res = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert res.exit_code == 2, res.output
    text = " ".join(res.output.split())
    assert "Lapisan RTRW hanya menutupi 0,0 % luas desa rencana" in text
    assert "ambang 50 %" in text and "kabupaten lain" in text and "CRS salah" in text
    assert "The RTRW layer covers only 0.0 % of the plan's village area" in text and "another kabupaten" in text
    assert text.index("Lapisan RTRW") < text.index("The RTRW layer")  # Indonesian first
    assert str(lamtim_rtrw_path) in text
    assert not out.exists()


def test_partial_rtrw_cover_warns_with_its_figure_and_a_low_threshold_stops(
    files: dict[str, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """RTRW over the west half only (x < 2 km): villages 3-4 of row 1 are outside it."""
    caplog.set_level(logging.WARNING)
    half = tmp_path / "rtrw_barat.gpkg"
    gpd.read_file(files["rtrw"]).iloc[[0]].to_file(half)  # production forest, x 0-2 km of the 4 km grid
    plan = tmp_path / "rencana.csv"
    # villages 1, 2, 3 (1 km squares along the bottom row): 2 of 3 km² covered -> 66.7 %
    pd.DataFrame({"kode_desa": [code(1), code(2), code(3)], "kawasan_id": "K1", "potensi": "Permukiman"}).to_csv(plan, index=False)
    args = ["check", str(plan), "--villages", str(files["desa"]), "--rtrw", str(half), "--out", str(files["out"])]
    res = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert "Lapisan RTRW hanya menutupi 66,7 % luas desa rencana; 100 ha di luar RTRW" in res.output
    # said once: printed from the result, not logged as a warning as well
    assert res.output.count("hanya menutupi") == 1
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING and "menutupi" in r.getMessage()]
    strict = tmp_path / "ketat.toml"
    strict.write_text("[verdict]\nmin_cakupan_rtrw_pct = 70\n", encoding="utf-8")
    res = CliRunner().invoke(cli, [*args, "--thresholds", str(strict)], catch_exceptions=False)
    assert res.exit_code == 2
    assert "66,7 %" in res.output and "ambang 70 %" in res.output


def test_summary_table_numbers_in_the_language() -> None:
    import pandas as pd

    from kawasan_gis.cli.check import summary_table

    row = pd.DataFrame({"kawasan_id": ["K1"], "potensi": ["permukiman"], "n_desa": [1250], "luas_ha": [43621.54], "pct_I": [60.0],
                        "pct_T": [2.3], "pct_B": [37.44], "pct_X": [0.26], "pct_L": [1.24], "pct_outside": [0.0], "verdict": ["sesuai bersyarat"],
                        "n_error": [0]})
    assert summary_table(row).splitlines()[2].split() == [
        "K1", "permukiman", "1.250", "43.621,5", "62,3", "37,4", "0,3", "1,2", "0,0", "sesuai", "bersyarat", "0"]
    assert summary_table(row, "en").splitlines()[2].split() == [
        "K1", "permukiman", "1,250", "43,621.5", "62.3", "37.4", "0.3", "1.2", "0.0", "conditionally", "compliant", "0"]
