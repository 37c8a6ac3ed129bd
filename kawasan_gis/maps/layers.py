"""The folium layers of the web map, each with its legend section, tooltips and popups.

Owns one builder per layer (villages, kawasan, RTRW and land-use classes, conflicts,
island bridges, kecamatan and kabupaten boundaries) and the HTML of their tooltips,
popups and legend sections. Every value that goes into that HTML passes through
:func:`html.escape` here (folium's ``GeoJsonTooltip``/``GeoJsonPopup`` insert values
raw, so they are not used); the village popups are assembled in the browser by
``templates/peta.js`` from escaped properties. Imports :mod:`~kawasan_gis.maps.styles`,
:mod:`~kawasan_gis.maps.prepare` and :mod:`~kawasan_gis.maps.elements`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium.utilities import JsCode

from kawasan_gis._values import is_present
from kawasan_gis.i18n import format_number, t
from kawasan_gis.maps.elements import GeoJsonLayer, VillageBinder
from kawasan_gis.maps.prepare import Geo, PotentialKey, in_catalogue_order, label_point, largest_part, mostly_lindung, prepare_layer, to_wgs84
from kawasan_gis.maps.styles import (
    BOUNDARY_SYMBOLS,
    CENTRE_COLOURS,
    GREY,
    ITBX_COLOURS,
    KONFLIK_STYLE,
    ClassStyle,
    catalogue_order,
    centre_radius,
    class_styles,
    lindung_style,
)

__all__ = ["Context", "boundary_layers", "class_layer", "collection", "geojson", "kawasan_layer", "konflik_layer",
           "map_context", "pusat_layer", "sambungan_layer", "village_layer"]

_BIND_JS = "kawasanGis.bind"
_LABEL_JS = "kawasanGis.label"
_CENTRE_JS = "kawasanGis.centre"


# --------------------------------------------------------------------------- small helpers


def _esc(value: Any) -> str:
    """HTML-escaped text of ``value``; empty for missing values."""
    return html.escape(str(value), quote=True) if is_present(value) else ""


def _num(value: Any, decimals: int, lang: str) -> str:
    return format_number(value, decimals, lang)


def _swatch(colour: str, cls: str = "") -> str:
    return f'<i class="kg-sw{(" " + cls) if cls else ""}" style="background:{colour}"></i>'


def _legend_item(colour: str, label: str, cls: str = "") -> str:
    return f'<div class="kg-li">{_swatch(colour, cls)}{_esc(label)}</div>'


def _round(value: Any, decimals: int) -> float | None:
    return round(float(value), decimals) if is_present(value) else None


def collection(geoms: Sequence[shapely.Geometry], props: Sequence[dict[str, Any]], ids: Sequence[str] | None = None) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of ``geoms`` (EPSG:4326) with ``props``; empty geometries left out."""
    feats = []
    for i, (geom, prop) in enumerate(zip(geoms, props, strict=True)):
        if geom is None or geom.is_empty:
            continue
        feat: dict[str, Any] = {"type": "Feature", "geometry": shapely.geometry.mapping(geom), "properties": prop}
        if ids is not None:
            feat["id"] = ids[i]
        feats.append(feat)
    return {"type": "FeatureCollection", "features": feats}


def geojson(data: dict[str, Any], *, name: str, pane: str, show: bool = True, control: bool = True,
            on_each_feature: str | None = None, interactive: bool = True, **options: Any) -> folium.GeoJson:
    """A folium layer of ``data`` in its Leaflet ``pane``, bound by the JavaScript function ``on_each_feature``."""
    return GeoJsonLayer(
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


# --------------------------------------------------------------------------- popups and tooltips


@dataclass
class Context:
    """What the labels of one map are looked up in."""

    lang: str
    potentials: dict[str, ClassStyle]
    kawasan_ids: list[str]
    kawasan_names: dict[str, str]
    kawasan_verdict: dict[str, str]


def _potential_label(ctx: Context, code: Any) -> tuple[str, str]:
    if not is_present(code):
        return t("no_score", ctx.lang), GREY
    st = ctx.potentials.get(str(code))
    return (st.label, st.colour) if st else (str(code), GREY)


def _kawasan_popup(row: pd.Series, ctx: Context) -> str:
    lang = ctx.lang
    label, colour = _potential_label(ctx, row.get("potensi"))
    name = row.get("nama") if is_present(row.get("nama")) else row["kawasan_id"]
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
        if is_present(value):
            out.append(f"<tr><th>{_esc(t(key, lang))}</th><td>{_num(value, decimals, lang)}{unit}</td></tr>")
    kec = row.get("kecamatan")
    if isinstance(kec, (list, tuple, np.ndarray)):
        kec = ", ".join(str(k) for k in kec)
    if is_present(kec) and str(kec):
        out.append(f"<tr><th>{_esc(t('kecamatan', lang))}</th><td>{_esc(kec)}</td></tr>")
    out.append("</table>")
    pcts = [(k, row.get(f"pct_{k}")) for k in ("I", "T", "B", "X", "L", "outside")]
    if any(is_present(v) for _, v in pcts):
        bar = "".join(
            f'<i style="width:{max(min(float(v), 100.0), 0.0):.1f}%;background:{ITBX_COLOURS[k]}"></i>'
            for k, v in pcts if is_present(v)
        )
        rows = "".join(
            f"<tr><td>{_swatch(ITBX_COLOURS[k])}{_esc(t('pct_' + k, lang))}</td><td class=kg-n>{_num(v, 1, lang)}%</td></tr>"
            for k, v in pcts if is_present(v)
        )
        out.append(f"<h5>{_esc(t('kepatuhan', lang))}</h5><div class=kg-stack>{bar}</div><table>{rows}</table>")
        if is_present(row.get("verdict")):
            out.append(f"<div>{_esc(t('verdict', lang))}: <b>{_esc(row['verdict'])}</b></div>")
        reason = row.get("alasan_verdict" if lang == "id" else "alasan_verdict_en")
        if is_present(reason):
            out.append(f"<div>{_esc(t('alasan_verdict', lang))}: {_esc(reason)}</div>")
    out.append("</div>")
    return "".join(out)


def map_context(kawasan_frame: pd.DataFrame | None, lang: str, potentials: dict[str, ClassStyle]) -> Context:
    """The labels of one map: its language, potentials and kawasan names and verdicts."""
    ids: list[str] = []
    names: dict[str, str] = {}
    verdicts: dict[str, str] = {}
    if kawasan_frame is not None:
        ids = [str(k) for k in kawasan_frame["kawasan_id"]]
        names = {k: str(n) for k, n in zip(ids, kawasan_frame["nama"], strict=True)}
        if "verdict" in kawasan_frame.columns:
            verdicts = {k: str(v) for k, v in zip(ids, kawasan_frame["verdict"], strict=True) if is_present(v)}
    return Context(lang=lang, potentials=potentials, kawasan_ids=ids, kawasan_names=names, kawasan_verdict=verdicts)


# --------------------------------------------------------------------------- layers


_SHARE_KINDS = (("landuse", "shares_landuse", "landuse"), ("landcover", "shares_landcover", "landuse"), ("rtrw", "shares_rtrw", "rtrw"))
_DASAR = {"kondisi_lahan": "dasar_kondisi_lahan", "zonasi": "dasar_zonasi", "campuran": "dasar_campuran"}
_VILLAGE_TEXT = ("kec", "potensi", "kawasan", "no_kawasan", "no_score", "campuran", "skor", "margin", "ya", "tidak",
                 "dasar", "kontribusi", "desa", "kelurahan", "verdict", "unmapped")


def village_layer(frame: pd.DataFrame, geoms: np.ndarray, potential_key: PotentialKey,
                  ctx: Context) -> tuple[VillageBinder, folium.GeoJson, str]:
    """Villages (``geoms`` in EPSG:4326) as compact properties (escaped strings, indices, numbers) and their legend.

    Popups are assembled in the browser from a per-map dictionary (``templates/peta.js``):
    HTML pre-rendered per village would be several times larger once JSON-escaped.
    """
    lang = ctx.lang
    has_potential = "potensi_dominan" in frame.columns
    # the catalogue names the potentials: a skor_* column of something else is not one
    score_cols = [f"skor_{code}" for code in ctx.potentials if f"skor_{code}" in frame.columns]
    dominant = [str(c) for c in frame["potensi_dominan"].dropna().unique()] if has_potential else []
    codes = in_catalogue_order(dict.fromkeys([str(c)[len("skor_"):] for c in score_cols] + dominant), ctx.potentials)
    pot_index = {code: i for i, code in enumerate(codes)}
    pots = [ctx.potentials.get(c, ClassStyle(c, c, GREY)) for c in codes]
    score_cols.sort(key=lambda c: pot_index[str(c)[len("skor_"):]])
    # villages that are mostly kawasan lindung: drawn and named as such (after the potentials,
    # so the score columns keep their indices), not as villages without a score
    lindung = mostly_lindung(frame)
    if lindung.any():
        pots.append(lindung_style(lang))

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
    for row, protected in zip(records, lindung, strict=True):
        kec = row.get("nama_kec")
        kec = str(kec) if is_present(kec) else ""
        key = f"{row['nama_desa']} ({kec})" if kec else str(row["nama_desa"])
        if key in search_keys:
            key = f"{key} {row['kode_desa']}"
        search_keys.add(key)
        # "cari" is the one raw string: the search box shows it with textContent (see VillageSearch).
        p: dict[str, Any] = {"n": _esc(row["nama_desa"]), "c": _esc(row["kode_desa"]), "cari": key}
        if kec:
            p["k"] = _esc(kec)
        if str(row.get("jenis", "")) == "kelurahan":
            p["j"] = 1
        if has_potential and is_present(row.get("potensi_dominan")):
            p["p"] = pot_index[str(row["potensi_dominan"])]
        elif protected:
            p["p"] = len(pots) - 1
        if score_cols:
            p["s"] = [_round(row[c], 3) for c in score_cols]
        if is_present(row.get("margin")):
            p["mg"] = _round(row["margin"], 3)
        if "campuran" in row and is_present(row["campuran"]):
            p["cm"] = int(bool(row["campuran"]))
        if is_present(row.get("dasar")):
            dasar = str(row["dasar"])
            p["ds"] = _esc(t(_DASAR[dasar], lang) if dasar in _DASAR else dasar)
        if is_present(row.get("kontribusi_utama")) and str(row["kontribusi_utama"]):
            p["ku"] = _esc(row["kontribusi_utama"])
        shares = []
        for i, cols in enumerate(share_cols):
            values = sorted(((idx, float(row[col])) for col, idx in cols if is_present(row[col]) and float(row[col]) >= 0.5),
                            key=lambda e: -e[1])[:6]
            if values:
                shares.append([i, [[idx, round(v, 1)] for idx, v in values]])
        if shares:
            p["sh"] = shares
        if has_kawasan:
            p["kw"] = kaw_index.get(str(row["kawasan_id"]), -1) if is_present(row["kawasan_id"]) else -1
        props.append(p)

    text = {key: _esc(t(key, lang)) for key in _VILLAGE_TEXT}
    text["campuran_lc"] = _esc(t("campuran", lang).lower())
    binder = VillageBinder(
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
    layer = geojson(collection(geoms, props, [str(k) for k in frame["kode_desa"]]),
                    name=t("lyr_desa", lang), pane="kg_desa", on_each_feature=binder.get_name())

    items = [_legend_item(st.colour, st.label) for st in potential_key.styles]
    if potential_key.lindung:
        st = lindung_style(lang)
        items.append(_legend_item(st.colour, st.label))
    if potential_key.no_score:
        items.append(_legend_item(GREY, t("no_score", lang)))
    note = f"<div class=kg-note>{_esc(t('campuran_note', lang))}</div>" if potential_key.mixed else ""
    return binder, layer, f"<h6>{_esc(t('potensi_dominan', lang))}</h6>{''.join(items)}{note}"


def class_layer(gdf: gpd.GeoDataFrame, kind: str, geo: Geo, ctx: Context) -> tuple[folium.GeoJson, str]:
    """A class layer (``kelas`` = standard code of ``kind``) in the vocabulary's colours, off at start."""
    lang = ctx.lang
    key, pane = ("lyr_rtrw", "kg_rtrw") if kind == "rtrw" else ("lyr_landuse", "kg_landuse")
    prep = prepare_layer(gdf, key, simplify_m=geo.simplify_m, coverage=True, metric_crs=geo.metric_crs)
    wgs = to_wgs84(prep.geoms, prep.crs, geo.decimals)
    styles = class_styles(kind, prep.frame["kelas"], lang=lang)
    props = []
    raws = prep.frame["kelas_raw"].tolist() if "kelas_raw" in prep.frame.columns else [None] * len(prep.frame)
    # columns zipped, not iterrows: a land-use layer has thousands of polygons (0.4 s on Gorontalo's)
    for kelas, raw in zip(prep.frame["kelas"].tolist(), raws, strict=True):
        st = styles.get(str(kelas)) if is_present(kelas) else None
        label = st.label if st else t("unknown_class", lang)
        colour = st.colour if st else GREY
        tip = f"<b>{_esc(label)}</b>"
        if is_present(raw) and str(raw) != label:
            tip += f"<br><span class=kg-muted>{_esc(raw)}</span>"
        props.append({"tt": tip, "style": {"fillColor": colour, "color": colour, "weight": 0.6, "opacity": 0.9,
                                           "fillOpacity": 0.78}})
    layer = geojson(collection(wgs, props), name=t(key, lang), pane=pane, show=False, on_each_feature=_BIND_JS)
    order = catalogue_order(kind)
    codes = sorted({str(c) for c in prep.frame["kelas"] if is_present(c)}, key=lambda c: (order.get(c, len(order)), c))
    entries = "".join(_legend_item(styles[c].colour, styles[c].label) for c in codes)
    if prep.frame["kelas"].map(lambda v: not is_present(v)).any():
        entries += _legend_item(GREY, t("unknown_class", lang))
    return layer, f"<h6>{_esc(t(key, lang))}</h6>{entries}"


def konflik_layer(konflik: gpd.GeoDataFrame, geo: Geo, ctx: Context) -> tuple[folium.GeoJson, str]:
    """RTRW conflicts: prohibited (X) strong red, conditional (B) light amber with a dashed outline;
    kawasan lindung kept protected (L, no conflict) calm grey-green with a dotted outline."""
    lang = ctx.lang
    # Conflict pieces are small: simplify them less than the villages.
    prep = prepare_layer(konflik, "konflik", simplify_m=min(geo.simplify_m, 10.0), coverage=False, metric_crs=geo.metric_crs)
    styles = class_styles("rtrw", prep.frame["kelas"], lang=lang) if "kelas" in prep.frame.columns else {}
    statuses = prep.frame["status"].astype(str).str.upper()
    props = []
    for (_, row), status in zip(prep.frame.iterrows(), statuses, strict=True):
        kelas = row.get("kelas")
        st = styles.get(str(kelas)) if is_present(kelas) else None
        lines = [f"<b>{_esc(t('konflik_' + status, lang) if status in ('X', 'B', 'L') else status)}</b>"]
        if is_present(kelas):
            lines.append(f"{_esc(t('kelas', lang))}: {_esc(st.label if st else kelas)}")
        kid = row.get("kawasan_id")
        if is_present(kid):
            lines.append(f"{_esc(t('kawasan', lang))}: {_esc(ctx.kawasan_names.get(str(kid), str(kid)))}")
        if is_present(row.get("luas_ha")):
            lines.append(f"{_esc(t('luas', lang))}: {_num(row['luas_ha'], 1, lang)} ha")
        if is_present(row.get("desa")) and str(row["desa"]):
            lines.append(f"<span class=kg-muted>{_esc(t('desa_terdampak', lang))}: {_esc(row['desa'])}</span>")
        props.append({"tt": "<br>".join(lines), "style": KONFLIK_STYLE.get(status, KONFLIK_STYLE["B"])})
    layer = geojson(collection(to_wgs84(prep.geoms, prep.crs, geo.decimals), props), name=t("lyr_konflik", lang),
                    pane="kg_konflik", on_each_feature=_BIND_JS)
    x, b = KONFLIK_STYLE["X"], KONFLIK_STYLE["B"]
    swatches = {"X": f"background:{x['fillColor']};border:2px solid {x['color']}",
                "B": f"background:rgba(245,158,11,0.2);border:2px dashed {b['color']}",
                "L": "background:rgba(107,144,128,0.45);border:2px dotted #2f5d46"}
    entries = "".join(f'<div class=kg-li><i class="kg-sw" style="{swatches[s]}"></i>{_esc(t("konflik_" + s, lang))}</div>'
                      for s in ("X", "B", "L") if (statuses == s).any())
    return layer, f"<h6>{_esc(t('lyr_konflik', lang))}</h6>{entries}"


def kawasan_layer(kawasan: pd.DataFrame, geoms: Sequence[shapely.Geometry], geo: Geo,
                  ctx: Context) -> tuple[folium.GeoJson, str]:
    """Kawasan outlines (``geoms``, metric) as lines, and a label with the popup for each row of ``kawasan``."""
    lang = ctx.lang
    labels = [label_point(g) if g is not None and not g.is_empty else None for g in geoms]
    points = to_wgs84(np.asarray(labels, dtype=object), geo.metric_crs, geo.decimals)
    # the part the label sits on decides whether the whole name fits there: the envelope of all
    # parts of a kawasan in pieces is wider than the piece, and the name ran out of it
    mains = [largest_part(g) if g is not None and not g.is_empty else None for g in geoms]
    bounds = to_wgs84(np.asarray([shapely.envelope(g) if g is not None else None for g in mains], dtype=object),
                      geo.metric_crs, geo.decimals)
    label_props = []
    for (_, row), box in zip(kawasan.iterrows(), bounds, strict=True):
        name = str(row["nama"]) if is_present(row.get("nama")) else str(row["kawasan_id"])
        minx, miny, maxx, maxy = box.bounds if box is not None and not box.is_empty else (0.0, 0.0, 0.0, 0.0)
        # b: bounds, for the label to decide when the name fits on screen; n: name length
        label_props.append({"id": _esc(row["kawasan_id"]), "lbl": _esc(name) if name != str(row["kawasan_id"]) else "",
                            "n": len(name), "b": [[miny, minx], [maxy, maxx]], "pp": _kawasan_popup(row, ctx)})
    # Outlines as lines, each border once (two kawasan share theirs); the labels carry the popups.
    outline = to_wgs84(np.asarray([_border_lines(geoms)], dtype=object), geo.metric_crs, geo.decimals)
    sym = BOUNDARY_SYMBOLS["kawasan"]
    style = {"color": sym.colour, "weight": sym.web_width, "opacity": 0.95}
    data = collection(list(outline) + list(points), [{"style": style}] + label_props)
    # interactive=False applies to the lines only; the labels are markers with their own options.
    layer = geojson(data, name=t("lyr_kawasan", lang), pane="kg_kawasan", on_each_feature=_BIND_JS,
                    point_to_layer=JsCode(_LABEL_JS), interactive=False)
    return layer, (f"<h6>{_esc(t('lyr_kawasan', lang))}</h6>"
                   f"<div class=kg-li>{_swatch(sym.colour, 'kg-sw-line')}{_esc(t('kawasan_outline', lang))}</div>")


def sambungan_layer(sambungan: gpd.GeoDataFrame, frame: pd.DataFrame, geo: Geo, ctx: Context) -> tuple[folium.GeoJson, str]:
    """Island bridges as dashed lines, named by the villages (``frame``) they join."""
    lang = ctx.lang
    prep = prepare_layer(sambungan, "sambungan", simplify_m=0, coverage=False, metric_crs=geo.metric_crs)
    names = dict(zip(frame["kode_desa"].astype(str), frame["nama_desa"].astype(str), strict=True))
    props = []
    for _, row in prep.frame.iterrows():
        a = names.get(str(row.get("from_kode")), row.get("from_kode"))
        b = names.get(str(row.get("to_kode")), row.get("to_kode"))
        tip = f"<b>{_esc(t('sambungan', lang))}</b><br>{_esc(a)} – {_esc(b)}"
        if is_present(row.get("distance_m")):
            tip += f"<br>{_esc(t('jarak', lang))}: {_num(float(row['distance_m']) / 1000.0, 2, lang)} km"
        props.append({"tt": tip, "style": {"color": "#263238", "weight": 2.2, "opacity": 0.9, "dashArray": "6 5"}})
    layer = geojson(collection(to_wgs84(prep.geoms, prep.crs, geo.decimals), props), name=t("lyr_sambungan", lang),
                    pane="kg_sambungan", on_each_feature=_BIND_JS)
    return layer, (f"<h6>{_esc(t('lyr_sambungan', lang))}</h6>"
                   f"<div class=kg-li>{_swatch('#263238', 'kg-sw-dash')}{_esc(t('sambungan', lang))}</div>")


def pusat_layer(pusat: gpd.GeoDataFrame, geo: Geo, ctx: Context) -> tuple[folium.GeoJson, str]:
    """Kawasan centres as circles: size by hierarchy order, colour by role, the reason in the popup."""
    lang = ctx.lang
    prep = prepare_layer(pusat, "pusat", simplify_m=0, coverage=False, metric_crs=geo.metric_crs)
    props = []
    for _, row in prep.frame.iterrows():
        role = "kedua" if str(row.get("peran")) == "kedua" else "utama"
        line, fill = CENTRE_COLOURS[role]
        kid = str(row.get("kawasan_id"))
        head = f"<b>{_esc(row.get('nama_desa'))}</b> – {_esc(t('pusat_' + role, lang))} {_esc(ctx.kawasan_names.get(kid, kid))}"
        facts = [head]
        if is_present(row.get("orde")):
            facts.append(f"{_esc(t('orde', lang))} {_esc(row['orde'])}")
        if is_present(row.get("indeks_sentralitas")):
            facts.append(f"{_esc(t('indeks_sentralitas', lang))}: {_num(row['indeks_sentralitas'], 1, lang)}")
        if is_present(row.get("penetapan_rtrw")):
            facts.append(f"{_esc(t('penetapan_rtrw', lang))}: {_esc(row['penetapan_rtrw'])}")
        if is_present(row.get("nilai_pusat")):
            facts.append(f"{_esc(t('nilai_pusat', lang))}: {_num(row['nilai_pusat'], 2, lang)}")
        reason = row.get("alasan_en" if lang == "en" else "alasan")
        popup = "<br>".join(facts) + (f"<br><span class=kg-muted>{_esc(t('alasan', lang))}: {_esc(reason)}</span>" if is_present(reason) else "")
        props.append({"tt": "<br>".join(facts[:2]), "pp": popup, "mk": {"r": centre_radius(row.get("orde")), "c": line, "f": fill}})
    layer = geojson(collection(to_wgs84(prep.geoms, prep.crs, geo.decimals), props), name=t("lyr_pusat", lang),
                    pane="kg_pusat", on_each_feature=_BIND_JS, point_to_layer=JsCode(_CENTRE_JS))
    entries = "".join(
        f'<div class=kg-li><i class="kg-sw" style="background:{CENTRE_COLOURS[r][1]};border:2px solid {CENTRE_COLOURS[r][0]};'
        f'border-radius:50%"></i>{_esc(t("pusat_" + r, lang))}</div>'
        for r in ("utama", "kedua") if (prep.frame["peran"].astype(str) == r).any()
    )
    return layer, f"<h6>{_esc(t('lyr_pusat', lang))}</h6>{entries}<div class=kg-muted>{_esc(t('pusat_size_note', lang))}</div>"


def _border_lines(polygons: Sequence[shapely.Geometry]) -> shapely.Geometry:
    """The borders of adjoining polygons as lines, each shared border once (half the vertices of the rings)."""
    rings = shapely.boundary(np.asarray([p for p in polygons if p is not None and not p.is_empty], dtype=object))
    return shapely.line_merge(shapely.union_all(rings))


def line_swatch(colour: str, width: float, dash_array: str | None) -> str:
    """A legend swatch of a line symbol as it is drawn on the map (width and dashes in pixels)."""
    dash = f' stroke-dasharray="{dash_array}"' if dash_array else ""
    return (f'<svg class="kg-sw-svg" width="22" height="10" aria-hidden="true"><line x1="0" y1="5" x2="22" y2="5" '
            f'stroke="{colour}" stroke-width="{width:g}"{dash}/></svg>')


def boundary_layers(boundaries: Mapping[str, list[shapely.Geometry]], geo: Geo, lang: str) -> list[tuple[folium.GeoJson, str]]:
    """Kecamatan (dashed) and kabupaten (dash-dot) borders as lines, not clickable, each with its legend line."""
    out = []
    for col, key in (("kode_kec", "lyr_kecamatan"), ("kode_kab", "lyr_kabupaten")):
        if col not in boundaries:
            continue
        sym = BOUNDARY_SYMBOLS[col]
        style = {"color": sym.colour, "weight": sym.web_width, "opacity": 0.9, "dashArray": sym.dash_array}
        lines = to_wgs84(np.asarray([_border_lines(boundaries[col])], dtype=object), geo.metric_crs, geo.decimals)
        layer = geojson(collection(lines, [{"style": style}]), name=t(key, lang), pane="kg_batas", interactive=False)
        out.append((layer, f"<div class=kg-li>{line_swatch(sym.colour, sym.web_width, sym.dash_array)}{_esc(t(key, lang))}</div>"))
    return out

