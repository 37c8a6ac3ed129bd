"""The threads knob (kawasan_gis.io.geometry.threads): one setting bounds every thread pool of a run.

The pools are counted by a spy on ``ThreadPoolExecutor`` that notes the size and the
kawasan_gis module of each pool made; the libraries' own pools are not ours to bound.
"""

from __future__ import annotations

import concurrent.futures
import inspect
import tomllib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

import kawasan_gis
from kawasan_gis import pipeline
from kawasan_gis.config import load_config, parse_config
from kawasan_gis.errors import ConfigError
from kawasan_gis.io.geometry import default_jobs, threads
from kawasan_gis.overlay.engine import parallel_pairs
from kawasan_gis.scale.records import settings_checksums
from kawasan_gis.scale.runner import job_threads

PACKAGE = Path(kawasan_gis.__file__).resolve().parent


@pytest.fixture
def pools(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int | None, str]]:
    """(max_workers, module file relative to the package) of every pool kawasan_gis makes."""
    made: list[tuple[int | None, str]] = []
    real = concurrent.futures.ThreadPoolExecutor.__init__

    def spy(self, max_workers=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        caller = Path(inspect.stack(context=0)[1].filename).resolve()
        if caller.is_relative_to(PACKAGE):
            made.append((max_workers, str(caller.relative_to(PACKAGE))))
        real(self, max_workers, *args, **kwargs)

    monkeypatch.setattr(concurrent.futures.ThreadPoolExecutor, "__init__", spy)
    return made


def test_threads_sets_the_default_inside_its_block_only() -> None:
    assert default_jobs() == 2
    with threads(1):
        assert default_jobs() == 1
        with threads(3):
            assert default_jobs() == 3
        with threads(None):  # None leaves the setting as it is
            assert default_jobs() == 1
        assert default_jobs() == 1
    assert default_jobs() == 2
    with pytest.raises(RuntimeError), threads(1):
        raise RuntimeError
    assert default_jobs() == 2  # restored after an exception
    for bad in (0, -2, 1.5, True):
        with pytest.raises(ValueError, match="at least 1"), threads(bad):  # type: ignore[arg-type]
            pass


def test_a_step_without_n_jobs_follows_the_knob_and_an_explicit_n_jobs_wins(pools: list[tuple[int | None, str]]) -> None:
    a = shapely.points(np.arange(400.0), np.zeros(400))
    b = shapely.buffer(a, 0.5)
    expected = shapely.within(a, b)
    assert np.array_equal(parallel_pairs(shapely.within, a, b), expected)
    assert pools == [(2, "overlay/engine.py")]  # the default: 2 threads
    pools.clear()
    with threads(1):
        assert np.array_equal(parallel_pairs(shapely.within, a, b), expected)
        assert pools == []  # one thread: the caller's, no pool
        assert np.array_equal(parallel_pairs(shapely.within, a, b, n_jobs=3), expected)
    assert pools == [(3, "overlay/engine.py")]


def test_job_threads_share_the_cores_unless_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: set(range(8)))
    assert [job_threads(n) for n in (1, 2, 3, 8, 16)] == [8, 4, 2, 1, 1]
    assert job_threads(2, configured=3) == 3


def test_config_threads(data_dir: Path) -> None:
    raw = tomllib.loads((data_dir / "gorontalo.toml").read_text(encoding="utf-8"))
    assert parse_config(raw, base=data_dir).project.threads is None
    for value in (1, 3):
        raw["project"]["threads"] = value
        assert parse_config(raw, base=data_dir).project.threads == value
    raw["project"]["threads"] = -1
    with pytest.raises(ConfigError, match=r"project\.threads\] minimal 1, bukan -1 / must be at least 1, got -1"):
        parse_config(raw, base=data_dir)


def test_threads_do_not_change_the_restart_records(data_dir: Path) -> None:
    """A national run restarted with other threads (other workers) keeps its finished kabupaten."""
    cfg = load_config(data_dir / "gorontalo.toml")
    one = replace(cfg, project=replace(cfg.project, threads=1))
    assert settings_checksums(one, maps=True) == settings_checksums(cfg, maps=True)
    other = replace(cfg, project=replace(cfg.project, name="Lain"))  # a real setting still counts
    assert settings_checksums(other, maps=True) != settings_checksums(cfg, maps=True)


@pytest.mark.slow
def test_one_thread_run_makes_no_second_thread_and_equal_results(pools: list[tuple[int | None, str]], data_dir: Path, tmp_path: Path) -> None:
    """Lampung Timur (roads, so the road graph too) with [project] threads = 1, written with maps."""
    cfg = load_config(data_dir / "lampung_timur.toml")
    two = pipeline.run(cfg)
    pipeline.write_outputs(two, tmp_path / "dua")
    # the spy sees the default run's pools: overlays of 2 threads, the road graph's thread, the writer
    assert {size for size, _ in pools} == {1, 2}
    assert {"pipeline.py", "outputs.py", "overlay/engine.py"} <= {module for _, module in pools}
    pools.clear()

    one = pipeline.run(replace(cfg, project=replace(cfg.project, threads=1)))
    pipeline.write_outputs(one, tmp_path / "satu")
    # pools of one worker are left only where the caller waits for them (the winding of a layer)
    assert all(size == 1 for size, _ in pools), pools
    assert {module for _, module in pools} <= {"io/winding.py"}, pools
    assert default_jobs() == 2  # the run's setting ended with the run

    cols = [c for c in two.villages.columns if c != "geometry"]
    pd.testing.assert_frame_equal(pd.DataFrame(one.villages[cols]), pd.DataFrame(two.villages[cols]), check_exact=True)
    assert one.kawasan.geometry.geom_equals_exact(two.kawasan.geometry, tolerance=0).all()
    for name in ("desa.csv", "kawasan.csv"):
        assert (tmp_path / "satu" / name).read_bytes() == (tmp_path / "dua" / name).read_bytes(), name
