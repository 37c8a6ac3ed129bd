"""QGIS default styles embedded in the result GeoPackage (``layer_styles``), checked in QGIS itself.

The colours expected are the map's own tables (``kawasan_gis.maps.styles``, the vocabularies)
and, for a few classes, the official colours of DOMAIN.md's table typed in by hand. The QGIS
half runs Debian's QGIS headless under the system Python (see ``qgis_probe``); the real run's
GeoPackage is checked in QGIS by ``test_pipeline.py::test_run_geopackage_opens_styled_in_qgis``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from xml.etree import ElementTree as ET

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import LineString, Point, box

from qgis_probe import qgis_styles_seen, require_qgis
from kawasan_gis.io import STYLE_TABLE, write_layer_styles, write_layers
from kawasan_gis.maps.qgis import CATEGORY_FIELDS, qgis_styles
from kawasan_gis.maps.styles import CENTRE_COLOURS, KONFLIK_STYLE, class_styles, potential_styles

CRS = "EPSG:32748"
QGIS_COLUMNS = [
    "id", "f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column", "styleName", "styleQML", "styleSLD",
    "useAsDefault", "description", "owner", "ui", "update_time",
]


def _rgb(hex_colour: str) -> list[int]:
    h = hex_colour.lstrip("#")
    return [int(h[i : i + 2], 16) for i in (0, 2, 4)]


def result_layers() -> dict[str, gpd.GeoDataFrame]:
    """One small layer of every kind a run writes into kawasan.gpkg."""
    sq = [box(i * 1000, 0, i * 1000 + 1000, 1000) for i in range(4)]
    return {
        "desa": gpd.GeoDataFrame(
            {"kode_desa": ["1", "2", "3", "4"], "potensi_dominan": ["permukiman", "pertanian_unggulan", None, "peternakan"]},
            geometry=sq, crs=CRS,
        ),
        "kawasan": gpd.GeoDataFrame({"kawasan_id": ["K1", "K2"], "nama": ["Kawasan Satu", "Kawasan Dua"],
                                     "potensi": ["permukiman", "pertanian_unggulan"]}, geometry=[box(0, 0, 2000, 1000), box(3000, 0, 4000, 1000)], crs=CRS),
        "pola_ruang": gpd.GeoDataFrame({"kelas": ["hutan_lindung", "taman_nasional", "badan_air", "permukiman_perdesaan"],
                                        "kelas_raw": ["HL", "TN", "Sungai", "Permukiman Perdesaan"]}, geometry=sq, crs=CRS),
        "penggunaan_lahan": gpd.GeoDataFrame({"kelas": ["sawah", "permukiman"], "kelas_raw": ["Sawah", "Permukiman"]}, geometry=sq[:2], crs=CRS),
        "konflik": gpd.GeoDataFrame({"kawasan_id": ["K1", "K2"], "status": ["B", "X"], "luas_ha": [10.0, 5.0]}, geometry=sq[:2], crs=CRS),
        "pusat": gpd.GeoDataFrame({"kawasan_id": ["K1", "K1"], "peran": ["utama", "kedua"], "nama_desa": ["Satu", "Dua"]},
                                  geometry=[Point(500, 500), Point(1500, 500)], crs=CRS),
        "sambungan": gpd.GeoDataFrame({"from_kode": ["1"], "to_kode": ["4"]}, geometry=[LineString([(500, 500), (3500, 500)])], crs=CRS),
        "masalah": gpd.GeoDataFrame({"masalah": ["tumpang tindih"], "luas_ha": [1.0]}, geometry=[box(0, 0, 100, 100)], crs=CRS),
    }


@pytest.fixture(scope="module")
def styled_gpkg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    layers = result_layers()
    return write_layers(tmp_path_factory.mktemp("qgis") / "kawasan.gpkg", layers, styles=qgis_styles(layers))


def test_layer_styles_table_follows_the_qgis_convention(styled_gpkg: Path) -> None:
    con = sqlite3.connect(styled_gpkg)
    try:
        columns = [r[1] for r in con.execute(f"PRAGMA table_info({STYLE_TABLE})")]
        rows = con.execute(f"SELECT f_table_name, f_geometry_column, useAsDefault, styleQML, styleSLD FROM {STYLE_TABLE}").fetchall()
        registered = con.execute("SELECT data_type FROM gpkg_contents WHERE table_name = ?", (STYLE_TABLE,)).fetchall()
    finally:
        con.close()
    assert columns == QGIS_COLUMNS
    assert sorted(r[0] for r in rows) == sorted(result_layers())  # one default style per layer
    assert {r[1] for r in rows} == {"geom"} and {r[2] for r in rows} == {1}
    assert all(r[3].startswith("<!DOCTYPE qgis") and "<StyledLayerDescriptor" in r[4] for r in rows)
    assert registered == [("attributes",)]  # as QGIS registers it
    # the layers themselves are untouched and still read
    assert len(pyogrio.read_dataframe(styled_gpkg, layer="desa")) == 4


def test_writing_styles_again_keeps_one_default_per_layer(tmp_path: Path) -> None:
    layers = result_layers()
    path = write_layers(tmp_path / "k.gpkg", {"desa": layers["desa"]}, styles=qgis_styles(layers))
    write_layer_styles(path, qgis_styles({"desa": layers["desa"]}, lang="en"))
    con = sqlite3.connect(path)
    try:
        rows = con.execute(f"SELECT f_table_name, styleQML FROM {STYLE_TABLE}").fetchall()
    finally:
        con.close()
    assert [r[0] for r in rows] == ["desa"]  # styles of layers not in the file are skipped
    assert 'label="Settlement"' in rows[0][1]  # the second write replaced the first


def _categories(qml: str) -> dict[str, tuple[str, list[int], list[int]]]:
    """value -> (label, fill rgba, outline rgba) of a categorised QML."""
    root = ET.fromstring(qml.split("\n", 1)[1])
    symbols = {}
    for sym in root.find("renderer-v2/symbols"):
        opts = {o.get("name"): o.get("value") for o in sym.iter("Option") if o.get("name")}
        fill = opts.get("color") or opts.get("line_color")
        outline = opts.get("outline_color") or opts.get("line_color")
        symbols[sym.get("name")] = ([int(x) for x in fill.split(",")], [int(x) for x in outline.split(",")])
    return {c.get("value"): (c.get("label"), *symbols[c.get("symbol")]) for c in root.iter("category")}


def test_qml_colours_are_the_maps_colours() -> None:
    styles = qgis_styles(result_layers())
    pola = _categories(styles["pola_ruang"].qml)
    # official colours (DOMAIN.md table), typed in by hand
    assert pola["hutan_lindung"][:2] == ("Hutan Lindung", [50, 95, 40, 255])
    assert pola["taman_nasional"][1] == [155, 135, 255, 255]
    assert pola["badan_air"][1] == [151, 219, 242, 255]
    assert list(pola) == ["badan_air", "hutan_lindung", "taman_nasional", "permukiman_perdesaan"]  # lindung first, as the legend
    cls = class_styles("rtrw", pola)
    assert {v: c[1][:3] for v, c in pola.items()} == {v: _rgb(s.colour) for v, s in cls.items()}
    pots = potential_styles("id")
    desa = _categories(styles["desa"].qml)
    assert list(desa) == ["peternakan", "pertanian_unggulan", "permukiman", ""]  # catalogue order; "" catches the rest
    assert desa[""][:2] == ("Belum ada skor", [189, 189, 189, 255])  # villages without a score: grey (#bdbdbd)
    assert {v: c[1][:3] for v, c in desa.items() if v} == {v: _rgb(pots[v].colour) for v in desa if v}
    kaw = _categories(styles["kawasan"].qml)
    assert {v: (c[1][3], c[2][:3]) for v, c in kaw.items()} == {v: (0, _rgb(pots[v].colour)) for v in kaw}  # outline only
    kon = _categories(styles["konflik"].qml)
    assert kon["X"][1] == [*_rgb(KONFLIK_STYLE["X"]["fillColor"]), round(255 * KONFLIK_STYLE["X"]["fillOpacity"])]
    assert kon["B"][2][:3] == _rgb(KONFLIK_STYLE["B"]["color"])
    assert kon["X"][0] == "Dilarang (X)"
    pusat = _categories(styles["pusat"].qml)
    assert {v: (c[1][:3], c[2][:3]) for v, c in pusat.items()} == {v: (_rgb(f), _rgb(o)) for v, (o, f) in CENTRE_COLOURS.items()}
    assert 'labelsEnabled="1"' in styles["kawasan"].qml and 'fieldName="nama"' in styles["kawasan"].qml


def test_qgis_applies_the_embedded_styles(styled_gpkg: Path) -> None:
    require_qgis()
    seen = qgis_styles_seen(styled_gpkg, list(result_layers()))
    pots = potential_styles("id")
    for name, field in CATEGORY_FIELDS.items():
        info = seen[name]
        assert info["valid"] and info["loaded"], (name, info)
        assert (info["renderer"], info["attr"]) == ("categorizedSymbol", field), name
    by_value = {name: {c["value"]: c for c in seen[name]["categories"]} for name in CATEGORY_FIELDS}
    assert by_value["pola_ruang"]["hutan_lindung"]["fill"] == [50, 95, 40, 255]
    assert by_value["pola_ruang"]["hutan_lindung"]["label"] == "Hutan Lindung"
    assert {v: c["fill"][:3] for v, c in by_value["desa"].items() if v} == {v: _rgb(pots[v].colour) for v in by_value["desa"] if v}
    assert by_value["desa"][""]["fill"][:3] == [189, 189, 189]
    assert {v: c["stroke"][:3] for v, c in by_value["kawasan"].items()} == {v: _rgb(pots[v].colour) for v in by_value["kawasan"]}
    assert {c["brush"] for c in by_value["kawasan"].values()} == {0}  # Qt.NoBrush: outlines only
    assert {v: c["fill"][:3] for v, c in by_value["penggunaan_lahan"].items()} == {
        v: _rgb(s.colour) for v, s in class_styles("landuse", by_value["penggunaan_lahan"]).items()
    }
    assert by_value["konflik"]["X"]["fill"][:3] == _rgb(KONFLIK_STYLE["X"]["fillColor"])
    assert {v: c["type"] for v, c in by_value["pusat"].items()} == {"utama": 0, "kedua": 0}  # markers
    assert by_value["pusat"]["utama"]["fill"][:3] == _rgb(CENTRE_COLOURS["utama"][1])
    assert (seen["kawasan"]["labels"], seen["kawasan"]["label_field"]) == (True, "nama")
    assert (seen["pusat"]["labels"], seen["pusat"]["label_field"]) == (True, "nama_desa")
    assert seen["sambungan"]["renderer"] == "singleSymbol" and seen["sambungan"]["symbol"]["layer"] == "SimpleLine"
    assert seen["masalah"]["renderer"] == "singleSymbol"


def test_qgis_draws_mostly_lindung_villages_as_kawasan_lindung(tmp_path: Path) -> None:
    # a village left unscored because most of it is kawasan lindung (Way Kambas) is not missing
    # data: QGIS must put it under its own entry, in the protected grey-green, as the maps do
    require_qgis()
    desa = gpd.GeoDataFrame(
        {"kode_desa": ["1", "2", "3"], "potensi_dominan": ["permukiman", None, None],
         "status_potensi": ["dinilai", "lindung", "data_kurang"]},
        geometry=[box(i * 1000, 0, i * 1000 + 1000, 1000) for i in range(3)], crs=CRS,
    )
    gpkg = write_layers(tmp_path / "kawasan.gpkg", {"desa": desa}, styles=qgis_styles({"desa": desa}))
    seen = qgis_styles_seen(gpkg, ["desa"])["desa"]
    assert seen["renderer"] == "categorizedSymbol"
    assert [f[:3] for f in seen["feature_fills"]] == [
        _rgb(potential_styles("id")["permukiman"].colour),
        _rgb("#6b9080"),  # ITBX L, the protected grey-green of the maps
        [189, 189, 189],  # the grey of villages without a score
    ]
    assert "Kawasan lindung (sebagian besar desa)" in [c["label"] for c in seen["categories"]]
    # the SLD (other GIS) filters on the field alone: no entry it could never match
    assert "Kawasan lindung" not in qgis_styles({"desa": desa})["desa"].sld
