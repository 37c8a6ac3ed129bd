"""The plan check itself: :func:`check_plan` chains the steps into a :class:`CheckResult`.

Validates the inputs once, resolves the zones meeting the plan, classifies kawasan and village
area (:mod:`~kawasan_gis.check.zoning`), gives verdicts (:mod:`~kawasan_gis.check.verdicts`),
runs the rule checks (:mod:`~kawasan_gis.check.rules`) and builds the conflict layer
(:mod:`~kawasan_gis.check.conflicts`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kawasan_gis.check.config import CheckConfig, Thresholds, load_check_config, merge_thresholds
from kawasan_gis.check.conflicts import conflict_layer
from kawasan_gis.check.plan import DASAR_COLUMN, Plan
from kawasan_gis.check.result import CheckResult
from kawasan_gis.check.rules import check_rules, zoning_basis_share
from kawasan_gis.check.verdicts import verdict_reasons, verdicts
from kawasan_gis.check.verdicts import room_shares
from kawasan_gis.check.zoning import OUTSIDE_CLASS, area_columns, class_breakdown, classify_areas, classify_pieces, overlay_parts
from kawasan_gis.errors import ConfigError, CoverageError, CRSError, FieldError
from kawasan_gis.i18n import LANGUAGES, Message, check_lang, format_number, t
from kawasan_gis.io import polygonal
from kawasan_gis.overlay import M2_PER_HA, default_priority, resolve_overlaps
from kawasan_gis.vocab import COMBINED_SEP, ITBX_KEY, ItbxMatrix, load_itbx, load_vocabulary

__all__ = ["check_plan"]

log = logging.getLogger(__name__)

# Cover below this share of the plan's area is worth a warning: gaps under 1 % are the usual
# mismatch of village and RTRW boundaries digitised from different maps.
_PARTIAL_COVER_PCT = 99.0


def _rtrw_cover(area_ha: float, outside_ha: float, th: Thresholds) -> tuple[float, list[str]]:
    """The share (0-100) of the plan's area the RTRW covers, and the warnings it calls for.

    Raises
    ------
    CoverageError
        When the share is below ``th.min_cakupan_rtrw_pct``: verdicts on a plan the RTRW
        barely covers would judge nothing (another kabupaten's layer, a wrong CRS).
    """
    pct = 100.0 * (1.0 - outside_ha / area_ha) if area_ha > 0 else 0.0

    def figures(lang: str) -> dict[str, str]:
        return {"pct": format_number(pct, 1, lang), "covered": format_number(area_ha - outside_ha, 0, lang),
                "total": format_number(area_ha, 0, lang), "ambang": format_number(th.min_cakupan_rtrw_pct, 0, lang),
                "luar": format_number(outside_ha, 0, lang)}

    if pct < th.min_cakupan_rtrw_pct:
        raise CoverageError(" / ".join(t("rtrw_coverage_low", lang, **figures(lang)) + "." for lang in ("id", "en")))
    if pct < _PARTIAL_COVER_PCT:
        message = Message(*(t("rtrw_coverage_partial", lang, **figures(lang)) for lang in LANGUAGES))
        # the result carries it (info["peringatan"]) and every command prints it from there:
        # a logged warning as well showed it twice
        log.info("%s", message)
        return pct, [message]
    return pct, []


def _overlap_ha(rtrw: gpd.GeoDataFrame) -> float:
    """Hectares of the RTRW layer covered by two or more zones, over the whole layer, counted once.

    Every zone counts, not only the ones near a kawasan: the figure describes the layer (the
    data standard wants none), and one that moved with the plan would describe nothing.
    """
    geoms = np.asarray(rtrw.geometry.array, dtype=object)
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    i, j = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = i < j
    if not keep.any():
        return 0.0
    both = polygonal(shapely.intersection(geoms[i[keep]], geoms[j[keep]]))
    both = both[shapely.area(both) > 0]
    return float(shapely.area(shapely.union_all(both))) / M2_PER_HA if len(both) else 0.0


def _validate_check(plan: Plan, rtrw: gpd.GeoDataFrame, villages: gpd.GeoDataFrame, itbx: ItbxMatrix) -> None:
    problems: list[str] = []
    if not isinstance(rtrw, gpd.GeoDataFrame) or rtrw.crs is None:
        raise CRSError("the RTRW layer must be a GeoDataFrame with a CRS (kawasan_gis.io.read_class_layer).")
    crs = plan.kawasan.crs
    if rtrw.crs != crs:
        raise CRSError(
            f"the RTRW layer is in {rtrw.crs.to_string()}, the plan in {crs.to_string()}; "
            "read it with kawasan_gis.io.read_class_layer(..., working_crs=villages.crs)."
        )
    if villages.crs != crs:
        raise CRSError(f"the villages are in {villages.crs.to_string()}, the plan in {crs.to_string()}.")
    if "kelas" not in rtrw.columns:
        raise FieldError("the RTRW layer has no 'kelas' column of standard pola ruang codes; add it with kawasan_gis.vocab.apply_mapping(rtrw, kind='rtrw').")
    kelas = rtrw["kelas"]
    if kelas.isna().any():
        problems.append(f"{int(kelas.isna().sum())} RTRW polygon(s) have no kelas (rows {', '.join(map(str, np.flatnonzero(kelas.isna())[:10]))}); "
                        "map or drop them before checking")
    keys = set(kelas.dropna())
    if ITBX_KEY in rtrw.columns:
        keys |= {part for k in rtrw[ITBX_KEY].dropna() for part in str(k).split(COMBINED_SEP)}
    unknown = sorted(keys - set(itbx.classes))
    if unknown:
        problems.append(f"kelas not in the ITBX matrix: {', '.join(map(str, unknown))} (known: {', '.join(itbx.classes)})")
    missing_pot = sorted(set(plan.kawasan["potensi"]) - set(itbx.potentials))
    if missing_pot:
        problems.append(f"potensi without an ITBX row: {', '.join(missing_pot)}; add [matrix.<potensi>] to the ITBX file (--matrix)")
    if problems:
        raise FieldError("Rencana tidak dapat diperiksa terhadap lapisan RTRW ini / Cannot check the plan against this RTRW layer.", problems=problems)


def check_plan(
    plan: Plan,
    rtrw: gpd.GeoDataFrame,
    *,
    villages: gpd.GeoDataFrame | None = None,
    itbx: ItbxMatrix | None = None,
    lp2b: gpd.GeoDataFrame | None = None,
    hazard: gpd.GeoDataFrame | None = None,
    include_conditional_conflicts: bool = True,
    thresholds: Thresholds | Mapping[str, float] | None = None,
    bridges: pd.DataFrame | Iterable[tuple[str, str]] | None = None,
    config: CheckConfig | None = None,
    lang: Literal["id", "en"] = "id",
    partition: gpd.GeoDataFrame | None = None,
) -> CheckResult:
    """Check a plan against the RTRW pola ruang (ITBX) and the rules for kawasan perdesaan.

    Parameters
    ----------
    plan : Plan
        From :func:`read_plan`.
    rtrw : GeoDataFrame
        Pola ruang polygons with a ``kelas`` column of standard codes
        (:func:`kawasan_gis.vocab.apply_mapping`), in the plan's CRS. Overlapping zones are
        resolved first with :func:`kawasan_gis.overlay.resolve_overlaps` (lindung wins).
    villages : GeoDataFrame, optional
        The whole village layer (default the one the plan was read with): names the villages
        conflicts fall in and gives the contiguity graph with its island bridges.
    itbx : ItbxMatrix, optional
        Default :func:`kawasan_gis.vocab.load_itbx`.
    lp2b, hazard : GeoDataFrame, optional
        Overlay polygons (all of each layer is LP2B / high hazard) in the plan's CRS; where
        they overlap a kawasan the status tightens as the ITBX ``overlays`` say.
    include_conditional_conflicts : bool, default True
        Also put B (conditional) areas into ``konflik`` (the default of ``kawasan run`` and
        ``kawasan check`` alike).
    thresholds : Thresholds or mapping, optional
        Verdict thresholds, or a mapping of the ones to change (keys as in ``[verdict]`` of
        ``data/check.toml``).
    bridges : DataFrame or iterable of (kode, kode), optional
        Extra village pairs to treat as neighbours (a DataFrame with ``from_kode`` and
        ``to_kode``, such as the ``sambungan`` layer of a proposal). The island bridges of
        :func:`kawasan_gis.regionalize.contiguity` on ``villages`` are always allowed.
    config : CheckConfig, optional
        Default :func:`load_check_config`.
    lang : {"id", "en"}
        Language of rule messages and class names.
    partition : GeoDataFrame, optional
        The whole of ``rtrw`` resolved by :func:`kawasan_gis.overlay.resolve_overlaps` with
        :func:`~kawasan_gis.overlay.default_priority` (``"rtrw"``), as
        :func:`kawasan_gis.pipeline.run` shares it with the indicators: its pieces are used as
        they are, and the layer's overlap area is the area of its ``overlap`` pieces. By default
        the zones meeting the plan are resolved here and the overlap area is measured on ``rtrw``.

    Returns
    -------
    CheckResult

    Raises
    ------
    CRSError, FieldError, GeometryError, ConfigError
        Layers in another CRS, a missing or unmapped ``kelas``, potentials or classes the
        ITBX matrix lacks, bad thresholds.
    """
    check_lang(lang)
    cfg = config if config is not None else load_check_config()
    th = thresholds if isinstance(thresholds, Thresholds) else cfg.thresholds
    if isinstance(thresholds, Mapping):
        problems: list[str] = []
        th = merge_thresholds(cfg.thresholds, thresholds, "thresholds", problems)
        if problems:
            raise ConfigError("Ambang tidak sah / Invalid thresholds.", problems=problems)
    itbx = itbx if itbx is not None else load_itbx()
    villages = plan.villages if villages is None else villages
    _validate_check(plan, rtrw, villages, itbx)
    crs = plan.kawasan.crs
    overlays = {"lp2b": overlay_parts(lp2b, "LP2B", crs), "rawan_bencana": overlay_parts(hazard, "hazard", crs)}

    key = ITBX_KEY if ITBX_KEY in rtrw.columns else "kelas"
    if partition is not None:
        if "overlap" not in partition.columns or partition.crs != rtrw.crs:
            raise FieldError("partition: give the RTRW layer resolved by kawasan_gis.overlay.resolve_overlaps, in the layer's CRS (its 'overlap' column marks the overlapped pieces).")
        zones = partition
        zg = np.asarray(zones.geometry.array, dtype=object)
        # (nothing to resolve here: a plan the zones miss stops at the cover check below)
        # the resolved pieces are disjoint and the overlapped ones are flagged: their area is the
        # layer's overlap, counted once (what _overlap_ha measures on the raw layer)
        overlap_ha = float(shapely.area(zg[zones["overlap"].to_numpy(dtype=bool)]).sum()) / M2_PER_HA
    else:
        # Only zones meeting a kawasan can matter; resolving overlaps on them alone gives the same
        # pieces there (ranks use whole-polygon areas and row order, both kept), at a fraction of the cost.
        rgeoms = np.asarray(rtrw.geometry.array, dtype=object)
        near = np.unique(shapely.STRtree(rgeoms).query(np.asarray(plan.kawasan.geometry.array, dtype=object), predicate="intersects")[1])
        if len(near) == 0:  # nothing to overlay: stop before resolving an empty set of zones
            _rtrw_cover(float(plan.kawasan["luas_ha"].sum()), float(plan.kawasan["luas_ha"].sum()), th)
        # A combined class ("Cagar Alam/Kawasan Tanaman Pangan") is read in the ITBX matrix by the
        # key of its parts (the stricter status of them); its pieces are then shown under kelas,
        # the protected part.
        zones = resolve_overlaps(rtrw.iloc[near][list(dict.fromkeys(["kelas", key, rtrw.geometry.name]))], priority=default_priority("rtrw"))
        overlap_ha = _overlap_ha(rtrw)
    zgeoms = np.asarray(zones.geometry.array, dtype=object)
    zkelas = zones[key].astype(str).to_numpy()
    vocab = load_vocabulary("rtrw")
    # kawasan of whole villages keep their kawasan lindung protected (status L); drawn zones do not
    lindung = tuple(c.code for c in vocab if c.group == "lindung") if plan.whole_villages else ()

    def label(code: str) -> str:
        if code == OUTSIDE_CLASS:
            return t("luar_rtrw", lang)
        return vocab.label(code, lang=lang) if code in vocab else code

    kaw = plan.kawasan.reset_index(drop=True)
    kgeoms = np.asarray(kaw.geometry.array, dtype=object)
    kpot = kaw["potensi"].astype(str).to_numpy()
    kpieces, kshapes = classify_pieces(kgeoms, kpot, zgeoms, zkelas, overlays, itbx, lindung=lindung)
    kpieces["kelas"] = kpieces["kelas"].str.split(COMBINED_SEP).str[0]
    karea = area_columns(shapely.area(kgeoms) / M2_PER_HA, kpieces)
    cover_pct, warnings = _rtrw_cover(float(karea["luas_ha"].sum()), float(karea["ha_outside"].sum()), th)

    desa = plan.members.reset_index(drop=True)
    dgeoms = np.asarray(desa.geometry.array, dtype=object)
    if plan.kind == "polygons" and len(desa):
        pos = {k: i for i, k in enumerate(kaw["kawasan_id"])}
        dgeoms = polygonal(shapely.intersection(dgeoms, kgeoms[[pos[k] for k in desa["kawasan_id"]]]))
    dpot = desa["potensi"].astype(str).to_numpy()
    if all(v is None or len(v) == 0 for v in overlays.values()):  # the villages' table needs areas only
        dpieces = classify_areas(dgeoms, dpot, zgeoms, zkelas, itbx, lindung=lindung)
    else:
        dpieces, _ = classify_pieces(dgeoms, dpot, zgeoms, zkelas, overlays, itbx, lindung=lindung)
    darea = area_columns(shapely.area(dgeoms) / M2_PER_HA, dpieces)

    rules = check_rules(plan, villages, cfg, bridges=bridges, lang=lang)
    kawasan = kaw[["kawasan_id", "nama", "potensi", "n_desa"]].copy()
    kawasan = pd.concat([kawasan, karea], axis=1)
    room = room_shares(kawasan)
    kawasan["ha_ruang_kembang"] = room["ha_ruang_kembang"]
    kawasan["pct_ruang_kembang"] = room["pct_ruang_kembang"]
    kawasan["pct_dasar_zonasi"] = zoning_basis_share(plan, kaw)
    kawasan["verdict"] = verdicts(kawasan, th)
    kawasan["alasan_verdict"] = verdict_reasons(kawasan, th, lang="id")
    kawasan["alasan_verdict_en"] = verdict_reasons(kawasan, th, lang="en")
    kawasan["n_error"] = [int(((rules["kawasan_id"] == k) & (rules["level"] == "error")).sum()) for k in kawasan["kawasan_id"]]
    kawasan["aturan"] = [
        "\n".join(f"[{lv}] {msg}" for lv, msg in rules.loc[rules["kawasan_id"] == k, ["level", "message"]].itertuples(index=False))
        for k in kawasan["kawasan_id"]
    ]
    kawasan = gpd.GeoDataFrame(kawasan, geometry=gpd.GeoSeries(kgeoms, crs=crs), crs=crs)

    base_cols = [c for c in ("kawasan_id", "kode_desa", "nama_desa", "nama_kec", "jenis", "potensi", DASAR_COLUMN) if c in desa.columns]
    desa_out = pd.concat([desa[base_cols], darea], axis=1)
    desa_out = gpd.GeoDataFrame(desa_out, geometry=gpd.GeoSeries(dgeoms, crs=crs), crs=crs)

    per_kelas = class_breakdown(kaw, kpieces, karea, label)
    konflik = conflict_layer(kaw, kpieces, kshapes, villages, include_conditional=include_conditional_conflicts, label=label, crs=crs,
                             lang=lang)
    info = {
        "rtrw_overlap_ha": overlap_ha,
        "n_zones": len(zones),
        "plan": plan.source,
        "lang": lang,
        "cakupan_rtrw_pct": cover_pct,
        "peringatan": warnings,
    }
    return CheckResult(kawasan=kawasan, villages=desa_out, per_class=per_kelas, conflicts=konflik, rules=rules, thresholds=th, info=info)

