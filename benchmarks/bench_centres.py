"""Benchmark of centres: settlement hierarchy, road network and growth centres at 300 and 5,000 villages.

Villages are the shared synthetic Voronoi villages of ``benchmarks/synthetic.py`` (~12 km2).
Roads are synthetic and seeded: a grid of straight roads every 2 km over the whole square plus
one crooked local road (5 segments, 1-4 km) starting in every village, so the lines cross
without shared vertices and must be noded. Five facility types are seeded points with
different rarities (from one per village to one per 40 villages). Kawasan are blocks of about
20 villages (a 20 x 20 km grid over the village centroids).

Timed steps: :func:`facility_counts`, :func:`settlement_hierarchy`, :func:`road_network`,
:func:`choose_centres` (road distances between all members of every kawasan). As a reference,
the all-pairs distances of the members of the first kawasan (3 at S, 1 at L) are computed with
networkx's Dijkstra on the same graph (what a user would otherwise write) and compared.

Run: ``python benchmarks/bench_centres.py [--quick]`` (``--quick``: the 300-village size only).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import timed  # noqa: E402
from synthetic import make_villages  # noqa: E402

from kawasan_gis.centres import choose_centres, facility_counts, road_network, settlement_hierarchy  # noqa: E402

GRID_M = 2_000.0
BLOCK_M = 20_000.0
RARITY = {"sd": 1.0, "smp": 0.4, "puskesmas": 0.15, "pasar": 0.08, "sma": 0.025}


def synthetic_roads(villages: gpd.GeoDataFrame, seed: int = 0) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = villages.total_bounds
    lines = [shapely.LineString([(x, y0), (x, y1)]) for x in np.arange(x0, x1, GRID_M)]
    lines += [shapely.LineString([(x0, y), (x1, y)]) for y in np.arange(y0, y1, GRID_M)]
    starts = shapely.get_coordinates(shapely.point_on_surface(villages.geometry.values))
    for sx, sy in starts:
        steps = rng.uniform(200, 800, 5)
        angles = rng.uniform(0, 2 * np.pi) + np.cumsum(rng.normal(0, 0.5, 5))
        xy = np.column_stack([sx + np.r_[0, np.cumsum(steps * np.cos(angles))], sy + np.r_[0, np.cumsum(steps * np.sin(angles))]])
        lines.append(shapely.LineString(xy))
    return gpd.GeoDataFrame(geometry=lines, crs=villages.crs)


def synthetic_facilities(villages: gpd.GeoDataFrame, seed: int = 1) -> dict[str, gpd.GeoDataFrame]:
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = villages.total_bounds
    out = {}
    for name, per_village in RARITY.items():
        n = int(len(villages) * per_village)
        pts = shapely.points(rng.uniform(x0, x1, n), rng.uniform(y0, y1, n))
        out[name] = gpd.GeoDataFrame(geometry=pts, crs=villages.crs)
    return out


def bench(n: int, repeat: int) -> None:
    villages = make_villages(n)
    roads = synthetic_roads(villages)
    points = synthetic_facilities(villages)
    c = shapely.get_coordinates(shapely.centroid(villages.geometry.values))
    block = np.floor((c - c.min(axis=0)) / BLOCK_M).astype(int)
    villages = villages.assign(kawasan_id=[f"K{a:02d}{b:02d}" for a, b in block])
    n_kaw = villages["kawasan_id"].nunique()
    print(f"\n## {n:,} villages, {len(roads):,} road lines, {n_kaw} kawasan (~{n / n_kaw:.0f} villages each)")

    t_counts, counts = timed(lambda: facility_counts(villages, points=points), repeat)
    t_hier, hier = timed(lambda: settlement_hierarchy(counts), repeat)
    t_net, net = timed(lambda: road_network(roads), repeat)
    t_cent, cent = timed(lambda: choose_centres(villages, hierarchy=hier.table, roads=net), repeat)
    total = t_counts + t_hier + t_net + t_cent
    sc = hier.scalogram
    print(f"facility_counts (5 point layers)      {t_counts:7.2f} s  {int(counts.sum().sum()):,} units")
    print(f"settlement_hierarchy                  {t_hier:7.2f} s  COR {sc.cor:.3f}, CS {sc.cs:.3f}, {hier.orders.k} Sturges classes")
    print(
        f"road_network                          {t_net:7.2f} s  {net.n_nodes:,} nodes, {len(net.edges):,} pieces, "
        f"{net.n_snapped:,} ends snapped, {net.n_components} components"
    )
    print(
        f"choose_centres (road distances)       {t_cent:7.2f} s  {len(cent.points):,} centres, "
        f"mean {cent.kawasan['jarak_rata_pusat_km'].mean():.1f} km to the centre"
    )
    print(f"total                                 {total:7.2f} s")
    reference(villages, net, n_kawasan=3 if n <= 300 else 1)


def reference(villages: gpd.GeoDataFrame, net, *, n_kawasan: int) -> None:  # type: ignore[no-untyped-def]
    """networkx Dijkstra on the same attached graph for the first kawasan: time and agreement."""
    try:
        import networkx as nx
    except ImportError:
        print("networkx reference                    (networkx not installed)")
        return
    import time

    first = list(dict.fromkeys(villages["kawasan_id"]))[:n_kawasan]
    inside = villages["kawasan_id"].isin(first).to_numpy()
    pts = shapely.point_on_surface(villages.geometry.values[inside])
    att = net.attach(pts)
    g = nx.from_scipy_sparse_array(att.graph)
    kid = villages.loc[inside, "kawasan_id"].to_numpy()
    worst = 0.0
    start = time.perf_counter()
    mine_time = 0.0
    for k in first:
        idx = np.flatnonzero(kid == k)
        t0 = time.perf_counter()
        mine = att.distances(idx)
        mine_time += time.perf_counter() - t0
        for a, i in enumerate(idx):
            ref = nx.single_source_dijkstra_path_length(g, int(att.nodes[i]), weight="weight")
            for b, j in enumerate(idx):
                d = ref.get(int(att.nodes[j]), np.inf) + att.connector[i] + att.connector[j] if i != j else 0.0
                worst = max(worst, abs(d - mine[a, b]))
    t_nx = time.perf_counter() - start - mine_time
    print(
        f"networkx Dijkstra, {n_kawasan} kawasan (ref.)  {t_nx:7.2f} s  vs csgraph {mine_time:.2f} s "
        f"(x{t_nx / max(mine_time, 1e-9):.0f}); largest difference {worst:.2e} m"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 villages only")
    args = parser.parse_args(argv)
    size = os.environ.get("KAWASAN_BENCH_SIZE", "S")
    sizes = [300] if args.quick else ([300, 5_000] if size in ("all", "L", "S") else [300])
    for n in sizes:
        bench(n, repeat=3 if n <= 300 else 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
