"""The one missing-value test the maps and the report share."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kawasan_gis._values import is_present, is_truthy


def test_every_spelling_of_missing_is_missing():
    assert [is_present(v) for v in (None, float("nan"), np.float64("nan"), pd.NA, pd.NaT)] == [False] * 5


def test_falsy_values_are_present():
    assert [is_present(v) for v in (0, 0.0, "", False, "K01")] == [True] * 5


def test_truthy_needs_a_present_true_value():
    assert [is_truthy(v) for v in (True, 1, np.True_, False, 0, None, pd.NA, float("nan"))] == [True] * 3 + [False] * 5
