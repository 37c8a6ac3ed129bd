"""Timing and memory helpers shared by the benchmark scripts."""

from __future__ import annotations

import os
import platform
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


def machine() -> str:
    """One line naming the machine: host, CPU model, cores, memory, Python."""
    model, mem_gb = "?", float("nan")
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem_gb = int(Path("/proc/meminfo").read_text().split()[1]) / 1024**2
    except OSError:
        pass
    return f"{platform.node()}: {model}, {os.cpu_count()} cores, {mem_gb:.0f} GB RAM, Python {platform.python_version()}"


def load() -> str:
    """The load average (1, 5, 15 minutes): other work on a shared machine skews every timing."""
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
