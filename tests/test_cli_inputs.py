"""Inputs as a planner names them: roles of line/point/table inputs, village columns from the CLI
and the config, a names-only village layer, a project folder that can be moved, and
``kawasan check`` without an RTRW layer. Through the click runner, on files in a temp dir."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
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
