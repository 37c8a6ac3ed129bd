"""The whole job, from raw layers to a kawasan plan, its RTRW check, maps and report.

:func:`run` chains the public steps of the package and returns a :class:`RunResult`
holding every layer and table; :func:`write_outputs` writes them into a folder
*atomically*: everything goes to a temporary folder beside the destination and is
moved into place only when complete, so a failed or interrupted run leaves no
half-written results, and the inputs are only ever read.
"""

from __future__ import annotations

import hashlib
import json
import logging
import platform
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from kawasan_gis import __version__
from kawasan_gis._atomic import atomic_folder, write_text
from kawasan_gis.config import LayerInput, RunConfig
from kawasan_gis.errors import ClassMappingError, FieldError, RepairWarning
from kawasan_gis.io import (
    LayerReport,
    read_layer,
    read_raster,
    read_villages,
    write_layers,
)

if TYPE_CHECKING:
    from kawasan_gis.vocab import PotentialCatalogue

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


@dataclass
class RunResult:
    """Everything a run produced. Layers are GeoDataFrames in the working CRS."""

    config: RunConfig
    desa: gpd.GeoDataFrame
    kawasan: gpd.GeoDataFrame
    indicators: pd.DataFrame
    scores: pd.DataFrame
    proposal: Any
    check: Any | None
    sambungan: gpd.GeoDataFrame
    masalah: gpd.GeoDataFrame
    layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    reports: list[LayerReport] = field(default_factory=list)
    mappings: dict[str, pd.DataFrame] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    catalogue: PotentialCatalogue | None = None

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
    from kawasan_gis.compliance import check_plan, read_plan
    from kawasan_gis.indicators import build_indicators
    from kawasan_gis.potential import score_potentials
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
            labels={spec.id: spec.label(config.project.lang) for pot in catalogue for spec in pot.indicators},
        )

    with timer.step("mengusulkan kawasan / proposing kawasan"):
        p = config.proposal
        known = scores["potensi_dominan"].notna().to_numpy()
        if not known.any():
            raise FieldError(
                "no village has data for any potential (every score is 0): the inputs do not cover the "
                "villages. Check that the layers overlap the villages and that their classes were mapped."
            )
        proposal = propose_kawasan(
            desa.loc[known],
            scores.loc[known],
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
        desa_proposed = _with_unscored(proposal.desa, desa, scores, known)

    checked = None
    kawasan = proposal.kawasan
    if check and rtrw is not None and len(kawasan):
        with timer.step("memeriksa RTRW / checking against RTRW"):
            members = proposal.desa.loc[proposal.desa["kawasan_id"].notna(), ["kode_desa", "kawasan_id", "dasar"]]
            zone_potential = proposal.kawasan.set_index("kawasan_id")["potensi"]
            table_plan = pd.DataFrame(members).assign(potensi=members["kawasan_id"].map(zone_potential))
            plan = read_plan(table_plan, desa, potentials=catalogue)
            checked = check_plan(
                plan,
                rtrw,
                villages=proposal.desa,
                itbx=load_itbx(overrides=config.check.matrix),
                lp2b=overlays.get("lp2b"),
                hazard=overlays.get("hazard"),
                include_conditional_conflicts=config.check.conditional_conflicts,
                bridges=proposal.sambungan,
                lang=config.project.lang,  # type: ignore[arg-type]
            )
            summary_cols = [c for c in checked.kawasan.columns if c.startswith(("ha_", "pct_")) or c in ("verdict", "aturan")]
            kawasan = kawasan.merge(pd.DataFrame(checked.kawasan[["kawasan_id", *summary_cols]]), on="kawasan_id", how="left")

    desa_out = desa_proposed.merge(indicators.drop(columns=["luas_ha"], errors="ignore"), left_on="kode_desa", right_index=True, how="left")
    masalah = _problems(desa)
    return RunResult(
        config=config,
        desa=desa_out,
        kawasan=kawasan,
        indicators=indicators,
        scores=scores,
        proposal=proposal,
        check=checked,
        sambungan=proposal.sambungan,
        masalah=masalah,
        layers=layers,
        reports=reports,
        mappings=mappings,
        missing={f"masukan.{name}": "tidak diberikan / not given" for name in indicators.attrs.get("missing", [])}
        | dict(scores.attrs.get("missing", {})),
        timings=timer.timings,
        warnings=caught,
        catalogue=catalogue,
    )


NO_EVIDENCE = "tidak ada data untuk menilai potensi / no data to score any potential"


def _with_unscored(proposed: gpd.GeoDataFrame, desa: gpd.GeoDataFrame, scores: pd.DataFrame, known: Any) -> gpd.GeoDataFrame:
    """Villages with no evidence for any potential, put back (outside every kawasan) in input order."""
    if known.all():
        return proposed
    rest = desa.loc[~known].merge(scores.loc[~known], left_on="kode_desa", right_index=True, how="left")
    rest = rest.assign(kawasan_id=None, alasan_tidak_masuk=NO_EVIDENCE)
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


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def input_checksums(config: RunConfig) -> dict[str, str]:
    """SHA-256 of every input file (shapefile sidecars included)."""
    paths: list[Path] = []
    inp = config.inputs
    for spec in [inp.villages, inp.rtrw, inp.landuse, inp.landcover_raster, inp.lp2b, inp.hazard, *inp.lines.values(), *inp.points.values()]:
        if spec is not None:
            paths.append(spec.path)
            if spec.path.suffix.lower() == ".shp":
                paths += sorted(p for p in spec.path.parent.glob(spec.path.stem + ".*") if p != spec.path)
    if inp.table is not None:
        paths.append(inp.table.path)
        if inp.table.crosswalk is not None:
            paths.append(inp.table.crosswalk)
    mappings = [spec.mapping for spec in (inp.rtrw, inp.landuse) if spec is not None]
    for extra in (*mappings, config.potentials.catalogue, config.check.matrix, config.source):
        if extra is not None:
            paths.append(extra)
    return {str(p): _sha256(p) for p in dict.fromkeys(paths) if p.exists()}


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
    previous ``out_dir`` untouched and no temporary folder behind.
    """
    with atomic_folder(out_dir) as tmp:
        _write_all(result, tmp, maps=maps)
    return Path(out_dir).resolve()


def write_proposal(result: RunResult, out_dir: str | Path) -> Path:
    """Write the proposal only: ``kawasan.gpkg`` (desa, kawasan, sambungan) and ``kawasan.csv``."""
    with atomic_folder(out_dir) as tmp:
        write_layers(tmp / "kawasan.gpkg", {"desa": _plain(result.desa), "kawasan": _plain(result.kawasan), "sambungan": _plain(result.sambungan)})
        pd.DataFrame(result.kawasan.drop(columns=result.kawasan.geometry.name)).to_csv(tmp / "kawasan.csv", index=False)
    return Path(out_dir).resolve()


def _write_all(result: RunResult, folder: Path, *, maps: bool) -> None:
    cfg = result.config
    t0 = time.perf_counter()
    desa = _plain(result.desa)
    kawasan = _plain(result.kawasan)
    layers: dict[str, gpd.GeoDataFrame] = {"desa": desa, "kawasan": kawasan, "sambungan": _plain(result.sambungan), "masalah": _plain(result.masalah)}
    if result.check is not None:
        layers["konflik"] = _plain(result.check.konflik)
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
            "desa": int(len(result.desa)),
            "kawasan": int(len(result.kawasan)),
            "desa_dalam_kawasan": int(result.desa["kawasan_id"].notna().sum()),
            "sambungan": int(len(result.sambungan)),
            "konflik": int(len(result.check.konflik)) if result.check is not None else 0,
        },
        "indikator_hilang": result.missing,
        "perbaikan": result.warnings,
        "kualitas": _jsonable(getattr(result.proposal, "quality", {})),
    }
    write_text(folder / "run.json", json.dumps(run_info, indent=2, ensure_ascii=False, default=str))


def _write_maps(result: RunResult, folder: Path) -> None:
    from kawasan_gis.maps import map_kawasan, save_map, static_map
    from kawasan_gis.report import write_report

    cfg = result.config
    lang = cfg.project.lang
    catalogue = result.catalogue
    konflik = result.check.konflik if result.check is not None else None
    m = map_kawasan(
        result.desa,
        kawasan=result.kawasan,
        pola_ruang=result.layers.get("pola_ruang"),
        penggunaan_lahan=result.layers.get("penggunaan_lahan"),
        konflik=konflik,
        sambungan=result.sambungan,
        lang=lang,
        offline=cfg.outputs.offline_map,
        title=cfg.project.name,
        catalogue=catalogue,
    )
    save_map(m, folder / "peta_kawasan.html", offline=cfg.outputs.offline_map)
    png = None
    if cfg.outputs.static_map:
        png = static_map(
            result.desa,
            kawasan=result.kawasan,
            path=folder / "peta_kawasan.png",
            title=cfg.project.name,
            sources=_sources_text(result),
            lang=lang,
            catalogue=catalogue,
        )
    write_report(
        folder / "laporan.html",
        desa=result.desa,
        kawasan=result.kawasan,
        konflik=konflik,
        layer_reports=result.reports,
        indicator_coverage=_indicator_coverage(catalogue, result.missing),
        params=_jsonable(asdict(cfg)),
        static_map_png=png,
        lang=lang,
        title=cfg.project.name,
        catalogue=catalogue,
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
