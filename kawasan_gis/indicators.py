"""The indicator table: every per-village figure the later steps use, in one DataFrame.

:func:`build_indicators` runs the overlays of :mod:`kawasan_gis.overlay` on whichever layers
are given and names the columns as fixed in ``docs/design.md`` (the full list with units is
in ``docs/indicators.md``):

======================== ==========================================================
``luas_ha``              village area (ha, working CRS)
``ha_<kind>_<class>``    hectares of a standard class; ``<kind>`` is ``landuse``
                         (polygons), ``landcover`` (raster) or ``rtrw`` (pola ruang)
``pct_<kind>_<class>``   the same as a percentage of the village (0-100)
``ha_<kind>_unmapped``   village area the layer does not cover (no data is not zero)
``pct_<kind>_unmapped``  the same in percent
``ha_rtrw_overlap``      village area where zoning polygons overlapped (resolved by
                         priority, counted once in the winning class)
``km_per_km2_<name>``    line density of a line layer, ``km_per_km2_<name>_<value>``
                         by class
``n_<name>``             points inside the village, ``n_<name>_<value>`` by class
``jarak_km_<name>``      km to the nearest point (0 inside), also by class
``tbl_<column>``         numeric columns of an attribute table joined by code
======================== ==========================================================

``df.attrs["sources"]`` maps every column to the input it came from and
``df.attrs["missing"]`` lists the inputs that were not given, so later steps can say
which indicators could not be computed.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kawasan_gis import overlay
from kawasan_gis.errors import DataSourceError, FieldError, KawasanWarning
from kawasan_gis.i18n import LANGUAGES, Message, format_list, format_number, t
from kawasan_gis.io import read_table, require_villages

log = logging.getLogger(__name__)

__all__ = [
    "INPUTS",
    "JoinReport",
    "UnmatchedRowsWarning",
    "attach_indicators",
    "build_indicators",
    "join_table",
    "landcover_class_map_for",
    "read_table",
    "write_indicators",
]

CODE = overlay.CODE
INPUTS = ("landuse", "landcover", "rtrw", "lines", "points", "table")
"""Inputs :func:`build_indicators` can use; those not given are listed in ``attrs["missing"]``."""

PathOrFrame = str | PathLike[str] | pd.DataFrame
LayerArg = gpd.GeoDataFrame | tuple[gpd.GeoDataFrame, str | None]


class UnmatchedRowsWarning(KawasanWarning):
    """Rows of an attribute table matched no village."""


@dataclass(frozen=True)
class JoinReport:
    """What :func:`join_table` matched, and what it could not."""

    code_column: str
    crosswalk: bool
    rows: int
    codes: int
    matched: int
    unmatched_rows: tuple[str, ...] = ()
    villages_without_row: tuple[str, ...] = ()
    dropped_columns: tuple[str, ...] = field(default=(), repr=False)


# --------------------------------------------------------------------------- tables


def _as_table(table: PathOrFrame) -> pd.DataFrame:
    return read_table(table)


def _code_text(value: Any) -> str | None:
    """Digits of a code: ``"18.07.01.2001"`` and ``1807012001.0`` both give ``"1807012001"``."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    text = str(value).strip()
    if re.fullmatch(r"X\d+", text):  # generated code of a layer without codes: never a real one
        return text
    digits = re.sub(r"\D", "", re.sub(r"\.0+$", "", text))
    return digits or None


def _codes(values: pd.Series) -> pd.Series:
    """:func:`_code_text` of every value (computed once per distinct value)."""
    lookup = {v: _code_text(v) for v in pd.unique(values.dropna())}
    return values.map(lookup).astype(object).where(values.notna(), None)


def _code_set(values: pd.Series) -> set[str]:
    return {c for c in (_code_text(v) for v in pd.unique(values.dropna())) if c}


def _best_column(table: pd.DataFrame, targets: set[str], exclude: tuple[str, ...] = ()) -> tuple[str | None, int]:
    """The column whose distinct codes hit the most of ``targets``."""
    best, hits = None, 0
    for col in table.columns:
        if col in exclude:
            continue
        n = len(_code_set(table[col]) & targets)
        if n > hits:
            best, hits = col, n
    return best, hits


def _name_column(table: pd.DataFrame) -> str | None:
    lower = {str(c).lower(): c for c in table.columns}
    for key in ("nama_desa", "namadesa", "desa", "nama", "name", "wadmkd"):
        if key in lower:
            return lower[key]
    for low, col in lower.items():
        if "nama" in low and ("desa" in low or "kel" in low):
            return col
    return None


_NOT_A_NUMBER = object()


def _to_float(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return np.nan
    if isinstance(value, (bool, np.bool_, int, float, np.integer, np.floating)):
        return float(value)
    text = str(value).strip()
    if not text:
        return np.nan
    try:
        return float(text)
    except ValueError:
        return _NOT_A_NUMBER


def _numeric_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The columns of ``frame`` whose every non-empty value is a number, as floats."""
    values = np.frompyfunc(_to_float, 1, 1)(frame.to_numpy(dtype=object)).reshape(frame.shape)
    keep = ~np.array([any(v is _NOT_A_NUMBER for v in values[:, k]) for k in range(frame.shape[1])], dtype=bool)
    numbers = values[:, keep].astype(float)
    filled = ~np.isnan(numbers).all(axis=0)
    return pd.DataFrame(numbers[:, filled], index=frame.index, columns=frame.columns[keep][filled])


def join_table(
    villages: pd.DataFrame,
    table: PathOrFrame,
    *,
    code_column: str | None = None,
    crosswalk: PathOrFrame | None = None,
    name_column: str | None = None,
) -> pd.DataFrame:
    """Join an attribute table (Podes...) to the villages by village code.

    Codes are compared on their digits only (``18.07.01.2001`` = ``1807012001``). With a
    ``crosswalk`` (BPS to Kemendagri codes, such as
    ``data/podes2024_kota_batu/crosswalk_bps_kemendagri.csv``) the table's codes are
    translated through it, and only through it. A table with several rows per village keeps
    the columns that are constant within every village (Podes repeats its village rows for
    the list of small industries); the others are dropped and listed in the report.

    Parameters
    ----------
    villages : DataFrame
        Anything with ``kode_desa`` (the internal village schema).
    table : path or DataFrame
        CSV / XLSX, or a DataFrame.
    code_column : str, optional
        Table column with the village code; by default the column whose values match the
        most villages (through the crosswalk when one is given).
    crosswalk : path or DataFrame, optional
        Two code columns; which one is which is found from the values.
    name_column : str, optional
        Column naming the rows in the report (default: a ``nama_desa``-like column).

    Returns
    -------
    DataFrame
        Indexed by ``kode_desa`` in the villages' order, the table's numeric columns prefixed
        ``tbl_`` (NaN for villages without a row). ``attrs["join_report"]`` is a
        :class:`JoinReport`. Table rows that match no village are also named in an
        :class:`UnmatchedRowsWarning`; villages without a row are logged.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from kawasan_gis.indicators import join_table
    >>> batu = gpd.read_file("data/podes2024_kota_batu/desa_kota_batu.gpkg", layer="desa")
    >>> batu = batu.rename(columns={"kode_desa": "dotted", "kode_desa_10": "kode_desa"})
    >>> podes = join_table(batu, "data/podes2024_kota_batu/master_podes_desa.csv",
    ...                    crosswalk="data/podes2024_kota_batu/crosswalk_bps_kemendagri.csv")
    >>> podes.attrs["join_report"].matched
    24
    """
    if CODE not in villages.columns:
        raise FieldError(f"lapisan desa tidak punya kolom / villages have no '{CODE}' column")
    village_codes = _codes(villages[CODE])
    targets = set(village_codes.dropna())
    tab = _as_table(table)
    if code_column is not None and code_column not in tab.columns:
        raise FieldError(f"tabel tidak punya kolom / table has no column {code_column!r}; kolom yang ada / it has: {format_list(list(tab.columns))}")

    mapping: dict[str, str] | None = None
    if crosswalk is not None:
        cw = _as_table(crosswalk)
        to_col, _ = _best_column(cw, targets)
        if to_col is None:
            raise FieldError("tidak ada kolom crosswalk yang berisi kode desa / no crosswalk column holds the villages' codes",
                             problems=[f"kolom / columns: {list(cw.columns)}"])
        cw_sets = {c: _code_set(cw[c]) for c in cw.columns if c != to_col}
        best = (None, None, 0)
        for tcol in [code_column] if code_column else list(tab.columns):
            tcodes = _code_set(tab[tcol])
            for fcol, fcodes in cw_sets.items():
                hits = len(tcodes & fcodes)
                if hits > best[2]:
                    best = (tcol, fcol, hits)
        code_column, from_col, _ = best
        if code_column is None or from_col is None:
            raise FieldError("tidak ada kolom tabel yang cocok dengan kode crosswalk; isi code_column / no table column matches the crosswalk's codes; give code_column")
        pairs = pd.DataFrame({"f": _codes(cw[from_col]), "t": _codes(cw[to_col])}).dropna().drop_duplicates()
        mapping = dict(zip(pairs["f"], pairs["t"]))
        log.info("crosswalk: table %s -> crosswalk %s -> %s", code_column, from_col, to_col)
    elif code_column is None:
        code_column, hits = _best_column(tab, targets)
        if code_column is None:
            raise FieldError(
                "tidak ada kolom tabel yang berisi kode desa; isi code_column, atau crosswalk bila tabel memakai kode BPS / "
                "no table column holds the villages' codes; give code_column, or a crosswalk when the table uses BPS codes",
                problems=[f"kolom / columns: {format_list(list(tab.columns))}"],
            )

    src_codes = _codes(tab[code_column])
    kode = src_codes.map(mapping) if mapping is not None else src_codes.where(src_codes.isin(targets))
    matched = kode.notna() & kode.isin(targets)
    names_col = name_column or _name_column(tab)
    label = src_codes.fillna("?").astype(str)
    if names_col is not None:
        label = tab[names_col].fillna("").astype(str).str.strip() + " (" + label + ")"
    unmatched = tuple(dict.fromkeys(label[~matched]))

    rows = tab[matched].drop(columns=[code_column]).assign(**{CODE: kode[matched]})
    grouped = rows.groupby(CODE, sort=False)
    varying = grouped.nunique(dropna=False).gt(1).any()
    dropped = [c for c, v in varying.items() if v]
    firsts = grouped.first()
    numbers = _numeric_columns(firsts.drop(columns=dropped))
    kept = {f"tbl_{col}": numbers[col] for col in numbers.columns}
    joined = pd.DataFrame(kept, index=firsts.index).reindex(village_codes.to_numpy())
    joined.index = pd.Index(villages[CODE].astype(str).to_numpy(), name=CODE)
    without = tuple(joined.index[~village_codes.isin(set(firsts.index)).to_numpy()])
    if dropped:
        log.info("table columns that vary within a village were dropped: %s", format_list(dropped, lang="en"))
    report = JoinReport(
        code_column=str(code_column),
        crosswalk=mapping is not None,
        rows=len(tab),
        codes=int(src_codes.nunique()),
        matched=len(firsts),
        unmatched_rows=unmatched,
        villages_without_row=without,
        dropped_columns=tuple(map(str, dropped)),
    )
    if without:
        log.warning("%s", _listed("no_table_row", without))
    if unmatched:
        warnings.warn(UnmatchedRowsWarning(_listed("unmatched_rows", unmatched)), stacklevel=2)
    joined.attrs["join_report"] = report
    return joined


def _listed(key: str, items: list[Any]) -> Message:
    """The message ``key`` about ``items`` (a count and the list), in both languages."""
    return Message(*(t(key, lang, n=format_number(len(items), 0, lang), daftar=format_list(items, lang=lang)) for lang in LANGUAGES))


# --------------------------------------------------------------------------- the table


@contextmanager
def _bar(enabled: bool, desc: str, total: int) -> Iterator[Callable[[int], None] | None]:
    if not enabled:
        yield None
        return
    from tqdm.auto import tqdm

    with tqdm(total=total, desc=desc, unit="desa", leave=False) as bar:
        yield bar.update


def _class_columns(table: pd.DataFrame, kind: str, luas: np.ndarray) -> pd.DataFrame:
    """``ha_`` and ``pct_`` columns of one class layer, classes sorted, unmapped last."""
    classes = [c for c in table.columns if c not in (overlay.UNMAPPED, overlay.OVERLAP)]
    ha = table[classes + [overlay.UNMAPPED]]
    ha.columns = [f"ha_{kind}_{c}" for c in ha.columns]
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = 100.0 * ha.to_numpy() / luas[:, None]
    pct_df = pd.DataFrame(pct, index=ha.index, columns=[c.replace("ha_", "pct_", 1) for c in ha.columns])
    return pd.concat([ha, pct_df], axis=1)


def _rename_stats(table: pd.DataFrame, name: str) -> pd.DataFrame:
    """``km_per_km2`` -> ``km_per_km2_<name>``, ``n_<v>`` -> ``n_<name>_<v>`` and so on."""
    renamed = {}
    for col in table.columns:
        for stem in ("km_per_km2", "jarak_km", "n"):
            if col == stem:
                renamed[col] = f"{stem}_{name}"
                break
            if col.startswith(stem + "_"):
                renamed[col] = f"{stem}_{name}_{col[len(stem) + 1:]}"
                break
    return table.rename(columns=renamed)


def _check_name(name: str, what: str) -> str:
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise FieldError(f"nama {what} {name!r} hanya huruf kecil, angka dan '_' (menjadi nama kolom) / "
                         f"{what} name {name!r} must be lower-case letters, digits and '_' (it becomes a column name)")
    return name


def _split_layers(layers: Mapping[str, LayerArg] | None, by: dict[str, str]) -> dict[str, gpd.GeoDataFrame]:
    """``{name: gdf}`` from values that are frames or (frame, by-column) pairs; fills ``by``."""
    out = {}
    for name, value in (layers or {}).items():
        if isinstance(value, tuple):
            value, column = value
            if column is not None:
                by.setdefault(name, column)
        out[name] = value
    return out


def landcover_class_map_for(scheme: str) -> dict[int, str]:
    """Raster value -> land-cover class code for a numeric scheme (``klhk``, ``worldcover``).

    Taken from the land-cover vocabulary (:func:`kawasan_gis.vocab.load_vocabulary`).

    Examples
    --------
    >>> landcover_class_map_for("worldcover")[40]
    'pertanian'
    """
    from kawasan_gis.vocab import load_vocabulary

    vocab = load_vocabulary("landcover")
    if scheme not in vocab.schemes:
        raise FieldError(f"skema kode tutupan lahan tidak dikenal / unknown land-cover code scheme {scheme!r}; yang dikenal / known: {', '.join(vocab.schemes)}")
    return {num: cls.code for cls in vocab for num in cls.codes.get(scheme, ())}


def build_indicators(
    villages: gpd.GeoDataFrame,
    *,
    landuse: gpd.GeoDataFrame | None = None,
    landcover_raster: str | PathLike[str] | None = None,
    landcover_class_map: Mapping[Any, str] | None = None,
    landcover_nodata: float | None = None,
    landcover_codes: str | None = None,
    rtrw: gpd.GeoDataFrame | None = None,
    rtrw_priority: Mapping[str, int] | None = None,
    rtrw_partition: gpd.GeoDataFrame | None = None,
    lines: Mapping[str, LayerArg] | None = None,
    points: Mapping[str, LayerArg] | None = None,
    by: Mapping[str, str] | None = None,
    table: PathOrFrame | None = None,
    table_code_column: str | None = None,
    crosswalk: PathOrFrame | None = None,
    class_column: str = "kelas",
    dedupe_tolerance: float = 1.0,
    n_jobs: int | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Compute every indicator the given layers allow, one row per village.

    Parameters
    ----------
    villages : GeoDataFrame
        Villages in the internal schema (projected CRS, unique ``kode_desa``).
    landuse, rtrw : GeoDataFrame, optional
        Land-use and pola ruang polygons carrying the standard class code in
        ``class_column`` (:func:`kawasan_gis.vocab.apply_mapping` adds it). Overlapping
        polygons are resolved (:func:`kawasan_gis.overlay.resolve_overlaps`): for ``rtrw`` by
        ``rtrw_priority`` (default :func:`kawasan_gis.overlay.default_priority`, lindung before
        budidaya), for ``landuse`` by the equal-priority rule (smaller polygon wins).
    rtrw_partition : GeoDataFrame, optional
        ``rtrw`` already resolved by :func:`kawasan_gis.overlay.resolve_overlaps` with
        ``rtrw_priority`` (as :func:`kawasan_gis.pipeline.run` resolves it once for these
        indicators and the plan check): measured instead of resolving again.
    landcover_raster : path, optional
        Class raster (GeoTIFF); ``landcover_class_map`` maps its values to class codes (or
        ``landcover_codes``, ``"klhk"`` or ``"worldcover"``, takes the map from the land-cover
        vocabulary) and ``landcover_nodata`` adds a nodata value (see
        :func:`kawasan_gis.overlay.raster_histogram`). Without either map the columns are
        named by the raw values.
    lines, points : mapping of name to GeoDataFrame or (GeoDataFrame, column), optional
        Line layers (``km_per_km2_<name>``) and point layers (``n_<name>``,
        ``jarak_km_<name>``); names are lower-case column-name words (``jalan``, ``pasar``).
        A tuple gives the column that also splits the layer by class.
    by : mapping of name to column, optional
        The same split column, given separately.
    table : path or DataFrame, optional
        Attribute table joined by code (:func:`join_table`), with ``table_code_column`` and
        ``crosswalk``.
    class_column : str
        Class-code column of ``landuse`` and ``rtrw``.
    dedupe_tolerance : float
        Metres within which repeated points count once.
    n_jobs : int, optional
        Threads (default :func:`~kawasan_gis.io.geometry.default_jobs`) for the overlays.
    progress : bool
        Show progress bars (the CLI turns this on).

    Returns
    -------
    DataFrame
        Indexed by ``kode_desa`` in the villages' order; columns as in the module docstring.
        ``attrs["sources"]`` (column -> input: ``villages``, ``landuse``, ``landcover``,
        ``rtrw``, ``lines:<name>``, ``points:<name>``, ``table``), ``attrs["missing"]``
        (inputs not given, from :data:`INPUTS`), and ``attrs["join_report"]`` when a table
        was joined.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from kawasan_gis.indicators import build_indicators
    >>> desa = gpd.read_file("data/rtrw_lampung_timur/desa_lampung_timur.gpkg").to_crs(32748)
    >>> desa = desa.rename(columns={"kode_desa": "dotted", "kode_desa_10": "kode_desa"})
    >>> pusat = gpd.read_file("data/rtrw_lampung_timur/konteks_lampung_timur.gpkg", layer="pusat_kegiatan")
    >>> ind = build_indicators(desa, points={"pusat": pusat}, by={"pusat": "KETERANGAN"})
    >>> int(ind["n_pusat"].sum()), ind.attrs["missing"]
    (259, ['landuse', 'landcover', 'rtrw', 'lines', 'table'])
    """
    require_villages(villages, step="indicators")
    by = dict(by or {})
    lines = _split_layers(lines, by)
    points = _split_layers(points, by)
    for name in [*lines, *points]:
        _check_name(name, "layer")
    unknown_by = set(by) - set(lines) - set(points)
    if unknown_by:
        raise FieldError(f"'by' menyebut lapisan yang tidak diberikan / names layers that were not given: {sorted(unknown_by)}")

    index = pd.Index(villages[CODE].astype(str), name=CODE)
    luas = shapely.area(villages.geometry.values.to_numpy()) / overlay.M2_PER_HA
    parts: list[pd.DataFrame] = [pd.DataFrame({"luas_ha": luas}, index=index)]
    sources: dict[str, str] = {"luas_ha": "villages"}
    extra_attrs: dict[str, Any] = {}

    def add(frame: pd.DataFrame, source: str) -> None:
        clash = set(frame.columns) & set(sources)
        if clash:
            raise FieldError(f"kolom indikator terbentuk dua kali; ganti nama salah satu lapisan / indicator columns produced twice: {sorted(clash)}; rename a layer")
        frame.index = index
        parts.append(frame)
        sources.update(dict.fromkeys(frame.columns, source))

    n = len(villages)
    for kind, layer in (("landuse", landuse), ("rtrw", rtrw)):
        if layer is None:
            continue
        prio = rtrw_priority if kind == "rtrw" else None
        if kind == "rtrw" and prio is None:
            prio = overlay.default_priority("rtrw")
        with _bar(progress, kind, n) as tick:
            table_ha = overlay.tabulate_classes(
                villages, layer, class_column=class_column, priority=prio, n_jobs=n_jobs, progress=tick,
                partition=rtrw_partition if kind == "rtrw" else None,
            )
        add(_class_columns(table_ha, kind, luas), kind)
        if kind == "rtrw":
            add(pd.DataFrame({"ha_rtrw_overlap": table_ha[overlay.OVERLAP].to_numpy()}, index=index), "rtrw")
        elif table_ha[overlay.OVERLAP].sum() > 0:
            log.info("land-use polygons overlapped over %.1f ha; resolved (smaller polygon wins)",
                     table_ha[overlay.OVERLAP].sum())
            extra_attrs["landuse_overlap_ha"] = float(table_ha[overlay.OVERLAP].sum())

    if landcover_raster is not None:
        if landcover_class_map is None and landcover_codes is not None:
            landcover_class_map = landcover_class_map_for(landcover_codes)
        with _bar(progress, "landcover", n) as tick:
            hist = overlay.raster_histogram(
                villages, landcover_raster, class_map=landcover_class_map, nodata=landcover_nodata,
                n_jobs=n_jobs, progress=tick,
            )
        add(_class_columns(hist, "landcover", luas), "landcover")

    for name, layer in lines.items():
        with _bar(progress, f"lines:{name}", n) as tick:
            dens = overlay.line_density(villages, layer, by=by.get(name), n_jobs=n_jobs, progress=tick)
        add(_rename_stats(dens, name), f"lines:{name}")

    for name, layer in points.items():
        stats = overlay.point_stats(villages, layer, by=by.get(name), dedupe_tolerance=dedupe_tolerance)
        add(_rename_stats(stats, name), f"points:{name}")

    if table is not None:
        joined = join_table(villages, table, code_column=table_code_column, crosswalk=crosswalk)
        extra_attrs["join_report"] = joined.attrs.pop("join_report")
        add(joined, "table")

    out = pd.concat(parts, axis=1)
    given = {
        "landuse": landuse is not None,
        "landcover": landcover_raster is not None,
        "rtrw": rtrw is not None,
        "lines": bool(lines),
        "points": bool(points),
        "table": table is not None,
    }
    out.attrs["sources"] = sources
    out.attrs["missing"] = [k for k in INPUTS if not given[k]]
    out.attrs.update(extra_attrs)
    return out


def attach_indicators(villages: gpd.GeoDataFrame, indicators: pd.DataFrame) -> gpd.GeoDataFrame:
    """The villages with the indicator columns added (joined on ``kode_desa``).

    Columns the villages already have (such as ``luas_ha``) keep the villages' values.
    """
    if CODE not in villages.columns:
        raise FieldError(f"lapisan desa tidak punya kolom / villages have no '{CODE}' column")
    new = [c for c in indicators.columns if c not in villages.columns]
    values = indicators[new].reindex(villages[CODE].astype(str).to_numpy())
    values.index = villages.index
    out = pd.concat([villages.drop(columns=villages.geometry.name), values], axis=1)
    return gpd.GeoDataFrame(out, geometry=villages.geometry, crs=villages.crs)


def write_indicators(indicators: pd.DataFrame, path: str | PathLike[str]) -> Path:
    """Write the table to ``.csv`` or ``.xlsx``, atomically (a temporary file, then a rename).

    The XLSX file has a second sheet ``sumber`` listing each column's source.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise DataSourceError(f"{path}: tidak dapat ditulis, pakai nama berkas .csv atau .xlsx / cannot write: use a .csv or .xlsx file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    try:
        if suffix == ".csv":
            indicators.to_csv(tmp, index=True, encoding="utf-8")
        else:
            sources = indicators.attrs.get("sources", {})
            with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
                indicators.to_excel(xl, sheet_name="indikator", index=True)
                pd.DataFrame(
                    {"kolom": list(indicators.columns), "sumber": [sources.get(c, "") for c in indicators.columns]}
                ).to_excel(xl, sheet_name="sumber", index=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
