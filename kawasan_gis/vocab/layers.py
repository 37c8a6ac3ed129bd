"""Class columns of layers: matching a whole column and adding the standard class to features.

Owns :func:`match_classes` (every distinct value of a column through the matcher, with the
user's mapping first), :func:`find_class_column` (which column holds the class) and
:func:`apply_mapping` (the ``kelas_raw``/``kelas`` columns, or a stop with a mapping template).
Imports the other vocab modules and :mod:`kawasan_gis.errors`; geopandas only for type hints.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kawasan_gis.errors import ConfigError, FieldError, ReviewWarning
from kawasan_gis.i18n import Message, format_number
from kawasan_gis.vocab.classes import DEFAULT_SCHEME, SCHEMES, Kind, Vocabulary, load_vocabulary, vocab_key
from kawasan_gis.vocab.mapping import ClassMapping, read_mapping
from kawasan_gis.vocab.matching import match_value
from kawasan_gis.vocab.text import is_missing, normalise, raw_text

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["ITBX_KEY", "apply_mapping", "find_class_column", "match_classes", "review_message"]

#: Column :func:`apply_mapping` adds when a pola ruang layer holds combined classes.
ITBX_KEY = "kelas_itbx"

log = logging.getLogger(__name__)


def _user_mapping(mapping: Mapping[str, str] | str | Path | None, key: str, vocab: Vocabulary) -> dict[str, str]:
    if mapping is None:
        return {}
    if isinstance(mapping, str | Path):
        mapping = read_mapping(mapping, kind=key, vocabulary=vocab)
    problems = []
    user: dict[str, str] = {}
    for raw, code in mapping.items():
        if code in (None, ""):
            continue
        if code not in vocab:
            problems.append(f"{raw!r} -> kode {key} tidak dikenal / unknown {key} code {code!r}")
            continue
        user[raw_text(raw)] = code
        user.setdefault(normalise(raw), code)
    if problems:
        raise ConfigError("Berkas pemetaan kelas menyebut kode yang tidak ada / The class mapping names codes that do not exist.", problems=problems)
    return user


def _distinct(values: Iterable[object]) -> tuple[list[object], np.ndarray]:
    """Distinct values in order of first appearance (equal as dict keys: 1, 1.0 and True are one), and their counts.

    A column of 500,000 features holds a handful of class names: everything per value
    (missing test, matching, lookup) runs on these, never per feature.
    """
    codes, uniques = pd.factorize(pd.Series(values if isinstance(values, pd.Series | np.ndarray) else list(values), dtype=object),
                                  use_na_sentinel=False)
    return list(uniques), np.bincount(codes, minlength=len(uniques))


def match_classes(
    values: Iterable[object],
    *,
    kind: Kind | str,
    vocabulary: Vocabulary | None = None,
    mapping: Mapping[str, str] | str | Path | None = None,
    min_score: float = 85,
    codes: str | None = None,
) -> ClassMapping:
    """Map each distinct raw class value to a standard code.

    Order of the attempts: the user ``mapping`` (raw value or its normalised form) -> exact on the
    normalised standard names and aliases -> synonyms (abbreviations and misspellings expanded,
    interpretive phrases, leading phrases followed by a name) -> numeric codes -> fuzzy
    similarity (rapidfuzz ``token_sort_ratio``), accepted only at ``min_score`` or more and at
    least 5 points ahead of the next class; anything else stays unmatched and is left to the user.
    A similarity match is a judgement, not a certainty: each is recorded with method ``fuzzy``
    and its score, and for pola ruang (a legal designation) a :class:`~kawasan_gis.errors.ReviewWarning`
    lists every one for review (confirm it in a ``mapping`` to silence it). Missing values
    (None, NaN, blank) are skipped.

    Parameters
    ----------
    values : iterable
        Raw values, typically a whole column (repeats are counted).
    kind : {"rtrw", "landuse", "landcover"}
    vocabulary : Vocabulary, optional
        Defaults to ``load_vocabulary(kind)``.
    mapping : dict or path, optional
        User mapping ``{raw value: code}`` or a mapping TOML (see :func:`read_mapping`); empty
        codes are ignored.
    min_score : float, default 85
        Lowest fuzzy score accepted.
    codes : str, optional
        Numeric code scheme: ``"fungsikws"`` (rtrw default), ``"klhk"`` (land cover default) or
        ``"worldcover"`` (ESA WorldCover 10..100, only when asked for).

    Returns
    -------
    ClassMapping

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as review:
    ...     warnings.simplefilter("always")
    ...     m = match_classes(["Kawasan Peruntukan Pertanian", "Perkebunan Rakyatt", 1001], kind="rtrw")
    >>> print(review[0].message)  # Indonesian, as every label unless English is asked for
    1 kelas pola ruang dicocokkan menurut kemiripan ejaan, periksa: 'Perkebunan Rakyatt' -> perkebunan_rakyat (97,1)
    >>> print(review[0].message.text("en"))
    1 pola ruang class matched by spelling similarity, review: 'Perkebunan Rakyatt' -> perkebunan_rakyat (97.1)
    >>> [(r.code, r.method, r.score) for r in m]
    [('pertanian', 'exact', 100.0), ('perkebunan_rakyat', 'fuzzy', 97.1), ('hutan_lindung', 'code', 100.0)]
    >>> match_classes([10, 95], kind="landcover", codes="worldcover").as_dict()
    {10: 'hutan', 95: 'mangrove'}
    """
    key = vocab_key(kind)
    vocab = vocabulary if vocabulary is not None else load_vocabulary(key)
    if vocab.kind != key:
        raise ConfigError(f"kosakata {vocab.kind} tidak dapat mencocokkan kelas {kind} / a {vocab.kind} vocabulary cannot match {kind} classes")
    scheme = codes or DEFAULT_SCHEME[key]
    if scheme not in SCHEMES[key]:
        raise ConfigError(
            f"codes={scheme!r} tidak berlaku untuk / does not apply to {kind}; pakai salah satu dari / use one of {', '.join(SCHEMES[key])}"
        )
    user = _user_mapping(mapping, key, vocab)
    distinct, counts = _distinct(values)
    records = tuple(
        match_value(raw, int(n), vocab, user, scheme, min_score)
        for raw, n in zip(distinct, counts, strict=True)
        if not is_missing(raw)
    )
    result = ClassMapping(kind=key, records=records, vocabulary=vocab)
    if key == "rtrw" and result.fuzzy:
        warnings.warn(review_message(result), ReviewWarning, stacklevel=2)
    return result


def review_message(mapping: ClassMapping, *, listed: bool = True) -> Message:
    """The list of similarity matches to review, in both languages (empty without any).

    ``listed=False`` gives the headline alone, for a line that lists the matches once after
    both languages' headlines.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     m = review_message(match_classes(["Hutan Lindungg"], kind="rtrw"))
    >>> m.text("id")
    "1 kelas pola ruang dicocokkan menurut kemiripan ejaan, periksa: 'Hutan Lindungg' -> hutan_lindung (96,3)"
    >>> m.text("en")
    "1 pola ruang class matched by spelling similarity, review: 'Hutan Lindungg' -> hutan_lindung (96.3)"
    """
    fuzzy = mapping.fuzzy
    if not fuzzy:
        return Message("", "")
    what = {"rtrw": ("kelas pola ruang", "pola ruang class"), "landuse": ("kelas penggunaan lahan", "land-use class")}
    id_, en = what.get(mapping.kind, ("kelas", "class"))

    def items(lang: str) -> str:
        return ", ".join(f"{raw_text(r.raw)!r} -> {r.code} ({format_number(r.score, 1, lang)})" for r in fuzzy)

    n = len(fuzzy)
    head_id = f"{format_number(n, 0, 'id')} {id_} dicocokkan menurut kemiripan ejaan, periksa"
    head_en = f"{format_number(n, 0, 'en')} {en}{'es' if n != 1 else ''} matched by spelling similarity, review"
    if not listed:
        return Message(head_id, head_en)
    return Message(f"{head_id}: {items('id')}", f"{head_en}: {items('en')}")


def find_class_column(
    gdf: pd.DataFrame,
    *,
    kind: Kind | str,
    column: str | None = None,
    vocabulary: Vocabulary | None = None,
) -> str:
    """Find the column that holds the class of each feature.

    The given ``column`` (exact or case-insensitive name); else the first column of the
    vocabulary's candidate list (``Vocabulary.columns``: NAMOBJ, kelas, ..., penggunaan_lahan,
    Penggunaan_LHN, PL, ..., FUNGSIKWS, KODE) present and filled in at least 90 % of the features;
    else the text column whose values match the vocabulary best (at least half of the features
    by exact, synonym or code matching), or a numeric column whose values are all class codes.

    Parameters
    ----------
    gdf : DataFrame or GeoDataFrame
    kind : {"rtrw", "landuse", "landcover"}
    column : str, optional
    vocabulary : Vocabulary, optional

    Returns
    -------
    str

    Raises
    ------
    FieldError
        The given column is absent, or no column fits; the message lists the columns seen.

    Examples
    --------
    >>> import pandas as pd
    >>> find_class_column(pd.DataFrame({"id": [1, 2], "PL": ["Sawah", "Tambak"]}), kind="landuse")
    'PL'
    """
    key = vocab_key(kind)
    vocab = vocabulary if vocabulary is not None else load_vocabulary(key)
    geometry = getattr(getattr(gdf, "geometry", None), "name", None) if hasattr(gdf, "crs") else None
    columns = [str(c) for c in gdf.columns if c != geometry]
    by_lower: dict[str, str] = {}
    for c in columns:
        by_lower.setdefault(c.lower(), c)
    seen = f"kolom di lapisan / columns in the layer: {', '.join(columns) or '-'}"
    if column is not None:
        if column in columns:
            return column
        if column.lower() in by_lower:
            return by_lower[column.lower()]
        raise FieldError(f"Kolom kelas {column!r} tidak ada di lapisan / The class column {column!r} is not in the layer.", problems=[seen])
    n = len(gdf)
    for candidate in vocab.columns:
        found = by_lower.get(candidate.lower())
        if found is not None and n and gdf[found].notna().sum() >= 0.9 * n:
            return found
    best, best_share = None, 0.0
    for c in columns:
        series = gdf[c]
        numeric = pd.api.types.is_integer_dtype(series) or pd.api.types.is_float_dtype(series)
        if not (numeric or pd.api.types.is_string_dtype(series) or pd.api.types.is_object_dtype(series)):
            continue
        if series.nunique(dropna=True) > 500:
            continue
        result = match_classes(series, kind=key, vocabulary=vocab, min_score=101)
        share = sum(r.n for r in result if r.matched) / n if n else 0.0
        # A numeric column (ids, counts) hits some class code by chance: it must be all codes.
        if numeric and result.unmatched:
            continue
        if share > best_share:
            best, best_share = c, share
    if best is not None and best_share >= 0.5:
        log.info("class column %r chosen by content (%.0f %% of features recognised)", best, 100 * best_share)
        return best
    raise FieldError(
        f"Kolom kelas {key} tidak ditemukan: sebutkan dengan --column (column=...) / "
        f"No {key} class column found: pass one with --column (column=...).",
        problems=[seen, f"dicoba menurut nama / tried by name: {', '.join(vocab.columns)}"],
    )


def apply_mapping(
    gdf: gpd.GeoDataFrame,
    *,
    kind: Kind | str,
    column: str | None = None,
    mapping: Mapping[str, str] | str | Path | None = None,
    template_path: str | Path | None = None,
    vocabulary: Vocabulary | None = None,
    min_score: float = 85,
    codes: str | None = None,
) -> tuple[gpd.GeoDataFrame, ClassMapping]:
    """Add the standard class to every feature of a class layer.

    Parameters
    ----------
    gdf : GeoDataFrame
        A land-use / land-cover or pola ruang layer; not modified.
    kind : {"rtrw", "landuse", "landcover"}
    column : str, optional
        The class column; found by :func:`find_class_column` when omitted.
    mapping : dict or path, optional
        User mapping (see :func:`match_classes`).
    template_path : str or Path, optional
        Where to write a mapping template if some values are unmatched.
    vocabulary, min_score, codes
        As in :func:`match_classes`.

    Returns
    -------
    (GeoDataFrame, ClassMapping)
        A copy with columns ``kelas_raw`` (the value as read) and ``kelas`` (standard code; missing
        where the raw value is missing), and the mapping used. When some value is a combined
        class ("Cagar Alam/Kawasan Tanaman Pangan"), ``kelas`` is its protected part and a column
        ``kelas_itbx`` holds the key the ITBX check reads (``"suaka_alam+tanaman_pangan"``; the
        plain code elsewhere): each potential then gets the stricter status of the parts.

    Raises
    ------
    FieldError
        No class column.
    ClassMappingError
        Values that could not be matched with confidence (after writing ``template_path``).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from kawasan_gis.vocab import apply_mapping
    >>> lulc = gpd.read_file("data/lulc_gorontalo_bpdas2021/lulc_bpdas2021_gorontalo.gpkg", rows=3)
    >>> out, m = apply_mapping(lulc, kind="landuse")
    >>> out[["kelas_raw", "kelas"]].drop_duplicates().values.tolist()
    [['Tanah Kosong / Gundul', 'tanah_terbuka'], ['Permukiman dan Tempat Kegiatan', 'permukiman']]
    """
    col = find_class_column(gdf, kind=kind, column=column, vocabulary=vocabulary)
    result = match_classes(
        gdf[col], kind=kind, vocabulary=vocabulary, mapping=mapping, min_score=min_score, codes=codes
    )
    result.raise_for_unmatched(column=col, template_path=template_path)
    lookup = result.as_dict()
    out = gdf.copy()
    raw = gdf[col]
    out["kelas_raw"] = raw.copy()
    codes, uniques = pd.factorize(raw.astype(object), use_na_sentinel=False)
    absent = np.array([is_missing(v) for v in uniques], dtype=bool)
    standard = np.array([None if gone else lookup[v] for v, gone in zip(uniques, absent, strict=True)], dtype=object)
    out["kelas"] = pd.Series(standard[codes], index=gdf.index, dtype="str")
    if any(r.parts for r in result):
        keys = {r.raw: r.itbx_key for r in result if r.code is not None}
        itbx = np.array([None if gone else keys[v] for v, gone in zip(uniques, absent, strict=True)], dtype=object)
        out[ITBX_KEY] = pd.Series(itbx[codes], index=gdf.index, dtype="str")
    missing = int(absent[codes].sum())
    if missing:
        log.warning("%d features have no value in class column %r; their kelas is missing", missing, col)
    return out, result
