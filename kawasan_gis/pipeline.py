"""The whole job, from raw layers to a kawasan plan, its RTRW check, maps and report.

:func:`run` chains the public steps of the package and returns a :class:`RunResult`
holding every layer and table; :func:`write_outputs` writes them into a folder
*atomically*: everything goes to a temporary folder beside the destination and is
moved into place only when complete, so a failed or interrupted run leaves no
half-written results, and the inputs are only ever read.
"""

from __future__ import annotations

import json
import logging
import platform
import shutil
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from kawasan_gis import __version__
from kawasan_gis._atomic import atomic_folder, write_text
from kawasan_gis.config import LayerInput, RunConfig
from kawasan_gis.errors import ClassMappingError, ConfigError, CoverageError, FieldError, RepairWarning
from kawasan_gis.i18n import format_number
from kawasan_gis.io import (
    LayerReport,
    read_layer,
    read_raster,
    read_villages,
    sha256_file,
    write_layers,
)

if TYPE_CHECKING:
    from kawasan_gis.vocab import PotentialCatalogue

log = logging.getLogger(__name__)

Progress = Callable[[str], None]
STUDIO_RECORD = "studio"
"""Sub-folder of a result where ``kawasan studio`` keeps versions and exports (kept across runs)."""


@dataclass
class RunResult:
    """Everything a run produced. Layers are GeoDataFrames in the working CRS.

    ``villages``, ``kawasan``, ``bridges`` and ``masalah`` are written as the layers ``desa``,
    ``kawasan``, ``sambungan`` and ``masalah`` (the planners' names).
    """

    config: RunConfig
    villages: gpd.GeoDataFrame
    kawasan: gpd.GeoDataFrame
    indicators: pd.DataFrame
    scores: pd.DataFrame
    proposal: Any
    check: Any | None
    bridges: gpd.GeoDataFrame
    masalah: gpd.GeoDataFrame
    layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    reports: list[LayerReport] = field(default_factory=list)
    mappings: dict[str, pd.DataFrame] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # judgement warnings (thin evidence, kawasan spanning much of a kabupaten, partial RTRW cover),
    # shown in the terminal and recorded in run.json ("peringatan") and the report
    alerts: list[str] = field(default_factory=list)
    catalogue: PotentialCatalogue | None = None
    centres: CentresResult | None = None

    @property
    def konflik(self) -> gpd.GeoDataFrame | None:
        return None if self.check is None else self.check.konflik


class _Timer:
    def __init__(self, progress: Progress | None) -> None:
        self.timings: dict[str, float] = {}
        self.progress = progress

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        if self.progress is not None:
            self.progress(name)
        t0 = time.perf_counter()
        yield
        self.timings[name] = round(time.perf_counter() - t0, 3)
        log.info("%s: %.2f s", name, self.timings[name])


def _layer_kwargs(spec: LayerInput, working_crs: Any) -> dict[str, Any]:
    return {"layer": spec.layer, "assume_crs": spec.assume_crs, "working_crs": working_crs, "where": spec.where}


def run(config: RunConfig, *, progress: Progress | None = None, check: bool = True, bars: bool = False) -> RunResult:
    """Run the whole pipeline described by ``config`` (nothing is written).

    Parameters
    ----------
    config
        From :func:`kawasan_gis.config.load_config`.
    progress
        Called with the name of each step as it starts (the CLI shows it).
    check
        Check the proposal against the RTRW (when an RTRW layer is given).
    bars
        Progress bars inside the long steps (the CLI turns them on in a terminal).

    Examples
    --------
    >>> from kawasan_gis.config import load_config
    >>> from kawasan_gis.pipeline import run
    >>> result = run(load_config("data/lampung_timur.toml"))  # doctest: +SKIP
    >>> result.kawasan[["kawasan_id", "nama", "n_desa"]].head()  # doctest: +SKIP
    """
    from kawasan_gis.check import check_plan, read_plan
    from kawasan_gis.indicators import build_indicators
    from kawasan_gis.potential import score_potentials, thin_evidence
    from kawasan_gis.regionalize import propose_kawasan
    from kawasan_gis.vocab import apply_mapping, load_itbx, load_potentials

    timer = _Timer(progress)
    inp = config.inputs
    reports: list[LayerReport] = []
    mappings: dict[str, pd.DataFrame] = {}
    layers: dict[str, gpd.GeoDataFrame] = {}
    caught: list[str] = []

    with warnings.catch_warnings(record=True) as recorded:
        warnings.simplefilter("always", RepairWarning)
        with timer.step("membaca desa / reading villages"):
            desa = read_villages(
                inp.villages.path,
                layer=inp.villages.layer,
                assume_crs=inp.villages.assume_crs,
                working_crs=config.project.working_crs,
                where=inp.villages.where,
            )
            reports.append(desa.attrs["kawasan_report"])
            crs = desa.crs

        def class_layer(spec: LayerInput, kind: str, name: str) -> gpd.GeoDataFrame:
            gdf = read_layer(spec.path, kind=kind, **_layer_kwargs(spec, crs))  # type: ignore[arg-type]
            reports.append(gdf.attrs["kawasan_report"])
            template = (config.source.parent if config.source else Path.cwd()) / f"pemetaan_{name}.toml"
            try:
                mapped, mapping = apply_mapping(gdf, kind=kind, column=spec.column, mapping=spec.mapping, template_path=template)
            except ClassMappingError as exc:
                raise ClassMappingError(
                    f"{spec.path}: {exc}\nFill in {template} and name it in the config: "
                    f'[inputs] {"rtrw" if kind == "rtrw" else "landuse"} = {{ path = "...", mapping = "{template.name}" }}',
                    template=str(template),
                ) from None
            mappings[name] = mapping.to_frame()
            return mapped

        rtrw = landuse = None
        with timer.step("membaca lapisan kelas / reading class layers"):
            if inp.rtrw is not None:
                rtrw = class_layer(inp.rtrw, "rtrw", "pola_ruang")
                layers["pola_ruang"] = rtrw
            if inp.landuse is not None:
                landuse = class_layer(inp.landuse, "landuse", "penggunaan_lahan")
                layers["penggunaan_lahan"] = landuse
            raster = None
            if inp.landcover_raster is not None:
                raster = read_raster(inp.landcover_raster.path, assume_crs=inp.landcover_raster.assume_crs)
                reports.append(raster.report())
        lines: dict[str, tuple[gpd.GeoDataFrame, str | None]] = {}
        points: dict[str, tuple[gpd.GeoDataFrame, str | None]] = {}
        with timer.step("membaca garis dan titik / reading lines and points"):
            for name, spec in inp.lines.items():
                gdf = read_layer(spec.path, kind="lines", **_layer_kwargs(spec, crs))
                reports.append(gdf.attrs["kawasan_report"])
                lines[name] = (gdf, spec.by)
            for name, spec in inp.points.items():
                gdf = read_layer(spec.path, kind="points", **_layer_kwargs(spec, crs))
                reports.append(gdf.attrs["kawasan_report"])
                points[name] = (gdf, spec.by)
        overlays = {}
        for key, spec in (("lp2b", inp.lp2b), ("hazard", inp.hazard)):
            if spec is not None:
                gdf = read_layer(spec.path, kind="landuse", **_layer_kwargs(spec, crs))
                reports.append(gdf.attrs["kawasan_report"])
                overlays[key] = gdf
        caught = [str(w.message) for w in recorded if issubclass(w.category, RepairWarning)]
    for w in recorded:  # anything that is not a repair is passed on as it came
        if not issubclass(w.category, RepairWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)

    with timer.step("menghitung indikator / computing indicators"):
        indicators = build_indicators(
            desa,
            landuse=landuse,
            landcover_raster=raster.path if raster is not None else None,
            landcover_codes=inp.landcover_raster.codes if inp.landcover_raster is not None else None,
            rtrw=rtrw,
            lines=lines,
            points=points,
            table=inp.table.path if inp.table is not None else None,
            table_code_column=inp.table.code_column if inp.table is not None else None,
            crosswalk=inp.table.crosswalk if inp.table is not None else None,
            progress=bars,
        )

    with timer.step("menilai potensi / scoring potentials"):
        catalogue = load_potentials(overrides=config.potentials.catalogue)
        scores = score_potentials(
            indicators,
            groups=desa.set_index("kode_desa")["kode_kab"],
            catalogue=catalogue,
            mixed_margin=config.potentials.mixed_margin,
            max_pct_lindung=config.potentials.max_pct_lindung,
            min_weight_share=config.potentials.min_weight_share,
            min_evidence=config.potentials.min_evidence,
            labels={spec.id: spec.label(config.project.lang) for pot in catalogue for spec in pot.indicators},
        )

    thin = thin_evidence(scores)
    if thin:
        log.info("%s", thin)

    with timer.step("mengusulkan kawasan / proposing kawasan"):
        p = config.proposal
        known = scores["potensi_dominan"].notna().to_numpy()
        if not known.any():
            raise FieldError(
                "tidak ada desa dengan potensi pengembangan (data kurang atau kawasan lindung) / no village "
                "has a development potential (too little evidence or kawasan lindung): check that the layers "
                "overlap the villages and that their classes were mapped."
            )
        # a potential not scored for a village (silent) does not pull the clustering either way
        scored = scores.loc[known].fillna({c: 0.0 for c in scores.columns if c.startswith("skor_")})
        proposal = propose_kawasan(
            desa.loc[known],
            scored,
            method=p.method,  # type: ignore[arg-type]
            n_zones=p.n_zones,
            min_villages=p.min_villages,
            max_villages=p.max_villages,
            max_area_ha=p.max_area_ha,
            include_kelurahan=p.include_kelurahan,
            snap=p.snap_m,
            random_state=p.random_state,
            n_perturb=p.n_perturb,
        )
        desa_proposed = _with_unscored(proposal.villages, desa, scores, known)
    span_alerts = span_warnings(proposal.kawasan, proposal.villages, desa, share_pct=p.warn_share_pct)

    checked = None
    kawasan = proposal.kawasan
    if check and rtrw is not None and len(kawasan):
        with timer.step("memeriksa RTRW / checking against RTRW"):
            members = proposal.villages.loc[proposal.villages["kawasan_id"].notna(), ["kode_desa", "kawasan_id", "dasar"]]
            zone_potential = proposal.kawasan.set_index("kawasan_id")["potensi"]
            table_plan = pd.DataFrame(members).assign(potensi=members["kawasan_id"].map(zone_potential))
            plan = read_plan(table_plan, desa, potentials=catalogue)
            try:
                checked = check_plan(
                    plan,
                    rtrw,
                    villages=proposal.villages,
                    itbx=load_itbx(overrides=config.check.matrix),
                    lp2b=overlays.get("lp2b"),
                    hazard=overlays.get("hazard"),
                    include_conditional_conflicts=config.check.conditional_conflicts,
                    thresholds=config.check.thresholds(),
                    bridges=proposal.bridges,
                    lang=config.project.lang,  # type: ignore[arg-type]
                )
            except CoverageError as exc:
                raise CoverageError(f"{inp.rtrw.path}: {exc}") from None  # type: ignore[union-attr]
            summary_cols = [c for c in checked.kawasan.columns if c.startswith(("ha_", "pct_")) or c in ("verdict", "alasan_verdict", "alasan_verdict_en", "aturan")]
            kawasan = kawasan.merge(pd.DataFrame(checked.kawasan[["kawasan_id", *summary_cols]]), on="kawasan_id", how="left")

    desa_out = desa_proposed.merge(indicators.drop(columns=["luas_ha"], errors="ignore"), left_on="kode_desa", right_index=True, how="left")
    centres = None
    if config.centres.enabled or inp.centres is not None or inp.idm is not None:
        with timer.step("pusat kawasan dan profil / centres and profile"):
            designated = None
            if inp.centres is not None:
                designated = read_layer(inp.centres.path, kind="points", **_layer_kwargs(inp.centres, crs))
                reports.append(designated.attrs["kawasan_report"])
            centres = centres_and_profile(
                config, desa_out, kawasan, indicators=indicators, scores=scores, points=points, lines=lines,
                designated=designated, check=checked,
            )  # fmt: skip
            desa_out = desa_out.merge(centres.desa, left_on="kode_desa", right_index=True, how="left")
            kawasan = kawasan.merge(centres.kawasan, on="kawasan_id", how="left")
    masalah = _problems(desa)
    return RunResult(
        config=config,
        villages=desa_out,
        kawasan=kawasan,
        indicators=indicators,
        scores=scores,
        proposal=proposal,
        check=checked,
        bridges=proposal.bridges,
        masalah=masalah,
        layers=layers,
        reports=reports,
        mappings=mappings,
        missing={f"masukan.{name}": "tidak diberikan / not given" for name in indicators.attrs.get("missing", [])}
        | dict(scores.attrs.get("missing", {})),
        timings=timer.timings,
        warnings=caught,
        alerts=([thin] if thin else []) + span_alerts + (list(checked.info["peringatan"]) if checked is not None else []),
        catalogue=catalogue,
        centres=centres,
    )


def span_warnings(kawasan: pd.DataFrame, members: pd.DataFrame, villages: pd.DataFrame, *, share_pct: float) -> list[str]:
    """A warning (id / en) for each kawasan holding more than ``share_pct`` % of its kabupaten's
    villages or area, or twice that of its kecamatan: such a kawasan is a region, not a kawasan
    perdesaan.

    ``members`` are the villages with their ``kawasan_id``; ``villages`` the whole layer
    (``kode_desa``, ``kode_kab``, ``kode_kec``, ``luas_ha``), whose kabupaten give the totals.
    """
    inside = members[members["kawasan_id"].notna()]
    if inside.empty:
        return []
    area = villages["luas_ha"].astype(float)
    totals = pd.DataFrame({"desa": villages.groupby("kode_kab").size(), "ha": area.groupby(villages["kode_kab"]).sum(),
                           "kec": villages.groupby("kode_kab")["kode_kec"].nunique()})
    mine = pd.DataFrame({"desa": inside.groupby("kawasan_id").size(),
                         "ha": inside["luas_ha"].astype(float).groupby(inside["kawasan_id"]).sum(),
                         "kec": inside.groupby("kawasan_id")["kode_kec"].nunique(),
                         "kab": inside.groupby("kawasan_id")["kode_kab"].first()})
    out = []
    for kawasan_id, row in mine.reindex(list(kawasan["kawasan_id"])).dropna(subset=["kab"]).iterrows():
        total = totals.loc[row["kab"]]
        shares = {k: 100 * float(row[k]) / float(total[k]) for k in ("desa", "ha", "kec")}
        # a kabupaten has a few dozen kecamatan at most and a kawasan of a few villages often
        # crosses several of them, so their share is held to twice the limit
        if max(shares["desa"], shares["ha"], shares["kec"] / 2) > share_pct:
            out.append(
                f"kawasan {kawasan_id} mencakup {int(row['desa'])} dari {int(total['desa'])} desa ({shares['desa']:.0f} %), "
                f"{format_number(row['ha'], 0)} dari {format_number(total['ha'], 0)} ha ({shares['ha']:.0f} %) dan {int(row['kec'])} dari {int(total['kec'])} "
                f"kecamatan ({shares['kec']:.0f} %) kabupaten, di atas {share_pct:g} %: ini wilayah, bukan kawasan perdesaan; "
                "batasi dengan [proposal] max_villages / max_area_ha / "
                f"kawasan {kawasan_id} holds {int(row['desa'])} of {int(total['desa'])} villages ({shares['desa']:.0f} %), "
                f"{format_number(row['ha'], 0, 'en')} of {format_number(total['ha'], 0, 'en')} ha ({shares['ha']:.0f} %) and {int(row['kec'])} of {int(total['kec'])} "
                f"kecamatan ({shares['kec']:.0f} %) of its kabupaten, above {share_pct:g} %: a region, not a kawasan perdesaan; "
                "limit it with [proposal] max_villages / max_area_ha"
            )
    for message in out:
        log.warning(message)
    return out


NO_EVIDENCE = "tidak ada data untuk menilai potensi / no data to score any potential"


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
    pusat : GeoDataFrame
        The ``pusat`` layer (one point per centre).
    desa, kawasan : DataFrame
        The columns added to the ``desa`` and ``kawasan`` layers.
    sources : dict
        What fed the hierarchy, the centres and every pillar (for run.json and the report).
    """

    hierarchies: dict[str, Any]
    counts: pd.DataFrame | None
    centres: Any
    profile: Any
    pusat: gpd.GeoDataFrame
    desa: pd.DataFrame
    kawasan: pd.DataFrame
    sources: dict[str, Any]


_CULTURE_CLASSES = ("pariwisata", "cagar_budaya", "taman_wisata_alam")


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
            cols[name] = f"tbl_{name}"
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
) -> CentresResult:
    """Hierarchy per kabupaten, centre of every kawasan and its four-pillar profile, from the run's layers."""
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
        network = C.road_network(lines[opt.roads][0], snap_m=opt.snap_m)
        sources["pusat"]["jalan"] = (
            f"{opt.roads}: {network.n_nodes} simpul / nodes, {len(network.edges)} ruas / pieces, "
            f"{network.n_components} komponen / components ({100 * network.largest_share:.0f} % in the largest), "
            f"{network.n_snapped} ujung disambung / ends snapped within {opt.snap_m:g} m"
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
        if name is not None and f"km_per_km2_{name}" in indicators.columns:
            ev[col] = indicators[f"km_per_km2_{name}"].reindex(ev.index).to_numpy()
    ev["jarak_pusat_km"] = centres.desa["jarak_pusat_km"].reindex(ev.index).to_numpy()
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
    if check is not None:
        kaw_ev["pct_X"] = check.kawasan.set_index("kawasan_id")["pct_X"]
        lindung = {c.code for c in load_vocabulary("rtrw") if c.group == "lindung"}
        pk = check.per_kelas
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
    desa_cols["skor_pusat"] = centres.desa["skor_pusat"]
    desa_cols["jarak_pusat_km"] = centres.desa["jarak_pusat_km"]
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
    return CentresResult(
        hierarchies=hierarchies, counts=counts, centres=centres, profile=profile, pusat=centres.pusat,
        desa=desa_cols, kawasan=kaw_cols, sources=sources,
    )  # fmt: skip


def _with_unscored(proposed: gpd.GeoDataFrame, desa: gpd.GeoDataFrame, scores: pd.DataFrame, known: Any) -> gpd.GeoDataFrame:
    """Villages with no evidence for any potential, put back (outside every kawasan) in input order."""
    if known.all():
        return proposed
    rest = desa.loc[~known].merge(scores.loc[~known], left_on="kode_desa", right_index=True, how="left")
    why = rest["alasan_potensi"] if "alasan_potensi" in rest.columns else pd.Series("", index=rest.index)
    rest = rest.assign(kawasan_id=None, alasan_tidak_masuk=why.where(why.astype(bool), NO_EVIDENCE))
    out = pd.concat([proposed, rest[[c for c in proposed.columns if c in rest.columns]]])
    order = pd.Series(range(len(desa)), index=desa["kode_desa"].to_numpy())
    out = out.iloc[order.reindex(out["kode_desa"].to_numpy()).argsort(kind="stable").to_numpy()]
    return gpd.GeoDataFrame(out.reset_index(drop=True), geometry=proposed.geometry.name, crs=proposed.crs)


def _problems(desa: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The `masalah` layer: gaps and overlaps between villages (input problems with a place)."""
    cov = desa.attrs.get("kawasan_coverage")
    if cov is None or cov.empty:
        return gpd.GeoDataFrame({"masalah": [], "luas_ha": [], "desa": []}, geometry=[], crs=desa.crs)
    return cov


# --------------------------------------------------------------------------- writing


def input_checksums(config: RunConfig) -> dict[str, str]:
    """SHA-256 of every input file (shapefile sidecars included)."""
    paths: list[Path] = []
    inp = config.inputs
    for spec in [inp.villages, inp.rtrw, inp.landuse, inp.landcover_raster, inp.lp2b, inp.hazard, inp.centres, *inp.lines.values(), *inp.points.values()]:
        if spec is not None:
            paths.append(spec.path)
            if spec.path.suffix.lower() == ".shp":
                paths += sorted(p for p in spec.path.parent.glob(spec.path.stem + ".*") if p != spec.path)
    for table in (inp.table, inp.idm):
        if table is not None:
            paths += [p for p in (table.path, table.crosswalk) if p is not None]
    mappings = [spec.mapping for spec in (inp.rtrw, inp.landuse) if spec is not None]
    for extra in (*mappings, config.potentials.catalogue, config.check.matrix, config.source):
        if extra is not None:
            paths.append(extra)
    return {str(p): sha256_file(p) for p in dict.fromkeys(paths) if p.exists()}


def versions() -> dict[str, str]:
    """Versions of kawasan_gis and the libraries that shape its numbers."""
    import folium
    import numpy
    import pyogrio
    import pyproj
    import rasterio
    import shapely
    import sklearn

    return {
        "kawasan_gis": __version__,
        "python": platform.python_version(),
        "geopandas": gpd.__version__,
        "shapely": shapely.__version__,
        "geos": shapely.geos_version_string,
        "pyogrio": pyogrio.__version__,
        "gdal": pyogrio.__gdal_version_string__,
        "pyproj": pyproj.__version__,
        "proj": pyproj.proj_version_str,
        "rasterio": rasterio.__version__,
        "numpy": numpy.__version__,
        "pandas": pd.__version__,
        "scikit-learn": sklearn.__version__,
        "folium": folium.__version__,
    }


def _jsonable(obj: Any) -> Any:
    if is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _jsonable(getattr(obj, f.name)) for f in fields(obj)}
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, Path):
        return str(obj)
    return obj


# Shapefile field names are limited to 10 characters; these are the documented short names.
SHP_FIELDS = {
    "kode_desa": "KODE_DESA",
    "nama_desa": "NAMA_DESA",
    "kode_kec": "KODE_KEC",
    "nama_kec": "NAMA_KEC",
    "kode_kab": "KODE_KAB",
    "nama_kab": "NAMA_KAB",
    "jenis": "JENIS",
    "luas_ha": "LUAS_HA",
    "kawasan_id": "KAWASAN",
    "potensi_dominan": "POTENSI",
    "margin": "MARGIN",
    "campuran": "CAMPURAN",
    "dasar": "DASAR",
    "nama": "NAMA",
    "potensi": "POTENSI",
    "n_desa": "N_DESA",
    "kecamatan": "KECAMATAN",
    "verdict": "VERDIK",
    "pct_I": "PCT_I",
    "pct_T": "PCT_T",
    "pct_B": "PCT_B",
    "pct_X": "PCT_X",
    "pct_outside": "PCT_LUAR",
    "kekompakan": "KOMPAK",
    "stabilitas": "STABIL",
}


def shapefile_fields(columns: list[str]) -> dict[str, str]:
    """Map column names to unique ≤10-character Shapefile names (documented ones first)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for col in columns:
        base = SHP_FIELDS.get(col)
        if base is None:
            short = col.replace("skor_", "S_").replace("pct_", "P_").replace("ha_", "H_")
            base = short.upper()[:10]
        name, k = base[:10], 1
        while name in used:
            suffix = str(k)
            name = base[: 10 - len(suffix)] + suffix
            k += 1
        used.add(name)
        out[col] = name
    return out


SHP_TEXT_MAX = 254


def _shapefile_text(gdf: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, dict[str, int]]:
    """Cut text longer than a Shapefile field holds, visibly ("..."), and count the cuts per column."""
    out = gdf.copy()
    cut: dict[str, int] = {}
    for col in out.columns:
        if col == out.geometry.name or not (out[col].dtype == object or pd.api.types.is_string_dtype(out[col])):
            continue
        # the limit is in bytes of UTF-8
        too_long = out[col].map(lambda v: isinstance(v, str) and len(v.encode()) > SHP_TEXT_MAX).to_numpy(dtype=bool)
        if too_long.any():
            cut[col] = int(too_long.sum())
            short = [v.encode()[: SHP_TEXT_MAX - 4].decode(errors="ignore") + " ..." for v in out.loc[too_long, col]]
            out.loc[too_long, col] = short
    return out, cut


def _plain(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A copy fit for file formats: no attrs, no object columns holding lists or None-only."""
    out = gdf.copy()
    out.attrs = {}
    for col in out.columns:
        if col != out.geometry.name and out[col].dtype == object:
            out[col] = out[col].map(lambda v: v if v is None or isinstance(v, (str, int, float, bool)) else str(v))
    return out


def write_outputs(result: RunResult, out_dir: str | Path, *, maps: bool = True) -> Path:
    """Write every output of ``result`` into ``out_dir``, atomically.

    All files are written into a temporary folder next to ``out_dir``; only when all are
    written does it replace ``out_dir``. An exception (or Ctrl-C) on the way leaves the
    previous ``out_dir`` untouched and no temporary folder behind. The record the studio keeps
    in ``out_dir/studio/`` (plan versions and exports agreed on) is carried over into the new
    folder: a new run replaces the run's files, never that record.
    """
    with atomic_folder(out_dir) as tmp:
        _write_all(result, tmp, maps=maps)
        record = Path(out_dir) / STUDIO_RECORD
        if record.is_dir():
            # copied, not moved: until the new folder is in place the old one stays whole
            shutil.copytree(record, tmp / STUDIO_RECORD, symlinks=True, ignore=shutil.ignore_patterns(".cache"))
    return Path(out_dir).resolve()


def write_proposal(result: RunResult, out_dir: str | Path) -> Path:
    """Write the proposal only: ``kawasan.gpkg`` (desa, kawasan, sambungan) and ``kawasan.csv``."""
    with atomic_folder(out_dir) as tmp:
        write_layers(tmp / "kawasan.gpkg", {"desa": _plain(result.villages), "kawasan": _plain(result.kawasan), "sambungan": _plain(result.bridges)})
        pd.DataFrame(result.kawasan.drop(columns=result.kawasan.geometry.name)).to_csv(tmp / "kawasan.csv", index=False)
    return Path(out_dir).resolve()


def _write_all(result: RunResult, folder: Path, *, maps: bool) -> None:
    cfg = result.config
    t0 = time.perf_counter()
    desa = _plain(result.villages)
    kawasan = _plain(result.kawasan)
    layers: dict[str, gpd.GeoDataFrame] = {"desa": desa, "kawasan": kawasan, "sambungan": _plain(result.bridges), "masalah": _plain(result.masalah)}
    if result.check is not None:
        layers["konflik"] = _plain(result.check.konflik)
    if result.centres is not None:
        layers["pusat"] = _plain(result.centres.pusat)
    for name, gdf in result.layers.items():
        layers[name] = _plain(gdf[[c for c in ("kelas", "kelas_raw") if c in gdf.columns] + [gdf.geometry.name]])
    write_layers(folder / "kawasan.gpkg", layers)

    desa_table = pd.DataFrame(desa.drop(columns=desa.geometry.name))
    kawasan_table = pd.DataFrame(kawasan.drop(columns=kawasan.geometry.name))
    kawasan_table.to_csv(folder / "kawasan.csv", index=False)
    desa_table.to_csv(folder / "desa.csv", index=False)
    if cfg.outputs.xlsx:
        with pd.ExcelWriter(folder / "kawasan.xlsx") as xl:
            kawasan_table.to_excel(xl, sheet_name="kawasan", index=False)
            desa_table.to_excel(xl, sheet_name="desa", index=False)
            if result.check is not None:
                pd.DataFrame(result.check.konflik.drop(columns="geometry")).to_excel(xl, sheet_name="konflik", index=False)
                result.check.rules.to_excel(xl, sheet_name="aturan", index=False)
            pd.DataFrame(result.masalah.drop(columns="geometry")).to_excel(xl, sheet_name="masalah", index=False)
            for name, table in result.mappings.items():
                table.to_excel(xl, sheet_name=f"kelas_{name}"[:31], index=False)
            if result.centres is not None:
                for sheet, table in centre_tables(result).items():
                    table.to_excel(xl, sheet_name=sheet, index=False)
    if cfg.outputs.geojson:
        for name in ("desa", "kawasan"):
            layers[name].to_crs(4326).to_file(folder / f"{name}.geojson", driver="GeoJSON", engine="pyogrio")
    if cfg.outputs.kml:
        k = kawasan.to_crs(4326)
        k = k.rename(columns={"nama": "Name"})
        k["Description"] = [f"{r.potensi}; {r.n_desa} desa; {r.luas_ha:,.0f} ha" for r in k.itertuples()]
        k[["Name", "Description", k.geometry.name]].to_file(folder / "kawasan.kml", driver="KML", engine="pyogrio")
    if cfg.outputs.shapefile:
        shp = folder / "shp"
        shp.mkdir()
        rows = []
        for name in ("desa", "kawasan"):
            gdf, cut = _shapefile_text(layers[name])
            names = shapefile_fields([c for c in gdf.columns if c != gdf.geometry.name])
            gdf.rename(columns=names).to_file(shp / f"{name}.shp", engine="pyogrio", encoding="UTF-8")
            rows += [
                {"lapisan": name, "kolom": k, "shapefile": v, "catatan": f"{cut[k]} nilai dipotong di 254 karakter / values cut at 254 characters; lengkap di {name}.csv" if k in cut else ""}
                for k, v in names.items()
            ]
        pd.DataFrame(rows).to_csv(shp / "FIELDS.csv", index=False)
    timings = dict(result.timings)
    timings["menulis tabel dan lapisan / writing tables and layers"] = round(time.perf_counter() - t0, 3)

    if maps:
        t1 = time.perf_counter()
        _write_maps(result, folder)
        timings["peta dan laporan / maps and report"] = round(time.perf_counter() - t1, 3)

    run_info = {
        "kawasan_gis": __version__,
        "waktu": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "versions": versions(),
        "config": _jsonable(asdict(cfg)),
        "input_sha256": input_checksums(cfg),
        "timings_s": timings,
        "counts": {
            "desa": int(len(result.villages)),
            "kawasan": int(len(result.kawasan)),
            "desa_dalam_kawasan": int(result.villages["kawasan_id"].notna().sum()),
            "sambungan": int(len(result.bridges)),
            "konflik": int(len(result.check.konflik)) if result.check is not None else 0,
        },
        "indikator_hilang": result.missing,
        "perbaikan": result.warnings,
        "peringatan": result.alerts,
        "kualitas": _jsonable(getattr(result.proposal, "quality", {})),
        "pusat_dan_profil": _jsonable(result.centres.sources) if result.centres is not None else None,
    }
    write_text(folder / "run.json", json.dumps(run_info, indent=2, ensure_ascii=False, default=str))


def centre_tables(result: RunResult) -> dict[str, pd.DataFrame]:
    """The tables planners present: the sorted scalogram, the centrality table, centres and profile.

    ``skalogram``: per kabupaten, villages sorted by number of facility types and types by
    how common they are (as in an RPKP document), 1/0 per type, the row's errors, then the
    COR/CS rows. ``sentralitas``: units per type, the Marshall weight C_j in the first row,
    the index and the order. ``pusat``: one row per centre. ``profil``: pillars and their
    components per kawasan.
    """
    from kawasan_gis.centres import COR_ACCEPTED, CS_ACCEPTED

    cr = result.centres
    assert cr is not None
    names = result.villages.set_index("kode_desa")["nama_desa"]
    kaw = result.villages.set_index("kode_desa")["kawasan_id"]
    out: dict[str, pd.DataFrame] = {}
    scalo, central = [], []
    for kab, h in cr.hierarchies.items():
        sc = h.scalogram
        t = sc.table.copy()
        t.insert(0, "kode_desa", t.index)
        t.insert(1, "nama_desa", t.index.map(names))
        t.insert(2, "kawasan_id", t.index.map(kaw))
        t.insert(0, "kode_kab", kab)
        t["indeks_sentralitas"] = h.table["indeks_sentralitas"].reindex(t.index).to_numpy()
        t["orde"] = h.table["orde_romawi"].reindex(t.index).to_numpy()
        totals = {"kode_kab": kab, "nama_desa": "jumlah desa yang memiliki / villages having", **{c: int(sc.table[c].sum()) for c in sc.table.columns[: sc.n_types]}}
        summary = [
            totals,
            {"kode_kab": kab, "nama_desa": "kesalahan / errors", "kesalahan": sc.errors},
            {"kode_kab": kab, "nama_desa": f"COR = 1 - e/(N x K) (diterima >= {COR_ACCEPTED})", "kesalahan": sc.cor},
            {"kode_kab": kab, "nama_desa": "COR' = (T - e)/T", "kesalahan": sc.cor_present},
            {"kode_kab": kab, "nama_desa": "MMR", "kesalahan": sc.mmr},
            {"kode_kab": kab, "nama_desa": f"CS = (COR - MMR)/(1 - MMR) (diterima >= {CS_ACCEPTED})", "kesalahan": sc.cs},
            {"kode_kab": kab, "nama_desa": sc.verdict(result.config.project.lang)},
        ]
        scalo.append(pd.concat([t.reset_index(drop=True), pd.DataFrame(summary)], ignore_index=True))
        counts = cr.counts.loc[h.table.index] if cr.counts is not None else pd.DataFrame(index=h.table.index)
        c = counts.copy()
        c.insert(0, "kode_desa", c.index)
        c.insert(1, "nama_desa", c.index.map(names))
        c.insert(0, "kode_kab", kab)
        for col in ("indeks_sentralitas", "orde_romawi", "peringkat"):
            c[col] = h.table[col].to_numpy()
        weights = {"kode_kab": kab, "nama_desa": f"bobot C_j = 100 / T_j ({h.centrality.basis})", **h.centrality.weights.to_dict()}
        central.append(pd.concat([pd.DataFrame([weights]), c.reset_index(drop=True)], ignore_index=True))
    if scalo:
        out["skalogram"] = pd.concat(scalo, ignore_index=True)
        out["sentralitas"] = pd.concat(central, ignore_index=True)
    out["pusat"] = pd.DataFrame(cr.pusat.drop(columns=cr.pusat.geometry.name))
    out["profil"] = cr.profile.table.reset_index()
    return out



def _write_maps(result: RunResult, folder: Path) -> None:
    from kawasan_gis.maps import map_kawasan, save_map, static_map
    from kawasan_gis.report import write_report

    cfg = result.config
    lang = cfg.project.lang
    catalogue = result.catalogue
    konflik = result.check.konflik if result.check is not None else None
    m = map_kawasan(
        result.villages,
        kawasan=result.kawasan,
        pola_ruang=result.layers.get("pola_ruang"),
        penggunaan_lahan=result.layers.get("penggunaan_lahan"),
        konflik=konflik,
        sambungan=result.bridges,
        pusat=result.centres.pusat if result.centres is not None else None,
        lang=lang,
        offline=cfg.outputs.offline_map,
        title=cfg.project.name,
        catalogue=catalogue,
    )
    save_map(m, folder / "peta_kawasan.html", offline=cfg.outputs.offline_map)
    png = None
    if cfg.outputs.static_map:
        png = static_map(
            result.villages,
            kawasan=result.kawasan,
            pusat=result.centres.pusat if result.centres is not None else None,
            path=folder / "peta_kawasan.png",
            title=cfg.project.name,
            sources=_sources_text(result),
            lang=lang,
            catalogue=catalogue,
        )
    write_report(
        folder / "laporan.html",
        desa=result.villages,
        kawasan=result.kawasan,
        konflik=konflik,
        layer_reports=result.reports,
        indicator_coverage=_indicator_coverage(catalogue, result.missing),
        params=_jsonable(asdict(cfg)),
        static_map_png=png,
        lang=lang,
        title=cfg.project.name,
        catalogue=catalogue,
        centres=_jsonable(result.centres.sources) if result.centres is not None else None,
        warnings=result.alerts,
    )


def _indicator_coverage(catalogue: Any, missing: dict[str, str]) -> dict[str, str | bool]:
    """Every indicator of the enabled potentials: True when computed, else why not."""
    out: dict[str, str | bool] = {k: v for k, v in missing.items() if k.startswith("masukan.")}
    for pot in catalogue.enabled:
        for spec in pot.indicators:
            key = f"{pot.code}.{spec.id}"
            out[key] = missing.get(key, True)
    return out


def _sources_text(result: RunResult) -> list[str]:
    """The input files (and layers) for the print map's sources line."""
    names = [Path(r.path).name + (f":{r.layer}" if r.layer else "") for r in result.reports]
    return list(dict.fromkeys(names))
