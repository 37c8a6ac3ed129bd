"""Raster class histogram per village: kawasan_gis.overlay.raster_histogram against exactextract
and rasterstats (``categorical=True``), on a 10,000 x 10,000 uint8 GeoTIFF over the villages.

raster_histogram and exactextract weight every cell by the exact fraction inside the village;
rasterstats counts the cells whose centre is inside. The table gives the median time, the
ratios to both, peak memory (each approach in its own process), and the largest difference
from exactextract in hectares and in percentage points of a class share.

    python benchmarks/bench_raster.py            # S (300 villages)
    KAWASAN_BENCH_SIZE=all python benchmarks/bench_raster.py   # S then L (5,000 villages)
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from measure import reset_peak, status_mb  # noqa: E402

APPROACHES = {
    "exactextract": "exactextract (unique + frac)",
    "rasterstats": "rasterstats categorical (cell centres)",
    "kawasan1": "raster_histogram, 1 thread",
    "kawasan2": "raster_histogram, 2 threads",
}
RUNS = {"S": 3, "L": 1}
N_CLASSES = 8






def _paths(size: str) -> tuple[object, Path]:
    import synthetic

    villages = synthetic.load_villages(size)
    return villages, synthetic.make_raster(synthetic.CACHE / f"raster_{size}.tif", villages)


def _table(approach: str, villages, raster: Path) -> np.ndarray:
    """Hectares (villages x classes 0..7)."""
    import rasterio

    with rasterio.open(raster) as src:
        cell_ha = abs(src.transform.a * src.transform.e) / 10_000
    out = np.zeros((len(villages), N_CLASSES))
    if approach == "exactextract":
        from exactextract import exact_extract

        df = exact_extract(str(raster), villages[["kode_desa", "geometry"]], ["unique", "frac", "count"], output="pandas")
        for i, (uniq, frac, count) in enumerate(zip(df["unique"], df["frac"], df["count"])):
            for u, f in zip(uniq, frac):
                out[i, int(u)] = f * count * cell_ha
    elif approach == "rasterstats":
        from rasterstats import zonal_stats

        for i, stats in enumerate(zonal_stats(villages, str(raster), categorical=True, nodata=255)):
            for k, n in stats.items():
                out[i, int(k)] = n * cell_ha
    else:
        from kawasan_gis.overlay import raster_histogram

        table = raster_histogram(villages, raster, n_jobs=int(approach[-1]))
        for k in range(N_CLASSES):
            if str(k) in table.columns:
                out[:, k] = table[str(k)].to_numpy()
    return out


def child(approach: str, size: str, out: str) -> None:
    import exactextract  # noqa: F401  (imports out of the timings)
    import rasterstats  # noqa: F401

    import kawasan_gis.overlay  # noqa: F401

    villages, raster = _paths(size)
    base = reset_peak()
    times = []
    for _ in range(RUNS[size]):
        t0 = time.perf_counter()
        table = _table(approach, villages, raster)
        times.append(time.perf_counter() - t0)
    np.save(out + ".npy", table)
    peak = status_mb("VmHWM")  # peak RSS since the reset, i.e. of the runs only
    Path(out + ".json").write_text(json.dumps({"times": times, "base_mb": base, "peak_mb": peak}))


def run(size: str) -> None:
    rows = []
    villages, _ = _paths(size)
    luas = villages.area.to_numpy() / 10_000
    with tempfile.TemporaryDirectory() as tmp:
        for name, label in APPROACHES.items():
            out = os.path.join(tmp, name)
            subprocess.run([sys.executable, __file__, "--child", name, size, out], check=True)
            info = json.loads(Path(out + ".json").read_text())
            info.update(name=name, label=label, table=np.load(out + ".npy"))
            rows.append(info)
    ee = rows[0]
    t_ee = statistics.median(ee["times"])
    t_rs = statistics.median(rows[1]["times"])
    print(f"\n## Raster class histogram, size {size} ({len(villages)} villages, 10,000 x 10,000 cells)")
    print("| approach | time (s) | vs exactextract | vs rasterstats | peak RSS (MB) | max diff vs exactextract (ha) | max share diff (pp) |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        t = statistics.median(r["times"])
        diff = np.abs(r["table"] - ee["table"])
        pp = 100 * diff / luas[:, None]
        print(
            f"| {r['label']} | {t:.2f} | {t_ee / t:.2f}x | {t_rs / t:.2f}x | {r['peak_mb']:.0f} "
            f"| {diff.max():.2e} | {pp.max():.2e} |"
        )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:5])
        return
    size = os.environ.get("KAWASAN_BENCH_SIZE", "S")
    for s in ["S", "L"] if size == "all" else [size]:
        _paths(s)  # generate layers and raster once, outside the timings
        run(s)


if __name__ == "__main__":
    main()
