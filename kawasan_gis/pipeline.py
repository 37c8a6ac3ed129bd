"""The whole job, from raw layers to a kawasan plan, its RTRW check, centres and profile.

This module owns the chaining: :func:`run` calls the public steps of the package and returns a
:class:`RunResult` holding every layer and table (nothing is written);
:func:`centres_and_profile` is the centres-and-profile part of it. Writing the result folder
belongs to :mod:`kawasan_gis.outputs`; :func:`write_outputs` and :func:`write_proposal` are
re-exported here so that ``from kawasan_gis.pipeline import run, write_outputs`` keeps working.

Imports every step (io, vocab, overlay, indicators, potential, regionalize, check, centres,
profile) and :mod:`kawasan_gis.outputs`; only :mod:`kawasan_gis.cli` and
:mod:`kawasan_gis.scale` import it.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from kawasan_gis.config import LayerInput, RunConfig, TableInput
from kawasan_gis.errors import ClassMappingError, ConfigError, CoverageError, RepairWarning, ReviewWarning
from kawasan_gis.i18n import Message, Num, message
from kawasan_gis.io import (
    LayerReport,
    read_layer,
    read_raster,
    read_table,
    read_villages,
)
from kawasan_gis.outputs import (
    STUDIO_RECORD,
    centre_tables,
    input_checksums,
    shapefile_fields,
    versions,
    write_outputs,
    write_proposal,
)

if TYPE_CHECKING:
    from kawasan_gis.vocab import PotentialCatalogue

log = logging.getLogger(__name__)

__all__ = [
    "STUDIO_RECORD",
    "CentresResult",
    "RunResult",
    "centre_tables",
    "centres_and_profile",
    "input_checksums",
    "run",
    "shapefile_fields",
    "span_warnings",
    "versions",
    "write_outputs",
    "write_proposal",
]

Progress = Callable[[str], None]


@dataclass
class RunResult:
    """Everything a run produced. Layers are GeoDataFrames in the working CRS.

    ``villages``, ``kawasan``, ``bridges`` and ``problems`` are written as the layers ``desa``,
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
    problems: gpd.GeoDataFrame
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
    def conflicts(self) -> gpd.GeoDataFrame | None:
        """The check's conflicts (the ``konflik`` layer); None without a check."""
        return None if self.check is None else self.check.conflicts


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


def run(
    config: RunConfig,
    *,
    progress: Progress | None = None,
    check: bool = True,
    bars: bool = False,
    template_dir: str | Path | None = None,
) -> RunResult:
    """Run the whole pipeline described by ``config``; nothing is written unless ``template_dir`` is given.

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
    template_dir
        Where to write a class-mapping template, ``pemetaan_<layer>.toml``, when values of the
        RTRW or land-use layer cannot be matched (``kawasan run`` gives the config's folder);
        that file, written before the :class:`~kawasan_gis.errors.ClassMappingError`, is the
        only thing ``run`` ever writes. ``None``: nothing is written and the error says how to
        make the template.

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
    from kawasan_gis.vocab import apply_mapping, load_itbx, load_potentials, review_message

    timer = _Timer(progress)
    inp = config.inputs
    reports: list[LayerReport] = []
    mappings: dict[str, pd.DataFrame] = {}
    layers: dict[str, gpd.GeoDataFrame] = {}
    caught: list[str] = []
    review: list[str] = []  # pola ruang classes matched by spelling similarity, for the planner to confirm

    with warnings.catch_warnings(record=True) as recorded:
        warnings.simplefilter("always", RepairWarning)
        # recorded here and reported once per layer, with its file, in the run's alerts (below)
        warnings.simplefilter("always", ReviewWarning)
        with timer.step("membaca desa / reading villages"):
            desa = read_villages(
                inp.villages.path,
                layer=inp.villages.layer,
                assume_crs=inp.villages.assume_crs,
                working_crs=config.project.working_crs,
                where=inp.villages.where,
                **inp.villages.village_columns(),
            )
            reports.append(desa.attrs["kawasan_report"])
            crs = desa.crs

        def class_layer(spec: LayerInput, kind: str, name: str) -> gpd.GeoDataFrame:
            gdf = read_layer(spec.path, kind=kind, **_layer_kwargs(spec, crs))  # type: ignore[arg-type]
            reports.append(gdf.attrs["kawasan_report"])
            template = Path(template_dir) / f"pemetaan_{name}.toml" if template_dir is not None else None
            try:
                mapped, mapping = apply_mapping(gdf, kind=kind, column=spec.column, mapping=spec.mapping, template_path=template)
            except ClassMappingError as exc:
                key = "rtrw" if kind == "rtrw" else "landuse"
                if template is None:
                    fix = (
                        f"buat templat pemetaan dengan / make a mapping template with: "
                        f"kawasan classes {spec.path} --kind {kind} --write-template pemetaan_{name}.toml"
                    )
                else:
                    fix = f"Lengkapi / fill in {template}"
                raise ClassMappingError(
                    f"{spec.path}: {exc}\n{fix} lalu sebut di konfigurasi / and name it in the config: "
                    f'[inputs] {key} = {{ path = "...", mapping = "pemetaan_{name}.toml" }}',
                    template=str(template) if template is not None else None,
                ) from None
            mappings[name] = mapping.to_frame()
            if kind == "rtrw" and mapping.fuzzy:
                review.append(f"{spec.path}: {review_message(mapping)}")
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
        # a repair's message is kept as given (a Message in both languages, shown in the run's)
        caught = [w.message.args[0] if w.message.args and isinstance(w.message.args[0], Message) else str(w.message)  # type: ignore[union-attr]
                  for w in recorded if issubclass(w.category, RepairWarning)]

    for w in recorded:  # anything but a repair or a review (both in the result) is passed on as it came
        if not issubclass(w.category, (RepairWarning, ReviewWarning)):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)

    with timer.step("menghitung indikator / computing indicators"):
        indicators = build_indicators(
            desa,
            landuse=landuse,
            landcover_raster=raster.path if raster is not None else None,
            landcover_codes=inp.landcover_raster.codes if inp.landcover_raster is not None else None,
            rtrw=rtrw,
            # indicator columns are named by the role each input plays for the catalogue
            lines={inp.role_of("lines", name): layer for name, layer in lines.items()},
            points={inp.role_of("points", name): layer for name, layer in points.items()},
            table=_table_by_role(inp.table) if inp.table is not None else None,
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
            lang=config.project.lang,
        )

    thin = thin_evidence(scores)
    if thin:
        log.info("%s", thin)

    with timer.step("mengusulkan kawasan / proposing kawasan"):
        p = config.proposal
        # villages without a dominant potential stay out of every kawasan, with their reason
        proposal = propose_kawasan(
            desa,
            scores,
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
        desa_proposed = proposal.villages.reset_index(drop=True)
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
                    # the villages the proposal was built from: a village left out for want of a
                    # potential is named in no conflict of a kawasan it merely overlaps by a sliver
                    villages=proposal.villages[proposal.villages["potensi_dominan"].notna()],
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
            desa_out = desa_out.merge(centres.villages, left_on="kode_desa", right_index=True, how="left")
            kawasan = kawasan.merge(centres.kawasan, on="kawasan_id", how="left")
    return RunResult(
        config=config,
        villages=desa_out,
        kawasan=kawasan,
        indicators=indicators,
        scores=scores,
        proposal=proposal,
        check=checked,
        bridges=proposal.bridges,
        problems=_problems(desa),
        layers=layers,
        reports=reports,
        mappings=mappings,
        missing={f"masukan.{name}": message("not_given") for name in indicators.attrs.get("missing", [])}
        | dict(scores.attrs.get("missing", {})),
        timings=timer.timings,
        warnings=caught,
        alerts=review + ([thin] if thin else []) + unused_inputs(config, catalogue) + span_alerts + (list(checked.info["peringatan"]) if checked is not None else []),
        catalogue=catalogue,
        centres=centres,
    )


def span_warnings(kawasan: pd.DataFrame, members: pd.DataFrame, villages: pd.DataFrame, *, share_pct: float) -> list[Message]:
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
            figures = {"kawasan": kawasan_id, "desa": int(row["desa"]), "desa_total": int(total["desa"]), "kec": int(row["kec"]),
                       "kec_total": int(total["kec"]), "ha": Num(row["ha"], 0), "ha_total": Num(total["ha"], 0),
                       "pct_desa": Num(shares["desa"], 0), "pct_ha": Num(shares["ha"], 0), "pct_kec": Num(shares["kec"], 0),
                       "batas": Num(share_pct, 0 if float(share_pct).is_integer() else 1)}
            out.append(message("span_warning", **figures))
    for text in out:
        log.warning("%s", text)
    return out


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


def unused_inputs(config: RunConfig, catalogue: PotentialCatalogue) -> list[str]:
    """Warnings for the line and point inputs nothing reads: no catalogue role, no use in [centres]/[profile].

    A point layer named ``kios_tani`` without ``role = "pusat_kegiatan"`` would otherwise be read,
    counted and silently left out of every score.
    """
    from kawasan_gis.vocab import input_roles

    inp = config.inputs
    roles = input_roles(catalogue)
    used = {config.centres.roads, config.profile.irrigation} | {f.partition(".")[0] for f in config.centres.facilities}
    out = []
    for group, specs in (("lines", inp.lines), ("points", inp.points)):
        known = [r.role for r in roles if r.group == group]
        for name in specs:
            if inp.role_of(group, name) in known or name in used:
                continue
            gid, gen = {"lines": ("garis", "line"), "points": ("titik", "point")}[group]
            out.append(
                f"lapisan {gid} '{name}' tidak dipakai: perannya bukan peran katalog dan tidak disebut di [centres]/[profile]; "
                f'beri role = "..." (peran {gid}: {", ".join(known) or "-"}) / {gen} layer \'{name}\' feeds nothing: its role is '
                f'no catalogue role and [centres]/[profile] do not name it; give role = "..." ({gen} roles: {", ".join(known) or "-"})'
            )
    return out


def _table_by_role(spec: TableInput) -> Path | pd.DataFrame:
    """The attribute table, with the columns that play a catalogue role renamed to it."""
    if not spec.roles:
        return spec.path
    table = read_table(spec.path)
    missing = sorted(c for c in spec.roles.values() if c not in table.columns)
    if missing:
        raise ConfigError(
            f"[inputs.table] roles: {spec.path.name} tidak punya kolom / has no column {', '.join(map(repr, missing))}; "
            f"kolomnya / its columns: {', '.join(map(str, table.columns))}"
        )
    return table.rename(columns={column: role for role, column in spec.roles.items()})


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


def _problems(desa: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The `masalah` layer: gaps and overlaps between villages (input problems with a place)."""
    cov = desa.attrs.get("kawasan_coverage")
    if cov is None or cov.empty:
        return gpd.GeoDataFrame({"masalah": [], "luas_ha": [], "desa": []}, geometry=[], crs=desa.crs)
    return cov
