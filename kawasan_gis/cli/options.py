"""Options several commands share: the village columns (every command that reads villages)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

# option -> keyword of kawasan_gis.io.read_villages and key of [inputs] villages in the config
VILLAGE_COLUMN_OPTIONS: dict[str, str] = {
    "--code-column": "code_column",
    "--name-column": "name_column",
    "--kecamatan-column": "kecamatan_column",
    "--kabupaten-column": "kabupaten_column",
}
_HELP = {
    "code_column": "Village code column of the village layer (default: detected).",
    "name_column": "Village name column of the village layer (default: detected).",
    "kecamatan_column": "Kecamatan name column of the village layer (default: detected).",
    "kabupaten_column": "Kabupaten name column of the village layer (default: detected).",
}


def village_column_options(command: F) -> F:
    """Add ``--code-column``, ``--name-column``, ``--kecamatan-column``, ``--kabupaten-column``."""
    for option, key in reversed(VILLAGE_COLUMN_OPTIONS.items()):
        command = click.option(option, key, metavar="COLUMN", help=_HELP[key])(command)
    return command


def village_columns(options: dict[str, Any]) -> dict[str, str]:
    """The village column options that were given, as ``read_villages`` keywords."""
    return {key: options[key] for key in VILLAGE_COLUMN_OPTIONS.values() if options.get(key)}
