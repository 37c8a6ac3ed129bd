"""Open a GeoPackage's layers in QGIS itself (headless) and report the styles QGIS applied.

QGIS's Python bindings are Debian's (``python3-qgis``) and import only under the system
``/usr/bin/python3``, not the project's virtualenv: :func:`qgis_styles_seen` runs
:data:`PROBE` there in a subprocess with ``QT_QPA_PLATFORM=offscreen`` and returns what QGIS
says about each layer after loading its default style. :func:`require_qgis` skips the calling
test when QGIS is not installed, except in CI (``CI=true``), where it fails with the fix.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

SYSTEM_PYTHON = "/usr/bin/python3"

PROBE = r"""
import json, os, sys
from qgis.core import QgsApplication, QgsExpressionContextUtils, QgsRenderContext, QgsVectorLayer

gpkg, names = sys.argv[1], sys.argv[2:]
app = QgsApplication([], False)
app.initQgis()

def colour(c):
    return [c.red(), c.green(), c.blue(), c.alpha()]

def symbol_info(sym):
    sl = sym.symbolLayer(0)
    info = {"type": sym.type(), "layer": sl.layerType(), "fill": colour(sl.color())}
    if hasattr(sl, "strokeColor"):
        info["stroke"] = colour(sl.strokeColor())
    if sl.layerType() == "SimpleLine":
        info["stroke"] = colour(sl.color())
    if hasattr(sl, "brushStyle"):
        info["brush"] = int(sl.brushStyle())
    return info

out = {}
for name in names:
    layer = QgsVectorLayer(f"{gpkg}|layername={name}", name, "ogr")
    if not layer.isValid():
        out[name] = {"valid": False}
        continue
    message, ok = layer.loadDefaultStyle()
    r = layer.renderer()  # None for a layer QGIS sees without geometry (an empty layer of unknown type)
    info = {"valid": True, "loaded": bool(ok), "message": message, "renderer": r.type() if r is not None else None}
    if r is None:
        pass
    elif r.type() == "categorizedSymbol":
        info["attr"] = r.classAttribute()
        info["categories"] = [
            {"value": c.value(), "label": c.label(), **symbol_info(c.symbol())} for c in r.categories()
        ]
        # the fill QGIS draws each feature with, in feature order (None: not drawn)
        ctx = QgsRenderContext()
        ctx.expressionContext().appendScopes(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
        r.startRender(ctx, layer.fields())
        info["feature_fills"] = []
        for f in layer.getFeatures():
            ctx.expressionContext().setFeature(f)
            sym = r.symbolForFeature(f, ctx)
            info["feature_fills"].append(colour(sym.symbolLayer(0).color()) if sym is not None else None)
        r.stopRender(ctx)
    elif r.type() == "singleSymbol":
        info["symbol"] = symbol_info(r.symbol())
    info["labels"] = bool(layer.labelsEnabled())
    info["label_field"] = layer.labeling().settings().fieldName if layer.labeling() is not None else None
    out[name] = info
print("KAWASAN_PROBE " + json.dumps(out), flush=True)
# QgsApplication.exitQgis() can crash a headless process on its way out; the answer is printed
os._exit(0)
"""


@functools.cache
def qgis_available() -> bool:
    """True when the system Python imports QGIS."""
    if not Path(SYSTEM_PYTHON).exists():
        return False
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PYTHONPATH", None)
    proc = subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True, env=env, timeout=60)
    return proc.returncode == 0


def require_qgis() -> None:
    """Skip without QGIS locally; fail in CI, where it must be installed."""
    if qgis_available():
        return
    message = (
        f"QGIS is not importable by {SYSTEM_PYTHON}: install it with "
        "`apt-get install -y python3-qgis qgis-providers` (.ci/run does)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def qgis_styles_seen(gpkg: Path, names: list[str]) -> dict[str, Any]:
    """What QGIS reports for each layer of ``gpkg`` after loading its default style."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(gpkg.parent)}
    env.pop("PYTHONPATH", None)  # the project's packages must not shadow Debian's
    proc = subprocess.run(
        [SYSTEM_PYTHON, "-c", PROBE, str(gpkg), *names], capture_output=True, text=True, env=env, timeout=120, cwd=gpkg.parent
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("KAWASAN_PROBE ")]
    assert proc.returncode == 0 and lines, f"QGIS probe failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
    return json.loads(lines[-1].removeprefix("KAWASAN_PROBE "))
