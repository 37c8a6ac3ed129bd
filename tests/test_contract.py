"""The village-layer contract (kawasan_gis.io.require_villages) and the steps that apply it."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from conftest import X0, Y0, grid_villages
from shapely.geometry import LineString, Polygon, box

from kawasan_gis.check import read_plan
from kawasan_gis.errors import CRSError, FieldError, GeometryError, LayerError
from kawasan_gis.indicators import build_indicators
from kawasan_gis.io import is_metric, require_villages
from kawasan_gis.overlay import tabulate_classes
from kawasan_gis.regionalize import contiguity, propose_kawasan

BOWTIE = Polygon([(X0, Y0), (X0 + 1000, Y0 + 1000), (X0 + 1000, Y0), (X0, Y0 + 1000)])


def test_a_layer_in_the_internal_schema_passes(grid: gpd.GeoDataFrame) -> None:
    require_villages(grid, step="overlay")
    require_villages(grid, step="check", columns=["nama_desa", "kode_kec", "kode_kab", "jenis"])
    # the check gathers; it never changes its input
    assert grid.equals(grid_villages())


@pytest.mark.parametrize(
    ("crs", "expected"),
    [("EPSG:32748", True), ("EPSG:3857", True), ("EPSG:32748+5773", True), ("EPSG:2227", False), ("EPSG:4326", False)],
)
def test_is_metric(crs: str, expected: bool) -> None:
    assert is_metric(crs) is expected


def test_crs_in_us_feet_is_refused(grid: gpd.GeoDataFrame) -> None:
    # EPSG:2227 is projected, so a check of is_projected alone lets it through; its areas
    # would be square feet taken for square metres.
    with pytest.raises(CRSError, match=r"does not measure in metres \(US survey foot\)") as err:
        require_villages(grid.to_crs("EPSG:2227"), step="overlay")
    assert len(err.value.problems) == 1


def test_geographic_and_missing_crs_are_refused(grid: gpd.GeoDataFrame) -> None:
    with pytest.raises(CRSError, match="EPSG:4326 is not projected"):
        require_villages(grid.to_crs("EPSG:4326"), step="overlay")
    with pytest.raises(CRSError, match="no CRS"):
        require_villages(grid.set_crs(None, allow_override=True), step="overlay")


def test_columns_the_step_needs(grid: gpd.GeoDataFrame) -> None:
    with pytest.raises(FieldError, match="missing column.*: kode_desa"):
        require_villages(grid.drop(columns="kode_desa"), step="overlay")
    # kode_kec is needed only by steps that say so
    require_villages(grid.drop(columns="kode_kec"), step="overlay")
    with pytest.raises(FieldError, match="missing column.*: kode_kec, jenis") as err:
        require_villages(grid.drop(columns=["kode_kec", "jenis"]), step="check", columns=["kode_kec", "jenis"])
    assert len(err.value.problems) == 1


def test_codes_must_be_present_and_unique(grid: gpd.GeoDataFrame) -> None:
    dup = grid.copy()
    dup.loc[[1, 2], "kode_desa"] = dup.loc[0, "kode_desa"]
    dup.loc[5, "kode_desa"] = None
    with pytest.raises(FieldError) as err:
        require_villages(dup, step="regionalize")
    assert err.value.problems == [
        "1 desa tanpa kode_desa / village(s) without a kode_desa: rows 5",
        "kode_desa ganda / duplicate kode_desa (codes must be unique): 1807012001",
    ]


def test_long_lists_are_cut_and_counted() -> None:
    villages = grid_villages(5)  # 25 villages: 12 codes twice, one alone
    villages["kode_desa"] = [f"18070120{k % 12:02d}" for k in range(24)] + ["1807012099"]
    with pytest.raises(FieldError) as err:
        require_villages(villages, step="overlay")
    listed = err.value.problems[0].split(": ", 1)[1]
    assert listed.endswith(" ... and 2 more") and listed.count(", ") == 9


def test_geometries_must_be_present_polygonal_and_valid(grid: gpd.GeoDataFrame) -> None:
    bad = grid.copy()
    bad.loc[0, "geometry"] = BOWTIE
    bad.loc[1, "geometry"] = None
    bad.loc[2, "geometry"] = Polygon()
    bad.loc[3, "geometry"] = LineString([(X0, Y0), (X0 + 10, Y0)])
    with pytest.raises(GeometryError) as err:
        require_villages(bad, step="overlay")
    missing, line, invalid = err.value.problems
    assert missing == "geometri kosong / missing or empty geometry: 1807012002, 1807012003"
    assert line == "bukan poligon / not a polygon: 1807012004"
    assert invalid.startswith("geometri tidak valid") and invalid.endswith("1807012001 (Self-intersection[500500 9400500])")


def test_not_a_geodataframe() -> None:
    with pytest.raises(LayerError, match="it is a DataFrame, not a GeoDataFrame"):
        require_villages(pd.DataFrame({"kode_desa": ["1807012001"]}), step="check")


def test_all_kinds_at_once_raise_the_most_fundamental(grid: gpd.GeoDataFrame) -> None:
    bad = grid.to_crs("EPSG:2227")
    bad.loc[1, "kode_desa"] = bad.loc[0, "kode_desa"]
    bad.loc[3, "geometry"] = None
    with pytest.raises(CRSError) as err:
        require_villages(bad, step="maps")
    assert len(err.value.problems) == 3
    assert [p.split(" / ")[0] for p in err.value.problems][1:] == ["kode_desa ganda", "geometri kosong"]
    text = str(err.value)
    assert text.startswith("Lapisan desa tidak dapat dipakai untuk langkah 'maps' / The village layer cannot be used for step 'maps':")
    no_crs = grid.drop(columns="jenis")
    no_crs.loc[0, "geometry"] = BOWTIE
    with pytest.raises(FieldError) as err:
        require_villages(no_crs, step="check", columns=["jenis"])
    assert len(err.value.problems) == 2


STEPS = {
    "overlay": lambda v: tabulate_classes(v, gpd.GeoDataFrame({"kelas": ["a"]}, geometry=[box(X0, Y0, X0 + 9, Y0 + 9)], crs=v.crs)),
    "indicators": lambda v: build_indicators(v),
    "regionalize": lambda v: contiguity(v),
    "check": lambda v: read_plan(pd.DataFrame({"kode_desa": ["1807012001"], "kawasan_id": ["A"], "potensi": ["permukiman"]}), v),
}


@pytest.mark.parametrize("step", sorted(STEPS))
def test_every_step_applies_the_contract(grid: gpd.GeoDataFrame, step: str) -> None:
    with pytest.raises(CRSError, match=f"(?s)step '{step}'.*EPSG:2227 does not measure in metres"):
        STEPS[step](grid.to_crs("EPSG:2227"))
    broken = grid.copy()
    broken.loc[0, "geometry"] = BOWTIE
    with pytest.raises(GeometryError, match="invalid geometry.*1807012001"):
        STEPS[step](broken)


def test_propose_applies_the_contract(grid: gpd.GeoDataFrame) -> None:
    scores = pd.DataFrame({"skor_permukiman": 1.0, "potensi_dominan": "permukiman"}, index=grid["kode_desa"])
    with pytest.raises(CRSError, match="(?s)step 'regionalize'.*EPSG:2227 does not measure in metres"):
        propose_kawasan(grid.to_crs("EPSG:2227"), scores)
