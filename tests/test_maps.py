"""Interactive and static maps: folium objects, rendered HTML, offline assets, the CLI.

The scenario is the 4 x 4 grid of 1 km villages (two kecamatan) with scores, two kawasan
of four villages, four pola ruang zones, two land-use zones, two conflicts and one island
bridge; village 1 is named like an XSS probe.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import folium
import folium.plugins
import geopandas as gpd
import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner
from conftest import UTM48S, X0, Y0, grid_villages
from shapely.geometry import box

from kawasan_gis import maps
from kawasan_gis.maps import elements, prepare, static, styles
from kawasan_gis.cli import cli
from kawasan_gis.errors import ConfigError, CRSError, DataSourceError, FieldError, LayerError
from kawasan_gis.i18n import t
from kawasan_gis.io import write_layers

XSS = "<img src=x onerror=alert(1)>"
XSS2 = "<script>alert(2)</script>"
POTS = ["peternakan", "pertanian_unggulan", "permukiman", "perekonomian", "hutan_tanaman_industri"]


def scenario() -> dict[str, gpd.GeoDataFrame]:
    """Every layer of a result on the 4 x 4 grid; the answers below are computed by hand."""
    desa = grid_villages()
    n = len(desa)
    # Village k (1-based) scores 0.9 for POTS[k % 5] and 0.1 + 0.01 * j for the others.
    scores = np.array([[0.9 if j == k % 5 else 0.1 + 0.01 * j for j in range(5)] for k in range(1, n + 1)])
    for j, p in enumerate(POTS):
        desa[f"skor_{p}"] = scores[:, j]
    desa["potensi_dominan"] = [POTS[k % 5] for k in range(1, n + 1)]
    desa["margin"] = 0.9 - scores.min(axis=1).max() + 0.0
    desa["campuran"] = [k == 16 for k in range(1, n + 1)]
    desa["dasar"] = "kondisi_lahan"
    desa["kontribusi_utama"] = "sawah 0.30; jalan 0.10"
    desa.loc[0, "nama_desa"] = XSS
    desa.loc[0, "kontribusi_utama"] = XSS2
    desa["pct_landuse_sawah"] = 60.0
    desa["pct_landuse_permukiman"] = 30.0
    desa["pct_landuse_unmapped"] = 10.0
    desa["pct_rtrw_tanaman_pangan"] = 70.0
    desa["pct_rtrw_hutan_lindung"] = 30.0
    # K01: villages 1, 2, 5, 6 (south-west 2 x 2); K02: 3, 4, 7, 8 (south-east 2 x 2).
    desa["kawasan_id"] = [("K01" if i % 4 < 2 else "K02") if i < 8 else None for i in range(n)]
    kawasan = desa[desa.kawasan_id.notna()].dissolve("kawasan_id").reset_index()[["kawasan_id", "geometry"]]
    kawasan["nama"] = ["Kawasan <b>Satu</b>", "Kawasan Dua"]
    kawasan["potensi"] = ["peternakan", "pertanian_unggulan"]
    kawasan["n_desa"] = [4, 4]
    kawasan["luas_ha"] = [400.0, 400.0]
    kawasan["kecamatan"] = "Kecamatan 1"
    kawasan["kekompakan"] = [0.785, 0.785]
    kawasan["stabilitas"] = [0.9, 1.0]
    for col, values in {"pct_I": [60.0, 80.0], "pct_T": [10.0, 5.0], "pct_B": [10.0, 5.0], "pct_X": [15.0, 5.0],
                        "pct_outside": [5.0, 5.0]}.items():
        kawasan[col] = values
    kawasan["verdict"] = ["bersyarat", "sesuai"]
    kawasan = gpd.GeoDataFrame(kawasan, geometry="geometry", crs=desa.crs)
    pola_ruang = gpd.GeoDataFrame(
        {"kelas": ["hutan_lindung", "tanaman_pangan", "permukiman_perdesaan", None],
         "kelas_raw": ["HL Gunung <i>Balak</i>", "Kawasan Peruntukan Pertanian", "Pemukiman Perdesaan", "???"]},
        geometry=[box(X0, Y0, X0 + 2000, Y0 + 1500), box(X0 + 2000, Y0, X0 + 4000, Y0 + 4000),
                  box(X0, Y0 + 1500, X0 + 2000, Y0 + 4000), box(X0 + 3000, Y0 + 3000, X0 + 3500, Y0 + 3500)],
        crs=UTM48S,
    )
    penggunaan_lahan = gpd.GeoDataFrame(
        {"kelas": ["sawah", "permukiman"], "kelas_raw": ["Sawah", "Permukiman"]},
        geometry=[box(X0, Y0, X0 + 4000, Y0 + 2000), box(X0, Y0 + 2000, X0 + 4000, Y0 + 4000)], crs=UTM48S,
    )
    konflik = gpd.GeoDataFrame(
        {"kawasan_id": ["K01", "K01"], "kelas": ["hutan_lindung", "tanaman_pangan"], "status": ["X", "B"],
         "luas_ha": [30.0, 12.0]},
        geometry=[box(X0 + 200, Y0 + 200, X0 + 800, Y0 + 700), box(X0 + 1200, Y0 + 200, X0 + 1700, Y0 + 500)], crs=UTM48S,
    )
    sambungan = gpd.GeoDataFrame(
        {"from_kode": [desa.kode_desa[12]], "to_kode": [desa.kode_desa[15]], "distance_m": [1234.0]},
        geometry=[shapely.LineString([(X0 + 500, Y0 + 3500), (X0 + 3500, Y0 + 3500)])], crs=UTM48S,
    )
    return {"desa": desa, "kawasan": kawasan, "pola_ruang": pola_ruang, "penggunaan_lahan": penggunaan_lahan,
            "konflik": konflik, "sambungan": sambungan}


@pytest.fixture
def layers() -> dict[str, gpd.GeoDataFrame]:
    return scenario()


def geojson_layers(m: folium.Map) -> dict[str, folium.GeoJson]:
    return {c.layer_name: c for c in m._children.values() if isinstance(c, folium.GeoJson)}


def village_binder(m: folium.Map) -> elements.VillageBinder:
    return next(c for c in m._children.values() if isinstance(c, elements.VillageBinder))


def legend_html(m: folium.Map) -> str:
    legend = next(c for c in m._children.values() if isinstance(c, elements.Legend))
    return "".join(body for _, body in legend.sections)


def rgb(r: int, g: int, b: int) -> str:
    return f"#{r:02x}{g:02x}{b:02x}"


# --------------------------------------------------------------------------- layers and colours


def test_layers_in_control_order_and_visibility(layers):
    m = maps.map_kawasan(**layers)
    names = list(geojson_layers(m))
    assert names == [
        "Desa menurut potensi dominan", "Kawasan usulan", "Konflik dengan RTRW", "Sambungan antarpulau",
        "Pola ruang RTRW", "Penggunaan lahan", "Batas kecamatan", "Batas kabupaten",
    ]
    shown = {name: layer.show for name, layer in geojson_layers(m).items()}
    assert shown["Pola ruang RTRW"] is False and shown["Penggunaan lahan"] is False
    assert shown["Desa menurut potensi dominan"] and shown["Kawasan usulan"] and shown["Konflik dengan RTRW"]
    bases = [c for c in m._children.values() if isinstance(c, folium.map.Layer) and not c.overlay]
    assert [(b.layer_name, b.show) for b in bases] == [
        ("OpenStreetMap", True), ("Citra satelit (Esri)", False), ("Tanpa peta dasar", False),
    ]
    html = maps.render_html(m)
    for name in names + ["OpenStreetMap", "Citra satelit (Esri)", "Tanpa peta dasar"]:
        assert json.dumps(name) in html  # the layer control's keys


def test_plugins_present(layers):
    m = maps.map_kawasan(**layers)
    kinds = {type(c) for c in m._children.values()}
    assert {folium.LayerControl, elements.VillageSearch, folium.plugins.Fullscreen, folium.plugins.MeasureControl,
            elements.OutlineMiniMap, elements.Legend} <= kinds
    search = next(c for c in m._children.values() if isinstance(c, folium.plugins.Search))
    assert search.search_label == "cari" and search.geom_type == "Polygon"
    html = maps.render_html(m)
    assert "L.control.scale({imperial: false" in html
    assert "buildTip: kawasanGis.searchTip" in html


def test_village_colours_follow_the_catalogue(layers):
    m = maps.map_kawasan(**layers)
    pots = maps.potential_styles()
    dictionary = village_binder(m).dictionary
    features = geojson_layers(m)["Desa menurut potensi dominan"].data["features"]
    assert len(features) == 16
    for feat, code in zip(features, layers["desa"]["potensi_dominan"], strict=True):
        assert dictionary["pots"][feat["properties"]["p"]]["c"] == pots[code].colour
    assert pots["peternakan"].colour == rgb(166, 97, 26)
    # scores come in catalogue order, whatever the column order
    order = [p["l"] for p in dictionary["pots"]]
    assert order == ["Peternakan", "Hutan Tanaman Industri", "Pertanian Unggulan", "Permukiman", "Perekonomian"]
    first = features[1]["properties"]  # village 2: dominant POTS[2] = permukiman
    assert [dictionary["pots"][i]["l"] for i in dictionary["sc"]] == order
    assert first["s"] == [0.1, 0.14, 0.11, 0.9, 0.13]
    assert dictionary["pots"][first["p"]]["l"] == "Permukiman"
    assert features[15]["properties"]["cm"] == 1 and features[1]["properties"]["cm"] == 0


def test_popup_scores_are_the_catalogue_potentials_only(layers):
    """A skor_* column that is no potential (an older run's centre score) is not drawn as one."""
    layers["desa"] = layers["desa"].assign(skor_pusat=0.7, nilai_pusat=0.7)
    m = maps.map_kawasan(**layers)
    dictionary = village_binder(m).dictionary
    labels = [p["l"] for p in dictionary["pots"]]
    assert labels == ["Peternakan", "Hutan Tanaman Industri", "Pertanian Unggulan", "Permukiman", "Perekonomian"]
    assert [labels[i] for i in dictionary["sc"]] == labels
    assert geojson_layers(m)["Desa menurut potensi dominan"].data["features"][1]["properties"]["s"] == [0.1, 0.14, 0.11, 0.9, 0.13]


def test_rtrw_in_official_colours(layers):
    m = maps.map_kawasan(**layers)
    features = geojson_layers(m)["Pola ruang RTRW"].data["features"]
    fills = [f["properties"]["style"]["fillColor"] for f in features]
    # DOMAIN.md: Hutan Lindung 50,95,40; Tanaman Pangan 200,245,70; Permukiman Perdesaan 235,155,60
    assert fills == [rgb(50, 95, 40), rgb(200, 245, 70), rgb(235, 155, 60), maps.GREY]
    assert "HL Gunung &lt;i&gt;Balak&lt;/i&gt;" in features[0]["properties"]["tt"]


def test_landuse_and_conflict_colours(layers):
    layers["konflik"]["desa"] = ["<b>Desa 1</b> (30.00 ha)", "Desa 2 (12.00 ha)"]
    m = maps.map_kawasan(**layers)
    lu = geojson_layers(m)["Penggunaan lahan"].data["features"]
    assert [f["properties"]["style"]["fillColor"] for f in lu] == [rgb(200, 245, 70), rgb(240, 120, 60)]
    konflik = geojson_layers(m)["Konflik dengan RTRW"].data["features"]
    assert [f["properties"]["style"]["fillColor"] for f in konflik] == ["#9e0142", "#f59e0b"]
    assert "Dilarang (X)" in konflik[0]["properties"]["tt"] and "30,0 ha" in konflik[0]["properties"]["tt"]
    assert "Desa: &lt;b&gt;Desa 1&lt;/b&gt; (30.00 ha)" in konflik[0]["properties"]["tt"]
    assert "Bersyarat (B)" in konflik[1]["properties"]["tt"]


def test_legend_lists_what_is_drawn(layers):
    m = maps.map_kawasan(**layers)
    legend = legend_html(m)
    for label in ["Peternakan", "Pertanian Unggulan", "Permukiman", "Perekonomian", "Hutan Tanaman Industri",
                  "Hutan Lindung", "Tanaman Pangan", "Permukiman Perdesaan", "Kelas tidak dikenal",
                  "Dilarang (X)", "Bersyarat (B)", "Batas kawasan usulan", "Sawah", "Warna pucat: potensi campuran"]:
        assert label in legend, label
    assert f'background:{rgb(50, 95, 40)}' in legend
    # lindung before budidaya (vocabulary order), classes absent from the data not listed
    assert legend.index("Hutan Lindung") < legend.index("Tanaman Pangan") < legend.index("Permukiman Perdesaan")
    assert "Taman Nasional" not in legend and "Perikanan" not in legend


def test_legend_without_scores():
    desa = grid_villages()
    m = maps.map_kawasan(desa)
    assert "Belum ada skor" in legend_html(m)
    features = geojson_layers(m)["Desa menurut potensi dominan"].data["features"]
    assert "p" not in features[0]["properties"] and "s" not in features[0]["properties"]


def test_popup_data(layers):
    m = maps.map_kawasan(**layers)
    dictionary = village_binder(m).dictionary
    props = geojson_layers(m)["Desa menurut potensi dominan"].data["features"][0]["properties"]
    assert props["kw"] == 0 and dictionary["kaw"][0] == {"n": "Kawasan &lt;b&gt;Satu&lt;/b&gt;", "v": "bersyarat"}
    assert props["c"] == "1807012001" and props["k"] == "Kecamatan 1"
    sections = {s["h"]: s for s in dictionary["sec"]}
    assert set(sections) == {"Penggunaan lahan", "Pola ruang RTRW"}
    landuse = dictionary["sec"][props["sh"][0][0]]
    assert [(landuse["cls"][i]["l"] if i >= 0 else "unmapped", v) for i, v in props["sh"][0][1]] == [
        ("Sawah", 60.0), ("Permukiman", 30.0), ("unmapped", 10.0)]
    outside = geojson_layers(m)["Desa menurut potensi dominan"].data["features"][12]["properties"]
    assert outside["kw"] == -1


def test_kawasan_outlines_follow_the_village_borders(layers):
    m = maps.map_kawasan(**layers)
    kawasan = geojson_layers(m)["Kawasan usulan"].data["features"]
    lines = shapely.geometry.shape(kawasan[0]["geometry"])
    labels = kawasan[1:]
    villages = [shapely.geometry.shape(f["geometry"]) for f in geojson_layers(m)["Desa menurut potensi dominan"].data["features"]]
    k01 = shapely.union_all([villages[i] for i in (0, 1, 4, 5)])
    k02 = shapely.union_all([villages[i] for i in (2, 3, 6, 7)])
    # each border once: the two 2 x 2 blocks share one 2 km side (4 km + 4 km of ring + 2 km shared = 14 km of line)
    expected = shapely.union_all([k01.boundary, k02.boundary])
    assert lines.symmetric_difference(expected).length < 1e-9
    assert abs(lines.length - (k01.boundary.length + k02.boundary.length - k01.boundary.intersection(k02.boundary).length)) < 1e-9
    assert [f["properties"]["lbl"] for f in labels] == ["Kawasan &lt;b&gt;Satu&lt;/b&gt;", "Kawasan Dua"]
    assert [f["properties"]["id"] for f in labels] == ["K01", "K02"]
    assert k01.contains(shapely.geometry.shape(labels[0]["geometry"]))
    assert "Diizinkan (I)" in labels[0]["properties"]["pp"] and "60,0%" in labels[0]["properties"]["pp"]


def test_a_kawasan_in_pieces_sizes_its_name_by_the_piece_it_sits_on(layers):
    """K01 = its 2 x 2 block plus village 16, 2 km away in the north-east corner: the label sits
    on the block, and whether the whole name fits is judged on the block's 2 km, not the 4 km
    that both pieces span (the full name of a kawasan in pieces ran out of its piece)."""
    desa = layers["desa"].copy()
    desa.loc[15, "kawasan_id"] = "K01"
    m = maps.map_kawasan(desa, kawasan=None)
    labels = [f for f in geojson_layers(m)["Kawasan usulan"].data["features"] if f["geometry"]["type"] == "Point"]
    k01 = next(f for f in labels if f["properties"]["id"] == "K01")
    block = shapely.union_all([desa.geometry[i] for i in (0, 1, 4, 5)])
    corners = gpd.GeoSeries(shapely.points(np.array(block.bounds).reshape(2, 2)), crs=desa.crs).to_crs(4326)
    (lat0, lon0), (lat1, lon1) = k01["properties"]["b"]
    assert (lon0, lat0, lon1, lat1) == pytest.approx((corners.x[0], corners.y[0], corners.x[1], corners.y[1]), abs=1e-5)
    label = gpd.GeoSeries([shapely.geometry.shape(k01["geometry"])], crs=4326).to_crs(desa.crs)[0]
    assert block.buffer(-100).contains(label)


def test_kawasan_drawn_from_desa_alone(layers):
    m = maps.map_kawasan(layers["desa"])
    kawasan = geojson_layers(m)["Kawasan usulan"].data["features"]
    assert [f["properties"]["id"] for f in kawasan if f["geometry"]["type"] == "Point"] == ["K01", "K02"]


def test_boundaries_dissolved_from_villages(layers):
    m = maps.map_kawasan(**layers)
    kec = shapely.geometry.shape(geojson_layers(m)["Batas kecamatan"].data["features"][0]["geometry"])
    kab = shapely.geometry.shape(geojson_layers(m)["Batas kabupaten"].data["features"][0]["geometry"])
    villages = [shapely.geometry.shape(f["geometry"]) for f in geojson_layers(m)["Desa menurut potensi dominan"].data["features"]]
    outer = shapely.union_all(villages).boundary
    assert kab.symmetric_difference(outer).length < 1e-9
    # kecamatan 1 = rows 1-2, kecamatan 2 = rows 3-4: the outer ring plus the middle line, each once
    middle = shapely.union_all(villages[:8]).boundary.intersection(shapely.union_all(villages[8:]).boundary)
    assert abs(kec.length - (outer.length + middle.length)) < 1e-9
    assert "interactive: false" in maps.render_html(m).replace('"interactive": false', "interactive: false")


def test_bridge_tooltip_names_villages(layers):
    m = maps.map_kawasan(**layers)
    tip = geojson_layers(m)["Sambungan antarpulau"].data["features"][0]["properties"]["tt"]
    assert "Desa 13 – Desa 16" in tip and "1,23 km" in tip


def test_english_labels(layers):
    m = maps.map_kawasan(**layers, lang="en")
    assert list(geojson_layers(m))[:2] == ["Villages by dominant potential", "Proposed kawasan"]
    legend = legend_html(m)
    assert "Livestock" in legend and "Protection forest" in legend and "Prohibited (X)" in legend
    assert village_binder(m).dictionary["locale"] == "en-GB"
    assert '<html lang="en">' in maps.render_html(m)


@pytest.mark.parametrize(("lang", "area", "compact", "share", "bridge"), [
    ("id", "43.621,5 ha", "0,79", "60,0%", "1,23 km"),
    ("en", "43,621.5 ha", "0.79", "60.0%", "1.23 km"),
])
def test_popups_and_tooltips_in_one_number_style(layers, lang, area, compact, share, bridge):
    layers["kawasan"]["luas_ha"] = [43621.54, 400.0]
    m = maps.map_kawasan(**layers, lang=lang)
    popup = next(f["properties"]["pp"] for f in geojson_layers(m)[t("lyr_kawasan", lang)].data["features"]
                 if f["geometry"]["type"] == "Point")
    assert f"<td>{area}</td>" in popup and f"<td>{compact}</td>" in popup and f"<td class=kg-n>{share}</td>" in popup
    tip = geojson_layers(m)[t("lyr_sambungan", lang)].data["features"][0]["properties"]["tt"]
    assert bridge in tip


# --------------------------------------------------------------------------- safety


def test_no_attribute_value_reaches_the_page_unescaped(layers):
    html = maps.render_html(maps.map_kawasan(**layers))
    assert XSS not in html and XSS2 not in html and "<b>Satu</b>" not in html and "<i>Balak</i>" not in html
    # escaped for HTML in Python, then made script-safe by the JSON embedding
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in html
    assert "onerror=alert(1)>" not in html
    # folium's unescaped tooltip/popup templates are not used
    assert "GeoJsonTooltip" not in html and "GeoJsonPopup" not in html


def test_every_string_property_is_escaped(layers):
    desa = layers["desa"].copy()
    desa["nama_kec"] = '"><svg onload=alert(3)>'
    desa["kode_desa"] = [f"18070{i:02d}' onmouseover='x" for i in range(16)]
    m = maps.map_kawasan(desa, kawasan=layers["kawasan"])
    for feat in geojson_layers(m)["Desa menurut potensi dominan"].data["features"]:
        for key, value in feat["properties"].items():
            if isinstance(value, str) and key != "cari":  # the search key is shown as text (see test_browser)
                assert not set(value) & set("<>\"'"), value
    assert "<svg" not in maps.render_html(m)


def test_title_is_text_not_markup(layers):
    m = maps.map_kawasan(layers["desa"], title="<img src=y onerror=alert(4)>")
    html = maps.render_html(m)
    assert "title.textContent" in html and "<img src=y" not in html


def test_user_colours_cannot_inject_css():
    assert styles.hex_colour("red;background:url(javascript:x)") == maps.GREY
    assert styles.hex_colour([300, 0, 0]) == maps.GREY
    assert styles.hex_colour((1, 2, 3)) == "#010203"
    assert styles.hex_colour("#A6611A") == "#a6611a"


# --------------------------------------------------------------------------- size


def _wiggly_coverage(n: int = 36, side: float = 3000.0, cell: float = 20.0, seed: int = 3) -> np.ndarray:
    """Villages made of 20 m raster cells (nearest of ``n`` seeds): dense, exactly shared, staircase borders."""
    rng = np.random.default_rng(seed)
    seeds = rng.uniform(0, side, (n, 2))
    k = int(side / cell)
    xs, ys = np.meshgrid(np.arange(k) * cell, np.arange(k) * cell)
    centres = np.column_stack([xs.ravel(), ys.ravel()]) + cell / 2
    owner = np.argmin(((centres[:, None, :] - seeds[None, :, :]) ** 2).sum(axis=2), axis=1)
    boxes = shapely.box(X0 + xs.ravel(), Y0 + ys.ravel(), X0 + xs.ravel() + cell, Y0 + ys.ravel() + cell)
    cells = [shapely.union_all(boxes[owner == i]) for i in range(n) if (owner == i).any()]
    return np.array(cells, dtype=object)


def test_coverage_simplification_keeps_shared_borders():
    cells = _wiggly_coverage()
    assert shapely.coverage_is_valid(cells)
    simple = prepare.simplify_polygons(cells, 25.0, coverage=True)
    assert shapely.get_num_coordinates(simple).sum() < 0.3 * shapely.get_num_coordinates(cells).sum()
    assert shapely.coverage_is_valid(simple)  # no gaps, no overlaps: borders stayed shared
    assert abs(shapely.area(simple).sum() - shapely.area(cells).sum()) < 1e-3 * shapely.area(cells).sum()
    # each polygon on its own would open gaps between neighbours
    alone = shapely.simplify(cells, 25.0)
    assert not shapely.coverage_is_valid(alone)


def test_coverage_simplification_falls_back_when_not_a_coverage():
    a, b = box(0, 0, 100, 100), box(50, 0, 150, 100)  # overlapping: not a coverage
    out = prepare.simplify_polygons(np.array([a, b], dtype=object), 5.0, coverage=True)
    assert shapely.is_valid(out).all() and (shapely.area(out) > 0).all()


def test_coordinates_rounded_to_five_decimals(layers):
    m = maps.map_kawasan(**layers)
    text = json.dumps(geojson_layers(m)["Desa menurut potensi dominan"].data)
    decimals = [len(d) for d in re.findall(r"-?\d+\.(\d+)", text.split('"features"')[1]) if d]
    assert max(decimals) <= 5


def test_simplified_map_is_smaller():
    cells = _wiggly_coverage()
    desa = grid_villages(6)
    desa = desa.iloc[: len(cells)].set_geometry(cells).copy()
    simplified = maps.render_html(maps.map_kawasan(desa))
    raw = maps.render_html(maps.map_kawasan(desa, simplify_m=0, decimals=None))
    assert len(simplified) < 0.6 * len(raw)


# --------------------------------------------------------------------------- offline, saving, dual map


def test_offline_inlines_every_asset(layers):
    m = maps.map_kawasan(**layers, offline=True)
    html = maps.render_html(m)
    assert not re.search(r'<script[^>]+src="https?:', html)
    assert not re.search(r'<link[^>]+href="https?:', html)
    for needle in ("L.Control.Search", "L.Control.MiniMap", "L.Control.Measure", "FullScreen", "kawasanGis"):
        assert needle in html, needle
    # only what the map uses: no jQuery, Bootstrap or Font Awesome
    assert "jquery" not in html.lower() and "bootstrap" not in html.lower() and "fontawesome" not in html.lower()
    bases = {c.layer_name: c.show for c in m._children.values() if isinstance(c, folium.map.Layer) and not c.overlay}
    assert bases == {"OpenStreetMap": False, "Citra satelit (Esri)": False, "Tanpa peta dasar": True}


def test_online_map_links_the_cdn(layers):
    html = maps.render_html(maps.map_kawasan(**layers))
    assert '<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"></script>' in html


def test_inline_assets_refuses_unknown_resources():
    page = '<html><head><script src="https://example.org/x.js"></script></head></html>'
    with pytest.raises(DataSourceError, match="example.org/x.js"):
        maps.inline_assets(page)


def test_save_map_is_atomic_and_follows_the_build(tmp_path, layers):
    path = maps.save_map(maps.map_kawasan(**layers, offline=True), tmp_path / "peta_kawasan.html")
    assert path.is_file() and list(tmp_path.iterdir()) == [path]
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and not re.search(r'<script[^>]+src="https?:', text)
    online = maps.save_map(maps.map_kawasan(**layers, offline=True), tmp_path / "b.html", offline=False)
    assert re.search(r'<script src="https:', online.read_text(encoding="utf-8"))
    with pytest.raises(DataSourceError, match="does not exist"):
        maps.save_map(maps.map_kawasan(**layers), tmp_path / "missing" / "x.html")


def test_compare_maps(layers):
    right = {"desa": layers["desa"].assign(kawasan_id=lambda d: ["P1" if i < 4 else None for i in range(16)])}
    left = {k: layers[k] for k in ("desa", "kawasan", "konflik")}
    dm = maps.compare_maps(left, right, titles=("Usulan", "Rencana Bappeda"), offline=True)
    assert isinstance(dm, folium.plugins.DualMap)
    assert "Konflik dengan RTRW" in geojson_layers(dm.m1) and "Konflik dengan RTRW" not in geojson_layers(dm.m2)
    html = maps.render_html(dm)
    assert ".sync(" in html and "L.Map.Sync" in html.replace("L.Map.Sync.min.js", "")
    assert '"Rencana Bappeda"' in html and not re.search(r'<script[^>]+src="https?:', html)
    with pytest.raises(FieldError, match="desa"):
        maps.compare_maps(left, {"kawasan": layers["kawasan"]})


# --------------------------------------------------------------------------- errors


def test_errors_are_reported(layers):
    desa = layers["desa"]
    with pytest.raises(FieldError, match="nama_desa"):
        maps.map_kawasan(desa.drop(columns="nama_desa"))
    with pytest.raises(FieldError) as err:
        maps.map_kawasan(desa, kawasan=layers["kawasan"].drop(columns="kawasan_id"), konflik=layers["konflik"].drop(columns="status"))
    assert len(err.value.problems) == 2
    with pytest.raises(CRSError):
        maps.map_kawasan(desa.set_crs(None, allow_override=True))
    with pytest.raises(LayerError):
        maps.map_kawasan(desa.iloc[:0])
    with pytest.raises(ConfigError):
        maps.map_kawasan(desa, lang="fr")


def test_minimal_villages(tmp_path):
    desa = grid_villages()[["kode_desa", "nama_desa", "geometry"]]
    m = maps.map_kawasan(desa)
    assert list(geojson_layers(m)) == ["Desa menurut potensi dominan"]
    assert maps.static_map(desa, path=tmp_path / "p.png", dpi=50, pdf=False).is_file()


def test_geographic_input_is_drawn(layers):
    m = maps.map_kawasan(layers["desa"].to_crs(4326))
    assert len(geojson_layers(m)["Desa menurut potensi dominan"].data["features"]) == 16


def test_duplicate_names_get_distinct_search_keys(layers):
    desa = layers["desa"].copy()
    desa["nama_desa"] = "Sukadana"
    keys = [f["properties"]["cari"] for f in geojson_layers(maps.map_kawasan(desa))["Desa menurut potensi dominan"].data["features"]]
    assert len(set(keys)) == 16 and keys[0] == "Sukadana (Kecamatan 1)"


# --------------------------------------------------------------------------- static map


def test_static_map_png_and_pdf(tmp_path, layers):
    from PIL import Image

    path = maps.static_map(layers["desa"], kawasan=layers["kawasan"], path=tmp_path / "peta_kawasan.png",
                           sources=["Batas desa: uji"], dpi=100)
    assert path == tmp_path / "peta_kawasan.png"
    with Image.open(path) as im:
        assert im.size == (1169, 827)
    assert path.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["peta_kawasan.pdf", "peta_kawasan.png"]


def test_web_and_print_legends_share_one_key():
    """Both maps list the dominant potentials from prepare_map's key: catalogue order, unknown codes last in grey."""
    desa = grid_villages()
    desa["potensi_dominan"] = ["pertanian_unggulan", "garam", "peternakan", None] * 4
    data = prepare.prepare_map(desa, kawasan=None, simplify_m=10.0, decimals=None, lang="id", catalogue=None, title=None)
    assert [(st.code, st.label) for st in data.key.styles] == [
        ("peternakan", "Peternakan"), ("pertanian_unggulan", "Pertanian Unggulan"), ("garam", "garam")]
    assert data.key.styles[2].colour == maps.GREY
    assert data.key.no_score and not data.key.mixed
    printed = [h.get_label() for h in static._legend_handles(data, has_kawasan=False, lang="id")]
    assert printed[:4] == ["Peternakan", "Pertanian Unggulan", "garam", "Belum ada skor"]
    legend = legend_html(maps.map_kawasan(desa))
    assert legend.index("Peternakan") < legend.index("Pertanian Unggulan") < legend.index("garam") < legend.index("Belum ada skor")


def test_mostly_lindung_villages_are_drawn_and_named_as_kawasan_lindung():
    """Issue 15: villages left unscored because they are mostly kawasan lindung (Way Kambas) showed as grey 'Belum ada skor'."""
    desa = grid_villages()
    desa["potensi_dominan"] = ["peternakan", None, None, "pertanian_unggulan"] * 4
    desa["status_potensi"] = ["dinilai", "lindung", "data_kurang", "dinilai"] * 4
    protected = "#6b9080"  # the grey-green of protected land (ITBX L), typed in by hand
    label = "Kawasan lindung (sebagian besar desa)"
    data = prepare.prepare_map(desa, kawasan=None, simplify_m=10.0, decimals=None, lang="id", catalogue=None, title=None)
    assert data.key.lindung and data.key.no_score  # villages 3, 7, ... have too little evidence: still "Belum ada skor"
    printed = static._legend_handles(data, has_kawasan=False, lang="id")
    assert [h.get_label() for h in printed[:4]] == ["Peternakan", "Pertanian Unggulan", label, "Belum ada skor"]
    assert mcolors.to_hex(printed[2].get_facecolor()) == protected
    fig = static._draw_page(desa, kawasan=None, pusat=None, title=None, sources=None, title_block=None, lang="id", catalogue=None)
    fills = [mcolors.to_hex(c) for c in fig.axes[0].collections[0].get_facecolor()]
    assert fills[1] == protected and fills[2] == maps.GREY and fills[5] == protected
    # web map: the same entry in the legend, and the village's colour and label in its popup
    m = maps.map_kawasan(desa)
    legend = legend_html(m)
    assert legend.index("Pertanian Unggulan") < legend.index(label) < legend.index("Belum ada skor")
    assert f"background:{protected}" in legend
    dictionary = village_binder(m).dictionary
    features = geojson_layers(m)["Desa menurut potensi dominan"].data["features"]
    assert dictionary["pots"][features[1]["properties"]["p"]] == {"l": label, "c": protected}
    assert "p" not in features[2]["properties"]  # no score: the grey of the page's dictionary
    # every unscored village mostly lindung: no "Belum ada skor" entry at all
    desa["status_potensi"] = ["dinilai", "lindung", "lindung", "dinilai"] * 4
    assert "Belum ada skor" not in legend_html(maps.map_kawasan(desa))
    english = legend_html(maps.map_kawasan(desa, lang="en"))
    assert "Kawasan lindung (most of the village)" in english


def test_web_map_legend_has_the_boundary_lines(layers):
    """The kecamatan and kabupaten borders are in the layer list: the legend shows their lines as drawn."""
    m = maps.map_kawasan(layers["desa"], kawasan=layers["kawasan"])
    legend = next(c for c in m._children.values() if isinstance(c, elements.Legend))
    bodies = {layer.layer_name: body for layer, body in legend.sections}
    # the dash patterns of test_web_map_kabupaten_border_is_dash_dot, in pixels
    assert 'stroke="#37474f" stroke-width="1.2" stroke-dasharray="6 4.8"/></svg>Batas kecamatan' in bodies["Batas kecamatan"]
    assert 'stroke="#4d4d4d" stroke-width="3" stroke-dasharray="15 4.5 3 4.5"/></svg>Batas kabupaten' in bodies["Batas kabupaten"]


def test_print_map_boundaries_have_their_own_symbols(layers):
    """Issue 15: 'Batas kawasan usulan' and 'Batas kabupaten' were the same solid black line."""
    fig = static._draw_page(layers["desa"], kawasan=layers["kawasan"], pusat=None, title=None, sources=None,
                            title_block=None, lang="id", catalogue=None)
    legend = fig.axes[1].get_legend()
    lines = {h.get_label(): h for h in legend.legend_handles if h.get_label() in
             ("Batas kawasan usulan", "Batas kecamatan", "Batas kabupaten")}
    assert sorted(lines) == ["Batas kabupaten", "Batas kawasan usulan", "Batas kecamatan"]
    kawasan, kab, kec = lines["Batas kawasan usulan"], lines["Batas kabupaten"], lines["Batas kecamatan"]
    assert kawasan.get_linestyle() == "-" and kawasan.get_color() == "#111111"
    # kabupaten: thick dark-grey dash-dot (dash 5, gap 1.5, dot 1, gap 1.5 line widths of 2.2 pt)
    assert kab.get_color() == "#4d4d4d" and kab.get_linewidth() == 2.2 > kawasan.get_linewidth()
    assert kab.get_linestyle() == "--" and kec.get_linestyle() == "--"
    assert len({(h.get_color(), h.get_linewidth()) for h in (kawasan, kab, kec)}) == 3
    # the map draws them as the legend says: the kabupaten border is a dash-dot collection
    from matplotlib.collections import LineCollection

    drawn = [c for c in fig.axes[0].collections
             if isinstance(c, LineCollection) and list(c.get_edgecolor()[0][:3]) == pytest.approx([0x4D / 255] * 3)]
    assert len(drawn) == 1 and drawn[0].get_linewidth()[0] == 2.2
    offset, dashes = drawn[0].get_dashes()[0]
    assert list(dashes) == pytest.approx([11.0, 3.3, 2.2, 3.3])


def test_web_map_kabupaten_border_is_dash_dot(layers):
    m = maps.map_kawasan(layers["desa"], kawasan=layers["kawasan"])
    found = geojson_layers(m)
    kab = found["Batas kabupaten"].data["features"][0]["properties"]["style"]
    kec = found["Batas kecamatan"].data["features"][0]["properties"]["style"]
    assert kab == {"color": "#4d4d4d", "weight": 3.0, "opacity": 0.9, "dashArray": "15 4.5 3 4.5"}
    assert kec["dashArray"] == "6 4.8"
    outline = [f for f in found["Kawasan usulan"].data["features"] if f["geometry"]["type"] != "Point"]
    assert outline[0]["properties"]["style"] == {"color": "#111111", "weight": 2.8, "opacity": 0.95}


@pytest.mark.parametrize(("lang", "block", "sources"), [
    ("id", "Bappeda Kabupaten Uji\nNomor peta: III.2\nTahun: 2026",
     "Sumber data: Perda Kab. Uji No. 1 Tahun 2020 tentang RTRW; Batas desa: BIG."),
    ("en", "Bappeda Kabupaten Uji\nMap number: III.2\nYear: 2026",
     "Data sources: Perda Kab. Uji No. 1 Tahun 2020 tentang RTRW; Batas desa: BIG."),
])
def test_print_map_title_block_and_sources(layers, lang, block, sources):
    fig = static._draw_page(layers["desa"], kawasan=layers["kawasan"], pusat=None, title="Peta Uji",
                            sources=["Perda Kab. Uji No. 1 Tahun 2020 tentang RTRW", "Batas desa: BIG"],
                            title_block={"instansi": "Bappeda Kabupaten Uji", "nomor": "III.2", "tahun": "2026"},
                            lang=lang, catalogue=None)
    texts = [x.get_text() for x in fig.texts]
    assert fig._suptitle.get_text() == "Peta Uji"
    assert block in texts
    foot = next(x for x in texts if x.startswith(sources.split(":")[0]))
    assert foot.replace("\n", " ").startswith(sources)
    assert "EPSG:32748" in foot
    # without a title block nothing is boxed; without sources the line says the files were the source
    fig = static._draw_page(layers["desa"], kawasan=None, pusat=None, title=None, sources=None, title_block={},
                            lang=lang, catalogue=None)
    assert not any("III.2" in x.get_text() for x in fig.texts)
    assert any(x.get_text().startswith(("Sumber data: batas desa dan pola ruang sesuai berkas masukan",
                                        "Data sources: village boundaries and pola ruang from the input files")) for x in fig.texts)


def test_scale_bar_length():
    assert static._nice_length(4400) == 500
    assert static._nice_length(120_000) == 20_000
    assert static._nice_length(60_000) == 10_000


# --------------------------------------------------------------------------- CLI


def _result(folder: Path, layers: dict[str, gpd.GeoDataFrame], names: tuple[str, ...]) -> Path:
    folder.mkdir()
    write_layers(folder / "kawasan.gpkg", {n: layers[n] for n in names})
    return folder


def test_cli_map(tmp_path, layers):
    result = _result(tmp_path / "hasil", layers, ("desa", "kawasan", "konflik", "sambungan", "pola_ruang"))
    out = tmp_path / "peta.html"
    run = CliRunner().invoke(cli, ["map", str(result), "--offline", "--lang", "en", "--out", str(out)])
    assert run.exit_code == 0, run.output
    assert str(out) in run.output and "MB" in run.output
    html = out.read_text(encoding="utf-8")
    # layer control entries: the layers the result folder holds, and only those
    assert '"Proposed kawasan" :' in html and '"RTRW spatial pattern (pola ruang)" :' in html
    assert '"Land use" :' not in html
    assert not re.search(r'<script[^>]+src="https?:', html)


def test_cli_map_compare(tmp_path, layers):
    a = _result(tmp_path / "usulan", layers, ("desa", "kawasan"))
    b = _result(tmp_path / "rencana", layers, ("desa",))
    out = tmp_path / "banding.html"
    run = CliRunner().invoke(cli, ["map", str(a), "--compare", str(b), "--out", str(out)])
    assert run.exit_code == 0, run.output
    html = out.read_text(encoding="utf-8")
    assert '"usulan"' in html and '"rencana"' in html and ".sync(" in html


def test_cli_map_errors(tmp_path, layers):
    run = CliRunner().invoke(cli, ["map", str(tmp_path / "none"), "--out", str(tmp_path / "x.html")])
    assert run.exit_code == 2 and "kawasan.gpkg" in run.output
    result = _result(tmp_path / "hasil", layers, ("kawasan",))
    run = CliRunner().invoke(cli, ["map", str(result), "--out", str(tmp_path / "x.html")])
    assert run.exit_code == 2 and "desa" in run.output
    assert not (tmp_path / "x.html").exists()


# --------------------------------------------------------------------------- real data


@pytest.mark.slow
def test_lampung_timur_map_is_small(tmp_path, lamtim_desa_path, lamtim_rtrw_path):
    from kawasan_gis import io, vocab

    desa = io.read_villages(lamtim_desa_path)
    rtrw = io.read_class_layer(lamtim_rtrw_path, kind="rtrw", working_crs=desa.crs)
    rtrw, _ = vocab.apply_mapping(rtrw, kind="rtrw", column="kelas")
    rng = np.random.default_rng(0)
    desa["potensi_dominan"] = rng.choice(POTS, len(desa))
    path = maps.save_map(maps.map_kawasan(desa, pola_ruang=rtrw, offline=True), tmp_path / "peta.html")
    assert path.stat().st_size < 5_000_000
    raw = maps.save_map(maps.map_kawasan(desa, pola_ruang=rtrw, offline=True, simplify_m=0, decimals=None),
                        tmp_path / "raw.html")
    assert path.stat().st_size < 0.7 * raw.stat().st_size


def test_lindung_kept_is_drawn_apart_from_prohibited(layers, tmp_path):
    """L (kawasan lindung kept protected) is a calm grey-green with its own legend entry, never the X red."""
    from matplotlib.colors import to_hex
    from matplotlib.figure import Figure

    from kawasan_gis.i18n import t

    konflik = layers["konflik"].copy()
    kept = gpd.GeoDataFrame({"kawasan_id": ["K01"], "kelas": ["taman_nasional"], "status": ["L"], "luas_ha": [20.0]},
                            geometry=[box(X0 + 2200, Y0 + 2200, X0 + 2600, Y0 + 2700)], crs=UTM48S)
    konflik = gpd.GeoDataFrame(pd.concat([konflik, kept], ignore_index=True), crs=UTM48S)
    m = maps.map_kawasan(**{**layers, "konflik": konflik})
    legend = legend_html(m)
    assert "Dilarang (X)" in legend and "Kawasan lindung dipertahankan (L)" in legend
    assert legend.index("Dilarang (X)") < legend.index("Kawasan lindung dipertahankan (L)")
    feats = geojson_layers(m)[t("lyr_konflik", "id")].data["features"]
    fill = {f["properties"]["tt"].split("</b>")[0].removeprefix("<b>"): f["properties"]["style"]["fillColor"] for f in feats}
    assert fill["Dilarang (X)"] == "#9e0142" and fill["Kawasan lindung dipertahankan (L)"] == "#6b9080"
    # the print map: X and L drawn with their own hatch and legend entries, B left to the web map
    ax = Figure().add_subplot()
    assert static._draw_konflik(ax, konflik, konflik.crs) == ["X", "L"]
    assert [to_hex(c.get_facecolor()[0], keep_alpha=False) for c in ax.collections] == ["#9e0142", "#6b9080"]
    assert [c.get_hatch() for c in ax.collections] == ["xxx", "..."]
    data = prepare.prepare_map(layers["desa"], kawasan=layers["kawasan"], simplify_m=10.0, decimals=None, lang="id", catalogue=None, title=None)
    labels = [h.get_label() for h in static._legend_handles(data, has_kawasan=True, lang="id", konflik=["X", "L"])]
    assert "Dilarang (X)" in labels and "Kawasan lindung dipertahankan (L)" in labels
    assert maps.static_map(layers["desa"], kawasan=layers["kawasan"], konflik=konflik, path=tmp_path / "p.png", dpi=50, pdf=False).is_file()


# ---------------------------------------------------------------------------- colour distances


def _srgb_to_lab(rgb: tuple[int, int, int]) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of an sRGB colour (IEC 61966-2-1 transfer curve, CIE 1976 Lab)."""

    def linear(c: float) -> float:
        c /= 255.0
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    xyz = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b, 0.2126729 * r + 0.7151522 * g + 0.0721750 * b,
           0.0193339 * r + 0.1191920 * g + 0.9503041 * b)
    fx, fy, fz = (v ** (1 / 3) if v > (6 / 29) ** 3 else v / (3 * (6 / 29) ** 2) + 4 / 29
                  for v in (xyz[0] / 0.95047, xyz[1] / 1.0, xyz[2] / 1.08883))
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def _ciede2000(lab1: tuple[float, float, float], lab2: tuple[float, float, float]) -> float:
    """CIEDE2000 colour difference (Sharma, Wu and Dalal 2005, equations 1-17)."""
    import math

    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_bar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_bar**7 / (c_bar**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dh = 0.0 if c1p * c2p == 0 else (h2p - h1p if abs(h2p - h1p) <= 180 else h2p - h1p - 360 if h2p > h1p else h2p - h1p + 360)
    d_l, d_c, d_h = l2 - l1, c2p - c1p, 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    l_bar, cp_bar = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_bar = (h1p + h2p) / 2
    else:
        h_bar = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    tt = (1 - 0.17 * math.cos(math.radians(h_bar - 30)) + 0.24 * math.cos(math.radians(2 * h_bar))
          + 0.32 * math.cos(math.radians(3 * h_bar + 6)) - 0.20 * math.cos(math.radians(4 * h_bar - 63)))
    r_c = 2 * math.sqrt(cp_bar**7 / (cp_bar**7 + 25**7))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / math.sqrt(20 + (l_bar - 50) ** 2)
    s_c, s_h = 1 + 0.045 * cp_bar, 1 + 0.015 * cp_bar * tt
    r_t = -math.sin(math.radians(60 * math.exp(-(((h_bar - 275) / 25) ** 2)))) * r_c
    return math.sqrt((d_l / s_l) ** 2 + (d_c / s_c) ** 2 + (d_h / s_h) ** 2 + r_t * (d_c / s_c) * (d_h / s_h))


@pytest.mark.parametrize(("lab1", "lab2", "expected"), [
    # Sharma, Wu and Dalal (2005), table 1, pairs 1, 3, 7 and 17
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 2.8361, -74.0200), (50.0, 0.0, -82.7485), 3.4412),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
])
def test_ciede2000_matches_the_published_pairs(lab1, lab2, expected):
    assert _ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def test_colour_pairs_are_apart():
    """Issue 15: prohibited (X) vs the settlement reds, Permukiman vs the two official settlement oranges."""
    pots = styles.potential_styles()
    rtrw = styles.class_styles("rtrw", ["permukiman", "permukiman_perdesaan", "permukiman_perkotaan", "transportasi"])
    x = _rgb(styles.ITBX_COLOURS["X"])

    def delta(a: tuple[int, int, int], b: str) -> float:
        return _ciede2000(_srgb_to_lab(a), _srgb_to_lab(_rgb(b)))

    # the old X red #d7191c was 14.0 from the permukiman potential and 7.4 from Transportasi
    assert delta(x, pots["permukiman"].colour) > 25
    assert delta(x, rtrw["transportasi"].colour) > 20
    assert min(delta(x, st.colour) for st in pots.values()) > 15
    # villages that are mostly kawasan lindung: apart from every potential and from the no-score grey
    lindung = _rgb(styles.lindung_style().colour)
    assert min(delta(lindung, st.colour) for st in pots.values()) > 15 and delta(lindung, styles.GREY) > 15
    assert styles.KONFLIK_STYLE["X"]["fillColor"] == styles.ITBX_COLOURS["X"]
    # the official table colours stay as DOMAIN.md gives them
    assert _rgb(rtrw["permukiman_perdesaan"].colour) == (235, 155, 60)
    assert _rgb(rtrw["permukiman_perkotaan"].colour) == (245, 155, 30)
    # the old Permukiman (240, 170, 70) was 4.6 from Permukiman Perdesaan
    perm = _rgb(rtrw["permukiman"].colour)
    assert delta(perm, rtrw["permukiman_perdesaan"].colour) > 15
    assert delta(perm, rtrw["permukiman_perkotaan"].colour) > 15
