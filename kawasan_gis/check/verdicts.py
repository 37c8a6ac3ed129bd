"""Verdicts of the plan check and the ``--fail-on`` levels.

Owns :data:`VERDICTS`, the verdict of each kawasan from its ha/pct columns and the
:class:`~kawasan_gis.check.config.Thresholds` (:func:`verdicts`), and :data:`FAIL_LEVELS`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kawasan_gis.check.config import Thresholds

__all__ = ["FAIL_LEVELS", "VERDICTS", "verdicts"]

VERDICTS: tuple[str, ...] = ("sesuai", "sesuai bersyarat", "tidak sesuai")
FAIL_LEVELS: tuple[str, ...] = ("never", "prohibited", "conditional")


def verdicts(frame: pd.DataFrame, th: Thresholds) -> np.ndarray:
    """The verdict of each row of ``frame`` (columns ``ha_X``, ``ha_B``, ``pct_X``, ``pct_B``, ``pct_outside``)."""
    x_on = frame["ha_X"].to_numpy() > th.toleransi_ha
    b_on = frame["ha_B"].to_numpy() > th.toleransi_ha
    pct_x, pct_b, pct_out = (frame[c].fillna(0).to_numpy() for c in ("pct_X", "pct_B", "pct_outside"))
    bad = x_on & (pct_x > th.tidak_sesuai_pct_X)
    conditional = (x_on & (pct_x > th.bersyarat_pct_X)) | (b_on & (pct_b > th.bersyarat_pct_B)) | (pct_out > th.bersyarat_pct_outside)
    return np.where(bad, VERDICTS[2], np.where(conditional, VERDICTS[1], VERDICTS[0]))
