"""Village x class areas: kawasan_gis.overlay.tabulate_classes against geopandas.overlay + groupby.

Sizes (synthetic.py): S = 300 villages x 50,000 class polygons, L = 5,000 x 500,000.
Each approach runs in its own process, so its peak memory (ru_maxrss) is its own; the
table shows the median time of the runs, the ratio to the baseline, the peak memory and
the memory added on top of the loaded layers, and the largest difference from the
baseline's areas.

    python benchmarks/bench_overlay.py            # S
    KAWASAN_BENCH_SIZE=all python benchmarks/bench_overlay.py   # S then L (minutes)
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
    "overlay": "geopandas.overlay + groupby (baseline)",
    "keep1": "tabulate_classes, overlaps='keep', 1 thread",
    "keep2": "tabulate_classes, overlaps='keep', 2 threads",
    "resolve2": "tabulate_classes, default (resolve overlaps), 2 threads",
}
RUNS = {"S": 3, "L": 1}






def child(approach: str, size: str, out: str) -> None:
    import geopandas as gpd
    import synthetic

    from kawasan_gis.overlay import tabulate_classes

    villages, classes = synthetic.load(size)
    base = reset_peak()
    times = []
    for _ in range(RUNS[size]):
        t0 = time.perf_counter()
        if approach == "overlay":
            cut = gpd.overlay(villages[["kode_desa", "geometry"]], classes, how="intersection")
            table = cut.assign(ha=cut.area / 10_000).groupby(["kode_desa", "kelas"])["ha"].sum().unstack(fill_value=0.0)
        else:
            overlaps = "resolve" if approach.startswith("resolve") else "keep"
            table = tabulate_classes(villages, classes, overlaps=overlaps, n_jobs=int(approach[-1]))
        times.append(time.perf_counter() - t0)
        if approach == "overlay":
            del cut
    table = table.reindex(index=villages["kode_desa"].astype(str), columns=sorted(classes["kelas"].unique()), fill_value=0.0)
    np.save(out + ".npy", table.to_numpy())
    peak = status_mb("VmHWM")  # peak RSS since the reset, i.e. of the runs only
    Path(out + ".json").write_text(json.dumps({"times": times, "base_mb": base, "peak_mb": peak}))


def run(size: str) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, label in APPROACHES.items():
            out = os.path.join(tmp, name)
            subprocess.run([sys.executable, __file__, "--child", name, size, out], check=True)
            info = json.loads(Path(out + ".json").read_text())
            info.update(name=name, label=label, table=np.load(out + ".npy"))
            rows.append(info)
    ref = rows[0]
    base_t = statistics.median(ref["times"])
    print(f"\n## Village x class areas, size {size}")
    print("| approach | time (s) | vs overlay+groupby | peak RSS in the runs (MB) | added over the loaded layers (MB) | max diff (m2) | max rel diff |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        t = statistics.median(r["times"])
        diff = np.abs(r["table"] - ref["table"]) * 10_000
        rel = np.max(diff / np.maximum(ref["table"] * 10_000, 1.0))
        print(
            f"| {r['label']} | {t:.2f} | {base_t / t:.2f}x | {r['peak_mb']:.0f} | {r['peak_mb'] - r['base_mb']:.0f} "
            f"| {diff.max():.2e} | {rel:.1e} |"
        )
    return rows


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:5])
        return
    size = os.environ.get("KAWASAN_BENCH_SIZE", "S")
    sizes = ["S", "L"] if size == "all" else [size]
    import synthetic

    for s in sizes:
        synthetic.load(s)  # generate the layers once, outside the timings
        run(s)


if __name__ == "__main__":
    main()
