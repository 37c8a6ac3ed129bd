"""The village layer: column detection among the common schemas, Kemendagri codes
(normalising, checking, generating), name keys, the crosswalk that attaches codes by
name, and :func:`read_villages`, which returns the internal schema of docs/design.md.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from kawasan_gis.errors import FieldError, RepairWarning
from kawasan_gis.i18n import message
from kawasan_gis.io.coverage import coverage_problems
from kawasan_gis.io.geometry import mark_checked
from kawasan_gis.io.layers import read_layer
from kawasan_gis.io.report import LayerReport
from kawasan_gis.io.tables import read_table


VILLAGE_COLUMNS = ["kode_desa", "nama_desa", "kode_kec", "nama_kec", "kode_kab", "nama_kab", "jenis", "luas_ha"]

# Column names of the common village schemas, tried in order (case-insensitive).
CODE_CANDIDATES = ("kode_desa_10", "kode_desa", "kdepum", "kode_kemendagri", "kd_desa", "kode_kel", "kodedesa", "kode")
NAME_CANDIDATES = ("nama_desa", "wadmkd", "namobj", "desa", "nama_kel", "desa_kel", "kelurahan", "nama", "name")
KEC_NAME_CANDIDATES = ("nama_kec", "wadmkc", "kecamatan", "kec", "nm_kec")
KAB_NAME_CANDIDATES = ("nama_kab", "wadmkk", "kabupaten", "kab_kota", "kabkot", "nm_kab")
KEC_CODE_CANDIDATES = ("kode_kec", "kdcpum", "kd_kec")
KAB_CODE_CANDIDATES = ("kode_kab", "kdppum", "kd_kab")
JENIS_CANDIDATES = ("jenis", "tipe", "status_desa")
BPS_CODE_CANDIDATES = ("kdebps", "iddesa", "kode_bps")

# Kemendagri province codes (Kepmendagri 300.2.2-2138/2025, incl. the Papua expansions).
PROVINCE_CODES = frozenset(
    [11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53, 61, 62, 63, 64, 65,
     71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96, 97]
)


def _find_column(
    columns: Iterable[str], candidates: Iterable[str], given: str | None, path: Path, role: tuple[str, str] = ("", "")
) -> str | None:
    cols = list(columns)
    if given is not None:
        if given not in cols:
            raise FieldError(
                f"{path}: kolom '{given}' untuk {role[0]} tidak ada / column '{given}' given for {role[1]} does not exist. "
                f"Kolom / columns: {', '.join(cols)}."
            )
        return given
    lower = {c.lower(): c for c in cols}
    for cand in candidates:
        if cand in lower:
            return lower[cand]
    return None


def normalise_code(value: Any) -> str:
    """Kemendagri code as 10 digits without dots (``'18.07.01.2001'`` -> ``'1807012001'``)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return re.sub(r"[\s.\-]", "", str(value))


def check_code(code: str) -> str | None:
    """Why ``code`` is not a valid 10-digit Kemendagri village code, or None when it is."""
    if not re.fullmatch(r"\d{10}", code):
        return "not 10 digits (PP.KK.CC.DDDD)"
    prov, kab, village = int(code[:2]), int(code[2:4]), code[6]
    if prov not in PROVINCE_CODES:
        return f"province {code[:2]} does not exist"
    if not (1 <= kab <= 69 or 71 <= kab <= 99):
        return f"kabupaten/kota part {code[2:4]} out of range (01-69 kabupaten, 71-99 kota)"
    if village not in "12":
        return f"village part {code[6:]} must start with 1 (kelurahan) or 2 (desa)"
    return None


def name_key(text: Any) -> str:
    """Normalised name for matching: ASCII, lower case, letters and digits only."""
    text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    text = re.sub(r"^(desa|kelurahan|kel\.?|ds\.?|kecamatan|kec\.?|kabupaten|kab\.?|kota)\s+", "", text.strip().lower())
    return re.sub(r"[^a-z0-9]", "", text)


def generated_code(*parts: Any, digits: int) -> str:
    """A stable code ``X`` + digits from the names, for layers that carry none."""
    h = hashlib.sha1("|".join(name_key(p) for p in parts).encode()).hexdigest()
    return "X" + str(int(h, 16) % 10**digits).zfill(digits)


def read_villages(
    path: str | Path,
    *,
    layer: str | None = None,
    assume_crs: Any = None,
    working_crs: Any = None,
    code_column: str | None = None,
    name_column: str | None = None,
    kecamatan_column: str | None = None,
    kabupaten_column: str | None = None,
    crosswalk: str | Path | pd.DataFrame | None = None,
    check_coverage: bool = True,
    where: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a village (desa/kelurahan) boundary layer into the internal schema.

    Columns are detected among the common schemas (Kemendagri-coded layers with
    ``kode_desa``; BIG RBI ``KDEPUM``/``WADMKD``/``WADMKC``/``WADMKK``; name-only
    ``NAMOBJ`` layers) or given explicitly. The result has the columns
    ``kode_desa, nama_desa, kode_kec, nama_kec, kode_kab, nama_kab, jenis, luas_ha,
    geometry`` (see docs/design.md).

    Parameters
    ----------
    path, layer, assume_crs, working_crs
        As for :func:`read_layer`.
    code_column, name_column, kecamatan_column, kabupaten_column
        Override column detection.
    crosswalk
        Table (CSV/XLSX path or DataFrame) with ``nama_kec``, ``nama_desa`` and
        ``kode_desa`` columns, used to attach codes to a layer that has none.
    check_coverage
        Measure gaps and overlaps between villages (reported, not changed).
    where
        OGR SQL attribute filter, e.g. ``"kode_kab = '18.07'"`` to read one kabupaten.

    Raises
    ------
    FieldError
        Duplicate village codes (listed), or no name column to work from.

    Examples
    --------
    >>> from kawasan_gis.io import read_villages
    >>> desa = read_villages("data/rtrw_lampung_timur/desa_lampung_timur.gpkg")
    >>> len(desa), desa.kode_desa.iloc[0], desa.crs.to_epsg()
    (264, '1807012001', 32748)
    """
    path = Path(path)
    gdf = read_layer(path, kind="villages", layer=layer, assume_crs=assume_crs, working_crs=working_crs, where=where)
    report: LayerReport = gdf.attrs["kawasan_report"]
    cols = [c for c in gdf.columns if c != gdf.geometry.name]

    code_col = _find_column(cols, CODE_CANDIDATES, code_column, path, ("kode desa", "the village code"))
    name_col = _find_column(cols, NAME_CANDIDATES, name_column, path, ("nama desa", "the village name"))
    kec_col = _find_column(cols, KEC_NAME_CANDIDATES, kecamatan_column, path, ("nama kecamatan", "the kecamatan name"))
    kab_col = _find_column(cols, KAB_NAME_CANDIDATES, kabupaten_column, path, ("nama kabupaten", "the kabupaten name"))
    kec_code_col = _find_column(cols, KEC_CODE_CANDIDATES, None, path)
    kab_code_col = _find_column(cols, KAB_CODE_CANDIDATES, None, path)
    jenis_col = _find_column(cols, JENIS_CANDIDATES, None, path)
    bps_col = _find_column(cols, BPS_CODE_CANDIDATES, None, path)
    report.columns = {"kode_desa": code_col, "nama_desa": name_col, "nama_kec": kec_col, "nama_kab": kab_col}
    if bps_col and not code_col:
        report.notes.append(message("note_bps_codes", column=bps_col))

    if name_col is None and code_col is None:
        report.usable = False
        raise FieldError(
            f"{path}: tidak ada kolom kode desa maupun nama desa di antara / found neither a village code nor a village "
            f"name column among: {', '.join(cols)}. Sebutkan kolomnya / name them: --code-column KOLOM, --name-column "
            "KOLOM (juga / also --kecamatan-column, --kabupaten-column) pada / of kawasan validate, indicators, check, "
            'propose, run, init; di konfigurasi / in the config: villages = { path = "...", code_column = "...", '
            'name_column = "..." }.'
        )

    n = len(gdf)
    names = gdf[name_col].fillna("").astype(str).str.strip() if name_col else pd.Series([""] * n, index=gdf.index)
    kec_names = gdf[kec_col].fillna("").astype(str).str.strip() if kec_col else pd.Series([""] * n, index=gdf.index)
    kab_names = gdf[kab_col].fillna("").astype(str).str.strip() if kab_col else pd.Series([""] * n, index=gdf.index)

    if code_col is not None:
        codes = gdf[code_col].map(normalise_code)
        problems = [(i, check_code(c)) for i, c in enumerate(codes)]
        for i, why in problems:
            if why:
                label = names.iloc[i] or f"#{i}"
                report.code_problems.append(f"{label}: '{gdf[code_col].iloc[i]}' {why}")
        valid = np.array([why is None for _, why in problems])
    else:
        codes, valid = _codes_from_names(gdf, names, kec_names, kab_names, crosswalk, path, report)

    _check_duplicates(codes, names, path, report)

    kode_kec = np.where(valid, codes.str[:6], "")
    kode_kab = np.where(valid, codes.str[:4], "")
    if kec_code_col is not None:
        kode_kec = np.where(valid, kode_kec, gdf[kec_code_col].map(normalise_code))
    if kab_code_col is not None:
        kode_kab = np.where(valid, kode_kab, gdf[kab_code_col].map(normalise_code))
    kode_kec = np.where(kode_kec == "", [generated_code(k, c, digits=5) for k, c in zip(kab_names, kec_names, strict=True)], kode_kec)
    kode_kab = np.where(kode_kab == "", [generated_code(k, digits=3) for k in kab_names], kode_kab)

    digit7 = codes.str[6]
    jenis = np.where(valid & (digit7 == "1"), "kelurahan", np.where(valid & (digit7 == "2"), "desa", ""))
    if jenis_col is not None:
        given = gdf[jenis_col].fillna("").astype(str).str.strip().str.lower()
        jenis = np.where(jenis == "", given.where(given.isin(["desa", "kelurahan"]), ""), jenis)
    if (jenis == "").any():
        report.notes.append(message("note_unknown_type", n=int((jenis == "").sum())))
        jenis = np.where(jenis == "", "desa", jenis)
    if kab_col is None and code_col is None:
        report.notes.append(message("note_no_kabupaten"))

    out = gpd.GeoDataFrame(
        {
            "kode_desa": codes.to_numpy(dtype=object),
            "nama_desa": names.to_numpy(dtype=object),
            "kode_kec": np.asarray(kode_kec, dtype=object),
            "nama_kec": kec_names.to_numpy(dtype=object),
            "kode_kab": np.asarray(kode_kab, dtype=object),
            "nama_kab": kab_names.to_numpy(dtype=object),
            "jenis": np.asarray(jenis, dtype=object),
            "luas_ha": gdf.area.to_numpy() / 10_000,
        },
        geometry=gdf.geometry.values,
        crs=gdf.crs,
    )
    if check_coverage:
        problems = coverage_problems(out)
        report.coverage = {
            "n_gaps": float((problems["masalah"] == "celah").sum()),
            "gap_ha": float(problems.loc[problems["masalah"] == "celah", "luas_ha"].sum()),
            "n_overlaps": float((problems["masalah"] == "tumpang_tindih").sum()),
            "overlap_ha": float(problems.loc[problems["masalah"] == "tumpang_tindih", "luas_ha"].sum()),
        }
        out.attrs["kawasan_coverage"] = problems
    report.n_features = len(out)
    out.attrs["kawasan_report"] = report
    mark_checked(out)  # the geometries read_layer found valid
    return out


def _check_duplicates(codes: pd.Series, names: pd.Series, path: Path, report: LayerReport) -> None:
    dup = codes[codes.duplicated(keep=False) & (codes != "")]
    if len(dup):
        report.usable = False
        groups = dup.groupby(dup).groups
        problems = [f"{code}: {', '.join(names.loc[idx].replace('', '?'))}" for code, idx in sorted(groups.items())]
        raise FieldError(
            f"{path}: {len(groups)} kode desa dipakai lebih dari sekali; setiap desa perlu kodenya sendiri. Perbaiki kode di "
            "lapisan sumber (atau gabungkan desa yang terpecah menjadi satu fitur) / "
            f"{len(groups)} village codes are used more than once; each village needs its own code. "
            "Fix the codes in the source layer (or dissolve split villages into one feature).",
            problems=problems,
        )


def _codes_from_names(
    gdf: gpd.GeoDataFrame,
    names: pd.Series,
    kec_names: pd.Series,
    kab_names: pd.Series,
    crosswalk: str | Path | pd.DataFrame | None,
    path: Path,
    report: LayerReport,
) -> tuple[pd.Series, np.ndarray]:
    """Codes for a layer without codes: from a crosswalk by names, else generated from names."""
    codes = pd.Series([""] * len(gdf), index=gdf.index, dtype=object)
    if crosswalk is not None:
        table = read_table(crosswalk) if not isinstance(crosswalk, pd.DataFrame) else crosswalk
        codes = attach_codes_by_name(names, kec_names, table, report=report)
    missing = codes == ""
    if missing.any():
        generated = [generated_code(k, c, d, digits=9) for k, c, d in zip(kab_names[missing], kec_names[missing], names[missing], strict=True)]
        codes.loc[missing] = generated
        msg = message("note_generated_codes", path=path, n=int(missing.sum()))
        report.notes.append(msg)
        warnings.warn(RepairWarning(msg), stacklevel=3)
    valid = np.array([check_code(c) is None for c in codes])
    return codes, valid


def attach_codes_by_name(
    names: pd.Series, kec_names: pd.Series, crosswalk: pd.DataFrame, *, report: LayerReport | None = None
) -> pd.Series:
    """Look up Kemendagri codes by (kecamatan, desa) names in a crosswalk table.

    The crosswalk needs a code column (``kode_desa``, ``kode_desa_kemendagri``...) and
    desa and kecamatan name columns; names are compared after :func:`name_key`
    normalisation. Villages that match nothing (or several rows) keep ``""`` and are
    listed in the report.
    """
    cols = {c.lower(): c for c in crosswalk.columns}
    code_col = next((cols[c] for c in ("kode_desa", "kode_desa_kemendagri", "kode_desa_kemendagri_10", "kdepum") if c in cols), None)
    desa_col = next((cols[c] for c in ("nama_desa", "nama_desa_kemendagri", "desa", "wadmkd") if c in cols), None)
    kec_col = next((cols[c] for c in ("nama_kec", "nama_kec_kemendagri", "kecamatan", "wadmkc") if c in cols), None)
    if code_col is None or desa_col is None:
        raise FieldError(
            "tabel padanan perlu kolom kode (kode_desa) dan kolom nama desa (nama_desa) / "
            "the crosswalk table needs a code column (kode_desa) and a desa name column (nama_desa); "
            f"kolomnya / it has {', '.join(crosswalk.columns)}."
        )
    keys = crosswalk[desa_col].map(name_key)
    if kec_col is not None:
        keys = crosswalk[kec_col].map(name_key) + "|" + keys
    lookup = pd.Series(crosswalk[code_col].map(normalise_code).to_numpy(), index=keys.to_numpy())
    ambiguous = set(lookup.index[lookup.index.duplicated()])
    lookup = lookup[~lookup.index.duplicated()]
    wanted = names.map(name_key)
    if kec_col is not None:
        wanted = kec_names.map(name_key) + "|" + wanted
    codes = wanted.map(lambda k: "" if k in ambiguous else lookup.get(k, "")).astype(object)
    unmatched = names[codes == ""]
    if report is not None and len(unmatched):
        report.code_problems.append(
            f"{len(unmatched)} villages not found in the crosswalk: {', '.join(unmatched.head(20))}"
            + (" ..." if len(unmatched) > 20 else "")
        )
    return codes
