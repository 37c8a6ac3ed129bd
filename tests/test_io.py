"""Layer input: formats, CRS rules, geometry repair, village schema, coverage checks."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.geopandas
import pytest
import rasterio
import shapely
from click.testing import CliRunner
from conftest import UTM48S, X0, Y0, grid_villages
from hypothesis import given, settings
from hypothesis import strategies as st
from rasterio.transform import from_origin
from shapely.geometry import Point, Polygon, box

from kawasan_gis.cli import cli
from kawasan_gis.errors import CRSError, DataSourceError, FieldError, KawasanError, LayerError, RepairWarning
from kawasan_gis.io import (
    attach_codes_by_name,
    check_code,
    clean_geometries,
    coverage_problems,
    read_class_layer,
    read_layer,
    read_raster,
    read_villages,
    validate_layer,
    working_crs_for,
    write_layers,
)


def raw_villages(crs: str = UTM48S) -> gpd.GeoDataFrame:
    """The grid in a raw 'Kemendagri layer' schema, as planners' files have it."""
    g = grid_villages(2)
    raw = g.drop(columns=["luas_ha", "jenis"])
    raw["kode_desa"] = raw["kode_desa"].str.replace(r"(\d\d)(\d\d)(\d\d)(\d{4})", r"\1.\2.\3.\4", regex=True)
    return raw.to_crs(crs)


# ----------------------------------------------------------------------- formats


@pytest.mark.parametrize("suffix,driver", [(".gpkg", "GPKG"), (".geojson", "GeoJSON"), (".fgb", "FlatGeobuf"), (".shp", "ESRI Shapefile")])
def test_read_villages_every_format(tmp_path: Path, suffix: str, driver: str) -> None:
    path = tmp_path / f"desa{suffix}"
    raw_villages("EPSG:4326").to_file(path, driver=driver)
    desa = read_villages(path)
    assert list(desa.columns) == ["kode_desa", "nama_desa", "kode_kec", "nama_kec", "kode_kab", "nama_kab", "jenis", "luas_ha", "geometry"]
    # FlatGeobuf's spatial index may reorder features
    assert sorted(desa.kode_desa) == ["1807012001", "1807012002", "1807012003", "1807012004"]
    assert desa.crs.to_epsg() == 32748
    np.testing.assert_allclose(desa.luas_ha, 100.0, rtol=1e-6)


def test_read_geoparquet(tmp_path: Path) -> None:
    path = tmp_path / "desa.parquet"
    raw_villages().to_parquet(path)
    assert read_villages(path).luas_ha.sum() == pytest.approx(400.0)


def test_zipped_shapefile_read_in_place(tmp_path: Path) -> None:
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    raw_villages().to_file(shp_dir / "desa.shp")
    zpath = tmp_path / "desa.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for f in shp_dir.iterdir():
            zf.write(f, arcname=f"folder/{f.name}")
    before = set(tmp_path.rglob("*"))
    desa = read_villages(zpath)
    assert len(desa) == 4
    assert set(tmp_path.rglob("*")) == before  # nothing extracted


def test_zip_with_parent_member_refused(tmp_path: Path) -> None:
    zpath = tmp_path / "evil.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.writestr("../escape.shp", b"x")
        zf.writestr("ok.dbf", b"x")
    with pytest.raises(DataSourceError, match=r"evil.zip.*outside it \(\.\./escape\.shp\)"):
        read_villages(zpath)
    assert not (tmp_path.parent / "escape.shp").exists()


def test_truncated_shapefile(tmp_path: Path) -> None:
    path = tmp_path / "desa.shp"
    raw_villages().to_file(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(DataSourceError, match=r"desa\.shp: berkas terpotong: .* / the file is truncated: its header declares"):
        read_villages(path)


def test_missing_sidecar(tmp_path: Path) -> None:
    path = tmp_path / "desa.shp"
    raw_villages().to_file(path)
    (tmp_path / "desa.shx").unlink()
    with pytest.raises(DataSourceError, match=r"desa\.shp: berkas \.shx shapefile ini tidak ada.* / the shapefile is missing its \.shx"):
        read_villages(path)


def test_missing_file_and_wrong_type(tmp_path: Path) -> None:
    with pytest.raises(DataSourceError, match="file not found"):
        read_villages(tmp_path / "nope.gpkg")
    other = tmp_path / "table.csv"
    other.write_text("a,b\n1,2\n")
    with pytest.raises(DataSourceError, match=r"unsupported file type '\.csv'"):
        read_villages(other)


def test_gpkg_layer_choice(tmp_path: Path) -> None:
    path = tmp_path / "multi.gpkg"
    raw_villages().to_file(path, layer="kecamatan_x")
    raw_villages().to_file(path, layer="batas_desa")
    assert len(read_villages(path)) == 4  # 'desa' in the name picks the village layer
    with pytest.raises(LayerError, match="several layers"):
        read_layer(path, kind="points")


def test_wrong_geometry_kind(tmp_path: Path) -> None:
    path = tmp_path / "pts.gpkg"
    gpd.GeoDataFrame({"a": [1]}, geometry=[Point(1, 1)], crs=UTM48S).to_file(path)
    with pytest.raises(LayerError, match="a villages layer needs Polygon or MultiPolygon"):
        read_villages(path)


# ----------------------------------------------------------------------- CRS


def test_no_crs_is_an_error_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "desa.shp"
    raw_villages().to_file(path)
    (tmp_path / "desa.prj").unlink()
    with pytest.raises(CRSError, match=r"desa\.shp: lapisan tidak punya CRS.* / the layer has no CRS.*--assume-crs"):
        read_villages(path)
    desa = read_villages(path, assume_crs="EPSG:32748")
    assert desa.attrs["kawasan_report"].crs_assumed
    assert desa.luas_ha.sum() == pytest.approx(400.0)


def test_degrees_declared_but_metres_stored(tmp_path: Path) -> None:
    path = tmp_path / "bad.gpkg"
    raw_villages().set_crs("EPSG:4326", allow_override=True).to_file(path)
    with pytest.raises(CRSError, match="coordinates .* are metres"):
        read_villages(path)


def test_two_layers_in_different_crs_meet_in_the_working_crs(tmp_path: Path) -> None:
    v = tmp_path / "desa.gpkg"
    raw_villages("EPSG:4326").to_file(v)
    lu = tmp_path / "lu.gpkg"
    gpd.GeoDataFrame({"kelas": ["Sawah"]}, geometry=[box(X0, Y0, X0 + 500, Y0 + 1000)], crs=UTM48S).to_crs("EPSG:23833").to_file(lu)
    desa = read_villages(v)
    landuse = read_class_layer(lu, kind="landuse", working_crs=desa.crs)
    assert landuse.crs == desa.crs
    assert landuse.attrs["kawasan_report"].working_crs == "EPSG:32748"
    # 50 ha placed exactly inside village 1, after two reprojections
    assert shapely.intersection(landuse.geometry.iloc[0], desa.geometry.iloc[0]).area / 1e4 == pytest.approx(50.0, rel=1e-6)


def test_geographic_working_crs_refused(tmp_path: Path) -> None:
    v = tmp_path / "desa.gpkg"
    raw_villages().to_file(v)
    with pytest.raises(CRSError, match="not projected"):
        read_villages(v, working_crs="EPSG:4326")
    # projected, but in US survey feet: areas would be square feet
    with pytest.raises(CRSError, match="EPSG:2227 is not projected in metres"):
        read_villages(v, working_crs="EPSG:2227")
    with pytest.raises(CRSError, match="is not a CRS pyproj knows"):
        read_villages(v, working_crs="EPSG:99999999")


def test_working_crs_given_as_a_function_is_asked_after_reading(tmp_path: Path) -> None:
    lu = tmp_path / "lu.gpkg"
    gpd.GeoDataFrame({"kelas": ["Sawah"]}, geometry=[box(X0, Y0, X0 + 500, Y0 + 1000)], crs=UTM48S).to_crs("EPSG:4326").to_file(lu)
    asked = []
    landuse = read_class_layer(lu, kind="landuse", working_crs=lambda: asked.append(1) or "EPSG:32748")
    assert asked == [1] and landuse.crs.to_epsg() == 32748
    assert landuse.area.iloc[0] / 1e4 == pytest.approx(50.0, rel=1e-6)  # 500 m x 1000 m, back in metres

@pytest.mark.parametrize(
    ("lon", "lat", "epsg"),
    [
        (105.6, -5.1, 32748),  # Lampung Timur: zone 48, south
        (122.9, 0.6, 32651),  # Gorontalo: just north of the equator
        (95.3, 5.5, 32646),  # Aceh
        (140.7, -2.5, 32754),  # Jayapura
        (-73.9, 40.7, 32618),  # a northern, western-hemisphere zone
        (108.0, -6.0, None),  # on the border of zones 48 and 49: the PROJ database decides
        (110.0, 0.0, None),  # on the equator: the PROJ database decides
    ],
)
def test_working_crs_is_the_utm_zone_geopandas_estimates(lon: float, lat: float, epsg: int | None) -> None:
    # the reference is the PROJ database query of geopandas' estimate_utm_crs, not our formula
    square = gpd.GeoDataFrame(geometry=[box(lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01)], crs="EPSG:4326")
    expected = square.estimate_utm_crs(datum_name="WGS 84")
    if epsg is not None:
        assert expected.to_epsg() == epsg
    assert working_crs_for(square) == expected
    # a projected layer: its centre is found in degrees first (here from a neighbouring zone's metres)
    other = square.to_crs(expected.to_epsg() + (1 if lon < 170 else -1))
    assert working_crs_for(other) == other.estimate_utm_crs(datum_name="WGS 84")


# ----------------------------------------------------------------------- geometry


def test_bowtie_repaired_with_warning_and_count(tmp_path: Path) -> None:
    bowtie = Polygon([(X0, Y0), (X0 + 200, Y0 + 200), (X0 + 200, Y0), (X0, Y0 + 200)])
    g = gpd.GeoDataFrame({"kelas": ["Sawah", "Sawah"]}, geometry=[bowtie, box(X0, Y0, X0 + 10, Y0 + 10)], crs=UTM48S)
    path = tmp_path / "lu.gpkg"
    g.to_file(path)
    with pytest.warns(RepairWarning, match=r"geometri tidak sah diperbaiki \(make_valid, structure\): 1 \(#0 \(Self-intersection") as seen:
        out = read_class_layer(path, kind="landuse", working_crs=UTM48S)
    # Python shows a warning in Indonesian, the package's default language; English on request
    assert str(seen[0].message).endswith("geometri tidak sah diperbaiki (make_valid, structure): 1 (#0 (Self-intersection[500100 9400100]))")
    assert seen[0].message.text("en").endswith("invalid geometries repaired (make_valid, structure): 1 (#0 (Self-intersection[500100 9400100]))")
    assert out.geometry.is_valid.all()
    # both triangles of the bow-tie are kept: 2 x (200 x 100 / 2) m2
    assert out.geometry.iloc[0].area == pytest.approx(20_000.0)
    rep = out.attrs["kawasan_report"]
    assert [(r.what.text("en"), r.count) for r in rep.repairs] == [("invalid geometries repaired (make_valid, structure)", 1)]
    assert rep.repairs[0].text("id") == "geometri tidak sah diperbaiki (make_valid, structure): 1 (#0 (Self-intersection[500100 9400100]))"


def test_empty_and_null_geometries_dropped_and_named(tmp_path: Path) -> None:
    g = raw_villages()
    g.loc[1, "geometry"] = None
    g.loc[2, "geometry"] = Polygon()
    path = tmp_path / "desa.gpkg"
    g.to_file(path)
    with pytest.warns(RepairWarning, match="geometri kosong dibuang: 2"):
        desa = read_villages(path)
    assert len(desa) == 2


def test_z_dropped() -> None:
    poly = shapely.force_3d(box(0, 0, 10, 10), 5.0)
    g = gpd.GeoDataFrame(geometry=[poly], crs=UTM48S)
    with pytest.warns(RepairWarning, match="koordinat Z dibuang: 1"):
        out = clean_geometries(g, geom_kind="polygon")
    assert not shapely.has_z(out.geometry.values).any()


def test_repair_dissolves_parts_sharing_an_edge() -> None:
    # a ring that retraces a segment: GEOS make_valid returns two triangles sharing an edge
    coords = [(0, 0), (1, 0), (0, 1), (0, 2), (1, 0), (0, 1), (0, 0)]
    g = gpd.GeoDataFrame(geometry=[Polygon(coords)], crs=UTM48S)
    with pytest.warns(RepairWarning):
        out = clean_geometries(g, geom_kind="polygon")
    assert out.geometry.is_valid.all() and out.geometry.iloc[0].geom_type == "Polygon"
    assert out.geometry.iloc[0].area == pytest.approx(1.0)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20)), min_size=4, max_size=8))
def test_repair_is_idempotent(coords: list[tuple[int, int]]) -> None:
    poly = Polygon(coords + [coords[0]])
    g = gpd.GeoDataFrame(geometry=[poly], crs=UTM48S)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RepairWarning)
        once = clean_geometries(g, geom_kind="polygon")
        twice = clean_geometries(once, geom_kind="polygon")
    assert once.geometry.is_valid.all()
    assert len(once) == len(twice)
    assert once.geometry.geom_equals_exact(twice.geometry, tolerance=0).all()
    # area is conserved by the repair of a simple polygon (valid input unchanged)
    if poly.is_valid and poly.area > 0:
        assert once.geometry.iloc[0].area == pytest.approx(poly.area)


# ----------------------------------------------------------------------- schema and codes


def test_duplicate_codes_listed(tmp_path: Path) -> None:
    g = raw_villages()
    g.loc[1, "kode_desa"] = g.loc[0, "kode_desa"]
    path = tmp_path / "desa.gpkg"
    g.to_file(path)
    with pytest.raises(FieldError, match=r"1 village codes are used more than once[\s\S]*1807012001: Desa 1, Desa 2"):
        read_villages(path)


def test_code_validation() -> None:
    assert check_code("1807012001") is None
    assert check_code("18070120") == "not 10 digits (PP.KK.CC.DDDD)"
    assert "province 10" in check_code("1007012001")
    assert "kabupaten/kota part 70" in check_code("1870012001")
    assert "must start with 1 (kelurahan) or 2 (desa)" in check_code("1807013001")


def test_bad_codes_reported_not_fatal(tmp_path: Path) -> None:
    g = raw_villages()
    g.loc[3, "kode_desa"] = "18.07.02.3004"
    path = tmp_path / "desa.gpkg"
    g.to_file(path)
    desa = read_villages(path)
    problems = desa.attrs["kawasan_report"].code_problems
    assert problems == ["Desa 4: '18.07.02.3004' village part 3004 must start with 1 (kelurahan) or 2 (desa)"]


def test_big_rbi_schema_and_kelurahan(tmp_path: Path) -> None:
    g = raw_villages().rename(columns={"kode_desa": "KDEPUM", "nama_desa": "WADMKD", "nama_kec": "WADMKC", "nama_kab": "WADMKK"})
    g = g.drop(columns=["kode_kec", "kode_kab"])
    g.loc[0, "KDEPUM"] = "18.07.01.1001"
    path = tmp_path / "rbi.shp"
    g.to_file(path)
    desa = read_villages(path)
    assert desa.attrs["kawasan_report"].columns == {"kode_desa": "KDEPUM", "nama_desa": "WADMKD", "nama_kec": "WADMKC", "nama_kab": "WADMKK"}
    assert desa.jenis.tolist() == ["kelurahan", "desa", "desa", "desa"]
    assert desa.kode_kec.tolist() == ["180701"] * 4 and desa.kode_kab.tolist() == ["1807"] * 4


def test_name_only_layer_gets_stable_codes(tmp_path: Path) -> None:
    g = raw_villages()[["nama_desa", "nama_kec", "nama_kab", "geometry"]].rename(columns={"nama_desa": "NAMOBJ"})
    path = tmp_path / "names.gpkg"
    g.to_file(path)
    with pytest.warns(RepairWarning, match="4 desa tanpa kode Kemendagri; kode tetap dibuat dari namanya"):
        first = read_villages(path)
    with pytest.warns(RepairWarning):
        second = read_villages(path)
    assert first.kode_desa.tolist() == second.kode_desa.tolist()
    assert all(c.startswith("X") and len(c) == 10 for c in first.kode_desa)
    assert first.kode_desa.is_unique


def test_codes_attached_from_crosswalk(tmp_path: Path) -> None:
    g = raw_villages()[["nama_desa", "nama_kec", "nama_kab", "geometry"]]
    g["nama_desa"] = ["DESA 1", "desa 2", "Desa  3", "Desa 4"]
    path = tmp_path / "names.gpkg"
    g.to_file(path)
    cw = pd.DataFrame(
        {"kode_desa": ["18.07.01.2001", "18.07.01.2002", "18.07.01.2003"], "nama_kec": ["Kecamatan 1", "Kecamatan 1", "Kecamatan 1"], "nama_desa": ["Desa 1", "Desa 2", "Desa 3"]}
    )
    with pytest.warns(RepairWarning, match="1 desa tanpa kode Kemendagri"):
        desa = read_villages(path, crosswalk=cw)
    assert desa.kode_desa.tolist()[:3] == ["1807012001", "1807012002", "1807012003"]
    assert desa.kode_desa.iloc[3].startswith("X")
    assert desa.attrs["kawasan_report"].code_problems == ["1 villages not found in the crosswalk: Desa 4"]


def test_attach_codes_real_kota_batu(data_dir: Path) -> None:
    cw = pd.read_csv(data_dir / "podes2024_kota_batu" / "crosswalk_bps_kemendagri.csv", dtype=str)
    names = cw["nama_desa_kemendagri"].str.upper()
    kec = cw["nama_kec_kemendagri"]
    codes = attach_codes_by_name(names, kec, cw[["kode_desa_kemendagri", "nama_kec_kemendagri", "nama_desa_kemendagri"]])
    assert (codes == cw["kode_desa_kemendagri_10"]).all()


# ----------------------------------------------------------------------- coverage


def test_known_gap_and_overlap() -> None:
    g = grid_villages(3)
    geoms = list(g.geometry)
    # centre village shrunk by a 100 m x 100 m notch: a 1 ha hole enclosed by villages
    centre = 4
    cx0, cy0 = X0 + 1000, Y0 + 1000
    geoms[centre] = geoms[centre].difference(box(cx0 + 450, cy0 + 450, cx0 + 550, cy0 + 550))
    # village 0 pushed 50 m into village 1 over its full 1 km side... = 5 ha; we want 0.5 ha:
    geoms[0] = geoms[0].union(box(X0 + 1000, Y0, X0 + 1050, Y0 + 100))
    g = g.set_geometry(geoms)
    problems = coverage_problems(g)
    gaps = problems[problems.masalah == "celah"]
    overlaps = problems[problems.masalah == "tumpang_tindih"]
    assert len(gaps) == 1 and gaps.luas_ha.iloc[0] == pytest.approx(1.0)
    assert gaps.desa.iloc[0] == "1807012005"
    assert len(overlaps) == 1 and overlaps.luas_ha.iloc[0] == pytest.approx(0.5)
    assert overlaps.desa.iloc[0] == "1807012001,1807012002"


def test_validate_cli_writes_problems(tmp_path: Path) -> None:
    g = raw_villages()
    g.loc[0, "geometry"] = g.geometry.iloc[0].union(box(X0 + 1000, Y0, X0 + 1050, Y0 + 100))
    path = tmp_path / "desa.gpkg"
    g.to_file(path)
    out = tmp_path / "issues.gpkg"
    res = CliRunner().invoke(cli, ["validate", str(path), "--json", "--out", str(out)], obj={})
    assert res.exit_code == 0, res.output
    report = json.loads(res.output)
    assert report["kind"] == "villages" and report["n_features"] == 4
    assert report["coverage"]["n_overlaps"] == 1 and report["coverage"]["overlap_ha"] == pytest.approx(0.5)
    written = gpd.read_file(out, layer="masalah")
    assert written.luas_ha.sum() == pytest.approx(0.5)


def test_validate_cli_unusable_exit_code(tmp_path: Path) -> None:
    path = tmp_path / "desa.shp"
    raw_villages().to_file(path)
    (tmp_path / "desa.prj").unlink()
    res = CliRunner().invoke(cli, ["validate", str(path)], obj={})
    assert res.exit_code == 2
    assert "has no CRS" in res.output and "Traceback" not in res.output
    ok = CliRunner().invoke(cli, ["validate", str(path), "--assume-crs", "EPSG:32748"], obj={})
    assert ok.exit_code == 0 and "diasumsikan" in ok.output


# ----------------------------------------------------------------------- rasters


def test_raster_checks(tmp_path: Path) -> None:
    path = tmp_path / "lc.tif"
    with rasterio.open(path, "w", driver="GTiff", width=3, height=3, count=1, dtype="uint8", transform=from_origin(X0, Y0 + 30, 10, 10)) as dst:
        dst.write(np.full((3, 3), 40, dtype="uint8"), 1)
    with pytest.raises(CRSError, match="raster has no CRS"):
        read_raster(path)
    assert read_raster(path, assume_crs="EPSG:32748").crs == "EPSG:32748"
    fpath = tmp_path / "float.tif"
    with rasterio.open(fpath, "w", driver="GTiff", width=1, height=1, count=1, dtype="float32", crs=UTM48S, transform=from_origin(0, 1, 1, 1)) as dst:
        dst.write(np.zeros((1, 1), dtype="float32"), 1)
    with pytest.raises(LayerError, match="integer class codes"):
        read_raster(fpath)
    broken = tmp_path / "broken.tif"
    broken.write_bytes(path.read_bytes()[:100])
    with pytest.raises(DataSourceError, match="broken.tif: tidak dapat dibuka sebagai raster.* / cannot be opened as a raster"):
        read_raster(broken)


# ----------------------------------------------------------------------- writing


def test_write_layers_atomic(tmp_path: Path) -> None:
    dest = tmp_path / "out.gpkg"
    good = grid_villages(2)
    bad = good.copy()
    bad["obj"] = [complex(1, 2)] * len(bad)  # GDAL has no complex field type
    with pytest.raises(NotImplementedError):
        write_layers(dest, {"desa": good, "rusak": bad})
    assert not dest.exists() and list(tmp_path.iterdir()) == []
    write_layers(dest, {"desa": good})
    assert len(gpd.read_file(dest, layer="desa")) == 4


def test_write_layers_does_not_sync_each_layer_and_restores_the_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """GDAL's SQLite sync is off while the layers go into the temporary file (a sync per layer
    cost ~0.1 s), and the caller's own setting is back afterwards, after a failure too."""
    seen: list[object] = []
    real = pyogrio.write_dataframe

    def spy(*args: object, **kwargs: object) -> None:
        seen.append(pyogrio.get_gdal_config_option("OGR_SQLITE_SYNCHRONOUS"))
        real(*args, **kwargs)

    monkeypatch.setattr(pyogrio, "write_dataframe", spy)
    monkeypatch.setattr(pyogrio.geopandas, "write_dataframe", spy)
    pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": "NORMAL"})
    try:
        good = grid_villages(2)
        write_layers(tmp_path / "a.gpkg", {"desa": good, "tabel": pd.DataFrame({"x": [1, 2]})})
        assert seen == [False, False]  # "OFF", as GDAL reads it back
        assert pyogrio.get_gdal_config_option("OGR_SQLITE_SYNCHRONOUS") == "NORMAL"
        with pytest.raises(NotImplementedError):
            write_layers(tmp_path / "b.gpkg", {"rusak": good.assign(obj=[complex(1, 2)] * len(good))})
        assert pyogrio.get_gdal_config_option("OGR_SQLITE_SYNCHRONOUS") == "NORMAL"
        assert len(gpd.read_file(tmp_path / "a.gpkg", layer="desa")) == 4
    finally:
        pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": None})


def test_errors_are_builtins_too() -> None:
    assert issubclass(DataSourceError, OSError) and issubclass(CRSError, ValueError)
    assert issubclass(FieldError, KawasanError)


# ----------------------------------------------------------------------- real data


@pytest.mark.slow
def test_real_lampung_timur(lamtim_desa_path: Path, lamtim_rtrw_path: Path) -> None:
    desa = read_villages(lamtim_desa_path)
    assert len(desa) == 264 and desa.kode_desa.is_unique
    assert (desa.jenis == "desa").all() and desa.kode_kec.nunique() == 24
    assert desa.luas_ha.sum() / 100 == pytest.approx(3858, abs=1)  # km2, SOURCE.md
    braja = desa.loc[desa.kode_desa == "1807222004"]
    assert braja.nama_desa.iloc[0] == "Braja Yekti" and len(shapely.get_parts(braja.geometry.iloc[0])) >= 5
    with pytest.warns(RepairWarning, match=r"geometri tidak sah diperbaiki \(make_valid, structure\): 1"):
        rtrw = read_class_layer(lamtim_rtrw_path, kind="rtrw", working_crs=desa.crs)
    assert len(rtrw) == 283
    assert rtrw.geometry.is_valid.all()
    assert rtrw.area.sum() / 1e4 == pytest.approx(411_448.2, abs=5)  # SOURCE.md total (repair keeps area)
    bad = rtrw.loc[95]
    assert (bad.layer_label, bad.feat_index) == ("Pertanian", 72)


@pytest.mark.slow
def test_real_gorontalo(gorontalo_desa_path: Path, gorontalo_lulc_path: Path) -> None:
    report, problems = validate_layer(gorontalo_desa_path)
    assert report.kind == "villages" and report.n_features == 309
    assert report.working_crs == "EPSG:32651"
    desa = read_villages(gorontalo_desa_path)
    counts = desa.groupby(["kode_kab", "jenis"]).size().to_dict()
    assert counts == {("7501", "desa"): 191, ("7501", "kelurahan"): 14, ("7504", "desa"): 101, ("7504", "kelurahan"): 3}
    by_kab = desa.groupby("kode_kab").luas_ha.sum() / 100
    assert by_kab["7501"] == pytest.approx(2159, rel=0.01) and by_kab["7504"] == pytest.approx(4368, rel=0.01)
    # SOURCE.md: overlaps ~0.35 + 0.24 km2, interior gaps ~0.38 + 0.21 km2
    assert report.coverage["overlap_ha"] == pytest.approx(59, abs=3)
    assert report.coverage["gap_ha"] == pytest.approx(59, abs=3)
    lulc = read_class_layer(gorontalo_lulc_path, kind="landuse", working_crs=desa.crs)
    assert len(lulc) == 2949 and lulc.area.sum() / 1e4 == pytest.approx(50_130, rel=0.001)


def test_truncated_geopackage(tmp_path: Path) -> None:
    path = tmp_path / "desa.gpkg"
    raw_villages().to_file(path)
    path.write_bytes(path.read_bytes()[:5000])
    with pytest.raises(DataSourceError, match=r"desa\.gpkg: tidak dapat (dibuka|dibaca).* / cannot be"):
        read_villages(path)


def test_where_filter(tmp_path: Path, lamtim_konteks_path: Path) -> None:
    pts = read_layer(lamtim_konteks_path, kind="points", layer="pusat_kegiatan", where="KETERANGAN <> 'Ibukota Desa'")
    assert len(pts) == 290 - 244 and "filter: KETERANGAN <> 'Ibukota Desa'" in pts.attrs["kawasan_report"].notes
    with pytest.raises(LayerError, match="filter 'NOPE = 1'"):
        read_layer(lamtim_konteks_path, kind="points", layer="pusat_kegiatan", where="NOPE = 1")
    with pytest.raises(LayerError, match="no features matching"):
        read_layer(lamtim_konteks_path, kind="points", layer="pusat_kegiatan", where="KETERANGAN = 'x'")
