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


# --------------------------------------------------------------------------- the catalogue


def test_messages_are_templates_filled_in_either_language() -> None:
    from kawasan_gis.i18n import t

    assert t("fail_prohibited", "en", n=2, toleransi="0.01", daftar="A, B") == (
        "2 kawasan with prohibited (X) area above the 0.01 ha tolerance or not covered by the RTRW: A, B"
    )
    assert t("check_verdict") == "Putusan" and t("verdict_sesuai_bersyarat", "en") == "conditionally compliant"
    with pytest.raises(KeyError):
        t("no_such_key")
    with pytest.raises(ConfigError, match="unknown language 'fr'"):
        t("check_verdict", "fr")


def test_errors_give_both_languages_indonesian_first() -> None:
    from kawasan_gis.i18n import bilingual

    assert bilingual("plan_row") == "baris / row"
    assert bilingual("list_more", n=3) == "dan 3 lainnya / and 3 more"


def test_every_entry_has_both_languages_with_the_same_fields() -> None:
    import string

    from kawasan_gis.i18n import LABELS

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for key, (indonesian, english) in LABELS.items():
        assert indonesian.strip() and english.strip(), key
        assert fields(indonesian) == fields(english), key


def test_extend_adds_and_replaces_in_a_new_catalogue() -> None:
    from kawasan_gis.i18n import CATALOGUE

    more = CATALOGUE.extend({"sapaan": {"id": "Halo {nama}", "en": "Hello {nama}", "level": "info"}, "kawasan": {"id": "Zona", "en": "Zone"}})
    assert more.t("sapaan", "en", nama="Budi") == "Hello Budi" and more.t("kawasan") == "Zona"
    assert CATALOGUE.t("kawasan") == "Kawasan" and "sapaan" not in CATALOGUE.entries  # the package catalogue is unchanged
    assert more.extend({"x": {"id": "a", "en": "b"}}, prefix="rule_").t("rule_x", "en") == "b"
