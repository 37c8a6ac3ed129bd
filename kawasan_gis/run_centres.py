"""The run's centres-and-profile step: settlement hierarchy, kawasan centres and four-pillar profile.

Owns :func:`centres_and_profile`, which :func:`kawasan_gis.pipeline.run` calls once the kawasan
are proposed and checked: it gathers the facility layers the config names, builds the hierarchy
of every kabupaten, chooses each kawasan's centre and scores its pillars from the IDM table,
facility distances, line densities and the RTRW check, and returns the columns and layers the
run writes (:class:`CentresResult`), including the ``bukti_pilar`` evidence the studio
re-profiles edited plans from.

Imports :mod:`kawasan_gis.centres`, ``profile``, ``overlay``, ``vocab``, ``config`` and ``errors``
(the pipeline imports this module, never the other way round).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from kawasan_gis.config import RunConfig
from kawasan_gis.errors import ConfigError
from kawasan_gis.i18n import Num, message

__all__ = ["PLAN_EVIDENCE", "CentresResult", "centres_and_profile"]


@dataclass
class CentresResult:
    """Settlement hierarchy, centres and profile of a run (see :func:`centres_and_profile`).

    Attributes
    ----------
    hierarchies : dict
        Kabupaten code -> :class:`kawasan_gis.centres.Hierarchy` (None without facilities).
    counts : DataFrame or None
        Facility units per village and type.
    centres : kawasan_gis.centres.Centres or None
    profile : kawasan_gis.profile.Profile
    points : GeoDataFrame
        The ``pusat`` layer (one point per centre).
    villages, kawasan : DataFrame
        The columns added to the ``desa`` and ``kawasan`` layers.
    sources : dict
        What fed the hierarchy, the centres and every pillar (for run.json and the report).
    evidence : DataFrame or None
        Indexed by ``kode_desa``: the per-village evidence of the profile that does not depend
        on the plan (IDM indices and status, distances to facilities, line densities, culture
        and tourism zoning) and the facility units per type as ``fasilitas_<type>``. Written as
        the ``bukti_pilar`` table so the studio can profile an edited plan again.
    """

    hierarchies: dict[str, Any]
    counts: pd.DataFrame | None
    centres: Any
    profile: Any
    points: gpd.GeoDataFrame
    villages: pd.DataFrame
    kawasan: pd.DataFrame
    sources: dict[str, Any]
    evidence: pd.DataFrame | None = None


_CULTURE_CLASSES = ("pariwisata", "cagar_budaya", "taman_wisata_alam")
PLAN_EVIDENCE = ("jarak_pusat_km", "skor_potensi_kawasan")
"""Profile evidence that depends on the plan (the kawasan's centre and potential)."""


def _facility_layers(
    config: RunConfig, points: dict[str, tuple[gpd.GeoDataFrame, str | None]], lines: dict[str, tuple[gpd.GeoDataFrame, str | None]]
) -> tuple[dict[str, gpd.GeoDataFrame], dict[str, gpd.GeoDataFrame], dict[str, str]]:
    """Point and line layers (or one class of them, ``layer.value``) and table columns named as facilities."""
    from kawasan_gis.overlay import slug

    pts: dict[str, gpd.GeoDataFrame] = {}
    lns: dict[str, gpd.GeoDataFrame] = {}
    cols: dict[str, str] = {}
    for name in config.centres.facilities:
        layer, _, value = name.partition(".")
        for group, target in ((points, pts), (lines, lns)):
            if layer in group:
                gdf, by = group[layer]
                if value:
                    keep = gdf[by].map(lambda x: x is not None and not (isinstance(x, float) and np.isnan(x)) and slug(x) == slug(value))
                    if not keep.any():
                        raise ConfigError(
                            f"[centres.facilities] {name}: lapisan {layer!r} tidak punya kelas {value!r} di kolom {by!r} / "
                            f"layer {layer!r} has no class {value!r} in column {by!r}; it has "
                            f"{', '.join(sorted({slug(x) for x in gdf[by].dropna()})[:15])}"
                        )
                    gdf = gdf.loc[keep.to_numpy()]
                target[name] = gdf
                break
        else:
            roles = config.inputs.table.roles if config.inputs.table is not None else {}
            cols[name] = f"tbl_{next((r for r, c in roles.items() if c == name), name)}"
    return pts, lns, cols


def centres_and_profile(
    config: RunConfig,
    desa: gpd.GeoDataFrame,
    kawasan: gpd.GeoDataFrame,
    *,
    indicators: pd.DataFrame,
    scores: pd.DataFrame,
    points: dict[str, tuple[gpd.GeoDataFrame, str | None]],
    lines: dict[str, tuple[gpd.GeoDataFrame, str | None]],
    designated: gpd.GeoDataFrame | None,
    check: Any | None,
    network: Any | None = None,
) -> CentresResult:
    """Hierarchy per kabupaten, centre of every kawasan and its four-pillar profile, from the run's layers.

    ``network`` is the road graph of ``[centres] roads`` when already built
    (:func:`kawasan_gis.centres.road_network`; the pipeline builds it beside the indicators).
    ``check`` is the plan's :class:`~kawasan_gis.check.CheckResult`, or a function returning
    it, called only when the profile needs it (the check runs in another process meanwhile).
    """
    from kawasan_gis import centres as C
    from kawasan_gis.overlay import point_stats
    from kawasan_gis.profile import join_idm, load_program, profile_kawasan
    from kawasan_gis.vocab import load_vocabulary

    opt, popt, inp = config.centres, config.profile, config.inputs
    codes = desa["kode_desa"].astype(str)
    sources: dict[str, Any] = {"hierarki": {}, "pusat": {}, "pilar": {}}
    counts = None
    hierarchies: dict[str, Any] = {}
    hier_table = None
    if opt.facilities:
        pts, lns, cols = _facility_layers(config, points, lines)
        counts = C.facility_counts(desa, points=pts, lines=lns, table=indicators, columns=cols)
        tables = []
        kab = desa["kode_kab"].astype(str).to_numpy()
        for k in dict.fromkeys(kab):
            sub = counts.loc[codes.to_numpy()[kab == k]]
            sub.attrs = dict(counts.attrs)
            h = C.settlement_hierarchy(
                sub, basis=opt.basis, method=opt.orders, n_classes=opt.n_orders, categories=opt.facilities  # type: ignore[arg-type]
            )
            hierarchies[k] = h
            tables.append(h.table)
            sources["hierarki"][k] = {"id": h.describe("id"), "en": h.describe("en"), "cor": h.scalogram.cor, "cs": h.scalogram.cs}
        hier_table = pd.concat(tables)
    designation = C.designated_centres(desa, designated, column=inp.centres.column) if designated is not None and inp.centres else None
    network = None
    if opt.roads is not None:
        if network is None:
            network = C.road_network(lines[opt.roads][0], snap_m=opt.snap_m)
        sources["pusat"]["jalan"] = message(
            "road_network_summary", roads=opt.roads, nodes=network.n_nodes, edges=len(network.edges), components=network.n_components,
            pct=Num(100 * network.largest_share, 0), snapped=network.n_snapped, snap=Num(opt.snap_m, 0 if float(opt.snap_m).is_integer() else 1),
        )
    centres = C.choose_centres(
        desa,
        hierarchy=hier_table,
        designation=designation,
        roads=network,
        weights={"hierarki": opt.weight_hierarchy, "aksesibilitas": opt.weight_access, "penetapan": opt.weight_designation},
        beyond_km=opt.beyond_km,
        secondary_min_villages=opt.secondary_min_villages,
    )
    sources["pusat"].update({"dasar_jarak": centres.basis, "bobot": centres.weights, "penetapan_rtrw": str(inp.centres.path) if inp.centres else None})

    # per-village evidence for the profile
    ev = pd.DataFrame({"kawasan_id": desa["kawasan_id"].to_numpy()}, index=pd.Index(codes.to_numpy(), name="kode_desa"))
    idm = None
    if inp.idm is not None:
        idm = join_idm(desa, inp.idm.path, code_column=inp.idm.code_column)
        ev = ev.join(idm[["iks", "ike", "ikl", "status_idm"]])
    if counts is not None:
        dist = counts.attrs.get("jarak_km", {})
        for category in ("pendidikan", "kesehatan", "ekonomi"):
            types = [t for t, c in opt.facilities.items() if c == category]
            if not types and not (category == "ekonomi" and designated is not None):
                continue
            d = np.full(len(ev), np.inf)
            for t in types:
                d = np.minimum(d, np.where(counts[t].to_numpy() > 0, 0.0, dist.get(t, np.full(len(ev), np.inf))))
            ev[f"jarak_km_{category}"] = d
    if designated is not None and designation is not None:
        lv = np.array([C.designation_level(x)[1] for x in designated[inp.centres.column]]) if inp.centres else np.zeros(len(designated))  # type: ignore[union-attr]
        active = designated.loc[lv >= C.DESIGNATION_LEVELS["PPK"]]
        if len(active):
            near = point_stats(desa, active)["jarak_km"].to_numpy()
            ev["jarak_km_ekonomi"] = np.minimum(ev["jarak_km_ekonomi"].to_numpy(), near) if "jarak_km_ekonomi" in ev else near
    for name, col in ((opt.roads, "jalan_km_per_km2"), (popt.irrigation, "irigasi_km_per_km2")):
        column = f"km_per_km2_{inp.role_of('lines', name)}" if name is not None else ""
        if column in indicators.columns:
            ev[col] = indicators[column].reindex(ev.index).to_numpy()
    ev["jarak_pusat_km"] = centres.villages["jarak_pusat_km"].reindex(ev.index).to_numpy()
    potensi = kawasan.set_index("kawasan_id")["potensi"]
    own = ev["kawasan_id"].map(potensi)
    ev["skor_potensi_kawasan"] = [
        scores.at[c, f"skor_{p}"] if isinstance(p, str) and f"skor_{p}" in scores.columns and c in scores.index else np.nan
        for c, p in zip(ev.index, own, strict=True)
    ]
    culture = [c for c in indicators.columns if c.startswith(("ha_rtrw_", "ha_landuse_")) and c.split("_", 2)[2] in _CULTURE_CLASSES]
    # a kabupaten whose layers zone no culture or tourism anywhere says nothing about its kawasan
    if culture and float(indicators[culture].to_numpy().sum()) > 0:
        ev["ha_budaya_wisata"] = indicators[culture].sum(axis=1).reindex(ev.index).to_numpy()
    kaw_ev = pd.DataFrame(index=pd.Index(kawasan["kawasan_id"], name="kawasan_id"))
    if callable(check):  # the check still running (in kawasan run's helper process): needed from here on
        check = check()
    if check is not None:
        kaw_ev["pct_X"] = check.kawasan.set_index("kawasan_id")["pct_X"]
        lindung = {c.code for c in load_vocabulary("rtrw") if c.group == "lindung"}
        pk = check.per_class
        pk = pk.loc[pk["kelas"].isin(lindung)]
        kaw_ev["ha_lindung"] = pk.groupby("kawasan_id")["luas_ha"].sum().reindex(kaw_ev.index).fillna(0.0)
        kaw_ev["ha_lindung_X"] = pk.loc[pk["status"] == "X"].groupby("kawasan_id")["luas_ha"].sum().reindex(kaw_ev.index).fillna(0.0)
    profile = profile_kawasan(
        ev, kawasan=kaw_ev, facilities=counts, access_km=popt.access_km, beyond_km=opt.beyond_km,
        catalogue=load_program(popt.program),
    )  # fmt: skip
    sources["pilar"] = profile.sources
    sources["idm"] = {"tabel": str(inp.idm.path), "tahun": idm.attrs.get("tahun"), "desa_dengan_idm": int(idm["idm"].notna().sum())} if idm is not None else None

    # columns for the layers
    desa_cols = pd.DataFrame(index=ev.index)
    if hier_table is not None:
        desa_cols["jumlah_jenis_fasilitas"] = hier_table["jumlah_jenis"]
        desa_cols["indeks_sentralitas"] = hier_table["indeks_sentralitas"]
        desa_cols["orde"] = hier_table["orde_romawi"]
    if designation is not None:
        desa_cols["penetapan_rtrw"] = designation["penetapan_rtrw"]
    desa_cols["nilai_pusat"] = centres.villages["nilai_pusat"]
    desa_cols["jarak_pusat_km"] = centres.villages["jarak_pusat_km"]
    if idm is not None:
        desa_cols = desa_cols.join(idm[["idm", "iks", "ike", "ikl", "status_idm"]])
    kaw_cols = centres.kawasan.drop(columns=["pesaing_kode", "pusat_kedua_kode"])
    if counts is not None:
        rows = []
        for k in kaw_cols["kawasan_id"]:
            members = ev.index[ev["kawasan_id"].astype(str) == str(k)]
            sc = C.scalogram(counts.loc[members])
            rows.append({"kawasan_id": k, "skalogram_cor": sc.cor, "skalogram_cs": sc.cs})
        kaw_cols = kaw_cols.merge(pd.DataFrame(rows), on="kawasan_id", how="left")
    prof = profile.table[[c for c in profile.table.columns if not c.startswith("komp_")]]
    kaw_cols = kaw_cols.merge(prof, left_on="kawasan_id", right_index=True, how="left")
    # what the plan does not change, for the studio's live profile (PLAN_EVIDENCE it recomputes)
    evidence = ev.drop(columns=["kawasan_id", *PLAN_EVIDENCE])
    if counts is not None:
        evidence = evidence.join(counts.reindex(evidence.index).add_prefix("fasilitas_"))
    return CentresResult(
        hierarchies=hierarchies, counts=counts, centres=centres, profile=profile, points=centres.points,
        villages=desa_cols, kawasan=kaw_cols, sources=sources, evidence=evidence,
    )  # fmt: skip
