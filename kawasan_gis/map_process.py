"""A second Python process that draws a run's maps and writes its report, beside the main one.

``kawasan run`` spends about a third of its time on the web map, the print map and the report,
and a good part of that in pure Python (folium and Jinja compile their templates on import,
matplotlib lays out text) that two threads cannot share. :class:`MapProcess` starts a fresh
interpreter (``spawn``: no fork of a process with threads) as soon as the command starts; it
imports the drawing libraries while the main process computes, then receives the finished
:class:`~kawasan_gis.pipeline.RunResult` (pickled, ~5 MB and 0.1 s on Lampung Timur) and draws
into the output folder while the main process writes the tables and layers: the two cores work
at once. Warnings and log records of the drawing are sent back and raised or logged in the main
process, so a run says the same in one process or two; an error is raised there as it came.

Owns no output of its own: what is drawn is :func:`kawasan_gis.outputs.write_maps`. Imported by
:mod:`kawasan_gis.outputs` (type only) and the CLI; imports nothing of kawasan_gis at module level.
"""

from __future__ import annotations

import logging
import multiprocessing
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from kawasan_gis.pipeline import RunResult

__all__ = ["MapProcess"]

log = logging.getLogger(__name__)

_PRELOAD = ("kawasan_gis.outputs", "kawasan_gis.maps", "kawasan_gis.maps.web", "kawasan_gis.maps.static", "kawasan_gis.maps.prepare",
            "kawasan_gis.report", "matplotlib.pyplot")


class MapProcess:
    """The drawing process of one or more runs; use as a context manager, or :meth:`close` it.

    Parameters
    ----------
    target
        ``"module:function"`` the process calls as ``function(result, folder)`` for each
        :meth:`submit`; the default draws a run's maps and report.

    Examples
    --------
    >>> from kawasan_gis.map_process import MapProcess
    >>> from kawasan_gis.pipeline import run, write_outputs
    >>> with MapProcess() as maps:  # doctest: +SKIP
    ...     result = run(config)
    ...     write_outputs(result, "hasil", map_process=maps)
    """

    def __init__(self, *, target: str = "kawasan_gis.outputs:write_maps") -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(child, target), name="kawasan_gis-maps", daemon=True)
        self._proc.start()
        child.close()
        self._busy = False

    def submit(self, result: RunResult, folder: Path) -> None:
        """Start drawing ``result`` into ``folder``; :meth:`wait` for it before using the folder."""
        level = logging.getLogger().getEffectiveLevel()
        self._conn.send((result, str(folder), level))
        self._busy = True

    def wait(self) -> float:
        """Wait for the drawing; its warnings and log records are raised and logged here.

        Returns the seconds it took; raises the drawing's exception as it came.
        """
        try:
            status, payload, records, caught = self._conn.recv()
        except (EOFError, OSError):
            from kawasan_gis.errors import KawasanError

            self._busy = False
            self._proc.join(timeout=5)
            code = self._proc.exitcode
            raise KawasanError(
                f"proses yang menggambar peta berhenti tak terduga (kode keluar {code}); hasil tidak ditulis, hasil sebelumnya "
                f"tetap utuh. Jalankan lagi, atau dengan --no-maps tanpa peta. / the process drawing the maps stopped unexpectedly "
                f"(exit code {code}); nothing was written and previous results are intact. Run again, or with --no-maps without maps."
            ) from None
        self._busy = False
        for record in records:
            logging.getLogger(record.name).handle(record)
        for w in caught:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        if status == "error":
            raise payload
        return float(payload)

    def close(self) -> None:
        """Stop the process: at once when it is still drawing (the folder is being discarded)."""
        if self._proc.is_alive():
            if self._busy:
                self._proc.kill()
            else:
                try:
                    self._conn.send(None)
                except OSError:
                    self._proc.kill()
            self._proc.join(timeout=10)
            if self._proc.is_alive():
                self._proc.kill()
                self._proc.join()
        self._conn.close()

    def __enter__(self) -> MapProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Collect(logging.Handler):
    """Keeps the records of one drawing, message formatted, to send them to the main process."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args, record.exc_info, record.exc_text = record.getMessage(), None, None, None
        self.records.append(record)


def _serve(conn: Connection, target: str) -> None:
    """The drawing process: import, then draw each result sent until ``None`` comes."""
    import importlib
    import signal

    # Ctrl-C is the main process's to handle: it stops this one (no second traceback)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in _PRELOAD:
        importlib.import_module(name)
    module, _, function = target.partition(":")
    draw = getattr(importlib.import_module(module), function)

    root = logging.getLogger()
    while True:
        try:
            job = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if job is None:
            return
        result, folder, level = job
        handler = _Collect()
        root.addHandler(handler)
        root.setLevel(level)
        t0 = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                draw(result, Path(folder))
                reply: tuple[str, Any] = ("ok", round(time.perf_counter() - t0, 3))
            except Exception as exc:  # raised again in the main process
                reply = ("error", exc)
        root.removeHandler(handler)
        try:
            conn.send((*reply, handler.records, list(caught)))
        except Exception as exc:  # an exception or warning that cannot be pickled: its text
            conn.send(("error", RuntimeError(f"{type(reply[1]).__name__}: {reply[1]} ({exc})"), handler.records, []))
