"""Interactive (folium) and print (matplotlib) maps of villages, kawasan and the RTRW.

:func:`map_kawasan` draws one result as a Leaflet map a planner opens in a browser:
villages coloured by dominant potential, proposed kawasan outlined and labelled, the
RTRW pola ruang in its official colours, land use, conflicts, island bridges and
kecamatan/kabupaten boundaries, each toggleable, with tooltips, popups, legends,
search, full screen, measuring, a minimap and a scale bar. :func:`compare_maps` puts
two plans side by side, :func:`save_map` writes the HTML (optionally with every script
inlined so it opens without internet) and :func:`static_map` makes the PNG/PDF for
planning documents.

Three rules shape the code:

* **Size.** Polygons are simplified as a *coverage* in the metric CRS (shared borders
  stay shared), reprojected to EPSG:4326 only here, rounded to 5 decimals (~1 m), and
  carry only the properties the map shows.
* **Safety.** folium's ``GeoJsonTooltip``/``GeoJsonPopup`` insert attribute values as
  raw HTML, so they are not used. Tooltip and popup HTML is rendered here with
  :func:`html.escape` on every value and bound by a small ``onEachFeature`` function;
  every string property in the GeoJSON is escaped too, except the search key, which
  the search box lists with ``textContent``.
* **Offline.** The map loads only Leaflet and the plugins it uses. ``offline=True``
  inlines them from the ``folium-offline`` package, which embeds folium's web
  resources under their CDN addresses; nothing is copied by hand.
"""

from __future__ import annotations

import html
import logging
import math
import os
import re
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, Figure, MacroElement
from folium.elements import JSCSSMixin
from folium.map import CustomPane
from folium.template import Template
from folium.utilities import JsCode
from pyproj import CRS

from kawasan_gis._atomic import atomic_file, write_text
from kawasan_gis import vocab
from kawasan_gis.errors import CRSError, DataSourceError, FieldError, LayerError
from kawasan_gis.i18n import check_lang, format_number, t

log = logging.getLogger(__name__)

__all__ = ["ClassStyle", "class_styles", "compare_maps", "inline_assets", "map_kawasan", "potential_styles",
           "render_html", "save_map", "static_map"]

GREY = "#bdbdbd"
ITBX_COLOURS = {"I": "#1a9850", "T": "#a6d96a", "B": "#f59e0b", "X": "#d7191c", "outside": "#bdbdbd"}
# Conflicts sit on top of the potential colours (orange permukiman among them): prohibited
# areas get a strong fill and a dark outline; conditional ones, often large, a light fill and
# a dashed outline so the potentials below stay readable.
KONFLIK_STYLE = {
    "X": {"fillColor": "#d7191c", "color": "#67000d", "weight": 2, "opacity": 1, "fillOpacity": 0.8},
    "B": {"fillColor": "#f59e0b", "color": "#d97706", "weight": 2, "opacity": 1, "fillOpacity": 0.12, "dashArray": "5 3"},
}
SATELLITE_URL = "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}"
SATELLITE_ATTR = "Tiles &copy; Esri &mdash; Source: Esri, Maxar, Earthstar Geographics, and the GIS User Community"

# Leaflet panes, bottom to top, so toggling a layer off and on never changes the stacking.
PANES = {
    "kg_rtrw": 402,
    "kg_landuse": 404,
    "kg_desa": 410,
    "kg_konflik": 420,
    "kg_batas": 430,
    "kg_kawasan": 440,
    "kg_sambungan": 445,
    "kg_label": 450,
}

# The only resources the maps need; folium's Map also loads jQuery, Bootstrap and Font
# Awesome (about 1.3 MB inlined) for widgets these maps do not use.
_LEAFLET_JS = [js for js in folium.Map.default_js if js[0] == "leaflet"]
_LEAFLET_CSS = [css for css in folium.Map.default_css if css[0] == "leaflet_css"]

_BIND_JS = "kawasanGis.bind"
_LABEL_JS = "kawasanGis.label"


# --------------------------------------------------------------------------- catalogue


@dataclass(frozen=True)
class ClassStyle:
    """Colour and label of one potential or class code on a map."""

    code: str
    label: str
    colour: str


def _hex(colour: Any) -> str:
    """``#rrggbb`` from ``[r, g, b]`` or a hex string; grey for anything else.

    Colours come from user-editable catalogues and end up in ``style`` attributes, so only
    these two shapes are let through.
    """
    if isinstance(colour, str) and re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
        return colour.lower()
    if isinstance(colour, (list, tuple)) and len(colour) == 3:
        try:
            rgb = [int(c) for c in colour]
        except (TypeError, ValueError):
            return GREY
        if all(0 <= c <= 255 for c in rgb):
            return "#{:02x}{:02x}{:02x}".format(*rgb)
    log.warning("colour %r is not [r, g, b] or #rrggbb; drawn grey", colour)
    return GREY


def potential_styles(lang: str = "id", *, catalogue: Iterable[Any] | None = None) -> dict[str, ClassStyle]:
    """Colour and label of every potential, in catalogue order.

    ``catalogue`` defaults to :func:`kawasan_gis.vocab.load_potentials` (disabled
    potentials included: a result may use them); pass a user catalogue to draw its own
    potentials in their own colours.
    """
    check_lang(lang)
    if catalogue is None:
        catalogue = _builtin_potentials()
    return {str(p.code): ClassStyle(str(p.code), str(p.nama if lang == "id" else p.name), _hex(p.colour)) for p in catalogue}


@cache
def _builtin_potentials() -> tuple[Any, ...]:
    return tuple(vocab.load_potentials())


def class_styles(kind: str, codes: Iterable[Any], *, lang: str = "id") -> dict[str, ClassStyle]:
    """Colour and label of the standard class ``codes`` of ``kind`` (``rtrw``, ``landuse``).

    Codes the vocabulary (:func:`kawasan_gis.vocab.load_vocabulary`) does not know are
    drawn grey and labelled with the code itself.
    """
    check_lang(lang)
    voc = vocab.load_vocabulary(kind)
    out: dict[str, ClassStyle] = {}
    for code in dict.fromkeys(str(c) for c in codes if _present(c)):
        out[code] = ClassStyle(code, voc.label(code, lang), _hex(voc.colour(code))) if code in voc else ClassStyle(code, code, GREY)
    return out


def _catalogue_order(kind: str) -> dict[str, int]:
    """Legend order: the vocabulary's order (kawasan lindung first, then budidaya)."""
    return {code: i for i, code in enumerate(vocab.load_vocabulary(kind).codes)}


# --------------------------------------------------------------------------- small helpers


def _present(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    return not (value is pd.NA or value is pd.NaT)


def _truthy(value: Any) -> bool:
    return _present(value) and bool(value)


def _esc(value: Any) -> str:
    """HTML-escaped text of ``value``; empty for missing values."""
    return html.escape(str(value), quote=True) if _present(value) else ""


def _num(value: Any, decimals: int, lang: str) -> str:
    return format_number(value, decimals, lang)


def _swatch(colour: str, cls: str = "") -> str:
    return f'<i class="kg-sw{(" " + cls) if cls else ""}" style="background:{colour}"></i>'


def _legend_item(colour: str, label: str, cls: str = "") -> str:
    return f'<div class="kg-li">{_swatch(colour, cls)}{_esc(label)}</div>'


def _metric(gdf: gpd.GeoDataFrame, what: str) -> gpd.GeoDataFrame:
    """``gdf`` in a metric CRS: as given when projected, else its UTM zone (drawing only)."""
    if gdf.crs is None:
        raise CRSError(f"{what}: the layer has no CRS; read it with kawasan_gis.io, which sets one")
    crs = CRS.from_user_input(gdf.crs)
    if crs.is_projected:
        return gdf
    return gdf.to_crs(gdf.estimate_utm_crs())


def _require(gdf: Any, what: str, columns: Sequence[str]) -> list[str]:
    if not isinstance(gdf, gpd.GeoDataFrame):
        return [f"{what}: expected a GeoDataFrame, got {type(gdf).__name__}"]
    missing = [c for c in columns if c not in gdf.columns]
    return [f"{what}: missing column(s) {', '.join(missing)}"] if missing else []


def _simplify(geoms: np.ndarray, tolerance: float, *, coverage: bool) -> np.ndarray:
    """Simplify polygons, as one coverage when they form one (shared borders stay shared).

    Real village layers are rarely a valid coverage (slivers overlap by square metres);
    GEOS still simplifies the edges they share, so the coverage simplifier is tried
    first and any output polygon that is invalid or empty is redone on its own.
    """
    if tolerance <= 0 or len(geoms) == 0:
        return geoms
    polygonal = np.isin(shapely.get_type_id(geoms), [3, 6])
    if coverage and polygonal.all():
        try:
            out = shapely.coverage_simplify(geoms, tolerance)
        except shapely.errors.GEOSException as exc:
            log.info("coverage simplification failed (%s); simplifying each polygon on its own", exc)
        else:
            bad = ~shapely.is_valid(out) | shapely.is_empty(out)
            if bad.any():
                log.info("%d polygons simplified on their own after the coverage simplifier", int(bad.sum()))
                out[bad] = shapely.simplify(geoms[bad], tolerance, preserve_topology=True)
            return out
    return shapely.simplify(geoms, tolerance, preserve_topology=True)


def _to_wgs84(geoms: np.ndarray, crs: Any, decimals: int | None) -> np.ndarray:
    out = gpd.GeoSeries(geoms, crs=crs).to_crs(4326).values
    if decimals is not None:
        # np.round gives the double nearest the decimal, which json writes in its short form.
        out = shapely.transform(np.asarray(out, dtype=object), lambda c: np.round(c, decimals))
    return np.asarray(out, dtype=object)


def _drop_small_holes(geom: shapely.Geometry, min_area: float) -> shapely.Geometry:
    """Remove interior rings smaller than ``min_area``: the slivers a union of real villages leaves."""
    if geom is None or geom.is_empty:
        return geom
    parts = []
    for poly in shapely.get_parts(geom):
        if shapely.get_type_id(poly) != 3:
            continue
        holes = [r for r in poly.interiors if shapely.Polygon(r).area >= min_area]
        parts.append(shapely.Polygon(poly.exterior, holes))
    return shapely.multipolygons(parts) if len(parts) > 1 else (parts[0] if parts else shapely.Polygon())


def _dissolve(geoms: np.ndarray, keys: pd.Series, min_hole: float) -> tuple[list[str], list[shapely.Geometry]]:
    names, out = [], []
    for key, idx in keys.groupby(keys, sort=True).groups.items():
        part = shapely.union_all(geoms[np.asarray(keys.index.get_indexer(idx))])
        names.append(str(key))
        out.append(_drop_small_holes(part, min_hole))
    return names, out


def _collection(geoms: Sequence[shapely.Geometry], props: Sequence[dict[str, Any]], ids: Sequence[str] | None = None) -> dict[str, Any]:
    feats = []
    for i, (geom, prop) in enumerate(zip(geoms, props, strict=True)):
        if geom is None or geom.is_empty:
            continue
        feat: dict[str, Any] = {"type": "Feature", "geometry": shapely.geometry.mapping(geom), "properties": prop}
        if ids is not None:
            feat["id"] = ids[i]
        feats.append(feat)
    return {"type": "FeatureCollection", "features": feats}


def _label_point(geom: shapely.Geometry) -> shapely.Point:
    """Where a zone's label goes: the centre of the largest inscribed circle of its largest part."""
    parts = shapely.get_parts(geom)
    main = parts[int(np.argmax(shapely.area(parts)))]
    tolerance = max(math.sqrt(main.area) / 200.0, 1.0)
    return shapely.get_point(shapely.maximum_inscribed_circle(main, tolerance), 0)


# --------------------------------------------------------------------------- folium elements


@cache
def _asset(name: str) -> str:
    return resources.files("kawasan_gis").joinpath("templates", name).read_text(encoding="utf-8")


class _MapExtras(MacroElement):
    """Stylesheet, title, metric scale bar and the offline note of one map."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            {%- if this.title %}
            var title = L.DomUtil.create("div", {{ ("kg-title kg-title-compact" if this.compact else "kg-title")|tojson }}, map.getContainer());
            title.textContent = {{ this.title|tojson }};
            {%- endif %}
            L.control.scale({imperial: false, position: "bottomleft", maxWidth: 160}).addTo(map);
            map.attributionControl.setPrefix({{ this.prefix|tojson }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, *, title: str | None, prefix: str, compact: bool = False) -> None:
        super().__init__()
        self._name = "KawasanExtras"
        self.title = title
        self.prefix = prefix
        self.compact = compact

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        if isinstance(figure, Figure):
            figure.header.add_child(Element(f"<style>{_asset('peta.css')}</style>"), name="kawasan_gis_css")
            figure.header.add_child(Element(f"<script>{_asset('peta.js')}</script>"), name="kawasan_gis_js")
        super().render(**kwargs)


class _Legend(MacroElement):
    """Categorical legend as a Leaflet control; a section shows while its layer is on."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var sections = [
            {%- for layer, body in this.sections %}
                {layer: {{ layer.get_name() if layer else "null" }}, html: {{ body|tojson }}},
            {%- endfor %}
            ];
            var control = L.control({position: "bottomright"});
            control.onAdd = function () {
                var box = L.DomUtil.create("div", "kg-legend");
                var details = L.DomUtil.create("details", "", box);
                details.open = true;
                var summary = L.DomUtil.create("summary", "", details);
                summary.textContent = {{ this.heading|tojson }};
                sections.forEach(function (s) {
                    s.el = L.DomUtil.create("div", "kg-legend-sec", details);
                    s.el.innerHTML = s.html;
                });
                L.DomEvent.disableClickPropagation(box);
                L.DomEvent.disableScrollPropagation(box);
                return box;
            };
            control.addTo(map);
            function sync() {
                sections.forEach(function (s) {
                    s.el.style.display = (!s.layer || map.hasLayer(s.layer)) ? "" : "none";
                });
            }
            map.on("overlayadd overlayremove", sync);
            sync();
        })();
        {% endmacro %}
        """
    )

    def __init__(self, heading: str, sections: list[tuple[Any, str]]) -> None:
        super().__init__()
        self._name = "KawasanLegend"
        self.heading = heading
        self.sections = sections


class _OutlineMiniMap(JSCSSMixin, MacroElement):
    """Locator minimap drawn from the kecamatan outlines: works without any tile server."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var outline = L.geoJson({{ this.data|tojson }}, {
                interactive: false,
                style: {color: "#4a5568", weight: 0.8, fillColor: "#cfd8dc", fillOpacity: 0.8}
            });
            new L.Control.MiniMap(outline, {{ this.options|tojavascript }}).addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )
    default_js = folium.plugins.MiniMap.default_js
    default_css = folium.plugins.MiniMap.default_css

    def __init__(self, data: dict[str, Any], zoom: int) -> None:
        super().__init__()
        self._name = "OutlineMiniMap"
        self.data = data
        self.options = {
            "position": "bottomleft",
            "width": 140,
            "height": 140,
            "zoomLevelFixed": zoom,
            "toggleDisplay": False,
            "aimingRectOptions": {"color": "#d7191c", "weight": 2, "fillOpacity": 0.08, "interactive": False},
            "shadowRectOptions": {"color": "#000000", "weight": 1, "opacity": 0, "fillOpacity": 0},
        }


class _Search(folium.plugins.Search):
    """Village search (leaflet-search) that lists names as text and matches anywhere in them.

    folium's template inserts each match with ``innerHTML``; here ``buildTip`` builds the
    list item with ``textContent``, so the search key can stay the raw name (``Sa'dan``,
    ``A & B`` are found as typed) without becoming markup.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var layer = {{ this.layer.get_name() }};
            var control = new L.Control.Search({
                layer: layer,
                propertyName: {{ this.search_label|tojson }},
                collapsed: false,
                initial: false,
                marker: false,
                position: {{ this.position|tojson }},
                textPlaceholder: {{ this.placeholder|tojson }},
                textErr: {{ this.text_err|tojson }},
                buildTip: kawasanGis.searchTip,
                moveToLocation: function (latlng, title, map) { map.fitBounds(latlng.layer.getBounds(), {maxZoom: 15}); }
            });
            control.on("search:locationfound", function (e) {
                layer.setStyle(function (feature) { return feature.properties.style; });
                e.layer.setStyle({color: "#111111", weight: 3, opacity: 1});
                if (e.layer.getPopup()) { e.layer.openPopup(); }
            });
            control.on("search:collapsed", function () {
                layer.setStyle(function (feature) { return feature.properties.style; });
            });
            {{ this._parent.get_name() }}.addControl(control);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, layer: folium.GeoJson, *, placeholder: str, text_err: str) -> None:
        super().__init__(layer, search_label="cari", geom_type="Polygon", placeholder=placeholder, position="topleft")
        self._name = "KawasanSearch"
        self.text_err = text_err


def _fixed_zoom(bounds: tuple[float, float, float, float], pixels: int) -> int:
    """Web-Mercator zoom at which ``bounds`` (lon/lat) fits in ``pixels``."""
    minx, miny, maxx, maxy = bounds
    span = max(maxx - minx, (maxy - miny) / max(math.cos(math.radians((miny + maxy) / 2)), 0.1), 1e-6)
    return int(max(0, min(18, math.floor(math.log2(pixels * 360.0 / (256.0 * span))))))


# --------------------------------------------------------------------------- popups and tooltips


@dataclass
class _Context:
    """What the labels of one map are looked up in."""

    lang: str
    potentials: dict[str, ClassStyle]
    kawasan_ids: list[str]
    kawasan_names: dict[str, str]
    kawasan_verdict: dict[str, str]


def _potential_label(ctx: _Context, code: Any) -> tuple[str, str]:
    if not _present(code):
        return t("no_score", ctx.lang), GREY
    st = ctx.potentials.get(str(code))
    return (st.label, st.colour) if st else (str(code), GREY)


def _kawasan_popup(row: pd.Series, ctx: _Context) -> str:
    lang = ctx.lang
    label, colour = _potential_label(ctx, row.get("potensi"))
    name = row.get("nama") if _present(row.get("nama")) else row["kawasan_id"]
    out = [
        f"<div class=kg-pp><h4>{_esc(name)}</h4>"
        f"<div class=kg-muted>{_esc(row['kawasan_id'])} · {_swatch(colour)}{_esc(label)}</div><table>"
    ]
    facts = [
        ("n_desa", row.get("n_desa"), 0, ""),
        ("luas", row.get("luas_ha"), 1, " ha"),
        ("kekompakan", row.get("kekompakan"), 2, ""),
        ("stabilitas", row.get("stabilitas"), 2, ""),
    ]
    for key, value, decimals, unit in facts:
        if _present(value):
            out.append(f"<tr><th>{_esc(t(key, lang))}</th><td>{_num(value, decimals, lang)}{unit}</td></tr>")
    kec = row.get("kecamatan")
    if isinstance(kec, (list, tuple, np.ndarray)):
        kec = ", ".join(str(k) for k in kec)
    if _present(kec) and str(kec):
        out.append(f"<tr><th>{_esc(t('kecamatan', lang))}</th><td>{_esc(kec)}</td></tr>")
    out.append("</table>")
    pcts = [(k, row.get(f"pct_{k}")) for k in ("I", "T", "B", "X", "outside")]
    if any(_present(v) for _, v in pcts):
        bar = "".join(
            f'<i style="width:{max(min(float(v), 100.0), 0.0):.1f}%;background:{ITBX_COLOURS[k]}"></i>'
            for k, v in pcts if _present(v)
        )
        rows = "".join(
            f"<tr><td>{_swatch(ITBX_COLOURS[k])}{_esc(t('pct_' + k, lang))}</td><td class=kg-n>{_num(v, 1, lang)}%</td></tr>"
            for k, v in pcts if _present(v)
        )
        out.append(f"<h5>{_esc(t('kepatuhan', lang))}</h5><div class=kg-stack>{bar}</div><table>{rows}</table>")
        if _present(row.get("verdict")):
            out.append(f"<div>{_esc(t('verdict', lang))}: <b>{_esc(row['verdict'])}</b></div>")
    out.append("</div>")
    return "".join(out)


# --------------------------------------------------------------------------- layers


@dataclass
class _Prepared:
    """Geometry in EPSG:4326 and the frame it belongs to (same order)."""

    frame: pd.DataFrame
    geoms: np.ndarray


def _prepare(gdf: gpd.GeoDataFrame, what: str, *, simplify_m: float, decimals: int | None, coverage: bool,
             metric_crs: Any | None = None) -> tuple[_Prepared, np.ndarray, Any]:
    """Simplify in a metric CRS, then EPSG:4326 and rounding. Returns the metric geometry too."""
    if gdf.crs is None:
        raise CRSError(f"{what}: the layer has no CRS; read it with kawasan_gis.io, which sets one")
    metric = gdf.to_crs(metric_crs) if metric_crs is not None else _metric(gdf, what)
    keep = metric.geometry.notna().to_numpy() & ~metric.geometry.is_empty.to_numpy()
    metric = metric[keep]
    geoms = _simplify(np.asarray(metric.geometry.values, dtype=object), simplify_m, coverage=coverage)
    wgs = _to_wgs84(geoms, metric.crs, decimals)
    frame = pd.DataFrame(metric.drop(columns=metric.geometry.name))
    return _Prepared(frame.reset_index(drop=True), wgs), geoms, metric.crs


def _geojson(data: dict[str, Any], *, name: str, pane: str, show: bool = True, control: bool = True,
             on_each_feature: str | None = None, interactive: bool = True, **options: Any) -> folium.GeoJson:
    return folium.GeoJson(
        data,
        name=name,
        show=show,
        control=control,
        on_each_feature=JsCode(on_each_feature) if on_each_feature else None,
        pane=pane,
        # Leaflet's default is interactive; only the "off" value needs to be written out.
        interactive=None if interactive else False,
        **options,
    )


def _add_panes(m: folium.Map) -> None:
    have = {c.name for c in m._children.values() if isinstance(c, CustomPane)}
    for name, z in PANES.items():
        if name not in have:
            CustomPane(name, z_index=z, pointer_events=False).add_to(m)


def _add_basemaps(m: folium.Map, *, lang: str, offline: bool) -> None:
    if any(isinstance(c, folium.TileLayer) for c in m._children.values()):
        return
    folium.TileLayer("OpenStreetMap", name=t("base_osm", lang), overlay=False, show=not offline, max_zoom=19).add_to(m)
    folium.TileLayer(SATELLITE_URL, attr=SATELLITE_ATTR, name=t("base_satellite", lang), overlay=False, show=False,
                     max_zoom=19).add_to(m)
    folium.FeatureGroup(name=t("base_none", lang), overlay=False, show=offline).add_to(m)


def _new_map(*, trim: bool = True) -> folium.Map:
    m = folium.Map(tiles=None, control_scale=False, zoom_control=True, max_zoom=19, zoom_snap=0.25)
    if trim:
        _trim(m)
    return m


def _trim(m: folium.Map) -> None:
    m.default_js = list(_LEAFLET_JS)
    m.default_css = list(_LEAFLET_CSS)


def _validate(desa: Any, layers: Mapping[str, tuple[Any, Sequence[str]]]) -> None:
    problems = _require(desa, "desa", ["kode_desa", "nama_desa"])
    for what, (gdf, cols) in layers.items():
        if gdf is not None:
            problems += _require(gdf, what, cols)
    if problems:
        raise FieldError("Cannot draw the map", problems=problems)
    if len(desa) == 0:
        raise LayerError("desa: the village layer is empty; nothing to draw")
    for what, gdf in [("desa", desa)] + [(w, g) for w, (g, _) in layers.items() if g is not None]:
        if gdf.crs is None:
            raise CRSError(f"{what}: the layer has no CRS; read it with kawasan_gis.io, which sets one")


def map_kawasan(
    desa: gpd.GeoDataFrame,
    *,
    kawasan: gpd.GeoDataFrame | None = None,
    pola_ruang: gpd.GeoDataFrame | None = None,
    penggunaan_lahan: gpd.GeoDataFrame | None = None,
    konflik: gpd.GeoDataFrame | None = None,
    sambungan: gpd.GeoDataFrame | None = None,
    lang: str = "id",
    offline: bool = False,
    simplify_m: float = 25.0,
    decimals: int | None = 5,
    title: str | None = None,
    catalogue: Iterable[Any] | None = None,
    m: folium.Map | None = None,
) -> folium.Map:
    """Interactive map of villages, proposed kawasan and the RTRW.

    Parameters
    ----------
    desa
        Villages in a metric CRS with ``kode_desa`` and ``nama_desa``; drawn by
        ``potensi_dominan`` (catalogue colours; pale when ``campuran``) when present, with
        ``skor_<potential>``, ``margin``, ``dasar``, ``kontribusi_utama``,
        ``pct_landuse_*``/``pct_landcover_*``/``pct_rtrw_*`` and ``kawasan_id`` in the popup.
    kawasan
        Proposed zones (``kawasan_id``; ``nama``, ``potensi``, ``n_desa``, ``luas_ha``,
        ``kecamatan``, ``kekompakan``, ``stabilitas`` and the compliance columns ``pct_I``,
        ``pct_T``, ``pct_B``, ``pct_X``, ``pct_outside``, ``verdict`` when present). When
        ``desa`` has ``kawasan_id``, outlines are dissolved from the simplified villages so
        they match the village borders exactly; without ``kawasan``, zones are drawn from
        ``desa.kawasan_id`` alone.
    pola_ruang, penggunaan_lahan
        Class layers with the standard code in ``kelas`` (and ``kelas_raw``); drawn in the
        official pola ruang colours / land-cover colours. Off when the map opens.
    konflik
        RTRW conflicts (``kawasan_id``, ``kelas``, ``status`` ``"X"`` prohibited in red or
        ``"B"`` conditional in amber, ``luas_ha``).
    sambungan
        Island bridges (LineStrings with ``from_kode``, ``to_kode``, ``distance_m``).
    lang
        ``"id"`` (default) or ``"en"`` for every label.
    offline
        Open on a blank basemap (no tile requests) instead of OpenStreetMap;
        :func:`save_map` then inlines all scripts and stylesheets.
    simplify_m
        Coverage simplification tolerance in metres (0 keeps every vertex).
    decimals
        Decimals kept in the longitude/latitude coordinates (5 is about 1 m; None keeps all).
    title
        Title shown at the top; default "Usulan Kawasan Perdesaan – <kabupaten>".
    catalogue
        Potential catalogue for colours and labels (default
        :func:`kawasan_gis.vocab.load_potentials`).
    m
        A map to draw on (e.g. ``DualMap.m1``). Basemaps, controls and panes are added
        only when it does not have them yet.

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> from kawasan_gis import io
    >>> desa = io.read_villages("data/rtrw_lampung_timur/desa_lampung_timur.gpkg")
    >>> m = map_kawasan(desa, lang="en", offline=True)
    >>> len(m.get_root().render()) < 5_000_000
    True
    >>> save_map(m, "peta_kawasan.html")  # doctest: +SKIP
    """
    check_lang(lang)
    _validate(
        desa,
        {
            "kawasan": (kawasan, ["kawasan_id"]),
            "pola_ruang": (pola_ruang, ["kelas"]),
            "penggunaan_lahan": (penggunaan_lahan, ["kelas"]),
            "konflik": (konflik, ["status"]),
            "sambungan": (sambungan, []),
        },
    )
    if m is None:
        m = _new_map()
    # read by render_html/save_map
    m._kawasan_offline = bool(offline or getattr(m, "_kawasan_offline", False))
    m._kawasan_lang = lang
    _add_panes(m)
    _add_basemaps(m, lang=lang, offline=offline)

    desa_p, desa_metric, metric_crs = _prepare(desa, "desa", simplify_m=simplify_m, decimals=decimals, coverage=True)
    frame = desa_p.frame
    kawasan_frame = _kawasan_frame(kawasan, frame)
    ctx = _context(kawasan_frame, lang, catalogue)
    geo = _Geo(metric_crs=metric_crs, simplify_m=simplify_m, decimals=decimals,
               min_hole=max(10_000.0, (4 * simplify_m) ** 2))

    binder, village_layer, village_legend = _village_layer(desa_p, ctx)
    binder.add_to(m)
    # Added in the order of the layer control; the panes keep the drawing order.
    layers: list[tuple[folium.GeoJson, str | None]] = [(village_layer, village_legend)]
    if kawasan_frame is not None and len(kawasan_frame):
        layers.append(_kawasan_layer(kawasan, kawasan_frame, frame, desa_metric, geo, ctx))
    if konflik is not None and len(konflik):
        layers.append(_konflik_layer(konflik, geo, ctx))
    if sambungan is not None and len(sambungan):
        layers.append(_sambungan_layer(sambungan, frame, geo, ctx))
    for gdf, kind in ((pola_ruang, "rtrw"), (penggunaan_lahan, "landuse")):
        if gdf is not None and len(gdf):
            layers.append(_class_layer(gdf, kind, geo, ctx))
    boundaries = _boundaries(frame, desa_metric, geo)
    layers += _boundary_layers(boundaries, geo, lang)
    for layer, _ in layers:
        layer.add_to(m)

    if title is None:
        kabs = [str(k) for k in frame.get("nama_kab", pd.Series(dtype=object)).dropna().unique() if str(k)]
        title = t("map_title", lang) + (" – " + ", ".join(kabs[:3]) if kabs else "")
    # Half of a DualMap is too narrow for the expanded layer list beside the title.
    parent = getattr(m, "_parent", None)
    compact = parent is not None and any(isinstance(c, folium.plugins.DualMap) for c in parent._children.values())
    _MapExtras(title=title or None, prefix='<a href="https://leafletjs.com">Leaflet</a> · kawasan_gis', compact=compact).add_to(m)
    _add_controls(m, village_layer, boundaries["semua"], geo, lang, compact=compact)
    _Legend(t("legend", lang), [(layer, body) for layer, body in layers if body]).add_to(m)

    minx, miny, maxx, maxy = shapely.total_bounds(desa_p.geoms)
    m.fit_bounds([[miny, minx], [maxy, maxx]], padding=(10, 10))
    return m


@dataclass(frozen=True)
class _Geo:
    """How every layer of one map is prepared."""

    metric_crs: Any
    simplify_m: float
    decimals: int | None
    min_hole: float


def _context(kawasan_frame: pd.DataFrame | None, lang: str, catalogue: Iterable[Any] | None) -> _Context:
    ids: list[str] = []
    names: dict[str, str] = {}
    verdicts: dict[str, str] = {}
    if kawasan_frame is not None:
        ids = [str(k) for k in kawasan_frame["kawasan_id"]]
        names = {k: str(n) for k, n in zip(ids, kawasan_frame["nama"], strict=True)}
        if "verdict" in kawasan_frame.columns:
            verdicts = {k: str(v) for k, v in zip(ids, kawasan_frame["verdict"], strict=True) if _present(v)}
    return _Context(lang=lang, potentials=potential_styles(lang, catalogue=catalogue), kawasan_ids=ids, kawasan_names=names,
                    kawasan_verdict=verdicts)


_SHARE_KINDS = (("landuse", "shares_landuse", "landuse"), ("landcover", "shares_landcover", "landuse"), ("rtrw", "shares_rtrw", "rtrw"))
_DASAR = {"kondisi_lahan": "dasar_kondisi_lahan", "zonasi": "dasar_zonasi", "campuran": "dasar_campuran"}
_VILLAGE_TEXT = ("kec", "potensi", "kawasan", "no_kawasan", "no_score", "campuran", "skor", "margin", "ya", "tidak",
                 "dasar", "kontribusi", "desa", "kelurahan", "verdict", "unmapped")


class _VillageBinder(MacroElement):
    """The village layer's ``onEachFeature``: builds tooltips and popups from compact properties."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = kawasanGis.villages({{ this.dictionary|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, dictionary: dict[str, Any]) -> None:
        super().__init__()
        self._name = "KawasanVillages"
        self.dictionary = dictionary


def _round(value: Any, decimals: int) -> float | None:
    return round(float(value), decimals) if _present(value) else None


def _village_layer(desa_p: _Prepared, ctx: _Context) -> tuple[_VillageBinder, folium.GeoJson, str]:
    """Villages as compact properties (escaped strings, indices, numbers) and their legend.

    Popups are assembled in the browser from a per-map dictionary (``templates/peta.js``):
    HTML pre-rendered per village would be several times larger once JSON-escaped.
    """
    frame, lang = desa_p.frame, ctx.lang
    has_potential = "potensi_dominan" in frame.columns
    score_cols = [c for c in frame.columns if str(c).startswith("skor_")]
    dominant = [str(c) for c in frame["potensi_dominan"].dropna().unique()] if has_potential else []
    codes = list(dict.fromkeys([str(c)[len("skor_"):] for c in score_cols] + dominant))
    order = {code: i for i, code in enumerate(ctx.potentials)}
    codes.sort(key=lambda c: (order.get(c, len(order)), c))
    pot_index = {code: i for i, code in enumerate(codes)}
    pots = [ctx.potentials.get(c, ClassStyle(c, c, GREY)) for c in codes]
    score_cols.sort(key=lambda c: pot_index[str(c)[len("skor_"):]])

    sections, share_cols = [], []
    for kind, heading, vocab_kind in _SHARE_KINDS:
        prefix = f"pct_{kind}_"
        cols = [c for c in frame.columns if str(c).startswith(prefix) and str(c) != f"{prefix}overlap"]
        classes = [str(c)[len(prefix):] for c in cols if str(c) != f"{prefix}unmapped"]
        if not cols:
            continue
        styles = class_styles(vocab_kind, classes, lang=lang)
        sections.append({"h": _esc(t(heading, lang)), "cls": [{"l": _esc(styles[c].label), "c": styles[c].colour} for c in classes]})
        share_cols.append([(col, classes.index(str(col)[len(prefix):]) if str(col) != f"{prefix}unmapped" else -1) for col in cols])

    kaw_index = {k: i for i, k in enumerate(ctx.kawasan_ids)}
    has_kawasan = "kawasan_id" in frame.columns
    records = frame.to_dict("records")
    props = []
    search_keys: set[str] = set()
    for row in records:
        kec = row.get("nama_kec")
        kec = str(kec) if _present(kec) else ""
        key = f"{row['nama_desa']} ({kec})" if kec else str(row["nama_desa"])
        if key in search_keys:
            key = f"{key} {row['kode_desa']}"
        search_keys.add(key)
        # "cari" is the one raw string: the search box shows it with textContent (see _Search).
        p: dict[str, Any] = {"n": _esc(row["nama_desa"]), "c": _esc(row["kode_desa"]), "cari": key}
        if kec:
            p["k"] = _esc(kec)
        if str(row.get("jenis", "")) == "kelurahan":
            p["j"] = 1
        if has_potential and _present(row.get("potensi_dominan")):
            p["p"] = pot_index[str(row["potensi_dominan"])]
        if score_cols:
            p["s"] = [_round(row[c], 3) for c in score_cols]
        if _present(row.get("margin")):
            p["mg"] = _round(row["margin"], 3)
        if "campuran" in row and _present(row["campuran"]):
            p["cm"] = int(bool(row["campuran"]))
        if _present(row.get("dasar")):
            dasar = str(row["dasar"])
            p["ds"] = _esc(t(_DASAR[dasar], lang) if dasar in _DASAR else dasar)
        if _present(row.get("kontribusi_utama")) and str(row["kontribusi_utama"]):
            p["ku"] = _esc(row["kontribusi_utama"])
        shares = []
        for i, cols in enumerate(share_cols):
            values = sorted(((idx, float(row[col])) for col, idx in cols if _present(row[col]) and float(row[col]) >= 0.5),
                            key=lambda e: -e[1])[:6]
            if values:
                shares.append([i, [[idx, round(v, 1)] for idx, v in values]])
        if shares:
            p["sh"] = shares
        if has_kawasan:
            p["kw"] = kaw_index.get(str(row["kawasan_id"]), -1) if _present(row["kawasan_id"]) else -1
        props.append(p)

    text = {key: _esc(t(key, lang)) for key in _VILLAGE_TEXT}
    text["campuran_lc"] = _esc(t("campuran", lang).lower())
    binder = _VillageBinder(
        {
            "locale": "id-ID" if lang == "id" else "en-GB",
            "grey": GREY,
            "pots": [{"l": _esc(st.label), "c": st.colour} for st in pots],
            "sc": [pot_index[str(c)[len("skor_"):]] for c in score_cols],
            "sec": sections,
            "has_kawasan": has_kawasan,
            "kaw": [{"n": _esc(ctx.kawasan_names.get(k, k)), "v": _esc(ctx.kawasan_verdict.get(k, ""))} for k in ctx.kawasan_ids],
            "t": text,
        }
    )
    layer = _geojson(_collection(desa_p.geoms, props, [str(k) for k in frame["kode_desa"]]),
                     name=t("lyr_desa", lang), pane="kg_desa", on_each_feature=binder.get_name())

    items = [_legend_item(st.colour, st.label) for st in pots if st.code in dominant]
    if not has_potential or frame["potensi_dominan"].isna().any():
        items.append(_legend_item(GREY, t("no_score", lang)))
    mixed = "campuran" in frame.columns and bool(frame["campuran"].map(_truthy).any())
    note = f"<div class=kg-note>{_esc(t('campuran_note', lang))}</div>" if mixed else ""
    return binder, layer, f"<h6>{_esc(t('potensi_dominan', lang))}</h6>{''.join(items)}{note}"


def _class_layer(gdf: gpd.GeoDataFrame, kind: str, geo: _Geo, ctx: _Context) -> tuple[folium.GeoJson, str]:
    lang = ctx.lang
    key, pane = ("lyr_rtrw", "kg_rtrw") if kind == "rtrw" else ("lyr_landuse", "kg_landuse")
    prep, _, _ = _prepare(gdf, key, simplify_m=geo.simplify_m, decimals=geo.decimals, coverage=True, metric_crs=geo.metric_crs)
    styles = class_styles(kind, prep.frame["kelas"], lang=lang)
    props = []
    for _, row in prep.frame.iterrows():
        st = styles.get(str(row["kelas"])) if _present(row["kelas"]) else None
        label = st.label if st else t("unknown_class", lang)
        colour = st.colour if st else GREY
        raw = row.get("kelas_raw")
        tip = f"<b>{_esc(label)}</b>"
        if _present(raw) and str(raw) != label:
            tip += f"<br><span class=kg-muted>{_esc(raw)}</span>"
        props.append({"tt": tip, "style": {"fillColor": colour, "color": colour, "weight": 0.6, "opacity": 0.9,
                                           "fillOpacity": 0.78}})
    layer = _geojson(_collection(prep.geoms, props), name=t(key, lang), pane=pane, show=False, on_each_feature=_BIND_JS)
    order = _catalogue_order(kind)
    codes = sorted({str(c) for c in prep.frame["kelas"] if _present(c)}, key=lambda c: (order.get(c, len(order)), c))
    entries = "".join(_legend_item(styles[c].colour, styles[c].label) for c in codes)
    if prep.frame["kelas"].map(lambda v: not _present(v)).any():
        entries += _legend_item(GREY, t("unknown_class", lang))
    return layer, f"<h6>{_esc(t(key, lang))}</h6>{entries}"


def _konflik_layer(konflik: gpd.GeoDataFrame, geo: _Geo, ctx: _Context) -> tuple[folium.GeoJson, str]:
    lang = ctx.lang
    # Conflict pieces are small: simplify them less than the villages.
    prep, _, _ = _prepare(konflik, "konflik", simplify_m=min(geo.simplify_m, 10.0), decimals=geo.decimals, coverage=False,
                          metric_crs=geo.metric_crs)
    styles = class_styles("rtrw", prep.frame["kelas"], lang=lang) if "kelas" in prep.frame.columns else {}
    statuses = prep.frame["status"].astype(str).str.upper()
    props = []
    for (_, row), status in zip(prep.frame.iterrows(), statuses, strict=True):
        kelas = row.get("kelas")
        st = styles.get(str(kelas)) if _present(kelas) else None
        lines = [f"<b>{_esc(t('konflik_' + status, lang) if status in ('X', 'B') else status)}</b>"]
        if _present(kelas):
            lines.append(f"{_esc(t('kelas', lang))}: {_esc(st.label if st else kelas)}")
        kid = row.get("kawasan_id")
        if _present(kid):
            lines.append(f"{_esc(t('kawasan', lang))}: {_esc(ctx.kawasan_names.get(str(kid), str(kid)))}")
        if _present(row.get("luas_ha")):
            lines.append(f"{_esc(t('luas', lang))}: {_num(row['luas_ha'], 1, lang)} ha")
        if _present(row.get("desa")) and str(row["desa"]):
            lines.append(f"<span class=kg-muted>{_esc(t('desa_terdampak', lang))}: {_esc(row['desa'])}</span>")
        props.append({"tt": "<br>".join(lines), "style": KONFLIK_STYLE.get(status, KONFLIK_STYLE["B"])})
    layer = _geojson(_collection(prep.geoms, props), name=t("lyr_konflik", lang), pane="kg_konflik", on_each_feature=_BIND_JS)
    swatches = {"X": "background:#d7191c;border:2px solid #67000d",
                "B": "background:rgba(245,158,11,0.2);border:2px dashed #d97706"}
    entries = "".join(f'<div class=kg-li><i class="kg-sw" style="{swatches[s]}"></i>{_esc(t("konflik_" + s, lang))}</div>'
                      for s in ("X", "B") if (statuses == s).any())
    return layer, f"<h6>{_esc(t('lyr_konflik', lang))}</h6>{entries}"


def _kawasan_layer(kawasan: gpd.GeoDataFrame | None, kawasan_frame: pd.DataFrame, frame: pd.DataFrame,
                   desa_metric: np.ndarray, geo: _Geo, ctx: _Context) -> tuple[folium.GeoJson, str]:
    lang = ctx.lang
    geoms = _kawasan_geometry(kawasan, kawasan_frame, frame, desa_metric, geo)
    labels = [_label_point(g) if g is not None and not g.is_empty else None for g in geoms]
    points = _to_wgs84(np.asarray(labels, dtype=object), geo.metric_crs, geo.decimals)
    bounds = _to_wgs84(np.asarray([shapely.envelope(g) if g is not None else None for g in geoms], dtype=object),
                       geo.metric_crs, geo.decimals)
    label_props = []
    for (_, row), box in zip(kawasan_frame.iterrows(), bounds, strict=True):
        name = str(row["nama"]) if _present(row.get("nama")) else str(row["kawasan_id"])
        minx, miny, maxx, maxy = box.bounds if box is not None and not box.is_empty else (0.0, 0.0, 0.0, 0.0)
        # b: bounds, for the label to decide when the name fits on screen; n: name length
        label_props.append({"id": _esc(row["kawasan_id"]), "lbl": _esc(name) if name != str(row["kawasan_id"]) else "",
                            "n": len(name), "b": [[miny, minx], [maxy, maxx]], "pp": _kawasan_popup(row, ctx)})
    # Outlines as lines, each border once (two kawasan share theirs); the labels carry the popups.
    outline = _to_wgs84(np.asarray([_border_lines(geoms)], dtype=object), geo.metric_crs, geo.decimals)
    style = {"color": "#111111", "weight": 2.8, "opacity": 0.95}
    data = _collection(list(outline) + list(points), [{"style": style}] + label_props)
    # interactive=False applies to the lines only; the labels are markers with their own options.
    layer = _geojson(data, name=t("lyr_kawasan", lang), pane="kg_kawasan", on_each_feature=_BIND_JS,
                     point_to_layer=JsCode(_LABEL_JS), interactive=False)
    return layer, (f"<h6>{_esc(t('lyr_kawasan', lang))}</h6>"
                   f"<div class=kg-li>{_swatch('#111111', 'kg-sw-line')}{_esc(t('kawasan_outline', lang))}</div>")


def _sambungan_layer(sambungan: gpd.GeoDataFrame, frame: pd.DataFrame, geo: _Geo, ctx: _Context) -> tuple[folium.GeoJson, str]:
    lang = ctx.lang
    prep, _, _ = _prepare(sambungan, "sambungan", simplify_m=0, decimals=geo.decimals, coverage=False, metric_crs=geo.metric_crs)
    names = dict(zip(frame["kode_desa"].astype(str), frame["nama_desa"].astype(str), strict=True))
    props = []
    for _, row in prep.frame.iterrows():
        a = names.get(str(row.get("from_kode")), row.get("from_kode"))
        b = names.get(str(row.get("to_kode")), row.get("to_kode"))
        tip = f"<b>{_esc(t('sambungan', lang))}</b><br>{_esc(a)} – {_esc(b)}"
        if _present(row.get("distance_m")):
            tip += f"<br>{_esc(t('jarak', lang))}: {_num(float(row['distance_m']) / 1000.0, 2, lang)} km"
        props.append({"tt": tip, "style": {"color": "#263238", "weight": 2.2, "opacity": 0.9, "dashArray": "6 5"}})
    layer = _geojson(_collection(prep.geoms, props), name=t("lyr_sambungan", lang), pane="kg_sambungan",
                     on_each_feature=_BIND_JS)
    return layer, (f"<h6>{_esc(t('lyr_sambungan', lang))}</h6>"
                   f"<div class=kg-li>{_swatch('#263238', 'kg-sw-dash')}{_esc(t('sambungan', lang))}</div>")


def _boundaries(frame: pd.DataFrame, desa_metric: np.ndarray, geo: _Geo) -> dict[str, list[shapely.Geometry]]:
    """Kecamatan and kabupaten outlines dissolved from the simplified villages (they match exactly).

    Kabupaten are unions of their kecamatan, not of all their villages: a few dozen
    polygons instead of hundreds. ``"semua"`` is the kecamatan, or the whole area when the
    villages have no kecamatan code (for the minimap).
    """
    out: dict[str, list[shapely.Geometry]] = {}
    kec = frame["kode_kec"].astype(str) if "kode_kec" in frame.columns else pd.Series("", index=frame.index)
    kec_names, kec_parts = _dissolve(desa_metric, kec, geo.min_hole)
    out["semua"] = kec_parts
    if "kode_kec" in frame.columns:
        out["kode_kec"] = kec_parts
    if "kode_kab" in frame.columns:
        kab_of = frame.groupby(kec)["kode_kab"].first().astype(str)
        kab = pd.Series([kab_of[k] for k in kec_names])
        out["kode_kab"] = _dissolve(np.asarray(kec_parts, dtype=object), kab, geo.min_hole)[1]
    return out


def _border_lines(polygons: Sequence[shapely.Geometry]) -> shapely.Geometry:
    """The borders of adjoining polygons as lines, each shared border once (half the vertices of the rings)."""
    rings = shapely.boundary(np.asarray([p for p in polygons if p is not None and not p.is_empty], dtype=object))
    return shapely.line_merge(shapely.union_all(rings))


def _boundary_layers(boundaries: Mapping[str, list[shapely.Geometry]], geo: _Geo, lang: str) -> list[tuple[folium.GeoJson, None]]:
    out = []
    for col, key, style in (
        ("kode_kec", "lyr_kecamatan", {"color": "#37474f", "weight": 1.2, "opacity": 0.85, "dashArray": "5 4"}),
        ("kode_kab", "lyr_kabupaten", {"color": "#1b1b1b", "weight": 2.6, "opacity": 0.9}),
    ):
        if col not in boundaries:
            continue
        lines = _to_wgs84(np.asarray([_border_lines(boundaries[col])], dtype=object), geo.metric_crs, geo.decimals)
        layer = _geojson(_collection(lines, [{"style": style}]), name=t(key, lang), pane="kg_batas", interactive=False)
        out.append((layer, None))
    return out


def _add_controls(m: folium.Map, village_layer: folium.GeoJson, kecamatan: list[shapely.Geometry], geo: _Geo, lang: str, *,
                  compact: bool) -> None:
    """Layer control, search, full screen, measure and minimap, each once per map."""
    children = list(m._children.values())
    if not any(isinstance(c, folium.LayerControl) for c in children):
        folium.LayerControl(collapsed=compact, position="topright").add_to(m)
    if not any(isinstance(c, folium.plugins.Search) for c in children):
        _Search(village_layer, placeholder=t("search", lang), text_err=t("search_none", lang)).add_to(m)
    if not any(isinstance(c, folium.plugins.Fullscreen) for c in children):
        folium.plugins.Fullscreen(position="topleft", title=t("fullscreen", lang),
                                  title_cancel=t("fullscreen_exit", lang)).add_to(m)
    if not any(isinstance(c, folium.plugins.MeasureControl) for c in children):
        folium.plugins.MeasureControl(position="topleft", primary_length_unit="kilometers", secondary_length_unit="meters",
                                      primary_area_unit="hectares", secondary_area_unit="sqmeters").add_to(m)
    if not any(isinstance(c, _OutlineMiniMap) for c in children):
        # About a pixel of the 140-pixel minimap: the outlines need no more detail.
        minx, miny, maxx, maxy = shapely.total_bounds(np.asarray(kecamatan, dtype=object))
        tolerance = max(geo.simplify_m * 8, max(maxx - minx, maxy - miny) / 250)
        coarse = _simplify(np.asarray(kecamatan, dtype=object), tolerance, coverage=True)
        geoms = _to_wgs84(np.asarray(coarse, dtype=object), geo.metric_crs, 4)
        _OutlineMiniMap(_collection(geoms, [{}] * len(geoms)), _fixed_zoom(tuple(shapely.total_bounds(geoms)), 120)).add_to(m)


def _kawasan_frame(kawasan: gpd.GeoDataFrame | None, desa: pd.DataFrame) -> pd.DataFrame | None:
    """The kawasan table to draw: as given, or summarised from ``desa.kawasan_id``."""
    if kawasan is not None:
        frame = pd.DataFrame(kawasan.drop(columns=kawasan.geometry.name)).reset_index(drop=True)
        if "nama" not in frame.columns:
            frame["nama"] = frame["kawasan_id"]
        return frame
    if "kawasan_id" not in desa.columns or desa["kawasan_id"].isna().all():
        return None
    rows = []
    for kid, group in desa[desa["kawasan_id"].notna()].groupby("kawasan_id", sort=True):
        row: dict[str, Any] = {"kawasan_id": kid, "nama": kid, "n_desa": len(group)}
        if "luas_ha" in group:
            row["luas_ha"] = float(group["luas_ha"].sum())
        if "potensi_dominan" in group and group["potensi_dominan"].notna().any():
            row["potensi"] = group["potensi_dominan"].mode().iloc[0]
        if "nama_kec" in group:
            row["kecamatan"] = ", ".join(sorted({str(k) for k in group["nama_kec"] if _present(k) and str(k)}))
        rows.append(row)
    return pd.DataFrame(rows)


def _kawasan_geometry(kawasan: gpd.GeoDataFrame | None, frame: pd.DataFrame, desa: pd.DataFrame, desa_metric: np.ndarray,
                      geo: _Geo) -> list[shapely.Geometry]:
    """Outline of each kawasan: the union of its simplified villages, else its own geometry simplified."""
    ids = frame["kawasan_id"].astype(str).tolist()
    if "kawasan_id" in desa.columns:
        member = desa["kawasan_id"].where(desa["kawasan_id"].notna(), None)
        keys = member.dropna().astype(str)
        if set(ids) <= set(keys):
            names, parts = _dissolve(desa_metric[keys.index.to_numpy()], keys.reset_index(drop=True), geo.min_hole)
            by_id = dict(zip(names, parts, strict=True))
            return [by_id[k] for k in ids]
    if kawasan is None:
        return [shapely.Polygon()] * len(ids)
    metric = kawasan.to_crs(geo.metric_crs)
    return list(_simplify(np.asarray(metric.geometry.values, dtype=object), geo.simplify_m, coverage=True))


# --------------------------------------------------------------------------- dual map


def compare_maps(
    left: Mapping[str, Any],
    right: Mapping[str, Any],
    *,
    titles: Sequence[str] = ("Usulan", "Rencana"),
    lang: str = "id",
    offline: bool = False,
    simplify_m: float = 25.0,
    catalogue: Iterable[Any] | None = None,
) -> folium.plugins.DualMap:
    """Two plans side by side on synchronised maps (pan and zoom move both).

    Parameters
    ----------
    left, right
        Keyword arguments of :func:`map_kawasan` for each side: ``desa`` and any of
        ``kawasan``, ``pola_ruang``, ``penggunaan_lahan``, ``konflik``, ``sambungan``.
    titles
        Title of the left and right map (e.g. the proposal and the planner's plan).
    lang, offline, simplify_m, catalogue
        As in :func:`map_kawasan`.

    Examples
    --------
    >>> dm = compare_maps({"desa": usulan.desa, "kawasan": usulan.kawasan},  # doctest: +SKIP
    ...                   {"desa": rencana.desa}, titles=("Usulan", "Rencana Bappeda"))
    >>> save_map(dm, "banding.html", offline=True)  # doctest: +SKIP
    """
    check_lang(lang)
    if len(titles) != 2:
        raise ValueError("titles: give one title per side")
    dm = folium.plugins.DualMap(tiles=None, layout="horizontal", control_scale=False, max_zoom=19, zoom_snap=0.25)
    for side, sub, title in ((left, dm.m1, titles[0]), (right, dm.m2, titles[1])):
        if "desa" not in side:
            raise FieldError("compare_maps: each side needs at least 'desa'")
        unknown = set(side) - {"desa", "kawasan", "pola_ruang", "penggunaan_lahan", "konflik", "sambungan"}
        if unknown:
            raise FieldError(f"compare_maps: unknown layer(s) {', '.join(sorted(unknown))}")
        _trim(sub)
        map_kawasan(m=sub, lang=lang, offline=offline, simplify_m=simplify_m, title=str(title), catalogue=catalogue, **side)
    dm._kawasan_offline = offline  # read by render_html/save_map
    dm._kawasan_lang = lang
    return dm


# --------------------------------------------------------------------------- saving


@cache
def _offline_resources() -> Mapping[str, str]:
    # folium-offline embeds folium's web resources keyed by their CDN address; this is its only interface.
    from offlinefolium.elements import _res

    return _res


_SCRIPT_LINK = re.compile(r'<script src="(?P<url>[^"]+)"></script>')
_CSS_LINK = re.compile(r'<link rel="stylesheet" href="(?P<url>[^"]+)"/>')
_REMOTE = re.compile(r'<script[^>]+src="https?:|<link[^>]+href="https?:', re.IGNORECASE)


def inline_assets(html_text: str) -> str:
    """Replace every external ``<script src>`` and stylesheet ``<link>`` by the resource itself.

    The resources come from the installed ``folium-offline`` package, which embeds the
    exact files folium links to. An address it does not hold (a folium/folium-offline
    version mismatch) raises :class:`~kawasan_gis.errors.DataSourceError` naming it, rather
    than writing a map that silently needs the internet.
    """
    res = _offline_resources()
    missing: list[str] = []

    def inline(tag: str) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            url = html.unescape(match["url"])
            if url not in res:
                missing.append(url)
                return match[0]
            # the asset must not close the element it is inlined into
            body = re.sub(rf"</({tag})", r"<\\/\1", res[url], flags=re.IGNORECASE)
            return f"<{tag}>/* {url} */\n{body}\n</{tag}>"

        return replace

    out = _CSS_LINK.sub(inline("style"), _SCRIPT_LINK.sub(inline("script"), html_text))
    left = _REMOTE.findall(out)
    if missing or left:
        raise DataSourceError(
            "Cannot make the map work offline: folium-offline has no copy of some resources "
            "(install the folium-offline release that matches folium)",
            problems=missing or left,
        )
    return out


def render_html(m: folium.Map | folium.plugins.DualMap, *, offline: bool | None = None) -> str:
    """The complete HTML page of ``m`` (assets inlined when ``offline``; default as built)."""
    if offline is None:
        offline = bool(getattr(m, "_kawasan_offline", False))
    text = m.get_root().render()
    lang = getattr(m, "_kawasan_lang", None)
    if lang in ("id", "en"):
        text = text.replace("<html>", f'<html lang="{lang}">', 1)
    return inline_assets(text) if offline else text


def save_map(m: folium.Map | folium.plugins.DualMap, path: str | os.PathLike[str], *, offline: bool | None = None) -> Path:
    """Write the map as one HTML file, atomically (a temporary file renamed into place).

    Parameters
    ----------
    m
        A map from :func:`map_kawasan` or :func:`compare_maps` (any folium map works).
    path
        The ``.html`` file to write; its folder must exist.
    offline
        Inline every script and stylesheet so the file opens without internet. Default:
        as the map was built (``map_kawasan(..., offline=True)``).

    Returns
    -------
    Path
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise DataSourceError(f"{path.parent}: folder does not exist")
    return write_text(path, render_html(m, offline=offline))


# --------------------------------------------------------------------------- static map (print)


def _nice_length(span_m: float) -> float:
    """A round scale-bar length (1, 2 or 5 x 10^k metres) of about a fifth of ``span_m``."""
    target = max(span_m / 5.0, 1.0)
    exp = 10 ** math.floor(math.log10(target))
    return max(f * exp for f in (1, 2, 5) if f * exp <= target)


def _pale(colour: str, amount: float = 0.55) -> str:
    """``colour`` mixed with white: mixed-potential villages print pale, without transparency."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    r, g, b = (round(c + (255 - c) * amount) for c in (r, g, b))
    return f"#{r:02x}{g:02x}{b:02x}"


def _draw_scale_bar(ax: Any, length: float, *, lang: str) -> None:
    from matplotlib.patches import Rectangle

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    h = (y1 - y0) * 0.008
    left, bottom = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.04
    for i in range(4):
        ax.add_patch(Rectangle((left + i * length / 4, bottom), length / 4, h, facecolor="black" if i % 2 == 0 else "white",
                               edgecolor="black", linewidth=0.6, zorder=20))
    km = length >= 1000
    unit = 1000.0 if km else 1.0
    for frac in (0.0, 0.5, 1.0):
        value = frac * length / unit
        text = format_number(value, 0 if value == int(value) else 1, lang)
        ax.text(left + frac * length, bottom + h * 1.8, text, ha="center", va="bottom", fontsize=7, zorder=20)
    ax.text(left + length + (x1 - x0) * 0.01, bottom + h / 2, "km" if km else "m", ha="left", va="center", fontsize=7, zorder=20)


def _draw_north_arrow(ax: Any, *, lang: str) -> None:
    ax.annotate("", xy=(0.955, 0.95), xytext=(0.955, 0.87), xycoords="axes fraction",
                arrowprops={"facecolor": "black", "edgecolor": "black", "width": 3, "headwidth": 10, "headlength": 10}, zorder=20)
    ax.text(0.955, 0.955, t("north", lang), transform=ax.transAxes, ha="center", va="bottom", fontsize=11, fontweight="bold",
            zorder=20)


# (columns, font size in points, wrap width in characters), tried in order until the key fits
_KEY_LAYOUTS = ((1, 7.5, 48), (1, 6.5, 56), (2, 6.0, 30), (2, 5.0, 34))


def _draw_key(ax: Any, lines: list[str], *, top: float, height_in: float) -> None:
    """The kawasan id -> name list under the legend, in one or two columns, shrunk to fit."""
    for columns, size, width in _KEY_LAYOUTS:
        entries = [textwrap.fill(line, width, subsequent_indent="      ") for line in lines]
        per_line = size * 1.35 / 72.0 / height_in  # axes fraction taken by one text line
        capacity = int(top / per_line)
        counts = [e.count("\n") + 1 for e in entries]
        split = _split_columns(counts, columns)
        if max(sum(counts[a:b]) for a, b in split) <= capacity:
            break
    else:
        # Even the smallest layout overflows: keep what fits and say how many are left out.
        room = capacity * columns - 1
        kept, used = 0, 0
        while kept < len(entries) and used + counts[kept] <= room:
            used += counts[kept]
            kept += 1
        entries = entries[:kept] + [f"… (+{len(lines) - kept})"]
        counts = counts[:kept] + [1]
        split = _split_columns(counts, columns)
    for i, (a, b) in enumerate(split):
        ax.text(i / columns, top, "\n".join(entries[a:b]), fontsize=size, va="top", linespacing=1.35,
                transform=ax.transAxes)


def _split_columns(counts: list[int], columns: int) -> list[tuple[int, int]]:
    """Entry ranges of ``columns`` columns with about the same number of text lines."""
    if columns == 1 or len(counts) < 2:
        return [(0, len(counts))]
    total, run = sum(counts), 0
    for i, c in enumerate(counts):
        if run + c > total / 2 and i > 0:
            return [(0, i), (i, len(counts))]
        run += c
    return [(0, len(counts))]


def _save_atomic(fig: Any, path: Path, fmt: str, dpi: int) -> None:
    with atomic_file(path) as tmp:
        fig.savefig(tmp, format=fmt, dpi=dpi, metadata={"Title": None} if fmt == "png" else None)


def static_map(
    desa: gpd.GeoDataFrame,
    *,
    kawasan: gpd.GeoDataFrame | None = None,
    path: str | os.PathLike[str],
    title: str | None = None,
    sources: str | Sequence[str] | None = None,
    lang: str = "id",
    dpi: int = 200,
    pdf: bool = True,
    catalogue: Iterable[Any] | None = None,
) -> Path:
    """Print map of the kawasan (PNG, and PDF next to it) for planning documents.

    Villages coloured by dominant potential (pale when mixed), kawasan outlined and
    numbered with a key, kecamatan and kabupaten boundaries, legend, scale bar, north
    arrow, title and a data-sources line, on an A4 landscape page.

    Parameters
    ----------
    desa
        Villages in a metric CRS (``potensi_dominan``, ``campuran``, ``kawasan_id`` when present).
    kawasan
        Proposed zones (``kawasan_id``, ``nama``); outlines are dissolved from the villages
        when ``desa`` has ``kawasan_id``.
    path
        The PNG file to write; the PDF goes next to it with the suffix ``.pdf``.
    title
        Page title; default "Usulan Kawasan Perdesaan – <kabupaten>".
    sources
        The data-sources line (a text or a list of texts).
    lang
        ``"id"`` or ``"en"``.
    dpi
        PNG resolution (200 is print quality for A4).
    pdf
        Also write the vector PDF.
    catalogue
        Potential catalogue for colours and labels (default :func:`kawasan_gis.vocab.load_potentials`).

    Returns
    -------
    Path
        The PNG file.
    """
    from datetime import date

    import matplotlib
    from matplotlib import patheffects
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    check_lang(lang)
    _validate(desa, {"kawasan": (kawasan, ["kawasan_id"])})
    path = Path(path)
    if not path.parent.is_dir():
        raise DataSourceError(f"{path.parent}: folder does not exist")

    metric = _metric(desa, "desa")
    keep = metric.geometry.notna().to_numpy() & ~metric.geometry.is_empty.to_numpy()
    metric = metric[keep].reset_index(drop=True)
    # A print map at A4 needs no vertex closer than ~10 m.
    geoms = _simplify(np.asarray(metric.geometry.values, dtype=object), 10.0, coverage=True)
    frame = pd.DataFrame(metric.drop(columns=metric.geometry.name))
    geo = _Geo(metric_crs=metric.crs, simplify_m=10.0, decimals=None, min_hole=10_000.0)
    pots = potential_styles(lang, catalogue=catalogue)

    has_potential = "potensi_dominan" in frame.columns
    colours = []
    for value, mixed in zip(frame["potensi_dominan"] if has_potential else [None] * len(frame),
                            frame["campuran"] if "campuran" in frame.columns else [False] * len(frame), strict=True):
        st = pots.get(str(value)) if _present(value) else None
        colour = st.colour if st else GREY
        colours.append(_pale(colour) if _truthy(mixed) else colour)

    fig = MplFigure(figsize=(11.69, 8.27), layout=None)
    ax = fig.add_axes((0.03, 0.08, 0.66, 0.82))
    side = fig.add_axes((0.71, 0.08, 0.27, 0.82))
    side.axis("off")
    gpd.GeoSeries(geoms, crs=metric.crs).plot(ax=ax, color=colours, edgecolor="white", linewidth=0.25)
    boundaries = _boundaries(frame, geoms, geo)
    if "kode_kec" in boundaries:
        gpd.GeoSeries(boundaries["kode_kec"], crs=metric.crs).boundary.plot(ax=ax, color="#37474f", linewidth=0.6,
                                                                              linestyle=(0, (4, 3)))
    if "kode_kab" in boundaries:
        gpd.GeoSeries(boundaries["kode_kab"], crs=metric.crs).boundary.plot(ax=ax, color="#111111", linewidth=1.3)

    kawasan_frame = _kawasan_frame(kawasan, frame)
    key_lines: list[str] = []
    if kawasan_frame is not None and len(kawasan_frame):
        kgeoms = _kawasan_geometry(kawasan, kawasan_frame, frame, geoms, geo)
        gpd.GeoSeries(kgeoms, crs=metric.crs).boundary.plot(ax=ax, color="#111111", linewidth=1.6)
        halo = [patheffects.withStroke(linewidth=2.5, foreground="white")]
        for (_, row), g in zip(kawasan_frame.iterrows(), kgeoms, strict=True):
            if g is None or g.is_empty:
                continue
            pt = _label_point(g)
            ax.text(pt.x, pt.y, str(row["kawasan_id"]), ha="center", va="center", fontsize=7.5, fontweight="bold",
                    path_effects=halo, zorder=15)
            name = str(row["nama"]) if _present(row.get("nama")) else ""
            key_lines.append(f"{row['kawasan_id']}  {name}" if name and name != str(row["kawasan_id"]) else str(row["kawasan_id"]))

    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_linewidth(0.6)
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    pad = 0.04 * max(maxx - minx, maxy - miny)
    ax.set_xlim(minx - pad, maxx + pad)
    ax.set_ylim(miny - pad, maxy + pad)
    _draw_scale_bar(ax, _nice_length(maxx - minx + 2 * pad), lang=lang)
    _draw_north_arrow(ax, lang=lang)

    handles: list[Any] = []
    present = [str(c) for c in frame["potensi_dominan"].dropna().unique()] if has_potential else []
    handles += [Patch(facecolor=st.colour, edgecolor="#555555", linewidth=0.4, label=st.label)
                for code, st in pots.items() if code in present]
    if not has_potential or frame["potensi_dominan"].isna().any():
        handles.append(Patch(facecolor=GREY, edgecolor="#555555", linewidth=0.4, label=t("no_score", lang)))
    if "campuran" in frame.columns and frame["campuran"].map(_truthy).any():
        handles.append(Patch(facecolor=_pale("#808080"), edgecolor="#555555", linewidth=0.4, label=t("campuran_note", lang)))
    if key_lines:
        handles.append(Line2D([], [], color="#111111", linewidth=1.6, label=t("kawasan_outline", lang)))
    if "kode_kec" in boundaries:
        handles.append(Line2D([], [], color="#37474f", linewidth=0.8, linestyle=(0, (4, 3)), label=t("lyr_kecamatan", lang)))
    if "kode_kab" in boundaries:
        handles.append(Line2D([], [], color="#111111", linewidth=1.3, label=t("lyr_kabupaten", lang)))
    legend = side.legend(handles=handles, loc="upper left", title=t("legend", lang), fontsize=8, title_fontsize=9.5,
                         frameon=False, alignment="left", borderaxespad=0)
    legend.get_title().set_fontweight("bold")
    if key_lines:
        # The kawasan key goes right under the legend, wherever its last entry ended.
        renderer = FigureCanvasAgg(fig).get_renderer()
        bottom = side.transAxes.inverted().transform(legend.get_window_extent(renderer))[0][1]
        side.text(0, bottom - 0.04, t("lyr_kawasan", lang), fontsize=9.5, fontweight="bold", va="top", transform=side.transAxes)
        height_in = side.get_position().height * fig.get_figheight()
        _draw_key(side, key_lines, top=bottom - 0.075, height_in=height_in)

    if title is None:
        kabs = [str(k) for k in frame.get("nama_kab", pd.Series(dtype=object)).dropna().unique() if str(k)]
        title = t("map_title", lang) + (" – " + ", ".join(kabs[:3]) if kabs else "")
    fig.suptitle(title, x=0.03, y=0.965, ha="left", fontsize=15, fontweight="bold")
    if sources is None:
        sources = [t("static_sources_default", lang)]
    elif isinstance(sources, str):
        sources = [sources]
    crs = CRS.from_user_input(metric.crs)
    epsg = crs.to_epsg()
    line = (f"{t('sources', lang)}: " + "; ".join(str(s) for s in sources) + f".  {t('projection', lang)}: {crs.name}"
            + (f" (EPSG:{epsg})" if epsg else "") + f".  {t('generated', lang)}: {date.today().isoformat()}, "
            f"kawasan_gis / matplotlib {matplotlib.__version__}.")
    fig.text(0.03, 0.03, line, fontsize=7, color="#333333", ha="left", va="bottom", wrap=True)

    _save_atomic(fig, path, "png", dpi)
    if pdf:
        _save_atomic(fig, path.with_suffix(".pdf"), "pdf", dpi)
    return path


