"""Benchmark of regionalize: contiguity graph and Ward clustering at 300 and 5,000 villages.

Prints medians of repeated runs (seconds) and ratios against the baselines a user would
write without libpysal: geopandas ``sjoin`` of the villages with themselves
(``predicate="intersects"``, and ``"dwithin"`` with the same snap), and libpysal's Queen
weights when libpysal happens to be installed. Villages are the shared synthetic Voronoi
villages of ``benchmarks/synthetic.py`` (~12 km2, ~280 vertices); scores are seeded random.

Run: ``python benchmarks/bench_regionalize.py [--quick]``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sklearn.cluster import AgglomerativeClustering

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import timed  # noqa: E402
from synthetic import make_villages  # noqa: E402

from kawasan_gis.regionalize import contiguity, propose_kawasan  # noqa: E402

SNAP = 30.0
POTENTIALS = ["peternakan", "hutan_tanaman_industri", "pertanian_unggulan", "permukiman", "perekonomian"]




def scores(villages: gpd.GeoDataFrame, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    s = pd.DataFrame(rng.random((len(villages), len(POTENTIALS))), index=villages["kode_desa"].to_numpy(),
                     columns=[f"skor_{p}" for p in POTENTIALS])
    s["potensi_dominan"] = s.idxmax(axis=1).str.removeprefix("skor_")
    return s


def sjoin_pairs(villages: gpd.GeoDataFrame, **kwargs: object) -> int:
    left = villages[["kode_desa", "geometry"]]
    pairs = gpd.sjoin(left, left, **kwargs)
    return int((pairs.index < pairs["index_right"]).sum())


def bench(n: int, repeat: int) -> None:
    villages = make_villages(n)
    vertices = int(shapely.get_num_coordinates(villages.geometry.to_numpy()).mean())
    print(f"\n## {n:,} villages (~{vertices} vertices each)")
    t_graph, graph = timed(lambda: contiguity(villages, snap=SNAP), repeat)
    t_shared, _ = timed(lambda: contiguity(villages, snap=SNAP).shared_m, 1)
    t_inter, n_inter = timed(lambda: sjoin_pairs(villages, predicate="intersects"), repeat)
    t_dwithin, n_dwithin = timed(lambda: sjoin_pairs(villages, predicate="dwithin", distance=SNAP), repeat)
    print(f"contiguity(snap={SNAP:g})              {t_graph:7.3f} s  {len(graph.i):,} edges, {len(graph.bridges)} bridges")
    print(f"  + shared_m on first access         {t_shared - t_graph:7.3f} s")
    print(f"gpd.sjoin intersects (baseline)      {t_inter:7.3f} s  {n_inter:,} pairs  ratio {t_inter / t_graph:5.2f}")
    print(f"gpd.sjoin dwithin {SNAP:g} m (baseline)     {t_dwithin:7.3f} s  {n_dwithin:,} pairs  ratio {t_dwithin / t_graph:5.2f}")
    try:
        from libpysal.weights import Queen
    except ImportError:
        print("libpysal Queen                        not measured: libpysal is not installed (pip install -e '.[bench]')")
    else:
        t_pysal, _ = timed(lambda: Queen.from_dataframe(villages, use_index=False), 1)
        print(f"libpysal Queen                       {t_pysal:7.3f} s  ratio {t_pysal / t_graph:5.2f}")

    s = scores(villages)
    x = s.iloc[:, : len(POTENTIALS)].to_numpy()
    k = max(2, n // 20)
    t_ward, _ = timed(
        lambda: AgglomerativeClustering(n_clusters=k, linkage="ward", connectivity=graph.adjacency).fit(x), repeat
    )
    print(f"sklearn Ward, k={k}, connectivity     {t_ward:7.3f} s")
    for label, options in [
        (f"ward n_zones={k}", {"method": "ward", "n_zones": k}),
        ("ward k by pseudo-F", {"method": "ward"}),
        ("dominant", {"method": "dominant"}),
    ]:
        t_prop, prop = timed(lambda: propose_kawasan(villages, s, n_perturb=0, **options), 1)
        print(f"propose_kawasan {label:<20} {t_prop:7.3f} s  {len(prop.kawasan)} kawasan, no stability runs")
    t_stab, _ = timed(lambda: propose_kawasan(villages, s, method="ward", n_zones=k, n_perturb=20), 1)
    print(f"propose_kawasan ward + 20 perturbed  {t_stab:7.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 villages only, one repeat")
    args = parser.parse_args()
    print("# regionalize: contiguity graph and constrained Ward (medians, seconds)")
    bench(300, 1 if args.quick else 5)
    if not args.quick:
        bench(5_000, 3)


if __name__ == "__main__":
    main()
