"""The rule checks of the plan check (UU 6/2014 Pasal 83 and planning rules).

Owns :func:`check_rules`: one kabupaten, at least two villages, contiguity (with island
bridges), kecamatan and kelurahan for information, partial cover of polygon plans, and the
share of a kawasan resting on zoning (:func:`zoning_basis_share`). Each finding carries its
level and legal basis from :class:`~kawasan_gis.check.config.CheckConfig`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from kawasan_gis import io as kio
from kawasan_gis.check.config import LEVELS, CheckConfig
from kawasan_gis.check.plan import DASAR_COLUMN, Plan
from kawasan_gis.errors import ConfigError, FieldError
from kawasan_gis.regionalize import Contiguity, contiguity

__all__ = ["check_rules", "zoning_basis_share"]


def zoning_basis_share(plan: Plan, kaw: pd.DataFrame) -> np.ndarray:
    """Share (0-100) of each kawasan's village area whose potential rests wholly on zoning."""
    if DASAR_COLUMN not in plan.members.columns:
        return np.full(len(kaw), np.nan)
    d = plan.members
    area = pd.Series(shapely.area(np.asarray(d.geometry.array, dtype=object)), index=d.index)
    zonasi = d[DASAR_COLUMN].astype(str).str.lower().eq("zonasi")
    total = area.groupby(d["kawasan_id"]).sum()
    part = area[zonasi].groupby(d["kawasan_id"][zonasi]).sum()
    pct = 100 * part.reindex(total.index, fill_value=0.0) / total
    return pct.reindex(kaw["kawasan_id"]).to_numpy(dtype=float)


def bridge_pairs(bridges: pd.DataFrame | Iterable[tuple[str, str]] | None, known: set[str]) -> list[tuple[str, str]]:
    """Extra neighbour pairs as normalised village codes; every bad pair listed in one ConfigError."""
    if bridges is None:
        return []
    if isinstance(bridges, pd.DataFrame):
        missing = [c for c in ("from_kode", "to_kode") if c not in bridges.columns]
        if missing:
            raise FieldError(f"bridges need columns from_kode and to_kode; missing {', '.join(missing)}.")
        pairs = list(zip(bridges["from_kode"], bridges["to_kode"], strict=True))
    else:
        pairs = list(bridges)
    out, problems = [], []
    for pair in pairs:
        if len(pair) != 2:
            problems.append(f"{pair!r} is not a pair of village codes")
            continue
        a, b = (kio.normalise_code(x) for x in pair)
        unknown = [c for c in (a, b) if c not in known]
        if unknown:
            problems.append(f"bridge {a}-{b}: code(s) {', '.join(unknown)} not in the village layer")
        else:
            out.append((a, b))
    if problems:
        raise ConfigError("Sambungan tidak sah / Invalid bridges.", problems=problems)
    return out


def connected_parts(
    plan: Plan, villages: gpd.GeoDataFrame, snap: float, bridges: list[tuple[str, str]], *, graph: Contiguity | None = None
) -> dict[str, list[np.ndarray]]:
    """Connected parts (arrays of village codes) of every kawasan with two or more villages.

    ``graph`` is ``contiguity(villages, snap=snap, by=None)``, built here unless given.
    """
    if graph is None:
        graph = contiguity(villages, snap=snap, by=None)
    pos = {c: i for i, c in enumerate(graph.kode_desa)}
    i = np.concatenate([graph.i, np.array([pos[a] for a, _ in bridges], dtype=np.int64)])
    j = np.concatenate([graph.j, np.array([pos[b] for _, b in bridges], dtype=np.int64)])
    out: dict[str, list[np.ndarray]] = {}
    member = plan.members.groupby("kawasan_id", sort=False)["kode_desa"]
    for k, codes in member:
        nodes = np.array([pos[c] for c in codes.astype(str)], dtype=np.int64)
        if len(nodes) < 2:
            continue
        local = np.full(graph.n, -1)
        local[nodes] = np.arange(len(nodes))
        e = (local[i] >= 0) & (local[j] >= 0)
        adj = sparse.csr_matrix((np.ones(int(e.sum())), (local[i[e]], local[j[e]])), shape=(len(nodes), len(nodes)))
        n_comp, lab = connected_components(adj, directed=False)
        out[str(k)] = [graph.kode_desa[nodes[lab == c]] for c in range(n_comp)]
    return out


def check_rules(
    plan: Plan,
    villages: gpd.GeoDataFrame,
    cfg: CheckConfig,
    *,
    bridges: pd.DataFrame | Iterable[tuple[str, str]] | None,
    lang: str,
    graph: Contiguity | None = None,
) -> pd.DataFrame:
    """The rule findings of every kawasan: ``kawasan_id``, ``rule``, ``level``, ``message``, ``dasar``.

    Ordered as the kawasan of the plan, errors before warnings before information. ``graph``:
    the contiguity graph of ``villages`` (``contiguity(villages, snap=cfg.snap_m, by=None)``)
    when the caller checks many plans on one village layer.
    """
    rows: list[dict[str, str]] = []

    def add(kawasan_id: str, rule: str, **values: Any) -> None:
        text = cfg.rules[rule]
        message = cfg.messages.t(f"rule_{rule}", lang, kawasan=kawasan_id, dasar=text.dasar, **values)
        rows.append({"kawasan_id": kawasan_id, "rule": rule, "level": text.level, "message": message, "dasar": text.dasar})

    desa = plan.members
    name_of = dict(zip(villages["kode_desa"].astype(str), villages["nama_desa"].astype(str), strict=True))
    known = set(name_of)
    parts = connected_parts(plan, villages, cfg.snap_m, bridge_pairs(bridges, known), graph=graph)
    kab_name = villages["nama_kab"].astype(str) if "nama_kab" in villages.columns else villages["kode_kab"].astype(str)
    kab_label = dict(zip(villages["kode_kab"].astype(str), kab_name, strict=False))
    for k in plan.kawasan["kawasan_id"]:
        m = desa[desa["kawasan_id"] == k]
        names = m["nama_desa"].astype(str).tolist()
        kabs = list(dict.fromkeys(m["kode_kab"].astype(str)))
        if len(kabs) > 1:
            add(k, "satu_kabupaten", n=len(kabs), daftar=", ".join(f"{kab_label.get(c) or c} ({c})" for c in kabs))
        if len(m) < 2:
            add(k, "minimal_dua_desa", n=len(m), daftar=", ".join(names) or "-")
        pieces = parts.get(str(k), [])
        if len(pieces) > 1:
            text = " | ".join(", ".join(name_of[c] for c in p[:8]) + (" ..." if len(p) > 8 else "") for p in pieces)
            add(k, "bersambung", n=len(pieces), daftar=text)
        if len(m):
            kec_name = m["nama_kec"].astype(str) if "nama_kec" in m.columns else m["kode_kec"].astype(str)
            kecs = list(dict.fromkeys(n or c for n, c in zip(kec_name, m["kode_kec"].astype(str), strict=True)))
            add(k, "kecamatan", n=len(kecs), daftar=", ".join(kecs))
        kel = m.loc[m["jenis"].astype(str).str.lower() == "kelurahan", "nama_desa"].astype(str).tolist()
        if kel:
            add(k, "kelurahan", n=len(kel), daftar=", ".join(kel))
        part = plan.partial[plan.partial["kawasan_id"] == k]
        if len(part):
            add(k, "cakupan_sebagian", n=len(part),
                daftar=", ".join(f"{n} {p:.0f} %" for n, p in zip(part["nama_desa"], part["pct_tertutup"], strict=True)))
    for k, p in zip(plan.kawasan["kawasan_id"], zoning_basis_share(plan, plan.kawasan), strict=True):
        if p > cfg.dasar_zonasi_pct:  # NaN (no dasar column) never is
            add(k, "dasar_zonasi", n=f"{p:.0f}", daftar="")
    frame = pd.DataFrame(rows, columns=["kawasan_id", "rule", "level", "message", "dasar"])
    rank = frame["level"].map({lv: i for i, lv in enumerate(LEVELS)})
    order = pd.Series(pd.Categorical(frame["kawasan_id"], categories=list(dict.fromkeys(plan.kawasan["kawasan_id"])), ordered=True))
    frame = frame.assign(_k=order.cat.codes.to_numpy(), _r=rank.to_numpy()).sort_values(["_k", "_r"], kind="stable")
    return frame.drop(columns=["_k", "_r"]).reset_index(drop=True)

