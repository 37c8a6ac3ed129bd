"""The ``kawasan`` command line: a thin layer over the library.

Sub-commands live in their own modules and are imported only when used, so
``kawasan --help`` stays fast. User errors (:class:`~kawasan_gis.errors.KawasanError`)
are printed without a traceback and map to exit codes: 2 bad input, 3 failed check.
"""

from __future__ import annotations

import importlib
import logging
import sys
import warnings

import click

# name -> "module:attribute"; a command module is added here when it exists.
COMMANDS: dict[str, str] = {
    "run": "kawasan_gis.cli.run:run_command",
    "init": "kawasan_gis.cli.run:init",
    "demo": "kawasan_gis.cli.run:demo",
    "propose": "kawasan_gis.cli.propose:propose",
    "validate": "kawasan_gis.cli.validate:validate",
    "map": "kawasan_gis.cli.map:map_command",
    "classes": "kawasan_gis.cli.classes:classes",
    "indicators": "kawasan_gis.cli.indicators:indicators",
    "check": "kawasan_gis.cli.check:check",
    "studio": "kawasan_gis.cli.studio:studio",
}


class LazyGroup(click.Group):
    """Click group that imports a sub-command's module only when it is invoked."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        return getattr(importlib.import_module(module_name), attr)

    def invoke(self, ctx: click.Context) -> object:
        from kawasan_gis.errors import KawasanError

        try:
            return super().invoke(ctx)
        except KawasanError as exc:
            raise UserError(exc) from None


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
    label = "Perbaikan / repaired" if category.__name__ == "RepairWarning" else "Peringatan / warning"
    return f"{label}: {message}\n"


def main() -> None:
    """Console-script entry point."""
    cli(obj={})
