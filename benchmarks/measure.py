"""Timing and memory helpers shared by the benchmark scripts."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def timed(fn: Callable[[], T], repeat: int) -> tuple[float, T]:
    """Median wall time of ``repeat`` calls, and the last result."""
    times: list[float] = []
    result: T
    for _ in range(max(repeat, 1)):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def status_mb(key: str) -> float:
    """A field of /proc/self/status in MB (VmRSS current, VmHWM peak); NaN off Linux."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def reset_peak() -> float:
    """Forget the peak memory so far (Linux clear_refs); return the current RSS in MB.

    Raises
    ------
    RuntimeError
        When the peak cannot be reset: a peak printed afterwards would silently include
        everything loaded before, so the benchmark stops instead of printing it.
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError as exc:
        raise RuntimeError(
            f"cannot reset peak memory ({exc}); run the benchmark on Linux with write access to "
            "/proc/self/clear_refs, or measure peak memory in a fresh process"
        ) from exc
    return status_mb("VmRSS")
