"""Class vocabularies: the standard pola ruang and land-cover classes and their synonym rules.

Owns :class:`StandardClass`, :class:`Synonyms`, :class:`Vocabulary` and :func:`load_vocabulary`,
which reads ``data/pola_ruang.toml`` or ``data/landcover.toml`` with ``data/synonyms.toml`` and
lays a user override file over them. Imports :mod:`.text`, :mod:`.reading` and
:mod:`kawasan_gis.errors`.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from kawasan_gis.errors import ConfigError
from kawasan_gis.vocab.reading import (
    CODE_RE,
    OverrideSource,
    as_colour,
    builtin_toml,
    check_keys,
    int_list,
    merge_tables,
    read_overrides,
    str_list,
    str_table,
    user_section,
)
from kawasan_gis.vocab.text import NUMBER_RE, clean_key, normalise

__all__ = [
    "DEFAULT_SCHEME",
    "SCHEMES",
    "Kind",
    "StandardClass",
    "Synonyms",
    "Vocabulary",
    "load_vocabulary",
    "vocab_key",
]

Kind = Literal["rtrw", "landuse", "landcover"]

_FILES = {"rtrw": "pola_ruang.toml", "landcover": "landcover.toml"}
_GROUPS = {
    "rtrw": ("lindung", "budidaya"),
    "landcover": ("hutan", "pertanian", "permukiman", "air", "lainnya"),
}
#: Numeric code schemes of each vocabulary, and the one read when none is asked for.
SCHEMES = {"rtrw": ("fungsikws",), "landcover": ("klhk", "worldcover")}
DEFAULT_SCHEME = {"rtrw": "fungsikws", "landcover": "klhk"}


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
                problems.append(f"kelas {cls.code!r} didefinisikan dua kali / class {cls.code!r} is defined twice")
            by_code[cls.code] = cls
        exact: dict[str, str] = {}
        clashes: set[str] = set()
        for cls in self.classes:
            for text in (cls.code.replace("_", " "), cls.nama, cls.name, *cls.aliases):
                key = normalise(text)
                if key and exact.setdefault(key, cls.code) != cls.code and key not in clashes:
                    clashes.add(key)
                    problems.append(f"nama {key!r} dipakai oleh {exact[key]!r} dan {cls.code!r} / name {key!r} is given to both {exact[key]!r} and {cls.code!r}")
        numeric: dict[str, dict[int, str]] = {}
        for cls in self.classes:
            for scheme, nums in cls.codes.items():
                table = numeric.setdefault(scheme, {})
                for num in nums:
                    if table.setdefault(num, cls.code) != cls.code:
                        problems.append(f"kode {scheme} {num} dipakai oleh {table[num]!r} dan {cls.code!r} / {scheme} code {num} is given to both {table[num]!r} and {cls.code!r}")
        syn = self.synonyms
        for section, rules in (("phrases", syn.phrases), ("heads", syn.heads)):
            for key, code in rules.items():
                if code not in by_code:
                    problems.append(f"synonyms.{section}: {key!r} menunjuk kode tak dikenal {code!r} / points to unknown code {code!r}")
        for key, code in syn.phrases.items():
            if key in exact and exact[key] != code:
                problems.append(f"synonyms.phrases: {key!r} -> {code!r} sudah menjadi nama {exact[key]!r} / is already the name of {exact[key]!r}")
        def starts(text: str, head: str) -> bool:
            return text == head or text.startswith(head + " ")

        for head, code in syn.heads.items():
            for name, other in exact.items():
                # A longer head that leads the name to its own class is tried first.
                if other != code and starts(name, head) and not any(
                    len(h) > len(head) and syn.heads[h] == other and starts(name, h) for h in syn.heads
                ):
                    problems.append(f"synonyms.heads: {head!r} -> {code!r} akan menangkap {name!r} milik {other!r} / would capture {name!r} of {other!r}")
        if problems:
            raise ConfigError(f"Kosakata {self.kind} tidak konsisten / Inconsistent {self.kind} vocabulary.", problems=problems)
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
            raise ConfigError(f"lang harus 'id' atau 'en', bukan {lang!r} / lang must be 'id' or 'en', not {lang!r}")
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
        pairs.update({k: v for k, v in self.synonyms.phrases.items() if not NUMBER_RE.match(k)})
        pairs.update(self.synonyms.heads)
        return tuple((k, v) for k, v in pairs.items() if len(k) > 2)


def vocab_key(kind: str) -> str:
    """The vocabulary a kind reads: ``"rtrw"``, or ``"landcover"`` for land use and land cover."""
    if kind == "rtrw":
        return "rtrw"
    if kind in ("landuse", "landcover"):
        return "landcover"
    raise ConfigError(f"kind harus 'rtrw', 'landuse' atau 'landcover', bukan {kind!r} / kind must be 'rtrw', 'landuse' or 'landcover', not {kind!r}")


def _build_vocabulary(key: str, data: Mapping[str, Any], synonyms: Mapping[str, Any]) -> Vocabulary:
    scheme_names = SCHEMES[key]
    class_fields = ("nama", "name", "group", "colour", "priority", "aliases", *scheme_names)
    problems: list[str] = []
    check_keys(data, ("version", "columns", "classes", "synonyms"), _FILES[key], problems)
    classes = []
    for code, spec in data.get("classes", {}).items():
        where = f"classes.{code}"
        if not CODE_RE.match(code):
            problems.append(f"{where}: kode harus snake_case ASCII (a-z, 0-9, _) / codes are snake_case ASCII (a-z, 0-9, _)")
        if not isinstance(spec, Mapping):
            problems.append(f"{where}: harus berupa tabel / must be a table")
            continue
        check_keys(spec, class_fields, where, problems)
        missing = [f for f in ("nama", "name", "group", "colour") if f not in spec]
        if missing:
            problems.append(f"{where}: tidak ada / missing {', '.join(missing)}")
            continue
        if spec["group"] not in _GROUPS[key]:
            problems.append(f"{where}: group harus salah satu dari / must be one of {', '.join(_GROUPS[key])}, bukan / not {spec['group']!r}")
        priority = spec.get("priority", 0)
        if not isinstance(priority, int) or isinstance(priority, bool):
            problems.append(f"{where}: priority harus bilangan bulat / must be an integer")
            priority = 0
        codes = {s: int_list(spec[s], f"{where}.{s}", problems) for s in scheme_names if s in spec}
        classes.append(
            StandardClass(
                code=code,
                nama=str(spec["nama"]),
                name=str(spec["name"]),
                group=str(spec["group"]),
                colour=as_colour(spec["colour"], where, problems),
                priority=priority,
                aliases=str_list(spec.get("aliases", []), f"{where}.aliases", problems),
                codes=MappingProxyType({s: v for s, v in codes.items() if v}),
            )
        )
    columns = str_list(data.get("columns", []), "columns", problems)
    syn_tables: dict[str, dict[str, str]] = {}
    for section in ("expand", "phrases", "heads"):
        merged: dict[str, str] = {}
        for source, table in synonyms.items():
            raw = table.get(section, {}) if isinstance(table, Mapping) else {}
            for k, v in str_table(raw, f"synonyms[{source}].{section}", problems).items():
                if section == "expand":
                    merged[clean_key(k)] = clean_key(v)
                else:
                    merged[normalise(k)] = v
        syn_tables[section] = merged
    if problems:
        raise ConfigError(f"Kosakata {key} tidak sah / Invalid {key} vocabulary.", problems=problems)
    return Vocabulary(
        kind=key,
        classes=tuple(classes),
        synonyms=Synonyms(**{k: MappingProxyType(v) for k, v in syn_tables.items()}),
        columns=columns,
    )


@functools.lru_cache(maxsize=None)
def _builtin_vocabulary(key: str) -> Vocabulary:
    return _build_vocabulary(key, builtin_toml(_FILES[key]), _builtin_synonyms(key))


def _builtin_synonyms(key: str) -> dict[str, Any]:
    """The synonym sources of a vocabulary, by name: the shared rules, then its own."""
    syn = builtin_toml("synonyms.toml")
    return {"common": syn.get("common", {}), key: syn.get(key, {})}


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
    (43, 28)
    """
    key = vocab_key(kind)
    user = read_overrides(overrides, f"{key} vocabulary")
    if not user:
        return _builtin_vocabulary(key)
    base = builtin_toml(_FILES[key])
    problems: list[str] = []
    check_keys(user, ("version", "columns", "classes", "synonyms"), "override", problems)
    user_classes = user_section(user, "classes", problems, of_tables=True)
    user_syn = user_section(user, "synonyms", problems)
    check_keys(user_syn, ("expand", "phrases", "heads"), "override synonyms", problems)
    if problems:
        raise ConfigError(f"Berkas pengganti kosakata {key} tidak sah / Invalid {key} vocabulary override.", problems=problems)
    data = {
        "columns": [*user.get("columns", []), *base.get("columns", [])],
        # Aliases of an overridden class are added to the built-in ones, not replaced.
        "classes": merge_tables(base.get("classes", {}), user_classes, lists={"aliases": operator.add}),
    }
    return _build_vocabulary(key, data, {**_builtin_synonyms(key), "override": user_syn})

