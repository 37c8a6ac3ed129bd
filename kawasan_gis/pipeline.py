"""The whole job, from raw layers to a kawasan plan, its RTRW check, centres and profile.

This module owns the chaining: :func:`run` calls the public steps of the package and returns a
:class:`RunResult` holding every layer and table (nothing is written); its centres-and-profile
part is :func:`kawasan_gis.run_centres.centres_and_profile`. Writing the result folder
belongs to :mod:`kawasan_gis.outputs`; :func:`write_outputs` and :func:`write_proposal` are
re-exported here so that ``from kawasan_gis.pipeline import run, write_outputs`` keeps working.

Imports every step (io, vocab, overlay, indicators, potential, regionalize, check,
:mod:`kawasan_gis.run_centres`) and :mod:`kawasan_gis.outputs`; only :mod:`kawasan_gis.cli` and
:mod:`kawasan_gis.scale` import it.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
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
from kawasan_gis.io.geometry import default_jobs, threads
from kawasan_gis.run_centres import CentresResult, centres_and_profile
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
    from kawasan_gis.helper_process import HelperProcess
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
    # without an RTRW layer: the plan's structure alone (Pasal 83 rules), a
    # kawasan_gis.check.StructureResult; None when the zoning was checked (``check``) or nothing was
    structure: Any | None = None

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
    helper: HelperProcess | None = None,
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
    helper
        A :class:`~kawasan_gis.helper_process.HelperProcess` (``kawasan run`` starts one): the
        RTRW check runs there while this process works out the centres. Same result.

    Examples
    --------
    >>> from kawasan_gis.config import load_config
    >>> from kawasan_gis.pipeline import run
    >>> result = run(load_config("data/lampung_timur.toml"))  # doctest: +SKIP
    >>> result.kawasan[["kawasan_id", "nama", "n_desa"]].head()  # doctest: +SKIP
    """
    if config.project.threads is not None and config.project.threads != default_jobs():
        # the whole run, and nothing after it, with the config's threads (``[project] threads``)
        with threads(config.project.threads):
            return run(config, progress=progress, check=check, bars=bars, template_dir=template_dir, helper=helper)
    from kawasan_gis.check import check_plan, check_structure, read_plan
    from kawasan_gis.indicators import build_indicators
    from kawasan_gis.overlay import default_priority, resolve_overlaps
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
            coverage = desa.attrs.get("kawasan_coverage")
            # pandas deep-copies attrs on every operation: the read report and its coverage frames
            # were copied ~900 times in a Lampung Timur run (0.4 s); both are kept above
            desa.attrs = {}
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
                found = review_message(mapping)
                review.append(Message(f"{spec.path}: {found.id}", f"{spec.path}: {found.en}"))
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

    wants_centres = config.centres.enabled or inp.centres is not None or inp.idm is not None
    roads_ahead = None
    # the road graph needs nothing but the road layer: it is noded in a second thread (GEOS,
    # without the GIL) while the indicators are computed; with one thread allowed, in its step
    if wants_centres and config.centres.roads in lines and default_jobs() > 1:
        from kawasan_gis.centres import road_network

        pool = ThreadPoolExecutor(1)
        roads_ahead = pool.submit(road_network, lines[config.centres.roads][0], snap_m=config.centres.snap_m)
        pool.shutdown(wait=False)

    with timer.step("menghitung indikator / computing indicators"):
        # the RTRW is made a planar partition once, for these indicators and the plan check alike
        zones = resolve_overlaps(rtrw, priority=default_priority("rtrw")) if rtrw is not None else None
        indicators = build_indicators(
            desa,
            landuse=landuse,
            landcover_raster=raster.path if raster is not None else None,
            landcover_codes=inp.landcover_raster.codes if inp.landcover_raster is not None else None,
            rtrw=rtrw,
            rtrw_partition=zones,
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

    thin = thin_evidence(scores, catalogue=catalogue)
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

    checked = structure = None
    kawasan = proposal.kawasan

    def as_plan() -> Any:
        members = proposal.villages.loc[proposal.villages["kawasan_id"].notna(), ["kode_desa", "kawasan_id", "dasar"]]
        zone_potential = proposal.kawasan.set_index("kawasan_id")["potensi"]
        table_plan = pd.DataFrame(members).assign(potensi=members["kawasan_id"].map(zone_potential))
        return read_plan(table_plan, desa, potentials=catalogue)

    if check and rtrw is None and len(kawasan):
        # no zoning to check against: the Pasal 83 rules still hold, and every output says the
        # zoning was not checked (as `kawasan check` without --rtrw)
        with timer.step("memeriksa struktur rencana / checking the plan's structure"):
            structure = check_structure(as_plan(), bridges=proposal.bridges, lang=config.project.lang)  # type: ignore[arg-type]
            kawasan = kawasan.merge(pd.DataFrame(structure.kawasan[["kawasan_id", "aturan", "pemeriksaan_zonasi"]]), on="kawasan_id", how="left")
    in_helper = False  # the check running in the helper process, beside the centres
    if check and rtrw is not None and len(kawasan):
        with timer.step("memeriksa RTRW / checking against RTRW"):
            plan = as_plan()
            check_args = dict(
                partition=zones,
                # the villages the proposal was built from: a village left out for want of a
                # potential is named in no conflict of a kawasan it merely overlaps by a sliver
                villages=proposal.villages[proposal.villages["potensi_dominan"].notna()],
                itbx=load_itbx(overrides=config.check.matrix),
                lp2b=overlays.get("lp2b"),
                hazard=overlays.get("hazard"),
                include_conditional_conflicts=config.check.conditional_conflicts,
                thresholds=config.check.thresholds(),
                bridges=proposal.bridges,
                lang=config.project.lang,
            )
            if helper is not None and wants_centres:
                helper.submit("kawasan_gis.check:check_plan", plan, rtrw, **check_args)
                in_helper = True
            else:
                try:
                    checked = check_plan(plan, rtrw, **check_args)  # type: ignore[arg-type]
                except CoverageError as exc:
                    raise CoverageError(f"{inp.rtrw.path}: {exc}") from None  # type: ignore[union-attr]

    def check_result() -> Any:
        """The check, once the helper process has finished it (its own time recorded as the step's)."""
        nonlocal checked, in_helper
        if in_helper:
            in_helper = False
            try:
                checked = helper.wait()  # type: ignore[union-attr]
            except CoverageError as exc:
                raise CoverageError(f"{inp.rtrw.path}: {exc}") from None  # type: ignore[union-attr]
            timer.timings["memeriksa RTRW / checking against RTRW"] += helper.seconds  # type: ignore[union-attr]
        return checked

    desa_out = desa_proposed.merge(indicators.drop(columns=["luas_ha"], errors="ignore"), left_on="kode_desa", right_index=True, how="left")
    centres = None
    if wants_centres:
        with timer.step("pusat kawasan dan profil / centres and profile"):
            designated = None
            if inp.centres is not None:
                designated = read_layer(inp.centres.path, kind="points", **_layer_kwargs(inp.centres, crs))
                reports.append(designated.attrs["kawasan_report"])
            centres = centres_and_profile(
                config, desa_out, kawasan, indicators=indicators, scores=scores, points=points, lines=lines,
                designated=designated, check=check_result if in_helper else checked,
                network=roads_ahead.result() if roads_ahead is not None else None,
            )  # fmt: skip
    if check_result() is not None:
        summary_cols = [c for c in checked.kawasan.columns if c.startswith(("ha_", "pct_")) or c in ("verdict", "alasan_verdict", "alasan_verdict_en", "aturan")]
        kawasan = kawasan.merge(pd.DataFrame(checked.kawasan[["kawasan_id", *summary_cols]]), on="kawasan_id", how="left")
    if centres is not None:
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
        problems=_problems(coverage, desa.crs),
        layers=layers,
        reports=reports,
        mappings=mappings,
        missing={f"masukan.{name}": message("not_given") for name in indicators.attrs.get("missing", [])}
        | dict(scores.attrs.get("missing", {})),
        timings=timer.timings,
        warnings=caught,
        alerts=(([message("zoning_not_checked")] if structure is not None else []) + review + ([thin] if thin else [])
                + unused_inputs(config, catalogue) + span_alerts + (list(checked.info["peringatan"]) if checked is not None else [])),
        catalogue=catalogue,
        centres=centres,
        structure=structure,
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
    # the run's alerts carry them and `kawasan run` prints them from there (a logged warning as
    # well showed each twice); a national run keeps them in each kabupaten's run.json and report
    for text in out:
        log.info("%s", text)
    return out


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


def _problems(coverage: gpd.GeoDataFrame | None, crs: Any) -> gpd.GeoDataFrame:
    """The `masalah` layer: gaps and overlaps between villages (input problems with a place)."""
    if coverage is None or coverage.empty:
        return gpd.GeoDataFrame({"masalah": [], "luas_ha": [], "desa": []}, geometry=[], crs=crs)
    return coverage
