"""Attribute tables (CSV with comma or semicolon, XLSX) read with every column as text."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kawasan_gis.errors import DataSourceError
from kawasan_gis.io.sources import existing_file


def read_table(path: str | Path | pd.DataFrame) -> pd.DataFrame:
    """Read a CSV (comma or semicolon) or XLSX table with every column as text.

    Text keeps codes intact (no lost leading zeros, no ``1807012001.0``); numeric columns
    are recognised later by whoever uses them.
    """
    if isinstance(path, pd.DataFrame):
        return path
    path = existing_file(path)
    try:
        if path.suffix.lower() in {".xlsx", ".xlsm", ".xls"}:
            return pd.read_excel(path, dtype=str)
        table = pd.read_csv(path, dtype=str, low_memory=False, encoding="utf-8-sig")
        if table.shape[1] == 1 and ";" in str(table.columns[0]):
            table = pd.read_csv(path, dtype=str, sep=";", low_memory=False, encoding="utf-8-sig")
        return table
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise DataSourceError(f"{path}: tidak dapat dibaca sebagai tabel CSV/XLSX / cannot be read as a CSV/XLSX table ({exc}).") from None
