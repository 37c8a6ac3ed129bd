"""The ``where`` attribute filter: one small, safe filter language for every input format.

GDAL's own filters do not agree with each other (in GeoJSON, OGR SQL's ``=`` ignores case and
``LIKE`` does not; in a GeoPackage, SQLite does the opposite) and GeoParquet had no OGR SQL at
all (``DataFrame.query`` evaluates Python expressions). So a filter is parsed here, once, into a
small tree, checked against the layer's columns and their types, and evaluated on the columns
with pandas; nothing is ever passed to ``eval``, GDAL or SQLite. A Shapefile, GeoPackage,
GeoJSON, FlatGeobuf or GeoParquet layer with the same rows gives the same rows back.

The language, an OGR SQL subset (keywords in any case)::

    column = 'text'            text values in single quotes ('' for a quote inside)
    column <> 'text'           also !=; <, <=, >, >= compare numbers, or text by its characters
    column = 12.5              numbers without quotes (a text column needs quotes, a number column none)
    column IN ('a', 'b')       also NOT IN
    column LIKE 'Desa%'        % any characters, _ one character; case-sensitive (ILIKE ignores case)
    column IS NULL             also IS NOT NULL
    a AND b, a OR b, NOT a, ( ... )

``=`` compares exactly (case and spaces count). Column names match exactly, else ignoring case;
a name with spaces goes in double quotes (``"nama desa" = 'Sukadana'``). As in SQL, a comparison
with an empty (NULL) value is unknown and the row is not kept, also under ``NOT``.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"KETERANGAN": ["Ibukota Desa", "PKL", None], "n": [1, 2, 3]})
>>> keep = parse_filter("KETERANGAN <> 'Ibukota Desa' AND n >= 2").mask(frame)
>>> keep.tolist()
[False, True, False]
>>> parse_filter("KETERANGAN IS NULL OR KETERANGAN LIKE 'Ibu%'").mask(frame).tolist()
[True, False, True]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Union

import numpy as np
import pandas as pd

from kawasan_gis.errors import LayerError

__all__ = ["Filter", "FilterSyntaxError", "apply_filter", "compile_filter", "parse_filter"]

_KEYWORDS = {"AND", "OR", "NOT", "IN", "LIKE", "ILIKE", "IS", "NULL"}
_COMPARISONS = {"=", "==", "<>", "!=", "<", "<=", ">", ">="}

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'(?:[^']|'')*')
      | (?P<quoted>"(?:[^"]|"")*")
      | (?P<number>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
      | (?P<op><=|>=|<>|!=|==|=|<|>|\(|\)|,)
      | (?P<word>[^\W\d]\w*)
    )""",
    re.VERBOSE,
)

HELP = (
    "bahasa filter: kolom = 'teks', kolom <> 'teks', kolom >= 10, kolom IN ('a', 'b'), "
    "kolom LIKE 'awal%', kolom IS NULL, digabung dengan AND, OR, NOT dan tanda kurung / "
    "filter language: column = 'text', column <> 'text', column >= 10, column IN ('a', 'b'), "
    "column LIKE 'start%', column IS NULL, joined with AND, OR, NOT and brackets"
)


class FilterSyntaxError(ValueError):
    """A filter that does not parse; ``position`` is the 0-based character where it went wrong."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.position = position


@dataclass(frozen=True)
class _Token:
    kind: str  # string, quoted, number, op, word, keyword, end
    text: str
    position: int
    value: object = None


@dataclass(frozen=True)
class _Compare:
    column: str
    op: str
    value: str | float | int


@dataclass(frozen=True)
class _In:
    column: str
    values: tuple[str | float | int, ...]
    negated: bool


@dataclass(frozen=True)
class _Like:
    column: str
    pattern: str
    ignore_case: bool
    negated: bool


@dataclass(frozen=True)
class _IsNull:
    column: str
    negated: bool


@dataclass(frozen=True)
class _Not:
    operand: _Node


@dataclass(frozen=True)
class _Bool:
    op: str  # AND / OR
    left: _Node
    right: _Node


_Node = Union[_Compare, _In, _Like, _IsNull, _Not, _Bool]


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            start = pos + len(text[pos:]) - len(text[pos:].lstrip())
            what = text[start]
            if what in "'\"":
                raise FilterSyntaxError(
                    f"tanda kutip {what} tidak ditutup / unclosed quote {what}", start
                )
            raise FilterSyntaxError(f"karakter tidak dikenal {what!r} / unexpected character {what!r}", start)
        kind = match.lastgroup or ""
        raw = match.group(kind)
        start = match.start(kind)
        if kind == "string":
            out.append(_Token("string", raw, start, raw[1:-1].replace("''", "'")))
        elif kind == "quoted":
            out.append(_Token("word", raw, start, raw[1:-1].replace('""', '"')))
        elif kind == "number":
            value: int | float = float(raw) if re.search(r"[.eE]", raw) else int(raw)
            out.append(_Token("number", raw, start, value))
        elif kind == "word" and raw.upper() in _KEYWORDS:
            out.append(_Token("keyword", raw.upper(), start))
        elif kind == "word":
            out.append(_Token("word", raw, start, raw))
        else:
            out.append(_Token("op", raw, start))
        pos = match.end()
    out.append(_Token("end", "", len(text)))
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.i = 0

    def peek(self) -> _Token:
        return self.tokens[self.i]

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def accept(self, kind: str, text: str) -> bool:
        token = self.peek()
        if token.kind == kind and token.text == text:
            self.i += 1
            return True
        return False

    def fail(self, wanted_id: str, wanted_en: str) -> FilterSyntaxError:
        token = self.peek()
        got_id, got_en = ("akhir filter", "the end") if token.kind == "end" else (repr(token.text), repr(token.text))
        return FilterSyntaxError(
            f"diharapkan {wanted_id}, ditemukan {got_id} / expected {wanted_en}, found {got_en}", token.position
        )

    def parse(self) -> _Node:
        node = self.disjunction()
        if self.peek().kind != "end":
            raise self.fail("AND, OR atau akhir filter", "AND, OR or the end")
        return node

    def disjunction(self) -> _Node:
        node = self.conjunction()
        while self.accept("keyword", "OR"):
            node = _Bool("OR", node, self.conjunction())
        return node

    def conjunction(self) -> _Node:
        node = self.negation()
        while self.accept("keyword", "AND"):
            node = _Bool("AND", node, self.negation())
        return node

    def negation(self) -> _Node:
        if self.accept("keyword", "NOT"):
            return _Not(self.negation())
        if self.accept("op", "("):
            node = self.disjunction()
            if not self.accept("op", ")"):
                raise self.fail("')'", "')'")
            return node
        return self.predicate()

    def literal(self) -> str | int | float:
        token = self.peek()
        if token.kind in ("string", "number"):
            self.i += 1
            return token.value  # type: ignore[return-value]
        if token.kind == "word":
            raise FilterSyntaxError(
                f"{token.text!r} bukan nilai: teks ditulis dalam tanda kutip tunggal, '{token.text}' / "
                f"{token.text!r} is not a value: text goes in single quotes, '{token.text}'",
                token.position,
            )
        raise self.fail("nilai ('teks' atau angka)", "a value ('text' or a number)")

    def predicate(self) -> _Node:
        token = self.peek()
        if token.kind != "word":
            raise self.fail("nama kolom", "a column name")
        self.i += 1
        column = str(token.value)
        op = self.peek()
        if op.kind == "op" and op.text in _COMPARISONS:
            self.i += 1
            return _Compare(column, {"==": "=", "!=": "<>"}.get(op.text, op.text), self.literal())
        if self.accept("keyword", "IS"):
            negated = self.accept("keyword", "NOT")
            if not self.accept("keyword", "NULL"):
                raise self.fail("NULL", "NULL")
            return _IsNull(column, negated)
        negated = self.accept("keyword", "NOT")
        if self.accept("keyword", "IN"):
            if not self.accept("op", "("):
                raise self.fail("'(' setelah IN", "'(' after IN")
            values = [self.literal()]
            while self.accept("op", ","):
                values.append(self.literal())
            if not self.accept("op", ")"):
                raise self.fail("',' atau ')'", "',' or ')'")
            return _In(column, tuple(values), negated)
        for word in ("LIKE", "ILIKE"):
            if self.accept("keyword", word):
                pattern = self.peek()
                if pattern.kind != "string":
                    raise self.fail(f"pola teks setelah {word}", f"a text pattern after {word}")
                self.i += 1
                return _Like(column, str(pattern.value), word == "ILIKE", negated)
        if negated:
            raise self.fail("IN, LIKE atau ILIKE setelah NOT", "IN, LIKE or ILIKE after NOT")
        raise self.fail("operator (=, <>, <, >, IN, LIKE, IS NULL)", "an operator (=, <>, <, >, IN, LIKE, IS NULL)")


def _columns_of(node: _Node) -> list[str]:
    if isinstance(node, _Bool):
        return _columns_of(node.left) + _columns_of(node.right)
    if isinstance(node, _Not):
        return _columns_of(node.operand)
    return [node.column]


class Filter:
    """A parsed ``where`` filter; :meth:`mask` says which rows of a frame it keeps.

    Build one with :func:`parse_filter`.
    """

    def __init__(self, text: str, tree: _Node) -> None:
        self.text = text
        self._tree = tree

    @property
    def columns(self) -> list[str]:
        """The column names the filter uses, as written, each once."""
        return list(dict.fromkeys(_columns_of(self._tree)))

    def mask(self, frame: pd.DataFrame) -> np.ndarray:
        """Boolean array: True where the row is kept (the filter is true, not false or unknown).

        Raises
        ------
        ValueError
            A column is missing, or a value's type does not fit its column (text vs number);
            the message is Indonesian then English.
        """
        resolved = {name: _resolve_column(frame, name) for name in self.columns}
        value, known = _evaluate(self._tree, frame, resolved)
        return value & known


def parse_filter(text: str) -> Filter:
    """Parse a ``where`` filter (see the module docstring for the language).

    Raises
    ------
    FilterSyntaxError
        The filter does not parse; the message (Indonesian / English) says what was expected.
    """
    return Filter(text, _Parser(text).parse())


def _resolve_column(frame: pd.DataFrame, name: str) -> str:
    columns = [str(c) for c in frame.columns if c != getattr(frame, "_geometry_column_name", None)]
    if name in columns:
        return name
    folded = [c for c in columns if c.lower() == name.lower()]
    if len(folded) == 1:
        return folded[0]
    raise ValueError(
        f"kolom '{name}' tidak ada (kolom: {', '.join(columns)}) / "
        f"no column '{name}' (columns: {', '.join(columns)})"
    )


def _kind_of(series: pd.Series) -> str:
    """``text``, ``number`` or ``other`` (dates, mixed values): what a column may be compared with."""
    if pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype):
        return "number"
    if pd.api.types.is_string_dtype(series.dtype):
        present = series.dropna()
        if present.map(lambda v: isinstance(v, str)).all():
            return "text"
    return "other"


def _check_type(series: pd.Series, column: str, values: tuple[object, ...]) -> str:
    kind = _kind_of(series)
    if kind == "other":
        raise ValueError(
            f"kolom '{column}' bukan teks atau angka ({series.dtype}); hanya IS NULL yang bisa dipakai / "
            f"column '{column}' is neither text nor numbers ({series.dtype}); only IS NULL applies to it"
        )
    for value in values:
        if kind == "text" and not isinstance(value, str):
            raise ValueError(
                f"kolom '{column}' berisi teks: tulis nilainya dalam tanda kutip, '{value}' / "
                f"column '{column}' holds text: put the value in quotes, '{value}'"
            )
        if kind == "number" and isinstance(value, str):
            raise ValueError(
                f"kolom '{column}' berisi angka: tulis nilainya tanpa tanda kutip, {value} / "
                f"column '{column}' holds numbers: write the value without quotes, {value}"
            )
    return kind


def _like_regex(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    parts = [".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern]
    return re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _evaluate(node: _Node, frame: pd.DataFrame, resolved: dict[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """Three-valued logic: (value, known) boolean arrays; unknown rows are never kept."""
    if isinstance(node, _Bool):
        lv, lk = _evaluate(node.left, frame, resolved)
        rv, rk = _evaluate(node.right, frame, resolved)
        if node.op == "AND":
            false = (lk & ~lv) | (rk & ~rv)
            value = lv & rv & lk & rk
            return value, value | false
        true = (lk & lv) | (rk & rv)
        return true, true | (lk & rk)
    if isinstance(node, _Not):
        value, known = _evaluate(node.operand, frame, resolved)
        return ~value & known, known
    series = frame[resolved[node.column]]
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    missing = series.isna().to_numpy()
    known = ~missing
    if isinstance(node, _IsNull):
        return (known if node.negated else missing), np.ones(len(frame), dtype=bool)
    if isinstance(node, _Like):
        _check_type(series, node.column, (node.pattern,))
        regex = _like_regex(node.pattern, node.ignore_case)
        hit = np.array([bool(regex.fullmatch(v)) if isinstance(v, str) else False for v in series.to_numpy(dtype=object)])
        return (~hit if node.negated else hit) & known, known
    if isinstance(node, _In):
        _check_type(series, node.column, node.values)
        hit = series.isin(list(node.values)).to_numpy() & known
        return (~hit if node.negated else hit) & known, known
    _check_type(series, node.column, (node.value,))
    present = series[known]
    compared = {
        "=": lambda s: s == node.value,
        "<>": lambda s: s != node.value,
        "<": lambda s: s < node.value,
        "<=": lambda s: s <= node.value,
        ">": lambda s: s > node.value,
        ">=": lambda s: s >= node.value,
    }[node.op](present)
    value = np.zeros(len(frame), dtype=bool)
    value[known] = np.asarray(compared, dtype=bool)
    return value, known


def compile_filter(where: str, *, source: str) -> Filter:
    """:func:`parse_filter` for the file ``source``: a syntax error becomes a :class:`LayerError`.

    Raises
    ------
    LayerError
        The filter does not parse; the message names the file and the filter, points at the
        place that went wrong and shows the language.
    """
    try:
        return parse_filter(where)
    except FilterSyntaxError as exc:
        pointer = f"{where[: exc.position]} \u2192 {where[exc.position :]}".strip()
        raise LayerError(
            f"{source}: filter '{where}' tidak dapat dibaca / cannot be read: {exc} "
            f"(posisi / position {exc.position + 1}: {pointer}). {HELP}."
        ) from None


def apply_filter(frame: pd.DataFrame, where: str, *, source: str) -> pd.DataFrame:
    """The rows of ``frame`` the filter ``where`` keeps (index kept), for the file ``source``.

    Raises
    ------
    LayerError
        The filter does not parse, names a missing column or compares a column with a value of
        the other type; the message names the file and the filter.
    """
    compiled = compile_filter(where, source=source)
    try:
        keep = compiled.mask(frame)
    except ValueError as exc:
        raise LayerError(f"{source}: filter '{where}' tidak dapat dipakai / cannot be applied: {exc}.") from None
    return frame.loc[keep]
