"""Run every kabupaten on Dask: a local cluster by default, an existing scheduler by address.

:func:`run_kabupaten` is the job: the single-run pipeline (:func:`kawasan_gis.pipeline.run`
and :func:`~kawasan_gis.pipeline.write_outputs`) on one kabupaten's inputs, then its parts
of the national outputs, then its restart record, in that order. It never raises for a
kabupaten's own problem: the error comes back as a failed result and the other kabupaten go
on. :func:`run_national` splits the inputs, skips finished kabupaten, submits the rest
(largest first, so the longest jobs do not finish last), and assembles the national
outputs from every finished kabupaten.

Exit codes through the CLI: 0 all kabupaten finished, 4 some failed (:class:`KabupatenFailed`;
the others are finished and recorded, the national outputs hold them), 130 interrupted
(finished kabupaten are kept; run the same command again to go on).
"""

from __future__ import annotations

import logging
import os
import resource
import shutil
import time
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kawasan_gis._atomic import OWNED, STAMP
from kawasan_gis.config import RunConfig
from kawasan_gis.errors import KawasanError, KawasanWarning
from kawasan_gis.io.geometry import threads
from kawasan_gis.scale import national, records
from kawasan_gis.scale.partition import Partition, partition_inputs

log = logging.getLogger(__name__)

KABUPATEN = "kabupaten"


class KabupatenFailed(KawasanError):
    """Some kabupaten failed; the others finished and the national outputs hold them."""

    exit_code = 4


@dataclass
class NationalResult:
    """What a national run did."""

    out: Path
    finished: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    table: Any = None
    seconds: float = 0.0
    dashboard: str | None = None
    workers: int = 0


def sweep_temporaries(out: Path) -> int:
    """Remove what a killed run left half-written: the hidden temporaries of the atomic writers.

    Only inside the folders this run owns (``kabupaten/``, ``selesai/``, the GeoParquet
    partitions, the output folder's top level), and only names starting with ``.``, which
    is how :mod:`kawasan_gis._atomic` names its temporaries (its folder stamps are kept).
    Returns how many were removed.
    """
    out = Path(out)
    folders = [out, out / KABUPATEN, out / records.RECORDS, out / "masukan"]
    folders += [p for layer in ("desa", "kawasan") for p in (out / layer).glob("*/*") if p.is_dir()]
    folders += [p for p in (out / "masukan").glob("*") if p.is_dir()]
    removed = 0
    for folder in folders:
        if not folder.is_dir():
            continue
        for item in folder.iterdir():
            if item.name.startswith(".") and item.name not in (STAMP, OWNED):
                shutil.rmtree(item) if item.is_dir() else item.unlink()
                removed += 1
    if removed:
        log.warning("%d sisa tulisan yang terputus dihapus / leftovers of an interrupted write removed", removed)
    return removed


def _peak_rss_mb() -> float:
    """Peak resident memory of this (worker) process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def job_threads(slots: int, *, configured: int | None = None) -> int:
    """Threads one job may use: ``configured`` (``[project] threads``) when set, else this
    process's cores (its CPU affinity) shared out over the ``slots`` jobs that run at once
    on this machine, at least 1.

    A kabupaten job uses threads in its geometry steps; on 2 cores with 2 workers, 2 threads
    each would make 4 runnable threads on 2 cores, and the 2 workers ran only 1.64x as fast as 1.
    """
    if configured is not None:
        return configured
    return max(1, len(os.sched_getaffinity(0)) // max(1, slots))


def _worker_slots(workers: dict[str, Any]) -> dict[str, int]:
    """Jobs that can run at once on each machine of the cluster: its workers' threads, by host."""
    from distributed.comm import get_address_host

    slots: dict[str, int] = {}
    for address, info in workers.items():
        host = get_address_host(address)
        slots[host] = slots.get(host, 0) + int(info.get("nthreads", 1))
    return slots


def _own_slots(slots: dict[str, int]) -> int:
    """This worker's machine's entry of ``slots``; the largest when it joined after the count."""
    try:
        from distributed import get_worker
        from distributed.comm import get_address_host

        return slots[get_address_host(get_worker().address)]
    except (ImportError, ValueError, KeyError):  # not on a worker, or a worker that joined later
        return max(slots.values(), default=1)


def run_kabupaten(
    partition: Partition, out: str | Path, *, settings: dict[str, str], maps: bool, slots: dict[str, int] | None = None
) -> dict[str, Any]:
    """Run the pipeline on one kabupaten and write its outputs and its restart record.

    ``slots`` is how many jobs run at once on each machine (host: worker threads); the job
    takes its share of the machine's cores (:func:`job_threads`) for its geometry steps,
    unless ``[project] threads`` says how many.

    Returns
    -------
    dict
        ``status`` (``selesai`` or ``gagal``), ``kode_kab``, ``detik``, ``memori_mb`` and,
        when finished, the record (summary row, outline, files, ``utas``: the threads the job
        used, ``cpu_detik``: the CPU seconds of its process meanwhile); when failed, ``pesan``
        (the error message, Indonesian then English) and ``jenis`` (the error class).
    """
    from kawasan_gis.pipeline import run, write_outputs

    out = Path(out)
    t0, cpu0 = time.perf_counter(), time.process_time()
    base = {"kode_kab": partition.kode_kab, "nama_kab": partition.nama_kab, "pekerja": f"{os.uname().nodename}:{os.getpid()}"}
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cfg = partition.config
            with threads(used := job_threads(_own_slots(slots or {}), configured=cfg.project.threads)):
                result = run(cfg, template_dir=cfg.source.parent if cfg.source else Path.cwd())
                folder = write_outputs(result, out / KABUPATEN / partition.slug, maps=maps)
                files = national.write_kabupaten_parts(result, partition, out)
    except KawasanError as exc:
        return base | {"status": "gagal", "jenis": type(exc).__name__, "pesan": str(exc), "detik": round(time.perf_counter() - t0, 3), "memori_mb": _peak_rss_mb()}
    except Exception as exc:  # a bug or a library failure: still only this kabupaten fails
        log.error("kabupaten %s: %s", partition.kode_kab, traceback.format_exc())
        return base | {
            "status": "gagal",
            "jenis": type(exc).__name__,
            "pesan": f"kesalahan tak terduga / unexpected error: {type(exc).__name__}: {exc}",
            "detik": round(time.perf_counter() - t0, 3),
            "memori_mb": _peak_rss_mb(),
        }
    seconds = round(time.perf_counter() - t0, 3)
    record = base | {
        "status": "selesai",
        "checksums": records.expected(partition, settings),
        "folder": str(folder.relative_to(out.resolve())),
        "files": files,
        "ringkasan": national.summary_row(result, partition, folder=folder, out=out.resolve()),
        "batas_wkt": national.outline_wkt(result),
        # both languages, as run.json keeps them (a KawasanWarning prints only its Indonesian text)
        "peringatan": sorted({str(w.message.args[0] if isinstance(w.message, KawasanWarning) and w.message.args else w.message)[:500]
                              for w in caught}),
        "waktu_langkah": result.timings,
        "utas": used,
        "detik": seconds,
        "cpu_detik": round(time.process_time() - cpu0, 3),  # every thread of the worker process
        "memori_mb": _peak_rss_mb(),
        "selesai_pada": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    records.write_record(out, partition.kode_kab, record)
    return record


def submission_order(partitions: list[Partition]) -> list[Partition]:
    """Largest first (longest-processing-time first), so the last jobs are short ones and no
    worker idles while another finishes a large kabupaten.

    Size is the bytes of a kabupaten's parts, not its villages: on the bundled 20 kabupaten at
    national density the run time follows the bytes (correlation 0.88; vertices cost time) far
    better than the villages (0.66): Pesisir Barat's 118 villages take as long as Lampung Timur's 264.
    """
    return sorted(partitions, key=lambda p: (-p.nbytes, -p.n_desa, p.kode_kab))


def _client(workers: int, scheduler: str | None) -> tuple[Any, Any]:
    """A Dask client: connected to ``scheduler``, or to a new local cluster of ``workers`` processes."""
    from distributed import Client, LocalCluster

    if not log.isEnabledFor(logging.INFO):
        # the scheduler's start-up chatter is for -v only
        logging.getLogger("distributed").setLevel(logging.WARNING)

    if scheduler:
        try:
            return Client(scheduler, timeout="20s"), None
        except (OSError, TimeoutError) as exc:
            raise KawasanError(
                f"penjadwal Dask {scheduler} tidak dapat dihubungi / cannot reach the Dask scheduler {scheduler} ({exc}). "
                "Start it with `dask scheduler` and workers with `dask worker ADDRESS`, or leave out --scheduler for a local cluster."
            ) from None
    # one thread per worker process: the pipeline is CPU-bound and holds the GIL most of the time;
    # the dashboard on a free port, so that two runs (or a test) on one machine do not collide
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0")
    return Client(cluster), cluster


def _has_dashboard(client: Any, cluster: Any) -> bool:
    """True when there is a dashboard page to link to.

    A local cluster has one only with bokeh installed (without it the scheduler still
    answers on the port, with a page asking for bokeh); an external scheduler is trusted.
    """
    if cluster is not None:
        try:
            import bokeh  # noqa: F401
        except ImportError:
            return False
    try:
        return "dashboard" in client.scheduler_info().get("services", {})
    except Exception:  # an old or unusual scheduler: no link rather than no run
        return False


def run_national(
    config: RunConfig,
    out: str | Path,
    *,
    workers: int = 2,
    scheduler: str | None = None,
    maps: bool = True,
    progress: bool = False,
    echo: Callable[[str], None] | None = None,
    only: list[str] | None = None,
) -> NationalResult:
    """Run every kabupaten of ``config`` on Dask and write the national outputs into ``out``.

    Parameters
    ----------
    config
        A run configuration whose villages span several kabupaten (one kabupaten works too).
    out
        Output folder: ``kabupaten/<kode>_<nama>/`` (each kabupaten's own outputs, as from
        ``kawasan run``), ``desa/`` and ``kawasan/`` (GeoParquet partitioned by province and
        kabupaten), ``nasional.gpkg``, ``nasional.csv``, ``peta_nasional.html``,
        ``selesai/`` (restart records), ``masukan/`` (the split inputs).
    workers
        Worker processes of the local cluster (ignored with ``scheduler``).
    scheduler
        Address of an existing Dask scheduler (``tcp://host:8786``). Its workers must see
        ``out`` and the inputs at the same paths and run the same kawasan_gis.
    maps
        Each kabupaten's map and report (the overview links to them).
    progress
        A progress bar over kabupaten (the CLI turns it on in a terminal).
    echo
        Called with one-line messages for the user (the dashboard link).
    only
        Kabupaten codes to run (default all).

    Raises
    ------
    KabupatenFailed
        After the national outputs are written, when any kabupaten failed; the message
        lists each one with its error.
    """
    out = Path(out).resolve()
    say = echo or (lambda text: log.info("%s", text))
    t0 = time.perf_counter()
    sweep_temporaries(out)
    partitions = partition_inputs(config, out / "masukan")
    if only:
        partitions = [p for p in partitions if p.kode_kab in set(only)]
    settings = records.settings_checksums(config, maps=maps)
    todo = [p for p in partitions if not records.is_finished(out, p, settings)]
    result = NationalResult(out=out, skipped=[p.kode_kab for p in partitions if p not in todo], workers=workers)
    if result.skipped:
        say(f"{len(result.skipped)} kabupaten sudah selesai, dilewati / already finished, skipped")
    if todo:
        _submit(todo, out, settings=settings, maps=maps, workers=workers, scheduler=scheduler, progress=progress, say=say, result=result)
    result.table = national.write_national(partitions, out, failed=result.failed, lang=config.project.lang, offline=config.outputs.offline_map, title=config.project.name)
    result.seconds = round(time.perf_counter() - t0, 3)
    if result.failed:
        lines = [f"{kode}: {msg}" for kode, msg in sorted(result.failed.items())]
        raise KabupatenFailed(
            f"{len(result.failed)} dari {len(partitions)} kabupaten gagal; yang lain selesai dan tersimpan di {out}. "
            f"Perbaiki masukannya lalu jalankan perintah yang sama lagi: hanya yang gagal dihitung ulang / "
            f"{len(result.failed)} of {len(partitions)} kabupaten failed; the others finished and are saved in {out}. "
            "Fix their inputs and run the same command again: only the failed ones are recomputed.",
            problems=lines,
        )
    return result


def _submit(
    todo: list[Partition],
    out: Path,
    *,
    settings: dict[str, str],
    maps: bool,
    workers: int,
    scheduler: str | None,
    progress: bool,
    say: Callable[[str], None],
    result: NationalResult,
) -> None:
    from distributed import as_completed
    from tqdm import tqdm

    client, cluster = _client(workers, scheduler)
    bar = None
    try:
        known = client.scheduler_info(n_workers=-1).get("workers", {})
        result.workers = len(known) or workers
        slots = _worker_slots(known)
        if _has_dashboard(client, cluster):
            result.dashboard = client.dashboard_link
            say(f"Dasbor Dask / Dask dashboard: {client.dashboard_link}")
        order = submission_order(todo)
        futures = [
            client.submit(run_kabupaten, p, str(out), settings=settings, maps=maps, slots=slots, key=f"kabupaten-{p.kode_kab}-{time.time_ns()}", pure=False)
            for p in order
        ]
        names = {f.key: p.kode_kab for f, p in zip(futures, order)}
        bar = tqdm(total=len(futures), disable=not progress, unit=" kab", desc="kabupaten")
        for future in as_completed(futures):
            kode = names[future.key]
            try:
                done = future.result()
            except Exception as exc:  # the worker died (KilledWorker) or the job could not be sent
                done = {"status": "gagal", "kode_kab": kode, "pesan": f"pekerja Dask gagal / Dask worker failed: {type(exc).__name__}: {exc}"}
            if done["status"] == "selesai":
                result.finished.append(kode)
            else:
                result.failed[kode] = done["pesan"]
                log.warning("kabupaten %s gagal / failed: %s", kode, done["pesan"])
            bar.update(1)
            bar.set_postfix_str(f"{kode} {done['status']}")
    finally:
        if bar is not None:
            bar.close()
        client.close()
        if cluster is not None:
            cluster.close()
