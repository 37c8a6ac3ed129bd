"""The map's own Leaflet pieces: stylesheet and helpers, legend, minimap, search, village binder.

Each is a branca ``MacroElement`` whose template writes a small script; the shared
JavaScript and CSS live in ``kawasan_gis/templates/peta.js`` and ``peta.css`` and are
written into the page header once. Every string these templates write goes through
``tojson``; the HTML inside legend sections and village dictionaries was escaped by
:mod:`kawasan_gis.maps.layers`. Imports only folium and branca.
"""

from __future__ import annotations

import math
from functools import cache
from importlib import resources
from typing import Any

import folium
import folium.plugins
from branca.element import Element, Figure, MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

__all__ = ["GeoJsonLayer", "Legend", "MapExtras", "OutlineMiniMap", "Rendered", "RenderOnce", "VillageBinder", "VillageSearch",
           "fixed_zoom"]


@cache
def _asset(name: str) -> str:
    return resources.files("kawasan_gis").joinpath("templates", name).read_text(encoding="utf-8")


class Rendered(Element):
    """HTML or JavaScript already rendered, written into the page as it is.

    branca puts each rendered macro into ``Element(text)``, which compiles the text as a
    Jinja template and renders it again: for a map's GeoJSON layers megabytes lexed for
    nothing (about half a second a map). Rendering plain text gives the text back without
    a single trailing newline, so that newline is dropped here too: the page is the same.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text[:-1] if text.endswith("\n") else text

    def render(self, **kwargs: Any) -> str:
        return self._text


class RenderOnce(MacroElement):
    """A ``MacroElement`` whose rendered header, html and script go into the page as :class:`Rendered`.

    The same as ``MacroElement.render`` otherwise; a mixin for folium's own elements too
    (:class:`GeoJsonLayer`).
    """

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        assert isinstance(figure, Figure), "You cannot render this Element if it is not in a Figure."
        macros = self._template.module.__dict__
        for part, target in (("header", figure.header), ("html", figure.html), ("script", figure.script)):
            macro = macros.get(part)
            if macro is not None:
                target.add_child(Rendered(macro(self, kwargs)), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)


class GeoJsonLayer(folium.GeoJson, RenderOnce):
    """``folium.GeoJson`` whose data is written into the page once, not lexed again as a template."""


class MapExtras(RenderOnce):
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
            figure.header.add_child(Rendered(f"<style>{_asset('peta.css')}</style>"), name="kawasan_gis_css")
            figure.header.add_child(Rendered(f"<script>{_asset('peta.js')}</script>"), name="kawasan_gis_js")
        super().render(**kwargs)


class Legend(RenderOnce):
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


class OutlineMiniMap(JSCSSMixin, RenderOnce):
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


class VillageSearch(folium.plugins.Search):
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


def fixed_zoom(bounds: tuple[float, float, float, float], pixels: int) -> int:
    """Web-Mercator zoom at which ``bounds`` (lon/lat) fits in ``pixels``."""
    minx, miny, maxx, maxy = bounds
    span = max(maxx - minx, (maxy - miny) / max(math.cos(math.radians((miny + maxy) / 2)), 0.1), 1e-6)
    return int(max(0, min(18, math.floor(math.log2(pixels * 360.0 / (256.0 * span))))))


class VillageBinder(RenderOnce):
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
