"""`kawasan --help` and `kawasan <cmd> --help` import no heavy library, and say what the commands say."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from kawasan_gis.cli import COMMANDS, cli

HEAVY = ("geopandas", "shapely", "pandas", "folium", "matplotlib", "sklearn", "rasterio", "pyogrio")

# the CLI's --help run in a fresh interpreter, then the heavy modules it left in sys.modules
PROBE = """
import json, sys
from kawasan_gis.cli import cli
try:
    cli(sys.argv[1:], prog_name="kawasan", standalone_mode=False)
finally:
    print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)), file=sys.stderr)
"""


def _heavy_imports(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *args], capture_output=True, text=True, check=True
    )
    assert "Usage: kawasan" in done.stdout
    return json.loads(done.stderr.strip().splitlines()[-1])


def test_top_level_help_imports_no_command() -> None:
    assert _heavy_imports("--help") == []


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_help_imports_nothing_heavy(name: str) -> None:
    assert _heavy_imports(name, "--help") == []


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_table_is_the_commands_own_first_line(name: str) -> None:
    command = cli.get_command(click.Context(cli), name)
    assert command is not None and command.name == name
    assert COMMANDS[name][1] == command.get_short_help_str(limit=1000)


def test_top_level_help_lists_every_command_once() -> None:
    out = CliRunner().invoke(cli, ["--help"]).output
    listed = [line.split()[0] for line in out.split("Commands:")[1].splitlines() if line.strip()]
    assert listed == sorted(COMMANDS)


def test_spelt_out_choices_match_the_library() -> None:
    from kawasan_gis.check import FAIL_LEVELS
    from kawasan_gis.cli import check, validate
    from kawasan_gis.io import KINDS

    assert check.FAIL_LEVELS == FAIL_LEVELS
    assert validate.KINDS == KINDS


def test_a_run_never_imports_scikit_learn() -> None:
    # scikit-learn takes ~2 s to import (scipy.stats with it): reading a config, proposing with
    # Ward (its merge tree is computed in kawasan_gis) and recording the library versions must
    # not pay for it; it is a test-time reference only
    probe = (
        "import json, sys\n"
        "import numpy as np\n"
        "from scipy import sparse\n"
        "from kawasan_gis.config import load_config\n"
        "load_config('data/lampung_timur.toml')\n"
        "from kawasan_gis.regionalize import propose_kawasan\n"
        "from kawasan_gis.regionalize.ward import ward_children, ward_cuts\n"
        "adj = sparse.csr_matrix(np.eye(4, k=1) + np.eye(4, k=-1))\n"
        "cuts = ward_cuts(ward_children(np.array([[0.0], [0.1], [5.0], [5.2]]), adj), 4, [2])\n"
        "from kawasan_gis.outputs import versions\n"
        "versions()\n"
        "print(json.dumps(['sklearn' in sys.modules, cuts[2].tolist()]))\n"
    )
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=root)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [False, [0, 0, 1, 1]]
