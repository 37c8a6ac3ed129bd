"""Synthetic land-use and RTRW pola ruang layers over real village boundaries.

National land use and zoning are not public; national runs and benchmarks still need class
layers with the polygon counts and vertex counts of real ones. :func:`synthetic_layers` makes
them for any village layer, deterministic by seed (the same villages and options give the
same polygons), and :func:`build_synthetic` caches them as GeoParquet beside the villages.

The pattern is built to exercise the whole pipeline, not to look like a real place: coarse
"landscape" zones (about one per ``villages_per_zone`` villages) each have a theme (rice,
plantation, forest, settlement, livestock, fishponds) that most of their land-use polygons
follow; the pola ruang mostly follows the same themes, with a share of polygons zoned
otherwise so that the RTRW check finds conflicts. Raw class names are the ones real layers
use (BPDAS land-use names; free-text RTRW names), so they go through class matching.

This module owns the generator and its cache only; it imports nothing of the package but
the atomic writer.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from scipy.spatial import cKDTree

from kawasan_gis._atomic import atomic_file
from kawasan_gis.io import sha256_file

log = logging.getLogger(__name__)

# theme -> (land-use raw names with weights, pola ruang raw names with weights)
THEMES: dict[str, tuple[dict[str, float], dict[str, float]]] = {
    "sawah": (
        {"Sawah": 0.55, "Sawah Tadah Hujan": 0.15, "Permukiman dan Tempat Kegiatan": 0.12, "Pertanian Lahan Kering Campur": 0.12, "Semak Belukar": 0.06},
        {"Kawasan Peruntukan Pertanian Tanaman Pangan": 0.75, "Permukiman Perdesaan": 0.15, "Kawasan Peruntukan Hortikultura": 0.10},
    ),
    "kebun": (
        {"Perkebunan": 0.6, "Pertanian Lahan Kering Campur": 0.15, "Semak Belukar": 0.1, "Permukiman dan Tempat Kegiatan": 0.08, "Hutan Lahan Kering Sekunder": 0.07},
        {"Kawasan Peruntukan Perkebunan": 0.8, "Permukiman Perdesaan": 0.1, "Hutan Produksi Konversi": 0.1},
    ),
    "hutan": (
        {"Hutan Lahan Kering Sekunder": 0.45, "Hutan Lahan Kering Primer": 0.2, "Hutan Tanaman Industri": 0.2, "Semak Belukar": 0.1, "Pertanian Lahan Kering": 0.05},
        {"Hutan Lindung": 0.35, "Hutan Produksi Tetap": 0.4, "Hutan Produksi Terbatas": 0.2, "Taman Nasional": 0.05},
    ),
    "permukiman": (
        {"Permukiman dan Tempat Kegiatan": 0.6, "Sawah": 0.15, "Pertanian Lahan Kering Campur": 0.15, "Tanah Kosong / Gundul": 0.1},
        {"Permukiman Perdesaan": 0.55, "Permukiman Perkotaan": 0.25, "Kawasan Peruntukan Industri": 0.1, "Kawasan Peruntukan Pertanian": 0.1},
    ),
    "ternak": (
        {"Savana / Padang Rumput": 0.45, "Pertanian Lahan Kering": 0.25, "Semak Belukar": 0.15, "Permukiman dan Tempat Kegiatan": 0.15},
        {"Kawasan Peruntukan Peternakan": 0.65, "Kawasan Peruntukan Pertanian": 0.25, "Permukiman Perdesaan": 0.1},
    ),
    "pesisir": (
        {"Air Tambak": 0.45, "Hutan Bakau": 0.2, "Permukiman dan Tempat Kegiatan": 0.15, "Sawah": 0.1, "Air Rawa": 0.1},
        {"Kawasan Peruntukan Perikanan Budidaya": 0.6, "Ekosistem Mangrove": 0.2, "Permukiman Perdesaan": 0.2},
    ),
}
THEME_WEIGHTS = {"sawah": 0.3, "kebun": 0.22, "hutan": 0.2, "permukiman": 0.1, "ternak": 0.1, "pesisir": 0.08}
LANDUSE_COLUMN = "penggunaan_lahan"
RTRW_COLUMN = "kelas"


@dataclass(frozen=True)
class SyntheticOptions:
    """How dense the synthetic layers are.

    The defaults follow the bundled real layers: BPDAS 2021 land use in Gorontalo has 12
    polygons per village where it maps only ~8 % of the land (so a full cover at that scale
    is several dozen per village) with ~70 vertices each; the Lampung Timur RTRW meets
    4.5 pola ruang polygons per village.
    """

    seed: int = 0
    landuse_per_village: float = 40.0
    rtrw_per_village: float = 5.0
    vertices: int = 40
    villages_per_zone: float = 8.0
    theme_share: float = 0.75
    rtrw_noise: float = 0.1
    tile_deg: float = 1.0


def _draw(rng: np.random.Generator, table: dict[str, float], n: int) -> np.ndarray:
    names = np.array(list(table), dtype=object)
    p = np.array(list(table.values()), dtype=float)
    return names[rng.choice(len(names), size=n, p=p / p.sum())]


def _points_in(geoms: np.ndarray, counts: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``counts[i]`` random points inside ``geoms[i]`` (rejection sampling in the envelopes).

    Returns the coordinates and the index of the polygon each point lies in.
    """
    shapely.prepare(geoms)
    bounds = shapely.bounds(geoms)
    xy_parts, owner_parts = [], []
    need = counts.astype(int).copy()
    for _ in range(30):
        todo = np.flatnonzero(need > 0)
        if not len(todo):
            break
        tries = np.repeat(todo, need[todo] * 3 + 2)
        b = bounds[tries]
        x = rng.uniform(b[:, 0], b[:, 2])
        y = rng.uniform(b[:, 1], b[:, 3])
        ok = shapely.contains_xy(geoms[tries], x, y)
        tries, x, y = tries[ok], x[ok], y[ok]
        # keep at most need[i] hits per polygon, the first ones drawn
        rank = np.arange(len(tries)) - np.searchsorted(tries, tries)
        keep = rank < need[tries]
        xy_parts.append(np.column_stack([x[keep], y[keep]]))
        owner_parts.append(tries[keep])
        need -= np.bincount(tries[keep], minlength=len(geoms))
    return np.concatenate(xy_parts), np.concatenate(owner_parts)


def _voronoi_tiles(xy: np.ndarray, tile: float, needed: set[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """Voronoi cells of ``xy``, computed and cut per ``tile`` x ``tile`` square (no overlaps, no gaps).

    ``needed`` names the squares that must be covered (those the villages reach): a square
    without any seed becomes one cell of its nearest seed. Returns the cells and the index of
    each cell's seed point.
    """
    cells, seeds = [], []
    key = np.floor(xy / tile).astype(np.int64)
    order = np.lexsort((key[:, 1], key[:, 0]))
    breaks = np.flatnonzero(np.any(np.diff(key[order], axis=0) != 0, axis=1)) + 1
    for idx in np.split(order, breaks):
        kx, ky = key[idx[0]]
        needed.discard((int(kx), int(ky)))
        box = (kx * tile, ky * tile, (kx + 1) * tile, (ky + 1) * tile)
        if len(idx) == 1:
            cells.append(np.array([shapely.box(*box)]))
        else:
            # ordered=True: cells follow their seeds, so the result does not depend on GEOS internals
            vor = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(xy[idx]), extend_to=shapely.box(*box), ordered=True))
            cells.append(shapely.clip_by_rect(vor, *box))
        seeds.append(idx)
    if needed:
        empty = np.array(sorted(needed), dtype=float)
        cells.append(shapely.box(empty[:, 0] * tile, empty[:, 1] * tile, (empty[:, 0] + 1) * tile, (empty[:, 1] + 1) * tile))
        seeds.append(cKDTree(xy).query((empty + 0.5) * tile)[1])
    return np.concatenate(cells), np.concatenate(seeds)


def _layer(villages: gpd.GeoDataFrame, per_village: float, vertices: int, rng: np.random.Generator, tile: float) -> tuple[np.ndarray, np.ndarray]:
    geoms = np.asarray(villages.geometry.values, dtype=object)
    whole = np.floor(np.full(len(geoms), per_village)).astype(int)
    counts = whole + (rng.random(len(geoms)) < per_village - whole)
    xy, owner = _points_in(geoms, np.maximum(counts, 1), rng)
    b = np.floor(shapely.bounds(geoms) / tile).astype(np.int64)
    needed = {(x, y) for x0, y0, x1, y1 in b for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)}
    cells, seed = _voronoi_tiles(xy, tile, needed)
    owner = owner[seed]
    # cells reaching no village (open sea around the coast) are dropped
    tree = shapely.STRtree(geoms)
    meets = np.zeros(len(cells), dtype=bool)
    meets[np.unique(tree.query(cells, predicate="intersects")[0])] = True
    cells, owner = cells[meets], owner[meets]
    # one step for the whole layer: neighbours then get the same vertices on their shared
    # edges (cell by cell steps would leave slivers of overlap once reprojected)
    step = float(np.median(np.sqrt(shapely.area(cells)))) * 4 / max(vertices, 4)
    return shapely.segmentize(cells, step), owner


def synthetic_layers(villages: gpd.GeoDataFrame, *, options: SyntheticOptions = SyntheticOptions(), kab_column: str = "kode_kab") -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Land-use and pola ruang polygons covering ``villages``.

    Seeds are drawn inside the villages (``*_per_village`` each on average), so polygons are
    dense where villages are small, as on real maps; their Voronoi cells, computed per
    ``tile_deg`` square, tile the land without gaps or overlaps and cross village borders.
    Edges are densified to about ``vertices`` vertices per polygon.

    Parameters
    ----------
    villages
        Village polygons in EPSG:4326 (as the national boundaries are), with a kabupaten
        code column.
    options
        Seed and densities; see :class:`SyntheticOptions`.
    kab_column
        Column holding the kabupaten code (copied to the polygons for inspection).

    Returns
    -------
    (landuse, pola_ruang)
        GeoDataFrames in the villages' CRS with the raw class in ``penggunaan_lahan`` /
        ``kelas``, the kabupaten of each polygon's seed in ``kode_kab`` and the landscape
        theme in ``tema``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from kawasan_gis.datasets import SyntheticOptions, synthetic_layers
    >>> desa = gpd.read_parquet("data/desa_lampung_gorontalo/desa_lampung_gorontalo.parquet")
    >>> lu, rtrw = synthetic_layers(desa[desa.kode_kab == "75.71"], options=SyntheticOptions(landuse_per_village=4))
    >>> sorted(lu.columns)
    ['geometry', 'kode_kab', 'penggunaan_lahan', 'tema']
    """
    if villages.crs is not None and not villages.crs.is_geographic:
        villages = villages.to_crs(4326)
    rng = np.random.default_rng(options.seed)
    # landscape zones: one seed per villages_per_zone villages, each with a theme
    n_zones = max(int(round(len(villages) / options.villages_per_zone)), 1)
    zone_villages = np.sort(rng.choice(len(villages), size=n_zones, replace=False))
    zone_xy, _ = _points_in(np.asarray(villages.geometry.values, dtype=object)[zone_villages], np.ones(n_zones, dtype=int), rng)
    zone_theme = _draw(rng, THEME_WEIGHTS, n_zones)
    zones = cKDTree(zone_xy)
    kab = villages[kab_column].astype(str).to_numpy()
    out = []
    for kind, per_village, vertices, column, keep in (
        (0, options.landuse_per_village, options.vertices, LANDUSE_COLUMN, options.theme_share),
        (1, options.rtrw_per_village, options.vertices * 3, RTRW_COLUMN, 1.0 - options.rtrw_noise),
    ):
        cells, owner = _layer(villages, per_village, vertices, rng, options.tile_deg)
        centre = shapely.get_coordinates(shapely.point_on_surface(cells))
        theme = zone_theme[zones.query(centre)[1]]
        own = rng.random(len(cells)) < keep
        used = np.where(own, theme, _draw(rng, THEME_WEIGHTS, len(cells)))
        names = np.empty(len(cells), dtype=object)
        for t, tables in THEMES.items():
            mine = used == t
            names[mine] = _draw(rng, tables[kind], int(mine.sum()))
        out.append(gpd.GeoDataFrame({column: names, "kode_kab": kab[owner], "tema": theme}, geometry=cells, crs=villages.crs))
        log.info("synthetic %s: %d polygons for %d villages", column, len(cells), len(villages))
    return out[0], out[1]


def build_synthetic(villages_path: str | Path, out_dir: str | Path, *, options: SyntheticOptions = SyntheticOptions()) -> tuple[Path, Path]:
    """Write ``penggunaan_lahan.parquet`` and ``pola_ruang.parquet`` for a village file, cached.

    The files are reused when ``out_dir/synthetic.json`` records the same village file
    checksum and options, so the (minutes-long, national) generation runs once.

    Returns
    -------
    (landuse_path, rtrw_path)
    """
    villages_path, out_dir = Path(villages_path), Path(out_dir)
    lu_path, rtrw_path, stamp = out_dir / "penggunaan_lahan.parquet", out_dir / "pola_ruang.parquet", out_dir / "synthetic.json"
    key = {"villages_sha256": sha256_file(villages_path), "options": asdict(options)}
    if stamp.exists() and lu_path.exists() and rtrw_path.exists() and json.loads(stamp.read_text()) == key:
        log.info("synthetic layers reused from %s", out_dir)
        return lu_path, rtrw_path
    villages = gpd.read_parquet(villages_path) if villages_path.suffix == ".parquet" else gpd.read_file(villages_path)
    landuse, rtrw = synthetic_layers(villages, options=options)
    for frame, path in ((landuse, lu_path), (rtrw, rtrw_path)):
        with atomic_file(path) as tmp:
            frame.to_parquet(tmp, compression="zstd")
    with atomic_file(stamp) as tmp:
        tmp.write_text(json.dumps(key, indent=2))
    return lu_path, rtrw_path


_RUN_CONFIG = """\
[project]
name = "{name}"
[inputs]
villages = {{ path = "{villages}" }}
landuse = {{ path = "{landuse}", column = "penggunaan_lahan" }}
rtrw = {{ path = "{rtrw}", column = "kelas" }}
table = {{ path = "{table}", code_column = "kode_desa" }}
[proposal]
max_villages = 25
[outputs]
geojson = false
kml = false
xlsx = false
static_map = false
offline_map = false
"""


def write_run_config(
    path: str | Path, villages: str | Path, layers: tuple[Path, Path], table: str | Path, *, name: str = "Kawasan Perdesaan (lapisan kelas sintetis)"
) -> Path:
    """Write the run configuration of a (national) run over real villages and synthetic layers.

    ``layers`` is what :func:`build_synthetic` returns (land use, pola ruang); ``table`` is an
    indicator table by ``kode_desa`` (IDM in the benchmark and tests). Outputs other than the
    GeoPackage, tables, web map and report are switched off, as a national run wants them.
    """
    path = Path(path)
    text = _RUN_CONFIG.format(name=name, villages=villages, landuse=layers[0], rtrw=layers[1], table=table)
    path.write_text(text, encoding="utf-8")
    return path
