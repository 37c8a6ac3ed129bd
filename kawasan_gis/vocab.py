"""Standard class vocabularies and the recognition of raw class values.

The vocabularies are package data (``kawasan_gis/data/*.toml``), editable and extensible by
users with an override file of the same structure:

- pola ruang classes of RTRW/RDTR plans (:func:`load_vocabulary` with ``kind="rtrw"``),
- land use / land cover classes (``kind="landuse"`` or ``"landcover"``: one list),
- potentials and the indicators that feed them (:func:`load_potentials`),
- the ITBX zoning matrix, potential x pola ruang class (:func:`load_itbx`).

Raw class values as real layers spell them ("Kws. Peruntukan Pertanian", "Pemukiman Perdesaan",
"HL Gunung Balak", 20093) are mapped to standard codes by :func:`match_classes`; every mapping
says how it was made. Values that cannot be mapped with confidence are never guessed:
:func:`apply_mapping` stops with a :class:`~kawasan_gis.errors.ClassMappingError` and can write a
ready-to-edit mapping template (:func:`write_template`) that the user fills and passes back.

Examples
--------
>>> from kawasan_gis.vocab import load_vocabulary, match_classes
>>> load_vocabulary("rtrw").label("hutan_lindung", lang="en")
'Protection forest'
>>> m = match_classes(["Pemukiman Perdesaan", "HL Gunung Balak"], kind="rtrw")
>>> [(r.code, r.method) for r in m]
[('permukiman_perdesaan', 'synonym'), ('hutan_lindung', 'synonym')]
"""

from __future__ import annotations

import functools
import logging
import math
import numbers
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd
import tomli_w
from rapidfuzz import fuzz, process

from kawasan_gis._atomic import write_text
from kawasan_gis.errors import ClassMappingError, ConfigError, FieldError

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "METHODS",
    "STATUSES",
    "ClassMapping",
    "ClassMatch",
    "IndicatorSpec",
    "ItbxMatrix",
    "Potential",
    "PotentialCatalogue",
    "StandardClass",
    "Synonyms",
    "Vocabulary",
    "apply_mapping",
    "find_class_column",
    "load_itbx",
    "load_potentials",
    "load_vocabulary",
    "match_classes",
    "normalise",
    "read_mapping",
    "write_template",
]

log = logging.getLogger(__name__)

Kind = Literal["rtrw", "landuse", "landcover"]
Method = Literal["exact", "synonym", "code", "fuzzy", "user"]
Status = Literal["I", "T", "B", "X"]

METHODS: tuple[str, ...] = ("exact", "synonym", "code", "fuzzy", "user")
#: ITBX statuses from the most to the least permissive.
STATUSES: tuple[str, ...] = ("I", "T", "B", "X")

OverrideSource = str | Path | Mapping[str, Any] | None

_DATA = resources.files("kawasan_gis") / "data"
_FILES = {"rtrw": "pola_ruang.toml", "landcover": "landcover.toml"}
_GROUPS = {
    "rtrw": ("lindung", "budidaya"),
    "landcover": ("hutan", "pertanian", "permukiman", "air", "lainnya"),
}
_SCHEMES = {"rtrw": ("fungsikws",), "landcover": ("klhk", "worldcover")}
_DEFAULT_SCHEME = {"rtrw": "fungsikws", "landcover": "klhk"}
_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_NUMBER_RE = re.compile(r"^\d+(?:\.0+)?$")
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
_FUZZY_MARGIN = 5.0
_PREFILL_SCORE = 70.0
_N_SUGGESTIONS = 3


# --------------------------------------------------------------------------- normalising
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
    if _is_missing(value):
        return ""
    text = _fold(_raw_text(value)).replace("&", " dan ")
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


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _raw_text(value: object) -> str:
    """Text form of a raw value; integral numbers without ``.0`` (``2001.0`` -> ``"2001"``)."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real) and math.isfinite(float(value)) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def _as_number(value: object) -> int | None:
    if isinstance(value, bool) or _is_missing(value):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return int(value) if math.isfinite(float(value)) and float(value).is_integer() else None
    text = str(value).strip()
    return int(float(text)) if _NUMBER_RE.match(text) else None


def _clean(text: str) -> str:
    """Normalise without prefix stripping (for expansion keys)."""
    return " ".join(re.sub(r"[\W_]+", " ", _fold(text).replace("&", " dan ")).split())


# --------------------------------------------------------------------------- vocabularies
@dataclass(frozen=True)
class StandardClass:
    """One standard class of a vocabulary.

    Attributes
    ----------
    code : str
        Stable snake_case code (``"hutan_lindung"``).
    nama, name : str
        Indonesian and English names.
    group : str
        ``lindung``/``budidaya`` for pola ruang; ``hutan``/``pertanian``/``permukiman``/``air``/
        ``lainnya`` for land cover.
    colour : tuple of int
        RGB.
    priority : int
        Higher wins where zoning polygons overlap (pola ruang); 0 for land cover.
    aliases : tuple of str
        Other names matched exactly after :func:`normalise`.
    codes : Mapping[str, tuple[int, ...]]
        Numeric codes by scheme (``fungsikws``; ``klhk``, ``worldcover``).
    """

    code: str
    nama: str
    name: str
    group: str
    colour: tuple[int, int, int]
    priority: int = 0
    aliases: tuple[str, ...] = ()
    codes: Mapping[str, tuple[int, ...]] = field(default_factory=lambda: MappingProxyType({}), hash=False)


@dataclass(frozen=True)
class Synonyms:
    """Synonym rules of one vocabulary (see ``data/synonyms.toml``); keys are normalised.

    Attributes
    ----------
    expand : Mapping[str, str]
        Word or phrase replacements (abbreviations, misspellings) applied before a second lookup.
    phrases : Mapping[str, str]
        Whole value -> standard code.
    heads : Mapping[str, str]
        Leading phrase -> standard code, for values that go on with a name or a qualifier.
    """

    expand: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    phrases: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    heads: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)

    def expand_text(self, text: str) -> str:
        """Apply the ``expand`` rules to a normalised value, longest phrase first.

        Examples
        --------
        >>> load_vocabulary("rtrw").synonyms.expand_text("hl gunung balak")
        'hutan lindung gunung balak'
        """
        rules = {tuple(k.split()): v for k, v in self.expand.items()}
        if not rules:
            return text
        longest = max(len(k) for k in rules)
        tokens = text.split()
        out: list[str] = []
        i = 0
        while i < len(tokens):
            for n in range(min(longest, len(tokens) - i), 0, -1):
                replacement = rules.get(tuple(tokens[i : i + n]))
                if replacement is not None:
                    out.append(replacement)
                    i += n
                    break
            else:
                out.append(tokens[i])
                i += 1
        return " ".join(out)


@dataclass(frozen=True)
class Vocabulary:
    """A list of standard classes with its synonym rules.

    Built by :func:`load_vocabulary`; immutable. Supports ``code in vocab``, ``vocab[code]``,
    iteration over the classes and ``len``.

    Attributes
    ----------
    kind : str
        ``"rtrw"`` or ``"landcover"`` (land use and land cover share one list).
    classes : tuple of StandardClass
    synonyms : Synonyms
    columns : tuple of str
        Column names that usually hold the class, in the order :func:`find_class_column` tries them.

    Examples
    --------
    >>> v = load_vocabulary("landuse")
    >>> v.colour("sawah"), v.group("sawah"), v.label("sawah", lang="en")
    ((200, 245, 70), 'pertanian', 'Paddy field')
    """

    kind: str
    classes: tuple[StandardClass, ...]
    synonyms: Synonyms = field(default_factory=Synonyms, hash=False)
    columns: tuple[str, ...] = ()
    _by_code: Mapping[str, StandardClass] = field(init=False, repr=False, compare=False, hash=False)
    _exact: Mapping[str, str] = field(init=False, repr=False, compare=False, hash=False)
    _numeric: Mapping[str, Mapping[int, str]] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        problems: list[str] = []
        by_code: dict[str, StandardClass] = {}
        for cls in self.classes:
            if cls.code in by_code:
                problems.append(f"class {cls.code!r} is defined twice")
            by_code[cls.code] = cls
        exact: dict[str, str] = {}
        clashes: set[str] = set()
        for cls in self.classes:
            for text in (cls.code.replace("_", " "), cls.nama, cls.name, *cls.aliases):
                key = normalise(text)
                if key and exact.setdefault(key, cls.code) != cls.code and key not in clashes:
                    clashes.add(key)
                    problems.append(f"name {key!r} is given to both {exact[key]!r} and {cls.code!r}")
        numeric: dict[str, dict[int, str]] = {}
        for cls in self.classes:
            for scheme, nums in cls.codes.items():
                table = numeric.setdefault(scheme, {})
                for num in nums:
                    if table.setdefault(num, cls.code) != cls.code:
                        problems.append(f"{scheme} code {num} is given to both {table[num]!r} and {cls.code!r}")
        syn = self.synonyms
        for section, rules in (("phrases", syn.phrases), ("heads", syn.heads)):
            for key, code in rules.items():
                if code not in by_code:
                    problems.append(f"synonyms.{section}: {key!r} points to unknown code {code!r}")
        for key, code in syn.phrases.items():
            if key in exact and exact[key] != code:
                problems.append(f"synonyms.phrases: {key!r} -> {code!r} is already the name of {exact[key]!r}")
        for head, code in syn.heads.items():
            for name, other in exact.items():
                if other != code and (name == head or name.startswith(head + " ")):
                    problems.append(f"synonyms.heads: {head!r} -> {code!r} would capture {name!r} of {other!r}")
        if problems:
            raise ConfigError(f"Inconsistent {self.kind} vocabulary.", problems=problems)
        object.__setattr__(self, "_by_code", MappingProxyType(by_code))
        object.__setattr__(self, "_exact", MappingProxyType(exact))
        object.__setattr__(
            self, "_numeric", MappingProxyType({k: MappingProxyType(v) for k, v in numeric.items()})
        )

    def __getitem__(self, code: str) -> StandardClass:
        try:
            return self._by_code[code]
        except KeyError:
            raise KeyError(f"unknown {self.kind} class code {code!r}") from None

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self) -> Iterator[StandardClass]:
        return iter(self.classes)

    def __len__(self) -> int:
        return len(self.classes)

    @property
    def codes(self) -> tuple[str, ...]:
        """The standard codes, in file order."""
        return tuple(c.code for c in self.classes)

    @property
    def schemes(self) -> tuple[str, ...]:
        """Numeric code schemes present (``fungsikws``; ``klhk``, ``worldcover``)."""
        return tuple(self._numeric)

    def colour(self, code: str) -> tuple[int, int, int]:
        """RGB colour of a class."""
        return self[code].colour

    def group(self, code: str) -> str:
        """Group of a class (``lindung``/``budidaya`` or a land-cover group)."""
        return self[code].group

    def label(self, code: str, lang: str = "id") -> str:
        """Name of a class in Indonesian (``lang="id"``, default) or English (``"en"``)."""
        if lang not in ("id", "en"):
            raise ConfigError(f"lang must be 'id' or 'en', not {lang!r}")
        cls = self[code]
        return cls.nama if lang == "id" else cls.name

    def lookup_name(self, normalised: str) -> str | None:
        """Code whose name or alias equals an already normalised value, else ``None``."""
        return self._exact.get(normalised)

    def lookup_number(self, number: int, scheme: str) -> str | None:
        """Code that a numeric code of ``scheme`` stands for, else ``None``."""
        return self._numeric.get(scheme, {}).get(number)

    def choices(self) -> tuple[tuple[str, str], ...]:
        """``(normalised text, code)`` pairs the fuzzy matcher compares against."""
        pairs = dict(self._exact)
        pairs.update({k: v for k, v in self.synonyms.phrases.items() if not _NUMBER_RE.match(k)})
        pairs.update(self.synonyms.heads)
        return tuple((k, v) for k, v in pairs.items() if len(k) > 2)


def _vocab_key(kind: str) -> str:
    if kind == "rtrw":
        return "rtrw"
    if kind in ("landuse", "landcover"):
        return "landcover"
    raise ConfigError(f"kind must be 'rtrw', 'landuse' or 'landcover', not {kind!r}")


@functools.lru_cache(maxsize=None)
def _builtin_toml(name: str) -> Mapping[str, Any]:
    with (_DATA / name).open("rb") as fh:
        return MappingProxyType(tomllib.load(fh))


def _read_overrides(overrides: OverrideSource, what: str) -> dict[str, Any]:
    if overrides is None:
        return {}
    if isinstance(overrides, Mapping):
        return dict(overrides)
    path = Path(overrides)
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{what} override file not found: {path}") from None
    except OSError as exc:
        raise ConfigError(f"{what} override file {path} cannot be read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{what} override file {path} is not valid TOML: {exc}") from None


def _check_keys(table: Mapping[str, Any], allowed: Iterable[str], where: str, problems: list[str]) -> None:
    allowed = tuple(allowed)
    for key in table:
        if key not in allowed:
            problems.append(f"{where}: unknown key {key!r} (allowed: {', '.join(allowed)})")


def _colour(value: object, where: str, problems: list[str]) -> tuple[int, int, int]:
    if (
        isinstance(value, list | tuple)
        and len(value) == 3
        and all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 255 for v in value)
    ):
        return (int(value[0]), int(value[1]), int(value[2]))
    problems.append(f"{where}: colour must be [r, g, b] with integers 0-255, not {value!r}")
    return (0, 0, 0)


def _str_list(value: object, where: str, problems: list[str]) -> tuple[str, ...]:
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(value)
    problems.append(f"{where}: must be a list of strings, not {value!r}")
    return ()


def _int_list(value: object, where: str, problems: list[str]) -> tuple[int, ...]:
    if isinstance(value, list | tuple) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return tuple(value)
    problems.append(f"{where}: must be a list of integers, not {value!r}")
    return ()


def _str_table(value: object, where: str, problems: list[str]) -> dict[str, str]:
    if isinstance(value, Mapping) and all(isinstance(v, str) for v in value.values()):
        return dict(value)
    problems.append(f"{where}: must be a table of strings")
    return {}


def _build_vocabulary(key: str, data: Mapping[str, Any], synonyms: Mapping[str, Any]) -> Vocabulary:
    scheme_names = _SCHEMES[key]
    class_fields = ("nama", "name", "group", "colour", "priority", "aliases", *scheme_names)
    problems: list[str] = []
    _check_keys(data, ("version", "columns", "classes", "synonyms"), _FILES[key], problems)
    classes = []
    for code, spec in data.get("classes", {}).items():
        where = f"classes.{code}"
        if not _CODE_RE.match(code):
            problems.append(f"{where}: codes are snake_case ASCII (a-z, 0-9, _)")
        if not isinstance(spec, Mapping):
            problems.append(f"{where}: must be a table")
            continue
        _check_keys(spec, class_fields, where, problems)
        missing = [f for f in ("nama", "name", "group", "colour") if f not in spec]
        if missing:
            problems.append(f"{where}: missing {', '.join(missing)}")
            continue
        if spec["group"] not in _GROUPS[key]:
            problems.append(f"{where}: group must be one of {', '.join(_GROUPS[key])}, not {spec['group']!r}")
        priority = spec.get("priority", 0)
        if not isinstance(priority, int) or isinstance(priority, bool):
            problems.append(f"{where}: priority must be an integer")
            priority = 0
        codes = {s: _int_list(spec[s], f"{where}.{s}", problems) for s in scheme_names if s in spec}
        classes.append(
            StandardClass(
                code=code,
                nama=str(spec["nama"]),
                name=str(spec["name"]),
                group=str(spec["group"]),
                colour=_colour(spec["colour"], where, problems),
                priority=priority,
                aliases=_str_list(spec.get("aliases", []), f"{where}.aliases", problems),
                codes=MappingProxyType({s: v for s, v in codes.items() if v}),
            )
        )
    columns = _str_list(data.get("columns", []), "columns", problems)
    syn_tables: dict[str, dict[str, str]] = {}
    for section in ("expand", "phrases", "heads"):
        merged: dict[str, str] = {}
        for source, table in synonyms.items():
            raw = table.get(section, {}) if isinstance(table, Mapping) else {}
            for k, v in _str_table(raw, f"synonyms[{source}].{section}", problems).items():
                if section == "expand":
                    merged[_clean(k)] = _clean(v)
                else:
                    merged[normalise(k)] = v
        syn_tables[section] = merged
    if problems:
        raise ConfigError(f"Invalid {key} vocabulary.", problems=problems)
    return Vocabulary(
        kind=key,
        classes=tuple(classes),
        synonyms=Synonyms(**{k: MappingProxyType(v) for k, v in syn_tables.items()}),
        columns=columns,
    )


def _merge_classes(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = {code: dict(spec) for code, spec in base.items()}
    for code, spec in extra.items():
        if not isinstance(spec, Mapping):
            merged[code] = spec
            continue
        target = merged.setdefault(code, {})
        for key, value in spec.items():
            if key == "aliases" and isinstance(value, list) and isinstance(target.get("aliases"), list):
                target["aliases"] = [*target["aliases"], *value]
            else:
                target[key] = value
    return merged


@functools.lru_cache(maxsize=None)
def _builtin_vocabulary(key: str) -> Vocabulary:
    syn = _builtin_toml("synonyms.toml")
    return _build_vocabulary(key, _builtin_toml(_FILES[key]), {"common": syn.get("common", {}), key: syn.get(key, {})})


def load_vocabulary(kind: Kind | str, *, overrides: OverrideSource = None) -> Vocabulary:
    """Load a standard class list, optionally changed or extended by a user TOML file.

    Parameters
    ----------
    kind : {"rtrw", "landuse", "landcover"}
        ``"rtrw"`` gives the pola ruang classes; ``"landuse"`` and ``"landcover"`` the one
        land-cover list.
    overrides : str, Path, dict, optional
        A TOML file (or its parsed dict) with the structure of the built-in file: ``[classes.<code>]``
        tables (fields replace the built-in ones; ``aliases`` are added to them; a new code needs
        nama, name, group and colour), ``columns`` (tried before the built-in ones) and
        ``[synonyms.expand|phrases|heads]`` tables.

    Returns
    -------
    Vocabulary

    Raises
    ------
    ConfigError
        Unreadable file, unknown keys, bad values, clashing names.

    Examples
    --------
    >>> v = load_vocabulary("rtrw", overrides={"classes": {"hutan_lindung": {"aliases": ["HL Register"]}}})
    >>> v.lookup_name("hl register")
    'hutan_lindung'
    >>> len(load_vocabulary("rtrw")), len(load_vocabulary("landcover"))
    (34, 28)
    """
    key = _vocab_key(kind)
    user = _read_overrides(overrides, f"{key} vocabulary")
    if not user:
        return _builtin_vocabulary(key)
    base = _builtin_toml(_FILES[key])
    problems: list[str] = []
    _check_keys(user, ("version", "columns", "classes", "synonyms"), "override", problems)
    user_classes = user.get("classes", {})
    user_syn = user.get("synonyms", {})
    if not isinstance(user_classes, Mapping):
        problems.append("override: classes must be a table of [classes.<code>] tables")
        user_classes = {}
    if not isinstance(user_syn, Mapping):
        problems.append("override: synonyms must be a table")
        user_syn = {}
    _check_keys(user_syn, ("expand", "phrases", "heads"), "override synonyms", problems)
    if problems:
        raise ConfigError(f"Invalid {key} vocabulary override.", problems=problems)
    data = {
        "columns": [*user.get("columns", []), *base.get("columns", [])],
        "classes": _merge_classes(base.get("classes", {}), user_classes),
    }
    syn = _builtin_toml("synonyms.toml")
    return _build_vocabulary(
        key, data, {"common": syn.get("common", {}), key: syn.get(key, {}), "override": user_syn}
    )


# --------------------------------------------------------------------------- matching
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
    method: str | None
    score: float
    n: int = 1
    suggestions: tuple[tuple[str, float], ...] = ()

    @property
    def matched(self) -> bool:
        """True when a standard code was found."""
        return self.code is not None


@dataclass(frozen=True)
class ClassMapping:
    """The mapping of every distinct raw value of a class column to a standard code.

    Iterating gives :class:`ClassMatch` records in order of first appearance.

    Examples
    --------
    >>> m = match_classes(["Sawah", "Air Tambak", "Sawah"], kind="landuse")
    >>> m.as_dict()
    {'Sawah': 'sawah', 'Air Tambak': 'tambak'}
    >>> m.to_frame()[["raw", "code", "method", "n"]].values.tolist()
    [['Sawah', 'sawah', 'exact', 2], ['Air Tambak', 'tambak', 'exact', 1]]
    """

    kind: str
    records: tuple[ClassMatch, ...]
    vocabulary: Vocabulary = field(repr=False, compare=False)

    def __iter__(self) -> Iterator[ClassMatch]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)

    @property
    def unmatched(self) -> tuple[ClassMatch, ...]:
        """Records without a standard code."""
        return tuple(r for r in self.records if r.code is None)

    def as_dict(self) -> dict[object, str]:
        """``{raw value: code}`` for the matched values."""
        return {r.raw: r.code for r in self.records if r.code is not None}

    def to_frame(self) -> pd.DataFrame:
        """One row per distinct raw value: raw, normalised, code, nama, name, method, score, n."""
        rows = [
            {
                "raw": r.raw,
                "normalised": r.normalised,
                "code": r.code,
                "nama": self.vocabulary[r.code].nama if r.code else None,
                "name": self.vocabulary[r.code].name if r.code else None,
                "method": r.method,
                "score": r.score,
                "n": r.n,
            }
            for r in self.records
        ]
        columns = ["raw", "normalised", "code", "nama", "name", "method", "score", "n"]
        return pd.DataFrame(rows, columns=columns)

    def raise_for_unmatched(self, *, column: str | None = None, template_path: str | Path | None = None) -> None:
        """Raise :class:`ClassMappingError` if any value is unmatched, after writing the template.

        The message lists every unmatched raw value with its count and best suggestions. With
        ``template_path`` a ready-to-edit mapping file is written first (:func:`write_template`).
        """
        if not self.unmatched:
            return
        if template_path is not None:
            write_template(self, template_path, column=column)
        where = f" in column {column!r}" if column else ""
        problems = []
        for r in self.unmatched:
            count = f"{r.n} feature{'s' if r.n != 1 else ''}"
            hint = _describe_suggestions(r) or "no similar class"
            problems.append(f"{_raw_text(r.raw)!r} ({count}): {hint}")
        n = len(self.unmatched)
        message = (
            f"{n} {self.kind} class value{'s' if n != 1 else ''}{where} could not be matched "
            "to a standard class with confidence."
        )
        if template_path is not None:
            fix = f"Fill the mapping template written to {template_path} and pass it back with --mapping."
        else:
            fix = "Write a mapping template with --write-template FILE, fill it and pass it back with --mapping."
        problems.append(fix)
        raise ClassMappingError(message, problems=problems, template=str(template_path) if template_path else None)


def _describe_suggestions(r: ClassMatch) -> str:
    if not r.suggestions:
        return ""
    best = ", ".join(f"{code} {score:.1f}" for code, score in r.suggestions)
    ambiguous = len(r.suggestions) > 1 and r.suggestions[0][1] - r.suggestions[1][1] < _FUZZY_MARGIN
    return ("ambiguous: " if ambiguous and r.suggestions[0][1] >= _PREFILL_SCORE else "best: ") + best


def _fuzzy(query: str, vocab: Vocabulary) -> list[tuple[str, float]]:
    """Best similarity per code, best first."""
    choices = vocab.choices()
    best: dict[str, float] = {}
    for _, score, idx in process.extract(query, [c[0] for c in choices], scorer=fuzz.token_sort_ratio, limit=None):
        code = choices[idx][1]
        if score > best.get(code, -1.0):
            best[code] = float(score)
    return sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))


def _match_one(
    raw: object,
    n: int,
    vocab: Vocabulary,
    user: Mapping[str, str],
    scheme: str,
    min_score: float,
) -> ClassMatch:
    norm = normalise(raw)
    text = _raw_text(raw)
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
    number = _as_number(raw)
    if number is not None:
        code = vocab.lookup_number(number, scheme)
        if code:
            return ClassMatch(raw, norm, code, "code", 100.0, n)
        return ClassMatch(raw, norm, None, None, 0.0, n)
    ranked = _fuzzy(expanded, vocab)
    if expanded != norm:
        merged = dict(ranked)
        for c, s in _fuzzy(norm, vocab):
            merged[c] = max(s, merged.get(c, 0.0))
        ranked = sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))
    ranked = [(c, round(s, 1)) for c, s in ranked]
    if not ranked:
        return ClassMatch(raw, norm, None, None, 0.0, n)
    best_code, best = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    if best >= min_score and best - second >= _FUZZY_MARGIN:
        return ClassMatch(raw, norm, best_code, "fuzzy", best, n, tuple(ranked[1 : 1 + _N_SUGGESTIONS]))
    return ClassMatch(raw, norm, None, None, best, n, tuple(ranked[:_N_SUGGESTIONS]))


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
            problems.append(f"{raw!r} -> unknown {key} code {code!r}")
            continue
        user[_raw_text(raw)] = code
        user.setdefault(normalise(raw), code)
    if problems:
        raise ConfigError("The class mapping names codes that do not exist.", problems=problems)
    return user


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
    least 5 points ahead of the next class. Anything else stays unmatched: nothing is guessed.
    Missing values (None, NaN, blank) are skipped.

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
    >>> m = match_classes(["Kawasan Peruntukan Pertanian", "Perkebunan Rakyatt", 1001], kind="rtrw")
    >>> [(r.code, r.method, r.score) for r in m]
    [('pertanian', 'exact', 100.0), ('perkebunan_rakyat', 'fuzzy', 97.1), ('hutan_lindung', 'code', 100.0)]
    >>> match_classes([10, 95], kind="landcover", codes="worldcover").as_dict()
    {10: 'hutan', 95: 'mangrove'}
    """
    key = _vocab_key(kind)
    vocab = vocabulary if vocabulary is not None else load_vocabulary(key)
    if vocab.kind != key:
        raise ConfigError(f"a {vocab.kind} vocabulary cannot match {kind} classes")
    scheme = codes or _DEFAULT_SCHEME[key]
    if scheme not in _SCHEMES[key]:
        raise ConfigError(f"codes={scheme!r} does not apply to {kind}; use one of {', '.join(_SCHEMES[key])}")
    user = _user_mapping(mapping, key, vocab)
    counts: dict[object, int] = {}
    for value in values:
        if not _is_missing(value):
            counts[value] = counts.get(value, 0) + 1
    records = tuple(_match_one(raw, n, vocab, user, scheme, min_score) for raw, n in counts.items())
    return ClassMapping(kind=key, records=records, vocabulary=vocab)


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
    key = _vocab_key(kind)
    vocab = vocabulary if vocabulary is not None else load_vocabulary(key)
    geometry = getattr(getattr(gdf, "geometry", None), "name", None) if hasattr(gdf, "crs") else None
    columns = [str(c) for c in gdf.columns if c != geometry]
    by_lower: dict[str, str] = {}
    for c in columns:
        by_lower.setdefault(c.lower(), c)
    seen = f"columns in the layer: {', '.join(columns) or '(none)'}"
    if column is not None:
        if column in columns:
            return column
        if column.lower() in by_lower:
            return by_lower[column.lower()]
        raise FieldError(f"The class column {column!r} is not in the layer.", problems=[seen])
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
        f"No {key} class column found: pass one with --column (column=...).",
        problems=[seen, f"tried by name: {', '.join(vocab.columns)}"],
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
        where the raw value is missing), and the mapping used.

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
    out["kelas"] = pd.Series(
        [None if _is_missing(v) else lookup[v] for v in raw], index=gdf.index, dtype="str"
    )
    missing = int(raw.map(_is_missing).sum())
    if missing:
        log.warning("%d features have no value in class column %r; their kelas is missing", missing, col)
    return out, result


# --------------------------------------------------------------------------- mapping files
def write_template(mapping: ClassMapping, path: str | Path, *, column: str | None = None) -> Path:
    """Write a ready-to-edit mapping TOML for a :class:`ClassMapping` (atomically).

    Unmatched values come first in ``[mapping]``: with the best suggestion filled in when it is
    close (score >= 70 and clearly ahead of the next class), else ``""``; a comment gives the
    feature count and the alternatives. Automatically matched values follow as comments (uncomment
    one to override it), then the list of valid codes.

    Parameters
    ----------
    mapping : ClassMapping
    path : str or Path
    column : str, optional
        Recorded in the header for the reader.

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile, pathlib
    >>> m = match_classes(["Kawasan Strategis Nasional"], kind="rtrw")
    >>> p = write_template(m, pathlib.Path(tempfile.mkdtemp()) / "mapping.toml")
    >>> '"Kawasan Strategis Nasional" = ""' in p.read_text()
    True
    """
    path = Path(path)
    vocab = mapping.vocabulary
    where = f' (column "{column}")' if column else ""
    lines = [
        f'# kawasan_gis class mapping for kind "{mapping.kind}"{where}.',
        "# Give each raw value a standard code from the list at the end, then pass this file back",
        '# with --mapping FILE (Python: mapping="FILE"). Values left "" stay unmatched.',
        "# Filled-in suggestions are the closest names found: check them before use.",
        tomli_w.dumps({"kind": mapping.kind}).strip(),
        "",
        "[mapping]",
    ]
    for r in mapping.unmatched:
        best = r.suggestions[0] if r.suggestions else None
        clear = best is not None and (len(r.suggestions) < 2 or best[1] - r.suggestions[1][1] >= _FUZZY_MARGIN)
        value = best[0] if best is not None and best[1] >= _PREFILL_SCORE and clear else ""
        note = f"{r.n} feature{'s' if r.n != 1 else ''}"
        hint = _describe_suggestions(r)
        lines.append(_toml_pair(r.raw, value) + f"  # {note}" + (f"; {hint}" if hint else "; no similar class"))
    matched = [r for r in mapping if r.matched]
    if matched:
        lines += ["", "# Matched automatically; uncomment a line to override it."]
        for r in matched:
            score = f" {r.score:.1f}" if r.method == "fuzzy" else ""
            count = f"{r.n} feature{'s' if r.n != 1 else ''}"
            lines.append(f"# {_toml_pair(r.raw, r.code or '')}  # {r.method}{score}, {count}")
    lines += ["", f'# Valid codes for kind "{mapping.kind}":']
    width = max((len(c.code) for c in vocab), default=0)
    lines += [f"#   {c.code:<{width}}  {c.nama} / {c.name}" for c in vocab]
    text = "\n".join(lines) + "\n"
    return write_text(path, text)


def _toml_pair(raw: object, value: str) -> str:
    """``"raw" = "value"`` with the key always quoted (numbers too), escaped as TOML needs."""

    def quoted(text: str) -> str:
        return tomli_w.dumps({"k": text}).strip()[len("k = ") :]

    return f"{quoted(_raw_text(raw))} = {quoted(value)}"


def _mapping_lines(text: str) -> dict[str, int]:
    """Line number of each key of the ``[mapping]`` table, for error messages."""
    lines: dict[str, int] = {}
    in_mapping = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_mapping = stripped.split("#")[0].strip() == "[mapping]"
            continue
        if not in_mapping or not stripped or stripped.startswith("#"):
            continue
        try:
            parsed = tomllib.loads(line)
        except tomllib.TOMLDecodeError:
            continue
        for key in parsed:
            lines.setdefault(key, number)
    return lines


def read_mapping(
    path: str | Path, *, kind: Kind | str | None = None, vocabulary: Vocabulary | None = None
) -> dict[str, str]:
    """Read a user mapping file (the template of :func:`write_template`, filled in).

    Parameters
    ----------
    path : str or Path
        TOML with a ``[mapping]`` table ``"raw value" = "code"`` and optionally ``kind``.
    kind : {"rtrw", "landuse", "landcover"}, optional
        Checked against the file's ``kind``; needed to validate the codes when the file has none.
    vocabulary : Vocabulary, optional
        Vocabulary to validate the codes against (default: the built-in one of the kind).

    Returns
    -------
    dict
        ``{raw value: code}`` for the entries filled in; entries left ``""`` are left out (they stay
        unmatched).

    Raises
    ------
    ConfigError
        Missing or invalid file, unknown keys, a kind that differs, unknown codes (with line numbers).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "m.toml"
    >>> _ = p.write_text('kind = "rtrw"\\n[mapping]\\n"Kws Strategis" = "industri"\\n"Lainnya" = ""\\n')
    >>> read_mapping(p)
    {'Kws Strategis': 'industri'}
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"Mapping file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Mapping file {path} cannot be read: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Mapping file {path} is not valid TOML: {exc}") from None
    problems: list[str] = []
    _check_keys(data, ("kind", "column", "mapping"), str(path), problems)
    file_kind = data.get("kind")
    if file_kind is not None:
        file_key = _vocab_key(str(file_kind))
        if kind is not None and _vocab_key(kind) != file_key:
            problems.append(f"the file is for kind {file_kind!r}, not {kind!r}")
        kind = kind or str(file_kind)
    table = data.get("mapping", {})
    if not isinstance(table, Mapping):
        problems.append("mapping must be a table: [mapping] followed by \"raw value\" = \"code\" lines")
        table = {}
    line_of = _mapping_lines(text)
    vocab = vocabulary if vocabulary is not None else (load_vocabulary(kind) if kind is not None else None)
    out: dict[str, str] = {}
    for raw, code in table.items():
        line = f"{path.name}:{line_of[raw]}" if raw in line_of else str(path.name)
        if not isinstance(code, str):
            problems.append(f"{line}: {raw!r} = {code!r}: the code must be a string")
            continue
        if not code:
            continue
        if vocab is not None and code not in vocab:
            close = [(c, s) for c, s in _fuzzy(code.replace("_", " "), vocab)[:2] if s >= _PREFILL_SCORE]
            hint = f" (did you mean {' or '.join(c for c, _ in close)}?)" if close else ""
            problems.append(f"{line}: {raw!r} = {code!r}: unknown {vocab.kind} code{hint}")
            continue
        out[raw] = code
    if problems:
        raise ConfigError(f"Invalid mapping file {path}.", problems=problems)
    return out


# --------------------------------------------------------------------------- potentials
_INDICATOR_KINDS = ("landcover_share", "rtrw_share", "line_density", "point_count", "point_distance", "table")
_DASAR = ("kondisi_lahan", "zonasi")


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator feeding a potential (see ``data/potentials.toml``).

    Attributes
    ----------
    id : str
    kind : str
        ``landcover_share``, ``rtrw_share``, ``line_density``, ``point_count``, ``point_distance``
        or ``table``.
    weight : float
        Relative weight (>= 0).
    dasar : str
        ``kondisi_lahan`` (the land as it is) or ``zonasi`` (the plan).
    classes : tuple of str
        Standard codes for the ``*_share`` kinds.
    layer : str or None
        Line or point layer name for ``line_density``, ``point_count``, ``point_distance``.
    column : str or None
        Column of the joined table for ``table``.
    invert : bool
        True when a lower value is better (distances).
    """

    id: str
    kind: str
    weight: float
    dasar: str
    classes: tuple[str, ...] = ()
    layer: str | None = None
    column: str | None = None
    invert: bool = False
    nama: str = ""
    name: str = ""

    def label(self, lang: str = "id") -> str:
        """Readable label (Indonesian by default), or the id when the catalogue gives none."""
        return (self.name if lang == "en" else self.nama) or self.id


@dataclass(frozen=True)
class Potential:
    """A potential (development-zone type) with its indicators."""

    code: str
    nama: str
    name: str
    colour: tuple[int, int, int]
    enabled: bool
    indicators: tuple[IndicatorSpec, ...]


@dataclass(frozen=True)
class PotentialCatalogue:
    """The potentials, in file order. Supports ``code in cat``, ``cat[code]``, iteration, ``len``.

    Examples
    --------
    >>> cat = load_potentials()
    >>> [p.code for p in cat.enabled]
    ['peternakan', 'hutan_tanaman_industri', 'pertanian_unggulan', 'permukiman', 'perekonomian']
    """

    potentials: tuple[Potential, ...]

    def __iter__(self) -> Iterator[Potential]:
        return iter(self.potentials)

    def __len__(self) -> int:
        return len(self.potentials)

    def __contains__(self, code: object) -> bool:
        return any(p.code == code for p in self.potentials)

    def __getitem__(self, code: str) -> Potential:
        for p in self.potentials:
            if p.code == code:
                return p
        raise KeyError(f"unknown potential {code!r}")

    @property
    def codes(self) -> tuple[str, ...]:
        """All potential codes."""
        return tuple(p.code for p in self.potentials)

    @property
    def enabled(self) -> tuple[Potential, ...]:
        """The potentials switched on."""
        return tuple(p for p in self.potentials if p.enabled)

    def colour(self, code: str) -> tuple[int, int, int]:
        """RGB colour of a potential."""
        return self[code].colour


def _merge_potentials(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = {code: dict(spec) for code, spec in base.items()}
    for code, spec in extra.items():
        if not isinstance(spec, Mapping):
            merged[code] = spec
            continue
        target = merged.setdefault(code, {})
        for key, value in spec.items():
            if key == "indicators" and isinstance(value, list) and isinstance(target.get("indicators"), list):
                indicators = [dict(i) for i in target["indicators"]]
                ids = {i.get("id"): n for n, i in enumerate(indicators)}
                for item in value:
                    if isinstance(item, Mapping) and item.get("id") in ids:
                        indicators[ids[item["id"]]].update(item)
                    else:
                        indicators.append(dict(item) if isinstance(item, Mapping) else item)
                target["indicators"] = indicators
            else:
                target[key] = value
    return merged


def _build_indicator(
    item: object, where: str, rtrw: Vocabulary, landcover: Vocabulary, problems: list[str]
) -> IndicatorSpec | None:
    if not isinstance(item, Mapping):
        problems.append(f"{where}: must be a table")
        return None
    _check_keys(item, ("id", "kind", "weight", "dasar", "classes", "layer", "column", "invert", "nama", "name"), where, problems)
    missing = [k for k in ("id", "kind", "weight", "dasar") if k not in item]
    if missing:
        problems.append(f"{where}: missing {', '.join(missing)}")
        return None
    where = f"{where} ({item['id']})"
    kind, weight = item["kind"], item["weight"]
    if kind not in _INDICATOR_KINDS:
        problems.append(f"{where}: kind must be one of {', '.join(_INDICATOR_KINDS)}, not {kind!r}")
    if not isinstance(weight, int | float) or isinstance(weight, bool) or weight < 0 or not math.isfinite(weight):
        problems.append(f"{where}: weight must be a number >= 0, not {weight!r}")
        weight = 0.0
    if item["dasar"] not in _DASAR:
        problems.append(f"{where}: dasar must be kondisi_lahan or zonasi, not {item['dasar']!r}")
    classes = _str_list(item.get("classes", []), f"{where}.classes", problems)
    if kind in ("landcover_share", "rtrw_share"):
        vocab = landcover if kind == "landcover_share" else rtrw
        if not classes:
            problems.append(f"{where}: {kind} needs classes")
        unknown = [c for c in classes if c not in vocab]
        if unknown:
            problems.append(f"{where}: unknown {vocab.kind} codes {', '.join(unknown)}")
    if kind in ("line_density", "point_count", "point_distance") and not isinstance(item.get("layer"), str):
        problems.append(f"{where}: {kind} needs layer = \"<layer name>\"")
    if kind == "table" and not isinstance(item.get("column"), str):
        problems.append(f"{where}: table needs column = \"<column name>\"")
    invert = item.get("invert", False)
    if not isinstance(invert, bool):
        problems.append(f"{where}: invert must be true or false")
    return IndicatorSpec(
        id=str(item["id"]),
        kind=str(kind),
        weight=float(weight),
        dasar=str(item["dasar"]),
        classes=classes,
        layer=item.get("layer"),
        column=item.get("column"),
        invert=bool(invert),
        nama=str(item.get("nama", "")),
        name=str(item.get("name", "")),
    )


def load_potentials(
    *,
    overrides: OverrideSource = None,
    rtrw: Vocabulary | None = None,
    landcover: Vocabulary | None = None,
) -> PotentialCatalogue:
    """Load the potentials catalogue, optionally changed or extended by a user TOML file.

    Parameters
    ----------
    overrides : str, Path, dict, optional
        ``[potentials.<code>]`` tables as in ``data/potentials.toml``: fields replace the built-in
        ones; ``[[potentials.<code>.indicators]]`` entries with a known ``id`` change that
        indicator's fields, others are added. A new potential needs nama, name, colour and at least
        one indicator.
    rtrw, landcover : Vocabulary, optional
        Vocabularies the ``classes`` of share indicators are checked against (default built-in).

    Returns
    -------
    PotentialCatalogue

    Raises
    ------
    ConfigError

    Examples
    --------
    >>> cat = load_potentials(overrides={"potentials": {"perikanan": {"enabled": True}}})
    >>> len(cat.enabled)
    6
    >>> cat["pertanian_unggulan"].indicators[0].id
    'lahan_pertanian'
    """
    user = _read_overrides(overrides, "potentials")
    base = _builtin_toml("potentials.toml")
    problems: list[str] = []
    _check_keys(user, ("version", "potentials"), "override", problems)
    user_pots = user.get("potentials", {})
    if not isinstance(user_pots, Mapping):
        problems.append("override: potentials must be a table of [potentials.<code>] tables")
        user_pots = {}
    merged = _merge_potentials(base["potentials"], user_pots)
    rtrw = rtrw if rtrw is not None else load_vocabulary("rtrw")
    landcover = landcover if landcover is not None else load_vocabulary("landcover")
    potentials = []
    for code, spec in merged.items():
        where = f"potentials.{code}"
        if not _CODE_RE.match(code):
            problems.append(f"{where}: codes are snake_case ASCII (a-z, 0-9, _)")
        if not isinstance(spec, Mapping):
            problems.append(f"{where}: must be a table")
            continue
        _check_keys(spec, ("nama", "name", "colour", "enabled", "indicators"), where, problems)
        missing = [k for k in ("nama", "name", "colour", "indicators") if k not in spec]
        if missing:
            problems.append(f"{where}: missing {', '.join(missing)}")
            continue
        enabled = spec.get("enabled", True)
        if not isinstance(enabled, bool):
            problems.append(f"{where}: enabled must be true or false")
        raw_indicators = spec["indicators"] if isinstance(spec["indicators"], list) else []
        if not raw_indicators:
            problems.append(f"{where}: needs at least one [[{where}.indicators]]")
        indicators = [
            _build_indicator(item, f"{where}.indicators[{i}]", rtrw, landcover, problems)
            for i, item in enumerate(raw_indicators)
        ]
        ids = [i.id for i in indicators if i is not None]
        if len(set(ids)) != len(ids):
            problems.append(f"{where}: indicator ids must be unique")
        potentials.append(
            Potential(
                code=code,
                nama=str(spec["nama"]),
                name=str(spec["name"]),
                colour=_colour(spec["colour"], where, problems),
                enabled=bool(enabled),
                indicators=tuple(i for i in indicators if i is not None),
            )
        )
    if problems:
        raise ConfigError("Invalid potentials catalogue.", problems=problems)
    return PotentialCatalogue(tuple(potentials))


# --------------------------------------------------------------------------- ITBX
_OVERLAYS = {"lp2b": "lp2b", "hazard": "rawan_bencana"}


def _stricter(a: str, b: str) -> str:
    return a if STATUSES.index(a) >= STATUSES.index(b) else b


@dataclass(frozen=True)
class ItbxMatrix:
    """The ITBX zoning matrix: a status for every potential x pola ruang class.

    Overlays (``lp2b``, ``rawan_bencana``) can only tighten a status (I < T < B < X).

    Examples
    --------
    >>> itbx = load_itbx()
    >>> itbx.status("permukiman", "pertanian"), itbx.status("permukiman", "pertanian", lp2b=True)
    ('B', 'X')
    >>> itbx.status("pertanian_unggulan", "tanaman_pangan", lp2b=True)
    'I'
    """

    potentials: tuple[str, ...]
    classes: tuple[str, ...]
    matrix: Mapping[str, Mapping[str, str]] = field(hash=False)
    overlays: Mapping[str, Mapping[str, str]] = field(hash=False)

    def status(self, potential: str, pola_ruang_code: str, *, lp2b: bool = False, hazard: bool = False) -> str:
        """Status of a potential on a pola ruang class, tightened by the overlays asked for.

        Parameters
        ----------
        potential : str
        pola_ruang_code : str
        lp2b : bool
            The land is LP2B / KP2B protected food-crop land.
        hazard : bool
            The land is in a high disaster-hazard area (rawan bencana).

        Returns
        -------
        {"I", "T", "B", "X"}
        """
        if potential not in self.matrix:
            raise ConfigError(f"the ITBX matrix has no potential {potential!r}; known: {', '.join(self.potentials)}")
        row = self.matrix[potential]
        if pola_ruang_code not in row:
            raise ConfigError(f"unknown pola ruang code {pola_ruang_code!r} for the ITBX matrix")
        status = row[pola_ruang_code]
        for flag, overlay in ((lp2b, "lp2b"), (hazard, "rawan_bencana")):
            if flag:
                status = _stricter(status, self.overlays.get(overlay, {}).get(potential, "I"))
        return status

    def table(self, *, lp2b: bool = False, hazard: bool = False) -> pd.DataFrame:
        """Potentials (rows) x pola ruang classes (columns) of statuses."""
        data = [[self.status(p, c, lp2b=lp2b, hazard=hazard) for c in self.classes] for p in self.potentials]
        frame = pd.DataFrame(data, index=pd.Index(self.potentials, name="potensi"), columns=list(self.classes))
        frame.columns.name = "pola_ruang"
        return frame


def load_itbx(*, overrides: OverrideSource = None, vocabulary: Vocabulary | None = None) -> ItbxMatrix:
    """Load the ITBX matrix, optionally changed or extended by a user TOML file.

    Parameters
    ----------
    overrides : str, Path, dict, optional
        ``[matrix.<potential>]`` tables (``<pola ruang code> = "I"|"T"|"B"|"X"``; cells replace the
        built-in ones; a new potential must list every class) and ``[overlays.lp2b]`` /
        ``[overlays.rawan_bencana]`` tables (``<potential> = status``).
    vocabulary : Vocabulary, optional
        The pola ruang vocabulary whose classes every row must cover (default built-in).

    Returns
    -------
    ItbxMatrix

    Raises
    ------
    ConfigError
        Unknown codes, bad statuses, rows that miss classes.

    Examples
    --------
    >>> load_itbx(overrides={"matrix": {"peternakan": {"perkebunan": "T"}}}).status("peternakan", "perkebunan")
    'T'
    """
    vocab = vocabulary if vocabulary is not None else load_vocabulary("rtrw")
    user = _read_overrides(overrides, "ITBX")
    base = _builtin_toml("itbx.toml")
    problems: list[str] = []
    _check_keys(user, ("version", "matrix", "overlays"), "override", problems)
    matrix: dict[str, dict[str, Any]] = {p: dict(row) for p, row in base["matrix"].items()}
    overlays: dict[str, dict[str, Any]] = {o: dict(t) for o, t in base["overlays"].items()}
    for section, target in (("matrix", matrix), ("overlays", overlays)):
        extra = user.get(section, {})
        if not isinstance(extra, Mapping):
            problems.append(f"override: {section} must be a table")
            continue
        for key, table in extra.items():
            if not isinstance(table, Mapping):
                problems.append(f"override: {section}.{key} must be a table")
                continue
            target.setdefault(key, {}).update(table)
    for potential, row in matrix.items():
        where = f"matrix.{potential}"
        if not _CODE_RE.match(potential):
            problems.append(f"{where}: codes are snake_case ASCII (a-z, 0-9, _)")
        unknown = [c for c in row if c not in vocab]
        if unknown:
            problems.append(f"{where}: unknown pola ruang codes {', '.join(unknown)}")
        missing = [c for c in vocab.codes if c not in row]
        if missing:
            problems.append(f"{where}: no status for {', '.join(missing)}")
        bad = [f"{c} = {s!r}" for c, s in row.items() if s not in STATUSES]
        if bad:
            problems.append(f"{where}: status must be I, T, B or X: {', '.join(bad)}")
    for overlay, table in overlays.items():
        if overlay not in _OVERLAYS.values():
            problems.append(f"overlays.{overlay}: unknown overlay (known: {', '.join(_OVERLAYS.values())})")
            continue
        for potential, status in table.items():
            if potential not in matrix:
                problems.append(f"overlays.{overlay}: unknown potential {potential!r}")
            if status not in STATUSES:
                problems.append(f"overlays.{overlay}.{potential}: status must be I, T, B or X, not {status!r}")
    if problems:
        raise ConfigError("Invalid ITBX matrix.", problems=problems)
    return ItbxMatrix(
        potentials=tuple(matrix),
        classes=vocab.codes,
        matrix=MappingProxyType({p: MappingProxyType(dict(row)) for p, row in matrix.items()}),
        overlays=MappingProxyType({o: MappingProxyType(dict(t)) for o, t in overlays.items()}),
    )
