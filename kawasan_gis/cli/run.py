"""``kawasan run``, ``kawasan init`` and ``kawasan demo``: the whole pipeline from one config."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from kawasan_gis.cli.options import village_column_options, village_columns

STARTER = """\
# kawasan_gis run configuration (TOML). Edit, then, in this folder: kawasan run kawasan.toml
# (results go to hasil/ beside this file). Relative paths start from this file's folder, so the
# folder can be moved or shared together with its data. Reference: docs/config.md

[project]
name = "{name}"
lang = "id"                      # id (Bahasa Indonesia) or en
# working_crs = "EPSG:32748"     # metric CRS; default: the UTM zone of the villages

[inputs]
villages = {villages}
{optional}
# Line and point layers feed density and distance indicators (km/km2, counts, nearest distance).
[inputs.lines]
{lines}
[inputs.points]
{points}

[potentials]
# catalogue = "potensi.toml"     # override weights or add potentials (see docs/vocab.md)
mixed_margin = 0.05              # lead below which a village's potential is 'campuran' (mixed)

[proposal]
method = "dominant"              # dominant (grow zones of one potential) or ward (constrained Ward)
# n_zones = 8                    # ward only; default chosen by the pseudo-F curve
min_villages = 2                 # UU 6/2014: cooperation needs at least two desa
# max_villages = 25
# max_area_ha = 50000
include_kelurahan = true
snap_m = 30                      # villages closer than this (metres) count as neighbours
random_state = 0

[centres]
# Settlement hierarchy (scalogram, Marshall centrality) and the centre of every kawasan.
# facilities: point/line layers above (or "layer.class", or table columns) -> category
# (pendidikan, kesehatan, ekonomi, pemerintahan, prasarana).
{centres}
beyond_km = 10                   # members farther than this from the centre count as far
# basis = "units"                # Marshall weight 100 / total units (or "presence": villages having it)
# orders = "sturges"             # or "natural_breaks"

[profile]
access_km = 5                    # a facility within this distance serves a village
# irrigation = "saluran_irigasi" # line layer of irrigation canals
# program = "program.toml"       # programme wording per pillar (see docs/config.md)

[check]
# matrix = "itbx.toml"           # ITBX matrix override for this kabupaten
fail_on = "never"                # never, prohibited or conditional (exit code 3)
# toleransi_ha = 0.01            # X or B hectares per kawasan counted as zero (slivers along borders)
# tidak_sesuai_pct_X = 5.0       # verdict thresholds, defaults of kawasan_gis/data/check.toml [verdict]
# bersyarat_pct_X = 0.0
# bersyarat_pct_B = 10.0
# bersyarat_pct_outside = 10.0
# tidak_sesuai_pct_outside = 50.0 # a kawasan with more of its development room outside the RTRW is "tidak sesuai"
# min_pct_ruang_kembang = 50.0   # a kawasan whose room outside kawasan lindung is smaller is never "sesuai"
# min_cakupan_rtrw_pct = 50.0    # below this RTRW cover of the kawasan villages the run stops (exit 2)

[peta]
# Print map title block and sources (docs/config.md); without sumber the map lists the input files.
# judul = "Peta Usulan Kawasan Perdesaan Kabupaten ..."
# instansi = "Bappeda Kabupaten ..."
# nomor = "1"
# tahun = 2026
# sumber = ["Perda Kab. ... No. ... Tahun ... tentang RTRW Kabupaten ...", "Batas desa: BIG", "Podes: BPS"]

[outputs]
geojson = true
kml = true
shapefile = false
offline_map = true               # the map works without internet
static_map = true
# pdf = true                     # also peta_kawasan.pdf, the print map as vector PDF (or: kawasan run --pdf)
"""


def _relative(path: Path, base: Path) -> str:
    """``path`` relative to the config's folder ``base`` (``../data/desa.gpkg`` too), so the folder
    can be moved or shared with its data; absolute only where no relative path exists (another drive)."""
    target = Path(path).resolve()
    try:
        return Path(os.path.relpath(target, base.resolve())).as_posix()
    except ValueError:
        return target.as_posix()


def _entry(path: Path | None, base: Path, used: list[str] | None = None, **extra: str | None) -> str:
    """A config entry ``{ path = "...", key = "value" }``; ``used`` collects the relative paths written."""
    if path is None:
        return ""
    if used is not None:
        used.append(_relative(path, base))
    parts = [f'path = "{_relative(path, base)}"'] + [f'{k} = "{v}"' for k, v in extra.items() if v]
    return "{ " + ", ".join(parts) + " }"


@click.command("init")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--villages", type=click.Path(exists=True, path_type=Path), help="Village boundary layer.")
@click.option("--rtrw", type=click.Path(exists=True, path_type=Path), help="RTRW pola ruang layer.")
@click.option("--landuse", type=click.Path(exists=True, path_type=Path), help="Land-use polygons.")
@click.option("--landcover-raster", type=click.Path(exists=True, path_type=Path), help="Land-cover GeoTIFF.")
@click.option("--lp2b", type=click.Path(exists=True, path_type=Path), help="LP2B polygons.")
@click.option("--lines", "lines", multiple=True, metavar="NAME=PATH[:LAYER]", help="Line layer (repeatable).")
@click.option("--points", "points", multiple=True, metavar="NAME=PATH[:LAYER]", help="Point layer (repeatable).")
@click.option("--table", type=click.Path(exists=True, path_type=Path), help="Attribute table (CSV/XLSX).")
@click.option("--idm", type=click.Path(exists=True, path_type=Path), help="IDM table (idm, iks, ike, ikl by village code).")
@click.option("--centres", "centres", metavar="PATH[:LAYER]", help="RTRW activity-centre points (PKW, PKL, PPK...).")
@click.option("--centres-column", default="Fungsi", show_default=True, help="Column of --centres holding the function.")
@click.option("--roads", metavar="NAME", help="Which --lines layer is the road network.")
@click.option("--facility", "facilities", multiple=True, metavar="NAME=CATEGORY",
              help="A --points/--lines layer (or table column) that is a facility type, and its category (repeatable).")
@click.option("--name", default="Kawasan Perdesaan", help="Project name (map and report title).")
@click.option("--force", is_flag=True, help="Overwrite an existing kawasan.toml.")
@village_column_options
def init(
    folder: Path,
    villages: Path | None,
    rtrw: Path | None,
    landuse: Path | None,
    landcover_raster: Path | None,
    lp2b: Path | None,
    lines: tuple[str, ...],
    points: tuple[str, ...],
    table: Path | None,
    idm: Path | None,
    centres: str | None,
    centres_column: str,
    roads: str | None,
    facilities: tuple[str, ...],
    name: str,
    force: bool,
    **columns: str | None,
) -> None:
    """Write a commented starter config FOLDER/kawasan.toml pointing at your files.

    Paths are written relative to FOLDER, so the folder can be moved or shared together with
    the data it points at (keep the data inside FOLDER to share the folder alone).
    """
    from kawasan_gis.errors import ConfigError

    if village_columns(columns) and villages is None:
        raise ConfigError(
            "kolom desa diberikan tanpa --villages / village columns given without --villages."
        )
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "kawasan.toml"
    used: list[str] = []
    if config.exists() and not force:
        raise ConfigError(f"{config} sudah ada; pakai --force untuk menimpanya / exists already; use --force to overwrite it.")
    optional = []
    for key, path in (("rtrw", rtrw), ("landuse", landuse), ("landcover_raster", landcover_raster), ("lp2b", lp2b)):
        optional.append(f"{key} = {_entry(path, folder, used)}" if path else f'# {key} = {{ path = "..." }}')
    if table:
        optional.append(f"table = {_entry(table, folder, used)}")
    else:
        optional.append('# table = { path = "podes.csv", code_column = "IDDESA", crosswalk = "bps_kemendagri.csv" }')

    if idm:
        optional.append(f"idm = {_entry(idm, folder, used)}")
    else:
        optional.append('# idm = { path = "idm2024.csv" }   # Indeks Desa Membangun: pillars of the kawasan profile')
    if centres:
        from kawasan_gis.cli.indicators import parse_named

        cpath, clayer = parse_named((f"centres={centres}",), "--centres")["centres"]
        optional.append(f"centres = {_entry(cpath, folder, used, layer=clayer or '', column=centres_column)}")
    else:
        optional.append('# centres = { path = "pusat_kegiatan.shp", column = "Fungsi" }   # RTRW PKW/PKL/PPK points')
    centre_lines = []
    if roads:
        if roads not in {item.partition("=")[0] for item in lines}:
            raise ConfigError(f"--roads {roads}: bukan salah satu nama --lines / not one of the --lines names ({', '.join(i.partition('=')[0] for i in lines) or '-'}).")
        centre_lines.append(f'roads = "{roads}"')
    else:
        centre_lines.append('# roads = "jalan"                # the line layer of roads: distances along it')
    pairs = []
    for item in facilities:
        fname, sep, category = item.partition("=")
        if not sep or not fname or not category:
            raise ConfigError(f"--facility '{item}' harus NAMA=KATEGORI / should be NAME=CATEGORY (e.g. sma=pendidikan).")
        key = f'"{fname}"' if "." in fname else fname
        pairs.append(f'{key} = "{category}"')
    centre_lines.append(f"facilities = {{ {', '.join(pairs)} }}" if pairs else '# facilities = { sma = "pendidikan", puskesmas = "kesehatan", pasar = "ekonomi" }')

    def named(items: tuple[str, ...], option: str, example: str) -> str:
        from kawasan_gis.cli.indicators import parse_named

        out = [f"{key} = {_entry(path, folder, used, layer=layer or '')}" for key, (path, layer) in parse_named(items, option).items()]
        return "\n".join(out) if out else f"# {example}"

    text = STARTER.format(
        name=name,
        villages=_entry(villages, folder, used, **village_columns(columns)) if villages else '{ path = "desa.shp" }   # <- your village boundaries',
        optional="\n".join(optional),
        lines=named(lines, "--lines", 'jalan = { path = "jalan.shp", by = "kelas_jalan" }'),
        points=named(points, "--points", 'pusat_kegiatan = { path = "pusat_kegiatan.shp" }'),
        centres="\n".join(centre_lines),
    )
    config.write_text(text, encoding="utf-8")
    click.echo(f"Konfigurasi awal ditulis / starter config written: {config}")
    outside = sorted({p for p in used if p.startswith("../")})
    if outside:
        click.echo(
            f"Catatan: {len(outside)} berkas di luar folder proyek ({', '.join(outside)}); pindahkan ke dalam folder agar "
            f"folder dapat dibagikan sendiri / note: {len(outside)} file(s) outside the project folder; move them in to "
            "share the folder on its own."
        )
    click.echo(f"Langkah berikut / next: kawasan run {config} --out {folder / 'hasil'}")


def _verdict(value: str, lang: str) -> str:
    """A verdict of the check (stored in Indonesian) in ``lang``."""
    from kawasan_gis.i18n import LABELS, t

    key = "verdict_" + str(value).replace(" ", "_")
    return t(key, lang) if key in LABELS else str(value)


class _LanguageFilter:
    """Shows the log records of a run in its language (a :class:`~kawasan_gis.i18n.Message` argument becomes one language)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def filter(self, record: Any) -> bool:
        from kawasan_gis.i18n import in_language

        if isinstance(record.args, tuple):
            record.args = tuple(in_language(a, self.lang) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = in_language(record.msg, self.lang)
        return True


def show_in_language(lang: str) -> None:
    """Log messages on the terminal in ``lang`` from now on.

    Only the plain stderr handler :func:`logging.basicConfig` made for ``kawasan`` is changed,
    never a handler of the program that embeds the CLI (pytest's, an application's).
    """
    import logging

    for handler in logging.getLogger().handlers:
        if type(handler) is not logging.StreamHandler:
            continue
        for old in [f for f in handler.filters if isinstance(f, _LanguageFilter)]:
            handler.removeFilter(old)
        handler.addFilter(_LanguageFilter(lang))


def _progress_reporter(quiet: bool):  # type: ignore[no-untyped-def]
    from tqdm import tqdm

    bar = tqdm(total=None, disable=quiet, unit=" langkah", bar_format="{desc} [{elapsed}]", file=sys.stderr)
    start = time.perf_counter()

    def progress(step: str) -> None:
        bar.set_description_str(step)
        bar.update(1)

    return bar, progress, start


def _helper():  # type: ignore[no-untyped-def]
    """A :class:`~kawasan_gis.helper_process.HelperProcess`, or None (everything in this process) where none can start."""
    from kawasan_gis.helper_process import HelperProcess

    try:
        return HelperProcess()
    except OSError as exc:
        import logging

        logging.getLogger(__name__).warning("proses kedua tidak dapat dimulai (%s); semua langkah di proses ini / "
                    "no second process (%s); every step runs in this process", exc, exc)
        return None


def execute(  # type: ignore[no-untyped-def]
    config_path: Path | None,
    out: Path,
    *,
    quiet: bool,
    config=None,
    lang: str | None = None,
    maps: bool = True,
    columns: dict[str, str] | None = None,
    pdf: bool = False,
    threads: int | None = None,
) -> int:
    """Run the pipeline from a config file (or object), write outputs, print a summary."""
    from kawasan_gis._atomic import check_output_folder
    from kawasan_gis.config import load_config
    from kawasan_gis.errors import CheckFailed
    from kawasan_gis.i18n import format_number, in_language, t
    from kawasan_gis.io.geometry import default_jobs
    from kawasan_gis.pipeline import run, write_outputs

    check_output_folder(out)  # before the run: a user's folder is refused at once, not after minutes
    cfg = config if config is not None else load_config(config_path)  # type: ignore[arg-type]
    if lang:
        cfg = replace(cfg, project=replace(cfg.project, lang=lang))
    if pdf:
        cfg = replace(cfg, outputs=replace(cfg.outputs, pdf=True))
    if threads:
        cfg = replace(cfg, project=replace(cfg.project, threads=threads))
    if columns:  # village columns from the command line win over the config's
        cfg = replace(cfg, inputs=replace(cfg.inputs, villages=replace(cfg.inputs.villages, **columns)))
    show_in_language(cfg.project.lang)
    bar, progress, start = _progress_reporter(quiet)
    # a second process checks the plan and draws the maps beside this one; it imports its
    # libraries while this one reads and computes (not when the run may use one thread only)
    helper = _helper() if (maps or cfg.inputs.rtrw is not None) and (cfg.project.threads or default_jobs()) >= 2 else None
    try:
        result = run(cfg, progress=progress, bars=not quiet, template_dir=cfg.source.parent if cfg.source else Path.cwd(), helper=helper)
        progress("menulis keluaran / writing outputs")
        folder = write_outputs(result, out, maps=maps, helper=helper)
    finally:
        bar.close()
        if helper is not None:
            helper.close()
    lang = cfg.project.lang
    for w in result.warnings:
        click.echo(f"{t('repaired', lang)}: {in_language(w, lang)}", err=True)
    for w in result.alerts:
        click.echo(f"{t('warning', lang)}: {in_language(w, lang)}", err=True)
    n_in = int(result.villages["kawasan_id"].notna().sum())

    def num(value: float, decimals: int = 0) -> str:
        return format_number(value, decimals, lang)

    click.echo(t("run_summary", lang, name=cfg.project.name, n=num(len(result.villages)), k=num(len(result.kawasan)), n_in=num(n_in)))
    if result.missing:
        click.echo(t("run_missing", lang, n=num(len(result.missing))))
    if result.check is not None:
        counts = result.check.kawasan["verdict"].value_counts().to_dict()
        click.echo(f"{t('run_check', lang)}: " + ", ".join(f"{_verdict(k, lang)}: {num(v)}" for k, v in counts.items()))
    elif result.structure is not None:
        rules = result.structure.rules
        click.echo(t("structure_rules", lang, n=num(len(result.structure.kawasan)), e=num(int((result.structure.kawasan["n_error"] > 0).sum()))))
        for level, text in rules.loc[rules["level"] != "info", ["level", "message"]].itertuples(index=False):
            click.echo(f"! [{level}] {text}")
        click.echo(f"! {result.structure.note}")
    elif cfg.inputs.rtrw is None:
        click.echo(t("run_check_skipped", lang))
    click.echo(f"{t('run_map', lang)}: {folder / 'peta_kawasan.html'}")
    click.echo(f"{t('run_report', lang)}: {folder / 'laporan.html'}")
    click.echo(t("run_done", lang, s=num(time.perf_counter() - start, 1)))
    failure = result.check.failure(cfg.check.fail_on, lang=cfg.project.lang) if result.check is not None else None
    if failure:
        raise CheckFailed(f'[check] fail_on = "{cfg.check.fail_on}": {failure}. {t("check_written", cfg.project.lang)}: {folder}')
    return 0


@click.command("run")
@click.argument("config", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), help="Output folder (default: 'hasil' beside the config).")
@click.option("--lang", type=click.Choice(["id", "en"]), help="Language of maps and report (overrides the config).")
@click.option("--workers", type=click.IntRange(min=1), help="Run each kabupaten as its own job on a local Dask cluster of N worker processes.")
@click.option("--scheduler", metavar="ADDRESS", help="Run each kabupaten on an existing Dask cluster (tcp://host:8786).")
@click.option("--no-maps", is_flag=True, help="Skip the map and report of each kabupaten (tables and layers only).")
@click.option("--pdf", is_flag=True, help="Also write the print map as vector PDF (peta_kawasan.pdf); same as [outputs] pdf = true.")
@click.option("--threads", type=click.IntRange(min=1),
              help="Threads of the geometry steps (default 2; with --workers each job's share of the cores); same as [project] threads.")
@village_column_options
@click.pass_context
def run_command(
    ctx: click.Context,
    config: Path,
    out: Path | None,
    lang: str | None,
    workers: int | None,
    scheduler: str | None,
    no_maps: bool,
    pdf: bool,
    threads: int | None,
    **columns: str | None,
) -> None:
    """Run validation, indicators, scoring, proposal, RTRW check, maps and report from CONFIG.

    With --workers or --scheduler every kabupaten is a separate, restartable job on Dask
    (see docs/national.md); exit code 4 when some kabupaten failed (the others are kept).
    """
    out = out or config.parent / "hasil"
    given = village_columns(columns)
    if workers or scheduler:
        if given:
            from kawasan_gis.errors import ConfigError

            raise ConfigError(
                "kolom desa untuk proses nasional ditulis di konfigurasi ([inputs] villages = { ..., code_column = ... }) / "
                "for a national run name the village columns in the config ([inputs] villages = { ..., code_column = ... })."
            )
        from kawasan_gis.cli.national import execute_national

        execute_national(config, out, workers=workers or 2, scheduler=scheduler, maps=not no_maps, quiet=ctx.obj.get("quiet", True), lang=lang,
                          pdf=pdf, threads=threads)
        return
    execute(config, out, quiet=ctx.obj.get("quiet", True), lang=lang, maps=not no_maps, columns=given, pdf=pdf, threads=threads)


def bundled_data() -> Path:
    """The folder with the bundled sample data (the repository's data/)."""
    from kawasan_gis.errors import DataSourceError

    for candidate in (Path.cwd() / "data", Path(__file__).resolve().parents[2] / "data"):
        if (candidate / "lampung_timur.toml").exists():
            return candidate
    raise DataSourceError("folder data contoh (data/ dengan lampung_timur.toml) tidak ditemukan; jalankan dari repositori / "
                          "the bundled data folder (data/ with lampung_timur.toml) was not found; run from the repository.")


@click.command("demo")
@click.option("--out", type=click.Path(path_type=Path), default=Path("hasil_demo"), show_default=True, help="Output folder.")
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.pass_context
def demo(ctx: click.Context, out: Path, lang: str) -> None:
    """Run the full pipeline on the bundled Lampung Timur and Gorontalo data."""
    data = bundled_data()
    quiet = ctx.obj.get("quiet", True)
    for name in ("lampung_timur", "gorontalo"):
        click.echo(f"\n== {name.replace('_', ' ').title()} ==")
        execute(data / f"{name}.toml", out / name, quiet=quiet, lang=lang)
    click.echo(f"\nBuka peta di peramban / open the maps in a browser:\n  {(out / 'lampung_timur' / 'peta_kawasan.html').resolve()}\n  {(out / 'gorontalo' / 'peta_kawasan.html').resolve()}")
