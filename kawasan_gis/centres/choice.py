"""The choice of the centre (*pusat*) of every kawasan, and the reason in words.

Owns :func:`choose_centres` (:class:`Centres`): every member village is scored from its
hierarchy index, its accessibility within the kawasan and its RTRW designation
(:data:`DEFAULT_WEIGHTS`, editable); the best is the centre, with the reason in words (id and
en) and the runner-up; large kawasan also get a secondary centre.

* **Closeness** of a village within its kawasan: ``(r / (n - 1)) x (r / sum d)`` with ``r``
  the members it reaches by road and ``d`` the road distances (the Wasserman-Faust form that
  networkx uses for graphs in pieces); straight-line distances when there is no road layer.

Imports :mod:`kawasan_gis.centres.network`, :mod:`kawasan_gis.centres.designation`,
:mod:`kawasan_gis.centres.common` and :mod:`kawasan_gis.errors`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kawasan_gis.centres.common import CODE, _fmt, _roman
from kawasan_gis.centres.designation import DESIGNATION_LEVELS
from kawasan_gis.centres.network import RoadNetwork, _check_projected
from kawasan_gis.errors import FieldError

__all__ = [
    "DEFAULT_WEIGHTS",
    "Centres",
    "choose_centres",
]

DEFAULT_WEIGHTS: dict[str, float] = {"hierarki": 0.4, "aksesibilitas": 0.35, "penetapan": 0.25}
"""Weights of the centre score (hierarchy, accessibility, RTRW designation); editable."""


@dataclass(frozen=True)
class Centres:
    """The centres of every kawasan (see :func:`choose_centres`).

    Attributes
    ----------
    points : GeoDataFrame
        One point per centre (the ``pusat`` layer): ``kawasan_id``, ``peran`` (``utama``/``kedua``), ``kode_desa``,
        ``nama_desa``, ``orde``, ``indeks_sentralitas``, ``penetapan_rtrw``, ``nilai_pusat``,
        ``alasan``, ``alasan_en``.
    kawasan : DataFrame
        Per kawasan: the centre columns that go onto the ``kawasan`` layer.
    villages : DataFrame
        Per member village: ``nilai_pusat``, ``kedekatan`` (closeness), ``jarak_rata_km``
        (mean road distance to the other members), ``jarak_pusat_km``.
    basis : str
        ``"jalan"`` (road network) or ``"garis_lurus"`` (straight lines: no road layer).
    weights : dict
        The weights actually used.
    """

    points: gpd.GeoDataFrame
    kawasan: pd.DataFrame
    villages: pd.DataFrame
    basis: str
    weights: dict[str, float]


def _closeness(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Wasserman-Faust closeness and mean distance to the reachable others, per row (metres)."""
    n = d.shape[0]
    if n == 1:
        return np.ones(1), np.zeros(1)
    off = ~np.eye(n, dtype=bool)
    reach = np.isfinite(d) & off
    r = reach.sum(axis=1)
    total = np.where(reach, d, 0.0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        close = np.where(total > 0, (r / (n - 1)) * (r / total), 0.0)
        mean = np.where(r > 0, total / np.maximum(r, 1), np.inf)
    return close, mean


def _scaled(x: np.ndarray) -> np.ndarray:
    """Min-max within the kawasan; a constant column gives 1 to everyone (it tells nothing apart)."""
    x = np.asarray(x, dtype=float)
    lo, hi = np.nanmin(x), np.nanmax(x)
    if not np.isfinite(hi - lo) or hi == lo:
        return np.ones_like(x)
    return np.nan_to_num((x - lo) / (hi - lo), nan=0.0)


def _reason(i: int, *, ctx: dict[str, Any], lang: str, runner: int | None, secondary: bool = False) -> str:
    name = ctx["name"][i]
    n = ctx["n"]
    parts: list[str] = []
    idx = ctx["index"]
    if idx is not None and np.isfinite(idx[i]):
        rank = int((idx > idx[i]).sum()) + 1
        orde = ctx["orde"][i]
        o = f", orde {_roman(int(orde))}" if np.isfinite(orde) else ""
        parts.append(
            f"indeks sentralitas {_fmt(idx[i], 1, lang)}{o} (ke-{rank} dari {n} desa)"
            if lang == "id"
            else f"centrality index {_fmt(idx[i], 1, lang)}{o.replace('orde', 'order')} (#{rank} of {n} villages)"
        )
    des = ctx["designation"][i]
    if des is not None and pd.notna(des):
        parts.append(f"ditetapkan RTRW sebagai {des}" if lang == "id" else f"designated {des} in the RTRW")
    mean = ctx["mean_km"][i]
    if np.isfinite(mean):
        rank = int((ctx["mean_km"] < mean).sum()) + 1
        via = ("lewat jalan" if lang == "id" else "by road") if ctx["basis"] == "jalan" else ("garis lurus" if lang == "id" else "straight line")
        parts.append(
            f"rata-rata {_fmt(mean, 1, lang)} km {via} ke desa anggota lain (ke-{rank} terdekat)"
            if lang == "id"
            else f"mean {_fmt(mean, 1, lang)} km {via} to the other members (#{rank} closest)"
        )
    if secondary:
        far = ctx["far_served"]
        parts.append(
            f"melayani {far} desa yang jauh dari pusat utama" if lang == "id" else f"serves {far} villages far from the primary centre"
        )
    head = (
        f"{name}: nilai pusat {_fmt(ctx['score'][i], 2, lang)}"
        if lang == "id"
        else f"{name}: centre score {_fmt(ctx['score'][i], 2, lang)}"
    )
    text = head + (" - " + "; ".join(parts) if parts else "")
    if runner is not None:
        text += (
            f". Pesaing: {ctx['name'][runner]} (nilai {_fmt(ctx['score'][runner], 2, lang)})"
            if lang == "id"
            else f". Runner-up: {ctx['name'][runner]} (score {_fmt(ctx['score'][runner], 2, lang)})"
        )
    return text


def choose_centres(
    villages: gpd.GeoDataFrame,
    *,
    hierarchy: pd.DataFrame | None = None,
    designation: pd.DataFrame | None = None,
    roads: RoadNetwork | None = None,
    village_points: gpd.GeoSeries | None = None,
    weights: Mapping[str, float] | None = None,
    beyond_km: float = 10.0,
    secondary_min_villages: int = 15,
) -> Centres:
    """The primary centre (and a secondary one where the kawasan is large) of every kawasan.

    Every member village gets a centre score, the weighted mean of three parts scaled to
    0-1 within its kawasan (min-max; a part that is equal for every member gives 1 to all):

    * ``hierarki``: Marshall centrality index (``hierarchy["indeks_sentralitas"]``);
    * ``aksesibilitas``: closeness within the kawasan by road (straight lines when no road
      network is given: said in ``basis`` and in the reason);
    * ``penetapan``: RTRW designation level / 5 (PKN 5 ... PPL 1, 0 without).

    Parts without data are left out and the remaining weights renormalised. The primary centre
    is the highest score (ties: higher index, then shorter mean distance, then code). A
    secondary centre is chosen when the kawasan has at least ``secondary_min_villages``
    members or a member lies more than ``beyond_km`` from the primary: the best-scoring member
    more than ``beyond_km / 2`` from the primary, since a second centre next to the first
    serves nobody new. A centre is a member village, so its point lies inside the kawasan.

    Parameters
    ----------
    villages : GeoDataFrame
        Villages with ``kode_desa``, ``nama_desa`` and ``kawasan_id`` (None outside every
        kawasan), in a projected CRS.
    hierarchy : DataFrame, optional
        Indexed by ``kode_desa`` with ``indeks_sentralitas`` and ``orde``
        (:attr:`Hierarchy.table`).
    designation : DataFrame, optional
        From :func:`designated_centres`.
    roads : RoadNetwork, optional
        From :func:`road_network`.
    village_points : GeoSeries, optional
        One point per village (index aligned to ``villages``), e.g. the village office; by
        default a point on the village's surface.
    weights : mapping, optional
        ``hierarki``, ``aksesibilitas``, ``penetapan`` (default 0.4, 0.35, 0.25).
    beyond_km : float
        Distance from the centre beyond which a member counts as far (``n_desa_jauh``).
    secondary_min_villages : int
        Kawasan with at least this many members get a secondary centre.

    Examples
    --------
    Three 1 km villages in a row, one kawasan; the middle one has the highest centrality index:

    >>> import geopandas as gpd, pandas as pd
    >>> from shapely.geometry import box
    >>> from kawasan_gis.centres import choose_centres
    >>> desa = gpd.GeoDataFrame(
    ...     {"kode_desa": ["1807012001", "1807012002", "1807012003"], "nama_desa": ["Bumi", "Pasar", "Rejo"], "kawasan_id": "K01"},
    ...     geometry=[box(500_000 + 1000 * i, 9_400_000, 501_000 + 1000 * i, 9_401_000) for i in range(3)], crs=32748)
    >>> h = pd.DataFrame({"indeks_sentralitas": [10.0, 40.0, 5.0], "orde": [2, 1, 3]}, index=desa["kode_desa"])
    >>> choose_centres(desa, hierarchy=h).kawasan[["kawasan_id", "pusat_nama"]].values.tolist()
    [['K01', 'Pasar']]
    """
    _check_projected(villages, "desa / villages")
    for col in (CODE, "nama_desa", "kawasan_id"):
        if col not in villages.columns:
            raise FieldError(f"desa tanpa kolom {col!r} / villages lack column {col!r}")
    w = dict(DEFAULT_WEIGHTS)
    if weights is not None:
        unknown = sorted(set(weights) - set(DEFAULT_WEIGHTS))
        if unknown:
            raise FieldError(f"bobot tidak dikenal / unknown centre weights {unknown}; use {sorted(DEFAULT_WEIGHTS)}")
        w.update({k: float(v) for k, v in weights.items()})
        if any(v < 0 for v in w.values()) or sum(w.values()) <= 0:
            raise FieldError("bobot pusat harus >= 0 dan tidak semuanya 0 / centre weights must be >= 0, not all 0")
    if hierarchy is None:
        w["hierarki"] = 0.0
    if designation is None:
        w["penetapan"] = 0.0
    codes = villages[CODE].astype(str).to_numpy()
    names = villages["nama_desa"].astype(str).to_numpy()
    kid = villages["kawasan_id"].to_numpy(dtype=object)
    inside = pd.notna(villages["kawasan_id"]).to_numpy() & ~np.isin(kid.astype(str), ["", "None", "nan", "<NA>"])
    if village_points is None:
        pts = shapely.point_on_surface(villages.geometry.values.to_numpy())
    else:
        pts = np.asarray(village_points.to_numpy(), dtype=object)
    idx = hierarchy["indeks_sentralitas"].reindex(codes).to_numpy(dtype=float) if hierarchy is not None else None
    orde = hierarchy["orde"].reindex(codes).to_numpy(dtype=float) if hierarchy is not None else np.full(len(codes), np.nan)
    if designation is not None:
        lvl = designation["level_penetapan"].reindex(codes).fillna(0).to_numpy(dtype=float)
        des_text = designation["penetapan_rtrw"].reindex(codes).to_numpy(dtype=object)
    else:
        lvl, des_text = np.zeros(len(codes)), np.full(len(codes), None, dtype=object)
    basis = "jalan" if roads is not None else "garis_lurus"
    attached = roads.attach(pts[inside]) if roads is not None else None
    pos_in_attached = np.full(len(codes), -1)
    pos_in_attached[inside] = np.arange(int(inside.sum()))

    score_all = np.full(len(codes), np.nan)
    close_all = np.full(len(codes), np.nan)
    mean_all = np.full(len(codes), np.nan)
    to_centre = np.full(len(codes), np.nan)
    rows: list[dict[str, Any]] = []
    pusat_rows: list[dict[str, Any]] = []
    kawasan_ids = list(dict.fromkeys(str(k) for k in kid[inside]))
    for k in kawasan_ids:
        members = np.flatnonzero(inside & (kid.astype(str) == k))
        n = len(members)
        if attached is not None:
            xy = shapely.get_coordinates(pts[members])
            # road distances are rarely more than 1.5x the straight ones (circuity): search that
            # far; the few rows cut short are searched again without a bound
            span = float(np.hypot(*np.ptp(xy, axis=0))) if n > 1 else 0.0
            limit = 1.5 * span + 2.0 * float(attached.connector[pos_in_attached[members]].max()) + 1000.0
            d = attached.distances(pos_in_attached[members], limit=limit) / 1000.0
        else:
            xy = shapely.get_coordinates(pts[members])
            d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2)) / 1000.0
        close, mean = _closeness(d)
        parts: dict[str, np.ndarray] = {}
        if idx is not None and np.isfinite(idx[members]).any():
            parts["hierarki"] = _scaled(np.where(np.isfinite(idx[members]), idx[members], np.nanmin(idx[members])))
        parts["aksesibilitas"] = _scaled(close)
        if designation is not None:
            parts["penetapan"] = lvl[members] / max(DESIGNATION_LEVELS.values())
        used = {p: w[p] for p in parts if w[p] > 0}
        total_w = sum(used.values())
        score = sum(used[p] * parts[p] for p in used) / total_w if total_w > 0 else np.zeros(n)
        tie_idx = np.nan_to_num(idx[members], nan=-1.0) if idx is not None else np.zeros(n)
        ranking = np.lexsort((codes[members], mean, -tie_idx, -np.round(score, 12)))
        primary = ranking[0]
        runner = ranking[1] if n > 1 else None
        dist_p = d[primary]
        far = dist_p > beyond_km
        second = None
        if n >= 3 and (n >= secondary_min_villages or far.any()):
            cands = [c for c in ranking[1:] if dist_p[c] > beyond_km / 2]
            if cands:
                second = cands[0]
        served = np.minimum(dist_p, d[second]) if second is not None else dist_p
        ctx = {
            "name": names[members],
            "n": n,
            "index": idx[members] if idx is not None else None,
            "orde": orde[members],
            "designation": des_text[members],
            "mean_km": mean,
            "basis": basis,
            "score": score,
            "far_served": int(((dist_p > beyond_km) & (d[second] <= beyond_km)).sum()) if second is not None else 0,
        }
        score_all[members] = score
        close_all[members] = close
        mean_all[members] = mean
        to_centre[members] = served
        reach = np.isfinite(served)
        row = {
            "kawasan_id": k,
            "pusat_kode": codes[members[primary]],
            "pusat_nama": names[members[primary]],
            "pusat_orde": _roman(int(orde[members[primary]])) if np.isfinite(orde[members[primary]]) else None,
            "pusat_penetapan": des_text[members[primary]],
            "pusat_skor": float(score[primary]),
            "pusat_alasan": _reason(primary, ctx=ctx, lang="id", runner=runner),
            "pusat_alasan_en": _reason(primary, ctx=ctx, lang="en", runner=runner),
            "pesaing_kode": codes[members[runner]] if runner is not None else None,
            "pesaing_nama": names[members[runner]] if runner is not None else None,
            "pusat_kedua_kode": codes[members[second]] if second is not None else None,
            "pusat_kedua_nama": names[members[second]] if second is not None else None,
            "jarak_rata_pusat_km": float(served[reach].mean()) if reach.any() else float("nan"),
            "jarak_maks_pusat_km": float(served[reach].max()) if reach.any() else float("nan"),
            "n_desa_jauh": int((served > beyond_km).sum()),
            "n_desa_tak_terjangkau": int((~reach).sum()),
            "dasar_jarak": basis,
        }
        rows.append(row)
        for role, j, alt in (("utama", primary, runner), ("kedua", second, None)):
            if j is None:
                continue
            m = members[j]
            pusat_rows.append(
                {
                    "kawasan_id": k,
                    "peran": role,
                    CODE: codes[m],
                    "nama_desa": names[m],
                    "orde": _roman(int(orde[m])) if np.isfinite(orde[m]) else None,
                    "indeks_sentralitas": float(idx[m]) if idx is not None else float("nan"),
                    "penetapan_rtrw": des_text[m],
                    "nilai_pusat": float(score[j]),
                    "alasan": _reason(j, ctx=ctx, lang="id", runner=alt, secondary=role == "kedua"),
                    "alasan_en": _reason(j, ctx=ctx, lang="en", runner=alt, secondary=role == "kedua"),
                    "geometry": pts[m],
                }
            )
    kawasan = pd.DataFrame(rows, columns=list(rows[0]) if rows else ["kawasan_id"])
    pusat = gpd.GeoDataFrame(
        pusat_rows if pusat_rows else {c: [] for c in ("kawasan_id", "peran", CODE, "nama_desa", "geometry")},
        geometry="geometry",
        crs=villages.crs,
    )
    desa = pd.DataFrame(
        {"nilai_pusat": score_all, "kedekatan": close_all, "jarak_rata_km": mean_all, "jarak_pusat_km": to_centre},
        index=pd.Index(codes, name=CODE),
    )
    used_w = {p: w[p] for p in ("hierarki", "aksesibilitas", "penetapan")}
    return Centres(points=pusat, kawasan=kawasan, villages=desa, basis=basis, weights=used_w)
