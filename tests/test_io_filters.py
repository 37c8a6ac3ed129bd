"""The ``where`` filter: one language, the same rows from every format, no evaluation of code."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from conftest import UTM48S, X0, Y0
from shapely.geometry import Point

from kawasan_gis.errors import LayerError
from kawasan_gis.io import read_layer, read_raw
from kawasan_gis.io.filters import parse_filter

# six activity centres; 'nama' holds the row number in words so a kept set reads back by name
NAMA = ["satu", "dua", "tiga", "empat", "lima", "enam"]


def centres() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "nama": NAMA,
            "KETERANGAN": ["PKL", "Ibukota Desa", None, "PPK Baru", "PKL", "ibukota desa"],
            "lokasi": ["Sukadana", "sukadana", "Jum'at", "Desa Baru", "Way Jepara", "Labuhan_Ratu"],
            "n": [1, 2, 3, 4, 5, 6],
            "luas": [1.5, 2.5, np.nan, 10.0, 0.5, 7.25],
        },
        geometry=[Point(X0 + 100 * i, Y0 + 50) for i in range(6)],
        crs=UTM48S,
    )


FORMATS = [(".gpkg", "GPKG"), (".shp", "ESRI Shapefile"), (".geojson", "GeoJSON"), (".fgb", "FlatGeobuf"), (".parquet", None)]

# filter -> the rows it keeps, worked out by hand from the table above
CASES = {
    "KETERANGAN <> 'Ibukota Desa'": ["satu", "empat", "lima", "enam"],  # the null row is unknown, left out
    "KETERANGAN = 'Ibukota Desa'": ["dua"],  # exact: 'ibukota desa' differs by case
    "KETERANGAN != 'PKL' AND n > 2": ["empat", "enam"],
    "NOT (KETERANGAN = 'PKL')": ["dua", "empat", "enam"],
    "KETERANGAN IS NULL OR n = 1": ["satu", "tiga"],
    "KETERANGAN IS NOT NULL AND luas >= 2.5": ["dua", "empat", "enam"],
    "keterangan IN ('PKL', 'PPK Baru')": ["satu", "empat", "lima"],  # column name in another case
    "KETERANGAN NOT IN ('PKL')": ["dua", "empat", "enam"],
    "lokasi LIKE 'S%'": ["satu"],  # LIKE is case-sensitive
    "lokasi ILIKE 's%'": ["satu", "dua"],
    "lokasi LIKE '%a_a%'": ["satu", "dua", "lima"],  # 'ada' in (S|s)ukadana, 'ara' in Way Jepara
    "lokasi LIKE 'Jum''at'": ["tiga"],
    "lokasi NOT LIKE '%a'": ["tiga", "empat", "enam"],
    "luas < 1 OR luas > 7": ["empat", "lima", "enam"],
    "(n <= 2 OR n >= 5) and not lokasi like '%Ratu'": ["satu", "dua", "lima"],
    "luas = -1 or n == 3": ["tiga"],
}


def write(frame: gpd.GeoDataFrame, path: Path, driver: str | None) -> None:
    if driver is None:
        frame.to_parquet(path)
    else:
        frame.to_file(path, driver=driver)


@pytest.mark.parametrize("suffix,driver", FORMATS)
def test_same_rows_from_every_format(tmp_path: Path, suffix: str, driver: str | None) -> None:
    path = tmp_path / f"pusat{suffix}"
    write(centres(), path, driver)
    for where, expected in CASES.items():
        frame, _ = read_raw(path, where=where)
        # FlatGeobuf's spatial index may reorder features
        assert sorted(frame["nama"], key=NAMA.index) == expected, (suffix, where)


def test_like_wildcards_by_hand() -> None:
    """'%a_a%': an 'a', any one character, an 'a' -- Sukadana (ada), sukadana, Way Jepara (ara); not
    Desa Baru ('a B', 'aru') nor Labuhan_Ratu."""
    frame = centres()
    assert frame.loc[parse_filter("lokasi LIKE '%a_a%'").mask(frame), "nama"].tolist() == ["satu", "dua", "lima"]
    # '_' is one character, exactly: Labuhan_Ratu has 12 characters, '____________' 12 underscores
    assert frame.loc[parse_filter("lokasi LIKE '" + "_" * 12 + "'").mask(frame), "nama"].tolist() == ["enam"]
    # regular-expression characters in the pattern are plain text
    assert not parse_filter("lokasi LIKE 'S.*'").mask(frame).any()


def test_read_layer_keeps_filtered_rows_in_order(tmp_path: Path) -> None:
    path = tmp_path / "pusat.gpkg"
    centres().to_file(path)
    pts = read_layer(path, kind="points", where="n >= 4")
    assert pts["nama"].tolist() == ["empat", "lima", "enam"] and list(pts.index) == [0, 1, 2]
    assert "filter: n >= 4" in pts.attrs["kawasan_report"].notes


@pytest.mark.parametrize(
    "where,message",
    [
        ("KETERANGAN = 'PKL", r"tanda kutip ' tidak ditutup / unclosed quote '.*posisi / position 14"),
        ("KETERANGAN 'PKL'", r"diharapkan operator .* / expected an operator"),
        ("KETERANGAN = PKL", r"'PKL' bukan nilai: teks ditulis dalam tanda kutip tunggal, 'PKL' / 'PKL' is not a value"),
        ("n = 1 AND", r"diharapkan nama kolom, ditemukan akhir filter / expected a column name, found the end"),
        ("(n = 1", r"expected '\)'"),
        ("n BETWEEN_IS_NOT_A_WORD = 1 OR n = 6", r"expected an operator .*, found 'BETWEEN_IS_NOT_A_WORD'"),
        ("n = 1; DROP TABLE pusat", r"unexpected character ';'"),
        ("NOPE = 1", r"kolom 'NOPE' tidak ada \(kolom: nama, KETERANGAN, lokasi, n, luas\) / no column 'NOPE'"),
        ("n = '1'", r"kolom 'n' berisi angka: tulis nilainya tanpa tanda kutip, 1 / column 'n' holds numbers"),
        ("KETERANGAN = 1807", r"column 'KETERANGAN' holds text: put the value in quotes, '1807'"),
        ("luas LIKE '1%'", r"column 'luas' holds numbers"),
    ],
)
@pytest.mark.parametrize("suffix,driver", [(".gpkg", "GPKG"), (".parquet", None)])
def test_bad_filters_name_the_file_and_the_filter(tmp_path: Path, suffix: str, driver: str | None, where: str, message: str) -> None:
    path = tmp_path / f"pusat{suffix}"
    write(centres(), path, driver)
    with pytest.raises(LayerError, match=message) as info:
        read_layer(path, kind="points", where=where)
    assert str(info.value).startswith(f"{path}: filter '{where}'")


@pytest.mark.parametrize(
    "where",
    [
        "__import__('os').system('touch pwned')",
        "@n > 0",
        "n.__class__ == 1",
        "nama == nama",  # pandas.query would compare two columns; here a value must be a literal
        "`n` > 0",
    ],
)
def test_filters_are_never_evaluated_as_code(tmp_path: Path, where: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """What DataFrame.query accepted (any Python expression) is a LayerError here, for GeoParquet too."""
    path = tmp_path / "pusat.parquet"
    centres().to_parquet(path)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(LayerError, match="filter"):
        read_raw(path, where=where)
    assert not (tmp_path / "pwned").exists()
    assert sorted(os.listdir(tmp_path)) == ["pusat.parquet"]


def test_quoted_column_names_and_keywords_in_any_case() -> None:
    frame = pd.DataFrame({"nama desa": ["A", "B", None], "IN": [1, 2, 3]})
    assert parse_filter('"nama desa" = \'B\' or "IN" = 3').mask(frame).tolist() == [False, True, True]
    assert parse_filter('"nama desa" is null').mask(frame).tolist() == [False, False, True]


def test_three_valued_logic_keeps_only_true_rows() -> None:
    """SQL's unknown: a null compared is neither kept nor kept under NOT; OR with a true side is true."""
    frame = pd.DataFrame({"a": ["x", None, "y"], "b": [1.0, 2.0, np.nan]})
    assert parse_filter("a = 'x'").mask(frame).tolist() == [True, False, False]
    assert parse_filter("NOT a = 'x'").mask(frame).tolist() == [False, False, True]
    assert parse_filter("a = 'q' OR b = 2").mask(frame).tolist() == [False, True, False]
    assert parse_filter("NOT (a = 'q' AND b = 9)").mask(frame).tolist() == [True, True, True]  # false AND unknown is false
    assert parse_filter("NOT (a = 'y' AND b = 1)").mask(frame).tolist() == [True, True, False]  # true AND unknown is unknown
