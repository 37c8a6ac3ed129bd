"""The exact first pass of resolve_overlaps: where a polygon layer can overlap, from its edges."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from conftest import UTM48S
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Polygon, box

import kawasan_gis.overlay.overlaps as overlaps_module
from kawasan_gis.overlay import resolve_overlaps
from kawasan_gis.io.winding import overlap_zones


def layer(*geoms: object) -> np.ndarray:
    return np.array(geoms, dtype=object)


def voronoi(n: int, side: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    pts = shapely.multipoints(rng.uniform(0, side, (n, 2)))
    cells = shapely.get_parts(shapely.voronoi_polygons(pts, extend_to=box(0, 0, side, side)))
    return shapely.intersection(cells, box(0, 0, side, side))


def zone_area(zones: np.ndarray) -> float:
    return float(shapely.union_all(zones).area) if len(zones) else 0.0


@pytest.mark.parametrize(
    "geoms",
    [
        # a T-junction: the top tile's lower edge is one segment, the two tiles below have two
        layer(box(0, 0, 1, 1), box(1, 0, 2, 1), box(0, 1, 2, 2)),
        # a hole filled exactly by another polygon
        layer(Polygon([(0, 0), (3, 0), (3, 3), (0, 3)], [[(1, 1), (2, 1), (2, 2), (1, 2)]]), box(1, 1, 2, 2)),
        # far apart, and touching at a corner only
        layer(box(0, 0, 1, 1), box(5, 5, 6, 6), box(6, 6, 7, 7)),
    ],
    ids=["t-junction", "hole-filled", "apart"],
)
def test_partitions_are_proven_free_of_overlaps(geoms: np.ndarray) -> None:
    zones = overlap_zones(geoms)
    assert zones is not None and len(zones) == 0


@pytest.mark.parametrize(
    ("geoms", "overlap"),
    [
        (layer(box(0, 0, 2, 2), box(1, 1, 3, 3)), 1.0),  # crossing: the square (1, 1)-(2, 2)
        (layer(box(0, 0, 3, 3), box(1, 1, 2, 2)), 1.0),  # nested, boundaries apart
        (layer(box(0, 0, 3, 3), box(0, 0, 1, 1)), 1.0),  # nested in a corner, sharing two edges
        (layer(Polygon([(0, 0), (3, 0), (3, 3), (0, 3)], [[(1, 1), (2, 1), (2, 2), (1, 2)]]), box(0.5, 0.5, 2, 2)),
         1.5 * 1.5 - 1.0),  # over the hole's rim: 2.25 covered, 1 of it the hole
        (layer(box(0, 0, 1, 1), box(1 - 1e-4, 0, 2, 1)), 1e-4),  # a sliver 0.1 mm wide
        # two partitions of one square in one layer: every interior edge cancels, yet all overlaps
        (layer(box(0, 0, 1, 2), box(1, 0, 2, 2), box(0, 0, 2, 1), box(0, 1, 2, 2)), 4.0),
    ],
    ids=["crossing", "nested", "corner", "hole-rim", "sliver", "two-partitions"],
)
def test_overlaps_lie_in_the_zones(geoms: np.ndarray, overlap: float) -> None:
    zones = overlap_zones(geoms)
    assert zones is not None
    # the zones are exactly the area covered twice, computed by hand
    assert zone_area(zones) == pytest.approx(overlap, rel=1e-9)


def test_duplicate_polygon_is_left_to_the_pairwise_test() -> None:
    assert overlap_zones(layer(box(0, 0, 1, 1), box(0, 0, 1, 1))) is None


def test_voronoi_partition_proven_and_one_extra_polygon_found() -> None:
    cells = voronoi(400, 10_000, seed=3)
    zones = overlap_zones(cells)
    assert zones is not None and len(zones) == 0
    # an independent check: no pair of neighbouring cells shares interior points
    i, j = shapely.STRtree(cells).query(cells)
    assert not shapely.relate_pattern(cells[i[i < j]], cells[j[i < j]], "T********").any()
    extra = box(2_000, 3_000, 2_500, 3_200)
    zones = overlap_zones(np.append(cells, extra))
    assert zones is not None
    assert zone_area(zones) == pytest.approx(500 * 200, rel=1e-9)


def test_batches_of_few_vertices_find_the_same_zones(monkeypatch: pytest.MonkeyPatch) -> None:
    import kawasan_gis.io.winding as winding

    extra = box(2_000, 3_000, 2_500, 3_200)
    cells = np.append(voronoi(400, 10_000, seed=3), extra)
    whole = overlap_zones(cells)
    monkeypatch.setattr(winding, "_CHUNK_VERTICES", 300)  # 10 batches of ~40 cells instead of one
    batched = overlap_zones(cells)
    assert batched is not None and zone_area(batched) == pytest.approx(500 * 200, rel=1e-9)
    assert len(batched) == len(whole) and all(a.equals_exact(b, 0) for a, b in zip(batched, whole))
    # and a partition is still proven free of overlaps batch by batch
    assert len(overlap_zones(cells[:-1])) == 0


def resolve_both_ways(zones: gpd.GeoDataFrame, monkeypatch: pytest.MonkeyPatch) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    fast = resolve_overlaps(zones, priority={"hutan_lindung": 2})
    with monkeypatch.context() as m:
        m.setattr(overlaps_module, "overlap_zones", lambda g, n_jobs: None)  # every neighbouring pair tested
        slow = resolve_overlaps(zones, priority={"hutan_lindung": 2})
    return fast, slow


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["hutan_lindung", "pertanian"]), st.integers(0, 20), st.integers(0, 20),
                  st.integers(1, 12), st.integers(1, 12)),
        min_size=1, max_size=6,
    ),
    st.integers(0, 3),
)
def test_resolve_overlaps_identical_with_and_without_the_first_pass(rects: list, seed: int) -> None:
    # a Voronoi partition (proven part) with rectangles drawn over it (overlaps to find)
    cells = voronoi(60, 3_000, seed=seed)
    geoms = list(cells) + [box(100 * x, 100 * y, 100 * (x + w), 100 * (y + h)) for _, x, y, w, h in rects]
    kelas = ["pertanian"] * len(cells) + [k for k, *_ in rects]
    zones = gpd.GeoDataFrame({"kelas": kelas}, geometry=geoms, crs=UTM48S)
    with pytest.MonkeyPatch.context() as mp:
        fast, slow = resolve_both_ways(zones, mp)
    assert len(fast) == len(slow)
    assert shapely.equals_exact(fast.geometry.values, slow.geometry.values, 0).all()
    assert fast.drop(columns="geometry").equals(slow.drop(columns="geometry"))


def test_hash_collisions_fall_back_to_exact_grouping(monkeypatch: pytest.MonkeyPatch) -> None:
    import kawasan_gis.io.winding as winding

    # every point hashes alike: all segments collide, and only the exact grouping is left
    monkeypatch.setattr(winding, "_mix", lambda x, y: np.zeros(len(x), dtype=np.uint64))
    assert len(overlap_zones(voronoi(100, 5_000, seed=5))) == 0
    assert zone_area(overlap_zones(layer(box(0, 0, 2, 2), box(1, 1, 3, 3)))) == pytest.approx(1.0)
    assert zone_area(overlap_zones(layer(box(0, 0, 1, 2), box(1, 0, 2, 2), box(0, 0, 2, 1), box(0, 1, 2, 2)))) == pytest.approx(4.0)


def test_coverage_problems_same_from_the_faces_as_from_the_union(monkeypatch: pytest.MonkeyPatch) -> None:
    import kawasan_gis.io.coverage as coverage
    from kawasan_gis.io import coverage_problems

    # a 4 x 4 km block of 1 km villages with a 1.2 x 1.2 km gap holding a 200 m island village,
    # and one village pushed 50 m into its neighbour over 300 m (1.5 ha)
    cells = [box(x, y, x + 1000, y + 1000) for x in range(0, 4000, 1000) for y in range(0, 4000, 1000)]
    gap = box(1400, 1400, 2600, 2600)
    geoms = [c.difference(gap) for c in cells] + [box(1900, 1900, 2100, 2100)]
    geoms[0] = geoms[0].union(box(1000, 0, 1050, 300))
    villages = gpd.GeoDataFrame({"kode_desa": [f"d{i:02d}" for i in range(len(geoms))]}, geometry=geoms, crs=UTM48S)
    fast = coverage_problems(villages)
    assert coverage.winding_faces(shapely.get_parts(np.asarray(villages.geometry.array))) is not None
    monkeypatch.setattr(coverage, "winding_faces", lambda g: None)
    slow = coverage_problems(villages)
    # by hand: the gap to its outer ring (the island inside it counted, as a hole of the union is)
    assert sorted(fast.luas_ha.round(9)) == sorted(slow.luas_ha.round(9)) == [1.5, 144.0]
    assert sorted(fast.desa) == sorted(slow.desa)
    assert fast.loc[fast.masalah == "tumpang_tindih", "desa"].tolist() == ["d00,d04"]
