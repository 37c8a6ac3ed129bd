"""Missing-value tests for single cells, shared by the maps and the report.

A cell read from a GeoDataFrame can be missing in several spellings (``None``, a float
NaN, ``pd.NA``, ``pd.NaT``); every writer that shows cells to planners asks here, so a
missing value prints the same way everywhere. Imports nothing of the package.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

__all__ = ["is_present", "is_truthy"]


def is_present(value: Any) -> bool:
    """False for ``None``, NaN, ``pd.NA`` and ``pd.NaT``; True for anything else.

    Examples
    --------
    >>> [is_present(v) for v in (None, float("nan"), pd.NA, pd.NaT, 0, "")]
    [False, False, False, False, True, True]
    """
    if value is None:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    return not (value is pd.NA or value is pd.NaT)


def is_truthy(value: Any) -> bool:
    """``bool(value)`` for present values; False for missing ones (a missing flag is not set)."""
    return is_present(value) and bool(value)
