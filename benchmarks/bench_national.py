"""The national run on this machine: 1 and 2 Dask workers, memory per worker, restart after a kill.

    python benchmarks/bench_national.py                      # every kabupaten (hours on 2 cores)
    python benchmarks/bench_national.py --sample 24          # 24 kabupaten spread over all sizes
    python benchmarks/bench_national.py --sample 24 --maps   # with each kabupaten's map and report
    python benchmarks/bench_national.py --workers 2 --skip-restart   # the whole country, 2 workers only

Under ``run_all.py`` the size picks the sample: S = 8 kabupaten, L = 48, all = every one.

Inputs (nothing is downloaded here):

- national village boundaries, built once with ``benchmarks/desa_nasional.py`` from the
  public repository ``cahyadsn/wilayah_boundaries`` (``--villages``, default
  ``cache/desa_nasional.parquet`` in the repository, git-ignored);
- synthetic land use and pola ruang over them (:mod:`kawasan_gis.datasets`, seed 0, 40 and 5
  polygons per village), generated once and cached beside the villages;
- IDM 2024 for every desa (``--idm``, a CSV or CSV.gz by village code; the repository's
  ``data/idm2024`` holds only the two bundled kabupaten, so the national table is given here).

Measured, each in a fresh output folder (the split of the national inputs is done once, timed,
and shared): wall time with 1 and 2 workers, villages per second and the ratio; peak resident
memory of each worker process (from each job's record); the largest kabupaten's time; and the
restart overhead: a 2-worker run killed (SIGKILL to the whole process group) when half of the
kabupaten are recorded, then run again to the end, compared with the uninterrupted run.

With ``--sample N`` only N kabupaten run (every k-th by village count, so small and large ones
are in), and the national time is *extrapolated* from the sample's villages per second: the
output says so. Results go to ``--out`` (default ``cache/bench_national``) as JSON
(``bench_national.json``, or ``bench_national_sampleN.json`` for a sample), beside the split they share.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kawasan_gis.config import load_config  # noqa: E402
from kawasan_gis.datasets import SyntheticOptions, build_synthetic, write_run_config  # noqa: E402
from kawasan_gis.scale import run_national  # noqa: E402
from kawasan_gis.scale.partition import partition_inputs  # noqa: E402


def _sample(parts: list, n: int | None) -> list[str]:
    codes = [p.kode_kab for p in sorted(parts, key=lambda p: (p.n_desa, p.kode_kab))]
    if not n or n >= len(codes):
        return sorted(codes)
    step = len(codes) / n
    return sorted(codes[int(i * step + step / 2)] for i in range(n))


def _fresh(out: Path, shared_split: Path) -> Path:
    """A new output folder whose ``masukan`` is the shared split (so it is not redone)."""
    if out.exists():
        subprocess.run(["rm", "-rf", str(out)], check=True)
    out.mkdir(parents=True)
    (out / "masukan").symlink_to(shared_split, target_is_directory=True)
    return out


def _records(out: Path, codes: list[str]) -> pd.DataFrame:
    rows = [json.loads((out / "selesai" / f"{k}.json").read_text(encoding="utf-8")) for k in codes if (out / "selesai" / f"{k}.json").exists()]
    return pd.DataFrame([{"kode_kab": r["kode_kab"], "detik": r["detik"], "memori_mb": r["memori_mb"], "pekerja": r["pekerja"], "n_desa": r["ringkasan"]["n_desa"]} for r in rows])


def _timed_run(config: Path, out: Path, codes: list[str], workers: int, maps: bool) -> dict:
    start = time.perf_counter()
    result = run_national(load_config(config), out, workers=workers, maps=maps, only=codes)
    wall = time.perf_counter() - start
    rec = _records(out, codes)
    return {
        "workers": workers,
        "wall_s": round(wall, 1),
        "villages": int(rec["n_desa"].sum()),
        "villages_per_s": round(rec["n_desa"].sum() / wall, 2),
        "peak_mb_per_worker": {k: round(v, 0) for k, v in rec.groupby("pekerja")["memori_mb"].max().items()},
        "largest_kabupaten": rec.sort_values("n_desa").iloc[-1][["kode_kab", "n_desa", "detik"]].to_dict(),
        "slowest_kabupaten": rec.sort_values("detik").iloc[-1][["kode_kab", "n_desa", "detik"]].to_dict(),
        "sum_job_s": round(float(rec["detik"].sum()), 1),
        "failed": sorted(result.failed),
    }


def _killed_and_restarted(config: Path, out: Path, codes: list[str], maps: bool) -> dict:
    # the CLI has no option for a subset of kabupaten: the child run gets it from the environment
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KAWASAN_BENCH_ONLY": ",".join(codes)}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, "--_child", str(config), str(out), "--maps" if maps else "--no-maps"], env=env, start_new_session=True)
    half = len(codes) // 2
    while len(list((out / "selesai").glob("*.json"))) < half:
        if proc.poll() is not None:
            raise RuntimeError("the run ended before half of it was done")
        time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    before = time.perf_counter() - start
    kept = len(list((out / "selesai").glob("*.json")))
    start = time.perf_counter()
    result = run_national(load_config(config), out, workers=2, maps=maps, only=codes)
    after = time.perf_counter() - start
    return {"killed_after_s": round(before, 1), "kept": kept, "rerun_s": round(after, 1), "rerun_skipped": len(result.skipped),
            "rerun_computed": len(result.finished), "rerun_codes": sorted(result.finished)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--villages", type=Path, default=ROOT / "cache" / "desa_nasional.parquet")
    ap.add_argument("--idm", type=Path, help="IDM table (CSV or CSV.gz) for every desa")
    ap.add_argument("--out", type=Path, default=ROOT / "cache" / "bench_national")
    # under run_all.py: size S = 8 kabupaten, L = 48, all = the whole country
    default_sample = {"S": 8, "L": 48}.get(os.environ.get("KAWASAN_BENCH_SIZE", "all"))
    ap.add_argument("--sample", type=int, default=default_sample, help="run N kabupaten spread over all sizes and extrapolate")
    ap.add_argument("--maps", action=argparse.BooleanOptionalAction, default=False)
    ap.add_argument("--skip-restart", action="store_true")
    ap.add_argument("--restart-only", action="store_true",
                    help="one 2-worker run killed at 50 %% and run again to the end: its total is the national time "
                         "with one crash, and the restart overhead is estimated from the jobs' own times")
    ap.add_argument("--workers", default="1,2", help="worker counts to time, comma-separated (default 1,2; the ratio needs both)")
    ap.add_argument("--_child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._child:  # the run that the restart measurement kills
        run_national(load_config(args._child[0]), Path(args._child[1]), workers=2, maps=args.maps, only=os.environ["KAWASAN_BENCH_ONLY"].split(","))
        return 0
    if not args.villages.exists():
        print(f"skipped: {args.villages} missing; build it with benchmarks/desa_nasional.py (see docs/national.md)")
        return 0
    if args.idm is None or not args.idm.exists():
        print(f"skipped: the national IDM table (--idm) is {'missing' if args.idm else 'not given'}")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    landuse, rtrw = build_synthetic(args.villages, args.villages.parent / "sintetis_nasional", options=SyntheticOptions(seed=0))
    synth_s = time.perf_counter() - t0
    idm = args.idm
    if idm.suffix == ".gz":  # read_table reads plain CSV: unpack once into the cache
        plain = args.out / "idm2024_desa.csv"
        if not plain.exists():
            pd.read_csv(idm, dtype=str).to_csv(plain, index=False)
        idm = plain
    config = args.out / "nasional.toml"
    write_run_config(config, args.villages, (landuse, rtrw), idm, name="Kawasan Perdesaan Nasional (lapisan kelas sintetis)")
    split = args.out / "masukan"
    t0 = time.perf_counter()
    parts = partition_inputs(load_config(config), split)
    split_s = time.perf_counter() - t0
    codes = _sample(parts, args.sample)
    n_villages = sum(p.n_desa for p in parts)
    chosen = sum(p.n_desa for p in parts if p.kode_kab in set(codes))
    report: dict = {
        "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_average_at_start": os.getloadavg(),
        "national": {"kabupaten": len(parts), "villages": n_villages},
        "synthetic_layers_s": round(synth_s, 1),
        "split_s": round(split_s, 1),
        "sample": {"kabupaten": len(codes), "villages": chosen, "codes": codes} if args.sample else "all",
        "maps": args.maps,
    }
    if args.restart_only:
        restart = _killed_and_restarted(config, _fresh(args.out / "restart", split), codes, args.maps)
        rec = _records(args.out / "restart", codes)
        computed = rec[rec["kode_kab"].isin(restart.pop("rerun_codes"))]
        # the jobs of the rerun, packed on 2 workers, would take half their summed time; the
        # rest of the rerun is the restart's cost: starting the cluster, checking the split and
        # the records, and the kabupaten that were in flight at the kill (computed again)
        restart["rerun_jobs_s"] = round(float(computed["detik"].sum()), 1)
        restart["overhead_s"] = round(restart["rerun_s"] - restart["rerun_jobs_s"] / 2, 1)
        restart["national_wall_s"] = round(restart["killed_after_s"] + restart["rerun_s"], 1)
        restart["villages"] = int(rec["n_desa"].sum())
        restart["villages_per_s"] = round(restart["villages"] / restart["national_wall_s"], 2)
        restart["peak_mb_per_worker"] = {k: round(v, 0) for k, v in rec.groupby("pekerja")["memori_mb"].max().items()}
        restart["largest_kabupaten"] = rec.sort_values("n_desa").iloc[-1][["kode_kab", "n_desa", "detik"]].to_dict()
        restart["slowest_kabupaten"] = rec.sort_values("detik").iloc[-1][["kode_kab", "n_desa", "detik"]].to_dict()
        report["restart_run"] = restart
        report["load_average_at_end"] = os.getloadavg()
        name = f"bench_national_restart{'_sample' + str(args.sample) if args.sample else ''}.json"
        (args.out / name).write_text(json.dumps(report, indent=1, default=str))
        print(json.dumps(report, indent=1, default=str))
        return 0
    counts = [int(w) for w in args.workers.split(",")]
    runs = {w: _timed_run(config, _fresh(args.out / f"w{w}", split), codes, w, args.maps) for w in counts}
    report["runs"] = list(runs.values())
    if 1 in runs and 2 in runs:
        report["speedup_2_vs_1"] = round(runs[1]["wall_s"] / runs[2]["wall_s"], 2)
    if args.sample and 2 in runs:
        report["extrapolated_national_2_workers_s"] = round(n_villages / runs[2]["villages_per_s"] + split_s, 0)
    if not args.skip_restart:
        restart = _killed_and_restarted(config, _fresh(args.out / "restart", split), codes, args.maps)
        restart.pop("rerun_codes")
        if 2 in runs:
            restart["overhead_s"] = round(restart["killed_after_s"] + restart["rerun_s"] - runs[2]["wall_s"], 1)
        report["restart"] = restart
    report["load_average_at_end"] = os.getloadavg()
    name = f"bench_national_sample{args.sample}.json" if args.sample else "bench_national.json"
    (args.out / name).write_text(json.dumps(report, indent=1, default=str))
    print(json.dumps(report, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
