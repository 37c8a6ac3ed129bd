"""Run configuration: the bundled examples load; every problem of a bad file is listed at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from kawasan_gis.config import load_config
from kawasan_gis.errors import ConfigError


def test_bundled_configs_load(data_dir: Path) -> None:
    cfg = load_config(data_dir / "lampung_timur.toml")
    assert cfg.inputs.villages.path == (data_dir / "rtrw_lampung_timur" / "desa_lampung_timur.gpkg").resolve()
    assert cfg.inputs.rtrw is not None and cfg.inputs.rtrw.column == "kelas"
    assert sorted(cfg.inputs.lines) == ["jalan", "saluran_irigasi"]
    assert cfg.inputs.lines["jalan"].by == "kelas_jalan"
    assert cfg.proposal.max_villages == 25 and cfg.proposal.n_zones is None
    assert cfg.project.working_crs == "EPSG:32748"
    gor = load_config(data_dir / "gorontalo.toml")
    assert gor.inputs.rtrw is None and gor.inputs.landuse is not None
    assert gor.proposal.include_kelurahan is False


def test_every_problem_listed(tmp_path: Path) -> None:
    (tmp_path / "desa.gpkg").write_bytes(b"")
    cfg = tmp_path / "kawasan.toml"
    cfg.write_text(
        """
[inputs]
villages = { path = "desa.gpkg", lyr = "desa" }
rtrw = "missing_rtrw.gpkg"
[inputs.lines]
"jalan raya" = "desa.gpkg"
[proposal]
method = "kmeans"
min_villages = "two"
max_villages = 1
[check]
fail_on = "always"
[project]
lang = "fr"
working_crs = "EPSG:4326"
[outputs]
kml = "yes"
[extra]
x = 1
"""
    )
    with pytest.raises(ConfigError) as err:
        load_config(cfg)
    text = str(err.value)
    # every problem in Indonesian first, then English
    expected = [
        "[extra] bagian tidak dikenal / unknown section",
        "[inputs.villages] kunci tidak dikenal / unknown key 'lyr'",
        "[inputs.rtrw.path] berkas tidak ditemukan / file not found:",
        "[inputs.lines.jalan raya] nama hanya huruf, angka dan _ (menjadi nama kolom) / names must be letters, digits and _",
        "[proposal.min_villages] harus bilangan bulat, bukan 'two' / expected a whole number, got 'two'",
        "[proposal.method] metode / method 'kmeans' tidak dikenal / is not one of: dominant, ward",
        "[proposal.max_villages] 1 di bawah / is below min_villages 2",
        "[check.fail_on] 'always' tidak dikenal / is not one of: never, prohibited, conditional",
        "[project.lang] 'fr' tidak dikenal / is not one of: id, en",
        "[project.working_crs] EPSG:4326 tidak terproyeksi dalam meter",
        "[outputs.kml] harus true atau false, bukan 'yes' / expected true or false, got 'yes'",
    ]
    for item in expected:
        assert item in text, item
    assert "konfigurasi memuat 11 masalah / the configuration has 11 problem(s)" in text and len(err.value.problems) == len(expected)


def test_villages_required_and_an_indicator_input(tmp_path: Path) -> None:
    cfg = tmp_path / "k.toml"
    cfg.write_text("[proposal]\nmethod = 'ward'\n")
    with pytest.raises(ConfigError, match=r"\[inputs\] tidak ada: bagian \[inputs\] minimal menyebut lapisan desa / missing: the \[inputs\] section"):
        load_config(cfg)
    (tmp_path / "d.gpkg").write_bytes(b"")
    cfg.write_text("[inputs]\nvillages = 'd.gpkg'\n")
    with pytest.raises(ConfigError, match="tidak ada masukan indikator: .* / no indicator input"):
        load_config(cfg)


def test_bad_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="berkas konfigurasi tidak ditemukan.* / config file not found.*kawasan init"):
        load_config(tmp_path / "none.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[inputs\n")
    with pytest.raises(ConfigError, match="bukan TOML yang sah / not valid TOML"):
        load_config(bad)


def test_check_tolerance(tmp_path: Path) -> None:
    (tmp_path / "d.gpkg").write_bytes(b"")
    (tmp_path / "r.gpkg").write_bytes(b"")
    cfg = tmp_path / "k.toml"
    base = "[inputs]\nvillages = 'd.gpkg'\nrtrw = 'r.gpkg'\n"
    assert load_config(_write(cfg, base)).check.toleransi_ha is None  # the check's own default applies
    assert load_config(_write(cfg, base + "[check]\ntoleransi_ha = 0\n")).check.toleransi_ha == 0.0  # zero tolerance, not "none"
    assert load_config(_write(cfg, base + "[check]\ntoleransi_ha = 2\n")).check.toleransi_ha == 2.0
    with pytest.raises(ConfigError, match=r"\[check.toleransi_ha\] harus angka >= 0, bukan -1.0 / must be a number >= 0, not -1.0"):
        load_config(_write(cfg, base + "[check]\ntoleransi_ha = -1\n"))
    with pytest.raises(ConfigError, match=r"\[check.toleransi_ha\] harus angka, bukan 'kecil' / expected a number, got 'kecil'"):
        load_config(_write(cfg, base + "[check]\ntoleransi_ha = 'kecil'\n"))


def test_check_thresholds_in_the_run_config(tmp_path: Path) -> None:
    (tmp_path / "d.gpkg").write_bytes(b"")
    (tmp_path / "r.gpkg").write_bytes(b"")
    cfg = tmp_path / "k.toml"
    base = "[inputs]\nvillages = 'd.gpkg'\nrtrw = 'r.gpkg'\n"
    assert load_config(_write(cfg, base)).check.thresholds() == {}
    text = base + "[check]\ntidak_sesuai_pct_X = 2.5\nbersyarat_pct_X = 0\nmin_cakupan_rtrw_pct = 80\n"
    assert load_config(_write(cfg, text)).check.thresholds() == {"tidak_sesuai_pct_X": 2.5, "bersyarat_pct_X": 0.0, "min_cakupan_rtrw_pct": 80.0}
    with pytest.raises(ConfigError, match=r"\[check.bersyarat_pct_B\] persen luas kawasan, 0-100, bukan 150.0 / a percentage of the kawasan area, 0-100, not 150"):
        load_config(_write(cfg, base + "[check]\nbersyarat_pct_B = 150\n"))


def test_print_map_title_block_and_sources(tmp_path: Path, data_dir: Path) -> None:
    (tmp_path / "d.gpkg").write_bytes(b"")
    cfg = tmp_path / "k.toml"
    base = "[inputs]\nvillages = 'd.gpkg'\n[inputs.points]\npasar = 'd.gpkg'\n"
    peta = load_config(_write(cfg, base)).peta
    assert (peta.judul, peta.sumber, peta.title_block()) == (None, (), {})
    text = base + '[peta]\njudul = "Peta A"\ninstansi = "Bappeda"\ntahun = 2026\nsumber = ["Perda No. 4 Tahun 2012", " ", "BPS"]\n'
    peta = load_config(_write(cfg, text)).peta
    assert peta.judul == "Peta A" and peta.sumber == ("Perda No. 4 Tahun 2012", "BPS")
    assert peta.title_block() == {"instansi": "Bappeda", "tahun": "2026"}
    with pytest.raises(ConfigError) as err:
        load_config(_write(cfg, base + "[peta]\nsumber = [1, 2]\nskala = 5\n"))
    assert "[peta.sumber] harus daftar teks / expected a list of texts" in str(err.value)
    assert "[peta] kunci tidak dikenal / unknown key 'skala'" in str(err.value)
    # the bundled config cites the Perda its RTRW data comes from (data/rtrw_lampung_timur/SOURCE.md)
    lt = load_config(data_dir / "lampung_timur.toml").peta
    assert any("Perda Kab. Lampung Timur No. 4 Tahun 2012" in s for s in lt.sumber)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


class NotASolver:
    """A class without the Solver interface."""


@pytest.fixture
def seed_registered():  # type: ignore[no-untyped-def]
    """A solver class registered as ``seed`` for one test, then taken out of the registry again."""
    import numpy as np

    from kawasan_gis.regionalize import SOLVERS, Solver, Zones, register_solver
    from kawasan_gis.regionalize import solvers as registry

    class Seed(Solver):
        name = "seed"

        def solve(self, x, adjacency, *, dominant, codes, limits, k=None):  # type: ignore[no-untyped-def]
            return Zones(np.zeros(len(codes), dtype=np.int64))

    assert "seed" not in SOLVERS
    register_solver(Seed)
    yield Seed
    del registry._REGISTRY["seed"]


def test_a_registered_solver_is_a_config_method_and_a_cli_choice(tmp_path: Path, seed_registered: type) -> None:
    from click.testing import CliRunner

    from kawasan_gis.cli import cli
    from kawasan_gis.regionalize import SOLVERS

    assert SOLVERS["seed"] is seed_registered
    (tmp_path / "d.gpkg").write_bytes(b"")
    (tmp_path / "t.csv").write_text("kode_desa\n", encoding="utf-8")
    cfg = tmp_path / "k.toml"
    cfg.write_text("[inputs]\nvillages = 'd.gpkg'\ntable = { path = 't.csv' }\n[proposal]\nmethod = 'seed'\n")
    assert load_config(cfg).proposal.method == "seed"
    cfg.write_text("[inputs]\nvillages = 'd.gpkg'\ntable = { path = 't.csv' }\n[proposal]\nmethod = 'seeds'\n")
    with pytest.raises(ConfigError, match=r"\[proposal.method\] metode / method 'seeds' tidak dikenal / is not one of: dominant, ward, seed"):
        load_config(cfg)
    # the CLI takes the new name (the run then stops at the empty village file, not at --method)
    args = ["propose", "--villages", str(tmp_path / "d.gpkg"), "--table", str(tmp_path / "t.csv"), "--out", str(tmp_path / "o")]
    taken = CliRunner().invoke(cli, [*args, "--method", "seed"])
    assert taken.exit_code == 2 and "Invalid value" not in taken.output and "d.gpkg" in taken.output
    refused = CliRunner().invoke(cli, [*args, "--method", "seeds"])
    assert refused.exit_code == 2 and "'seeds' is not one of 'dominant', 'ward', 'seed'" in refused.output


def test_register_solver_refuses_what_is_not_a_named_solver(seed_registered: type) -> None:
    from kawasan_gis.regionalize import Solver, WardSolver, register_solver

    class Nameless(Solver):
        def solve(self, x, adjacency, *, dominant, codes, limits, k=None):  # type: ignore[no-untyped-def]
            raise AssertionError

    class OtherSeed(seed_registered):  # type: ignore[misc, valid-type]
        pass

    with pytest.raises(TypeError, match="register_solver takes a Solver subclass"):
        register_solver(NotASolver)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Nameless has no name"):
        register_solver(Nameless)
    with pytest.raises(ValueError, match="method 'seed' is already Seed; choose another name for OtherSeed"):
        register_solver(OtherSeed)
    assert register_solver(WardSolver) is WardSolver  # registering the same class again changes nothing
