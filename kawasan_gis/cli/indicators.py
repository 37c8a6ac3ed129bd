"""``kawasan indicators``: the per-village indicator table from whichever layers are given."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kawasan_gis.cli.options import village_column_options, village_columns

if TYPE_CHECKING:
    import geopandas as gpd


def parse_named(items: tuple[str, ...], option: str) -> dict[str, tuple[Path, str | None]]:
    """Repeated ``NAME=PATH[:LAYER]`` (or ``NAME=COLUMN`` for --by) into a dict."""
    from kawasan_gis.errors import ConfigError

    out: dict[str, tuple[Path, str | None]] = {}
    for item in items:
        name, sep, target = item.partition("=")
        if not sep or not name or not target:
            raise ConfigError(f"{option} '{item}' harus NAMA=PATH atau NAMA=PATH:LAPISAN / should be NAME=PATH or NAME=PATH:LAYER (e.g. jalan=konteks.gpkg:jalan).")
        path, layer = Path(target), None
        if ":" in target and not path.exists():
            head, _, layer = target.rpartition(":")
            path = Path(head)
        if not path.exists():
            raise ConfigError(f"{option} {name}: berkas {path} tidak ada / file {path} does not exist.")
        out[name] = (path, layer or None)
    return out


def parse_by(items: tuple[str, ...]) -> dict[str, str]:
    from kawasan_gis.errors import ConfigError

    out = {}
    for item in items:
        name, sep, column = item.partition("=")
        if not sep or not name or not column:
            raise ConfigError(f"--by '{item}' harus NAMA=KOLOM / should be NAME=COLUMN (e.g. jalan=kelas_jalan).")
        out[name] = column
    return out


def _class_layer(gdf: gpd.GeoDataFrame, *, kind: str, column: str | None, mapping: Path | None, out: Path) -> gpd.GeoDataFrame:
    """Add the standard ``kelas`` to a class layer; unmatched values leave a template beside --out."""
    from kawasan_gis.vocab import apply_mapping

    mapped, _ = apply_mapping(gdf, kind=kind, column=column, mapping=mapping,
                              template_path=out.parent / f"pemetaan_{kind}.toml")
    return mapped


def _read_layers(
    villages: Path, village_options: dict[str, Any], class_paths: dict[str, Path | None]
) -> tuple[gpd.GeoDataFrame, dict[str, gpd.GeoDataFrame | None]]:
    """The villages and the class layers as read (not yet matched), the class layers in the villages' CRS.

    The villages are read and checked in a second thread while the class layers are read in
    this one: GDAL and GEOS release the GIL, and a class layer needs the villages' CRS only at
    its last step, the reprojection. A problem with the villages is reported first, as when
    they were read first.
    """
    from kawasan_gis.io import read_class_layer, read_villages

    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(read_villages, villages, **village_options)
        try:
            layers = {kind: read_class_layer(path, kind=kind, working_crs=lambda: pending.result().crs)  # type: ignore[arg-type]
                      if path else None for kind, path in class_paths.items()}
        except Exception:
            pending.result()
            raise
        return pending.result(), layers


@click.command("indicators")
@click.option("--villages", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="Village boundary layer.")
@click.option("--villages-layer", help="Layer of the village file (GeoPackage or zip).")
@click.option("--landuse", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Land-use polygons.")
@click.option("--landuse-column", help="Class column of the land-use layer (default: detected).")
@click.option("--landcover-raster", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Land-cover GeoTIFF (integer classes).")
@click.option("--landcover-codes", type=click.Choice(["klhk", "worldcover"]),
              help="Code scheme of the raster values (default: columns named by raw value).")
@click.option("--rtrw", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="RTRW pola ruang polygons.")
@click.option("--rtrw-column", help="Class column of the pola ruang layer (default: detected).")
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Class mapping TOML for local class names (see `kawasan classes`).")
@click.option("--lines", multiple=True, metavar="NAME=PATH[:LAYER]", help="Line layer, e.g. jalan=konteks.gpkg:jalan (repeatable).")
@click.option("--points", multiple=True, metavar="NAME=PATH[:LAYER]", help="Point layer (repeatable).")
@click.option("--by", multiple=True, metavar="NAME=COLUMN", help="Also split line/point layer NAME by COLUMN (repeatable).")
@click.option("--table", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Attribute table (CSV/XLSX).")
@click.option("--table-code-column", help="Code column of the table (default: detected).")
@click.option("--crosswalk", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="BPS-to-Kemendagri code crosswalk (CSV/XLSX) for the table.")
@click.option("--working-crs", help="Metric CRS for areas (default: UTM zone of the villages).")
@click.option("--jobs", type=click.IntRange(1, 64), default=2, show_default=True, help="Threads for the overlays.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Indicator table to write (.csv or .xlsx).")
@click.option("--out-villages", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the villages with the indicator columns to this GeoPackage.")
@village_column_options
@click.pass_context
def indicators(
    ctx: click.Context,
    villages: Path,
    villages_layer: str | None,
    landuse: Path | None,
    landuse_column: str | None,
    landcover_raster: Path | None,
    landcover_codes: str | None,
    rtrw: Path | None,
    rtrw_column: str | None,
    mapping: Path | None,
    lines: tuple[str, ...],
    points: tuple[str, ...],
    by: tuple[str, ...],
    table: Path | None,
    table_code_column: str | None,
    crosswalk: Path | None,
    working_crs: str | None,
    jobs: int,
    out: Path,
    out_villages: Path | None,
    **columns: str | None,
) -> None:
    """Compute the indicator table (one row per village) and write it as CSV or XLSX.

    Column names are listed in docs/indicators.md: luas_ha, ha_/pct_<kind>_<class>,
    ha_<kind>_unmapped, ha_rtrw_overlap, km_per_km2_<name>, n_<name>, jarak_km_<name>, tbl_*.
    """
    from kawasan_gis.errors import DataSourceError
    from kawasan_gis.indicators import (
        attach_indicators,
        build_indicators,
        write_indicators,
    )
    from kawasan_gis.io import (
        read_lines,
        read_points,
        read_raster,
        write_layers,
    )

    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise DataSourceError(f"--out {out}: pakai nama berkas .csv atau .xlsx / use a .csv or .xlsx file name.")
    quiet = bool((ctx.obj or {}).get("quiet", True))
    line_specs = parse_named(lines, "--lines")
    point_specs = parse_named(points, "--points")
    splits = parse_by(by)

    desa, read = _read_layers(villages, {"layer": villages_layer, "working_crs": working_crs, **village_columns(columns)},
                              {"landuse": landuse, "rtrw": rtrw})
    crs = desa.crs
    landuse_gdf = _class_layer(read["landuse"], kind="landuse", column=landuse_column, mapping=mapping, out=out) if landuse else None
    rtrw_gdf = _class_layer(read["rtrw"], kind="rtrw", column=rtrw_column, mapping=mapping, out=out) if rtrw else None
    if landcover_raster is not None:
        read_raster(landcover_raster)
    line_layers = {name: read_lines(p, layer=lay, working_crs=crs) for name, (p, lay) in line_specs.items()}
    point_layers = {name: read_points(p, layer=lay, working_crs=crs) for name, (p, lay) in point_specs.items()}

    table_df = build_indicators(
        desa,
        landuse=landuse_gdf,
        landcover_raster=landcover_raster,
        landcover_codes=landcover_codes,
        rtrw=rtrw_gdf,
        lines=line_layers,
        points=point_layers,
        by=splits,
        table=table,
        table_code_column=table_code_column,
        crosswalk=crosswalk,
        n_jobs=jobs,
        progress=not quiet,
    )
    write_indicators(table_df, out)
    if out_villages is not None:
        write_layers(out_villages, {"desa": attach_indicators(desa, table_df)})
    missing = table_df.attrs.get("missing", [])
    click.echo(
        f"{len(table_df)} desa, {table_df.shape[1]} kolom / columns -> {out}"
        + (f"; tidak diberikan / not given: {', '.join(missing)}" if missing else ""),
        err=True,
    )
