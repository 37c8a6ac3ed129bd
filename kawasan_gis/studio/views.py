"""What the studio's browser page receives: plan state, figures and map layers as JSON.

Owns the conversion of a :class:`~kawasan_gis.studio.session.Session` into JSON payloads
(:func:`init_payload`, :func:`state_payload`) and of geometries into GeoJSON in longitude and
latitude (simplified for the screen; every figure is computed on the exact geometry in metres).
Names and other text go out as JSON strings; the page puts them into the document as text,
never as markup.

Imports :mod:`kawasan_gis.maps` (colours and labels), ``i18n`` and the studio's ``session``.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Iterable
from functools import cache
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer

from kawasan_gis.i18n import LABELS, check_lang
from kawasan_gis.maps import GREY, ITBX_COLOURS, class_styles, potential_styles
from kawasan_gis.profile import PILLARS
from kawasan_gis.studio.live import KawasanFigures, json_value
from kawasan_gis.studio.session import Session, Update

__all__ = ["init_payload", "state_payload"]

SIMPLIFY_M = 15.0  # screen geometry only
_UI_PREFIXES = ("ui_", "lyr_", "studio_", "annex_", "konflik_", "verdict_")


@cache
def _to_lonlat(crs: Any) -> Transformer:
    return Transformer.from_crs(crs, 4326, always_xy=True)


def _features(geoms: np.ndarray, props: list[dict[str, Any]], crs: Any, *, simplify: float = SIMPLIFY_M) -> list[dict[str, Any]]:
    """GeoJSON features in longitude, latitude (simplified by ``simplify`` metres first)."""
    if len(geoms) == 0:
        return []
    geoms = np.asarray(geoms, dtype=object)
    if simplify:
        geoms = shapely.simplify(geoms, simplify, preserve_topology=True)
    geoms = shapely.transform(geoms, _to_lonlat(crs).transform, interleaved=False)
    # rounding each vertex (no topology rebuild): about 10 cm, plenty for the screen
    geoms = shapely.set_precision(geoms, 1e-6, mode="pointwise")
    return [{"type": "Feature", "properties": {k: json_value(v) for k, v in rec.items()}, "geometry": json.loads(shapely.to_geojson(g))}
            for g, rec in zip(geoms, props, strict=True) if g is not None and not g.is_empty]


def _geojson(gdf: gpd.GeoDataFrame, *, simplify: float = SIMPLIFY_M) -> dict[str, Any]:
    props = gdf.drop(columns=gdf.geometry.name).to_dict("records")
    return {"type": "FeatureCollection", "features": _features(np.asarray(gdf.geometry.array, dtype=object), props, gdf.crs, simplify=simplify)}


# The screen geometry of a kawasan's figures, made once: undo and redo bring figures back.
_SHAPES: weakref.WeakKeyDictionary[KawasanFigures, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = weakref.WeakKeyDictionary()


def _shapes(k: str, figures: KawasanFigures, crs: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Outline and conflict features of one kawasan (conflicts as one multipolygon per status: the
    pieces are disjoint, so their parts are collected, not unioned)."""
    if figures not in _SHAPES:
        outline = _features(np.array([figures.outline], dtype=object), [{"kawasan_id": k, "potensi": figures.row["potensi"]}], crs, simplify=10.0)
        kon = figures.conflicts
        geoms, props = [], []
        for status, g in kon.groupby("status", sort=False):
            geoms.append(shapely.multipolygons(shapely.get_parts(np.asarray(g.geometry.array, dtype=object))))
            props.append({"kawasan_id": k, "status": status, "luas_ha": float(g["luas_ha"].sum())})
        _SHAPES[figures] = (outline, _features(np.array(geoms, dtype=object), props, crs, simplify=10.0))
    return _SHAPES[figures]


def labels(lang: str) -> dict[str, str]:
    """Every label the page shows, in ``lang``."""
    i = ("id", "en").index(check_lang(lang))
    return {k: v[i] for k, v in LABELS.items() if k.startswith(_UI_PREFIXES)}


def init_payload(session: Session) -> dict[str, Any]:
    """Everything the page needs when it opens: labels, styles, the static layers and the plan."""
    run, lang = session.run, session.lang
    desa = run.desa
    pot = potential_styles(lang, catalogue=run.catalogue)
    villages = desa[["kode_desa", "nama_desa", "nama_kec", "kode_kab", "jenis", desa.geometry.name]].copy()
    layers: dict[str, Any] = {"desa": _geojson(villages)}
    rtrw_styles = {}
    if run.pola_ruang is not None:
        pr = run.pola_ruang[["kelas", run.pola_ruang.geometry.name]]
        layers["pola_ruang"] = _geojson(pr, simplify=25.0)
        rtrw_styles = {c: {"label": s.label, "colour": s.colour} for c, s in class_styles("rtrw", pr["kelas"].unique(), lang=lang).items()}
    if len(run.sambungan):
        layers["sambungan"] = _geojson(run.sambungan[["from_kode", "to_kode", run.sambungan.geometry.name]], simplify=0)
    weights = {p.code: [{"id": s.id, "label": s.label(lang), "weight": s.weight} for s in p.indicators]
               for p in run.catalogue if p.enabled}
    return {
        "lang": lang,
        "title": run.title,
        "labels": labels(lang),
        "potentials": [{"code": c, "label": s.label, "colour": s.colour} for c, s in pot.items()],
        "itbx_colours": ITBX_COLOURS,
        "grey": GREY,
        "rtrw_styles": rtrw_styles,
        "layers": layers,
        "weights": weights,
        "mixed_margin": run.mixed_margin,
        "notes": list(run.notes),
        "checked": run.pola_ruang is not None,
        "pillars": [{"code": p, "label": session.profile.catalogue.pillars[p].label(lang)} for p in PILLARS] if session.profile else [],
        "dominan": _dominant(session),
        "state": state_payload(session, Update(tuple(session.state.ids()), (), 0.0, "")),
    }


def _dominant(session: Session) -> dict[str, Any]:
    dom = session.dominant["potensi_dominan"]
    return {c: (v if isinstance(v, str) else None) for c, v in dom.items()}


def state_payload(session: Session, update: Update) -> dict[str, Any]:
    """The plan after ``update``: every kawasan's figures, membership, and the geometry of what changed."""
    with session.lock:
        state = session.state
        figures = dict(session.figures)
        rows = []
        for k in state.ids():
            f = figures[k]
            rows.append({**{key: json_value(v) for key, v in f.row.items()}, "rules": f.rules,
                         "desa": [{"kode": c, "nama": session.names[c]} for c in state.villages_of(k)]})
        touched = [k for k in update.touched if k in figures]
        summary = session.summary()
        history = {"undo": session.can_undo(), "redo": session.can_redo(), "label": update.label}
    shapes = [_shapes(k, figures[k], session.live.crs) for k in touched]
    return {
        "kawasan": rows,
        "member": dict(state.member),
        "touched": list(update.touched),
        "removed": list(update.removed),
        "outlines": {"type": "FeatureCollection", "features": [f for o, _ in shapes for f in o]},
        "konflik": {"type": "FeatureCollection", "features": [f for _, c in shapes for f in c]},
        "summary": summary,
        "history": history,
        "ms": update.ms,
    }


def codes_in(session: Session, ring: Iterable[Iterable[float]]) -> list[str]:
    """Villages whose representative point lies inside a lasso ring given in longitude, latitude."""
    points = [tuple(map(float, p))[:2] for p in ring]
    if len(points) < 3 or not all(np.isfinite(points).all(axis=1)):
        return []
    poly = gpd.GeoSeries([shapely.Polygon(points).buffer(0)], crs=4326).to_crs(session.live.crs).iloc[0]
    inside = shapely.contains(poly, session.centres.points)
    return session.run.desa["kode_desa"].to_numpy()[inside].tolist()
