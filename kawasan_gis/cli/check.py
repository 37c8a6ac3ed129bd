"""``kawasan check``: check a plan against the kabupaten RTRW before it goes to the Bupati."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from kawasan_gis.cli.options import village_column_options, village_columns
from kawasan_gis.i18n import format_number, t

# kawasan_gis.check.FAIL_LEVELS, spelt out so that `kawasan check --help` does not import the
# check step (geopandas, scipy); tests/test_cli_help.py pins the two equal.
FAIL_LEVELS: tuple[str, ...] = ("never", "prohibited", "conditional")


def summary_table(kawasan: Any, lang: str = "id") -> str:
    """The kawasan summary as a fixed-width text table."""
    keys = ("kawasan", "potensi", "check_desa", "check_luas", "check_it", "check_b", "check_x", "check_l", "check_luar", "check_verdict", "check_aturan")
    heads = [t(k, lang) for k in keys]
    rows = [
        [
            str(r.kawasan_id),
            str(r.potensi),
            format_number(r.n_desa, 0, lang),
            format_number(r.luas_ha, 1, lang),
            format_number(r.pct_I + r.pct_T, 1, lang),
            format_number(r.pct_B, 1, lang),
            format_number(r.pct_X, 1, lang),
            format_number(getattr(r, "pct_L", 0.0), 1, lang),
            format_number(r.pct_outside, 1, lang),
            t("verdict_" + str(r.verdict).replace(" ", "_"), lang),
            str(r.n_error),
        ]
        for r in kawasan.itertuples(index=False)
    ]
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(heads)]
    right = {2, 3, 4, 5, 6, 7, 8, 10}

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    return "\n".join([line(heads), line(["-" * w for w in widths]), *(line(r) for r in rows)])


@click.command()
@click.argument("plan", type=click.Path(path_type=Path))
@click.option("--villages", "villages_path", required=True, type=click.Path(path_type=Path), help="Village boundary layer.")
@click.option("--villages-layer", help="Layer of the village file.")
@click.option("--rtrw", "rtrw_path", type=click.Path(path_type=Path),
              help="RTRW pola ruang layer. Without it only the plan's structure (Pasal 83 rules) is checked, and the outputs say so.")
@click.option("--rtrw-layer", help="Layer of the RTRW file.")
@click.option("--rtrw-column", help="Class column of the RTRW layer (default: detected).")
@click.option("--mapping", type=click.Path(path_type=Path), help="Mapping TOML of raw RTRW classes to standard codes.")
@click.option("--plan-layer", help="Layer of a multi-layer plan file (default 'kawasan').")
@click.option("--potential-column", help="Potential column of the plan (default: detected).")
@click.option("--kawasan-column", help="Kawasan id column of the plan (default: detected).")
@click.option("--lp2b", "lp2b_path", type=click.Path(path_type=Path), help="LP2B polygons (all of the layer is LP2B).")
@click.option("--hazard", "hazard_path", type=click.Path(path_type=Path), help="High disaster-hazard polygons.")
@click.option("--matrix", type=click.Path(path_type=Path), help="ITBX override TOML (see docs/vocab.md).")
@click.option("--thresholds", type=click.Path(path_type=Path), help="Verdict thresholds TOML (structure of data/check.toml).")
@click.option(
    "--conditional-conflicts/--no-conditional-conflicts",
    default=True,
    show_default=True,
    help="Also write B (conditional) areas to the konflik layer (as kawasan run does).",
)
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path), help="Output folder.")
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_LEVELS),
    default="never",
    show_default=True,
    help="Exit 3 when some kawasan has prohibited (X), or conditional (B) or X, area above the tolerance (toleransi_ha).",
)
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True, help="Language of labels and messages.")
@village_column_options
def check(
    plan: Path,
    villages_path: Path,
    villages_layer: str | None,
    rtrw_path: Path | None,
    rtrw_layer: str | None,
    rtrw_column: str | None,
    mapping: Path | None,
    plan_layer: str | None,
    potential_column: str | None,
    kawasan_column: str | None,
    lp2b_path: Path | None,
    hazard_path: Path | None,
    matrix: Path | None,
    thresholds: Path | None,
    conditional_conflicts: bool,
    out_dir: Path,
    fail_on: str,
    lang: str,
    **columns: str | None,
) -> None:
    """Check PLAN against the RTRW pola ruang (ITBX) and the kawasan perdesaan rules.

    PLAN is a table (CSV/XLSX: kode_desa, kawasan_id, potensi), polygons with a potential
    column, or the output of `kawasan propose`. Writes OUT/check.gpkg (layers kawasan,
    konflik, desa), OUT/check.csv and OUT/check.xlsx, and prints a summary.

    Without --rtrw the zoning is not checked: the rule checks of UU 6/2014 Pasal 83 (one
    kabupaten, contiguity, at least two villages) run alone, the terminal and every output say
    that the zoning was not checked, and --fail-on prohibited/conditional (which judge zoning)
    stop with exit code 2 before any work.

    Exit codes: 0 done, 2 bad input (also: the RTRW covers less than min_cakupan_rtrw_pct of the
    plan's village area), 3 the plan fails the --fail-on level (X area, or B or X
    area, above the tolerance of data/check.toml in some kawasan).
    """
    from kawasan_gis.check import check_plan, load_check_config, read_plan, write_check
    from kawasan_gis.errors import CheckFailed, CoverageError
    from kawasan_gis.io import read_class_layer, read_layer, read_villages
    from kawasan_gis.vocab import apply_mapping, load_itbx

    if rtrw_path is None:
        _check_structure_only(
            plan,
            villages_path,
            villages_layer=villages_layer,
            plan_layer=plan_layer,
            potential_column=potential_column,
            kawasan_column=kawasan_column,
            zoning_options={"--rtrw-layer": rtrw_layer, "--rtrw-column": rtrw_column, "--mapping": mapping, "--lp2b": lp2b_path,
                            "--hazard": hazard_path, "--matrix": matrix},
            thresholds=thresholds,
            out_dir=out_dir,
            fail_on=fail_on,
            lang=lang,
            columns=village_columns(columns),
        )
        return
    villages = read_villages(villages_path, layer=villages_layer, check_coverage=False, **village_columns(columns))
    rtrw = read_class_layer(rtrw_path, kind="rtrw", layer=rtrw_layer, working_crs=villages.crs)
    rtrw, _ = apply_mapping(rtrw, kind="rtrw", column=rtrw_column, mapping=mapping)
    overlays = {
        name: read_layer(path, kind="landuse", working_crs=villages.crs) if path is not None else None
        for name, path in (("lp2b", lp2b_path), ("hazard", hazard_path))
    }
    config = load_check_config(thresholds)
    the_plan = read_plan(plan, villages, layer=plan_layer, potential_column=potential_column, kawasan_column=kawasan_column)
    try:
        result = check_plan(
            the_plan,
            rtrw,
            itbx=load_itbx(overrides=matrix),
            lp2b=overlays["lp2b"],
            hazard=overlays["hazard"],
            include_conditional_conflicts=conditional_conflicts,
            config=config,
            lang=lang,  # type: ignore[arg-type]
        )
    except CoverageError as exc:
        raise CoverageError(f"{rtrw_path} x {plan}: {exc}") from None
    write_check(result, out_dir, styles=_check_styles(lang))
    click.echo(summary_table(result.kawasan, lang))
    reason = "alasan_verdict" if lang == "id" else "alasan_verdict_en"
    for kawasan_id, text in result.kawasan.loc[result.kawasan["verdict"] != "sesuai", ["kawasan_id", reason]].itertuples(index=False):
        click.echo(f"{kawasan_id}: {text}")
    for warning in result.info["peringatan"]:
        click.echo(f"! {warning}")
    errors = result.rules[result.rules["level"] == "error"]
    for message in errors["message"]:
        click.echo(f"! {message}")
    click.echo(f"{t('check_written', lang)}: {out_dir}")
    failure = result.failure(fail_on, lang=lang)
    if failure:
        raise CheckFailed(f"--fail-on {fail_on}: {failure}")


def _check_styles(lang: str) -> Any:
    """The default QGIS styles of ``check.gpkg``'s layers, legends in ``lang``."""
    from kawasan_gis.maps.qgis import CHECK_FIELDS, qgis_styles

    return lambda layers: qgis_styles(layers, lang=lang, fields=CHECK_FIELDS)


def _check_structure_only(
    plan: Path,
    villages_path: Path,
    *,
    villages_layer: str | None,
    plan_layer: str | None,
    potential_column: str | None,
    kawasan_column: str | None,
    zoning_options: dict[str, Any],
    thresholds: Path | None,
    out_dir: Path,
    fail_on: str,
    lang: str,
    columns: dict[str, str],
) -> None:
    """``kawasan check`` without --rtrw: the plan's structure, said loudly to be no zoning check."""
    from kawasan_gis.check import check_structure, load_check_config, read_plan, write_structure
    from kawasan_gis.errors import ConfigError
    from kawasan_gis.i18n import bilingual
    from kawasan_gis.io import read_villages

    if fail_on != "never":
        raise ConfigError(bilingual("structure_fail_on", level=fail_on) + ".")
    stray = [option for option, value in zoning_options.items() if value is not None]
    if stray:
        raise ConfigError(f"{', '.join(stray)} tanpa --rtrw tidak berarti apa-apa / mean nothing without --rtrw.")
    villages = read_villages(villages_path, layer=villages_layer, check_coverage=False, **columns)
    the_plan = read_plan(plan, villages, layer=plan_layer, potential_column=potential_column, kawasan_column=kawasan_column)
    result = check_structure(the_plan, config=load_check_config(thresholds), lang=lang)  # type: ignore[arg-type]
    write_structure(result, out_dir, styles=_check_styles(lang))
    click.echo(f"! {result.note}")
    n_error = int((result.kawasan["n_error"] > 0).sum())
    click.echo(t("structure_rules", lang, n=len(result.kawasan), e=n_error))
    for level, message in result.rules.loc[result.rules["level"] != "info", ["level", "message"]].itertuples(index=False):
        click.echo(f"! [{level}] {message}")
    click.echo(f"{t('check_written', lang)}: {out_dir}")
    click.echo(f"! {result.note}")
