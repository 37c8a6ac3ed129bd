"""``kawasan classes``: show how the class values of a layer map onto the standard classes."""

from __future__ import annotations

import json
import math
import numbers
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kawasan_gis.i18n import format_number

if TYPE_CHECKING:
    import geopandas as gpd

    from kawasan_gis.vocab import ClassMapping

_HEADERS = ("nilai asli", "n", "ha", "kode", "nama", "cara", "skor")

#: How each value was matched (``ClassMatch.method``), as the table says it; ``--json`` keeps the identifiers.
_METHODS = {"exact": "sama", "synonym": "sinonim", "code": "kode", "fuzzy": "mirip ejaan", "user": "pemetaan pengguna"}

#: After the method of a match made by spelling similarity alone: a person should confirm it.
REVIEW_MARK = "(periksa/review)"


@click.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--kind", type=click.Choice(["rtrw", "landuse", "landcover"]), required=True,
              help="Pola ruang (rtrw) or land use / land cover.")
@click.option("--layer", help="Layer inside a GeoPackage or zip.")
@click.option("--column", help="Class column (default: found by name, then by content).")
@click.option("--mapping", "mapping_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Mapping TOML ([mapping] \"raw value\" = \"code\"), e.g. a filled-in template.")
@click.option("--codes", type=click.Choice(["fungsikws", "klhk", "worldcover"]),
              help="Scheme of numeric class values (default: fungsikws for rtrw, klhk for land use).")
@click.option("--min-score", type=click.FloatRange(0, 100), default=85, show_default=True,
              help="Lowest fuzzy similarity accepted.")
@click.option("--json", "as_json", is_flag=True, help="Print the records as JSON.")
@click.option("--write-template", "template", type=click.Path(dir_okay=False, path_type=Path),
              help="Write a ready-to-edit mapping TOML here.")
def classes(
    path: Path,
    kind: str,
    layer: str | None,
    column: str | None,
    mapping_file: Path | None,
    codes: str | None,
    min_score: float,
    as_json: bool,
    template: Path | None,
) -> None:
    """List each raw class value of a layer with its count, hectares and standard class.

    Exits 2 when some values cannot be matched with confidence; with --write-template the
    mapping file to fill in is written, then passed back with --mapping.
    """
    from kawasan_gis.vocab import find_class_column, match_classes, review_message, write_template

    from kawasan_gis.errors import ReviewWarning

    gdf = _read(path, kind=kind, layer=layer)
    col = find_class_column(gdf, kind=kind, column=column)
    with warnings.catch_warnings():
        # the table marks every similarity match and the note below lists them: said once, not twice
        warnings.simplefilter("ignore", ReviewWarning)
        result = match_classes(gdf[col], kind=kind, mapping=mapping_file, min_score=min_score, codes=codes)
    records = summarise(gdf, col, result)
    if as_json:
        click.echo(json.dumps(records, indent=2, ensure_ascii=False))
    else:
        click.echo(f"{path.name}: kolom / column '{col}', {len(gdf)} fitur / features")
        click.echo(format_table(records))
    if result.fuzzy:
        click.echo(
            # both headlines, then the matches once
            f"Peringatan / warning: {review_message(result, listed=False).id} / {review_message(result).en}. "
            f"{REVIEW_MARK} = periksa; kukuhkan di file pemetaan (--write-template) / "
            f"{REVIEW_MARK} = review; confirm it in a mapping file (--write-template)",
            err=True,
        )
    if template is not None and not result.unmatched:
        write_template(result, template, column=col)
        click.echo(f"Templat pemetaan ditulis ke / mapping template written to: {template}", err=True)
    result.raise_for_unmatched(column=col, template_path=template)


def _read(path: Path, *, kind: str, layer: str | None) -> gpd.GeoDataFrame:
    from kawasan_gis.io import read_class_layer

    return read_class_layer(path, kind="rtrw" if kind == "rtrw" else "landuse", layer=layer)


def _hectares(gdf: gpd.GeoDataFrame) -> list[float]:
    """Area of each feature in hectares, measured in a projected CRS."""
    from kawasan_gis.errors import CRSError

    if gdf.crs is None:
        raise CRSError("Lapisan tidak punya CRS: luas (ha) tidak dapat dihitung / the layer has no CRS: hectares cannot be computed.")
    metric = gdf if gdf.crs.is_projected else gdf.to_crs(gdf.estimate_utm_crs())
    return (metric.geometry.area / 10_000).tolist()


def summarise(gdf: gpd.GeoDataFrame, column: str, mapping: ClassMapping) -> list[dict[str, Any]]:
    """One record per distinct raw value (and one for missing values), largest area first."""
    from kawasan_gis.vocab.text import is_missing

    counts: dict[object, int] = {}
    areas: dict[object, float] = {}
    for value, ha in zip(gdf[column], _hectares(gdf), strict=True):
        key = None if is_missing(value) else value
        counts[key] = counts.get(key, 0) + 1
        areas[key] = areas.get(key, 0.0) + ha
    by_raw = {r.raw: r for r in mapping}
    vocab = mapping.vocabulary
    records = []
    for key, n in counts.items():
        r = by_raw.get(key) if key is not None else None
        records.append(
            {
                "raw": _jsonable(key),
                "n": n,
                "ha": round(areas[key], 2),
                "code": r.code if r else None,
                "nama": vocab[r.code].nama if r and r.code else None,
                "name": vocab[r.code].name if r and r.code else None,
                "method": r.method if r else None,
                "score": r.score if r else None,
                "review": bool(r and r.method == "fuzzy"),
                "suggestions": [{"code": c, "score": s} for c, s in r.suggestions] if r and not r.code else [],
            }
        )
    records.sort(key=lambda rec: (-rec["ha"], str(rec["raw"])))
    return records


def format_table(records: list[dict[str, Any]]) -> str:
    """Aligned text table of :func:`summarise` records; numbers in Indonesian style (``1.234,5``), as
    every table a planner reads."""
    rows = []
    for rec in records:
        if rec["raw"] is None:
            raw, code, method = "(kosong / missing)", "", "-"
        else:
            raw = str(rec["raw"])
            code = rec["code"] or "?"
            method = _METHODS.get(rec["method"], rec["method"]) if rec["method"] else "TIDAK COCOK / UNMATCHED"
            if rec["review"]:
                method = f"{method} {REVIEW_MARK}"
        score = "" if rec["score"] is None else format_number(rec["score"], 1)
        rows.append((raw, format_number(rec["n"], 0), format_number(rec["ha"], 1), code, rec["nama"] or "", method, score))
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(_HEADERS)]
    right = {1, 2, 6}

    def line(cells: tuple[str, ...]) -> str:
        padded = (c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True)))
        return "  ".join(padded).rstrip()

    out = [line(_HEADERS), line(tuple("-" * w for w in widths))]
    out += [line(r) for r in rows]
    return "\n".join(out)


def _jsonable(value: object) -> object:
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return int(number) if math.isfinite(number) and number.is_integer() else number
    return str(value)
