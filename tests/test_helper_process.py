"""kawasan run's second process (the RTRW check and the maps): same results as one process, its
warnings, logs and errors reach the caller, and a failure on either side leaves no half-written folder."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import replace
from pathlib import Path

import pytest

from kawasan_gis import outputs, pipeline
from kawasan_gis.config import load_config
from kawasan_gis.errors import KawasanError, KawasanWarning
from kawasan_gis.helper_process import HelperProcess

pytestmark = pytest.mark.slow

HERE = Path(__file__).resolve().parent


class DrawWarning(KawasanWarning):
    """What the test drawing warns."""


def draw_warn_and_log(result: object, folder: Path) -> int:
    """A job that logs, warns and writes one file (run in the helper process); returns its process id."""
    logging.getLogger("kawasan_gis.maps.styles").warning("warna %r tidak dikenal", "merah")
    import warnings

    warnings.warn(DrawWarning("digambar dengan peringatan / drawn with a warning"), stacklevel=1)
    (folder / "gambar.txt").write_text(f"{result} {os.getpid()}")
    return os.getpid()


def draw_fail(result: object, folder: Path) -> None:
    raise ValueError(f"gagal menggambar {result}")


class Unpicklable(Exception):
    def __init__(self) -> None:
        super().__init__("tidak bisa di-pickle")
        self.handle = lambda: None  # a lambda cannot be pickled


def draw_fail_unpicklable(result: object, folder: Path) -> None:
    raise Unpicklable()


def draw_die(result: object, folder: Path) -> None:
    os._exit(3)


def draw_slow(result: object, folder: Path) -> None:
    time.sleep(60)


def target(name: str) -> str:
    return f"{Path(__file__).stem}:{name}"


def test_warnings_and_log_records_of_a_job_reach_the_caller(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with HelperProcess() as helper:
        helper.submit(target("draw_warn_and_log"), "hasil-1", tmp_path)
        with pytest.raises(RuntimeError, match="still running"):
            helper.submit(target("draw_warn_and_log"), "hasil-x", tmp_path)
        with caplog.at_level(logging.WARNING), pytest.warns(DrawWarning, match="digambar dengan peringatan"):
            pid = helper.wait()
        assert (tmp_path / "gambar.txt").read_text() == f"hasil-1 {pid}"
        assert helper.seconds >= 0
        # the same process runs the next job
        helper.submit(target("draw_warn_and_log"), "hasil-2", folder=tmp_path)
        with pytest.warns(DrawWarning):
            assert helper.wait() == pid
        assert (tmp_path / "gambar.txt").read_text() == f"hasil-2 {pid}"
        # second in line for the cores: 10 steps nicer than this process
        assert os.getpriority(os.PRIO_PROCESS, pid) == min(os.getpriority(os.PRIO_PROCESS, 0) + 10, 19)
    assert pid != os.getpid()
    # one record per job, as the job logged it
    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == [
        ("kawasan_gis.maps.styles", logging.WARNING, "warna 'merah' tidak dikenal")
    ] * 2


def test_errors_of_the_drawing_are_raised_in_the_caller(tmp_path: Path) -> None:
    with HelperProcess() as helper:
        helper.submit(target("draw_fail"), "hasil-x", tmp_path)
        with pytest.raises(ValueError, match="gagal menggambar hasil-x"):
            helper.wait()
        helper.submit(target("draw_fail_unpicklable"), "hasil-y", tmp_path)
        with pytest.raises(RuntimeError, match="Unpicklable: tidak bisa di-pickle"):
            helper.wait()


def test_a_drawing_process_that_dies_is_a_clear_error(tmp_path: Path) -> None:
    with HelperProcess() as helper:
        helper.submit(target("draw_die"), "hasil", tmp_path)
        with pytest.raises(KawasanError, match=r"berhenti tak terduga \(kode keluar 3\).*--threads 1 agar semua langkah berjalan dalam satu proses"):
            helper.wait()


def test_close_stops_a_job_at_once_and_does_not_wait_for_the_imports(tmp_path: Path) -> None:
    helper = HelperProcess()
    helper.submit(target("draw_slow"), "hasil", tmp_path)
    t0 = time.perf_counter()
    helper.close()
    assert time.perf_counter() - t0 < 5
    assert not helper._proc.is_alive()
    # a run that fails at once (a broken input) closes it while it still imports (~3 s here)
    helper = HelperProcess()
    t0 = time.perf_counter()
    helper.close()
    assert time.perf_counter() - t0 < 0.5
    assert not helper._proc.is_alive()


@pytest.fixture(scope="module")
def lamtim(data_dir: Path) -> pipeline.RunResult:
    return pipeline.run(load_config(data_dir / "lampung_timur.toml"))


def test_the_check_in_the_helper_process_gives_the_same_run(lamtim: pipeline.RunResult, data_dir: Path) -> None:
    """The RTRW check computed in the helper process while this one works out the centres."""
    import pandas as pd

    with HelperProcess() as helper:
        two = pipeline.run(load_config(data_dir / "lampung_timur.toml"), helper=helper)
    one = lamtim
    assert two.check is not None and len(two.check.kawasan) == 32
    for a, b in ((one.check.kawasan, two.check.kawasan), (one.check.per_class, two.check.per_class), (one.check.rules, two.check.rules)):
        pd.testing.assert_frame_equal(pd.DataFrame(a).drop(columns="geometry", errors="ignore"), pd.DataFrame(b).drop(columns="geometry", errors="ignore"))
    assert one.check.conflicts.geometry.geom_equals_exact(two.check.conflicts.geometry, tolerance=0).all()
    for a, b in ((one.kawasan, two.kawasan), (one.villages, two.villages)):
        assert list(a.columns) == list(b.columns)  # the check's columns before the centres', as in one process
        pd.testing.assert_frame_equal(pd.DataFrame(a).drop(columns="geometry"), pd.DataFrame(b).drop(columns="geometry"))
    # the profile read the check: the lindung hectares of the environment pillar are there
    assert two.centres.evidence is not None
    assert two.timings["memeriksa RTRW / checking against RTRW"] > 0


def test_two_processes_write_what_one_does(lamtim: pipeline.RunResult, tmp_path: Path) -> None:
    one, two = tmp_path / "satu", tmp_path / "dua"
    pipeline.write_outputs(lamtim, one)
    with HelperProcess() as maps:
        pipeline.write_outputs(lamtim, two, helper=maps)
    names = sorted(p.name for p in one.iterdir())
    assert names == sorted(p.name for p in two.iterdir())
    assert "peta_kawasan.html" in names and "laporan.html" in names
    assert not list(tmp_path.glob(".dua-*"))
    for name in ("peta_kawasan.png", "kawasan.csv", "desa.csv", "desa.geojson"):
        assert (one / name).read_bytes() == (two / name).read_bytes(), name
    # the report embeds the print map and reads the same; folium numbers its elements at random
    import re

    def plain(path: Path) -> str:
        return re.sub(r"[0-9a-f]{32}", "ID", path.read_text(encoding="utf-8"))

    assert plain(one / "laporan.html") == plain(two / "laporan.html")
    assert plain(one / "peta_kawasan.html") == plain(two / "peta_kawasan.html")


def test_a_failure_beside_the_drawing_leaves_nothing_half_written(
    lamtim: pipeline.RunResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    previous = tmp_path / "hasil"
    previous.mkdir()
    (previous / "lama.txt").write_text("hasil lama")
    (previous / ".kawasan_gis").write_text("{}")

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(outputs, "write_xlsx", disk_full)  # the tables, written in this process
    maps = HelperProcess()
    with pytest.raises(OSError, match="disk penuh"):
        pipeline.write_outputs(lamtim, previous, helper=maps)
    assert not maps._proc.is_alive()  # stopped before its folder was removed
    time.sleep(0.5)  # nothing written after the clean-up either
    assert [p.name for p in tmp_path.iterdir()] == ["hasil"]
    assert sorted(p.name for p in previous.iterdir()) == [".kawasan_gis", "lama.txt"]

    # and a drawing that fails leaves it as it was too
    monkeypatch.undo()
    broken = replace(lamtim, config=replace(lamtim.config, peta=replace(lamtim.config.peta, sumber=5)))
    with HelperProcess() as maps, pytest.raises(TypeError, match="int"):
        pipeline.write_outputs(broken, previous, helper=maps)
    assert [p.name for p in tmp_path.iterdir()] == ["hasil"]
    assert sorted(p.name for p in previous.iterdir()) == [".kawasan_gis", "lama.txt"]
