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

The rooms, bottom to top (each imports only those before it):

* :mod:`~kawasan_gis.maps.styles`: colours and labels of potentials, classes, ITBX.
* :mod:`~kawasan_gis.maps.prepare`: input checks, simplified geometry, outlines,
  legend key and title, computed once for both maps.
* :mod:`~kawasan_gis.maps.elements`: the Leaflet controls and scripts (legend,
  minimap, search, village binder); the JS and CSS are in ``kawasan_gis/templates/``.
* :mod:`~kawasan_gis.maps.layers`: one folium layer builder per layer, with its
  tooltips, popups and legend section.
* :mod:`~kawasan_gis.maps.web`: :func:`map_kawasan` and :func:`compare_maps`.
* :mod:`~kawasan_gis.maps.offline`: :func:`render_html`, :func:`inline_assets`,
  :func:`save_map` (any folium map), :func:`offline_resources` (Leaflet for the studio too).
* :mod:`~kawasan_gis.maps.static`: :func:`static_map`.

The sub-package may import :mod:`kawasan_gis.vocab`, :mod:`kawasan_gis.i18n`,
:mod:`kawasan_gis.errors` and the small shared helpers (``_atomic``, ``_values``);
the pipeline, the report and the CLI import it, never the other way round.
"""

from kawasan_gis.maps.offline import inline_assets, offline_resources, render_html, save_map
from kawasan_gis.maps.static import static_map
from kawasan_gis.maps.styles import GREY, ITBX_COLOURS, KONFLIK_STYLE, ClassStyle, class_styles, potential_styles
from kawasan_gis.maps.web import PANES, SATELLITE_ATTR, SATELLITE_URL, compare_maps, map_kawasan

__all__ = ["GREY", "ITBX_COLOURS", "KONFLIK_STYLE", "PANES", "SATELLITE_ATTR", "SATELLITE_URL", "ClassStyle", "class_styles",
           "compare_maps", "inline_assets", "map_kawasan", "offline_resources", "potential_styles", "render_html", "save_map", "static_map"]
