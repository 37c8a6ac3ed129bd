"""What the web map and the print map draw, checked and prepared once for both.

Owns the input check of every map layer (:func:`validate_layers`), the geometry work
(metric CRS, coverage simplification, EPSG:4326 with rounding, dissolving kecamatan,
kabupaten and kawasan outlines from the simplified villages) and :func:`prepare_map`,
which gives both maps the same villages, kawasan table and outlines, boundaries,
potential colours, legend key and title. Reprojection to EPSG:4326 happens here only,
for drawing.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from kawasan_gis._values import is_present, is_truthy
from kawasan_gis.errors import CRSError, FieldError, LayerError
from kawasan_gis.i18n import t
from kawasan_gis.maps.styles import GREY, LINDUNG_STATUS, ClassStyle, potential_styles

log = logging.getLogger(__name__)

__all__ = ["Geo", "MapData", "PotentialKey", "Prepared", "dissolve", "in_catalogue_order", "label_point", "largest_part", "mostly_lindung", "prepare_layer",
           "prepare_map", "simplify_polygons", "to_wgs84", "validate_layers"]


@dataclass(frozen=True)
class Geo:
    """How every layer of one map is prepared."""

    metric_crs: Any
    simplify_m: float
    decimals: int | None
    min_hole: float


@dataclass(frozen=True)
class Prepared:
    """A layer's attributes and its simplified geometry in the metric CRS (same order)."""

    frame: pd.DataFrame
    geoms: np.ndarray
    crs: Any


@dataclass(frozen=True)
class PotentialKey:
    """The village part of a legend: the dominant potentials drawn, the villages that are mostly
    kawasan lindung, those without a score, and the mixed-potential note."""

    styles: list[ClassStyle]
    no_score: bool
    mixed: bool
    lindung: bool = False


@dataclass(frozen=True)
class MapData:
    """What both maps draw from the villages and the kawasan."""

    villages: Prepared
    geo: Geo
    potentials: dict[str, ClassStyle]
    key: PotentialKey
    kawasan: pd.DataFrame | None
    kawasan_geoms: list[shapely.Geometry] | None
    boundaries: dict[str, list[shapely.Geometry]]
    title: str


# --------------------------------------------------------------------------- checks


def _require(gdf: Any, what: str, columns: Sequence[str]) -> list[str]:
    if not isinstance(gdf, gpd.GeoDataFrame):
        return [f"{what}: expected a GeoDataFrame, got {type(gdf).__name__}"]
    missing = [c for c in columns if c not in gdf.columns]
    return [f"{what}: missing column(s) {', '.join(missing)}"] if missing else []


def validate_layers(desa: Any, layers: Mapping[str, tuple[Any, Sequence[str]]]) -> None:
    """Check the villages and each given layer (name -> (layer or None, required columns)) at once."""
    problems = _require(desa, "desa", ["kode_desa", "nama_desa"])
    for what, (gdf, cols) in layers.items():
        if gdf is not None:
            problems += _require(gdf, what, cols)
    if problems:
        raise FieldError("Peta tidak dapat digambar / Cannot draw the map", problems=problems)
    if len(desa) == 0:
        raise LayerError("desa: the village layer is empty; nothing to draw")
    for what, gdf in [("desa", desa)] + [(w, g) for w, (g, _) in layers.items() if g is not None]:
        if gdf.crs is None:
            raise CRSError(f"{what}: the layer has no CRS; read it with kawasan_gis.io, which sets one")


# --------------------------------------------------------------------------- geometry


def _metric(gdf: gpd.GeoDataFrame, what: str) -> gpd.GeoDataFrame:
    """``gdf`` in a metric CRS: as given when projected, else its UTM zone (drawing only)."""
    if gdf.crs is None:
        raise CRSError(f"{what}: the layer has no CRS; read it with kawasan_gis.io, which sets one")
    crs = CRS.from_user_input(gdf.crs)
    if crs.is_projected:
        return gdf
    return gdf.to_crs(gdf.estimate_utm_crs())


def simplify_polygons(geoms: np.ndarray, tolerance: float, *, coverage: bool) -> np.ndarray:
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


def to_wgs84(geoms: np.ndarray, crs: Any, decimals: int | None) -> np.ndarray:
    """``geoms`` (in ``crs``) in EPSG:4326, coordinates rounded to ``decimals`` (None keeps all)."""
    out = gpd.GeoSeries(geoms, crs=crs).to_crs(4326).values
    if decimals is not None:
        # np.round gives the double nearest the decimal, which json writes in its short form.
        out = shapely.transform(np.asarray(out, dtype=object), lambda c: np.round(c, decimals))
    return np.asarray(out, dtype=object)


def prepare_layer(gdf: gpd.GeoDataFrame, what: str, *, simplify_m: float, coverage: bool,
                  metric_crs: Any | None = None) -> Prepared:
    """``gdf`` without empty geometries, in ``metric_crs`` (default: its own metric CRS), simplified."""
    if gdf.crs is None:
        raise CRSError(f"{what}: the layer has no CRS; read it with kawasan_gis.io, which sets one")
    metric = gdf.to_crs(metric_crs) if metric_crs is not None else _metric(gdf, what)
    keep = metric.geometry.notna().to_numpy() & ~metric.geometry.is_empty.to_numpy()
    metric = metric[keep]
    geoms = simplify_polygons(np.asarray(metric.geometry.values, dtype=object), simplify_m, coverage=coverage)
    frame = pd.DataFrame(metric.drop(columns=metric.geometry.name))
    return Prepared(frame.reset_index(drop=True), geoms, metric.crs)


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


def dissolve(geoms: np.ndarray, keys: pd.Series, min_hole: float) -> tuple[list[str], list[shapely.Geometry]]:
    """Union of ``geoms`` per key (sorted keys), holes under ``min_hole`` square metres dropped."""
    names, out = [], []
    for key, idx in keys.groupby(keys, sort=True).groups.items():
        part = shapely.union_all(geoms[np.asarray(keys.index.get_indexer(idx))])
        names.append(str(key))
        out.append(_drop_small_holes(part, min_hole))
    return names, out


def largest_part(geom: shapely.Geometry) -> shapely.Geometry:
    """The part of a (multi)polygon with the largest area: where its label goes."""
    parts = shapely.get_parts(geom)
    return parts[int(np.argmax(shapely.area(parts)))]


def label_point(geom: shapely.Geometry) -> shapely.Point:
    """Where a zone's label goes: the centre of the largest inscribed circle of its largest part."""
    main = largest_part(geom)
    tolerance = max(math.sqrt(main.area) / 200.0, 1.0)
    return shapely.get_point(shapely.maximum_inscribed_circle(main, tolerance), 0)


def _boundaries(frame: pd.DataFrame, desa_metric: np.ndarray, geo: Geo) -> dict[str, list[shapely.Geometry]]:
    """Kecamatan and kabupaten outlines dissolved from the simplified villages (they match exactly).

    Kabupaten are unions of their kecamatan, not of all their villages: a few dozen
    polygons instead of hundreds. ``"semua"`` is the kecamatan, or the whole area when the
    villages have no kecamatan code (for the minimap).
    """
    out: dict[str, list[shapely.Geometry]] = {}
    kec = frame["kode_kec"].astype(str) if "kode_kec" in frame.columns else pd.Series("", index=frame.index)
    kec_names, kec_parts = dissolve(desa_metric, kec, geo.min_hole)
    out["semua"] = kec_parts
    if "kode_kec" in frame.columns:
        out["kode_kec"] = kec_parts
    if "kode_kab" in frame.columns:
        kab_of = frame.groupby(kec)["kode_kab"].first().astype(str)
        kab = pd.Series([kab_of[k] for k in kec_names])
        out["kode_kab"] = dissolve(np.asarray(kec_parts, dtype=object), kab, geo.min_hole)[1]
    return out


# --------------------------------------------------------------------------- kawasan


def _kawasan_table(kawasan: gpd.GeoDataFrame | None, desa: pd.DataFrame) -> pd.DataFrame | None:
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
            row["kecamatan"] = ", ".join(sorted({str(k) for k in group["nama_kec"] if is_present(k) and str(k)}))
        rows.append(row)
    return pd.DataFrame(rows)


def _kawasan_geometry(kawasan: gpd.GeoDataFrame | None, frame: pd.DataFrame, desa: pd.DataFrame, desa_metric: np.ndarray,
                      geo: Geo) -> list[shapely.Geometry]:
    """Outline of each kawasan: the union of its simplified villages, else its own geometry simplified."""
    ids = frame["kawasan_id"].astype(str).tolist()
    if "kawasan_id" in desa.columns:
        member = desa["kawasan_id"].where(desa["kawasan_id"].notna(), None)
        keys = member.dropna().astype(str)
        if set(ids) <= set(keys):
            names, parts = dissolve(desa_metric[keys.index.to_numpy()], keys.reset_index(drop=True), geo.min_hole)
            by_id = dict(zip(names, parts, strict=True))
            return [by_id[k] for k in ids]
    if kawasan is None:
        return [shapely.Polygon()] * len(ids)
    metric = kawasan.to_crs(geo.metric_crs)
    return list(simplify_polygons(np.asarray(metric.geometry.values, dtype=object), geo.simplify_m, coverage=True))


# --------------------------------------------------------------------------- legend and title


def in_catalogue_order(codes: Iterable[str], potentials: Mapping[str, ClassStyle]) -> list[str]:
    """``codes`` in catalogue order; codes the catalogue lacks last, alphabetically."""
    order = {code: i for i, code in enumerate(potentials)}
    return sorted(codes, key=lambda c: (order.get(c, len(order)), c))


def _potential_key(frame: pd.DataFrame, potentials: Mapping[str, ClassStyle]) -> PotentialKey:
    has_potential = "potensi_dominan" in frame.columns
    dominant = [str(c) for c in frame["potensi_dominan"].dropna().unique()] if has_potential else []
    styles = [potentials.get(c, ClassStyle(c, c, GREY)) for c in in_catalogue_order(dominant, potentials)]
    lindung = mostly_lindung(frame)
    no_score = not has_potential or bool((frame["potensi_dominan"].isna().to_numpy() & ~lindung).any())
    mixed = "campuran" in frame.columns and bool(frame["campuran"].map(is_truthy).any())
    return PotentialKey(styles, no_score, mixed, lindung=bool(lindung.any()))


def mostly_lindung(frame: pd.DataFrame) -> np.ndarray:
    """Villages without a dominant potential because most of their land is kawasan lindung (boolean array)."""
    if "status_potensi" not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    no_potential = frame["potensi_dominan"].isna().to_numpy() if "potensi_dominan" in frame.columns else np.ones(len(frame), dtype=bool)
    return (frame["status_potensi"] == LINDUNG_STATUS).to_numpy() & no_potential


def _default_title(frame: pd.DataFrame, lang: str) -> str:
    kabs = [str(k) for k in frame.get("nama_kab", pd.Series(dtype=object)).dropna().unique() if str(k)]
    return t("map_title", lang) + (" – " + ", ".join(kabs[:3]) if kabs else "")


def prepare_map(desa: gpd.GeoDataFrame, *, kawasan: gpd.GeoDataFrame | None, simplify_m: float, decimals: int | None,
                lang: str, catalogue: Iterable[Any] | None, title: str | None) -> MapData:
    """The villages simplified as a coverage in their metric CRS, and everything derived from them.

    Kawasan outlines, kecamatan and kabupaten boundaries are dissolved from the simplified
    villages, so they follow the village borders exactly. Holes under 1 ha (or under
    ``(4 * simplify_m)²`` when larger) are the slivers between real villages and are dropped.
    """
    villages = prepare_layer(desa, "desa", simplify_m=simplify_m, coverage=True)
    geo = Geo(metric_crs=villages.crs, simplify_m=simplify_m, decimals=decimals,
              min_hole=max(10_000.0, (4 * simplify_m) ** 2))
    potentials = potential_styles(lang, catalogue=catalogue)
    frame = villages.frame
    kawasan_frame = _kawasan_table(kawasan, frame)
    kawasan_geoms = None
    if kawasan_frame is not None and len(kawasan_frame):
        kawasan_geoms = _kawasan_geometry(kawasan, kawasan_frame, frame, villages.geoms, geo)
    return MapData(
        villages=villages,
        geo=geo,
        potentials=potentials,
        key=_potential_key(frame, potentials),
        kawasan=kawasan_frame,
        kawasan_geoms=kawasan_geoms,
        boundaries=_boundaries(frame, villages.geoms, geo),
        title=_default_title(frame, lang) if title is None else title,
    )
