"""Inputs as a planner names them: roles of line/point/table inputs, village columns from the CLI
and the config, a names-only village layer, a project folder that can be moved, and
``kawasan check`` without an RTRW layer. Through the click runner, on files in a temp dir."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner
from shapely.geometry import Point

from conftest import X0, Y0, grid_villages
from kawasan_gis.cli import cli
from kawasan_gis.config import load_config
from kawasan_gis.errors import ConfigError
from kawasan_gis.pipeline import run

# points per village (row-major from the south-west, 1-based): placed at distinct spots inside
POINTS_PER_VILLAGE = {1: 3, 2: 1, 6: 2, 11: 1, 16: 4}


def _kios(crs: str) -> gpd.GeoDataFrame:
    pts = []
    for k, n in POINTS_PER_VILLAGE.items():
        i, j = (k - 1) % 4, (k - 1) // 4
        pts += [Point(X0 + i * 1000 + 100 + 150 * m, Y0 + j * 1000 + 500) for m in range(n)]
    return gpd.GeoDataFrame({"nama": [f"kios {m}" for m in range(len(pts))]}, geometry=pts, crs=crs)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with a 4 x 4 village grid and a point layer named kios_tani."""
    folder = tmp_path / "proyek"
    folder.mkdir()
    grid = grid_villages()
    grid.to_file(folder / "desa.gpkg", layer="desa")
    _kios(grid.crs).to_file(folder / "kios_tani.gpkg", layer="kios_tani")
    return folder


def _config(folder: Path, points: str) -> Path:
    path = folder / "kawasan.toml"
    path.write_text(
        '[inputs]\nvillages = { path = "desa.gpkg", layer = "desa" }\n[inputs.points]\n' + points + "\n",
        encoding="utf-8",
    )
    return path


def test_a_point_layer_plays_the_role_the_config_gives(project: Path) -> None:
    cfg = load_config(_config(project, 'kios_tani = { path = "kios_tani.gpkg", role = "pusat_kegiatan" }'))
    assert cfg.inputs.role_of("points", "kios_tani") == "pusat_kegiatan"
    result = run(cfg, check=False)
    counts = result.indicators["n_pusat_kegiatan"]
    codes = grid_villages()["kode_desa"]
    expected = pd.Series([POINTS_PER_VILLAGE.get(k, 0) for k in range(1, 17)], index=codes.to_numpy(), dtype=float)
    assert counts.astype(float).tolist() == expected.tolist()  # placed by hand: 3, 1, 2, 1, 4 points
    assert "n_kios_tani" not in result.indicators.columns
    # the role makes the layer count as the catalogue's activity centres: the same scores as naming it so
    same = run(load_config(_config(project, 'pusat_kegiatan = { path = "kios_tani.gpkg" }')), check=False)
    pd.testing.assert_frame_equal(result.scores, same.scores)
    assert result.scores["skor_perekonomian"].notna().all()


def test_without_a_role_the_run_lists_the_roles_it_knows(project: Path) -> None:
    config = _config(project, 'kios_tani = { path = "kios_tani.gpkg" }')
    res = CliRunner().invoke(cli, ["run", str(config), "--out", str(project / "hasil"), "--no-maps"])
    assert res.exit_code == 2, res.output
    assert isinstance(res.exception, SystemExit)  # a message, no traceback
    assert "tidak ada potensi yang dapat dinilai" in res.output and "no potential can be scored" in res.output
    assert "(titik kios_tani)" in res.output and "(point kios_tani)" in res.output
    assert "  - pusat_kegiatan (titik / points): pusat kegiatan" in res.output
    assert "  - jalan (garis / lines): kerapatan jalan / road density" in res.output


def test_an_unknown_role_is_refused_listing_the_known_ones(project: Path) -> None:
    config = _config(project, 'kios_tani = { path = "kios_tani.gpkg", role = "kios" }')
    res = CliRunner().invoke(cli, ["run", str(config), "--out", str(project / "hasil")])
    assert res.exit_code == 2, res.output
    assert isinstance(res.exception, SystemExit)  # a message, no traceback
    assert "[inputs.points.kios_tani.role] peran 'kios' tidak dikenal" in res.output
    assert "unknown role 'kios'" in res.output
    assert "pusat_kegiatan (titik / points)" in res.output
    assert "jalan (garis / lines)" not in res.output  # only the roles a point layer can play
    assert not (project / "hasil").exists()


def test_roles_are_checked_once_with_every_other_problem(project: Path) -> None:
    (project / "podes.csv").write_text("kode_desa,JML_TERNAK\n1807012001,5\n", encoding="utf-8")
    config = _config(
        project,
        'kios_tani = { path = "kios_tani.gpkg", role = "pusat_kegiatan" }\n'
        'pasar = { path = "kios_tani.gpkg", role = "pusat_kegiatan" }\n'
        '[inputs.table]\npath = "podes.csv"\nroles = { sapi = "JML_TERNAK" }',
    )
    with pytest.raises(ConfigError) as err:
        load_config(config)
    text = str(err.value)
    assert "[inputs.points] kios_tani, pasar memainkan peran yang sama 'pusat_kegiatan'" in text
    assert "[inputs.table.roles.sapi] peran 'sapi' tidak dikenal" in text
    assert "ternak (kolom tabel / table column): populasi ternak / livestock count" in text
    assert len(err.value.problems) == 2


def test_a_table_column_plays_its_role(project: Path) -> None:
    codes = grid_villages()["kode_desa"]
    heads = [0, 10, 0, 40] * 4
    pd.DataFrame({"kode_desa": codes, "JML_TERNAK": heads}).to_csv(project / "podes.csv", index=False)
    config = _config(project, '[inputs.table]\npath = "podes.csv"\nroles = { ternak = "JML_TERNAK" }')
    result = run(load_config(config), check=False)
    assert result.indicators["tbl_ternak"].tolist() == heads
    assert "tbl_JML_TERNAK" not in result.indicators.columns
    # livestock is the only potential with evidence: every village with cattle has it, ranked by the count
    assert result.scores.loc[result.scores["skor_peternakan"] > 0].index.tolist() == codes[[h > 0 for h in heads]].tolist()


# ---------------------------------------------------------------- village columns


@pytest.fixture
def odd_villages(tmp_path: Path) -> Path:
    """The 4 x 4 grid with column names no detection knows (KODE_WIL, NAMA_WIL, KEC_WIL, KAB_WIL)."""
    grid = grid_villages()
    odd = grid[["kode_desa", "nama_desa", "nama_kec", "nama_kab", "geometry"]].rename(
        columns={"kode_desa": "KODE_WIL", "nama_desa": "NAMA_WIL", "nama_kec": "KEC_WIL", "nama_kab": "KAB_WIL"}
    )
    path = tmp_path / "wilayah.gpkg"
    odd.to_file(path, layer="wilayah")
    return path


COLUMNS = ["--code-column", "KODE_WIL", "--name-column", "NAMA_WIL", "--kecamatan-column", "KEC_WIL", "--kabupaten-column", "KAB_WIL"]


def test_validate_names_options_that_exist_and_they_work(odd_villages: Path) -> None:
    res = CliRunner().invoke(cli, ["validate", str(odd_villages), "--kind", "villages"])
    assert res.exit_code == 2 and isinstance(res.exception, SystemExit), res.output
    assert "tidak ada kolom kode desa maupun nama desa" in res.output and "found neither" in res.output
    suggested = [opt for opt in ("--code-column", "--name-column", "--kecamatan-column", "--kabupaten-column") if opt in res.output]
    assert suggested == ["--code-column", "--name-column", "--kecamatan-column", "--kabupaten-column"]
    res = CliRunner().invoke(cli, ["validate", str(odd_villages), "--json", *COLUMNS])  # the column options imply --kind villages
    assert res.exit_code == 0, res.output
    import json

    report = json.loads(res.output)
    assert report["kind"] == "villages" and report["n_features"] == 16
    assert report["columns"] == {"kode_desa": "KODE_WIL", "nama_desa": "NAMA_WIL", "nama_kec": "KEC_WIL", "nama_kab": "KAB_WIL"}
    res = CliRunner().invoke(cli, ["validate", str(odd_villages), "--code-column", "KODE"])
    assert res.exit_code == 2 and "kolom 'KODE' untuk kode desa tidak ada" in res.output


def test_village_columns_on_indicators_check_and_in_the_config(odd_villages: Path, tmp_path: Path) -> None:
    grid = grid_villages()
    _kios(grid.crs).to_file(tmp_path / "kios.gpkg", layer="kios")
    out = tmp_path / "ind.csv"
    res = CliRunner().invoke(
        cli, ["indicators", "--villages", str(odd_villages), "--points", f"pusat_kegiatan={tmp_path / 'kios.gpkg'}", "--out", str(out), *COLUMNS]
    )
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out, dtype={"kode_desa": str})
    assert table["kode_desa"].tolist() == grid["kode_desa"].tolist()
    assert table["n_pusat_kegiatan"].tolist() == [POINTS_PER_VILLAGE.get(k, 0) for k in range(1, 17)]

    plan = tmp_path / "rencana.csv"
    pd.DataFrame({"kode_desa": grid["kode_desa"][:2], "kawasan_id": "K1", "potensi": "permukiman"}).to_csv(plan, index=False)
    res = CliRunner().invoke(cli, ["check", str(plan), "--villages", str(odd_villages), "--out", str(tmp_path / "cek"), *COLUMNS])
    assert res.exit_code == 0, res.output

    config = tmp_path / "kawasan.toml"
    config.write_text(
        f'[inputs]\nvillages = {{ path = "{odd_villages.name}", code_column = "KODE_WIL", name_column = "NAMA_WIL", '
        'kecamatan_column = "KEC_WIL" }\n[inputs.points]\npusat_kegiatan = "kios.gpkg"\n',
        encoding="utf-8",
    )
    result = run(load_config(config), check=False)
    assert result.villages["kode_desa"].tolist() == grid["kode_desa"].tolist()
    assert result.villages["nama_kec"].tolist() == grid["nama_kec"].tolist()
    assert set(result.villages["nama_kab"]) == {""}  # not named, not detected: stays unknown
    config.write_text(config.read_text(encoding="utf-8").replace("points]", "points]\nsma = { path = 'kios.gpkg', code_column = 'X' }"))
    with pytest.raises(ConfigError, match=r"\[inputs.points.sma.code_column\] 'code_column' hanya untuk lapisan desa"):
        load_config(config)


# ---------------------------------------------------------------- names-only village layer


def test_a_names_only_village_layer_is_detected_as_villages(lamtim_desa_path: Path, lamtim_rtrw_path: Path, gorontalo_lulc_path: Path, tmp_path: Path) -> None:
    from kawasan_gis.io import detect_kind

    desa = gpd.read_file(lamtim_desa_path, layer="desa")
    # a BIG layer without codes: NAMOBJ (the village name), WADMKC, WADMKK; 253 names for 264 villages
    big = desa[["nama_desa", "nama_kec", "nama_kab", "geometry"]].rename(columns={"nama_desa": "NAMOBJ", "nama_kec": "WADMKC", "nama_kab": "WADMKK"})
    big.to_file(tmp_path / "desa_big.gpkg")
    assert detect_kind(tmp_path / "desa_big.gpkg") == "villages"
    plain = desa[["nama_desa", "nama_kec", "geometry"]].rename(columns={"nama_desa": "DESA", "nama_kec": "KECAMATAN"})
    plain.to_file(tmp_path / "batas_wilayah.shp")
    assert detect_kind(tmp_path / "batas_wilayah.shp") == "villages"
    # class layers stay what they are: repeated class names over many polygons
    assert detect_kind(gorontalo_lulc_path) == "landuse"
    assert detect_kind(lamtim_rtrw_path) == "rtrw"
    rtrw = gpd.read_file(lamtim_rtrw_path)[["kelas", "geometry"]].rename(columns={"kelas": "NAMOBJ"})
    rtrw.to_file(tmp_path / "pola.gpkg")
    assert detect_kind(tmp_path / "pola.gpkg") == "rtrw"
    res = CliRunner().invoke(cli, ["validate", str(tmp_path / "batas_wilayah.shp"), "--json"])
    assert res.exit_code == 0, res.output
    import json

    report = json.loads(res.output)
    assert report["kind"] == "villages" and report["n_features"] == 264
    assert report["columns"]["nama_desa"] == "DESA" and report["columns"]["nama_kec"] == "KECAMATAN"


# ---------------------------------------------------------------- a project folder that moves


def test_init_writes_paths_relative_to_the_config_so_the_folder_moves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = tmp_path / "kantor"
    (before / "proyek" / "data").mkdir(parents=True)
    (before / "bersama").mkdir()
    grid = grid_villages()
    grid.to_file(before / "proyek" / "data" / "desa.gpkg", layer="desa")
    _kios(grid.crs).to_file(before / "bersama" / "kios_tani.gpkg", layer="kios_tani")
    monkeypatch.chdir(before)  # paths as a planner types them: relative to where the command runs
    res = CliRunner().invoke(
        cli,
        ["init", "proyek", "--villages", "proyek/data/desa.gpkg", "--points", "kios_tani=bersama/kios_tani.gpkg", "--name-column", "nama_desa"],
    )
    assert res.exit_code == 0, res.output
    assert "1 berkas di luar folder proyek (../bersama/kios_tani.gpkg)" in res.output  # the one file that must travel along
    text = (before / "proyek" / "kawasan.toml").read_text(encoding="utf-8")
    assert str(tmp_path) not in text  # no absolute path anywhere, not even in the comments
    assert 'villages = { path = "data/desa.gpkg", name_column = "nama_desa" }' in text
    assert 'kios_tani = { path = "../bersama/kios_tani.gpkg" }' in text
    # the planner names the role of the layer, then moves the whole office folder elsewhere
    config = before / "proyek" / "kawasan.toml"
    config.write_text(text.replace('kios_tani = { path = "../bersama/kios_tani.gpkg" }', 'kios_tani = { path = "../bersama/kios_tani.gpkg", role = "pusat_kegiatan" }'))
    after = tmp_path / "laptop" / "kantor_lama"
    after.parent.mkdir()
    before.rename(after)
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(cli, ["run", str(after / "proyek" / "kawasan.toml"), "--no-maps"])
    assert res.exit_code == 0, res.output
    desa = pd.read_csv(after / "proyek" / "hasil" / "desa.csv", dtype={"kode_desa": str})
    assert desa["n_pusat_kegiatan"].tolist() == [POINTS_PER_VILLAGE.get(k, 0) for k in range(1, 17)]


# ---------------------------------------------------------------- kawasan check without --rtrw


@pytest.fixture
def plan_files(tmp_path: Path) -> dict[str, Path]:
    grid = grid_villages()
    desa = tmp_path / "desa.gpkg"
    grid.to_file(desa, layer="desa")
    codes = grid["kode_desa"]
    plan = tmp_path / "rencana.csv"
    # K1: villages 1 and 3 do not touch (village 2 lies between); K2: villages 5 and 6 share a side
    pd.DataFrame({"kode_desa": codes[[0, 2, 4, 5]], "kawasan_id": ["K1", "K1", "K2", "K2"], "potensi": "permukiman"}).to_csv(plan, index=False)
    return {"desa": desa, "plan": plan, "out": tmp_path / "cek"}


def test_check_without_rtrw_checks_the_structure_and_says_zoning_was_not(plan_files: dict[str, Path]) -> None:
    args = ["check", str(plan_files["plan"]), "--villages", str(plan_files["desa"]), "--out", str(plan_files["out"])]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0, res.output  # as with an RTRW: rule errors are reported, --fail-on never passes
    lines = res.output.splitlines()
    note = "! Zonasi RTRW TIDAK diperiksa (tidak ada lapisan RTRW): hanya struktur rencana yang diperiksa"
    assert lines[0] == note and lines[-1] == note
    assert "Struktur rencana (UU 6/2014 Pasal 83): 2 kawasan, 1 dengan kesalahan aturan" in res.output
    assert "Kawasan K1 tidak bersambung: 2 bagian terpisah (Desa 1 | Desa 3)" in res.output
    summary = pd.read_csv(plan_files["out"] / "check.csv")
    assert summary[["kawasan_id", "n_desa", "n_error"]].values.tolist() == [["K1", 2, 1], ["K2", 2, 0]]
    assert summary["luas_ha"].tolist() == pytest.approx([200.0, 200.0])  # two 1 km squares each
    assert set(summary["pemeriksaan_zonasi"]) == {note[2:]}
    assert not {"verdict", "pct_X", "ha_X"} & set(summary.columns)  # nothing that reads as a zoning verdict
    sheets = pd.read_excel(plan_files["out"] / "check.xlsx", sheet_name=None)
    assert list(sheets) == ["catatan", "kawasan", "desa", "aturan"]
    assert sheets["catatan"]["catatan"].tolist()[1] == "RTRW zoning NOT checked (no RTRW layer): only the plan's structure was checked"
    kaw = gpd.read_file(plan_files["out"] / "check.gpkg", layer="kawasan")
    assert kaw.area.round().tolist() == [2_000_000.0, 2_000_000.0]
    styles = pyogrio.read_dataframe(plan_files["out"] / "check.gpkg", layer="layer_styles").set_index("f_table_name")
    assert sorted(styles.index) == ["desa", "kawasan"]  # opens styled in QGIS, as the check with an RTRW
    assert 'attr="potensi"' in styles.loc["desa", "styleQML"] and 'fieldName="nama"' in styles.loc["kawasan", "styleQML"]

    res = CliRunner().invoke(cli, [*args, "--lang", "en"])
    assert res.exit_code == 0 and res.output.startswith("! RTRW zoning NOT checked (no RTRW layer)"), res.output


def test_check_without_rtrw_refuses_a_fail_on_that_judges_zoning(plan_files: dict[str, Path]) -> None:
    args = ["check", str(plan_files["plan"]), "--villages", str(plan_files["desa"]), "--out", str(plan_files["out"])]
    for level in ("prohibited", "conditional"):
        res = CliRunner().invoke(cli, [*args, "--fail-on", level])
        assert res.exit_code == 2 and isinstance(res.exception, SystemExit), res.output
        assert f"--fail-on {level} menilai luas dilarang/bersyarat pada zonasi RTRW" in res.output
        assert "cannot be judged without --rtrw" in res.output
    assert not plan_files["out"].exists()  # refused before any work
    res = CliRunner().invoke(cli, [*args, "--lp2b", str(plan_files["desa"])])
    assert res.exit_code == 2 and "--lp2b tanpa --rtrw tidak berarti apa-apa" in res.output


@pytest.mark.parametrize("doc", ["README.md", "docs/config.md"])
def test_the_documented_roles_are_the_catalogues(doc: str) -> None:
    from kawasan_gis.vocab import input_roles

    text = (Path(__file__).resolve().parents[1] / doc).read_text(encoding="utf-8")
    table = text.split("| role | input | meaning (id / en) | potentials |")[1].split("\n\n")[0]
    rows = [line.split("|")[1:5] for line in table.strip().splitlines()[1:]]
    group = {"lines": "lines", "points": "points", "table column": "table"}
    documented = {(cells[0].strip().strip("`"), group[cells[1].strip()]) for cells in rows}
    assert documented == {(r.role, r.group) for r in input_roles()}


def test_a_point_layer_nothing_reads_is_a_warning_not_silence(project: Path) -> None:
    codes = grid_villages()["kode_desa"]
    pd.DataFrame({"kode_desa": codes, "JML_TERNAK": [0, 10, 0, 40] * 4}).to_csv(project / "podes.csv", index=False)
    table = '[inputs.table]\npath = "podes.csv"\nroles = { ternak = "JML_TERNAK" }'
    # the livestock column can be scored, so the run goes on; the farm shops would drop out unseen
    config = _config(project, f'kios_tani = {{ path = "kios_tani.gpkg" }}\nsma = "kios_tani.gpkg"\n[centres]\nfacilities = {{ sma = "pendidikan" }}\n{table}')
    result = run(load_config(config), check=False)
    unused = [a for a in result.alerts if "tidak dipakai" in a]
    assert unused == [
        "lapisan titik 'kios_tani' tidak dipakai: perannya bukan peran katalog dan tidak disebut di [centres]/[profile]; "
        'beri role = "..." (peran titik: pusat_kegiatan) / point layer \'kios_tani\' feeds nothing: its role is no catalogue '
        'role and [centres]/[profile] do not name it; give role = "..." (point roles: pusat_kegiatan)'
    ]  # sma is a facility of [centres]: used
    config = _config(project, f'kios_tani = {{ path = "kios_tani.gpkg", role = "pusat_kegiatan" }}\n{table}')
    assert not [a for a in run(load_config(config), check=False).alerts if "tidak dipakai" in a]


def test_run_without_rtrw_checks_the_structure_and_says_zoning_was_not(project: Path) -> None:
    """`kawasan run` with no RTRW layer runs the Pasal 83 rules and says, in the terminal and every output, that the zoning was not checked."""
    import json

    config = _config(project, 'kios_tani = { path = "kios_tani.gpkg", role = "pusat_kegiatan" }')
    res = CliRunner().invoke(cli, ["run", str(config), "--out", str(project / "hasil")])
    assert res.exit_code == 0, res.output
    note = "Zonasi RTRW TIDAK diperiksa (tidak ada lapisan RTRW): hanya struktur rencana yang diperiksa"
    out = project / "hasil"
    kawasan = pd.read_csv(out / "kawasan.csv")
    desa = pd.read_csv(out / "desa.csv", dtype={"kode_desa": str, "kode_kec": str})
    assert f"Struktur rencana (UU 6/2014 Pasal 83): {len(kawasan)} kawasan, 0 dengan kesalahan aturan" in res.output
    assert f"! {note}" in res.output and "Pemeriksaan RTRW dilewati" not in res.output
    assert set(kawasan["pemeriksaan_zonasi"]) == {note}
    # the rules ran: a kawasan across the grid's two kecamatan (villages 1-8 | 9-16) is told so
    for row in kawasan.itertuples():
        kec = desa.loc[desa["kawasan_id"] == row.kawasan_id, "kode_kec"].nunique()
        assert ("mencakup 2 kecamatan: Kecamatan 1, Kecamatan 2" in str(row.aturan)) == (kec == 2), row
    assert "aturan" in pd.read_excel(out / "kawasan.xlsx", sheet_name=None)
    info = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert info["peringatan"][0] == f"{note} / RTRW zoning NOT checked (no RTRW layer): only the plan's structure was checked"
    assert note in (out / "laporan.html").read_text(encoding="utf-8")
