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


# --------------------------------------------------------------------------- numbers and two-language texts


@pytest.mark.parametrize(("value", "decimals", "id_text", "en_text"), [
    (1234.5, 1, "1.234,5", "1,234.5"),
    (43621.54, 2, "43.621,54", "43,621.54"),
    (52776.06, 1, "52.776,1", "52,776.1"),
    (0.36, 2, "0,36", "0.36"),
    (-1234567, 0, "-1.234.567", "-1,234,567"),
    (float("nan"), 1, "–", "–"),
    (None, 1, "–", "–"),
])
def test_one_number_style_per_language(value, decimals, id_text, en_text) -> None:
    from kawasan_gis.i18n import format_number

    assert format_number(value, decimals) == id_text
    assert format_number(value, decimals, "en") == en_text


def test_a_message_travels_as_both_languages_and_shows_one() -> None:
    import copy
    import json
    import pickle

    from kawasan_gis.i18n import Message, Num, in_language, message

    m = message("no_table_row", n=17, daftar="3579011002")
    assert m.text("id") == "17 desa tidak punya baris tabel: 3579011002"
    assert m.text("en") == "17 village(s) have no table row: 3579011002"
    assert str(m) == "17 desa tidak punya baris tabel: 3579011002 / 17 village(s) have no table row: 3579011002"
    assert json.loads(json.dumps({"w": m})) == {"w": str(m)}
    for again in (pickle.loads(pickle.dumps(m)), copy.deepcopy(m)):
        assert isinstance(again, Message) and again.text("en") == m.text("en")
    assert in_language(m, "en") == m.text("en") and in_language("teks biasa", "en") == "teks biasa"
    # numbers in each language's style: ints without decimals, Num with its own
    span = message("span_warning", kawasan="K01", desa=30, desa_total=264, kec=5, kec_total=24, ha=Num(43621.54, 0),
                   ha_total=Num(385837.8, 0), pct_desa=Num(11.36, 0), pct_ha=Num(11.3, 0), pct_kec=Num(20.8, 0), batas=Num(25, 0))
    assert "43.622 dari 385.838 ha (11 %)" in span.text("id") and "43,622 of 385,838 ha (11 %)" in span.text("en")
    with pytest.raises(ConfigError):
        m.text("fr")


def test_spreadsheet_number_formats(tmp_path) -> None:
    """XLSX cells stay numbers; the display format carries thousands separators and the column's decimals."""
    import pandas as pd
    from openpyxl import load_workbook

    from kawasan_gis.outputs import write_xlsx

    table = pd.DataFrame({"nama": ["A", "B"], "luas_ha": [43621.54, 1.25], "n_desa": [12, 3], "pct_X": [2.5, 0.0],
                          "skor_permukiman": [0.36, 1.0], "campuran": [True, False]})
    write_xlsx(tmp_path / "t.xlsx", {"kawasan": table})
    sheet = load_workbook(tmp_path / "t.xlsx")["kawasan"]
    formats = {sheet.cell(1, j).value: sheet.cell(2, j).number_format for j in range(1, 7)}
    assert formats == {"nama": "General", "luas_ha": "#,##0.0", "n_desa": "#,##0", "pct_X": "#,##0.0",
                       "skor_permukiman": "#,##0.00", "campuran": "General"}
    assert sheet.cell(2, 2).value == 43621.54 and sheet.cell(3, 3).number_format == "#,##0"


def test_spreadsheet_cells_as_pandas_writes_them(tmp_path) -> None:
    """write_xlsx puts in every cell what DataFrame.to_excel through openpyxl puts there: missing values,
    empty texts, infinities, booleans, numbers in text columns; number formats stay on blank cells."""
    import numpy as np
    import pandas as pd
    from openpyxl import load_workbook

    from kawasan_gis.outputs import write_xlsx

    tables = {
        "a": pd.DataFrame({"nama": ["A", "", None, "=1+1"], "luas_ha": [1.5, np.nan, np.inf, -np.inf],
                           "n": pd.array([1, None, 3, 4], dtype="Int64"), "campuran": [True, False, True, False],
                           "catatan": [1, 2.5, "x", None], "skor_x": [0.1 + 0.2, 1 / 3, 2e-17, 123456789.123456789]}),
        "b": pd.DataFrame({"kode_desa": ["1807012001"], "n_desa": [np.int64(7)]}),
    }
    write_xlsx(tmp_path / "ours.xlsx", tables)
    with pd.ExcelWriter(tmp_path / "pandas.xlsx", engine="openpyxl") as xl:
        for sheet, table in tables.items():
            table.to_excel(xl, sheet_name=sheet, index=False)
    ours, ref = load_workbook(tmp_path / "ours.xlsx"), load_workbook(tmp_path / "pandas.xlsx")
    assert ours.sheetnames == ref.sheetnames == ["a", "b"]
    for sheet in ours.sheetnames:
        got = [[(c.value, type(c.value)) for c in row] for row in ours[sheet].iter_rows()]
        want = [[(c.value, type(c.value)) for c in row] for row in ref[sheet].iter_rows()]
        assert got == want
    a = ours["a"]
    assert a["B3"].value is None and a["B3"].number_format == "#,##0.0"  # a missing area keeps its column's format
    assert a["B4"].value == "inf" and a["A5"].value == "=1+1" and a["A5"].data_type == "s"  # a text, never a formula


def test_span_warning_names_the_shares(caplog: pytest.LogCaptureFixture) -> None:
    """A kawasan of 3 of 4 villages (300 of 400 ha, 1 of 2 kecamatan) is over a 25 % limit."""
    import logging

    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import box

    from kawasan_gis.pipeline import span_warnings

    villages = gpd.GeoDataFrame({"kode_desa": list("abcd"), "kode_kab": "1807", "kode_kec": ["01", "01", "01", "02"],
                                 "luas_ha": [100.0, 100.0, 100.0, 1000.0]}, geometry=[box(i, 0, i + 1, 1) for i in range(4)])
    members = villages.assign(kawasan_id=["K01", "K01", "K01", None])
    with caplog.at_level(logging.WARNING):
        (w,) = span_warnings(pd.DataFrame({"kawasan_id": ["K01"]}), members, villages, share_pct=25)
    assert caplog.records == []  # returned for the run's alerts, which the terminal prints once: not logged as well
    assert w.text("id").startswith("kawasan K01 mencakup 3 dari 4 desa (75 %), 300 dari 1.300 ha (23 %) dan 1 dari 2 kecamatan (50 %) "
                                   "kabupaten, di atas 25 %: ini wilayah, bukan kawasan perdesaan")
    assert w.text("en").startswith("kawasan K01 holds 3 of 4 villages (75 %), 300 of 1,300 ha (23 %) and 1 of 2 kecamatan (50 %) "
                                   "of its kabupaten, above 25 %: a region")
    assert span_warnings(pd.DataFrame({"kawasan_id": ["K01"]}), members, villages, share_pct=80) == []


def test_terminal_log_lines_in_the_runs_language() -> None:
    """`kawasan run --lang en` shows a two-language log warning in English only, on its own stderr handler."""
    import io
    import logging

    from kawasan_gis.cli.run import show_in_language
    from kawasan_gis.i18n import message

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        show_in_language("en")
        logging.getLogger("kawasan_gis.indicators").warning("%s", message("no_table_row", n=17, daftar="3579011002"))
        show_in_language("id")  # a second run in the same process replaces the language, not adds one
        logging.getLogger("kawasan_gis.indicators").warning("%s", message("no_table_row", n=1234, daftar="x"))
    finally:
        root.removeHandler(handler)
    assert stream.getvalue() == "17 village(s) have no table row: 3579011002\n1.234 desa tidak punya baris tabel: x\n"
    assert len(handler.filters) == 1
