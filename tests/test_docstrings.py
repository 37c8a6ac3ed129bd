"""Every ``>>>`` example in kawasan_gis's docstrings runs, on the bundled data, and shows what it says.

One test per module, run from the repository root (the examples read ``data/...``). Examples
that write files or start a server are marked ``# doctest: +SKIP``; no other example may be
skipped (a skipped example is how an undefined name went unnoticed).
"""

from __future__ import annotations

import doctest
import importlib
import io
import pkgutil
from pathlib import Path

import pytest

import kawasan_gis

ROOT = Path(__file__).resolve().parents[1]

MODULES = sorted(
    info.name for info in pkgutil.walk_packages(kawasan_gis.__path__, prefix="kawasan_gis.") if not info.name.endswith("__main__")
)
FINDER = doctest.DocTestFinder(exclude_empty=True)
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

# the examples kept out of the run, each for a side effect: writing a file, serving, or the whole run
# (the pipeline has its own tests and takes ~10 s)
SKIP_ALLOWED = {
    "kawasan_gis.maps.web": ("save_map(",),
    "kawasan_gis.studio.server": ("StudioServer(", "server.start()"),
    "kawasan_gis.pipeline": ("run(load_config(", "result.kawasan["),
}


def _examples(module_name: str) -> list[doctest.DocTest]:
    module = importlib.import_module(module_name)
    return [t for t in FINDER.find(module, module_name, module=module) if t.examples]


@pytest.mark.parametrize("module_name", [m for m in MODULES if _examples(m)])
def test_docstring_examples_run(module_name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    out = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    for test in _examples(module_name):
        runner.run(test, out=out.write)
    assert runner.failures == 0, out.getvalue()


def test_only_side_effects_are_skipped() -> None:
    skipped = []
    for name in MODULES:
        for test in _examples(name):
            for ex in test.examples:
                if ex.options.get(doctest.SKIP) and not any(s in ex.source for s in SKIP_ALLOWED.get(name, ())):
                    skipped.append(f"{test.name}: {ex.source.strip()}")
    assert not skipped, "\n".join(skipped)

