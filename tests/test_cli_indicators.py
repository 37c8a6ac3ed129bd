"""``kawasan indicators`` through click's CliRunner on files written to a temp dir."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from click.testing import CliRunner
from conftest import UTM48S, X0, Y0, grid_villages
from rasterio.transform import from_origin
from shapely.geometry import LineString, Point, box

from kawasan_gis.cli import cli
from kawasan_gis.errors import RepairWarning

V1, V2 = "1807012001", "1807012002"


def run(*args: object):
    return CliRunner().invoke(cli, ["indicators", *map(str, args)])


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """Villages (Kemendagri-coded, EPSG:4326 as planners' files often are) and every input kind."""
    desa = grid_villages(2).drop(columns=["luas_ha", "jenis"])
    desa["kode_desa"] = desa["kode_desa"].str.replace(r"(\d\d)(\d\d)(\d\d)(\d{4})", r"\1.\2.\3.\4", regex=True)
    desa.to_crs("EPSG:4326").to_file(tmp_path / "desa.gpkg", layer="desa")
    gpd.GeoDataFrame(
        {"NAMOBJ": ["Sawah", "Permukiman"]},
        geometry=[box(X0 + 500, Y0, X0 + 1250, Y0 + 1000), box(X0, Y0 + 1000, X0 + 1000, Y0 + 1500)],
        crs=UTM48S,
    ).to_file(tmp_path / "lahan.gpkg")
    gpd.GeoDataFrame(
        {"NAMOBJ": ["Kawasan Peruntukan Pertanian", "Hutan Lindung"]},
        geometry=[box(X0, Y0, X0 + 2000, Y0 + 1000), box(X0 + 500, Y0, X0 + 1500, Y0 + 1000)],
        crs=UTM48S,
    ).to_file(tmp_path / "rtrw.gpkg")
    konteks = tmp_path / "konteks.gpkg"
    gpd.GeoDataFrame(
        {"kelas_jalan": ["arteri", "lokal"]},
        geometry=[LineString([(X0 + 500, Y0 + 500), (X0 + 1500, Y0 + 500)]), LineString([(X0 + 100, Y0 + 100), (X0 + 100, Y0 + 600)])],
        crs=UTM48S,
    ).to_file(konteks, layer="jalan")
    gpd.GeoDataFrame({"nama": ["Pasar A"]}, geometry=[Point(X0 + 1500, Y0 + 1500)], crs=UTM48S).to_file(konteks, layer="pasar")
    data = np.where(np.arange(100)[None, :] < 50, 40, 10).repeat(100, axis=0).astype("uint8")
    with rasterio.open(tmp_path / "wc.tif", "w", driver="GTiff", width=100, height=100, count=1, dtype="uint8",
                       crs=UTM48S, transform=from_origin(X0, Y0 + 1000, 10, 10), nodata=0) as dst:
        dst.write(data, 1)
    pd.DataFrame({"KODE": ["18.07.01.2001", "18.07.01.2002"], "NAMA_DESA": ["Desa 1", "Desa 2"], "ternak": [40, 7]}).to_csv(
        tmp_path / "podes.csv", index=False
    )
    return {p.stem: p for p in tmp_path.iterdir()}


def test_every_input_to_csv(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "hasil" / "indikator.csv"
    result = run(
        "--villages", files["desa"], "--landuse", files["lahan"], "--rtrw", files["rtrw"],
        "--landcover-raster", files["wc"], "--landcover-codes", "worldcover",
        "--lines", f"jalan={files['konteks']}:jalan", "--by", "jalan=kelas_jalan",
        "--points", f"pasar={files['konteks']}:pasar", "--table", files["podes"], "--out", out,
    )
    assert result.exit_code == 0, result.output
    assert "4 desa" in result.output
    ind = pd.read_csv(out, dtype={"kode_desa": str}).set_index("kode_desa")
    assert list(ind.index) == [V1, V2, "1807012003", "1807012004"]
    assert ind.loc[V1, "luas_ha"] == pytest.approx(100.0, rel=1e-6)
    assert ind.loc[V1, "ha_landuse_sawah"] == pytest.approx(50.0, rel=1e-6)
    assert ind.loc["1807012003", "ha_landuse_permukiman"] == pytest.approx(50.0, rel=1e-6)
    assert ind.loc[V1, "ha_rtrw_hutan_lindung"] == pytest.approx(50.0, rel=1e-6)
    assert ind.loc[V1, "ha_rtrw_pertanian"] == pytest.approx(50.0, rel=1e-6)
    assert ind.loc[V1, "ha_rtrw_overlap"] == pytest.approx(50.0, rel=1e-6)
    assert ind.loc[V1, "ha_landcover_pertanian"] == pytest.approx(50.0, rel=1e-6)
    assert ind.loc[V1, "km_per_km2_jalan_lokal"] == pytest.approx(0.5, rel=1e-6)
    assert ind.loc[V2, "km_per_km2_jalan"] == pytest.approx(0.5, rel=1e-6)
    assert ind.loc["1807012004", "n_pasar"] == 1
    assert ind.loc[V1, "jarak_km_pasar"] == pytest.approx(np.hypot(0.5, 0.5), rel=1e-6)
    assert ind.loc[V1, "tbl_ternak"] == 40


def test_xlsx_and_village_layer(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "indikator.xlsx"
    gpkg = tmp_path / "desa_indikator.gpkg"
    result = run("--villages", files["desa"], "--rtrw", files["rtrw"], "--out", out, "--out-villages", gpkg, "--jobs", 1)
    assert result.exit_code == 0, result.output
    assert "not given: landuse, landcover, lines, points, table" in result.output
    ind = pd.read_excel(out, sheet_name="indikator", dtype={"kode_desa": str}).set_index("kode_desa")
    assert ind.loc[V2, "ha_rtrw_hutan_lindung"] == pytest.approx(50.0, rel=1e-6)
    sources = pd.read_excel(out, sheet_name="sumber")
    assert dict(zip(sources["kolom"], sources["sumber"]))["ha_rtrw_overlap"] == "rtrw"
    desa = gpd.read_file(gpkg, layer="desa")
    assert desa.set_index("kode_desa").loc[V1, "pct_rtrw_pertanian"] == pytest.approx(50.0, rel=1e-6)


def test_bad_options(files: dict[str, Path], tmp_path: Path) -> None:
    result = run("--villages", files["desa"], "--out", tmp_path / "x.json")
    assert result.exit_code == 2 and ".csv or .xlsx" in result.output
    result = run("--villages", files["desa"], "--lines", "jalan", "--out", tmp_path / "x.csv")
    assert result.exit_code == 2 and "NAME=PATH" in result.output
    result = run("--villages", files["desa"], "--points", f"pasar={tmp_path / 'nope.gpkg'}", "--out", tmp_path / "x.csv")
    assert result.exit_code == 2 and "does not exist" in result.output
    result = run("--villages", files["desa"], "--by", "jalan", "--out", tmp_path / "x.csv")
    assert result.exit_code == 2 and "NAME=COLUMN" in result.output
    result = run("--out", tmp_path / "x.csv")
    assert result.exit_code == 2 and "--villages" in result.output
    assert not (tmp_path / "x.csv").exists()


def test_villages_problem_reported_first_though_read_beside_the_land_use(files: dict[str, Path], tmp_path: Path) -> None:
    # the villages are read in a second thread while the land use is read: a broken village
    # layer is still the error shown, whichever read fails first
    nameless = tmp_path / "tanpa_nama.gpkg"
    gpd.GeoDataFrame({"x": [1]}, geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000)], crs=UTM48S).to_file(nameless)
    broken = tmp_path / "rusak.gpkg"
    broken.write_bytes(files["lahan"].read_bytes()[:2000])
    result = run("--villages", nameless, "--landuse", broken, "--out", tmp_path / "x.csv")
    assert result.exit_code != 0 and "--name-column" in result.output and "rusak.gpkg" not in result.output
    result = run("--villages", files["desa"], "--landuse", broken, "--out", tmp_path / "x.csv")
    assert result.exit_code != 0 and "rusak.gpkg" in result.output and "truncated" in result.output
    assert not (tmp_path / "x.csv").exists()


def test_help_lists_the_command() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert "indicators" in result.output
    result = CliRunner().invoke(cli, ["indicators", "--help"])
    assert result.exit_code == 0
    assert "--landcover-raster" in result.output and "NAME=PATH[:LAYER]" in result.output


@pytest.mark.slow
def test_lampung_timur(lamtim_desa_path: Path, lamtim_rtrw_path: Path, lamtim_konteks_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "lamtim.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RepairWarning)  # one self-intersecting Pertanian polygon, repaired by io
        result = run(
            "--villages", lamtim_desa_path, "--rtrw", lamtim_rtrw_path,
            "--lines", f"irigasi={lamtim_konteks_path}:saluran_irigasi",
            "--points", f"pusat={lamtim_konteks_path}:pusat_kegiatan", "--out", out,
        )
    assert result.exit_code == 0, result.output
    ind = pd.read_csv(out, dtype={"kode_desa": str}).set_index("kode_desa")
    assert len(ind) == 264
    assert ind["luas_ha"].sum() / 100 == pytest.approx(3858, abs=1)
    ha = ind.filter(regex=r"^ha_rtrw_(?!overlap)")
    np.testing.assert_allclose(ha.sum(axis=1), ind["luas_ha"], rtol=1e-8)
    assert ind["ha_rtrw_taman_nasional"].sum() > 100_000  # TN Way Kambas
    assert 17_000 < ind["ha_rtrw_overlap"].sum() < 18_200
    assert ind["km_per_km2_irigasi"].gt(0).sum() > 20
    assert ind["n_pusat"].sum() > 250
