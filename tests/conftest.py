"""Shared fixtures: tiny hand-checkable layers and paths to the bundled real data.

The grid fixture is a 4 x 4 grid of 1 km squares in UTM 48S (EPSG:32748): each village
is exactly 100 ha, so every expected figure in the tests can be computed by hand.

Hypothesis profiles: with the ``CI`` environment variable set (CI=true), the "ci" profile
derandomises every property test (the same examples on every run, no example database), so
a CI run passes or fails on the code alone; locally the "dev" profile explores new random
examples each run. ``HYPOTHESIS_PROFILE=ci`` replays the CI examples locally. A failing
example found locally is added to its test with ``@example`` (or as an explicit test).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pytest
from hypothesis import settings
from shapely.geometry import box



def hypothesis_profile(environ: Mapping[str, str]) -> str:
    """HYPOTHESIS_PROFILE when given, else "ci" when CI is set (not empty, 0 or false), else "dev"."""
    in_ci = environ.get("CI", "").lower() not in ("", "0", "false")
    return environ.get("HYPOTHESIS_PROFILE") or ("ci" if in_ci else "dev")


# Both from Hypothesis' own defaults: it loads its built-in "ci" profile itself when it sees CI.
settings.register_profile("ci", settings.get_profile("default"), derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("dev", settings.get_profile("default"), print_blob=True)
settings.load_profile(hypothesis_profile(os.environ))

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
UTM48S = "EPSG:32748"
X0, Y0 = 500_000.0, 9_400_000.0


def grid_villages(n: int = 4, size: float = 1000.0, *, kab: str = "1807", crs: str = UTM48S) -> gpd.GeoDataFrame:
    """n x n villages of ``size`` metres in the internal schema; row-major from the south-west."""
    rows = []
    for j in range(n):
        for i in range(n):
            k = j * n + i + 1
            kec = 1 + j // 2
            rows.append(
                {
                    "kode_desa": f"{kab}{kec:02d}2{k:03d}",
                    "nama_desa": f"Desa {k}",
                    "kode_kec": f"{kab}{kec:02d}",
                    "nama_kec": f"Kecamatan {kec}",
                    "kode_kab": kab,
                    "nama_kab": "Kabupaten Uji",
                    "jenis": "desa",
                    "luas_ha": size * size / 10_000,
                    "geometry": box(X0 + i * size, Y0 + j * size, X0 + (i + 1) * size, Y0 + (j + 1) * size),
                }
            )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)


@pytest.fixture
def grid() -> gpd.GeoDataFrame:
    """4 x 4 grid of 100 ha villages (EPSG:32748), codes 1807012001.. in two kecamatan."""
    return grid_villages()


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def lamtim_desa_path() -> Path:
    return DATA / "rtrw_lampung_timur" / "desa_lampung_timur.gpkg"


@pytest.fixture(scope="session")
def lamtim_rtrw_path() -> Path:
    return DATA / "rtrw_lampung_timur" / "rtrw_lampung_timur.gpkg"


@pytest.fixture(scope="session")
def lamtim_konteks_path() -> Path:
    return DATA / "rtrw_lampung_timur" / "konteks_lampung_timur.gpkg"


@pytest.fixture(scope="session")
def gorontalo_desa_path() -> Path:
    return DATA / "desa_gorontalo" / "desa_gorontalo.gpkg"


@pytest.fixture(scope="session")
def gorontalo_lulc_path() -> Path:
    return DATA / "lulc_gorontalo_bpdas2021" / "lulc_bpdas2021_gorontalo.gpkg"
