"""1 and 2 Dask workers on the bundled 20-kabupaten set: real boundaries, synthetic layers at national density.

    python benchmarks/bench_national_bundled.py

The national benchmark (``bench_national.py``) needs the 94 MB national boundaries and a
3-to-6-minute split; this one runs in about 8 minutes on files in the repository: the 3,287 real
village polygons of 20 kabupaten/kota of Lampung and Gorontalo
(``data/desa_lampung_gorontalo``), synthetic land use and pola ruang with the national
benchmark's density (``SyntheticOptions(seed=0)``: 40 and 5 polygons per village) and the
bundled IDM table. It splits the inputs once, then runs every kabupaten with 1 and with 2
workers (maps off) in fresh output folders through :func:`kawasan_gis.scale.run_national`,
the code ``kawasan run --workers`` uses, and prints wall time, villages per second, the
speed-up, the peak memory per worker, the largest kabupaten and the national time extrapolated
from the 2-worker rate (83,402 villages; the split of the national inputs not included). On a
shared machine the wall times depend on the others' load: the load average before and after
each run and the CPU seconds of the jobs (each job's record: its worker process's CPU time while
it ran, which the load does not change much) are printed too, with the threads each job used.
Results go to ``cache/bench_bundled/bench.json`` (git-ignored).
"""
import json
import os
import platform
import shutil
import sys
import time
from pathlib import Path
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# noqa: E402 below: the repository goes on the path first
from kawasan_gis.config import load_config
from kawasan_gis.datasets import SyntheticOptions, build_synthetic, write_run_config
from kawasan_gis.scale import run_national
from kawasan_gis.scale.partition import partition_inputs

def main():
    DESA = ROOT / "data/desa_lampung_gorontalo/desa_lampung_gorontalo.parquet"
    IDM = ROOT / "data/idm2024/idm2024_lampung_gorontalo.csv"
    base = ROOT / "cache" / "bench_bundled"; base.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter(); lu, rt = build_synthetic(DESA, base / "sintetis", options=SyntheticOptions(seed=0)); gen = time.perf_counter() - t
    cfg = write_run_config(base / "nasional.toml", DESA, (lu, rt), IDM, name="Bench 20 kabupaten/kota")
    t = time.perf_counter(); parts = partition_inputs(load_config(cfg), base / "masukan"); split = time.perf_counter() - t
    n = sum(p.n_desa for p in parts)
    out = {"machine": f"{platform.node()} {os.cpu_count()} cores", "load_start": os.getloadavg(), "villages": n, "kabupaten": len(parts),
           "synthetic_s": round(gen, 1), "split_s": round(split, 1), "runs": []}
    for w in (1, 2):
        o = base / f"w{w}"
        if o.exists(): shutil.rmtree(o)
        o.mkdir(); (o / "masukan").symlink_to(base / "masukan", target_is_directory=True)
        load_before = os.getloadavg()
        t = time.perf_counter(); res = run_national(load_config(cfg), o, workers=w, maps=False); wall = time.perf_counter() - t
        recs = [json.loads(p.read_text()) for p in (o / "selesai").glob("*.json")]
        out["runs"].append({"workers": w, "wall_s": round(wall, 1), "villages_per_s": round(n / wall, 2),
                            "peak_mb_per_worker": max(r["memori_mb"] for r in recs), "largest": max(((r["ringkasan"]["n_desa"], r["detik"]) for r in recs)),
                            "failed": sorted(res.failed), "load": os.getloadavg(), "load_before": load_before,
                            "threads_per_job": sorted({r.get("utas") for r in recs}, key=str),
                            "sum_job_s": round(sum(r["detik"] for r in recs), 1),
                            "sum_job_cpu_s": round(sum(r.get("cpu_detik", 0) for r in recs), 1)})
        print(json.dumps(out["runs"][-1]), flush=True)
    out["speedup"] = round(out["runs"][0]["wall_s"] / out["runs"][1]["wall_s"], 2)
    out["extrapolated_national_2w_min"] = round(83402 / out["runs"][1]["villages_per_s"] / 60, 1)
    (base / "bench.json").write_text(json.dumps(out, indent=1, default=str))
    print(json.dumps(out, indent=1, default=str))


if __name__ == '__main__':
    main()
