"""Verdicts of the plan check and the one ``--fail-on`` rule.

Owns :data:`VERDICTS` and the verdict of each kawasan from its ha/pct columns and the
:class:`~kawasan_gis.check.config.Thresholds` (:func:`verdicts`), with its reason in words
(:func:`verdict_reasons`: which share passed which threshold); :data:`FAIL_LEVELS`, which
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

__all__ = ["FAIL_LEVELS", "VERDICTS", "fail_message", "failing_kawasan", "verdict_reasons", "verdicts"]

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


def _threshold(value: float, lang: str) -> str:
    """A threshold as people write it: 5 -> "5", 2.5 -> "2,5" (id) / "2.5" (en)."""
    return format_number(value, len(f"{value:f}".rstrip("0").partition(".")[2]), lang)


def verdict_reasons(frame: pd.DataFrame, th: Thresholds, *, lang: str = "id") -> list[str]:
    """Why each row of ``frame`` got its :func:`verdicts` verdict, in words.

    The verdict, then every share that passed its threshold (prohibited first), or, for a
    ``sesuai`` kawasan, its X, B and outside shares, all within their thresholds. Shares of X
    and B at or below ``toleransi_ha`` hectares do not count, as in :func:`verdicts`.

    Examples
    --------
    >>> from kawasan_gis.check import load_check_config
    >>> th = load_check_config().thresholds
    >>> k = pd.DataFrame({"ha_X": [61.0, 0.0], "ha_B": [0.0, 150.0], "pct_X": [6.1, 0.0],
    ...                   "pct_B": [0.0, 15.0], "pct_outside": [0.0, 0.0]})
    >>> verdict_reasons(k, th)
    ['tidak sesuai: dilarang (X) 6,1 % > ambang 5 %', 'sesuai bersyarat: bersyarat (B) 15,0 % > ambang 10 %']
    >>> verdict_reasons(k, th, lang="en")[0]
    'not compliant: prohibited (X) 6.1 % > threshold 5 %'
    """
    labels = {v: t("verdict_" + v.replace(" ", "_"), lang) for v in VERDICTS}
    out = []
    for row, verdict in zip(frame.to_dict("records"), verdicts(frame, th), strict=True):
        x_on, b_on = row["ha_X"] > th.toleransi_ha, row["ha_B"] > th.toleransi_ha
        pct = {k: 0.0 if pd.isna(row[f"pct_{k}"]) else float(row[f"pct_{k}"]) for k in ("X", "B", "outside")}
        x_limit = th.tidak_sesuai_pct_X if verdict == VERDICTS[2] else th.bersyarat_pct_X
        passed = [
            (key, pct[share], limit)
            for key, share, on, limit in (
                ("reason_x", "X", x_on, x_limit),
                ("reason_b", "B", b_on, th.bersyarat_pct_B),
                ("reason_outside", "outside", True, th.bersyarat_pct_outside),
            )
            if on and pct[share] > limit
        ]
        if passed:
            why = "; ".join(t(key, lang, pct=format_number(value, 1, lang), ambang=_threshold(limit, lang)) for key, value, limit in passed)
        else:
            why = t("reason_within", lang, x=format_number(pct["X"], 1, lang), b=format_number(pct["B"], 1, lang),
                    luar=format_number(pct["outside"], 1, lang))
        out.append(f"{labels[verdict]}: {why}")
    return out


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
    return t(f"fail_{level}", lang, n=len(bad), toleransi=_threshold(tolerance_ha, lang), daftar=format_list(items, lang=lang))
