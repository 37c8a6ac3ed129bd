"""Verdicts of the plan check and the one ``--fail-on`` rule.

Owns :data:`VERDICTS` and the verdict of each kawasan from its ha/pct columns and the
:class:`~kawasan_gis.check.config.Thresholds` (:func:`verdicts`); :data:`FAIL_LEVELS`, which
kawasan fail a level (:func:`failing_kawasan`) and the message saying so
(:func:`fail_message`). ``kawasan check --fail-on`` and ``kawasan run`` (``[check] fail_on``)
both go through :meth:`~kawasan_gis.check.CheckResult.failure`, which calls these two.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kawasan_gis.check.config import Thresholds
from kawasan_gis.errors import ConfigError
from kawasan_gis.i18n import format_list, format_number, t

__all__ = ["FAIL_LEVELS", "VERDICTS", "fail_message", "failing_kawasan", "verdicts"]

VERDICTS: tuple[str, ...] = ("sesuai", "sesuai bersyarat", "tidak sesuai")
FAIL_LEVELS: tuple[str, ...] = ("never", "prohibited", "conditional")
"""``never``; ``prohibited``: X area; ``conditional``: X or B area (above the tolerance)."""


def verdicts(frame: pd.DataFrame, th: Thresholds) -> np.ndarray:
    """The verdict of each row of ``frame`` (columns ``ha_X``, ``ha_B``, ``pct_X``, ``pct_B``, ``pct_outside``)."""
    x_on = frame["ha_X"].to_numpy() > th.toleransi_ha
    b_on = frame["ha_B"].to_numpy() > th.toleransi_ha
    pct_x, pct_b, pct_out = (frame[c].fillna(0).to_numpy() for c in ("pct_X", "pct_B", "pct_outside"))
    bad = x_on & (pct_x > th.tidak_sesuai_pct_X)
    conditional = (x_on & (pct_x > th.bersyarat_pct_X)) | (b_on & (pct_b > th.bersyarat_pct_B)) | (pct_out > th.bersyarat_pct_outside)
    return np.where(bad, VERDICTS[2], np.where(conditional, VERDICTS[1], VERDICTS[0]))


def _statuses(level: str) -> tuple[str, ...]:
    if level not in FAIL_LEVELS:
        raise ConfigError(f"fail level must be one of {', '.join(FAIL_LEVELS)}, not {level!r}.")
    return {"never": (), "prohibited": ("X",), "conditional": ("X", "B")}[level]


def failing_kawasan(kawasan: pd.DataFrame, level: str, *, tolerance_ha: float) -> pd.DataFrame:
    """The rows of ``kawasan`` that fail ``level``: ``kawasan_id``, ``ha_X``, ``ha_B``.

    A kawasan fails ``prohibited`` when its X area is above ``tolerance_ha``, and
    ``conditional`` when its X or its B area is; nothing fails ``never``. Slivers at or below
    the tolerance are drawing noise along borders (see ``toleransi_ha`` in ``data/check.toml``).

    Raises
    ------
    ConfigError
        For a level not in :data:`FAIL_LEVELS`.
    """
    over = np.zeros(len(kawasan), dtype=bool)
    for status in _statuses(level):
        over |= kawasan[f"ha_{status}"].to_numpy() > tolerance_ha
    return pd.DataFrame(kawasan.loc[over, ["kawasan_id", "ha_X", "ha_B"]])


def fail_message(kawasan: pd.DataFrame, level: str, *, tolerance_ha: float, lang: str = "id") -> str | None:
    """How many kawasan fail ``level``, which, and their hectares above the tolerance; None if none.

    Examples
    --------
    >>> k = pd.DataFrame({"kawasan_id": ["K1", "K2"], "ha_X": [0.005, 12.5], "ha_B": [40.0, 0.0]})
    >>> fail_message(k, "prohibited", tolerance_ha=0.01)
    '1 kawasan dengan luas dilarang (X) di atas toleransi 0,01 ha: K2 (X 12,50 ha)'
    >>> fail_message(k, "conditional", tolerance_ha=0.01, lang="en")
    '2 kawasan with conditional (B) or prohibited (X) area above the 0.01 ha tolerance: K1 (B 40.00 ha), K2 (X 12.50 ha)'
    """
    bad = failing_kawasan(kawasan, level, tolerance_ha=tolerance_ha)
    if bad.empty:
        return None
    items = []
    for row in bad.to_dict("records"):
        areas = [f"{s} {format_number(row[f'ha_{s}'], 2, lang)} ha" for s in _statuses(level) if row[f"ha_{s}"] > tolerance_ha]
        items.append(f"{row['kawasan_id']} ({', '.join(areas)})")
    # as many decimals as the tolerance has: 0.01 -> "0,01", 250 -> "250"
    decimals = len(f"{tolerance_ha:f}".rstrip("0").partition(".")[2])
    return t(f"fail_{level}", lang, n=len(bad), toleransi=format_number(tolerance_ha, decimals, lang), daftar=format_list(items, lang=lang))
