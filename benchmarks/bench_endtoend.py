"""What a user waits for: whole processes, from the command line to the written file.

* ``kawasan --help`` and ``kawasan indicators --help`` (target: under 0.5 s);
* ``kawasan run data/lampung_timur.toml`` and ``data/gorontalo.toml`` (maps and report
  included): the whole process and the steps the run records in ``run.json`` (target: 8 s);
* ``kawasan indicators --villages desa.gpkg --landuse penggunaan_lahan.gpkg --out x.csv``
  (reads, validates, matches classes, resolves overlaps, tabulates, writes) against the
  script a user would write instead: ``geopandas.read_file`` of both layers,
  ``geopandas.overlay`` and a group-by, written as CSV (targets: 2x at S, 3x at L, peak memory
  no higher than the baseline's).

Layers: the Voronoi villages and land use of ``synthetic.py`` (S = 300 x 50,000, L = 5,000 x
500,000) written as GeoPackages, the land-use classes named with real BPDAS land-use names so
that they go through class matching. Each run is its own process; wall time and peak resident
memory come from ``/usr/bin/time``. The two tables are compared cell by cell.

    python benchmarks/bench_endtoend.py            # S (and the bundled runs; --no-run skips them)
    KAWASAN_BENCH_SIZE=all python benchmarks/bench_endtoend.py   # S then L (minutes)
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import synthetic  # noqa: E402
from measure import load, machine  # noqa: E402

RUNS = {"S": 3, "L": 1}
# synthetic class i -> a BPDAS land-use name, as real layers spell them, and its standard class
NAMES = {"Sawah": "sawah", "Perkebunan": "perkebunan", "Hutan Lahan Kering Sekunder": "hutan_lahan_kering_sekunder",
         "Permukiman dan Tempat Kegiatan": "permukiman", "Pertanian Lahan Kering Campur": "pertanian_lahan_kering_campur",
         "Semak Belukar": "semak_belukar", "Air Tambak": "tambak", "Savana / Padang Rumput": "savana"}

BASELINE = """
import sys, geopandas as gpd
desa = gpd.read_file(sys.argv[1])
lu = gpd.read_file(sys.argv[2])
cut = gpd.overlay(desa[["kode_desa", "geometry"]], lu, how="intersection")
cut.assign(ha=cut.area / 10_000).groupby(["kode_desa", "penggunaan_lahan"])["ha"].sum().unstack(fill_value=0.0).to_csv(sys.argv[3])
"""


def layers(size: str) -> tuple[Path, Path]:
    """The size's villages and land use as GeoPackages (cached beside the GeoParquet layers)."""
    desa, lu = synthetic.CACHE / f"e2e_desa_{size}.gpkg", synthetic.CACHE / f"e2e_landuse_{size}.gpkg"
    if not (desa.exists() and lu.exists()):
        villages, classes = synthetic.load(size)
        names = np.array(list(NAMES))[classes["kelas"].str.removeprefix("kelas_").astype(int).to_numpy()]
        villages.to_file(desa, layer="desa", driver="GPKG")
        classes.assign(penggunaan_lahan=names).drop(columns="kelas").to_file(lu, layer="penggunaan_lahan", driver="GPKG")
    return desa, lu


# Compiled bytecode, as an installed package has it: with PYTHONDONTWRITEBYTECODE set (as in
# the project's shared environment) and the package on PYTHONPATH or installed in editable
# mode, every process would compile each kawasan_gis module from source again (~0.2 s of CPU
# on the indicators path). Both sides of the indicators comparison read and write their
# bytecode in one private cache, after an untimed warm-up run each (a cache prefix also hides
# the bytecode installed beside site-packages, so the other commands keep the environment).
PYCACHE = tempfile.mkdtemp(prefix="kawasan_bench_pycache_")
atexit.register(shutil.rmtree, PYCACHE, ignore_errors=True)
ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, "PYTHONPYCACHEPREFIX": PYCACHE}


def timed_process(cmd: list[str], runs: int, *, warm_up: list[str] | None = None) -> tuple[float, float, float]:
    """Median wall time (s), median CPU time (user + system, s) and largest peak RSS (MB) of ``runs`` runs.

    On a shared machine the CPU time moves much less with the load than the wall time; it
    counts every thread, so it does not show what two threads save. With ``warm_up`` (run
    once first, untimed) the processes use the bytecode cache of ``ENV``.
    """
    env = ENV if warm_up else None
    walls, cpus, peaks = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        stats = Path(tmp) / "time.txt"
        if warm_up:
            subprocess.run(warm_up, check=True, cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(runs):
            # from an empty folder: started in the repository, `python -m` would import the
            # kawasan_gis beside it instead of the one installed or on PYTHONPATH
            subprocess.run(["/usr/bin/time", "-o", str(stats), "-f", "%e %U %S %M", *cmd], check=True, cwd=tmp, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wall, user, system, kb = stats.read_text().split()[-4:]
            walls.append(float(wall))
            cpus.append(float(user) + float(system))
            peaks.append(int(kb) / 1024)
    return statistics.median(walls), statistics.median(cpus), max(peaks)


def help_times() -> None:
    print("\n## Help (whole process, median of 5)")
    print("| command | time (s) |")
    print("|---|---|")
    for args in (["--help"], ["indicators", "--help"], ["run", "--help"], ["check", "--help"]):
        t, _, _ = timed_process([sys.executable, "-m", "kawasan_gis.cli", *args], 5)
        print(f"| `kawasan {' '.join(args)}` | {t:.2f} |")


def runs() -> None:
    """Whole ``kawasan run`` of the bundled configurations, with the steps of ``run.json``."""
    rows: dict[str, dict[str, float]] = {}
    for config in ("lampung_timur", "gorontalo"):
        with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as warm:
            run = [sys.executable, "-m", "kawasan_gis.cli", "-q", "run", str(HERE.parent / "data" / f"{config}.toml"), "--out"]
            # median of 3, with the bytecode a user's installation has (warm-up run untimed)
            wall, cpu, peak = timed_process([*run, str(Path(tmp) / "hasil")], 3, warm_up=[*run, str(Path(warm) / "hasil")])
            steps = json.loads((Path(tmp) / "hasil" / "run.json").read_text())["timings_s"]
        rows[config] = {"whole process": wall, "whole process, CPU": cpu, **steps, "peak RSS (MB)": peak}
    print(f"\n## kawasan run, whole process and steps (s), {load()}")
    print("| step | Lampung Timur | Gorontalo |")
    print("|---|---|---|")
    for step in dict.fromkeys([k for r in rows.values() for k in r]):
        print(f"| {step} | " + " | ".join(f"{r.get(step, float('nan')):.1f}" for r in rows.values()) + " |")


def indicators(size: str) -> None:
    desa, lu = layers(size)
    small = layers("S")
    runs = RUNS[size]
    with tempfile.TemporaryDirectory() as tmp:
        base_csv, ours_csv = Path(tmp) / "base.csv", Path(tmp) / "ours.csv"
        base = [sys.executable, "-c", BASELINE]
        ours = [sys.executable, "-m", "kawasan_gis.cli", "-q", "indicators", "--villages"]
        before = load()
        t_base, c_base, m_base = timed_process([*base, str(desa), str(lu), str(base_csv)], runs,
                                               warm_up=[*base, str(small[0]), str(small[1]), str(Path(tmp) / "warm.csv")])
        t_ours, c_ours, m_ours = timed_process([*ours, str(desa), "--landuse", str(lu), "--out", str(ours_csv)], runs,
                                               warm_up=[*ours, str(small[0]), "--landuse", str(small[1]), "--out", str(Path(tmp) / "warm.csv")])
        after = load()
        base = pd.read_csv(base_csv, index_col=0, dtype={"kode_desa": str})
        ours = pd.read_csv(ours_csv, dtype={"kode_desa": str}).set_index("kode_desa")
    ours = ours.reindex(base.index)
    diff = max(float(np.abs(ours[f"ha_landuse_{NAMES[raw]}"] - base[raw]).max()) for raw in base.columns)
    print(f"\n## kawasan indicators end to end, size {size} ({runs} run{'s' if runs > 1 else ''}, median)")
    print(f"{before} before, {after} after")
    print("| approach | wall (s) | wall ratio | CPU (s) | CPU ratio | peak RSS (MB) |")
    print("|---|---|---|---|---|---|")
    print(f"| geopandas read_file + overlay + groupby + to_csv (baseline) | {t_base:.2f} | 1.00x | {c_base:.2f} | 1.00x | {m_base:.0f} |")
    print(f"| `kawasan indicators --landuse` | {t_ours:.2f} | **{t_base / t_ours:.2f}x** | {c_ours:.2f} | {c_base / c_ours:.2f}x | {m_ours:.0f} |")
    print(f"largest difference per village x class: {diff:.2e} ha")


def main() -> None:
    size = os.environ.get("KAWASAN_BENCH_SIZE", "S")
    print(f"machine: {machine()}")
    help_times()
    if "--no-run" not in sys.argv:
        runs()
    for s in (["S", "L"] if size == "all" else [size]):
        indicators(s)


if __name__ == "__main__":
    main()
