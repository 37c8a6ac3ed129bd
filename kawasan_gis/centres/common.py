"""Names every module of :mod:`kawasan_gis.centres` shares.

Owns the village code column name, the roman names of hierarchy orders (``ORDER_NAMES``, also
used by :mod:`kawasan_gis.maps` for the legend) and the small text helpers that give one
language of an "id / en" message and format a number in the planner's language. Imports nothing
of kawasan_gis.
"""

from __future__ import annotations


__all__ = [
    "CODE",
    "ORDER_NAMES",
]

CODE = "kode_desa"

ORDER_NAMES = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV")


def _roman(order: int) -> str:
    return ORDER_NAMES[order - 1] if 1 <= order <= len(ORDER_NAMES) else str(order)


def _part(text: str, lang: str) -> str:
    """One language of an "Indonesian / English" message."""
    head, sep, tail = text.partition(" / ")
    return (tail if lang == "en" else head) if sep else text


def _fmt(value: float, decimals: int, lang: str) -> str:
    text = f"{value:,.{decimals}f}"
    if lang == "id":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text
