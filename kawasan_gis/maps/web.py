"""The interactive web map: :func:`map_kawasan` and :func:`compare_maps` put the layers together.

Owns the Leaflet page of one result: panes (a fixed stacking order), basemaps, the
layers from :mod:`~kawasan_gis.maps.layers` in the order of the layer control, the
controls (layer list, search, full screen, measure, minimap), the legend and the title.
The map loads only Leaflet and the plugins it uses, so :func:`~kawasan_gis.maps.save_map`
has little to inline. Imports the other modules of :mod:`kawasan_gis.maps` except
:mod:`~kawasan_gis.maps.offline` and :mod:`~kawasan_gis.maps.static`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import shapely
from folium.map import CustomPane

from kawasan_gis.errors import FieldError
from kawasan_gis.i18n import check_lang, t
from kawasan_gis.maps.elements import Legend, MapExtras, OutlineMiniMap, VillageSearch, fixed_zoom
from kawasan_gis.maps.layers import (
    boundary_layers,
    class_layer,
    collection,
    kawasan_layer,
    konflik_layer,
    pusat_layer,
    map_context,
    sambungan_layer,
    village_layer,
)
from kawasan_gis.maps.prepare import Geo, MapData, prepare_map, simplify_polygons, to_wgs84, validate_layers

__all__ = ["DECIMALS", "PANES", "SATELLITE_ATTR", "SATELLITE_URL", "SIMPLIFY_M", "compare_maps", "map_kawasan"]

SIMPLIFY_M = 25.0
"""The web map's coverage simplification (metres): under a pixel at the zooms a kabupaten is viewed at."""
DECIMALS = 5
"""Decimals of the web map's longitudes and latitudes (about 1 m)."""

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
    "kg_pusat": 448,
    "kg_label": 450,
}

# The only resources the maps need; folium's Map also loads jQuery, Bootstrap and Font
# Awesome (about 1.3 MB inlined) for widgets these maps do not use.
_LEAFLET_JS = [js for js in folium.Map.default_js if js[0] == "leaflet"]
_LEAFLET_CSS = [css for css in folium.Map.default_css if css[0] == "leaflet_css"]


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


def map_kawasan(
    desa: gpd.GeoDataFrame,
    *,
    kawasan: gpd.GeoDataFrame | None = None,
    pola_ruang: gpd.GeoDataFrame | None = None,
    penggunaan_lahan: gpd.GeoDataFrame | None = None,
    konflik: gpd.GeoDataFrame | None = None,
    sambungan: gpd.GeoDataFrame | None = None,
    pusat: gpd.GeoDataFrame | None = None,
    lang: str = "id",
    offline: bool = False,
    simplify_m: float = SIMPLIFY_M,
    decimals: int | None = DECIMALS,
    title: str | None = None,
    catalogue: Iterable[Any] | None = None,
    m: folium.Map | None = None,
    prepared: MapData | None = None,
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
    pusat
        Kawasan centres (points with ``kawasan_id``, ``peran`` ``utama``/``kedua``,
        ``nama_desa``, ``orde``, ``indeks_sentralitas``, ``penetapan_rtrw``, ``nilai_pusat``,
        ``alasan``/``alasan_en``; :attr:`kawasan_gis.centres.Centres.points`): circles sized by
        hierarchy order, coloured by role.
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
    prepared
        The villages and kawasan already prepared by
        :func:`~kawasan_gis.maps.prepare.prepare_map` from the same ``desa`` and ``kawasan``
        (``kawasan run`` prepares them once for the web and the print map); its
        simplification, title and potential styles are then used instead of ``simplify_m``, ``decimals``,
        ``title`` and ``catalogue``.

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
    validate_layers(
        desa,
        {
            "kawasan": (kawasan, ["kawasan_id"]),
            "pola_ruang": (pola_ruang, ["kelas"]),
            "penggunaan_lahan": (penggunaan_lahan, ["kelas"]),
            "konflik": (konflik, ["status"]),
            "sambungan": (sambungan, []),
            "pusat": (pusat, ["kawasan_id", "peran"]),
        },
    )
    if m is None:
        m = _new_map()
    # read by render_html/save_map
    m._kawasan_offline = bool(offline or getattr(m, "_kawasan_offline", False))
    m._kawasan_lang = lang
    _add_panes(m)
    _add_basemaps(m, lang=lang, offline=offline)

    data = prepared or prepare_map(desa, kawasan=kawasan, simplify_m=simplify_m, decimals=decimals, lang=lang,
                                   catalogue=catalogue, title=title)
    frame, geo = data.villages.frame, data.geo
    ctx = map_context(data.kawasan, lang, data.potentials)
    villages_wgs = to_wgs84(data.villages.geoms, geo.metric_crs, geo.decimals)

    binder, villages, village_legend = village_layer(frame, villages_wgs, data.key, ctx)
    binder.add_to(m)
    # Added in the order of the layer control; the panes keep the drawing order.
    layers: list[tuple[folium.GeoJson, str | None]] = [(villages, village_legend)]
    if data.kawasan is not None and data.kawasan_geoms is not None:
        layers.append(kawasan_layer(data.kawasan, data.kawasan_geoms, geo, ctx))
    if konflik is not None and len(konflik):
        layers.append(konflik_layer(konflik, geo, ctx))
    if sambungan is not None and len(sambungan):
        layers.append(sambungan_layer(sambungan, frame, geo, ctx))
    if pusat is not None and len(pusat):
        layers.append(pusat_layer(pusat, geo, ctx))
    for gdf, kind in ((pola_ruang, "rtrw"), (penggunaan_lahan, "landuse")):
        if gdf is not None and len(gdf):
            layers.append(class_layer(gdf, kind, geo, ctx))
    layers += boundary_layers(data.boundaries, geo, lang)
    for layer, _ in layers:
        layer.add_to(m)

    # Half of a DualMap is too narrow for the expanded layer list beside the title.
    parent = getattr(m, "_parent", None)
    compact = parent is not None and any(isinstance(c, folium.plugins.DualMap) for c in parent._children.values())
    MapExtras(title=data.title or None, prefix='<a href="https://leafletjs.com">Leaflet</a> · kawasan_gis',
              compact=compact).add_to(m)
    _add_controls(m, villages, data.boundaries["semua"], geo, lang, compact=compact)
    Legend(t("legend", lang), [(layer, body) for layer, body in layers if body]).add_to(m)

    minx, miny, maxx, maxy = shapely.total_bounds(villages_wgs)
    m.fit_bounds([[miny, minx], [maxy, maxx]], padding=(10, 10))
    return m


def _add_controls(m: folium.Map, village_layer: folium.GeoJson, kecamatan: list[shapely.Geometry], geo: Geo, lang: str, *,
                  compact: bool) -> None:
    """Layer control, search, full screen, measure and minimap, each once per map."""
    children = list(m._children.values())
    if not any(isinstance(c, folium.LayerControl) for c in children):
        folium.LayerControl(collapsed=compact, position="topright").add_to(m)
    if not any(isinstance(c, folium.plugins.Search) for c in children):
        VillageSearch(village_layer, placeholder=t("search", lang), text_err=t("search_none", lang)).add_to(m)
    if not any(isinstance(c, folium.plugins.Fullscreen) for c in children):
        folium.plugins.Fullscreen(position="topleft", title=t("fullscreen", lang),
                                  title_cancel=t("fullscreen_exit", lang)).add_to(m)
    if not any(isinstance(c, folium.plugins.MeasureControl) for c in children):
        folium.plugins.MeasureControl(position="topleft", primary_length_unit="kilometers", secondary_length_unit="meters",
                                      primary_area_unit="hectares", secondary_area_unit="sqmeters").add_to(m)
    if not any(isinstance(c, OutlineMiniMap) for c in children):
        # About a pixel of the 140-pixel minimap: the outlines need no more detail.
        minx, miny, maxx, maxy = shapely.total_bounds(np.asarray(kecamatan, dtype=object))
        tolerance = max(geo.simplify_m * 8, max(maxx - minx, maxy - miny) / 250)
        coarse = simplify_polygons(np.asarray(kecamatan, dtype=object), tolerance, coverage=True)
        geoms = to_wgs84(np.asarray(coarse, dtype=object), geo.metric_crs, 4)
        OutlineMiniMap(collection(geoms, [{}] * len(geoms)), fixed_zoom(tuple(shapely.total_bounds(geoms)), 120)).add_to(m)


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
    >>> from kawasan_gis import io
    >>> desa = io.read_villages("data/rtrw_lampung_timur/desa_lampung_timur.gpkg").head(30)
    >>> dm = compare_maps({"desa": desa}, {"desa": desa.head(10)}, titles=("Usulan", "Rencana Bappeda"))
    >>> "Rencana Bappeda" in dm.get_root().render()
    True
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

