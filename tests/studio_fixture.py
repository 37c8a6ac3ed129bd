"""A real ``kawasan run`` result on a 6 x 6 grid of 100 ha villages, for the studio tests.

Pola ruang, by hand: the west half (x < 3 km) is tanaman pangan, the east half permukiman
perdesaan, and the north-east 2 x 2 villages 29, 30, 35, 36 (columns 5-6, rows 5-6) hutan
lindung (drawn over the permukiman zone; lindung wins the overlap). Land use: sawah in columns
1-2, permukiman in columns 4-6, and column 3 is 30 % sawah (its west 300 m) and 70 % permukiman.
So columns 1-3 score pertanian unggulan and columns 4-6 permukiman, and the four lindung
villages, wholly protected, get no development potential and stay out of every kawasan.
Village 1 carries a hostile name.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import pytest
from conftest import UTM48S, X0, Y0, grid_villages
from shapely.geometry import box

from kawasan_gis.config import load_config
from kawasan_gis.pipeline import run, write_outputs

XSS = "<img src=x onerror=alert(1)>"
N = 6


def code(k: int) -> str:
    """Code of village k (1-based, row-major from the south-west), as grid_villages makes it."""
    return str(grid_villages(N).kode_desa[k - 1])


def idm_values(k: int) -> tuple[float, float, float]:
    """IKS, IKE and IKL of village k in the ``idm=True`` result, chosen so means are easy by hand."""
    return k / 100, 0.5 + k / 200, 0.9 - k / 100


def make_result(folder: Path, *, idm: bool = False) -> Path:
    """Write the inputs and a config into ``folder`` and run the pipeline; returns the result folder.

    With ``idm`` the run also joins an IDM table (:func:`idm_values`), so it profiles its kawasan.
    """
    folder.mkdir(parents=True, exist_ok=True)
    desa = grid_villages(N)
    desa.loc[0, "nama_desa"] = XSS
    desa[["kode_desa", "nama_desa", "nama_kec", "nama_kab", "geometry"]].to_file(folder / "desa.gpkg", engine="pyogrio")
    w, h = 1000.0 * N, 1000.0 * N
    rtrw = gpd.GeoDataFrame(
        {"kelas": ["tanaman_pangan", "permukiman_perdesaan", "hutan_lindung"]},
        geometry=[box(X0, Y0, X0 + w / 2, Y0 + h), box(X0 + w / 2, Y0, X0 + w, Y0 + h),
                  box(X0 + w - 2000, Y0 + h - 2000, X0 + w, Y0 + h)],
        crs=UTM48S,
    )
    rtrw.to_file(folder / "pola_ruang.gpkg", engine="pyogrio")
    landuse = gpd.GeoDataFrame({"kelas": ["sawah", "permukiman"]},
                               geometry=[box(X0, Y0, X0 + 2300, Y0 + h), box(X0 + 2300, Y0, X0 + w, Y0 + h)], crs=UTM48S)
    landuse.to_file(folder / "lahan.gpkg", engine="pyogrio")
    idm_line = ""
    if idm:
        rows = ["kode_desa,idm,iks,ike,ikl"]
        for k in range(1, N * N + 1):
            iks, ike, ikl = idm_values(k)
            rows.append(f"{code(k)},{(iks + ike + ikl) / 3:.4f},{iks:.4f},{ike:.4f},{ikl:.4f}")
        (folder / "idm.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
        idm_line = 'idm = { path = "idm.csv" }\n'
    (folder / "kawasan.toml").write_text(
        '[project]\nname = "Uji Studio"\n'
        '[inputs]\nvillages = "desa.gpkg"\nrtrw = { path = "pola_ruang.gpkg", column = "kelas" }\n'
        f'landuse = {{ path = "lahan.gpkg", column = "kelas" }}\n{idm_line}'
        '[proposal]\nmax_villages = 9\n'
        '[outputs]\nstatic_map = false\nkml = false\ngeojson = false\n',
        encoding="utf-8",
    )
    out = folder / "hasil"
    write_outputs(run(load_config(folder / "kawasan.toml")), out, maps=False)
    return out


@pytest.fixture(scope="session")
def grid_result(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The result folder of :func:`make_result`, made once per test session."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return make_result(tmp_path_factory.mktemp("studio") / "proyek")


@pytest.fixture(scope="session")
def grid_result_idm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The result folder of :func:`make_result` with an IDM table, so the run profiles its kawasan."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return make_result(tmp_path_factory.mktemp("studio_idm") / "proyek", idm=True)
