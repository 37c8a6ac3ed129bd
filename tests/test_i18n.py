"""The shared list formatter of :mod:`kawasan_gis.i18n`."""

from __future__ import annotations

import numpy as np
import pytest

from kawasan_gis.errors import ConfigError
from kawasan_gis.i18n import format_list


def test_long_list_shows_the_first_items_and_counts_the_rest_in_indonesian() -> None:
    assert format_list(["a", "b", "c", "d", "e", "f", "g", "h"], limit=3) == "a, b, c ... dan 5 lainnya"


def test_long_list_in_english() -> None:
    assert format_list(["a", "b", "c", "d", "e", "f", "g", "h"], limit=3, lang="en") == "a, b, c ... and 5 more"


def test_list_at_or_under_the_limit_is_shown_whole() -> None:
    assert format_list(["a", "b", "c"], limit=3) == "a, b, c"
    assert format_list(["a"], limit=3, lang="en") == "a"
    assert format_list([], limit=3) == ""


def test_default_limit_is_ten() -> None:
    assert format_list(range(11)) == "0, 1, 2, 3, 4, 5, 6, 7, 8, 9 ... dan 1 lainnya"


def test_any_iterable_and_any_item_type() -> None:
    assert format_list(np.array([10, 20, 30]), limit=2, lang="en") == "10, 20 ... and 1 more"
    assert format_list((x for x in ("p", None, 1.5)), limit=5) == "p, None, 1.5"


def test_the_left_out_count_uses_the_languages_thousands_separator() -> None:
    assert format_list(range(1003), limit=2) == "0, 1 ... dan 1.001 lainnya"
    assert format_list(range(1003), limit=2, lang="en") == "0, 1 ... and 1,001 more"


def test_bad_language_or_limit() -> None:
    with pytest.raises(ConfigError, match="unknown language 'fr'"):
        format_list(["a"], lang="fr")
    with pytest.raises(ValueError, match="at least 1"):
        format_list(["a"], limit=0)
