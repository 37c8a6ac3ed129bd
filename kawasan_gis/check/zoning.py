"""The zoning overlay of the plan check: plan geometries x planar RTRW zones x overlays.

Owns the ITBX classification of kawasan and village area: each geometry is cut by the planar
pola ruang zones (and split by LP2B and hazard overlays), each piece gets the ITBX status of
its potential on its class (:func:`classify_pieces`: the geometry of :func:`cut_pieces`, then
:func:`assign_status`), and the hectares are summed per status,
with area the RTRW does not cover as status ``outside`` (:func:`area_columns`) and broken down
per class (:func:`class_breakdown`).

Kawasan lindung inside a kawasan made of whole villages is status ``L`` (:data:`LINDUNG`, kept
protected, dipertahankan lindung), not an ITBX status: the villages bring their protected land
with them as the kawasan's conservation component, and the kawasan's development room is the
rest. Polygons a planner drew as development zones get no ``L``: a zone drawn over lindung is
development planned there, and the ITBX matrix says X.

Shares are percentages with one decimal, rounded by largest remainder (:func:`shares`) so that
the shares of a row add up to exactly 100.0 as shown: the tables, popups and report show them
as they are stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kawasan_gis.errors import CRSError, GeometryError
from kawasan_gis.io import polygonal
from kawasan_gis.overlay import M2_PER_HA
from kawasan_gis.overlay.engine import measure_matrix, parallel_pairs
from kawasan_gis.vocab import COMBINED_SEP, STATUSES, ItbxMatrix

__all__ = ["AREA_STATUSES", "LINDUNG", "OUTSIDE", "OUTSIDE_CLASS", "PCT_DECIMALS", "STATUSES", "area_columns", "assign_status",
           "class_breakdown", "classify_pieces", "cut_pieces", "overlay_parts", "shares"]

OUTSIDE = "outside"
"""Status of kawasan area the RTRW layer does not cover."""
LINDUNG = "L"
"""Status of kawasan lindung kept protected inside a kawasan of whole villages (not an ITBX status)."""
AREA_STATUSES: tuple[str, ...] = (*STATUSES, LINDUNG, OUTSIDE)
"""Every status a kawasan's area is split into, in table order: I, T, B, X, L, outside."""
PCT_DECIMALS = 1
"""Decimals of the stored (and shown) shares."""
OUTSIDE_CLASS = "luar_rtrw"
"""Class of that area in :func:`class_breakdown`."""
OVERLAYS = ("lp2b", "rawan_bencana")
"""Overlay flags of a piece, in the order the ITBX overlay rules name them."""


def clip_to_boxes(geoms: np.ndarray, frames: np.ndarray) -> np.ndarray:
    """Each of ``geoms`` clipped to the bounding box of the matching ``frames`` geometry.

    Zoning polygons span whole kecamatan with thousands of vertices; cutting them to the
    box of the small geometry they are intersected with first makes the exact intersection
    that follows some twenty times faster (measured on Lampung Timur). Rectangle clipping
    is not guaranteed valid (GEOS may even refuse a collapsed ring), so any failed or
    invalid result falls back to the whole geometry.
    """
    bounds = shapely.bounds(frames)
    out = np.array([_clip_or_none(g, b) for g, b in zip(geoms, bounds, strict=True)], dtype=object)
    bad = shapely.is_missing(out)
    bad[~bad] = ~shapely.is_valid(out[~bad])
    out[bad] = geoms[bad]
    return out


def _clip_or_none(geom: shapely.Geometry, box: np.ndarray) -> shapely.Geometry | None:
    try:
        return shapely.clip_by_rect(geom, *box)
    except shapely.errors.GEOSException:
        return None


def overlay_parts(layer: gpd.GeoDataFrame | None, name: str, crs: Any) -> np.ndarray | None:
    """The overlay as disjoint polygons (its union split into parts), or None."""
    if layer is None:
        return None
    if not isinstance(layer, gpd.GeoDataFrame) or layer.crs is None:
        raise CRSError(f"the {name} overlay must be a GeoDataFrame with a CRS.")
    if layer.crs != crs:
        raise CRSError(f"the {name} overlay is in {layer.crs.to_string()}, the plan in {crs.to_string()}; reproject it first.")
    geoms = np.asarray(layer.geometry.array, dtype=object)
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    bad = ~shapely.is_valid(geoms)
    if bad.any():
        raise GeometryError(f"the {name} overlay has {int(bad.sum())} invalid geometries; read it with kawasan_gis.io.read_layer.")
    if len(geoms) == 0:
        return np.empty(0, dtype=object)
    parts = shapely.get_parts(shapely.union_all(geoms))
    return parts[np.isin(shapely.get_type_id(parts), (3,))]


def split_by_overlay(
    parts: np.ndarray, pieces: np.ndarray, columns: dict[str, np.ndarray], flag: str
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Cut each piece into its part inside the overlay (``flag`` True) and outside it."""
    if len(parts) == 0 or len(pieces) == 0:
        return pieces, columns
    pi, qi = shapely.STRtree(parts).query(pieces, predicate="intersects")
    if len(pi) == 0:
        return pieces, columns
    order = np.lexsort((qi, pi))
    pi, qi = pi[order], qi[order]
    hit, group = np.unique(pi, return_inverse=True)
    near = polygonal(clip_to_boxes(parts[qi], pieces[pi]))
    inside = polygonal(shapely.intersection(pieces[pi], near))
    # the overlay parts are disjoint, so the parts a piece meets form a valid MultiPolygon
    cover = shapely.multipolygons(
        shapely.get_parts(near),
        indices=np.repeat(group, shapely.get_num_geometries(near)),
        out=np.array([shapely.MultiPolygon()] * len(hit), dtype=object),
    )
    outside = polygonal(shapely.difference(pieces[hit], cover))
    untouched = np.setdiff1d(np.arange(len(pieces)), hit)
    src = np.concatenate([untouched, pi, hit])
    geoms = np.concatenate([pieces[untouched], inside, outside])
    new = {k: v[src] for k, v in columns.items()}
    new[flag] = np.concatenate([columns[flag][untouched], np.ones(len(pi), bool), columns[flag][hit]])
    keep = shapely.area(geoms) > 0
    return geoms[keep], {k: v[keep] for k, v in new.items()}


def cut_pieces(
    geoms: np.ndarray,
    zones: np.ndarray,
    kelas: np.ndarray,
    overlays: Mapping[str, np.ndarray | None],
) -> tuple[pd.DataFrame, np.ndarray]:
    """Pieces of ``geoms`` x planar zones, split by the overlays: the geometry half of the check.

    Returns a frame with ``owner`` (index into ``geoms``), ``kelas``, ``lp2b``,
    ``rawan_bencana`` and ``ha`` per piece, and the pieces themselves. It does not depend on
    any potential, so it can be done once and given statuses for many plans
    (:func:`assign_status`; the studio does that).
    """
    owner, z = shapely.STRtree(zones).query(geoms, predicate="intersects")
    pieces = polygonal(parallel_pairs(shapely.intersection, geoms[owner], clip_to_boxes(zones[z], geoms[owner])))
    cols: dict[str, np.ndarray] = {"owner": owner, "zone": z, **{o: np.zeros(len(owner), bool) for o in OVERLAYS}}
    keep = shapely.area(pieces) > 0
    pieces, cols = pieces[keep], {k: v[keep] for k, v in cols.items()}
    for name in OVERLAYS:
        parts = overlays.get(name)
        if parts is not None:
            pieces, cols = split_by_overlay(parts, pieces, cols, name)
    frame = pd.DataFrame(
        {"owner": cols["owner"], "kelas": kelas[cols["zone"]],
         "lp2b": cols["lp2b"], "rawan_bencana": cols["rawan_bencana"], "ha": shapely.area(pieces) / M2_PER_HA}
    )
    return frame, pieces


def assign_status(pieces: pd.DataFrame, itbx: ItbxMatrix, *, lindung: Iterable[str] = ()) -> pd.DataFrame:
    """``pieces`` (with ``potensi``, ``kelas``, ``lp2b``, ``rawan_bencana``) plus ``status`` and
    ``sebab`` (``pola_ruang``, or the overlays that tightened the status: ``lp2b``, ``rawan_bencana``).

    Pieces of a class in ``lindung`` are :data:`LINDUNG` (cause ``lindung``) whatever the
    potential and overlays: pass the kawasan lindung codes for kawasan of whole villages, none
    for drawn development zones.
    """
    keys = ["potensi", "kelas", "lp2b", "rawan_bencana"]
    combos = pieces[keys].drop_duplicates()
    kept = set(lindung)
    status, sebab = [], []
    for p, k, lp, hz in combos.itertuples(index=False):
        if kept.intersection(str(k).split(COMBINED_SEP)):  # a combined class is lindung when one of its parts is
            status.append(LINDUNG)
            sebab.append("lindung")
            continue
        s = itbx.status(p, k, lp2b=lp, hazard=hz)
        base = itbx.status(p, k)
        causes = [o for o, on, kw in (("lp2b", lp, "lp2b"), ("rawan_bencana", hz, "hazard"))
                  if on and itbx.status(p, k, **{kw: True}) != base]
        status.append(s)
        sebab.append("+".join(causes) if s != base else "pola_ruang")
    combos = combos.assign(status=status, sebab=sebab)
    return pieces.merge(combos, on=keys, how="left", sort=False)


def classify_pieces(
    geoms: np.ndarray,
    potensi: np.ndarray,
    zones: np.ndarray,
    kelas: np.ndarray,
    overlays: Mapping[str, np.ndarray | None],
    itbx: ItbxMatrix,
    *,
    lindung: Iterable[str] = (),
) -> tuple[pd.DataFrame, np.ndarray]:
    """Pieces of ``geoms`` x planar zones (x overlays) with their status (see :func:`assign_status`) and hectares."""
    frame, pieces = cut_pieces(geoms, zones, kelas, overlays)
    frame.insert(1, "potensi", potensi[frame["owner"].to_numpy()])
    return assign_status(frame, itbx, lindung=lindung), pieces


def classify_areas(
    geoms: np.ndarray,
    potensi: np.ndarray,
    zones: np.ndarray,
    kelas: np.ndarray,
    itbx: ItbxMatrix,
    *,
    lindung: Iterable[str] = (),
    n_jobs: int | None = None,
) -> pd.DataFrame:
    """Hectares of ``geoms`` per class of planar zones, with their status: :func:`classify_pieces`
    for when no overlay splits the pieces and their shapes are not needed (a village's table).

    One row per (geometry, class) with area, from the indicators' area engine
    (:func:`kawasan_gis.overlay.engine.measure_matrix`): a zone part a geometry covers counts
    whole, with no cut.
    """
    names, key = np.unique(np.asarray(kelas, dtype=str), return_inverse=True)
    m2 = measure_matrix(geoms, zones, key, len(names), measure="area", n_jobs=n_jobs)
    owner, k = np.nonzero(m2 > 0)
    frame = pd.DataFrame({"owner": owner, "potensi": np.asarray(potensi)[owner], "kelas": names[k],
                          "lp2b": False, "rawan_bencana": False, "ha": m2[owner, k] / M2_PER_HA})
    return assign_status(frame, itbx, lindung=lindung)


def shares(ha: np.ndarray, *, decimals: int = PCT_DECIMALS) -> np.ndarray:
    """Percentages of each row's total, rounded so each row sums to exactly 100 at ``decimals``.

    Largest-remainder (Hamilton) rounding: every share is cut down to ``decimals``, and the
    units still missing to 100 go to the shares with the largest remainders (ties: the
    leftmost column). A row with a total of 0 is all NaN.

    Examples
    --------
    >>> shares(np.array([[1.0, 1.0, 1.0]])).tolist()
    [[33.4, 33.3, 33.3]]
    >>> shares(np.array([[0.0, 0.0]])).tolist()
    [[nan, nan]]
    """
    ha = np.atleast_2d(np.asarray(ha, dtype=float))
    total = ha.sum(axis=1)
    unit = 10**decimals
    exact = np.divide(100 * unit * ha, total[:, None], out=np.zeros_like(ha), where=total[:, None] > 0)
    down = np.floor(exact + 1e-9)  # 1e-9 unit: a share that is whole up to float noise stays whole
    missing = (100 * unit - down.sum(axis=1)).round().astype(np.int64)
    order = np.argsort(-(exact - down), axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(ha.shape[1])[None, :].repeat(len(ha), axis=0), axis=1)
    down += rank < missing[:, None]
    out = np.round(down / unit, decimals)
    out[total <= 0] = np.nan
    return out


def area_columns(area_ha: np.ndarray, pieces: pd.DataFrame) -> pd.DataFrame:
    """``luas_ha``, ``ha_<status>`` and ``pct_<status>`` (I, T, B, X, L, outside) per owner geometry.

    The hectares add up to ``luas_ha`` (the area of the owner geometry: for a kawasan of
    villages their union, overlaps counted once); the shares add up to 100.0 (:func:`shares`).
    """
    n = len(area_ha)
    out: dict[str, np.ndarray] = {"luas_ha": area_ha}
    owner = pieces["owner"].to_numpy()
    ha = pieces["ha"].to_numpy()
    status = pieces["status"].to_numpy()
    parts = {s: np.bincount(owner[status == s].astype(np.int64), weights=ha[status == s], minlength=n).astype(float)
             for s in (*STATUSES, LINDUNG)}
    covered = sum(parts.values(), np.zeros(n))
    # The zones are disjoint after overlap resolution, so the pieces of a geometry cover at most
    # its area; summation can still overshoot by float noise, which is taken back in proportion
    # so that the parts never exceed the whole.
    scale = np.where(covered > area_ha, np.divide(area_ha, covered, out=np.ones(n), where=covered > 0), 1.0)
    for s in parts:
        out[f"ha_{s}"] = parts[s] * scale
    out["ha_outside"] = np.clip(area_ha - covered * scale, 0.0, None)
    pct = shares(np.column_stack([out[f"ha_{s}"] for s in AREA_STATUSES]))
    for i, s in enumerate(AREA_STATUSES):
        out[f"pct_{s}"] = pct[:, i]
    return pd.DataFrame(out)


def class_breakdown(kaw: pd.DataFrame, pieces: pd.DataFrame, area: pd.DataFrame, label: Callable[[str], str]) -> pd.DataFrame:
    """Hectares and shares of each kawasan per class, status and cause; outside the RTRW as ``luar_rtrw``.

    ``label`` names a class (``luar_rtrw`` included) in the output language.
    """
    grouped = pieces.groupby(["owner", "kelas", "status", "sebab"], as_index=False, sort=True)["ha"].sum()
    outside = pd.DataFrame({"owner": np.arange(len(kaw)), "kelas": OUTSIDE_CLASS, "status": OUTSIDE, "sebab": "",
                            "ha": area["ha_outside"].to_numpy()})
    frame = pd.concat([grouped, outside[outside["ha"] > 0]], ignore_index=True)
    frame = frame.sort_values(["owner", "ha"], ascending=[True, False], kind="stable").reset_index(drop=True)
    owner = frame["owner"].to_numpy()
    total = area["luas_ha"].to_numpy()[owner]
    return pd.DataFrame(
        {
            "kawasan_id": kaw["kawasan_id"].to_numpy()[owner],
            "potensi": kaw["potensi"].to_numpy()[owner],
            "kelas": frame["kelas"],
            "nama_kelas": [label(k) for k in frame["kelas"]],
            "status": frame["status"],
            "sebab": frame["sebab"],
            "luas_ha": frame["ha"],
            "pct": 100 * frame["ha"].to_numpy() / np.where(total > 0, total, np.nan),
        }
    )

