"""Text form of raw class values: the normaliser every lookup goes through, and missing values.

Owns :func:`normalise` (the key under which names, aliases, synonyms and raw values are
compared) and the small readers of raw values the other vocab modules share: :func:`is_missing`,
:func:`raw_text`, :func:`as_number` and :func:`clean_key`. Imports nothing of the package.
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata

import pandas as pd

__all__ = ["NUMBER_RE", "as_number", "clean_key", "is_missing", "normalise", "raw_text"]

#: A value written as a whole number ("20093", "2001.0").
NUMBER_RE = re.compile(r"^\d+(?:\.0+)?$")
# Generic words that open a class name without naming the class ("Kawasan Peruntukan Pertanian",
# "Kws. Industri", "Sub Zona Perumahan"). Longest first; stripping never empties a value.
_PREFIXES: tuple[tuple[str, ...], ...] = tuple(
    tuple(p.split())
    for p in (
        "kawasan peruntukan",
        "kws peruntukan",
        "kwsn peruntukan",
        "sub zona",
        "kawasan",
        "kws",
        "kwsn",
        "peruntukan",
        "subzona",
        "zona",
    )
)


def normalise(value: object) -> str:
    """Normalise a raw class value for matching.

    Lower case, accents removed, ``&`` read as ``dan``, every run of punctuation, underscores and
    whitespace turned into one space, and the generic prefixes ("Kawasan", "Kawasan Peruntukan",
    "Kws.", "Kwsn", "Peruntukan", "Zona", "Sub Zona") stripped from the start as long as a word
    remains. Integral numbers are written without a decimal part. Missing values give ``""``.
    The function is idempotent.

    Parameters
    ----------
    value : object
        A raw class value (text or number).

    Returns
    -------
    str

    Examples
    --------
    >>> normalise("KWS. PERUNTUKAN  Pertanian")
    'pertanian'
    >>> normalise("Tanah Kosong / Gundul")
    'tanah kosong gundul'
    >>> normalise(20093.0)
    '20093'
    """
    if is_missing(value):
        return ""
    text = _fold(raw_text(value)).replace("&", " dan ")
    tokens = re.sub(r"[\W_]+", " ", text).split()
    return " ".join(_strip_prefixes(tokens))


def _fold(text: str) -> str:
    # casefold can produce characters that decompose again (e.g. U+0130), hence two passes.
    for _ in range(2):
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return text


def _strip_prefixes(tokens: list[str]) -> list[str]:
    changed = True
    while changed:
        changed = False
        for prefix in _PREFIXES:
            n = len(prefix)
            if len(tokens) > n and tuple(tokens[:n]) == prefix:
                tokens = tokens[n:]
                changed = True
                break
    return tokens


def is_missing(value: object) -> bool:
    """True for a value that holds no class: None, NA, NaT, NaN or blank text.

    Examples
    --------
    >>> [is_missing(v) for v in (None, float("nan"), "  ", 0, "Sawah")]
    [True, True, True, False, False]
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def raw_text(value: object) -> str:
    """Text form of a raw value; integral numbers without ``.0`` (``2001.0`` -> ``"2001"``)."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real) and math.isfinite(float(value)) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def as_number(value: object) -> int | None:
    """The whole number a raw value stands for (``20093``, ``2001.0``, ``"1001"``), else ``None``."""
    if isinstance(value, bool) or is_missing(value):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return int(value) if math.isfinite(float(value)) and float(value).is_integer() else None
    text = str(value).strip()
    return int(float(text)) if NUMBER_RE.match(text) else None


def clean_key(text: str) -> str:
    """Normalise without prefix stripping (for expansion keys)."""
    return " ".join(re.sub(r"[\W_]+", " ", _fold(text).replace("&", " dan ")).split())
