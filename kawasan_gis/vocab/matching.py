"""Raw-value matching: how one raw class value finds its standard code, and how sure that is.

Owns :class:`ClassMatch` and the attempts in order (user mapping, exact name or alias,
combined classes, synonyms with abbreviations and prefixes expanded, numeric codes, fuzzy
similarity with rapidfuzz), the ranking of fuzzy candidates and the wording of suggestions.
Imports :mod:`.text` and :mod:`.classes`.

A *combined class* is a raw value that names two or more classes at once, as real RTRW layers
write them ("Cagar Alam/Kawasan Tanaman Pangan", "Kawasan Ekosistem Mangrove/Kawasan Tanaman
Pangan"): parts separated by ``/``, ``+`` or ``;``, each recognised exactly or by a synonym (never
fuzzily). Its code is the part of highest ``priority`` (the protected part: every lindung class
outranks every budidaya class), and :attr:`ClassMatch.parts` keeps all parts, protected first,
so that the ITBX check can give each potential the stricter status of the parts
(:meth:`~kawasan_gis.vocab.ItbxMatrix.status` on the key ``"a+b"``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz, process

from kawasan_gis.vocab.classes import Vocabulary
from kawasan_gis.vocab.text import as_number, normalise, raw_text

__all__ = [
    "COMBINED_SEP",
    "FUZZY_MARGIN",
    "METHODS",
    "PREFILL_SCORE",
    "ClassMatch",
    "Method",
    "describe_suggestions",
    "match_value",
    "rank_fuzzy",
]

Method = Literal["exact", "synonym", "code", "fuzzy", "user"]
METHODS: tuple[str, ...] = ("exact", "synonym", "code", "fuzzy", "user")

#: Points a fuzzy match must lead the next class by to be accepted (or pre-filled).
FUZZY_MARGIN = 5.0
#: Lowest fuzzy score a mapping template pre-fills or a misspelt code is corrected to.
PREFILL_SCORE = 70.0
_N_SUGGESTIONS = 3
#: Joins the parts of a combined class in an ITBX key (``"ekosistem_mangrove+tanaman_pangan"``).
COMBINED_SEP = "+"
# What separates the parts of a combined class in a raw value.
_PART_SPLIT = re.compile(r"\s*[/+;]\s*")


@dataclass(frozen=True)
class ClassMatch:
    """How one distinct raw value was mapped.

    Attributes
    ----------
    raw : object
        The value as read.
    normalised : str
        :func:`normalise` of it.
    code : str or None
        Standard code; ``None`` when unmatched.
    method : {"exact", "synonym", "code", "fuzzy", "user"} or None
    score : float
        0-100; 100 for every method but fuzzy, the similarity for fuzzy, the best candidate's
        similarity for unmatched values.
    n : int
        How many times the value occurs in the input.
    suggestions : tuple of (code, score)
        Best fuzzy candidates (other than ``code``), best first.
    parts : tuple of str
        For a combined class, the codes of its parts, protected (highest priority) first; ``code``
        is ``parts[0]``. Empty for a value that names one class.
    """

    raw: object
    normalised: str
    code: str | None
    method: Method | None
    score: float
    n: int = 1
    suggestions: tuple[tuple[str, float], ...] = ()
    parts: tuple[str, ...] = ()

    @property
    def matched(self) -> bool:
        """True when a standard code was found."""
        return self.code is not None

    @property
    def itbx_key(self) -> str | None:
        """The key the ITBX matrix is read with: ``code``, or the parts joined by ``+``."""
        return COMBINED_SEP.join(self.parts) if self.parts else self.code


def describe_suggestions(r: ClassMatch) -> str:
    """The fuzzy candidates of a record as a hint (``"terdekat / best: sawah 88.0, ..."``); ``""`` for none."""
    if not r.suggestions:
        return ""
    best = ", ".join(f"{code} {score:.1f}" for code, score in r.suggestions)
    ambiguous = len(r.suggestions) > 1 and r.suggestions[0][1] - r.suggestions[1][1] < FUZZY_MARGIN
    return ("ambigu / ambiguous: " if ambiguous and r.suggestions[0][1] >= PREFILL_SCORE else "terdekat / best: ") + best


def rank_fuzzy(query: str, vocab: Vocabulary) -> list[tuple[str, float]]:
    """Best similarity per code, best first."""
    choices = vocab.choices()
    best: dict[str, float] = {}
    for _, score, idx in process.extract(query, [c[0] for c in choices], scorer=fuzz.token_sort_ratio, limit=None):
        code = choices[idx][1]
        if score > best.get(code, -1.0):
            best[code] = float(score)
    return sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))


def _strict_code(norm: str, vocab: Vocabulary) -> str | None:
    """Code of a normalised value by exact name or synonym rules only (no numbers, no fuzzy)."""
    code = vocab.lookup_name(norm)
    if code:
        return code
    syn = vocab.synonyms
    expanded = syn.expand_text(norm)
    code = vocab.lookup_name(expanded) or syn.phrases.get(norm) or syn.phrases.get(expanded)
    if code:
        return code
    for head in sorted(syn.heads, key=len, reverse=True):
        if expanded == head or expanded.startswith(head + " "):
            return syn.heads[head]
    return None


def match_value(
    raw: object,
    n: int,
    vocab: Vocabulary,
    user: Mapping[str, str],
    scheme: str,
    min_score: float,
) -> ClassMatch:
    """Match one distinct raw value that occurs ``n`` times (see :func:`~kawasan_gis.vocab.match_classes`).

    ``user`` maps raw texts and normalised values to codes already checked against ``vocab``;
    ``scheme`` is the numeric code scheme to read numbers in.
    """
    norm = normalise(raw)
    text = raw_text(raw)
    for key in (text, norm):
        if key in user:
            return ClassMatch(raw, norm, user[key], "user", 100.0, n)
    code = vocab.lookup_name(norm)
    if code:
        return ClassMatch(raw, norm, code, "exact", 100.0, n)
    pieces = [p for p in _PART_SPLIT.split(text) if p.strip()]
    if len(pieces) > 1:
        codes = [_strict_code(normalise(p), vocab) for p in pieces]
        if all(codes):
            # Protected first: highest priority, then the order the layer wrote them in.
            unique = sorted(dict.fromkeys(c for c in codes if c), key=lambda c: -vocab[c].priority)
            return ClassMatch(raw, norm, unique[0], "synonym", 100.0, n, parts=tuple(unique) if len(unique) > 1 else ())
    code = _strict_code(norm, vocab)
    if code:
        return ClassMatch(raw, norm, code, "synonym", 100.0, n)
    syn = vocab.synonyms
    expanded = syn.expand_text(norm)
    number = as_number(raw)
    if number is not None:
        code = vocab.lookup_number(number, scheme)
        if code:
            return ClassMatch(raw, norm, code, "code", 100.0, n)
        return ClassMatch(raw, norm, None, None, 0.0, n)
    ranked = rank_fuzzy(expanded, vocab)
    if expanded != norm:
        merged = dict(ranked)
        for c, s in rank_fuzzy(norm, vocab):
            merged[c] = max(s, merged.get(c, 0.0))
        ranked = sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))
    ranked = [(c, round(s, 1)) for c, s in ranked]
    if not ranked:
        return ClassMatch(raw, norm, None, None, 0.0, n)
    best_code, best = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    if best >= min_score and best - second >= FUZZY_MARGIN:
        return ClassMatch(raw, norm, best_code, "fuzzy", best, n, tuple(ranked[1 : 1 + _N_SUGGESTIONS]))
    return ClassMatch(raw, norm, None, None, best, n, tuple(ranked[:_N_SUGGESTIONS]))
