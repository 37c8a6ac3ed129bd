"""Benchmark of the interactive map: build time and HTML size, raw and simplified.

Datasets: the bundled Lampung Timur villages (264) with the RTRW pola ruang, potentials
scored from the zoning and kawasan proposed by constrained Ward (the real modules; the
RTRW check is added when it runs), and the synthetic Voronoi villages of
``benchmarks/synthetic.py`` (300 and 5,000, ~280 vertices each) with seeded random
scores. "raw" keeps every vertex and all decimals; "simplified" is the default
(coverage simplification 25 m, 5 decimals). The anchor is the villages alone as a plain
folium ``GeoJson`` with ``GeoJsonTooltip`` and a style function, the map a user would
write by hand (no simplification, unescaped tooltips).

Run: ``python benchmarks/bench_maps.py [--quick]``.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import timed  # noqa: E402
from synthetic import make_villages  # noqa: E402

from kawasan_gis import maps  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "rtrw_lampung_timur"
POTENTIALS = ["peternakan", "hutan_tanaman_industri", "pertanian_unggulan", "permukiman", "perekonomian"]




def lampung_timur() -> dict[str, gpd.GeoDataFrame]:
    """The Lampung Timur layers as `kawasan run data/lampung_timur.toml` makes them (maps not built here)."""
    from kawasan_gis.config import load_config
    from kawasan_gis.pipeline import run

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the layers' repairs are reported by kawasan validate
        result = run(load_config(ROOT / "data" / "lampung_timur.toml"))
    assert result.check is not None  # the bundled config has an RTRW: the map gets its conflict layer
    return {"desa": result.villages, "kawasan": result.kawasan, "sambungan": result.bridges,
            "pola_ruang": result.layers["pola_ruang"], "konflik": result.check.conflicts}


def synthetic(n: int, seed: int = 0) -> dict[str, gpd.GeoDataFrame]:
    villages = make_villages(n)
    rng = np.random.default_rng(seed)
    scores = rng.random((len(villages), len(POTENTIALS)))
    for j, p in enumerate(POTENTIALS):
        villages[f"skor_{p}"] = scores[:, j].round(3)
    villages["potensi_dominan"] = np.array(POTENTIALS)[scores.argmax(axis=1)]
    top = np.sort(scores, axis=1)
    villages["margin"] = top[:, -1] - top[:, -2]
    villages["campuran"] = villages["margin"] < 0.05
    # kawasan: blocks of about 10 villages along the kecamatan
    villages["kawasan_id"] = [f"K{k // 10:04d}" if (k // 10) % 3 else None for k in range(len(villages))]
    return {"desa": villages}


def folium_anchor(desa: gpd.GeoDataFrame) -> tuple[float, int]:
    """The villages alone as a plain folium GeoJson with a GeoJsonTooltip and a style function."""
    import folium

    colours = {p: st.colour for p, st in maps.potential_styles().items()}
    cols = [c for c in ("kode_desa", "nama_desa", "nama_kec", "potensi_dominan", "geometry") if c in desa.columns]
    start = time.perf_counter()
    m = folium.Map(tiles=None)
    folium.GeoJson(
        desa[cols].to_crs(4326),
        style_function=lambda f: {"fillColor": colours.get(f["properties"].get("potensi_dominan"), "#bdbdbd"),
                                  "color": "#ffffff", "weight": 0.8, "fillOpacity": 0.7},
        tooltip=folium.GeoJsonTooltip(["nama_desa", "nama_kec"]),
    ).add_to(m)
    html = m.get_root().render()
    return time.perf_counter() - start, len(html.encode("utf-8"))


def bench(label: str, layers: dict[str, gpd.GeoDataFrame], repeat: int) -> None:
    desa = layers["desa"]
    vertices = int(desa.geometry.count_coordinates().sum())
    print(f"\n## {label}: {len(desa):,} villages, {vertices:,} vertices; layers: {', '.join(layers)}")
    print(f"{'variant':<34}{'build':>9}{'render':>9}{'size':>11}")
    sizes = {}
    for name, options in [
        ("raw (every vertex, all decimals)", {"simplify_m": 0, "decimals": None}),
        ("simplified (25 m coverage, 5 dec)", {}),
        ("simplified, offline (inlined JS)", {"offline": True}),
    ]:
        t_build, m = timed(lambda options=options: maps.map_kawasan(**layers, **options), repeat)
        t_render, html = timed(lambda m=m: maps.render_html(m), repeat)
        size = len(html.encode("utf-8"))
        sizes[name] = size
        print(f"{name:<34}{t_build:8.2f}s{t_render:8.2f}s{size / 1e6:9.2f} MB")
    raw, simple = sizes["raw (every vertex, all decimals)"], sizes["simplified (25 m coverage, 5 dec)"]
    print(f"simplified / raw size: {simple / raw:.2f}")
    t_anchor, anchor_size = folium_anchor(desa)
    print(f"{'anchor: folium GeoJson + tooltip':<34}{t_anchor:17.2f}s{anchor_size / 1e6:9.2f} MB  (villages only, build+render)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Lampung Timur and 300 villages, one repeat")
    args = parser.parse_args()
    repeat = 1 if args.quick else 3
    print("# maps: interactive map build (map_kawasan) and render (HTML) times, medians; HTML size")
    maps.map_kawasan(make_villages(20))  # imports and catalogue loading out of the timings
    bench("Lampung Timur (real data)", lampung_timur(), repeat)
    bench("synthetic 300", synthetic(300), repeat)
    if not args.quick:
        bench("synthetic 5,000", synthetic(5_000), 1)


if __name__ == "__main__":
    main()
