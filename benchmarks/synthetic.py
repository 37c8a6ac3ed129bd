"""Deterministic synthetic layers for the benchmarks.

Villages are Voronoi cells (~12 km2, ~280 vertices each) and the land-use layer is a finer
8-class Voronoi tessellation (40-50 vertices per polygon) over the same square, both in
EPSG:32749. Shared edges are wiggled identically on both sides (the displacement is a
function of the edge, not of the cell), so each layer tiles the square without gaps or
overlaps, like a real boundary layer. Everything is seeded: the same call gives the same
layers on any machine.

Generated layers are cached as GeoParquet under ``benchmarks/.cache`` (git-ignored).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

CRS = "EPSG:32749"
X0, Y0 = 300_000.0, 9_100_000.0
CACHE = Path(__file__).resolve().parent / ".cache"
VILLAGE_KM2 = 12.0

SIZES = {
    "S": {"villages": 300, "classes": 50_000},
    "L": {"villages": 5_000, "classes": 500_000},
}


def _cells(n: int, side: float, rng: np.random.Generator) -> np.ndarray:
    """Voronoi cells of n jittered-grid seeds clipped to a square (straight edges, mm-rounded)."""
    k = int(np.ceil(np.sqrt(n)))
    step = side / k
    gx, gy = np.meshgrid(np.arange(k), np.arange(k))
    pts = np.column_stack([gx.ravel(), gy.ravel()]).astype(float)[:n]
    pts = (pts + 0.5 + rng.uniform(-0.35, 0.35, pts.shape)) * step
    square = shapely.box(X0, Y0, X0 + side, Y0 + side)
    seeds = shapely.multipoints(pts + [X0, Y0])
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=square))
    cells = shapely.intersection(cells, square)
    cells = cells[~shapely.is_empty(cells)]
    # Round to the millimetre so both sides of a shared edge have bit-identical endpoints.
    return shapely.set_precision(cells, 0.001)


def _hash01(a: np.ndarray) -> np.ndarray:
    """Deterministic pseudo-random numbers in [0, 1) from coordinates (a "shader hash")."""
    v = np.sin(a @ np.array([12.9898, 78.233, 37.719, 4.581]) * 1e-3) * 43758.5453
    return v - np.floor(v)


def _wiggle(cells: np.ndarray, n_inner: int, amplitude: float, side: float) -> np.ndarray:
    """Replace every interior edge by a wiggled polyline with ``n_inner`` inner vertices."""
    rings = shapely.get_exterior_ring(cells)
    coords, ring_idx = shapely.get_coordinates(rings, return_index=True)
    # Edges: consecutive coordinates inside each ring.
    same = ring_idx[1:] == ring_idx[:-1]
    a = coords[:-1][same]
    b = coords[1:][same]
    edge_ring = ring_idx[:-1][same]
    # Canonical orientation so both cells sharing an edge wiggle it the same way.
    swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    p = np.where(swap[:, None], b, a)
    q = np.where(swap[:, None], a, b)
    d = q - p
    length = np.hypot(d[:, 0], d[:, 1])
    normal = np.column_stack([-d[:, 1], d[:, 0]]) / np.maximum(length, 1e-9)[:, None]
    on_border = (
        ((np.abs(p[:, 0] - X0) < 1e-6) & (np.abs(q[:, 0] - X0) < 1e-6))
        | ((np.abs(p[:, 0] - X0 - side) < 1e-6) & (np.abs(q[:, 0] - X0 - side) < 1e-6))
        | ((np.abs(p[:, 1] - Y0) < 1e-6) & (np.abs(q[:, 1] - Y0) < 1e-6))
        | ((np.abs(p[:, 1] - Y0 - side) < 1e-6) & (np.abs(q[:, 1] - Y0 - side) < 1e-6))
    )
    key = np.column_stack([p - [X0, Y0], q - [X0, Y0]])
    phase = _hash01(key) * 2 * np.pi
    amp = np.where(on_border, 0.0, amplitude * length * (0.5 + 0.5 * _hash01(key[:, ::-1])))
    _, edge_id = np.unique(key, axis=0, return_inverse=True)
    edge_id = edge_id.ravel()
    straight = np.zeros(edge_id.max() + 1 if len(edge_id) else 0, dtype=bool)
    while True:
        polys = _build(a, p, d, normal, amp * ~straight[edge_id], phase, swap, edge_ring, n_inner, len(cells))
        bad = ~shapely.is_valid(polys)
        if not bad.any():
            return polys
        # A wiggle crossed another: straighten every edge of that cell, on both sides.
        straight[edge_id[np.isin(edge_ring, np.flatnonzero(bad))]] = True


def _build(
    a: np.ndarray, p: np.ndarray, d: np.ndarray, normal: np.ndarray, amp: np.ndarray, phase: np.ndarray,
    swap: np.ndarray, edge_ring: np.ndarray, n_inner: int, n_cells: int,
) -> np.ndarray:
    """Polygons from the edges (start point ``a``, canonical start ``p``, vector ``d``) and wiggles."""
    t = np.arange(1, n_inner + 1) / (n_inner + 1)
    offset = amp[:, None] * np.sin(np.pi * t)[None, :] * np.sin(3 * np.pi * t[None, :] + phase[:, None])
    inner = p[:, None, :] + t[None, :, None] * d[:, None, :] + offset[:, :, None] * normal[:, None, :]
    inner = np.where(swap[:, None, None], inner[:, ::-1, :], inner)
    # Each edge contributes its start vertex then its inner vertices.
    pts = np.concatenate([a[:, None, :], inner], axis=1).reshape(-1, 2)
    pts_ring = np.repeat(edge_ring, n_inner + 1)
    # Close each ring with its first vertex.
    first = np.searchsorted(pts_ring, np.arange(n_cells))
    pts = np.insert(pts, np.r_[first[1:], len(pts)], pts[first], axis=0)
    pts_ring = np.insert(pts_ring, np.r_[first[1:], len(pts_ring)], np.arange(n_cells))
    return shapely.polygons(shapely.linearrings(pts, indices=pts_ring))


def make_villages(n: int, *, seed: int = 0) -> gpd.GeoDataFrame:
    """``n`` villages of ~12 km2 and ~280 vertices, in the internal village schema."""
    side = float(np.sqrt(n * VILLAGE_KM2) * 1000)
    rng = np.random.default_rng(seed)
    geoms = _wiggle(_cells(n, side, rng), n_inner=46, amplitude=0.06, side=side)
    k = np.arange(len(geoms))
    kab, kec, num = 1 + k // 10_000, 1 + (k // 100) % 100, k % 100
    gdf = gpd.GeoDataFrame(
        {
            "kode_desa": [f"35{a:02d}{c:02d}2{d:03d}" for a, c, d in zip(kab, kec, num)],
            "nama_desa": [f"Desa {i}" for i in k],
            "kode_kec": [f"35{a:02d}{c:02d}" for a, c in zip(kab, kec)],
            "nama_kec": [f"Kecamatan {c}" for c in kec],
            "kode_kab": [f"35{a:02d}" for a in kab],
            "nama_kab": "Kabupaten Sintetis",
            "jenis": "desa",
            "luas_ha": shapely.area(geoms) / 10_000,
        },
        geometry=geoms,
        crs=CRS,
    )
    return gdf


def make_classes(n: int, *, n_villages: int, n_classes: int = 8, seed: int = 1) -> gpd.GeoDataFrame:
    """``n`` land-use polygons (40-50 vertices, ``n_classes`` classes) over the villages' square."""
    side = float(np.sqrt(n_villages * VILLAGE_KM2) * 1000)
    rng = np.random.default_rng(seed)
    geoms = _wiggle(_cells(n, side, rng), n_inner=6, amplitude=0.08, side=side)
    codes = np.array([f"kelas_{i}" for i in range(n_classes)])
    return gpd.GeoDataFrame({"kelas": codes[rng.integers(0, n_classes, len(geoms))]}, geometry=geoms, crs=CRS)


def load(size: str) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Villages and classes for size ``"S"`` or ``"L"``, generated once then read from the cache."""
    spec = SIZES[size]
    CACHE.mkdir(exist_ok=True)
    paths = CACHE / f"villages_{size}.parquet", CACHE / f"classes_{size}.parquet"
    if not all(p.exists() for p in paths):
        make_villages(spec["villages"]).to_parquet(paths[0])
        make_classes(spec["classes"], n_villages=spec["villages"]).to_parquet(paths[1])
    return gpd.read_parquet(paths[0]), gpd.read_parquet(paths[1])


def load_villages(size: str) -> gpd.GeoDataFrame:
    """Only the villages of :func:`load` (generating both layers the first time)."""
    path = CACHE / f"villages_{size}.parquet"
    if not path.exists():
        load(size)
    return gpd.read_parquet(path)


def make_raster(path: Path, villages: gpd.GeoDataFrame, *, size: int = 10_000, n_classes: int = 8, seed: int = 2) -> Path:
    """A ``size`` x ``size`` uint8 class GeoTIFF over the villages' extent (nodata 255 in a corner)."""
    import rasterio
    from rasterio.transform import from_bounds

    if path.exists():
        return path
    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = villages.total_bounds
    transform = from_bounds(xmin, ymin, xmax, ymax, size, size)
    # Patches of ~40 cells with some salt-and-pepper, like a classified image.
    coarse = rng.integers(0, n_classes, (size // 40 + 1, size // 40 + 1), dtype=np.uint8)
    profile = {
        "driver": "GTiff", "width": size, "height": size, "count": 1, "dtype": "uint8",
        "crs": villages.crs.to_wkt(), "transform": transform, "nodata": 255,
        "tiled": True, "blockxsize": 512, "blockysize": 512, "compress": "deflate",
    }
    with rasterio.open(path, "w", **profile) as dst:
        for r0 in range(0, size, 1000):
            rows = np.arange(r0, min(size, r0 + 1000))
            block = np.repeat(coarse[rows // 40], 40, axis=1)[:, :size]
            noise = rng.random(block.shape) < 0.1
            block = np.where(noise, rng.integers(0, n_classes, block.shape, dtype=np.uint8), block)
            if r0 < size // 20:
                block[:, : size // 20] = 255
            dst.write(block.astype(np.uint8), 1, window=((r0, r0 + len(rows)), (0, size)))
    return path
