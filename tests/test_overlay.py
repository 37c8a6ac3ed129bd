"""Village x layer overlays: class areas, overlap priority, raster histograms, lines, points.

Expected figures are computed by hand on the 4 x 4 grid of 100 ha villages (conftest), or
taken from an independent tool (geopandas.overlay + groupby, exactextract) and from the
bundled data's SOURCE.md.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import exactextract
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from conftest import UTM48S, X0, Y0, grid_villages
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasterio.transform import from_origin
from shapely.geometry import (
    LineString,
    MultiLineString,
    MultiPoint,
    Point,
    Polygon,
    box,
)

from kawasan_gis.errors import (
    CRSError,
    DataSourceError,
    FieldError,
    GeometryError,
    LayerError,
    RepairWarning,
)
from kawasan_gis.overlay import (
    OVERLAP,
    UNMAPPED,
    default_priority,
    line_density,
    point_stats,
    raster_histogram,
    resolve_overlaps,
    tabulate_classes,
)

KM = 1000.0


def code(k: int) -> str:
    """kode_desa of grid village k (1-16, row-major from the south-west)."""
    return grid_villages()["kode_desa"].iloc[k - 1]


def classes(*items: tuple[str, object], crs: str = UTM48S) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"kelas": [k for k, _ in items]}, geometry=[g for _, g in items], crs=crs)


def overlay_groupby(villages: gpd.GeoDataFrame, layer: gpd.GeoDataFrame, column: str = "kelas") -> pd.DataFrame:
    """The baseline a user would write: geopandas.overlay then a group-by (hectares)."""
    cut = gpd.overlay(villages[["kode_desa", "geometry"]], layer[[column, "geometry"]], how="intersection", keep_geom_type=True)
    return cut.assign(ha=cut.area / 10_000).groupby(["kode_desa", column])["ha"].sum().unstack(fill_value=0.0)


def voronoi_layer(n: int, bounds: tuple[float, float, float, float], seed: int, crs: str = UTM48S) -> np.ndarray:
    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = bounds
    pts = shapely.multipoints(np.column_stack([rng.uniform(xmin, xmax, n), rng.uniform(ymin, ymax, n)]))
    cells = shapely.get_parts(shapely.voronoi_polygons(pts, extend_to=box(*bounds)))
    return shapely.intersection(cells, box(*bounds))


# ----------------------------------------------------------------------- class areas by hand


def test_rectangle_half_of_village_1_quarter_of_village_2(grid: gpd.GeoDataFrame) -> None:
    landuse = classes(("sawah", box(X0 + 500, Y0, X0 + 1250, Y0 + 1000)))
    table = tabulate_classes(grid, landuse)
    assert list(table.index) == list(grid["kode_desa"])
    assert table.index.name == "kode_desa"
    assert list(table.columns) == ["sawah", UNMAPPED, OVERLAP]
    assert table.loc[code(1), "sawah"] == pytest.approx(50.0)
    assert table.loc[code(2), "sawah"] == pytest.approx(25.0)
    assert table["sawah"].drop([code(1), code(2)]).eq(0).all()
    assert table.loc[code(1), UNMAPPED] == pytest.approx(50.0)
    assert table.loc[code(2), UNMAPPED] == pytest.approx(75.0)
    assert table[UNMAPPED].drop([code(1), code(2)]).eq(100).all()
    assert table[OVERLAP].eq(0).all()
    assert table.dtypes.eq(np.float64).all()


def test_two_classes_and_multipart_feature(grid: gpd.GeoDataFrame) -> None:
    parts = shapely.MultiPolygon([box(X0 + 100, Y0 + 100, X0 + 300, Y0 + 300), box(X0 + 3100, Y0 + 3100, X0 + 3600, Y0 + 3600)])
    landuse = classes(("sawah", parts), ("permukiman", box(X0 + 1000, Y0 + 1000, X0 + 3000, Y0 + 2000)))
    table = tabulate_classes(grid, landuse)
    assert list(table.columns) == ["permukiman", "sawah", UNMAPPED, OVERLAP]  # classes sorted
    assert table.loc[code(1), "sawah"] == pytest.approx(4.0)
    assert table.loc[code(16), "sawah"] == pytest.approx(25.0)
    for k in (6, 7):
        assert table.loc[code(k), "permukiman"] == pytest.approx(100.0)
        assert table.loc[code(k), UNMAPPED] == pytest.approx(0.0, abs=1e-9)


def test_rows_without_class_are_unmapped(grid: gpd.GeoDataFrame) -> None:
    landuse = classes(("sawah", box(X0, Y0, X0 + 500, Y0 + 1000)), (None, box(X0 + 500, Y0, X0 + 1000, Y0 + 1000)))
    table = tabulate_classes(grid, landuse)
    assert table.loc[code(1), "sawah"] == pytest.approx(50.0)
    assert table.loc[code(1), UNMAPPED] == pytest.approx(50.0)


def test_inputs_not_modified(grid: gpd.GeoDataFrame) -> None:
    landuse = classes(("sawah", box(X0 + 500, Y0, X0 + 1250, Y0 + 1000)))
    before_v, before_c = grid.copy(), landuse.copy()
    tabulate_classes(grid, landuse)
    pd.testing.assert_frame_equal(grid, before_v)
    pd.testing.assert_frame_equal(landuse, before_c)
    assert not shapely.is_prepared(grid.geometry.values.to_numpy()).any()


def test_class_layer_in_another_crs_is_reprojected(grid: gpd.GeoDataFrame, caplog: pytest.LogCaptureFixture) -> None:
    landuse = classes(("sawah", box(X0 + 500, Y0, X0 + 1250, Y0 + 1000)))
    with caplog.at_level(logging.INFO, logger="kawasan_gis.overlay"):
        table = tabulate_classes(grid, landuse.to_crs("EPSG:4326"))
    assert "reprojecting class layer" in caplog.text
    assert table.loc[code(1), "sawah"] == pytest.approx(50.0, rel=1e-6)


def test_one_and_two_threads_agree(grid: gpd.GeoDataFrame) -> None:
    cells = voronoi_layer(300, (X0 - 200, Y0 - 200, X0 + 4200, Y0 + 4200), seed=3)
    layer = classes(*[(f"k{i % 5}", g) for i, g in enumerate(cells)])
    one = tabulate_classes(grid, layer, n_jobs=1)
    two = tabulate_classes(grid, layer, n_jobs=2)
    pd.testing.assert_frame_equal(one, two, rtol=1e-12)


# ----------------------------------------------------------------------- overlaps


def test_overlap_priority_lindung_before_budidaya(grid: gpd.GeoDataFrame) -> None:
    # Pertanian over villages 1-2, hutan lindung over the east half of 1 and west half of 2.
    rtrw = classes(
        ("pertanian", box(X0, Y0, X0 + 2000, Y0 + 1000)),
        ("hutan_lindung", box(X0 + 500, Y0, X0 + 1500, Y0 + 1000)),
    )
    table = tabulate_classes(grid, rtrw, priority=default_priority("rtrw"))
    for k in (1, 2):
        assert table.loc[code(k), "hutan_lindung"] == pytest.approx(50.0)
        assert table.loc[code(k), "pertanian"] == pytest.approx(50.0)
        assert table.loc[code(k), OVERLAP] == pytest.approx(50.0)
        assert table.loc[code(k), UNMAPPED] == pytest.approx(0.0, abs=1e-9)
    # Reversed priority: pertanian keeps everything.
    table = tabulate_classes(grid, rtrw, priority={"pertanian": 9, "hutan_lindung": 1})
    assert table.loc[code(1), "pertanian"] == pytest.approx(100.0)
    assert table.loc[code(1), "hutan_lindung"] == pytest.approx(0.0)


def test_equal_priority_smaller_polygon_wins_then_earlier_row(grid: gpd.GeoDataFrame) -> None:
    rtrw = classes(
        ("pertanian", box(X0, Y0, X0 + 1000, Y0 + 1000)),
        ("permukiman_perdesaan", box(X0, Y0, X0 + 200, Y0 + 500)),
    )
    table = tabulate_classes(grid, rtrw)
    assert table.loc[code(1), "permukiman_perdesaan"] == pytest.approx(10.0)
    assert table.loc[code(1), "pertanian"] == pytest.approx(90.0)
    same = classes(("a", box(X0, Y0, X0 + 1000, Y0 + 1000)), ("b", box(X0, Y0, X0 + 1000, Y0 + 1000)))
    table = tabulate_classes(grid, same)
    assert table.loc[code(1), "a"] == pytest.approx(100.0)
    assert table.loc[code(1), "b"] == 0
    assert table.loc[code(1), OVERLAP] == pytest.approx(100.0)


def test_three_way_overlap_counted_once(grid: gpd.GeoDataFrame) -> None:
    rtrw = classes(
        ("a", box(X0, Y0, X0 + 600, Y0 + 1000)),
        ("b", box(X0 + 200, Y0, X0 + 800, Y0 + 1000)),
        ("c", box(X0 + 400, Y0, X0 + 1000, Y0 + 1000)),
    )
    table = tabulate_classes(grid, rtrw, priority={"a": 3, "b": 2, "c": 1})
    assert table.loc[code(1), ["a", "b", "c"]].tolist() == pytest.approx([60.0, 20.0, 20.0])
    # Covered by two or more polygons: x from 200 to 800.
    assert table.loc[code(1), OVERLAP] == pytest.approx(60.0)
    assert table.loc[code(1), ["a", "b", "c", UNMAPPED]].sum() == pytest.approx(100.0)


def test_resolve_overlaps_gives_a_partition() -> None:
    zones = classes(
        ("pertanian", box(0, 0, 100, 100)),
        ("hutan_lindung", shapely.MultiPolygon([box(50, 0, 150, 100), box(300, 0, 400, 50)])),
        ("permukiman", box(20, 20, 60, 60)),
    )
    original = zones.copy()
    out = resolve_overlaps(zones, priority={"hutan_lindung": 2, "pertanian": 1, "permukiman": 1})
    pd.testing.assert_frame_equal(zones, original)
    assert {"overlap", "source_row"} <= set(out.columns)
    geoms = out.geometry.values.to_numpy()
    tree = shapely.STRtree(geoms)
    i, j = tree.query(geoms)
    i, j = i[i < j], j[i < j]
    assert shapely.area(shapely.intersection(geoms[i], geoms[j])).max() == pytest.approx(0.0, abs=1e-9)
    assert out.area.sum() == pytest.approx(shapely.union_all(zones.geometry.values).area)
    ha = out.assign(a=out.area).groupby("kelas")["a"].sum()
    assert ha["hutan_lindung"] == pytest.approx(15_000.0)
    assert ha["permukiman"] == pytest.approx(30 * 40)  # x 20-50, y 20-60: west of the lindung
    assert ha["pertanian"] == pytest.approx(5_000.0 - 1_200.0)
    # Covered twice or more: pertanian x lindung (5,000) and pertanian x permukiman (1,600),
    # minus their common part x 50-60, y 20-60 (400).
    assert out.loc[out["overlap"]].area.sum() == pytest.approx(5_000.0 + 1_600.0 - 400.0)
    assert out["source_row"].isin([0, 1, 2]).all()


def test_resolve_overlaps_without_overlaps_is_identity_in_area() -> None:
    cells = voronoi_layer(200, (0, 0, 5000, 5000), seed=4)
    zones = classes(*[("x", g) for g in cells])
    out = resolve_overlaps(zones)
    assert not out["overlap"].any()
    np.testing.assert_allclose(np.sort(out.area), np.sort(zones.area), rtol=1e-12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["hutan_lindung", "pertanian", "permukiman_perdesaan"]),
            st.floats(-500, 4000), st.floats(-500, 4000), st.floats(1, 2500), st.floats(1, 2500),
        ),
        min_size=1, max_size=8,
    )
)
def test_class_areas_plus_unmapped_equal_village_area(grid: gpd.GeoDataFrame, rects: list) -> None:
    layer = classes(*[(k, box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h)) for k, x, y, w, h in rects])
    table = tabulate_classes(grid, layer, priority=default_priority("rtrw"))
    class_cols = [c for c in table.columns if c not in (UNMAPPED, OVERLAP)]
    np.testing.assert_allclose(table[class_cols].sum(axis=1) + table[UNMAPPED], grid["luas_ha"], rtol=1e-9)
    assert (table[class_cols].sum(axis=1) <= grid["luas_ha"].to_numpy() * (1 + 1e-9)).all()
    assert (table[OVERLAP] <= table[class_cols].sum(axis=1) + 1e-9).all()
    assert (table >= -1e-9).all().all()
    # a layer resolved beforehand (as kawasan run shares it with the plan check) tabulates the same,
    # its overlap column included
    shared = tabulate_classes(grid, layer, priority=default_priority("rtrw"), partition=resolve_overlaps(layer, priority=default_priority("rtrw")))
    pd.testing.assert_frame_equal(shared, table, rtol=1e-12, atol=1e-9)


def test_class_lost_wholly_to_an_overlap_keeps_its_column_with_a_partition(grid: gpd.GeoDataFrame) -> None:
    # found by the property test above: pertanian drawn exactly under hutan lindung loses every
    # piece; its column stays (0 ha: zoned, all of it overlapped), not missing as if never zoned
    layer = classes(("hutan_lindung", box(X0, Y0, X0 + 1, Y0 + 1)), ("pertanian", box(X0, Y0, X0 + 1, Y0 + 1)))
    prio = default_priority("rtrw")
    shared = tabulate_classes(grid, layer, priority=prio, partition=resolve_overlaps(layer, priority=prio))
    assert shared.loc[code(1), "pertanian"] == 0.0 and shared.loc[code(1), "hutan_lindung"] == pytest.approx(1e-4)
    assert shared.loc[code(1), OVERLAP] == pytest.approx(1e-4)


def test_partition_needs_its_overlap_column(grid: gpd.GeoDataFrame) -> None:
    layer = classes(("pertanian", box(X0, Y0, X0 + 1000, Y0 + 1000)))
    with pytest.raises(FieldError, match="overlap"):
        tabulate_classes(grid, layer, partition=layer)
    with pytest.raises(ValueError, match="partition"):
        tabulate_classes(grid, layer, overlaps="keep", partition=resolve_overlaps(layer))


# ----------------------------------------------------------------------- exact against geopandas


def test_equal_to_geopandas_overlay_on_synthetic_voronoi(grid: gpd.GeoDataFrame) -> None:
    villages = grid.copy()
    villages["geometry"] = voronoi_layer(16, (X0, Y0, X0 + 4000, Y0 + 4000), seed=1)
    cells = voronoi_layer(800, (X0 - 300, Y0 - 300, X0 + 4300, Y0 + 4300), seed=2)
    layer = classes(*[(f"kelas_{i % 8}", g) for i, g in enumerate(cells)])
    mine = tabulate_classes(villages, layer, overlaps="keep")
    ref = overlay_groupby(villages, layer).reindex(index=mine.index, columns=mine.columns, fill_value=0.0)
    np.testing.assert_allclose(mine.to_numpy(), ref.to_numpy(), rtol=1e-6, atol=1e-9)
    # The layer is a partition: resolving changes nothing.
    resolved = tabulate_classes(villages, layer)
    np.testing.assert_allclose(resolved[mine.columns].to_numpy(), mine.to_numpy(), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(resolved[UNMAPPED], 0.0, atol=1e-6)


# ----------------------------------------------------------------------- errors


def test_village_errors(grid: gpd.GeoDataFrame) -> None:
    layer = classes(("sawah", box(X0, Y0, X0 + 10, Y0 + 10)))
    with pytest.raises(CRSError, match="no CRS"):
        tabulate_classes(grid.set_crs(None, allow_override=True), layer)
    with pytest.raises(CRSError, match="not projected"):
        tabulate_classes(grid.to_crs("EPSG:4326"), layer)
    with pytest.raises(FieldError, match="kode_desa"):
        tabulate_classes(grid.drop(columns="kode_desa"), layer)
    dup = grid.copy()
    dup.loc[1, "kode_desa"] = dup.loc[0, "kode_desa"]
    with pytest.raises(FieldError, match="duplicate kode_desa.*1807012001"):
        tabulate_classes(dup, layer)
    bad = grid.copy()
    bad.loc[0, "geometry"] = Polygon([(X0, Y0), (X0 + 10, Y0 + 10), (X0 + 10, Y0), (X0, Y0 + 10)])
    with pytest.raises(GeometryError, match="invalid geometry.*1807012001"):
        tabulate_classes(bad, layer)


def test_class_layer_errors(grid: gpd.GeoDataFrame) -> None:
    layer = classes(("sawah", box(X0, Y0, X0 + 10, Y0 + 10)))
    with pytest.raises(CRSError, match="class layer has no CRS"):
        tabulate_classes(grid, layer.set_crs(None, allow_override=True))
    with pytest.raises(FieldError, match="'penggunaan'"):
        tabulate_classes(grid, layer, class_column="penggunaan")
    bowtie = classes(("sawah", Polygon([(X0, Y0), (X0 + 10, Y0 + 10), (X0 + 10, Y0), (X0, Y0 + 10)])))
    with pytest.raises(GeometryError, match="1 invalid") as err:
        tabulate_classes(grid, bowtie)
    assert "Self-intersection" in str(err.value)
    with pytest.raises(LayerError, match="polygons"):
        tabulate_classes(grid, classes(("jalan", LineString([(X0, Y0), (X0 + 10, Y0)]))))
    with pytest.raises(FieldError, match="reserved"):
        tabulate_classes(grid, classes(("unmapped", box(X0, Y0, X0 + 10, Y0 + 10))))


def test_a_polygon_inside_the_villages_is_cut_once_less(grid: gpd.GeoDataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    from kawasan_gis.overlay import engine

    derived: list[set[int]] = []
    real = engine._derived_pairs

    def spy(vgeoms, geoms, qv, qg, cut, n_jobs):  # noqa: ANN001, ANN202
        pairs = real(vgeoms, geoms, qv, qg, cut, n_jobs)
        derived.append({int(k) for k in qg[pairs]})
        return pairs

    monkeypatch.setattr(engine, "_derived_pairs", spy)
    # 0: a 1 km square centred on the corner of villages 1, 2, 5 and 6 (25 ha in each), inside
    # the villages' union; 1: a 1,000 x 200 m strip half outside the grid's west edge (10 ha in village 1)
    layer = classes(("sawah", box(X0 + 500, Y0 + 500, X0 + 1500, Y0 + 1500)), ("hutan", box(X0 - 500, Y0 + 200, X0 + 500, Y0 + 400)))
    table = tabulate_classes(grid, layer)
    assert derived == [{0}]  # the square's last piece is its area less three pieces; the strip is cut
    for k in (1, 2, 5, 6):
        assert table.loc[code(k), "sawah"] == pytest.approx(25.0, abs=1e-9)
    assert table.loc[code(1), "hutan"] == pytest.approx(10.0, abs=1e-9)
    assert table.loc[code(2), "hutan"] == 0.0
    # village 6 missing: a gap in the union, the square meets its outline and is cut 3 times
    derived.clear()
    table = tabulate_classes(grid[grid["kode_desa"] != code(6)], layer)
    assert derived == [set()]
    assert [table.loc[code(k), "sawah"] for k in (1, 2, 5)] == pytest.approx([25.0] * 3, abs=1e-9)
    # village 2 drawn 100 m into village 1: villages overlap, nothing is taken by difference
    derived.clear()
    wide = grid.copy()
    wide.loc[1, "geometry"] = box(X0 + 900, Y0, X0 + 2000, Y0 + 1000)
    table = tabulate_classes(wide, layer)
    assert derived == [set()]
    assert table.loc[code(2), "sawah"] == pytest.approx(30.0, abs=1e-9) and table.loc[code(1), "sawah"] == pytest.approx(25.0, abs=1e-9)


def test_a_read_layer_is_validated_once_and_an_edited_one_again(grid: gpd.GeoDataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kawasan_gis.io import read_class_layer, read_villages
    from kawasan_gis.overlay import inputs
    from kawasan_gis.vocab import apply_mapping

    grid.to_file(tmp_path / "desa.gpkg")
    classes(("sawah", box(X0, Y0, X0 + 500, Y0 + 500)), ("hutan", box(X0 + 500, Y0, X0 + 1500, Y0 + 500))).to_file(tmp_path / "lu.gpkg")
    desa = read_villages(tmp_path / "desa.gpkg")
    layer = read_class_layer(tmp_path / "lu.gpkg", kind="landuse", working_crs=desa.crs)
    # matched (a copy of the frame, the same geometries): the overlay does not test validity again
    layer, _ = apply_mapping(layer, kind="landuse", column="kelas", template_path=tmp_path / "pemetaan.toml")
    tests = []
    monkeypatch.setattr(inputs, "parallel", lambda f, g, n=2: tests.append(len(g)) or f(g))
    table = tabulate_classes(desa, layer, class_column="kelas_raw")
    assert tests == []
    # 500 m x 500 m squares of 25 ha: sawah and hutan in village 1, hutan in village 2 (1 km x 1 km villages)
    assert table.loc[code(1), "sawah"] == pytest.approx(25.0) and table.loc[code(1), "hutan"] == pytest.approx(25.0)
    assert table.loc[code(2), "hutan"] == pytest.approx(25.0) and table.loc[code(2), "sawah"] == 0.0
    # a geometry replaced in place after reading is not trusted: the bow-tie is found
    bowtie = Polygon([(X0, Y0), (X0 + 10, Y0 + 10), (X0 + 10, Y0), (X0, Y0 + 10)])
    edited = layer.copy()
    edited.loc[0, "geometry"] = bowtie
    with pytest.raises(GeometryError, match="1 invalid"):
        tabulate_classes(desa, edited, class_column="kelas_raw")
    assert tests == [2]
    replaced = layer.set_geometry(gpd.GeoSeries([bowtie, layer.geometry.iloc[1]], crs=layer.crs))
    with pytest.raises(GeometryError, match="1 invalid"):
        resolve_overlaps(replaced, class_column="kelas_raw")


# ----------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def lamtim(lamtim_desa_path: Path, lamtim_rtrw_path: Path) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    from kawasan_gis.io import read_class_layer, read_villages
    from kawasan_gis.vocab import apply_mapping

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RepairWarning)  # the one self-intersecting Pertanian polygon
        desa = read_villages(lamtim_desa_path)
        rtrw = read_class_layer(lamtim_rtrw_path, kind="rtrw", working_crs=desa.crs)
    mapped, _ = apply_mapping(rtrw, kind="rtrw")
    return desa, mapped


@pytest.mark.slow
def test_lampung_timur_rtrw(lamtim: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]) -> None:
    desa, rtrw = lamtim
    assert desa.crs.to_epsg() == 32748
    assert desa["luas_ha"].sum() / 100 == pytest.approx(3858, abs=1)  # km2, SOURCE.md
    # SOURCE.md: 411,448 ha of features, 393,263 ha once overlaps are counted once.
    assert rtrw.area.sum() / 1e4 == pytest.approx(411_448, abs=1)
    resolved = resolve_overlaps(rtrw, priority=default_priority("rtrw"))
    assert resolved.area.sum() / 1e4 == pytest.approx(393_263, abs=1)
    # SOURCE.md: ~18,197 ha in pairs overlapping by more than 0.01 ha (pairs, so triple overlaps count twice).
    assert resolved.loc[resolved["overlap"]].area.sum() / 1e4 == pytest.approx(18_197, rel=0.005)

    table = tabulate_classes(desa, rtrw, priority=default_priority("rtrw"))
    classes_ha = table.drop(columns=[UNMAPPED, OVERLAP])
    # Resolving leaves slivers of ~1e-9 of the area (floating point): unmapped is clipped at 0.
    np.testing.assert_allclose(classes_ha.sum(axis=1) + table[UNMAPPED], desa["luas_ha"], rtol=1e-8)
    # SOURCE.md: the pola ruang covers 380,812 ha of the village union (villages overlap a little).
    assert classes_ha.to_numpy().sum() == pytest.approx(380_812, rel=5e-4)
    covered = 100 * classes_ha.sum(axis=1) / desa.set_index("kode_desa")["luas_ha"]
    for kode, pct in (("1807092006", 6), ("1807092011", 26), ("1807132004", 78)):  # least covered, SOURCE.md
        assert covered[kode] == pytest.approx(pct, abs=1)
    assert covered.median() == pytest.approx(100, abs=0.01)
    # Lindung wins: no hutan lindung / taman nasional area is lost to budidaya.
    lost = rtrw.loc[rtrw["kelas"].isin(["hutan_lindung", "taman_nasional"])]
    kept = tabulate_classes(desa, lost, overlaps="keep")
    for c in ("hutan_lindung", "taman_nasional"):
        assert table[c].sum() == pytest.approx(kept[c].sum(), rel=1e-3)

    # Exact against geopandas.overlay + groupby on the resolved layer (exploded: overlay cuts
    # whole MultiPolygons and would take minutes on the largest ones).
    parts = resolved.explode(index_parts=False).reset_index(drop=True)
    mine = tabulate_classes(desa, parts, overlaps="keep")
    ref = overlay_groupby(desa, parts).reindex(index=mine.index, columns=mine.columns, fill_value=0.0)
    np.testing.assert_allclose(mine.to_numpy(), ref.to_numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(mine.to_numpy(), classes_ha[mine.columns].to_numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.slow
def test_gorontalo_landuse(gorontalo_desa_path: Path, gorontalo_lulc_path: Path) -> None:
    from kawasan_gis.io import read_class_layer, read_villages

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RepairWarning)
        desa = read_villages(gorontalo_desa_path, layer="desa")
        lulc = read_class_layer(gorontalo_lulc_path, kind="landuse", working_crs=desa.crs)
    assert desa.crs.to_epsg() == 32651
    mine = tabulate_classes(desa, lulc, class_column="penggunaan_lahan", overlaps="keep")
    ref = overlay_groupby(desa, lulc, "penggunaan_lahan").reindex(index=mine.index, columns=mine.columns, fill_value=0.0)
    np.testing.assert_allclose(mine.to_numpy(), ref.to_numpy(), rtol=1e-6, atol=1e-6)
    # SOURCE.md figures are for a 500 m buffer around the kabupaten: villages hold a bit less.
    source_ha = {"Sawah": 22_923, "Permukiman dan Tempat Kegiatan": 7_498, "Air Tambak": 6_452, "Danau": 4_007,
                 "Hutan Bakau": 1_483, "Hutan Tanaman Industri": 607}
    for name, ha in source_ha.items():
        assert 0.85 * ha <= mine[name].sum() <= ha * 1.005, name
    resolved = tabulate_classes(desa, lulc, class_column="penggunaan_lahan")
    assert resolved[OVERLAP].sum() < 5  # SOURCE.md: separate class files overlap by ~3 ha
    mapped = resolved.drop(columns=[UNMAPPED, OVERLAP]).sum(axis=1)
    assert mapped.sum() / desa["luas_ha"].sum() == pytest.approx(0.077, abs=0.01)  # ~8 % mapped


# ----------------------------------------------------------------------- rasters


def write_raster(path: Path, data: np.ndarray, transform, crs: str = UTM48S, nodata: float | None = 255) -> Path:
    with rasterio.open(path, "w", driver="GTiff", width=data.shape[1], height=data.shape[0], count=1,
                       dtype=data.dtype, crs=crs, transform=transform, nodata=nodata) as dst:
        dst.write(data, 1)
    return path


@pytest.fixture
def half_cells(tmp_path: Path) -> Path:
    """10 m cells offset by 5 m from the village edges; columns 0-50 class 1, then class 2."""
    data = np.where(np.arange(102)[None, :] < 51, 1, 2).repeat(102, axis=0).astype("uint8")
    data[:10, :10] = 255
    return write_raster(tmp_path / "lc.tif", data, from_origin(X0 - 5, Y0 + 1005, 10, 10))


def test_raster_partial_cells_by_hand(grid: gpd.GeoDataFrame, half_cells: Path) -> None:
    table = raster_histogram(grid, half_cells)
    assert list(table.columns) == ["1", "2", UNMAPPED]
    # Village 1: class 1 from x = 0 to 505 m, class 2 from 505 to 1000; the 10 x 10 nodata
    # corner covers 95 m x 95 m of it. Edge cells count half, not all or nothing.
    assert table.loc[code(1), "1"] == pytest.approx(50.5 - 0.9025, rel=1e-9)
    assert table.loc[code(1), "2"] == pytest.approx(49.5, rel=1e-9)
    assert table.loc[code(1), UNMAPPED] == pytest.approx(0.9025, rel=1e-9)
    # Village 2: the raster ends 15 m into it.
    assert table.loc[code(2), "2"] == pytest.approx(1.5, rel=1e-9)
    assert table.loc[code(2), UNMAPPED] == pytest.approx(98.5, rel=1e-9)
    # Village 5 (north of 1): the raster reaches 5 m into it, with the nodata corner.
    assert table.loc[code(5), "1"] == pytest.approx(0.2525 - 0.0475, rel=1e-9)
    assert table.loc[code(5), "2"] == pytest.approx(0.2475, rel=1e-9)
    # Elsewhere: nothing but unmapped.
    assert table.loc[code(16), UNMAPPED] == pytest.approx(100.0)
    np.testing.assert_allclose(table.sum(axis=1), grid["luas_ha"], rtol=1e-12)


def test_raster_nodata_value_and_class_map(grid: gpd.GeoDataFrame, half_cells: Path, caplog: pytest.LogCaptureFixture) -> None:
    table = raster_histogram(grid, half_cells, nodata=2)
    assert "2" not in table.columns
    assert table.loc[code(1), UNMAPPED] == pytest.approx(49.5 + 0.9025)
    with caplog.at_level(logging.WARNING, logger="kawasan_gis.overlay"):
        table = raster_histogram(grid, half_cells, class_map={1: "hutan"})
    assert list(table.columns) == ["2", "hutan", UNMAPPED]
    assert "not in the class map" in caplog.text
    table = raster_histogram(grid, half_cells, class_map={1: "pertanian", 2: "pertanian"})
    assert table.loc[code(1), "pertanian"] == pytest.approx(100 - 0.9025)


def test_raster_equals_exactextract(grid: gpd.GeoDataFrame, tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    data = rng.integers(0, 6, (230, 260)).astype("uint8")
    path = write_raster(tmp_path / "r.tif", data, from_origin(X0 - 317.3, Y0 + 4123.9, 17.3, 17.9), nodata=None)
    villages = grid.copy()
    villages["geometry"] = voronoi_layer(16, (X0 - 100, Y0 - 100, X0 + 4100, Y0 + 4100), seed=6)
    villages["geometry"] = shapely.difference(villages.geometry.values, box(X0 + 1900, Y0 + 1900, X0 + 2300, Y0 + 2300))
    mine = raster_histogram(villages, path)
    ref = exactextract.exact_extract(str(path), villages, ["unique", "frac", "count"], include_cols=["kode_desa"], output="pandas")
    cell_ha = 17.3 * 17.9 / 1e4
    for _, row in ref.iterrows():
        for value, frac in zip(row["unique"], row["frac"]):
            assert mine.loc[row["kode_desa"], str(int(value))] == pytest.approx(frac * row["count"] * cell_ha, rel=1e-6)
    np.testing.assert_allclose(mine.sum(axis=1), villages.area / 1e4, rtol=1e-9)


def test_raster_in_geographic_crs(grid: gpd.GeoDataFrame, tmp_path: Path) -> None:
    lonlat = grid.to_crs("EPSG:4326")
    xmin, ymin, xmax, ymax = lonlat.total_bounds
    res = 0.0004  # ~44 m
    width, height = int((xmax - xmin) / res) + 4, int((ymax - ymin) / res) + 4
    rng = np.random.default_rng(7)
    data = rng.integers(1, 4, (height, width)).astype("uint8")
    transform = from_origin(xmin - 2 * res, ymax + 2 * res, res, res)
    path = write_raster(tmp_path / "ll.tif", data, transform, crs="EPSG:4326")
    mine = raster_histogram(grid, path)
    np.testing.assert_allclose(mine.sum(axis=1), 100.0, rtol=1e-12)
    assert mine[UNMAPPED].max() < 1e-9
    ref = exactextract.exact_extract(str(path), lonlat, ["unique", "frac"], include_cols=["kode_desa"], output="pandas")
    for _, row in ref.iterrows():
        for value, frac in zip(row["unique"], row["frac"]):
            # exactextract does not weight cells by latitude; over 1 km that changes the share by <1e-5.
            assert mine.loc[row["kode_desa"], str(int(value))] / 100 == pytest.approx(frac, abs=1e-5)
    # A single class over a village gives exactly its area, whatever the raster's CRS.
    single = write_raster(tmp_path / "one.tif", np.ones_like(data), transform, crs="EPSG:4326")
    np.testing.assert_allclose(raster_histogram(grid, single)["1"], 100.0, rtol=1e-12)


def test_raster_errors(grid: gpd.GeoDataFrame, tmp_path: Path, half_cells: Path) -> None:
    with pytest.raises(DataSourceError, match="cannot open raster"):
        raster_histogram(grid, tmp_path / "nope.tif")
    nocrs = tmp_path / "nocrs.tif"
    with rasterio.open(nocrs, "w", driver="GTiff", width=2, height=2, count=1, dtype="uint8",
                       transform=from_origin(X0, Y0, 10, 10)) as dst:
        dst.write(np.ones((2, 2), "uint8"), 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rasterio.errors.NotGeoreferencedWarning)
        with pytest.raises(CRSError, match="no CRS"):
            raster_histogram(grid, nocrs)
    with pytest.raises(LayerError, match="band 2"):
        raster_histogram(grid, half_cells, band=2)


# ----------------------------------------------------------------------- lines


def test_line_density_by_hand(grid: gpd.GeoDataFrame) -> None:
    roads = gpd.GeoDataFrame(
        {"kelas_jalan": ["arteri", "lokal", "lokal"]},
        geometry=[
            LineString([(X0 + 500, Y0 + 500), (X0 + 1500, Y0 + 500)]),  # 0.5 km in villages 1 and 2
            MultiLineString([[(X0 + 100, Y0 + 100), (X0 + 100, Y0 + 400)], [(X0 + 200, Y0 + 100), (X0 + 200, Y0 + 300)]]),
            LineString([(X0 + 1000, Y0 + 1200), (X0 + 1000, Y0 + 1800)]),  # on the border of villages 5 and 6
        ],
        crs=UTM48S,
    )
    dens = line_density(grid, roads, by="kelas_jalan")
    assert list(dens.columns) == ["km_per_km2", "km_per_km2_arteri", "km_per_km2_lokal"]
    assert dens.loc[code(1), "km_per_km2_arteri"] == pytest.approx(0.5)
    assert dens.loc[code(1), "km_per_km2_lokal"] == pytest.approx(0.5)
    assert dens.loc[code(1), "km_per_km2"] == pytest.approx(1.0)
    assert dens.loc[code(2), "km_per_km2"] == pytest.approx(0.5)
    assert dens.loc[code(5), "km_per_km2"] == pytest.approx(0.6)
    assert dens.loc[code(6), "km_per_km2"] == pytest.approx(0.6)
    assert dens.loc[code(16), "km_per_km2"] == 0
    plain = line_density(grid, roads.to_crs("EPSG:4326"))
    assert list(plain.columns) == ["km_per_km2"]
    assert plain.loc[code(1), "km_per_km2"] == pytest.approx(1.0, rel=1e-4)


def test_line_density_counts_lines_without_a_class(grid: gpd.GeoDataFrame, caplog: pytest.LogCaptureFixture) -> None:
    roads = gpd.GeoDataFrame(
        {"kelas_jalan": ["arteri", None, "  ", np.nan]},
        geometry=[
            LineString([(X0 + 100, Y0 + 500), (X0 + 900, Y0 + 500)]),  # 0.8 km in village 1
            LineString([(X0 + 100, Y0 + 200), (X0 + 400, Y0 + 200)]),  # 0.3 km in village 1, no class
            LineString([(X0 + 1200, Y0 + 100), (X0 + 1200, Y0 + 800)]),  # 0.7 km in village 2, blank class
            LineString([(X0 + 1500, Y0 + 500), (X0 + 2500, Y0 + 500)]),  # 0.5 km in villages 2 and 3, NaN
        ],
        crs=UTM48S,
    )
    with caplog.at_level(logging.WARNING, logger="kawasan_gis.overlay"):
        dens = line_density(grid, roads, by="kelas_jalan")
    assert "3 feature(s) have no 'kelas_jalan' value" in caplog.text
    assert list(dens.columns) == ["km_per_km2", "km_per_km2_arteri", "km_per_km2_tanpa_kelas"]
    # Villages are 1 km2, so km per km2 is km.
    assert dens.loc[code(1), "km_per_km2"] == pytest.approx(1.1)
    assert dens.loc[code(1), "km_per_km2_arteri"] == pytest.approx(0.8)
    assert dens.loc[code(1), "km_per_km2_tanpa_kelas"] == pytest.approx(0.3)
    assert dens.loc[code(2), "km_per_km2"] == pytest.approx(1.2)
    assert dens.loc[code(2), "km_per_km2_tanpa_kelas"] == pytest.approx(1.2)
    assert dens.loc[code(3), "km_per_km2"] == pytest.approx(0.5)
    assert dens.loc[code(4), "km_per_km2"] == 0
    # The same totals as without a class column.
    plain = line_density(grid, roads)
    assert dens["km_per_km2"].sum() == pytest.approx(2.8)  # 0.8 + 0.3 + 0.7 + 1.0 km of line
    assert np.allclose(dens["km_per_km2"], plain["km_per_km2"])


def test_line_density_when_no_line_has_a_class(grid: gpd.GeoDataFrame) -> None:
    roads = gpd.GeoDataFrame(
        {"kelas_jalan": [None]}, geometry=[LineString([(X0 + 100, Y0 + 500), (X0 + 700, Y0 + 500)])], crs=UTM48S
    )
    dens = line_density(grid, roads, by="kelas_jalan")
    assert list(dens.columns) == ["km_per_km2", "km_per_km2_tanpa_kelas"]
    assert dens.loc[code(1), "km_per_km2"] == pytest.approx(0.6)
    assert dens.loc[code(1), "km_per_km2_tanpa_kelas"] == pytest.approx(0.6)


def test_line_density_errors(grid: gpd.GeoDataFrame) -> None:
    pts = gpd.GeoDataFrame(geometry=[Point(X0, Y0)], crs=UTM48S)
    with pytest.raises(LayerError, match="lines"):
        line_density(grid, pts)
    with pytest.raises(FieldError, match="'kelas_jalan'"):
        line_density(grid, gpd.GeoDataFrame(geometry=[LineString([(X0, Y0), (X0 + 1, Y0)])], crs=UTM48S), by="kelas_jalan")


# ----------------------------------------------------------------------- points


def test_point_counts_and_distances_by_hand(grid: gpd.GeoDataFrame) -> None:
    pts = gpd.GeoDataFrame(
        {"jenis": ["pasar", "pasar", "pasar", "bendungan"]},
        geometry=[
            Point(X0 + 500, Y0 + 500),
            Point(X0 + 500.4, Y0 + 500.3),  # the same market again, 0.5 m away
            Point(X0 + 1500, Y0 + 1500),
            Point(X0 + 500, Y0 + 500),  # a dam at the market's place: another class
        ],
        crs=UTM48S,
    )
    stats = point_stats(grid, pts, by="jenis")
    assert list(stats.columns) == ["n", "jarak_km", "n_bendungan", "jarak_km_bendungan", "n_pasar", "jarak_km_pasar"]
    assert stats.loc[code(1), "n"] == 1  # all classes: one location
    assert stats.loc[code(1), "n_pasar"] == 1
    assert stats.loc[code(1), "n_bendungan"] == 1
    assert stats.loc[code(6), "n_pasar"] == 1
    assert stats["n"].sum() == 2
    assert stats.loc[code(1), "jarak_km"] == 0
    # Village 16 ([3000, 4000]^2): nearest market at (1500, 1500), 1.5 km away on each axis.
    assert stats.loc[code(16), "jarak_km_pasar"] == pytest.approx(np.hypot(1.5, 1.5))
    assert stats.loc[code(16), "jarak_km_bendungan"] == pytest.approx(np.hypot(2.5, 2.5))
    assert stats.loc[code(2), "jarak_km_pasar"] == pytest.approx(0.5)
    assert stats.loc[code(3), "jarak_km_pasar"] == pytest.approx(np.hypot(0.5, 0.5))
    every = point_stats(grid, pts, dedupe_tolerance=0)
    assert list(every.columns) == ["n", "jarak_km"]
    assert every.loc[code(1), "n"] == 3
    assert stats["n"].dtype.kind == "i"


def test_points_without_a_class_are_their_own_class(grid: gpd.GeoDataFrame) -> None:
    pts = gpd.GeoDataFrame(
        {"jenis": ["pasar", None, ""]},
        geometry=[Point(X0 + 500, Y0 + 500), Point(X0 + 1500, Y0 + 500), Point(X0 + 2500, Y0 + 500)],
        crs=UTM48S,
    )
    stats = point_stats(grid, pts, by="jenis")
    assert list(stats.columns) == ["n", "jarak_km", "n_pasar", "jarak_km_pasar", "n_tanpa_kelas", "jarak_km_tanpa_kelas"]
    assert stats["n"].sum() == 3
    assert stats["n_tanpa_kelas"].sum() == 2
    assert stats.loc[code(2), "n_tanpa_kelas"] == 1
    assert stats.loc[code(3), "n_tanpa_kelas"] == 1
    # Village 1 ([0, 1000]^2): the nearest point without a class is in village 2, its edge 0.5 km away.
    assert stats.loc[code(1), "jarak_km_tanpa_kelas"] == pytest.approx(0.5)


def test_points_multipoint_empty_and_crs(grid: gpd.GeoDataFrame) -> None:
    pts = gpd.GeoDataFrame(geometry=[MultiPoint([(X0 + 100, Y0 + 100), (X0 + 3500, Y0 + 3500)])], crs=UTM48S)
    stats = point_stats(grid, pts.to_crs("EPSG:4326"))
    assert stats.loc[code(1), "n"] == 1
    assert stats.loc[code(16), "n"] == 1
    empty = point_stats(grid, gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=UTM48S)))
    assert empty["n"].eq(0).all()
    assert empty["jarak_km"].isna().all()


@pytest.mark.slow
def test_lampung_timur_activity_centres(lamtim: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame], lamtim_konteks_path: Path) -> None:
    desa, _ = lamtim
    pusat = gpd.read_file(lamtim_konteks_path, layer="pusat_kegiatan").to_crs(desa.crs)
    assert len(pusat) == 290
    stats = point_stats(desa, pusat)
    # SOURCE.md: 268 distinct centres; independent count with a spatial join of the distinct locations.
    unique = pusat.drop_duplicates(subset="geometry")
    assert len(unique) == 268
    inside = gpd.sjoin(unique, desa[["kode_desa", "geometry"]], predicate="intersects")
    assert stats["n"].sum() == len(inside)
    expected = inside.groupby("kode_desa").size().reindex(stats.index, fill_value=0)
    assert (stats["n"] == expected).all()
    assert (stats.loc[stats["n"] > 0, "jarak_km"] == 0).all()
    assert stats["jarak_km"].max() < 5
