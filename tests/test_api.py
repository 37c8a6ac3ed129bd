"""The flat public API: every step importable from ``kawasan_gis``, lazily, and the README's
notebook example runs as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import kawasan_gis as kg

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", [n for n in kg.__all__ if n != "__version__"])
def test_every_public_name_is_the_function_of_its_step(name: str) -> None:
    obj = getattr(kg, name)
    assert callable(obj)
    assert obj.__module__.startswith("kawasan_gis.")
    assert name in dir(kg)


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'tidak_ada'"):
        kg.tidak_ada  # noqa: B018


def test_importing_the_package_imports_no_heavy_library() -> None:
    code = "import sys, kawasan_gis; print(sorted(m for m in ('geopandas', 'folium', 'sklearn', 'matplotlib') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_readme_example_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "README has a ```python example"
    example = blocks[0]
    assert len(example.strip().splitlines()) <= 5
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {}
    exec(compile(example, "README.md", "exec"), namespace)  # noqa: S102 - the project's own README
    usulan = namespace["usulan"]
    hasil = namespace["hasil"]
    assert list(usulan.columns) == ["kawasan_id", "nama", "potensi", "n_desa", "verdict"]  # type: ignore[attr-defined]
    assert len(usulan) > 0 and usulan["n_desa"].ge(2).all()  # type: ignore[index]
    # every village of the layer is accounted for, inside a kawasan or not
    placed = hasil.villages.dropna(subset=["kawasan_id"]).groupby("kawasan_id").size()  # type: ignore[attr-defined]
    assert placed.to_dict() == usulan.set_index("kawasan_id")["n_desa"].to_dict()  # type: ignore[attr-defined]
