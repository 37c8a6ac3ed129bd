"""Issue 14.7: faults during a whole ``kawasan run``.

Ctrl-C in each step, a disk that fills up or a folder that cannot be written, an input file
that disappears mid-run: each ends with a clear message (Indonesian / English), the documented
exit code (130 for Ctrl-C, 2 otherwise), the previous result folder byte for byte as it was and
no temporary folder or stray file left. The project is a 4 x 4 grid of 1 km villages with two
zoning polygons and a road cross, so a whole run takes a few seconds; the faults are injected
where each step starts (in process, through the CLI), plus one real SIGINT to a subprocess.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from click.testing import CliRunner
from conftest import X0, Y0, grid_villages
from shapely.geometry import LineString, box

import kawasan_gis._atomic
import kawasan_gis.check
import kawasan_gis.cli.run
import kawasan_gis.indicators
import kawasan_gis.maps
import kawasan_gis.outputs
import kawasan_gis.pipeline
import kawasan_gis.potential
import kawasan_gis.regionalize
from kawasan_gis.cli import cli
from kawasan_gis.helper_process import HelperProcess

ROOT = Path(__file__).resolve().parents[1]

CONFIG = """\
[project]
name = "Uji gangguan"
[inputs]
villages = "desa.gpkg"
rtrw = { path = "rtrw.gpkg" }
[inputs.lines]
jalan = "jalan.gpkg"
[centres]
roads = "jalan"
facilities = { jalan = "prasarana" }
[outputs]
geojson = false
kml = false
offline_map = false
static_map = false
"""


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project folder with a finished run in ``hasil`` (the previous results every test protects)."""
    folder = tmp_path_factory.mktemp("gangguan") / "proyek"
    folder.mkdir()
    grid_villages(4).to_file(folder / "desa.gpkg")
    gpd.GeoDataFrame(
        {"NAMOBJ": ["Kawasan Peruntukan Pertanian", "Permukiman Perdesaan"]},
        geometry=[box(X0, Y0, X0 + 2000, Y0 + 4000), box(X0 + 2000, Y0, X0 + 4000, Y0 + 4000)],
        crs="EPSG:32748",
    ).to_file(folder / "rtrw.gpkg")
    gpd.GeoDataFrame(
        geometry=[LineString([(X0, Y0 + 1500), (X0 + 4000, Y0 + 1500)]), LineString([(X0 + 2500, Y0), (X0 + 2500, Y0 + 4000)])],
        crs="EPSG:32748",
    ).to_file(folder / "jalan.gpkg")
    (folder / "kawasan.toml").write_text(CONFIG)
    res = CliRunner().invoke(cli, ["-q", "run", str(folder / "kawasan.toml"), "--out", str(folder / "hasil")], obj={})
    assert res.exit_code == 0, res.output
    return folder


@pytest.fixture
def project(finished: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "proyek"
    shutil.copytree(finished, folder)
    return folder


def _run(folder: Path) -> Any:
    return CliRunner().invoke(cli, ["-q", "run", str(folder / "kawasan.toml"), "--out", str(folder / "hasil")], obj={})


def _assert_untouched(folder: Path, before: dict[str, bytes], listing: list[str], output: str) -> None:
    assert "Traceback" not in output
    assert _tree(folder / "hasil") == before  # the previous results, byte for byte
    assert sorted(p.name for p in folder.iterdir()) == listing  # no temporary folder, no stray file


def _interrupt_at(module: object, name: str, *, after: bool = False) -> tuple[Callable[..., Any], list[bool]]:
    """A stand-in for ``module.name`` that presses Ctrl-C when the step starts (or, ``after``, once it has run)."""
    real = getattr(module, name)
    reached: list[bool] = []

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        reached.append(True)
        if after:
            real(*args, **kwargs)
        raise KeyboardInterrupt

    return interrupted, reached


STEPS = {
    "read": (kawasan_gis.pipeline, "read_villages", False),
    "indicators": (kawasan_gis.indicators, "build_indicators", False),
    "scores": (kawasan_gis.potential, "score_potentials", False),
    "proposal": (kawasan_gis.regionalize, "propose_kawasan", False),
    "check": (kawasan_gis.check, "check_plan", False),
    "centres": (kawasan_gis.pipeline, "centres_and_profile", False),
    "writing": (kawasan_gis.outputs, "write_layers", True),  # kawasan.gpkg half-way into the temporary folder
    "maps": (kawasan_gis.maps, "save_map", True),  # the web map written, the report not yet (drawn in this process)
}


@pytest.mark.parametrize("step", list(STEPS))
def test_ctrl_c_in_each_step_exits_130_and_keeps_the_previous_results(project: Path, monkeypatch: pytest.MonkeyPatch, step: str) -> None:
    module, name, after = STEPS[step]
    before, listing = _tree(project / "hasil"), sorted(p.name for p in project.iterdir())
    stand_in, reached = _interrupt_at(module, name, after=after)
    monkeypatch.setattr(module, name, stand_in)
    if step in ("check", "maps"):  # as where no second process can start: every step in this process
        monkeypatch.setattr(kawasan_gis.cli.run, "_helper", lambda: None)
    res = _run(project)
    assert reached, f"the run never reached {step}"
    assert res.exit_code == 130, res.output
    assert "Dihentikan (Ctrl-C)" in res.output and "Interrupted (Ctrl-C)" in res.output
    assert "hasil sebelumnya tetap utuh" in res.output and "previous results are intact" in res.output
    _assert_untouched(project, before, listing, res.output)


@pytest.mark.parametrize("job", ["check", "maps"])
def test_ctrl_c_while_the_second_process_works_stops_it_and_keeps_the_previous_results(
    project: Path, monkeypatch: pytest.MonkeyPatch, job: str
) -> None:
    """Ctrl-C reaches the main process while the helper process checks the plan (the main one
    works out the centres), or once it has written the web map: it is stopped before the
    temporary folder is removed, and nothing is left behind."""
    before, listing = _tree(project / "hasil"), sorted(p.name for p in project.iterdir())
    jobs: list[tuple[str, tuple[Any, ...]]] = []
    real_submit, real_wait = HelperProcess.submit, HelperProcess.wait

    def submit(self: HelperProcess, target: str, /, *args: Any, **kwargs: Any) -> None:
        jobs.append((target, args))
        real_submit(self, target, *args, **kwargs)

    def wait(self: HelperProcess) -> Any:
        target, args = jobs[-1]
        if job == "check" and target.endswith(":check_plan"):
            raise KeyboardInterrupt
        if job == "maps" and target.endswith(":write_maps"):
            deadline = time.monotonic() + 120
            while not (Path(args[1]) / "peta_kawasan.html").exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            assert (Path(args[1]) / "peta_kawasan.html").exists(), "the helper process wrote no web map"
            raise KeyboardInterrupt
        return real_wait(self)

    monkeypatch.setattr(HelperProcess, "submit", submit)
    monkeypatch.setattr(HelperProcess, "wait", wait)
    res = _run(project)
    assert [t.rsplit(":", 1)[1] for t, _ in jobs] == (["check_plan"] if job == "check" else ["check_plan", "write_maps"])
    assert res.exit_code == 130, res.output
    assert "hasil sebelumnya tetap utuh" in res.output
    _assert_untouched(project, before, listing, res.output)
    time.sleep(1)  # a job still going on would write into a folder now gone
    _assert_untouched(project, before, listing, res.output)


def _draw_disk_full_instead(self: HelperProcess, target: str, /, *args: Any, **kwargs: Any) -> None:
    """Sends the maps to :func:`draw_disk_full` of this module instead of the real drawing."""
    if target == "kawasan_gis.outputs:write_maps":
        target = f"{Path(__file__).stem}:draw_disk_full"
    _real_submit(self, target, *args, **kwargs)


_real_submit = HelperProcess.submit


def draw_disk_full(result: Any, folder: Path) -> None:
    """The maps of a run drawn in the second process, where the disk fills up after the web map."""
    real = kawasan_gis.maps.save_map

    def full(target: Any, *args: Any, **kwargs: Any) -> Any:
        real(target, *args, **kwargs)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))

    kawasan_gis.maps.save_map = full  # in the drawing process only
    kawasan_gis.outputs.write_maps(result, folder)


def test_ctrl_c_between_the_two_renames_puts_the_previous_results_back(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The last moment: the old folder moved aside, the new one not yet in its place."""
    before, listing = _tree(project / "hasil"), sorted(p.name for p in project.iterdir())
    real = os.replace
    calls: list[str] = []

    def replace(src: Any, dst: Any) -> None:
        calls.append(str(dst))
        if Path(dst) == (project / "hasil").resolve() and Path(src).name.startswith(".hasil-") and "-old-" not in str(src):
            raise KeyboardInterrupt
        real(src, dst)

    monkeypatch.setattr(kawasan_gis._atomic.os, "replace", replace)
    res = _run(project)
    assert res.exit_code == 130, res.output
    assert any(c.endswith("/hasil") for c in calls)
    _assert_untouched(project, before, listing, res.output)


@pytest.mark.parametrize("where", ["layers", "maps", "maps in the second process"])
def test_disk_full_while_writing_exits_2_and_keeps_the_previous_results(project: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    module, name = (kawasan_gis.outputs, "write_layers") if where == "layers" else (kawasan_gis.maps, "save_map")
    real = getattr(module, name)
    if where == "maps":  # drawn in this process, beside the tables
        monkeypatch.setattr(kawasan_gis.cli.run, "_helper", lambda: None)
    if where == "maps in the second process":  # the error comes back from it as it was raised there
        monkeypatch.setattr(HelperProcess, "submit", _draw_disk_full_instead)
        real = None

    def full(target: Any, *args: Any, **kwargs: Any) -> Any:
        real(target, *args, **kwargs)  # a file written, then the disk fills up
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))

    before, listing = _tree(project / "hasil"), sorted(p.name for p in project.iterdir())
    if real is not None:
        monkeypatch.setattr(module, name, full)
    res = _run(project)
    assert res.exit_code == 2, res.output
    assert "disk penuh" in res.output and "the disk is full" in res.output
    assert "hasil sebelumnya" in res.output and "previous results in" in res.output and "are intact" in res.output
    _assert_untouched(project, before, listing, res.output)


def test_read_only_output_folder_is_refused_before_the_run(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As root, permissions do not stop a write; a read-only disk does: os.access says so, and the run
    stops at once (no step runs) with the folder and the fix."""
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if Path(p) == project.resolve() and mode == os.W_OK else real(p, mode, **kw))
    stand_in, reached = _interrupt_at(kawasan_gis.pipeline, "read_villages")
    monkeypatch.setattr(kawasan_gis.pipeline, "read_villages", stand_in)
    before, listing = _tree(project / "hasil"), sorted(p.name for p in project.iterdir())
    res = _run(project)
    assert res.exit_code == 2, res.output
    assert not reached
    assert "tidak boleh menulis di sana" in res.output and "writing there is not allowed (read-only or no permission)" in res.output
    assert f"'{project.resolve()}'" in res.output
    _assert_untouched(project, before, listing, res.output)


def test_folder_turned_read_only_during_the_run_exits_2(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk is remounted read-only while the steps run: the temporary folder cannot be made."""
    real = tempfile.mkdtemp

    def mkdtemp(*args: Any, **kwargs: Any) -> str:
        if Path(kwargs.get("dir", "")).resolve() == project.resolve():
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(project))
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    before, listing = _tree(project / "hasil"), sorted(p.name for p in project.iterdir())
    res = _run(project)
    assert res.exit_code == 2, res.output
    assert "hanya-baca" in res.output and "read-only or no permission" in res.output and "choose --out in a folder you can write to" in res.output
    _assert_untouched(project, before, listing, res.output)


def test_an_input_that_disappears_before_it_is_read(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = kawasan_gis.pipeline.read_villages

    def then_delete(*args: Any, **kwargs: Any) -> Any:
        (project / "rtrw.gpkg").unlink()  # gone between the config check and its reading
        return real(*args, **kwargs)

    monkeypatch.setattr(kawasan_gis.pipeline, "read_villages", then_delete)
    before = _tree(project / "hasil")
    listing = sorted(p.name for p in project.iterdir() if p.name != "rtrw.gpkg")
    res = _run(project)
    assert res.exit_code == 2, res.output
    assert f"{project / 'rtrw.gpkg'}: berkas tidak ditemukan" in res.output and "file not found" in res.output
    _assert_untouched(project, before, listing, res.output)


def test_an_input_that_disappears_after_it_was_read(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The results could be written, but run.json could not name the input they came from: nothing is written."""
    real = kawasan_gis.pipeline.centres_and_profile

    def then_delete(*args: Any, **kwargs: Any) -> Any:
        (project / "jalan.gpkg").unlink()
        return real(*args, **kwargs)

    monkeypatch.setattr(kawasan_gis.pipeline, "centres_and_profile", then_delete)
    before = _tree(project / "hasil")
    listing = sorted(p.name for p in project.iterdir() if p.name != "jalan.gpkg")
    res = _run(project)
    assert res.exit_code == 2, res.output
    assert "berkas masukan hilang selama proses" in res.output and "disappeared during the run" in res.output
    assert str(project / "jalan.gpkg") in res.output
    _assert_untouched(project, before, listing, res.output)


def test_a_real_sigint_to_the_kawasan_process_while_writing(project: Path) -> None:
    """The operating system's SIGINT, not a raised exception: the process sends it to itself once
    kawasan.gpkg is written into the temporary folder."""
    script = (
        "import os, signal, sys, time\n"
        "import kawasan_gis.outputs as o\n"
        "real = o.write_layers\n"
        "def interrupted(*a, **k):\n"
        "    real(*a, **k)\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    time.sleep(30)\n"
        "o.write_layers = interrupted\n"
        "from kawasan_gis.cli import main\n"
        f"sys.argv = ['kawasan', '-q', 'run', {str(project / 'kawasan.toml')!r}, '--out', {str(project / 'hasil')!r}]\n"
        "main()\n"
    )
    before, listing = _tree(project / "hasil"), sorted(p.name for p in project.iterdir())
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600, env=env, cwd=project)
    assert proc.returncode == 130, proc.stderr
    assert "Dihentikan (Ctrl-C)" in proc.stderr and "Interrupted (Ctrl-C)" in proc.stderr
    _assert_untouched(project, before, listing, proc.stdout + proc.stderr)


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Any:
    """A real 600 kB tmpfs (needs root and the right to mount; skipped elsewhere, e.g. most CI containers)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(disk)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_a_really_full_disk_exits_2_and_keeps_the_previous_results(finished: Path, tiny_disk: Path) -> None:
    """The previous results (~380 kB) fill most of a 600 kB disk; the new run's temporary copy cannot
    fit. GDAL says only "Failed to commit transaction": the message must still say the disk is full."""
    shutil.copytree(finished / "hasil", tiny_disk / "hasil")
    before = _tree(tiny_disk / "hasil")
    res = CliRunner().invoke(cli, ["-q", "run", str(finished / "kawasan.toml"), "--out", str(tiny_disk / "hasil")], obj={})
    assert res.exit_code == 2, res.output
    assert "disk penuh" in res.output and "the disk is full" in res.output and "Traceback" not in res.output
    assert _tree(tiny_disk / "hasil") == before
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["hasil"]
