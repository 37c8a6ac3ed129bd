"""``kawasan propose``: score villages and propose kawasan from layers given as options."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import click

from kawasan_gis.cli.options import village_column_options, village_columns


class MethodChoice(click.Choice):  # type: ignore[type-arg]
    """``--method``: a name in :data:`kawasan_gis.regionalize.SOLVERS`.

    The names are read from the registry when the option is parsed, so a solver added with
    :func:`~kawasan_gis.regionalize.register_solver` is a choice without editing this module.
    ``--help`` shows ``METHOD`` instead of the list: reading the registry imports the
    regionalize package (geopandas, scipy), which ``--help`` must not pay for.
    """

    def __init__(self) -> None:
        # not click.Choice.__init__: it would store a fixed tuple where the property reads the registry
        self.case_sensitive = True

    @property  # type: ignore[override]
    def choices(self) -> tuple[str, ...]:
        from kawasan_gis.config import methods

        return methods()

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return "METHOD"


def named_layers(items: tuple[str, ...], option: str) -> dict[str, dict[str, str]]:
    """Repeated ``NAME=PATH[:LAYER]`` options as config entries."""
    from kawasan_gis.cli.indicators import parse_named

    return {
        name: {"path": str(path.resolve())} | ({"layer": layer} if layer else {})
        for name, (path, layer) in parse_named(items, option).items()
    }


def build_config(
    config: Path | None,
    *,
    villages: Path | None,
    rtrw: Path | None,
    landuse: Path | None,
    landcover_raster: Path | None,
    lines: tuple[str, ...],
    points: tuple[str, ...],
    table: Path | None,
    rtrw_mapping: Path | None,
    landuse_mapping: Path | None,
    proposal: dict[str, Any],
    columns: dict[str, str] | None = None,
):  # type: ignore[no-untyped-def]
    """A RunConfig from an optional config file with command-line options on top."""
    from kawasan_gis.config import parse_config
    from kawasan_gis.errors import ConfigError

    raw: dict[str, Any] = {}
    base = Path.cwd()
    if config is not None:
        if not config.exists():
            raise ConfigError(f"{config}: berkas konfigurasi tidak ditemukan / config file not found.")
        raw = tomllib.loads(config.read_text(encoding="utf-8"))
        base = config.resolve().parent
    inputs = raw.setdefault("inputs", {})
    for key, value in (("villages", villages), ("rtrw", rtrw), ("landuse", landuse), ("landcover_raster", landcover_raster), ("table", table)):
        if value is not None:
            inputs[key] = {"path": str(value.resolve())}
    if columns:
        if "villages" not in inputs:
            raise ConfigError(
                "kolom desa diberikan tanpa lapisan desa (--villages atau [inputs] villages) / "
                "village columns given without a village layer (--villages or [inputs] villages)."
            )
        given = inputs["villages"]
        inputs["villages"] = ({"path": given} if isinstance(given, str) else dict(given)) | columns
    for key, value in (("rtrw", rtrw_mapping), ("landuse", landuse_mapping)):
        if value is not None:
            if key not in inputs:
                raise ConfigError(f"--{key}-mapping diberikan tanpa --{key} / given without --{key}.")
            inputs[key]["mapping"] = str(value.resolve())
    inputs.setdefault("lines", {}).update(named_layers(lines, "--lines"))
    inputs.setdefault("points", {}).update(named_layers(points, "--points"))
    raw.setdefault("proposal", {}).update({k: v for k, v in proposal.items() if v is not None})
    return parse_config(raw, base=base, source=str(config or "command line"))


@click.command("propose")
@click.option("--villages", type=click.Path(path_type=Path), help="Village boundary layer.")
@click.option("--rtrw", type=click.Path(path_type=Path), help="RTRW pola ruang layer.")
@click.option("--landuse", type=click.Path(path_type=Path), help="Land-use polygons.")
@click.option("--landcover-raster", type=click.Path(path_type=Path), help="Land-cover GeoTIFF.")
@click.option("--lines", multiple=True, metavar="NAME=PATH[:LAYER]", help="Line layer (repeatable).")
@click.option("--points", multiple=True, metavar="NAME=PATH[:LAYER]", help="Point layer (repeatable).")
@click.option("--table", type=click.Path(path_type=Path), help="Attribute table (CSV/XLSX) joined by kode_desa.")
@click.option("--rtrw-mapping", type=click.Path(path_type=Path), help="Class mapping TOML for the RTRW's local class names.")
@click.option("--landuse-mapping", type=click.Path(path_type=Path), help="Class mapping TOML for the land use's local class names.")
@click.option("--method", type=MethodChoice(), help="Grouping method: dominant (default), ward or another solver registered in kawasan_gis.regionalize.SOLVERS.")
@click.option("--n-zones", type=int, help="Number of kawasan (ward; default chosen by pseudo-F).")
@click.option("--min-villages", type=int, help="Smallest kawasan in villages (default 2).")
@click.option("--max-villages", type=int, help="Largest kawasan in villages.")
@click.option("--max-area-ha", type=float, help="Largest kawasan in hectares.")
@click.option("--exclude-kelurahan", is_flag=True, default=None, help="Keep kelurahan out of kawasan perdesaan.")
@click.option("--config", type=click.Path(path_type=Path), help="Config file; options given here override it.")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Output folder.")
@village_column_options
@click.pass_context
def propose(ctx: click.Context, config: Path | None, out: Path, **opts: Any) -> None:
    """Score each village's potentials and propose contiguous kawasan within each kabupaten.

    Writes OUT/kawasan.gpkg (layers desa, kawasan, sambungan) and OUT/kawasan.csv.
    """
    from kawasan_gis._atomic import check_output_folder
    from kawasan_gis.i18n import format_number
    from kawasan_gis.pipeline import run, write_proposal

    check_output_folder(out)
    cfg = build_config(
        config,
        villages=opts["villages"],
        rtrw=opts["rtrw"],
        landuse=opts["landuse"],
        landcover_raster=opts["landcover_raster"],
        lines=opts["lines"],
        points=opts["points"],
        table=opts["table"],
        rtrw_mapping=opts["rtrw_mapping"],
        landuse_mapping=opts["landuse_mapping"],
        proposal={
            "method": opts["method"],
            "n_zones": opts["n_zones"],
            "min_villages": opts["min_villages"],
            "max_villages": opts["max_villages"],
            "max_area_ha": opts["max_area_ha"],
            "include_kelurahan": False if opts["exclude_kelurahan"] else None,
        },
        columns=village_columns(opts),
    )
    result = run(cfg, check=False, bars=not ctx.obj.get("quiet", True), template_dir=cfg.source.parent if cfg.source else Path.cwd())
    folder = write_proposal(result, out)
    k = result.kawasan
    click.echo(f"{len(result.villages)} desa -> {len(k)} kawasan ({int(result.villages['kawasan_id'].notna().sum())} desa di dalam kawasan)")
    for row in k.itertuples():
        click.echo(f"  {row.kawasan_id}  {row.nama:<45} {row.n_desa:>3} desa  {format_number(row.luas_ha, 0, cfg.project.lang):>10} ha")
    if len(result.bridges):
        click.echo(f"Sambungan pulau / island bridges: {len(result.bridges)} (layer 'sambungan')")
    click.echo(f"Ditulis / written: {folder / 'kawasan.gpkg'}, {folder / 'kawasan.csv'}")
