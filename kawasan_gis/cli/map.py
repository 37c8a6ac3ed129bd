"""``kawasan map``: draw a result folder as an interactive HTML map."""

from __future__ import annotations

from pathlib import Path

import click

LAYERS = ("desa", "kawasan", "sambungan", "konflik", "pola_ruang", "penggunaan_lahan")


def read_result(folder: Path) -> dict[str, object]:
    """The layers of ``folder/kawasan.gpkg`` that exist, as keyword arguments of ``map_kawasan``.

    Raises
    ------
    DataSourceError
        When the folder has no ``kawasan.gpkg``.
    LayerError
        When the GeoPackage has no ``desa`` layer.
    """
    import geopandas as gpd

    from kawasan_gis.errors import DataSourceError, LayerError
    from kawasan_gis.io import list_layers

    gpkg = folder / "kawasan.gpkg"
    if not gpkg.is_file():
        raise DataSourceError(f"{gpkg}: tidak ditemukan; RESULT_DIR harus folder hasil kawasan run / not found; RESULT_DIR must be a folder written by the pipeline")
    present = set(list_layers(gpkg))
    if "desa" not in present:
        raise LayerError(f"{gpkg}: tidak ada lapisan 'desa' / has no 'desa' layer (ada / found: {', '.join(sorted(present)) or '-'})")
    out: dict[str, object] = {}
    for name in LAYERS:
        if name in present:
            gdf = gpd.read_file(gpkg, layer=name, engine="pyogrio")
            if name == "desa" or len(gdf):
                out[name] = gdf
    return out


@click.command(name="map")
@click.argument("result_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True, help="Language of the labels.")
@click.option("--offline", is_flag=True, help="Inline all scripts and styles so the map opens without internet.")
@click.option("--compare", "compare_dir", type=click.Path(file_okay=False, path_type=Path),
              help="A second result folder to show side by side (e.g. the planner's plan).")
@click.option("--simplify", "simplify_m", type=click.FloatRange(min=0), default=25.0, show_default=True,
              help="Simplification tolerance in metres (0 keeps every vertex).")
@click.option("--title", help="Map title (with --compare: the left title; the folder names by default).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The HTML file to write.")
def map_command(result_dir: Path, lang: str, offline: bool, compare_dir: Path | None, simplify_m: float,
                title: str | None, out: Path) -> None:
    """Draw RESULT_DIR/kawasan.gpkg as an interactive map (villages, kawasan, RTRW, conflicts).

    Writes one HTML file atomically and prints its path and size.
    """
    from kawasan_gis import maps

    left = read_result(result_dir)
    if compare_dir is not None:
        right = read_result(compare_dir)
        titles = (title or result_dir.resolve().name, compare_dir.resolve().name)
        m = maps.compare_maps(left, right, titles=titles, lang=lang, offline=offline, simplify_m=simplify_m)
    else:
        m = maps.map_kawasan(**left, lang=lang, offline=offline, simplify_m=simplify_m, title=title)  # type: ignore[arg-type]
    out.parent.mkdir(parents=True, exist_ok=True)
    path = maps.save_map(m, out, offline=offline)
    size = path.stat().st_size
    click.echo(f"{path}  ({size / 1e6:.2f} MB)")
