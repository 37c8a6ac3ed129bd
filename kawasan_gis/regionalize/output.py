"""The proposal as planners read it: villages with their kawasan, one row per kawasan, bridges.

Owns :class:`Proposal` and its assembly from zone labels: kawasan names, dominant potential and
its share, potential profile, compactness, stability, geometry (coverage union of the members),
the bridges each kawasan uses, and the quality figures. Column names are Indonesian (the
planners' words); see ``docs/regionalize.md`` for each.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kawasan_gis.regionalize.graph import Contiguity
from kawasan_gis.regionalize.limits import Limits
from kawasan_gis.regionalize.validation import SCORE_PREFIX
from kawasan_gis.vocab import load_potentials

__all__ = ["Proposal", "assemble"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Proposal:
    """Result of :func:`propose_kawasan`.

    Attributes
    ----------
    villages : geopandas.GeoDataFrame
        The villages (input order and index) with their score columns, ``kawasan_id``
        (None when left out), ``alasan_tidak_masuk`` (why it was left out) and
        ``stabilitas`` (share of perturbed runs keeping its neighbours in or out of
        its kawasan as in the proposal).
    kawasan : geopandas.GeoDataFrame
        One row per kawasan; see ``docs/regionalize.md`` for the columns.
    bridges : geopandas.GeoDataFrame
        Bridges of the contiguity graph (:attr:`Contiguity.bridges`, ``group`` renamed
        ``kode_kab``), with village names and the ``kawasan_id`` that uses the bridge
        (None when its ends fall in different kawasan); written as the layer ``sambungan``.
    contiguity : Contiguity
        The graph the kawasan were grown on (villages in ``kode_desa`` order).
    params : dict
        The options of the run.
    quality : dict
        ``bss_tss_ratio``, ``n_kawasan``, ``n_villages_in``, ``n_villages_out``,
        ``n_bridges``, ``violations`` (limits that could not be met), ``union_fallback``
        (kawasan whose geometry needed a full union), and for solvers that take a number
        of zones (Ward) ``k`` and ``ch_curve`` (pseudo-F by k) per kabupaten.
    """

    villages: gpd.GeoDataFrame
    kawasan: gpd.GeoDataFrame
    bridges: gpd.GeoDataFrame
    contiguity: Contiguity
    params: dict[str, Any]
    quality: dict[str, Any]

    @property
    def bss_tss_ratio(self) -> float:
        """Between- over total sum of squares of the score vectors of villages in a kawasan."""
        return float(self.quality["bss_tss_ratio"])

    @property
    def graph(self) -> pd.DataFrame:
        """Edges of the contiguity graph (see :meth:`Contiguity.to_frame`)."""
        return self.contiguity.to_frame()


def _potential_labels(codes: Sequence[str]) -> dict[str, str]:
    """Display names of potentials from the built-in catalogue, else title-cased codes."""
    names = {p.code: p.nama for p in load_potentials()}
    return {c: names.get(c) or c.replace("_", " ").title() for c in codes}


def _zone_potential(dom: np.ndarray, area: np.ndarray, profile: Mapping[str, float]) -> tuple[str, float]:
    """Potential holding the largest area share (ties: higher profile score, then name), and its share."""
    names, inverse = np.unique(dom, return_inverse=True)
    share = np.bincount(inverse, weights=area) / area.sum()
    best = sorted(range(len(names)), key=lambda r: (-share[r], -profile.get(names[r], -np.inf), names[r]))[0]
    return str(names[best]), float(share[best])


def _union(geoms: np.ndarray) -> tuple[Any, bool]:
    if len(geoms) > 1 and bool(shapely.coverage_is_valid(geoms)):
        return shapely.coverage_union_all(geoms), False
    return shapely.union_all(geoms), len(geoms) > 1


def assemble(
    villages: gpd.GeoDataFrame,
    v: gpd.GeoDataFrame,
    order: np.ndarray,
    s: pd.DataFrame,
    columns: Sequence[str],
    labels: np.ndarray,
    stability: np.ndarray,
    reason: np.ndarray,
    graph: Contiguity,
    area: np.ndarray,
    limits: Limits,
    violations: Sequence[str],
    diagnostics: Mapping[str, Any],
    params: dict[str, Any],
) -> Proposal:
    """The proposal from the zone labels: villages back in input order, kawasan rows, bridges, quality.

    ``villages`` is the caller's frame; ``v``, ``s``, ``labels``, ``stability``, ``reason`` and
    ``area`` are in ``kode_desa`` order (``order`` maps back). ``diagnostics`` (the solver's k and
    curve per kabupaten) is added to the quality figures.
    """
    n_zones = int(labels.max()) + 1 if (labels >= 0).any() else 0
    width = max(2, len(str(n_zones)))
    ids = np.array([f"K{z + 1:0{width}d}" for z in range(n_zones)], dtype=object)
    kawasan_id = np.where(labels >= 0, ids[np.maximum(labels, 0)] if n_zones else None, None)
    codes = [c.removeprefix(SCORE_PREFIX) for c in columns]
    label_of = _potential_labels(sorted(set(codes) | set(s["potensi_dominan"].astype(str))))
    x = s[columns].to_numpy(dtype=float)
    dom = s["potensi_dominan"].astype(str).to_numpy()
    nama_desa = v["nama_desa"].astype(str).to_numpy()
    kode = v["kode_desa"].astype(str).to_numpy()
    kode_kec = v["kode_kec"].astype(str).to_numpy()
    kab = v["kode_kab"].astype(str).to_numpy()
    nama_kec = v["nama_kec"].astype(str).to_numpy() if "nama_kec" in v.columns else np.full(len(v), "")
    nama_kab = v["nama_kab"].astype(str).to_numpy() if "nama_kab" in v.columns else np.full(len(v), "")
    geoms = np.asarray(v.geometry.array, dtype=object)
    bridge_of = {(min(a, b), max(a, b)) for a, b in zip(graph.i[graph.bridge], graph.j[graph.bridge], strict=True)}

    rows = []
    fallback = []
    wss_total = 0.0
    for z in range(n_zones):
        m = np.flatnonzero(labels == z)
        w = area[m] / area[m].sum()
        profile = dict(zip(codes, (w @ x[m]).tolist(), strict=True))
        potensi, pangsa = _zone_potential(dom[m], area[m], profile)
        wss = float(((x[m] - x[m].mean(axis=0)) ** 2).sum())
        wss_total += wss
        geom, fell_back = _union(geoms[m])
        if fell_back:
            fallback.append(str(ids[z]))
        kec_order = sorted(set(zip(kode_kec[m], nama_kec[m], strict=True)))
        largest = m[np.lexsort((kode[m], -area[m]))[0]]
        in_zone = set(m.tolist())
        perimeter = shapely.length(geom)
        # the union of the member villages, overlaps counted once: the area check_plan judges
        luas = float(shapely.area(geom)) / 10_000
        rows.append(
            {
                "kawasan_id": ids[z],
                "nama": f"Kawasan {label_of.get(potensi, potensi)} {nama_desa[largest]}",
                "potensi": potensi,
                "pangsa_potensi": pangsa,
                "kode_kab": kab[m[0]],
                "nama_kab": nama_kab[m[0]],
                "n_desa": len(m),
                "daftar_desa": ", ".join(nama_desa[m]),
                "daftar_kode": ", ".join(kode[m]),
                "kecamatan": ", ".join(nm or kc for kc, nm in kec_order),
                "n_kecamatan": len({kc for kc, _ in kec_order}),
                "luas_ha": luas,
                **{f"profil_{c}": profile[c] for c in codes},
                "wss": wss,
                "kekompakan": float(4 * math.pi * shapely.area(geom) / perimeter**2) if perimeter > 0 else np.nan,
                "stabilitas": float(np.mean(stability[m])),
                "n_sambungan": sum(1 for a, b in bridge_of if a in in_zone and b in in_zone),
                "sesuai_batas": limits.fits(len(m), luas) and len(m) >= limits.min_villages,
                "geometry": geom,
                "_kec": nama_kec[largest],
            }
        )
    kawasan = _kawasan_frame(rows, codes, v.crs)
    if fallback:
        log.info("kawasan %s: villages overlap or leave gaps, geometry built with union_all instead of coverage union",
                 ", ".join(fallback))

    inside = labels >= 0
    tss = float(((x[inside] - x[inside].mean(axis=0)) ** 2).sum()) if inside.any() else 0.0
    quality: dict[str, Any] = {
        "bss_tss_ratio": 1.0 - wss_total / tss if tss > 0 else float("nan"),
        "n_kawasan": n_zones,
        "n_villages_in": int(inside.sum()),
        "n_villages_out": int((~inside).sum()),
        "n_bridges": len(graph.bridges),
        "violations": list(violations),
        "union_fallback": fallback,
        **diagnostics,
    }
    for text in violations:
        log.warning(text)

    # back to the caller's row order and index
    back = np.empty(len(order), dtype=np.int64)
    back[order] = np.arange(len(order))
    extra = s.loc[kode, [c for c in s.columns if c not in villages.columns]].reset_index(drop=True)
    out = villages.drop(columns=villages.geometry.name).copy()
    for c in extra.columns:
        out[c] = extra[c].to_numpy()[back]
    out["kawasan_id"] = pd.Series(kawasan_id[back], index=out.index, dtype="str")
    out["alasan_tidak_masuk"] = pd.Series(reason[back], index=out.index, dtype="str")
    out["stabilitas"] = stability[back]
    out = gpd.GeoDataFrame(out, geometry=villages.geometry.copy(), crs=villages.crs)

    bridges = graph.bridges.copy()
    name_of = dict(zip(kode, nama_desa, strict=True))
    zone_of = dict(zip(kode, kawasan_id, strict=True))
    bridges.insert(2, "from_nama", [name_of[c] for c in bridges["from_kode"]])
    bridges.insert(3, "to_nama", [name_of[c] for c in bridges["to_kode"]])
    bridges["kawasan_id"] = [
        zone_of[a] if zone_of[a] is not None and zone_of[a] == zone_of[b] else None
        for a, b in zip(bridges["from_kode"], bridges["to_kode"], strict=True)
    ]
    bridges = bridges.rename(columns={"group": "kode_kab"})
    return Proposal(villages=out, kawasan=kawasan, bridges=bridges, contiguity=graph, params=params, quality=quality)


NO_EVIDENCE = "tidak ada data untuk menilai potensi / no data to score any potential"


def with_unscored(proposal: Proposal, villages: gpd.GeoDataFrame, scores: pd.DataFrame, scored: np.ndarray) -> Proposal:
    """The proposal made without the villages that have no dominant potential, with them put back.

    They come back outside every kawasan, in the caller's row order and index, with their
    scores as given and ``alasan_tidak_masuk`` = their ``alasan_potensi`` (or "no data").
    """
    rest = villages.loc[~scored].copy()
    rest.attrs = {}  # the layer's read report (frames in attrs) is not part of the proposal
    s = scores.loc[rest["kode_desa"].astype(str).to_numpy()]
    for c in s.columns:
        if c not in rest.columns:
            rest[c] = s[c].to_numpy()
    why = s["alasan_potensi"].fillna("").astype(str) if "alasan_potensi" in s.columns else pd.Series("", index=s.index)
    rest["kawasan_id"] = None
    rest["alasan_tidak_masuk"] = why.where(why.astype(bool), NO_EVIDENCE).to_numpy()
    inside = proposal.villages.copy()
    inside.attrs = {}
    out = pd.concat([inside, rest[[c for c in inside.columns if c in rest.columns]]])
    position = pd.Series(np.arange(len(villages)), index=villages["kode_desa"].astype(str).to_numpy())
    out = out.iloc[np.argsort(position.loc[out["kode_desa"].astype(str).to_numpy()].to_numpy(), kind="stable")]
    out = gpd.GeoDataFrame(out, geometry=inside.geometry.name, crs=inside.crs)
    return replace(proposal, villages=out)


def _kawasan_frame(rows: list[dict[str, Any]], codes: Sequence[str], crs: Any) -> gpd.GeoDataFrame:
    columns = [
        "kawasan_id", "nama", "potensi", "pangsa_potensi", "kode_kab", "nama_kab", "n_desa", "daftar_desa",
        "daftar_kode", "kecamatan", "n_kecamatan", "luas_ha", *[f"profil_{c}" for c in codes], "wss",
        "kekompakan", "stabilitas", "n_sambungan", "sesuai_batas", "geometry",
    ]
    frame = pd.DataFrame(rows, columns=[*columns, "_kec"])
    # Two kawasan named after villages of the same name and potential: add the kecamatan, then the id.
    for key in ("_kec", "kawasan_id"):
        dup = frame["nama"].duplicated(keep=False)
        frame.loc[dup, "nama"] = frame.loc[dup, "nama"] + " (" + frame.loc[dup, key].astype(str) + ")"
    frame = frame.drop(columns="_kec")
    frame["n_desa"] = frame["n_desa"].astype("int64")
    frame["n_kecamatan"] = frame["n_kecamatan"].astype("int64")
    frame["n_sambungan"] = frame["n_sambungan"].astype("int64")
    frame["sesuai_batas"] = frame["sesuai_batas"].astype(bool)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=crs)
