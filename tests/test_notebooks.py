"""The notebooks are stored stripped; their execution is the nbmake part of the test run.

``pytest --nbmake`` executes every notebook under ``notebooks/`` (each ends with assertions
on real figures). These tests only keep the stored files clean: no outputs, no execution
counts, the ``python3`` kernel, and nothing fetched from the network.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_the_three_notebooks_exist() -> None:
    assert [p.name for p in NOTEBOOKS] == [
        "01_mulai_cepat.ipynb",
        "02_pemetaan_kelas_dan_bobot.ipynb",
        "03_memeriksa_rencana.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stripped(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert all(not c.metadata for c in nb.cells)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_offline_and_ends_with_checks(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert not re.search(r"https?://|urlopen|requests\.|pip install|!wget|!curl", source)
    last_cells = [c.source for c in nb.cells if c.cell_type == "code"][-2:]
    assert any("assert" in s for s in last_cells), "end each notebook with assertions on real figures"
