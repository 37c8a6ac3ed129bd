"""A second Python process beside ``kawasan run``: it checks the plan and draws the maps while the
main process works on.

A kabupaten run is a chain of steps in one process, and much of it is pure Python (pandas,
folium and Jinja compiling their templates on import, matplotlib laying out text) that two
threads cannot share. :class:`HelperProcess` starts a fresh interpreter (``spawn``: no fork of a
process with threads) as soon as the command starts; it imports the drawing libraries while the
main process reads and computes, then runs what it is sent: the RTRW check of the proposal
while the main process works out the centres, and the web map, print map and report while the
main process writes the tables and layers. What it is sent is pickled (the finished
:class:`~kawasan_gis.pipeline.RunResult` is ~5 MB and 0.1 s on Lampung Timur). Warnings and log
records are sent back and raised or logged in the main process, so a run says the same in one
process or two; an exception is raised there as it came.

Owns no step of its own: it calls :func:`kawasan_gis.check.check_plan` and
:func:`kawasan_gis.outputs.write_maps` by name. Imported by :mod:`kawasan_gis.pipeline` and
:mod:`kawasan_gis.outputs` (types only) and the CLI; imports nothing of kawasan_gis at module
level.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
import warnings
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

__all__ = ["HelperProcess"]

_PRELOAD = ("kawasan_gis.outputs", "kawasan_gis.check", "kawasan_gis.maps", "kawasan_gis.maps.web", "kawasan_gis.maps.static",
            "kawasan_gis.maps.prepare", "kawasan_gis.report", "matplotlib.pyplot")


class HelperProcess:
    """A second process for one or more runs: one job at a time; use as a context manager, or :meth:`close` it.

    Examples
    --------
    >>> from kawasan_gis.helper_process import HelperProcess
    >>> with HelperProcess() as helper:
    ...     helper.submit("math:hypot", 3, 4)
    ...     helper.wait()
    5.0

    ``kawasan run`` gives it to :func:`kawasan_gis.pipeline.run` (``helper=``) and
    :func:`kawasan_gis.pipeline.write_outputs` (``helper=``).
    """

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._ready = ctx.Event()  # set once the process has imported its libraries
        self._proc = ctx.Process(target=_serve, args=(child, self._ready), name="kawasan_gis-helper", daemon=True)
        self._proc.start()
        child.close()
        self._busy = False
        self.seconds = 0.0
        """How long the last job took in the helper process (wall)."""

    def submit(self, target: str, /, *args: Any, **kwargs: Any) -> None:
        """Start ``function(*args, **kwargs)`` of ``target`` (``"module:function"``) in the process.

        Only one job at a time: :meth:`wait` for it before the next.
        """
        if self._busy:
            raise RuntimeError("a job is still running in the helper process: wait() for it first")
        level = logging.getLogger().getEffectiveLevel()
        self._conn.send((target, args, kwargs, level))
        self._busy = True

    def wait(self) -> Any:
        """Wait for the job; its warnings and log records are raised and logged here.

        Returns what the function returned; raises its exception as it came.
        """
        try:
            status, payload, seconds, records, caught = self._conn.recv()
        except (EOFError, OSError):
            from kawasan_gis.errors import KawasanError

            self._busy = False
            self._proc.join(timeout=5)
            code = self._proc.exitcode
            raise KawasanError(
                f"proses kedua kawasan run berhenti tak terduga (kode keluar {code}); hasil tidak ditulis, hasil sebelumnya "
                f"tetap utuh. Jalankan lagi, atau dengan --threads 1 agar semua langkah berjalan dalam satu proses. / kawasan "
                f"run's second process stopped unexpectedly (exit code {code}); nothing was written and previous results are "
                "intact. Run again, or with --threads 1 to run every step in one process."
            ) from None
        self._busy = False
        self.seconds = seconds
        for record in records:
            logging.getLogger(record.name).handle(record)
        for w in caught:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        if status == "error":
            raise payload
        return payload

    def close(self) -> None:
        """Stop the process: at once when a job is still running (its results are being discarded)
        or it is still importing (a run that stopped early does not wait for it)."""
        if self._proc.is_alive():
            if not self._busy and self._ready.is_set():
                try:
                    self._conn.send(None)  # an idle process ends on its own
                except OSError:
                    pass
                self._proc.join(timeout=1)
            if self._proc.is_alive():
                self._proc.kill()
                self._proc.join()
        self._busy = False
        self._conn.close()

    def __enter__(self) -> HelperProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Collect(logging.Handler):
    """Keeps the records of one job, message formatted, to send them to the main process."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args, record.exc_info, record.exc_text = record.getMessage(), None, None, None
        self.records.append(record)


def _serve(conn: Connection, ready: Any) -> None:
    """The helper process: import, then run each job sent until ``None`` comes."""
    import importlib
    import signal

    # Ctrl-C is the main process's to handle: it stops this one (no second traceback)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # second in line for the cores: its imports must not slow the main process's threaded steps
    # (the indicators); its jobs come when the main process runs one thread at a time
    os.nice(10)
    for name in _PRELOAD:
        importlib.import_module(name)
    ready.set()
    root = logging.getLogger()
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        target, args, kwargs, level = job
        handler = _Collect()
        root.addHandler(handler)
        root.setLevel(level)
        t0 = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                module, _, function = target.partition(":")
                reply: tuple[str, Any] = ("ok", getattr(importlib.import_module(module), function)(*args, **kwargs))
            except Exception as exc:  # raised again in the main process
                reply = ("error", exc)
        root.removeHandler(handler)
        seconds = round(time.perf_counter() - t0, 3)
        try:
            conn.send((*reply, seconds, handler.records, list(caught)))
        except Exception as exc:  # a result, exception or warning that cannot be pickled: its text
            conn.send(("error", RuntimeError(f"{type(reply[1]).__name__}: {reply[1]} ({exc})"), seconds, handler.records, []))
