"""``kawasan validate``: read a layer as the pipeline would and report what was found."""

from __future__ import annotations

import json
from pathlib import Path

import click

from kawasan_gis.cli.options import village_column_options, village_columns

# kawasan_gis.io.KINDS, spelt out so that `kawasan validate --help` does not import io (geopandas);
# tests/test_cli_help.py pins the two equal.
KINDS: tuple[str, ...] = ("villages", "landuse", "rtrw", "points", "lines", "raster")


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--layer", help="Layer inside a GeoPackage or zip.")
@click.option("--kind", type=click.Choice(KINDS), help="What the layer is (default: detected).")
@click.option("--assume-crs", help="CRS to use when the file declares none, e.g. EPSG:4326.")
@click.option("--working-crs", help="Metric CRS for areas (default: UTM zone of the data).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--out", type=click.Path(path_type=Path), help="Write gaps/overlaps between villages to this GeoPackage.")
@village_column_options
def validate(
    path: Path,
    layer: str | None,
    kind: str | None,
    assume_crs: str | None,
    working_crs: str | None,
    as_json: bool,
    out: Path | None,
    **columns: str | None,
) -> None:
    """Check one layer: features, CRS, columns, repairs, codes, coverage gaps/overlaps.

    Exits 0 when the layer is usable (repairs are reported, not fatal), 2 when not. A village
    column option (--code-column, --name-column, --kecamatan-column, --kabupaten-column) reads
    the layer as villages.
    """
    from kawasan_gis.io import validate_layer, write_layers

    report, problems = validate_layer(
        path, kind=kind, layer=layer, assume_crs=assume_crs, working_crs=working_crs, village_columns=village_columns(columns)
    )
    if out is not None:
        if problems is None:
            click.echo("Tidak ada geometri masalah untuk jenis layer ini / no problem geometries for this kind.", err=True)
        else:
            write_layers(out, {"masalah": problems})
            if not as_json:
                click.echo(f"Geometri masalah ditulis ke / problem geometries written to: {out} ({len(problems)})")
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(report.to_text())
