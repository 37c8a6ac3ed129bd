"""The indicator table: column names, sources, table joins by code, writing."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
import rasterio
from conftest import UTM48S, X0, Y0
from rasterio.transform import from_origin
from shapely.geometry import LineString, Point, box

from kawasan_gis.errors import DataSourceError, FieldError, RepairWarning
from kawasan_gis.indicators import (
    INPUTS,
    UnmatchedRowsWarning,
    attach_indicators,
    build_indicators,
    join_table,
    landcover_class_map_for,
    write_indicators,
)

V1, V2 = "1807012001", "1807012002"


def layer(rows: list[tuple[str, object]], column: str = "kelas") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({column: [r for r, _ in rows]}, geometry=[g for _, g in rows], crs=UTM48S)


@pytest.fixture
def landuse() -> gpd.GeoDataFrame:
    return layer([("sawah", box(X0 + 500, Y0, X0 + 1250, Y0 + 1000)), ("permukiman", box(X0, Y0, X0 + 500, Y0 + 200))])


@pytest.fixture
def rtrw() -> gpd.GeoDataFrame:
    return layer([("pertanian", box(X0, Y0, X0 + 2000, Y0 + 1000)), ("hutan_lindung", box(X0 + 500, Y0, X0 + 1500, Y0 + 1000))])


@pytest.fixture
def raster(tmp_path: Path) -> Path:
    """WorldCover codes: 40 (cropland) over village 1's west half, 10 (tree) elsewhere."""
    data = np.where(np.arange(100)[None, :] < 50, 40, 10).repeat(100, axis=0).astype("uint8")
    path = tmp_path / "wc.tif"
    with rasterio.open(path, "w", driver="GTiff", width=100, height=100, count=1, dtype="uint8", crs=UTM48S,
                       transform=from_origin(X0, Y0 + 1000, 10, 10), nodata=0) as dst:
        dst.write(data, 1)
    return path


def test_all_inputs_column_names_and_values(grid: gpd.GeoDataFrame, landuse, rtrw, raster: Path) -> None:
    roads = gpd.GeoDataFrame({"kelas_jalan": ["arteri"]}, geometry=[LineString([(X0 + 500, Y0 + 500), (X0 + 1500, Y0 + 500)])], crs=UTM48S)
    markets = gpd.GeoDataFrame(geometry=[Point(X0 + 100, Y0 + 100), Point(X0 + 1500, Y0 + 500)], crs=UTM48S)
    table = pd.DataFrame({"kode": [V1, V2], "penduduk": ["1200", "800"], "nama": ["Desa 1", "Desa 2"]})
    ind = build_indicators(
        grid, landuse=landuse, rtrw=rtrw, landcover_raster=raster, landcover_codes="worldcover",
        lines={"jalan": (roads, "kelas_jalan")}, points={"pasar": markets}, table=table,
    )
    assert ind.index.name == "kode_desa"
    assert list(ind.index) == list(grid["kode_desa"])
    assert list(ind.columns) == [
        "luas_ha",
        "ha_landuse_permukiman", "ha_landuse_sawah", "ha_landuse_unmapped",
        "pct_landuse_permukiman", "pct_landuse_sawah", "pct_landuse_unmapped",
        "ha_rtrw_hutan_lindung", "ha_rtrw_pertanian", "ha_rtrw_unmapped",
        "pct_rtrw_hutan_lindung", "pct_rtrw_pertanian", "pct_rtrw_unmapped",
        "ha_rtrw_overlap",
        "ha_landcover_hutan", "ha_landcover_pertanian", "ha_landcover_unmapped",
        "pct_landcover_hutan", "pct_landcover_pertanian", "pct_landcover_unmapped",
        "km_per_km2_jalan", "km_per_km2_jalan_arteri",
        "n_pasar", "jarak_km_pasar",
        "tbl_penduduk",
    ]
    v1 = ind.loc[V1]
    assert v1["luas_ha"] == pytest.approx(100.0)
    assert v1["ha_landuse_sawah"] == pytest.approx(50.0)
    assert v1["ha_landuse_permukiman"] == pytest.approx(10.0)
    assert v1["pct_landuse_unmapped"] == pytest.approx(40.0)
    assert ind.loc[V2, "pct_landuse_sawah"] == pytest.approx(25.0)
    assert v1["ha_rtrw_hutan_lindung"] == pytest.approx(50.0)
    assert v1["ha_rtrw_overlap"] == pytest.approx(50.0)
    assert v1["ha_landcover_pertanian"] == pytest.approx(50.0)
    assert ind.loc[V2, "ha_landcover_unmapped"] == pytest.approx(100.0)
    assert v1["km_per_km2_jalan_arteri"] == pytest.approx(0.5)
    assert v1["n_pasar"] == 1 and ind.loc[V2, "n_pasar"] == 1
    assert v1["tbl_penduduk"] == 1200
    assert np.isnan(ind.loc["1807022016", "tbl_penduduk"])
    sources = ind.attrs["sources"]
    assert set(sources) == set(ind.columns)
    assert sources["luas_ha"] == "villages"
    assert sources["ha_rtrw_overlap"] == "rtrw"
    assert sources["pct_landcover_hutan"] == "landcover"
    assert sources["km_per_km2_jalan_arteri"] == "lines:jalan"
    assert sources["jarak_km_pasar"] == "points:pasar"
    assert sources["tbl_penduduk"] == "table"
    assert ind.attrs["missing"] == []
    for kind in ("landuse", "rtrw", "landcover"):
        ha = ind.filter(regex=f"^ha_{kind}_(?!overlap)")
        np.testing.assert_allclose(ha.sum(axis=1), ind["luas_ha"], rtol=1e-9)


def test_only_villages(grid: gpd.GeoDataFrame) -> None:
    ind = build_indicators(grid)
    assert list(ind.columns) == ["luas_ha"]
    assert ind.attrs["missing"] == list(INPUTS)
    np.testing.assert_allclose(ind["luas_ha"], 100.0)


def test_by_mapping_and_names(grid: gpd.GeoDataFrame) -> None:
    pts = gpd.GeoDataFrame({"Fungsi": ["PPK", "PKLp"]}, geometry=[Point(X0 + 100, Y0 + 100), Point(X0 + 200, Y0 + 100)], crs=UTM48S)
    ind = build_indicators(grid, points={"pusat": pts}, by={"pusat": "Fungsi"})
    assert {"n_pusat", "n_pusat_ppk", "n_pusat_pklp", "jarak_km_pusat_ppk"} <= set(ind.columns)
    assert ind.attrs["missing"] == ["landuse", "landcover", "rtrw", "lines", "table"]
    with pytest.raises(FieldError, match="lower-case"):
        build_indicators(grid, points={"Pusat Kegiatan": pts})
    with pytest.raises(FieldError, match="not given"):
        build_indicators(grid, points={"pusat": pts}, by={"jalan": "kelas"})


def test_landcover_class_map_from_vocabulary() -> None:
    wc = landcover_class_map_for("worldcover")
    assert wc[10] == "hutan" and wc[40] == "pertanian"
    assert landcover_class_map_for("klhk")[20093] == "sawah"
    with pytest.raises(FieldError, match="scheme"):
        landcover_class_map_for("corine")


def test_attach_indicators(grid: gpd.GeoDataFrame, landuse) -> None:
    ind = build_indicators(grid, landuse=landuse)
    out = attach_indicators(grid.iloc[::-1], ind)
    assert isinstance(out, gpd.GeoDataFrame)
    assert out.crs == grid.crs
    assert list(out.index) == list(grid.index[::-1])
    assert out.set_index("kode_desa").loc[V1, "ha_landuse_sawah"] == pytest.approx(50.0)
    assert list(out.columns[:8]) == list(grid.columns[:8])


# ----------------------------------------------------------------------- tables


def test_table_join_direct_codes_and_unmatched(grid: gpd.GeoDataFrame) -> None:
    table = pd.DataFrame(
        {
            "KDEPUM": ["18.07.01.2001", "18.07.01.2001", "18.07.01.2002", "18.07.99.2999"],
            "NAMA_DESA": ["Desa 1", "Desa 1", "Desa 2", "Desa Hilang"],
            "sapi": [10, 10, 5, 1],
            "usaha": ["tahu", "tempe", "roti", "-"],
            "catatan": ["a", "a", "b", "c"],
        }
    )
    with pytest.warns(UnmatchedRowsWarning, match=r"Desa Hilang \(1807992999\)"):
        out = join_table(grid, table)
    report = out.attrs["join_report"]
    assert report.code_column == "KDEPUM"
    assert not report.crosswalk
    assert report.matched == 2
    assert report.unmatched_rows == ("Desa Hilang (1807992999)",)
    assert len(report.villages_without_row) == 14
    assert report.dropped_columns == ("usaha",)
    assert list(out.columns) == ["tbl_sapi"]  # text columns are not indicators
    assert out.loc[V1, "tbl_sapi"] == 10
    assert out["tbl_sapi"].isna().sum() == 14


def test_table_code_column_errors(grid: gpd.GeoDataFrame) -> None:
    table = pd.DataFrame({"nama": ["x"], "nilai": [1]})
    with pytest.raises(FieldError, match="no table column holds"):
        join_table(grid, table)
    with pytest.raises(FieldError, match="'kode'"):
        join_table(grid, table, code_column="kode")
    with pytest.raises(DataSourceError, match="file not found"):
        join_table(grid, "/nonexistent/podes.csv")


def test_table_from_xlsx_and_semicolon_csv(grid: gpd.GeoDataFrame, tmp_path: Path) -> None:
    frame = pd.DataFrame({"kode_desa": [V1, V2], "luas_sawah": [12.5, 3.0]})
    frame.to_excel(tmp_path / "t.xlsx", index=False)
    (tmp_path / "t.csv").write_text(f"kode_desa;luas_sawah\n{V1};12,5\n{V2};3\n", encoding="utf-8")
    xlsx = join_table(grid, tmp_path / "t.xlsx")
    assert xlsx.loc[V1, "tbl_luas_sawah"] == 12.5
    csv = join_table(grid, tmp_path / "t.csv")
    assert "tbl_luas_sawah" not in csv.columns  # "12,5" is not a number: not guessed


@pytest.fixture(scope="module")
def batu(data_dir: Path) -> gpd.GeoDataFrame:
    from kawasan_gis.io import read_villages

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RepairWarning)
        return read_villages(data_dir / "podes2024_kota_batu" / "desa_kota_batu.gpkg", layer="desa")


@pytest.mark.slow
def test_podes_kota_batu_through_crosswalk(batu: gpd.GeoDataFrame, data_dir: Path) -> None:
    folder = data_dir / "podes2024_kota_batu"
    out = join_table(batu, folder / "master_podes_desa.csv", crosswalk=folder / "crosswalk_bps_kemendagri.csv")
    report = out.attrs["join_report"]
    assert report.crosswalk and report.code_column == "IDDESA"
    assert (report.rows, report.codes, report.matched) == (638, 24, 24)
    assert report.unmatched_rows == () and report.villages_without_row == ()
    assert {"JENIS", "NAMA"} <= set(report.dropped_columns)  # vary within a desa (industry list)
    assert len(out) == 24 and out.index.is_unique
    # SOURCE.md: 12 villages live mainly from agriculture (R403A = 1), all with hortikultura (R403B1 = 2).
    farming = out["tbl_R403A"] == 1
    assert farming.sum() == 12
    assert (out.loc[farming, "tbl_R403B1"] == 2).all()
    # Ngaglik: BPS 3579010004 is Kemendagri 3579011002 (codes differ, the crosswalk decides).
    raw = pd.read_csv(folder / "master_podes_desa.csv", dtype=str, low_memory=False).drop_duplicates("IDDESA")
    assert out.loc["3579011002", "tbl_R403A"] == float(raw.set_index("IDDESA").loc["3579010004", "R403A"])


@pytest.mark.slow
def test_podes_unmatched_rows_reported_by_name(
    batu: gpd.GeoDataFrame, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = data_dir / "podes2024_kota_batu"
    crosswalk = pd.read_csv(folder / "crosswalk_bps_kemendagri.csv", dtype=str)
    dropped = crosswalk[crosswalk["nama_desa_bps"] == "NGAGLIK"]
    with pytest.warns(UnmatchedRowsWarning, match=r"1 baris tabel tidak cocok dengan desa mana pun: NGAGLIK \(3579010004\)") as seen:
        out = join_table(batu, folder / "master_podes_desa.csv", crosswalk=crosswalk.drop(dropped.index))
    assert seen[0].message.text("en") == "1 table row(s) match no village: NGAGLIK (3579010004)"
    assert "1 village(s) have no table row: 3579011002" in caplog.text
    report = out.attrs["join_report"]
    assert report.matched == 23
    assert report.unmatched_rows == ("NGAGLIK (3579010004)",)
    assert report.villages_without_row == ("3579011002",)
    assert out.loc["3579011002"].isna().all()


# ----------------------------------------------------------------------- writing


def test_write_csv_and_xlsx(grid: gpd.GeoDataFrame, landuse, tmp_path: Path) -> None:
    ind = build_indicators(grid, landuse=landuse)
    csv = write_indicators(ind, tmp_path / "out" / "indikator.csv")
    back = pd.read_csv(csv, dtype={"kode_desa": str}).set_index("kode_desa")
    pd.testing.assert_frame_equal(back, ind, check_exact=False, rtol=1e-12, check_index_type=False, check_dtype=False)
    xlsx = write_indicators(ind, tmp_path / "indikator.xlsx")
    book = openpyxl.load_workbook(xlsx, read_only=True)
    assert book.sheetnames == ["indikator", "sumber"]
    rows = list(book["sumber"].values)
    assert rows[0] == ("kolom", "sumber") and ("ha_landuse_sawah", "landuse") in rows
    assert sorted(p.name for p in tmp_path.iterdir()) == ["indikator.xlsx", "out"]  # no temporary files left
    with pytest.raises(DataSourceError, match=".csv or .xlsx"):
        write_indicators(ind, tmp_path / "indikator.json")


def test_progress_bars(grid: gpd.GeoDataFrame, landuse, raster: Path, capsys: pytest.CaptureFixture) -> None:
    ind = build_indicators(grid, landuse=landuse, landcover_raster=raster, progress=True)
    assert "landuse" in capsys.readouterr().err
    np.testing.assert_allclose(ind["ha_landuse_sawah"].sum(), 75.0)
