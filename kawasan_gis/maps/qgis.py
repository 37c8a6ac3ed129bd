"""QGIS default styles of a result GeoPackage, drawn from the colour tables the maps use.

Owns :func:`qgis_styles`: for each layer of ``kawasan.gpkg`` it knows, a QGIS style (QML) and an
SLD with the same symbols, as :class:`~kawasan_gis.io.styles.LayerStyle` records that
:func:`kawasan_gis.io.write_layers` stores in the GeoPackage's ``layer_styles`` table, so the
layers open styled in QGIS:

==================== ====================== ==========================================================
layer                renderer               colours
==================== ====================== ==========================================================
``desa``             categorised, by        the potentials catalogue (:func:`.styles.potential_styles`)
                     ``potensi_dominan``
``kawasan``          categorised, by        outlines only, in the potential colour; labelled ``nama``
                     ``potensi``
``pola_ruang``       categorised, ``kelas`` official pola ruang colours (``vocab``, :func:`.styles.class_styles`)
``penggunaan_lahan`` categorised, ``kelas`` land-cover colours (``vocab``)
``konflik``          categorised, ``status`` :data:`.styles.KONFLIK_STYLE` / :data:`.styles.ITBX_COLOURS`
``pusat``            categorised, ``peran`` :data:`.styles.CENTRE_COLOURS`; labelled ``nama_desa``
``sambungan``        single line            dashed grey
``masalah``          single fill            hatched red
==================== ====================== ==========================================================

``check.gpkg`` (``kawasan check``) holds ``kawasan``, ``konflik`` and ``desa`` layers of the same
kinds; its villages are classified by the plan's ``potensi`` (:data:`CHECK_FIELDS`).

Categories are the values present in the layer, in legend order, labelled in the run's
language; a value no table knows is drawn grey under its own name, and villages without a
score fall in a grey catch-all category, as on the web map. No colour is written here:
every one comes from :mod:`.styles` or the vocabularies. Imports :mod:`.styles`,
:mod:`kawasan_gis.io` (the record type), :mod:`kawasan_gis.i18n` and :mod:`kawasan_gis.vocab`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET

import geopandas as gpd

from kawasan_gis._values import is_present
from kawasan_gis.i18n import LABELS, check_lang, t
from kawasan_gis.io.styles import LayerStyle
from kawasan_gis.maps.styles import (
    CENTRE_COLOURS,
    GREY,
    ITBX_COLOURS,
    KONFLIK_STYLE,
    catalogue_order,
    class_styles,
    LINDUNG_STATUS,
    hex_colour,
    lindung_style,
    potential_styles,
)
from kawasan_gis.maps.prepare import mostly_lindung

__all__ = ["CATEGORY_FIELDS", "CHECK_FIELDS", "Category", "qgis_styles"]

CATEGORY_FIELDS = {
    "desa": "potensi_dominan",
    "kawasan": "potensi",
    "pola_ruang": "kelas",
    "penggunaan_lahan": "kelas",
    "konflik": "status",
    "pusat": "peran",
}
"""The attribute each categorised layer of ``kawasan.gpkg`` is classified by."""

CHECK_FIELDS = {"desa": "potensi"}
"""Where ``check.gpkg`` differs: its villages carry the plan's potential (``potensi``), not a score's."""

_LINDUNG_EXPRESSION = f"coalesce(\"potensi_dominan\", if(\"status_potensi\" = '{LINDUNG_STATUS}', '{LINDUNG_STATUS}', NULL))"
"""What QGIS classifies the run's villages by: their dominant potential, else the mostly-lindung status."""

_QGIS_VERSION = "3.22.0"
_OUTLINE = "#232323"


@dataclass(frozen=True)
class Category:
    """One category of a categorised layer: value, legend label, fill and outline."""

    value: str
    label: str
    fill: str
    outline: str = _OUTLINE
    fill_alpha: float = 1.0
    dashed: bool = False


def _rgba(colour: str, alpha: float = 1.0) -> str:
    """QGIS colour text ``"r,g,b,a"`` from ``#rrggbb``."""
    h = hex_colour(colour).lstrip("#")
    return f"{int(h[0:2], 16)},{int(h[2:4], 16)},{int(h[4:6], 16)},{round(255 * alpha)}"


def _present(frame: gpd.GeoDataFrame, column: str) -> list[str]:
    if column not in frame.columns:
        return []
    return list(dict.fromkeys(str(v) for v in frame[column] if is_present(v) and str(v) != ""))


def _categories(name: str, frame: gpd.GeoDataFrame, field: str, lang: str, catalogue: Iterable[Any] | None) -> list[Category]:
    values = _present(frame, field)
    if name in ("desa", "kawasan"):
        styles = potential_styles(lang, catalogue=catalogue)
        order = {code: i for i, code in enumerate(styles)}
        values.sort(key=lambda v: (order.get(v, len(order)), v))
        if name == "desa":
            cats = [Category(v, styles[v].label if v in styles else v, styles[v].colour if v in styles else GREY) for v in values]
            if field == CATEGORY_FIELDS["desa"] and mostly_lindung(frame).any():
                # mostly kawasan lindung: the protected grey-green and its own entry, as on the maps
                lindung = lindung_style(lang)
                cats.append(Category(LINDUNG_STATUS, lindung.label, lindung.colour))
            # QGIS's catch-all category (empty value): villages without a score, grey as on the web map
            return [*cats, Category("", t("no_score", lang), GREY)]
        # kawasan: outlines only, so the villages' colours stay visible below
        return [Category(v, styles[v].label if v in styles else v, "#ffffff", styles[v].colour if v in styles else GREY, fill_alpha=0.0)
                for v in values]
    if name in ("pola_ruang", "penggunaan_lahan"):
        kind = "rtrw" if name == "pola_ruang" else "landuse"
        order = catalogue_order(kind)
        values.sort(key=lambda v: (order.get(v, len(order)), v))
        styles = class_styles(kind, values, lang=lang)
        return [Category(v, styles[v].label, styles[v].colour) for v in values]
    if name == "konflik":
        statuses = [s for s in ITBX_COLOURS if s != "outside"]
        values.sort(key=lambda v: (-statuses.index(v) if v in statuses else 1, v))
        out = []
        for v in values:
            style = KONFLIK_STYLE.get(v)
            label = t(f"pct_{v}", lang) if f"pct_{v}" in LABELS else v
            if style is not None:
                out.append(Category(v, label, str(style["fillColor"]), str(style["color"]), float(style["fillOpacity"]),
                                    dashed="dashArray" in style))
            else:
                out.append(Category(v, label, ITBX_COLOURS.get(v, GREY)))
        return out
    # pusat: by role
    roles = list(CENTRE_COLOURS)
    values.sort(key=lambda v: (roles.index(v) if v in roles else len(roles), v))
    return [Category(v, t(f"pusat_{v}", lang) if v in CENTRE_COLOURS else v,
                     CENTRE_COLOURS[v][1] if v in CENTRE_COLOURS else GREY,
                     CENTRE_COLOURS[v][0] if v in CENTRE_COLOURS else _OUTLINE) for v in values]


def _geometry_kind(frame: gpd.GeoDataFrame) -> str:
    types = {str(g) for g in frame.geom_type.dropna()}
    if types and types <= {"Point", "MultiPoint"}:
        return "marker"
    if types and types <= {"LineString", "MultiLineString"}:
        return "line"
    return "fill"


def _option_map(parent: ET.Element, props: Mapping[str, str]) -> None:
    opt = ET.SubElement(parent, "Option", type="Map")
    for k, v in props.items():
        ET.SubElement(opt, "Option", name=k, type="QString", value=v)


def _symbol(parent: ET.Element, name: str, kind: str, cat: Category) -> None:
    sym = ET.SubElement(parent, "symbol", type=kind, name=name, alpha="1", clip_to_extent="1", force_rhr="0")
    if kind == "fill":
        layer = ET.SubElement(sym, "layer", {"class": "SimpleFill", "enabled": "1", "pass": "0", "locked": "0"})
        _option_map(layer, {
            "color": _rgba(cat.fill, cat.fill_alpha),
            "style": "solid" if cat.fill_alpha > 0 else "no",
            "outline_color": _rgba(cat.outline),
            "outline_style": "dash" if cat.dashed else "solid",
            "outline_width": "0.26" if cat.fill_alpha > 0 else "0.8",
            "outline_width_unit": "MM",
            "joinstyle": "bevel",
        })
    elif kind == "line":
        layer = ET.SubElement(sym, "layer", {"class": "SimpleLine", "enabled": "1", "pass": "0", "locked": "0"})
        _option_map(layer, {
            "line_color": _rgba(cat.outline),
            "line_style": "dash" if cat.dashed else "solid",
            "line_width": "0.6",
            "line_width_unit": "MM",
            "capstyle": "round",
            "joinstyle": "round",
        })
    else:
        layer = ET.SubElement(sym, "layer", {"class": "SimpleMarker", "enabled": "1", "pass": "0", "locked": "0"})
        _option_map(layer, {
            "name": "circle",
            "color": _rgba(cat.fill, cat.fill_alpha),
            "outline_color": _rgba(cat.outline),
            "outline_style": "solid",
            "outline_width": "0.4",
            "outline_width_unit": "MM",
            "size": "3.2",
            "size_unit": "MM",
        })


def _labeling(root: ET.Element, field: str) -> None:
    root.set("labelsEnabled", "1")
    lab = ET.SubElement(root, "labeling", type="simple")
    settings = ET.SubElement(lab, "settings", calloutType="simple")
    ET.SubElement(settings, "text-style", {
        "fieldName": field, "isExpression": "0", "fontSize": "9", "fontSizeUnit": "Point", "fontWeight": "75",
        "textColor": "35,35,35,255", "textOpacity": "1", "namedStyle": "Bold", "multilineAlign": "3",
    })
    ET.SubElement(settings, "text-buffer", {
        "bufferDraw": "1", "bufferSize": "1", "bufferSizeUnits": "MM", "bufferColor": "255,255,255,255", "bufferOpacity": "1",
    })
    ET.SubElement(settings, "placement", {"placement": "0", "dist": "1.5", "distUnits": "MM"})
    ET.SubElement(settings, "rendering", {"obstacle": "1", "displayAll": "0", "fontMinPixelSize": "3"})


def _qml(kind: str, field: str | None, cats: list[Category], single: Category | None, label_field: str | None) -> str:
    root = ET.Element("qgis", version=_QGIS_VERSION, styleCategories="Symbology|Labeling", labelsEnabled="0")
    if field is not None:
        renderer = ET.SubElement(root, "renderer-v2", type="categorizedSymbol", attr=field, symbollevels="0",
                                 enableorderby="0", forceraster="0")
        categories = ET.SubElement(renderer, "categories")
        symbols = ET.SubElement(renderer, "symbols")
        for i, cat in enumerate(cats):
            ET.SubElement(categories, "category", render="true", value=cat.value, symbol=str(i), label=cat.label)
            _symbol(symbols, str(i), kind, cat)
        source = ET.SubElement(renderer, "source-symbol")
        _symbol(source, "0", kind, Category("", "", GREY))
    else:
        assert single is not None
        renderer = ET.SubElement(root, "renderer-v2", type="singleSymbol", symbollevels="0", enableorderby="0", forceraster="0")
        symbols = ET.SubElement(renderer, "symbols")
        _symbol(symbols, "0", kind, single)
    if label_field is not None:
        _labeling(root, label_field)
    ET.SubElement(root, "layerOpacity").text = "1"
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(root, encoding="unicode")


_SLD_NS = {
    "xmlns": "http://www.opengis.net/sld",
    "xmlns:ogc": "http://www.opengis.net/ogc",
    "xmlns:se": "http://www.opengis.net/se",
    "version": "1.1.0",
}


def _sld(layer: str, kind: str, field: str | None, cats: list[Category], single: Category | None) -> str:
    root = ET.Element("StyledLayerDescriptor", _SLD_NS)
    named = ET.SubElement(root, "NamedLayer")
    ET.SubElement(named, "se:Name").text = layer
    fts = ET.SubElement(ET.SubElement(named, "UserStyle"), "se:FeatureTypeStyle")
    for cat in cats if field is not None else [single]:
        assert cat is not None
        rule = ET.SubElement(fts, "se:Rule")
        ET.SubElement(rule, "se:Name").text = cat.label
        if field is not None:
            eq = ET.SubElement(ET.SubElement(rule, "ogc:Filter"), "ogc:PropertyIsEqualTo")
            ET.SubElement(eq, "ogc:PropertyName").text = field
            ET.SubElement(eq, "ogc:Literal").text = cat.value
        if kind == "marker":
            graphic = ET.SubElement(ET.SubElement(rule, "se:PointSymbolizer"), "se:Graphic")
            mark = ET.SubElement(graphic, "se:Mark")
            ET.SubElement(mark, "se:WellKnownName").text = "circle"
            _sld_fill(mark, cat)
            _sld_stroke(mark, cat)
            ET.SubElement(graphic, "se:Size").text = "11"
        elif kind == "line":
            _sld_stroke(ET.SubElement(rule, "se:LineSymbolizer"), cat)
        else:
            sym = ET.SubElement(rule, "se:PolygonSymbolizer")
            if cat.fill_alpha > 0:
                _sld_fill(sym, cat)
            _sld_stroke(sym, cat)
    return ET.tostring(root, encoding="unicode")


def _sld_fill(parent: ET.Element, cat: Category) -> None:
    fill = ET.SubElement(parent, "se:Fill")
    ET.SubElement(fill, "se:SvgParameter", name="fill").text = hex_colour(cat.fill)
    ET.SubElement(fill, "se:SvgParameter", name="fill-opacity").text = f"{cat.fill_alpha:g}"


def _sld_stroke(parent: ET.Element, cat: Category) -> None:
    stroke = ET.SubElement(parent, "se:Stroke")
    ET.SubElement(stroke, "se:SvgParameter", name="stroke").text = hex_colour(cat.outline)
    ET.SubElement(stroke, "se:SvgParameter", name="stroke-width").text = "1"
    if cat.dashed:
        ET.SubElement(stroke, "se:SvgParameter", name="stroke-dasharray").text = "5 3"


_SINGLE = {
    # island bridges: dashed grey line; problem areas: red outline over a light red fill
    "sambungan": Category("", "", GREY, "#616161", dashed=True),
    "masalah": Category("", "", str(KONFLIK_STYLE["X"]["fillColor"]), str(KONFLIK_STYLE["X"]["color"]), fill_alpha=0.3),
}
_LABELS = {"kawasan": "nama", "pusat": "nama_desa"}
_TITLES = {"desa": "lyr_desa", "kawasan": "lyr_kawasan", "pola_ruang": "lyr_rtrw", "penggunaan_lahan": "lyr_landuse",
           "konflik": "lyr_konflik", "pusat": "lyr_pusat", "sambungan": "lyr_sambungan"}


def qgis_styles(
    layers: Mapping[str, Any],
    *,
    lang: str = "id",
    catalogue: Iterable[Any] | None = None,
    fields: Mapping[str, str] | None = None,
) -> dict[str, LayerStyle]:
    """Default QGIS styles of the result layers this module knows (see the module table).

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        The layers as written to ``kawasan.gpkg`` (``desa``, ``kawasan``, ``pola_ruang``, ...);
        names it does not know, and attribute tables, are left unstyled.
    lang : {"id", "en"}
        Language of the legend labels.
    catalogue : iterable of Potential, optional
        The run's potentials catalogue (colours and names); default the built-in one.
    fields : mapping of str to str, optional
        The attribute a layer is classified by, where it is not the one of
        :data:`CATEGORY_FIELDS` (:data:`CHECK_FIELDS` for ``check.gpkg``).

    Returns
    -------
    dict of str to LayerStyle

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> zones = gpd.GeoDataFrame({"kelas": ["hutan_lindung"]}, geometry=[box(0, 0, 1, 1)], crs="EPSG:32748")
    >>> style = qgis_styles({"pola_ruang": zones})["pola_ruang"]
    >>> 'type="categorizedSymbol"' in style.qml, 'value="50,95,40,255"' in style.qml
    (True, True)
    """
    check_lang(lang)
    catalogue = tuple(catalogue) if catalogue is not None else None
    fields = {**CATEGORY_FIELDS, **(fields or {})}
    out: dict[str, LayerStyle] = {}
    for name, frame in layers.items():
        if (name not in CATEGORY_FIELDS and name not in _SINGLE) or not isinstance(frame, gpd.GeoDataFrame):
            continue
        kind = _geometry_kind(frame)
        if name in _SINGLE:
            kind = "line" if name == "sambungan" else kind
            field, cats, single = None, [], _SINGLE[name]
        else:
            field, single = fields[name], None
            cats = _categories(name, frame, field, lang, catalogue)
        qml_field, sld_cats = field, cats
        if name == "desa" and any(c.value == LINDUNG_STATUS for c in cats):
            # QGIS classifies by an expression: the dominant potential, else the lindung status;
            # SLD filters on plain fields, so there those villages stay in the catch-all
            qml_field, sld_cats = _LINDUNG_EXPRESSION, [c for c in cats if c.value != LINDUNG_STATUS]
        title = t(_TITLES[name], lang) if name in _TITLES else name
        out[name] = LayerStyle(
            name=f"kawasan_gis {name}",
            qml=_qml(kind, qml_field, cats, single, _LABELS.get(name)),
            sld=_sld(name, kind, field, sld_cats, single),
            description=title,
        )
    return out
