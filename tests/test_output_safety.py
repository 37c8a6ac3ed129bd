"""Issue 14.1: `--out` pointing at a folder with the user's files leaves every file in place."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kawasan_gis.cli import cli

from test_pipeline import _small_project


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("command", ["run", "propose"])
@pytest.mark.parametrize("target", ["project", "dot"])
def test_out_on_the_project_folder_is_refused_and_nothing_is_touched(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch, command: str, target: str
) -> None:
    folder = _small_project(tmp_path, data_dir)
    (folder / "kawasan.toml").write_text('[inputs]\nvillages = "desa.shp"\n')
    (folder / "catatan rapat.docx").write_bytes(b"notulen musyawarah")
    before = _tree(folder)
    monkeypatch.chdir(folder)
    out = "." if target == "dot" else str(folder)
    if command == "run":
        args = ["-q", "run", str(folder / "kawasan.toml"), "--out", out]
    else:
        args = ["-q", "propose", "--villages", str(folder / "desa.shp"), "--out", out]
    res = CliRunner().invoke(cli, args, obj={})
    assert res.exit_code == 2, res.output
    assert "bukan buatan kawasan_gis" in res.output and "did not write" in res.output
    assert "Traceback" not in res.output
    assert _tree(folder) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [folder.name]  # no temporary folder beside it


def test_a_previous_result_folder_is_replaced(tmp_path: Path, data_dir: Path) -> None:
    folder = _small_project(tmp_path, data_dir)
    out = folder / "hasil"
    args = ["-q", "propose", "--villages", str(folder / "desa.shp"), "--rtrw", str(folder / "pola_ruang.gpkg"), "--out", str(out)]
    first = CliRunner().invoke(cli, args, obj={})
    assert first.exit_code == 0, first.output
    (out / "sisa_lama.txt").write_text("dari run sebelumnya")  # the folder is ours: replaced whole
    res = CliRunner().invoke(cli, args, obj={})
    assert res.exit_code == 0, res.output
    assert (out / "kawasan.gpkg").is_file() and not (out / "sisa_lama.txt").exists()
