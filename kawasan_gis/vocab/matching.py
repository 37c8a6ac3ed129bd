"""Raw-value matching: how one raw class value finds its standard code, and how sure that is.

Owns :class:`ClassMatch` and the attempts in order (user mapping, exact name or alias,
synonyms with abbreviations and prefixes expanded, numeric codes, fuzzy similarity with
rapidfuzz), the ranking of fuzzy candidates and the wording of suggestions. Imports
:mod:`.text` and :mod:`.classes`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz, process

from kawasan_gis.vocab.classes import Vocabulary
from kawasan_gis.vocab.text import as_number, normalise, raw_text

__all__ = [
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
    """

    raw: object
    normalised: str
    code: str | None
    method: Method | None
    score: float
    n: int = 1
    suggestions: tuple[tuple[str, float], ...] = ()

    @property
    def matched(self) -> bool:
        """True when a standard code was found."""
        return self.code is not None


def describe_suggestions(r: ClassMatch) -> str:
    """The fuzzy candidates of a record as a hint (``"best: sawah 88.0, ..."``); ``""`` for none."""
    if not r.suggestions:
        return ""
    best = ", ".join(f"{code} {score:.1f}" for code, score in r.suggestions)
    ambiguous = len(r.suggestions) > 1 and r.suggestions[0][1] - r.suggestions[1][1] < FUZZY_MARGIN
    return ("ambiguous: " if ambiguous and r.suggestions[0][1] >= PREFILL_SCORE else "best: ") + best


def rank_fuzzy(query: str, vocab: Vocabulary) -> list[tuple[str, float]]:
    """Best similarity per code, best first."""
    choices = vocab.choices()
    best: dict[str, float] = {}
    for _, score, idx in process.extract(query, [c[0] for c in choices], scorer=fuzz.token_sort_ratio, limit=None):
        code = choices[idx][1]
        if score > best.get(code, -1.0):
            best[code] = float(score)
    return sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))


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
    syn = vocab.synonyms
    expanded = syn.expand_text(norm)
    code = vocab.lookup_name(expanded) or syn.phrases.get(norm) or syn.phrases.get(expanded)
    if not code:
        for head in sorted(syn.heads, key=len, reverse=True):
            if expanded == head or expanded.startswith(head + " "):
                code = syn.heads[head]
                break
    if code:
        return ClassMatch(raw, norm, code, "synonym", 100.0, n)
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
