"""Settlement hierarchy, road network and growth centres (kawasan_gis.centres).

The scalogram, Marshall and Sturges figures are checked against the hand computation written
next to each test; road distances against networkx's Dijkstra on a graph built independently
(from a unary union of the lines, vertex by vertex) on a real road extract of Lampung Timur.
"""

from __future__ import annotations

import math

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, Point, box

from kawasan_gis import centres as C
from kawasan_gis.errors import CRSError, FieldError, LayerError

from conftest import DATA, UTM48S, X0, Y0, grid_villages

CTX = DATA / "rtrw_lampung_timur" / "konteks_lampung_timur.gpkg"

# Five villages x four facility types (units). Hand computation:
#   presence totals per type: A 4, B 4, C 2, D 2 -> column order A B C D (ties keep input order)
#   types per village: v1 4, v2 3, v3 3, v4 1, v5 1; units v1 5, v2 3, v3 3, v4 1, v5 1
#   rows sorted: v1, v2, v3, v4, v5 (ties: units, then input order)
#   perfect rows: v1 1111, v2 1110, v3 1110, v4 1000, v5 1000
#   errors: v1 0, v2 2 (C missing, D extra), v3 0, v4 0, v5 2 (A missing, B extra) -> e = 4
#   COR = 1 - 4 / (5 x 4) = 0.8; present cells T = 12, COR' = (12 - 4) / 12 = 2/3
#   MMR = (max(4,1) + max(4,1) + max(2,3) + max(2,3)) / 20 = 14 / 20 = 0.7
#   CS = (0.8 - 0.7) / (1 - 0.7) = 1/3
MATRIX = pd.DataFrame(
    {"A": [2, 1, 1, 1, 0], "B": [1, 1, 1, 0, 1], "C": [1, 0, 1, 0, 0], "D": [1, 1, 0, 0, 0]},
    index=pd.Index(["v1", "v2", "v3", "v4", "v5"], name="kode_desa"),
)


def test_scalogram_hand_computed() -> None:
    s = C.scalogram(MATRIX)
    assert list(s.table.columns[:4]) == ["A", "B", "C", "D"]
    assert list(s.table.index) == ["v1", "v2", "v3", "v4", "v5"]
    assert s.table["kesalahan"].tolist() == [0, 2, 0, 0, 2]
    assert s.table["jumlah_jenis"].tolist() == [4, 3, 3, 1, 1]
    assert s.errors == 4
    assert s.cor == pytest.approx(0.8)
    assert s.cor_present == pytest.approx(2 / 3)
    assert s.mmr == pytest.approx(0.7)
    assert s.cs == pytest.approx(1 / 3)
    assert not s.accepted
    assert "COR 0,800 (< 0,90), CS 0,333 (< 0,60)" in s.verdict("id")
    assert "scale not accepted" in s.verdict("en")


def test_scalogram_sorts_columns_by_frequency_and_a_perfect_scale_is_accepted() -> None:
    # columns given rarest first; a perfect cumulative pattern once sorted: 0 errors, COR = 1
    m = pd.DataFrame({"rare": [1, 0, 0, 0], "mid": [1, 1, 0, 0], "common": [1, 1, 1, 0]}, index=list("dcba"))
    s = C.scalogram(m.iloc[::-1])
    assert list(s.table.columns[:3]) == ["common", "mid", "rare"]
    assert list(s.table.index) == ["d", "c", "b", "a"]
    assert s.errors == 0 and s.cor == 1.0
    # MMR = (max(3,1) + max(2,2) + max(1,3)) / 12 = 8/12; CS = (1 - 8/12) / (1 - 8/12) = 1
    assert s.mmr == pytest.approx(8 / 12)
    assert s.cs == pytest.approx(1.0)
    assert s.accepted


def test_scalogram_leaves_out_villages_without_data_and_needs_two_types() -> None:
    m = MATRIX.astype(float)
    m.loc["v6"] = [1.0, np.nan, 0.0, 0.0]
    s = C.scalogram(m)
    assert "v6" not in s.table.index and s.errors == 4
    one = C.scalogram(MATRIX[["A"]])
    assert math.isnan(one.cor) and "2 jenis" in one.verdict("id") and "2 facility types" in one.verdict("en")


def test_marshall_weights_and_index_by_units_and_presence() -> None:
    # units: T_A = 2+1+1+1 = 5 -> C_A = 20; T_B = 4 -> 25; T_C = 2 -> 50; T_D = 2 -> 50
    # I(v1) = 2*20 + 25 + 50 + 50 = 165; v2 = 20 + 25 + 50 = 95; v3 = 20 + 25 + 50 = 95; v4 = 20; v5 = 25
    cen = C.centrality(MATRIX)
    assert cen.weights.to_dict() == pytest.approx({"A": 20.0, "B": 25.0, "C": 50.0, "D": 50.0})
    assert cen.index.tolist() == pytest.approx([165.0, 95.0, 95.0, 20.0, 25.0])
    # presence: villages having A 4 -> 25, B 4 -> 25, C 2 -> 50, D 2 -> 50
    # I(v1) = 150, v2 = 25 + 25 + 50 = 100 ... v2 has A, B, D = 25 + 25 + 50 = 100; v3 A, B, C = 100; v4 25; v5 25
    pres = C.centrality(MATRIX, basis="presence")
    assert pres.weights.to_dict() == pytest.approx({"A": 25.0, "B": 25.0, "C": 50.0, "D": 50.0})
    assert pres.index.tolist() == pytest.approx([150.0, 100.0, 100.0, 25.0, 25.0])
    with pytest.raises(ValueError, match="basis"):
        C.centrality(MATRIX, basis="count")  # type: ignore[arg-type]


def test_sturges_classes_by_hand() -> None:
    # k = 1 + 3.322 log10 n: n=5 -> 3.32 -> 3; n=20 -> 5.32 -> 5; n=264 -> 9.04 -> 9; n=1000 -> 10.97 -> 11
    assert [C.sturges_k(n) for n in (5, 20, 264, 1000)] == [3, 5, 9, 11]
    # index 165, 95, 95, 20, 25: width (165 - 20) / 3 = 48.33; bounds 20, 68.3, 116.7, 165
    # 165 top class (orde I), 95 middle (II), 20 and 25 bottom (III)
    o = C.hierarchy_orders(C.centrality(MATRIX).index)
    assert o.k == 3
    assert o.edges == pytest.approx([20.0, 20 + 145 / 3, 20 + 290 / 3, 165.0])
    assert o.order.tolist() == [1.0, 2.0, 2.0, 3.0, 3.0]
    assert "Sturges" in o.describe("id") and "3 kelas" in o.describe("id")


def test_natural_breaks_and_equal_index() -> None:
    o = C.hierarchy_orders(pd.Series([165.0, 95, 95, 20, 25]), method="natural_breaks", n_classes=3)
    assert o.order.tolist() == [1.0, 2.0, 2.0, 3.0, 3.0]
    assert "Fisher-Jenks" in o.describe()
    flat = C.hierarchy_orders(pd.Series([5.0, 5.0, np.nan]))
    assert flat.order.tolist()[:2] == [1.0, 1.0] and math.isnan(flat.order.iloc[2])


def test_settlement_hierarchy_says_what_fed_it_and_what_is_missing() -> None:
    m = MATRIX.copy()
    m.attrs["sources"] = {c: f"layer {c}" for c in m.columns}
    h = C.settlement_hierarchy(m, categories={"A": "pendidikan", "B": "pendidikan", "C": "kesehatan", "D": "prasarana"})
    assert h.table.loc["v1", "orde_romawi"] == "I"
    assert h.table.loc["v1", "peringkat"] == 1
    assert any("ekonomi" in x for x in h.missing) and any("pemerintahan" in x for x in h.missing)
    assert not any("kesehatan" in x for x in h.missing)
    text = h.describe("id")
    assert "4 jenis fasilitas (A, B, C, D)" in text and "Tidak ada data: fasilitas ekonomi; fasilitas pemerintahan." in text
    assert "No data: economic facilities; government facilities." in h.describe("en")
    with pytest.raises(FieldError, match="kategori"):
        C.settlement_hierarchy(m, categories={"A": "sekolah"})
    with pytest.raises(FieldError, match="tidak ada jenis fasilitas"):
        C.settlement_hierarchy(m[[]])


# --------------------------------------------------------------------------- facility counts


def test_facility_counts_points_lines_and_table(grid: gpd.GeoDataFrame) -> None:
    codes = grid["kode_desa"].tolist()
    # two schools in village 1 (one repeated within 1 m), one in village 6
    pts = gpd.GeoDataFrame(
        geometry=[Point(X0 + 100, Y0 + 100), Point(X0 + 100.5, Y0 + 100), Point(X0 + 300, Y0 + 100), Point(X0 + 1500, Y0 + 1500)],
        crs=UTM48S,
    )
    # a canal along the southern row at y = Y0 + 500: villages 1-4
    canal = gpd.GeoDataFrame(geometry=[LineString([(X0, Y0 + 500), (X0 + 4000, Y0 + 500)])], crs=UTM48S)
    table = pd.DataFrame({"tbl_puskesmas": [1.0] + [0.0] * 14 + [np.nan]}, index=pd.Index(codes, name="kode_desa"))
    c = C.facility_counts(grid, points={"sma": pts}, lines={"irigasi": canal}, table=table, columns={"puskesmas": "tbl_puskesmas"})
    assert c.loc[codes[0], "sma"] == 2 and c.loc[codes[5], "sma"] == 1 and c["sma"].sum() == 3
    assert c["irigasi"].tolist() == [1.0] * 4 + [0.0] * 12
    assert math.isnan(c.loc[codes[15], "puskesmas"])
    assert set(c.attrs["sources"]) == {"sma", "irigasi", "puskesmas"}
    with pytest.raises(FieldError, match="tbl_pasar"):
        C.facility_counts(grid, table=table, columns={"pasar": "tbl_pasar"})
    with pytest.raises(FieldError, match="ganda"):
        C.facility_counts(grid, points={"x": pts}, lines={"x": canal})


# --------------------------------------------------------------------------- road network


@pytest.fixture(scope="module")
def road_extract() -> gpd.GeoDataFrame:
    """Roads of Lampung Timur inside a 5 km square around Sukadana (the kabupaten capital)."""
    roads = gpd.read_file(CTX, layer="jalan").to_crs(32748)
    centre = shapely.union_all(roads.geometry.values).centroid
    pk = gpd.read_file(CTX, layer="pusat_kegiatan").to_crs(32748)
    capital = pk.loc[pk["KETERANGAN"] == "Ibu Kota Kabupaten"].geometry.iloc[0]
    centre = capital if capital is not None else centre
    square = box(centre.x - 2500, centre.y - 2500, centre.x + 2500, centre.y + 2500)
    clipped = roads.clip(square)
    clipped = clipped[~clipped.geometry.is_empty]
    assert len(clipped) > 30  # a real, non-trivial extract
    return clipped


def _vertex_graph(lines: gpd.GeoDataFrame) -> nx.Graph:
    """Independent graph: unary union nodes the lines; every vertex pair is an edge of its length."""
    g = nx.Graph()
    for part in shapely.get_parts(shapely.unary_union(lines.geometry.values)):
        xy = shapely.get_coordinates(part)
        for a, b in zip(xy[:-1], xy[1:], strict=True):
            if tuple(a) != tuple(b):
                g.add_edge(tuple(a), tuple(b), weight=float(np.hypot(*(a - b))))
    return g


def test_network_distances_match_networkx_on_a_real_extract(road_extract: gpd.GeoDataFrame) -> None:
    net = C.road_network(road_extract, snap_m=0)  # exact topology, as the union gives it
    g = _vertex_graph(road_extract)
    assert net.n_components == nx.number_connected_components(g)
    # points on road vertices: no connector, so the distance is the network distance itself
    nodes = sorted(g.nodes)
    rng = np.random.default_rng(0)
    pick = [nodes[i] for i in rng.choice(len(nodes), size=12, replace=False)]
    att = net.attach(np.array([Point(p) for p in pick], dtype=object), largest_only=False)
    mine = att.distances(np.arange(len(pick)))
    for i, a in enumerate(pick):
        ref = nx.single_source_dijkstra_path_length(g, a, weight="weight")
        for j, b in enumerate(pick):
            if b in ref:
                # line ends within a millimetre are one node in road_network: agreement to 1 mm
                assert mine[i, j] == pytest.approx(ref[b], abs=1e-3)
            else:
                assert np.isinf(mine[i, j])
    # a bounded search gives the same answer (rows cut short are searched again)
    assert np.array_equal(att.distances(np.arange(len(pick)), limit=500.0), mine)


def test_network_hand_computed_noding_snapping_and_projection() -> None:
    # A horizontal road 0..1000 m and a vertical one crossing it at x = 400 without a shared
    # vertex, plus a spur starting 3 m off the end of the horizontal road (a digitising gap).
    roads = gpd.GeoDataFrame(
        geometry=[
            LineString([(0, 0), (1000, 0)]),
            LineString([(400, -300), (400, 300)]),
            LineString([(1003, 0), (1003, 500)]),
        ],
        crs=UTM48S,
    )
    net = C.road_network(roads, snap_m=5)
    assert net.n_components == 1
    assert C.road_network(roads, snap_m=0).n_components == 2
    # p: 10 m north of (100, 0); q: 20 m south of (700, 0); r: on the spur at (1003, 400); s: at (400, 300)
    pts = np.array([Point(100, 10), Point(700, -20), Point(1003, 400), Point(400, 300)], dtype=object)
    d = net.attach(pts).distances(np.arange(4))
    # p-q: 10 + 600 + 20 = 630 (both on the same piece: along it, not via its ends)
    assert d[0, 1] == pytest.approx(630.0)
    # p-r: 10 + 900 (to x=1000) + 3 (the gap, joined by a straight edge) + 400 up the spur = 1313
    assert d[0, 2] == pytest.approx(1313.0)
    # p-s: 10 + 300 (to the crossing) + 300 (up the vertical road) = 610
    assert d[0, 3] == pytest.approx(610.0)
    assert np.allclose(d, d.T) and np.all(np.diag(d) == 0)


def test_network_errors(grid: gpd.GeoDataFrame) -> None:
    with pytest.raises(CRSError, match="tidak terproyeksi"):
        C.road_network(gpd.GeoDataFrame(geometry=[LineString([(105, -5), (105.1, -5)])], crs=4326))
    with pytest.raises(LayerError, match="garis"):
        C.road_network(grid)


# --------------------------------------------------------------------------- centres


def _row_of_three() -> gpd.GeoDataFrame:
    v = grid_villages(n=3).iloc[:3].copy()  # three 1 km squares side by side
    v["kawasan_id"] = "K1"
    return v


def test_choose_centres_hand_computed() -> None:
    v = _row_of_three()
    codes = v["kode_desa"].tolist()
    road = gpd.GeoDataFrame(geometry=[LineString([(X0, Y0 + 500), (X0 + 3000, Y0 + 500)])], crs=UTM48S)
    pts = gpd.GeoSeries([Point(X0 + 500 + 1000 * i, Y0 + 500) for i in range(3)], index=v.index, crs=UTM48S)
    hier = pd.DataFrame({"indeks_sentralitas": [100.0, 50.0, 0.0], "orde": [1.0, 2.0, 3.0]}, index=codes)
    # road distances 1 km between neighbours, 2 km end to end
    # closeness: middle (2/2)(2/2) = 1, ends (2/2)(2/3) = 2/3 -> scaled 0, 1, 0
    # hierarchy scaled 1, 0.5, 0; weights 0.4 and 0.35 (no designation given: its weight is dropped)
    # score v1 = 0.4/0.75 = 0.5333, v2 = (0.2 + 0.35)/0.75 = 0.7333, v3 = 0
    c = C.choose_centres(v, hierarchy=hier, roads=C.road_network(road), village_points=pts, beyond_km=0.8)
    assert c.basis == "jalan"
    assert c.villages["nilai_pusat"].tolist() == pytest.approx([0.4 / 0.75, 0.55 / 0.75, 0.0])
    k = c.kawasan.iloc[0]
    assert k["pusat_kode"] == codes[1] and k["pesaing_kode"] == codes[0]
    # v1 and v3 are 1 km (> 0.8) from the centre: the best of them (v1) becomes the secondary centre
    assert k["pusat_kedua_kode"] == codes[0]
    # served distances: v1 0 (own centre), v2 0, v3 1 km -> mean 1/3, max 1, one far village
    assert k["jarak_rata_pusat_km"] == pytest.approx(1 / 3)
    assert k["jarak_maks_pusat_km"] == pytest.approx(1.0)
    assert k["n_desa_jauh"] == 1
    assert "Desa 2: nilai pusat 0,73" in k["pusat_alasan"] and "Pesaing: Desa 1 (nilai 0,53)" in k["pusat_alasan"]
    assert "lewat jalan" in k["pusat_alasan"] and "by road" in k["pusat_alasan_en"]
    assert list(c.points["peran"]) == ["utama", "kedua"]


def test_choose_centres_designation_and_straight_line_fallback() -> None:
    v = _row_of_three()
    codes = v["kode_desa"].tolist()
    des = pd.DataFrame({"penetapan_rtrw": [None, None, "PPK"], "level_penetapan": [0, 0, 2]}, index=codes)
    # only designation and straight-line closeness: v3 designation 2/5 = 0.4, closeness scaled 0, 1, 0
    # score v1 = 0, v2 = 0.35/0.6 = 0.583, v3 = 0.25*0.4/0.6 = 0.167 -> v2
    c = C.choose_centres(v, designation=des)
    assert c.basis == "garis_lurus"
    assert c.villages["nilai_pusat"].tolist() == pytest.approx([0.0, 0.35 / 0.6, 0.1 / 0.6])
    assert "garis lurus" in c.kawasan.iloc[0]["pusat_alasan"]
    # with designation weighted alone, the PPK village wins and the reason names it
    c2 = C.choose_centres(v, designation=des, weights={"aksesibilitas": 0, "hierarki": 0, "penetapan": 1})
    assert c2.kawasan.iloc[0]["pusat_kode"] == codes[2]
    assert "ditetapkan RTRW sebagai PPK" in c2.kawasan.iloc[0]["pusat_alasan"]
    with pytest.raises(FieldError, match="bobot"):
        C.choose_centres(v, weights={"jarak": 1.0})
    with pytest.raises(FieldError, match="kawasan_id"):
        C.choose_centres(v.drop(columns="kawasan_id"))


def test_designated_centres_levels(grid: gpd.GeoDataFrame) -> None:
    pts = gpd.GeoDataFrame(
        {"Fungsi": ["PPK", "PKLp", None, "Ibukota Desa", "PKW"]},
        geometry=[Point(X0 + 100, Y0 + 100), Point(X0 + 200, Y0 + 100), Point(X0 + 1500, Y0 + 100), Point(X0 + 2500, Y0 + 100), Point(X0 + 3500, Y0 + 3500)],
        crs=UTM48S,
    )
    d = C.designated_centres(grid, pts, column="Fungsi")
    codes = grid["kode_desa"].tolist()
    assert d.loc[codes[0], "level_penetapan"] == 3 and d.loc[codes[0], "penetapan_rtrw"] == "PKLp"
    assert d.loc[codes[1], "level_penetapan"] == 0 and d.loc[codes[2], "level_penetapan"] == 0
    assert d.loc[codes[15], "level_penetapan"] == 4
    with pytest.raises(FieldError, match="Fungsi2"):
        C.designated_centres(grid, pts, column="Fungsi2")


@pytest.mark.slow
def test_real_lampung_timur_centres_inside_their_kawasan() -> None:
    from kawasan_gis.io import read_villages

    desa = read_villages(DATA / "rtrw_lampung_timur" / "desa_lampung_timur.gpkg", layer="desa", working_crs=UTM48S)
    roads = gpd.read_file(CTX, layer="jalan").to_crs(UTM48S)
    pk = gpd.read_file(CTX, layer="pusat_kegiatan").to_crs(UTM48S)
    sma = gpd.read_file(DATA / "fasilitas" / "sma_lampung_timur_gorontalo.gpkg").to_crs(UTM48S)
    counts = C.facility_counts(desa, points={"sma": sma})
    assert counts["sma"].sum() == 43  # SOURCE.md: 43 SMA in Lampung Timur
    h = C.settlement_hierarchy(counts)
    desa = desa.assign(kawasan_id=desa["kode_kec"])  # one kawasan per kecamatan
    c = C.choose_centres(desa, hierarchy=h.table, designation=C.designated_centres(desa, pk, column="Fungsi"), roads=C.road_network(roads))
    assert len(c.kawasan) == desa["kode_kec"].nunique()
    union = desa.dissolve("kawasan_id").geometry
    for row in c.points.itertuples():
        assert union.loc[row.kawasan_id].contains(row.geometry)
        assert desa.set_index("kode_desa").loc[row.kode_desa, "kawasan_id"] == row.kawasan_id
    # every village reaches its centre by road (attached to the largest piece of the network)
    assert c.kawasan["n_desa_tak_terjangkau"].sum() == 0
    assert (c.kawasan["jarak_maks_pusat_km"] >= c.kawasan["jarak_rata_pusat_km"]).all()
