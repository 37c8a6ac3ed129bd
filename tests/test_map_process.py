"""The second process that draws a run's maps: same files as one process, its warnings, logs and
errors reach the caller, and a failure on either side leaves no half-written folder."""

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
from kawasan_gis.map_process import MapProcess

pytestmark = pytest.mark.slow

HERE = Path(__file__).resolve().parent


class DrawWarning(KawasanWarning):
    """What the test drawing warns."""


def draw_warn_and_log(result: object, folder: Path) -> None:
    """A drawing that logs, warns and writes one file (run in the child)."""
    logging.getLogger("kawasan_gis.maps.styles").warning("warna %r tidak dikenal", "merah")
    import warnings

    warnings.warn(DrawWarning("digambar dengan peringatan / drawn with a warning"), stacklevel=1)
    (folder / "gambar.txt").write_text(f"{result} {os.getpid()}")


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


def _target(name: str) -> str:
    return f"{Path(__file__).stem}:{name}"


def test_warnings_and_log_records_of_the_drawing_reach_the_caller(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with MapProcess(target=_target("draw_warn_and_log")) as maps:
        maps.submit("hasil-1", tmp_path)
        with caplog.at_level(logging.WARNING), pytest.warns(DrawWarning, match="digambar dengan peringatan"):
            seconds = maps.wait()
        drawn_by = int((tmp_path / "gambar.txt").read_text().split()[1])
        # the same process draws the next result
        maps.submit("hasil-2", tmp_path)
        with pytest.warns(DrawWarning):
            maps.wait()
        assert (tmp_path / "gambar.txt").read_text() == f"hasil-2 {drawn_by}"
    assert drawn_by != os.getpid()
    assert seconds >= 0
    # one record per drawing, as the drawing logged it
    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == [
        ("kawasan_gis.maps.styles", logging.WARNING, "warna 'merah' tidak dikenal")
    ] * 2


def test_errors_of_the_drawing_are_raised_in_the_caller(tmp_path: Path) -> None:
    with MapProcess(target=_target("draw_fail")) as maps:
        maps.submit("hasil-x", tmp_path)
        with pytest.raises(ValueError, match="gagal menggambar hasil-x"):
            maps.wait()
    with MapProcess(target=_target("draw_fail_unpicklable")) as maps:
        maps.submit("hasil-y", tmp_path)
        with pytest.raises(RuntimeError, match="Unpicklable: tidak bisa di-pickle"):
            maps.wait()


def test_a_drawing_process_that_dies_is_a_clear_error(tmp_path: Path) -> None:
    with MapProcess(target=_target("draw_die")) as maps:
        maps.submit("hasil", tmp_path)
        with pytest.raises(KawasanError, match=r"berhenti tak terduga \(kode keluar 3\).*--no-maps"):
            maps.wait()


def test_close_stops_a_drawing_at_once(tmp_path: Path) -> None:
    maps = MapProcess(target=_target("draw_slow"))
    maps.submit("hasil", tmp_path)
    t0 = time.perf_counter()
    maps.close()
    assert time.perf_counter() - t0 < 5
    assert not maps._proc.is_alive()


@pytest.fixture(scope="module")
def lamtim(data_dir: Path) -> pipeline.RunResult:
    return pipeline.run(load_config(data_dir / "lampung_timur.toml"))


def test_two_processes_write_what_one_does(lamtim: pipeline.RunResult, tmp_path: Path) -> None:
    one, two = tmp_path / "satu", tmp_path / "dua"
    pipeline.write_outputs(lamtim, one)
    with MapProcess() as maps:
        pipeline.write_outputs(lamtim, two, map_process=maps)
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
    maps = MapProcess()
    with pytest.raises(OSError, match="disk penuh"):
        pipeline.write_outputs(lamtim, previous, map_process=maps)
    assert not maps._proc.is_alive()  # stopped before its folder was removed
    time.sleep(0.5)  # nothing written after the clean-up either
    assert [p.name for p in tmp_path.iterdir()] == ["hasil"]
    assert sorted(p.name for p in previous.iterdir()) == [".kawasan_gis", "lama.txt"]

    # and a drawing that fails leaves it as it was too
    monkeypatch.undo()
    broken = replace(lamtim, config=replace(lamtim.config, peta=replace(lamtim.config.peta, sumber=5)))
    with MapProcess() as maps, pytest.raises(TypeError, match="int"):
        pipeline.write_outputs(broken, previous, map_process=maps)
    assert [p.name for p in tmp_path.iterdir()] == ["hasil"]
    assert sorted(p.name for p in previous.iterdir()) == [".kawasan_gis", "lama.txt"]
