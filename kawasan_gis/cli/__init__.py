"""The ``kawasan`` command line: a thin layer over the library.

Sub-commands live in their own modules and are imported only when used, so
``kawasan --help`` stays fast. User errors (:class:`~kawasan_gis.errors.KawasanError`)
are printed without a traceback and map to exit codes: 2 bad input (or an output folder that
cannot be written: read-only, disk full), 3 failed check; Ctrl-C ends with 130 and a message.
"""

from __future__ import annotations

import importlib
import logging
import sys
import warnings

import click

# name -> ("module:attribute", the command's one-line help). The help line is kept here so that
# `kawasan --help` lists every command without importing any (tests/test_cli_help.py pins each line
# to the command's own docstring).
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("kawasan_gis.cli.check:check",
              "Check PLAN against the RTRW pola ruang (ITBX) and the kawasan perdesaan rules."),
    "classes": ("kawasan_gis.cli.classes:classes",
                "List each raw class value of a layer with its count, hectares and standard class."),
    "demo": ("kawasan_gis.cli.run:demo",
             "Run the full pipeline on the bundled Lampung Timur and Gorontalo data."),
    "indicators": ("kawasan_gis.cli.indicators:indicators",
                   "Compute the indicator table (one row per village) and write it as CSV or XLSX."),
    "init": ("kawasan_gis.cli.run:init",
             "Write a commented starter config FOLDER/kawasan.toml pointing at your files."),
    "map": ("kawasan_gis.cli.map:map_command",
            "Draw RESULT_DIR/kawasan.gpkg as an interactive map (villages, kawasan, RTRW, conflicts)."),
    "propose": ("kawasan_gis.cli.propose:propose",
                "Score each village's potentials and propose contiguous kawasan within each kabupaten."),
    "run": ("kawasan_gis.cli.run:run_command",
            "Run validation, indicators, scoring, proposal, RTRW check, maps and report from CONFIG."),
    "studio": ("kawasan_gis.cli.studio:studio",
               "Open the participatory planning studio on RESULT_DIR, the output folder of `kawasan run`."),
    "validate": ("kawasan_gis.cli.validate:validate",
                 "Check one layer: features, CRS, columns, repairs, codes, coverage gaps/overlaps."),
}


INTERRUPTED = (
    "Dihentikan (Ctrl-C). Tidak ada keluaran yang ditulis; hasil sebelumnya tetap utuh. Jalankan lagi perintah "
    "yang sama untuk mengulang. / Interrupted (Ctrl-C). No output was written; previous results are intact. "
    "Run the same command again to redo it."
)


class LazyGroup(click.Group):
    """Click group that imports a sub-command's module only when it is invoked."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module_name, attr = COMMANDS[cmd_name][0].split(":")
        return getattr(importlib.import_module(module_name), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from :data:`COMMANDS`, so that ``kawasan --help`` imports no command."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        # a bare Command shortens the line exactly as the real one would
        rows = [(name, click.Command(name, help=COMMANDS[name][1]).get_short_help_str(limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> object:
        from kawasan_gis.errors import KawasanError

        try:
            return super().invoke(ctx)
        except KawasanError as exc:
            raise UserError(exc) from None
        except KeyboardInterrupt:
            # every writer is all-or-nothing (kawasan_gis._atomic): an interrupted command has
            # written nothing, and a previous result folder is as it was
            click.echo(f"\n{INTERRUPTED}", err=True)
            raise SystemExit(130) from None


class UserError(click.ClickException):
    """A :class:`KawasanError` shown as a one-paragraph message, with its own exit code."""

    def __init__(self, exc: Exception) -> None:
        super().__init__(str(exc))
        self.exit_code = getattr(exc, "exit_code", 2)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More detail (-v info, -vv debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors; no progress bars.")
@click.version_option(package_name="kawasan_gis")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """kawasan_gis: plan kawasan perdesaan from village, land-use and RTRW layers."""
    level = logging.WARNING if not verbose else (logging.INFO if verbose == 1 else logging.DEBUG)
    if quiet:
        level = logging.ERROR
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    # warnings reach planners as one readable line, not a Python source excerpt
    warnings.formatwarning = _format_warning
    ctx.ensure_object(dict)
    ctx.obj["quiet"] = quiet or not sys.stderr.isatty()
    ctx.obj["verbose"] = verbose


def _format_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int, line: str | None = None) -> str:
    # a command without a language option speaks Indonesian, as the package does by default;
    # a kawasan_gis warning (KawasanWarning) prints its Indonesian text, anything else as it came
    label = "Perbaikan" if category.__name__ == "RepairWarning" else "Peringatan"
    return f"{label}: {message}\n"


def main() -> None:
    """Console-script entry point."""
    cli(obj={})
