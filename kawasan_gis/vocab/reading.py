"""Reading the vocab TOML files: package data, user files, field checks, merging of overrides.

Owns the parts every catalogue loader shares (class vocabularies, potentials, ITBX matrix,
mapping files): the built-in files under ``kawasan_gis/data``, reading a user TOML file with a
clear :class:`~kawasan_gis.errors.ConfigError`, the checkers of field values that collect
problems instead of raising at the first, and :func:`merge_tables`, the one way an override
table is laid over a built-in one. Imports only :mod:`kawasan_gis.errors`.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from kawasan_gis.errors import ConfigError

__all__ = [
    "CODE_RE",
    "OverrideSource",
    "as_colour",
    "builtin_toml",
    "check_keys",
    "int_list",
    "merge_tables",
    "read_overrides",
    "read_toml",
    "str_list",
    "str_table",
    "user_section",
]

#: A user override: a TOML file or its parsed dict; ``None`` for none.
OverrideSource = str | Path | Mapping[str, Any] | None

#: Codes of classes, potentials and matrix rows: snake_case ASCII.
CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")

_DATA = resources.files("kawasan_gis") / "data"


@functools.lru_cache(maxsize=None)
def builtin_toml(name: str) -> Mapping[str, Any]:
    """A file of ``kawasan_gis/data``, parsed once and read-only."""
    with (_DATA / name).open("rb") as fh:
        return MappingProxyType(tomllib.load(fh))


def read_toml(path: Path, what: str) -> tuple[str, dict[str, Any]]:
    """Text and parsed content of a user TOML file.

    Parameters
    ----------
    path : Path
    what : str
        How the messages name the file (``"Mapping file"``, ``"ITBX override file"``).

    Raises
    ------
    ConfigError
        The file is missing, unreadable, not UTF-8 or not valid TOML.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"Berkas tidak ditemukan: {path} / {what} not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Berkas {path} tidak dapat dibaca (simpan sebagai UTF-8): {exc} / {what} {path} cannot be read: {exc}") from None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Berkas {path} bukan TOML yang sah: {exc} / {what} {path} is not valid TOML: {exc}") from None


def read_overrides(overrides: OverrideSource, what: str) -> dict[str, Any]:
    """The user override as a dict: ``{}`` for none, a copy of a dict, or the parsed file."""
    if overrides is None:
        return {}
    if isinstance(overrides, Mapping):
        return dict(overrides)
    return read_toml(Path(overrides), f"{what} override file")[1]


def user_section(
    user: Mapping[str, Any], name: str, problems: list[str], *, of_tables: bool = False
) -> Mapping[str, Any]:
    """Section ``name`` of a user override; a value that is not a table is a problem and gives ``{}``.

    ``of_tables`` says in the message that the section holds one ``[name.<code>]`` table per code.
    """
    value = user.get(name, {})
    if isinstance(value, Mapping):
        return value
    shape = f" of [{name}.<code>] tables" if of_tables else ""
    problems.append(f"override: {name} harus berupa tabel / must be a table{shape}")
    return {}


def merge_tables(
    base: Mapping[str, Any],
    extra: Mapping[str, Any],
    *,
    lists: Mapping[str, Callable[[list[Any], list[Any]], list[Any]]] | None = None,
) -> dict[str, Any]:
    """Lay the per-code tables of an override over copies of the built-in ones.

    A field of ``extra`` replaces the built-in field, except a field named in ``lists`` when both
    values are lists: ``lists[field](built_in, extra)`` gives the merged list. An entry of
    ``extra`` that is not a table replaces the built-in entry whole, for the caller's checks to
    report. Codes new in ``extra`` come after the built-in ones, in their order.

    Examples
    --------
    >>> import operator
    >>> merge_tables({"a": {"x": 1, "tags": ["p"]}}, {"a": {"tags": ["q"]}, "b": {"x": 2}},
    ...              lists={"tags": operator.add})
    {'a': {'x': 1, 'tags': ['p', 'q']}, 'b': {'x': 2}}
    """
    combine = lists or {}
    merged = {code: dict(spec) for code, spec in base.items()}
    for code, spec in extra.items():
        if not isinstance(spec, Mapping):
            merged[code] = spec
            continue
        target = merged.setdefault(code, {})
        for key, value in spec.items():
            if key in combine and isinstance(value, list) and isinstance(target.get(key), list):
                target[key] = combine[key](target[key], value)
            else:
                target[key] = value
    return merged


def check_keys(table: Mapping[str, Any], allowed: Iterable[str], where: str, problems: list[str]) -> None:
    """Add a problem for every key of ``table`` not in ``allowed``."""
    allowed = tuple(allowed)
    for key in table:
        if key not in allowed:
            problems.append(f"{where}: kunci tidak dikenal / unknown key {key!r} (sah / allowed: {', '.join(allowed)})")


def as_colour(value: object, where: str, problems: list[str]) -> tuple[int, int, int]:
    """An ``[r, g, b]`` value as a tuple; anything else is a problem and gives black."""
    if (
        isinstance(value, list | tuple)
        and len(value) == 3
        and all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 255 for v in value)
    ):
        return (int(value[0]), int(value[1]), int(value[2]))
    problems.append(f"{where}: colour harus [r, g, b] bilangan bulat 0-255, bukan {value!r} / must be [r, g, b] with integers 0-255, not {value!r}")
    return (0, 0, 0)


def str_list(value: object, where: str, problems: list[str]) -> tuple[str, ...]:
    """A list of strings as a tuple; anything else is a problem and gives ``()``."""
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(value)
    problems.append(f"{where}: harus daftar teks, bukan {value!r} / must be a list of strings, not {value!r}")
    return ()


def int_list(value: object, where: str, problems: list[str]) -> tuple[int, ...]:
    """A list of integers as a tuple; anything else is a problem and gives ``()``."""
    if isinstance(value, list | tuple) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return tuple(value)
    problems.append(f"{where}: harus daftar bilangan bulat, bukan {value!r} / must be a list of integers, not {value!r}")
    return ()


def str_table(value: object, where: str, problems: list[str]) -> dict[str, str]:
    """A table of strings as a dict; anything else is a problem and gives ``{}``."""
    if isinstance(value, Mapping) and all(isinstance(v, str) for v in value.values()):
        return dict(value)
    problems.append(f"{where}: harus tabel teks / must be a table of strings")
    return {}
