"""The potentials catalogue: development-zone types and the indicators that score them.

Owns :class:`IndicatorSpec`, :class:`Potential`, :class:`PotentialCatalogue` and
:func:`load_potentials`, which reads ``data/potentials.toml`` and lays a user override over it
(indicators merged by ``id``). Imports :mod:`.reading`, :mod:`.classes` (the class codes of
share indicators are checked against the vocabularies) and :mod:`kawasan_gis.errors`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kawasan_gis.errors import ConfigError
from kawasan_gis.vocab.classes import Vocabulary, load_vocabulary
from kawasan_gis.vocab.reading import (
    CODE_RE,
    OverrideSource,
    as_colour,
    builtin_toml,
    check_keys,
    merge_tables,
    read_overrides,
    str_list,
    user_section,
)

__all__ = ["IndicatorSpec", "Potential", "PotentialCatalogue", "load_potentials"]

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
    key : bool
        A key indicator: a potential with key indicators is scored only in villages where
        one of them is above zero (perikanan without tambak or fisheries zoning stays silent).
    """

    id: str
    kind: str
    weight: float
    dasar: str
    classes: tuple[str, ...] = ()
    layer: str | None = None
    column: str | None = None
    invert: bool = False
    key: bool = False
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
    ['peternakan', 'hutan_tanaman_industri', 'pertanian_unggulan', 'permukiman', 'perekonomian', 'perikanan', 'pariwisata']
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


def _merge_indicators(base: list[Any], extra: list[Any]) -> list[Any]:
    """Override indicators: one with a known ``id`` changes that indicator's fields, others are added."""
    indicators = [dict(i) for i in base]
    ids = {i.get("id"): n for n, i in enumerate(indicators)}
    for item in extra:
        if isinstance(item, Mapping) and item.get("id") in ids:
            indicators[ids[item["id"]]].update(item)
        else:
            indicators.append(dict(item) if isinstance(item, Mapping) else item)
    return indicators


def _build_indicator(
    item: object, where: str, rtrw: Vocabulary, landcover: Vocabulary, problems: list[str]
) -> IndicatorSpec | None:
    if not isinstance(item, Mapping):
        problems.append(f"{where}: harus berupa tabel / must be a table")
        return None
    check_keys(item, ("id", "kind", "weight", "dasar", "classes", "layer", "column", "invert", "key", "nama", "name"), where, problems)
    missing = [k for k in ("id", "kind", "weight", "dasar") if k not in item]
    if missing:
        problems.append(f"{where}: tidak ada / missing {', '.join(missing)}")
        return None
    where = f"{where} ({item['id']})"
    kind, weight = item["kind"], item["weight"]
    if kind not in _INDICATOR_KINDS:
        problems.append(f"{where}: kind harus salah satu dari / must be one of {', '.join(_INDICATOR_KINDS)}, bukan / not {kind!r}")
    if not isinstance(weight, int | float) or isinstance(weight, bool) or weight < 0 or not math.isfinite(weight):
        problems.append(f"{where}: weight harus angka >= 0, bukan {weight!r} / must be a number >= 0, not {weight!r}")
        weight = 0.0
    if item["dasar"] not in _DASAR:
        problems.append(f"{where}: dasar harus kondisi_lahan atau zonasi, bukan / must be kondisi_lahan or zonasi, not {item['dasar']!r}")
    classes = str_list(item.get("classes", []), f"{where}.classes", problems)
    if kind in ("landcover_share", "rtrw_share"):
        vocab = landcover if kind == "landcover_share" else rtrw
        if not classes:
            problems.append(f"{where}: {kind} perlu classes / needs classes")
        unknown = [c for c in classes if c not in vocab]
        if unknown:
            problems.append(f"{where}: kode {vocab.kind} tidak dikenal / unknown {vocab.kind} codes {', '.join(unknown)}")
    if kind in ("line_density", "point_count", "point_distance") and not isinstance(item.get("layer"), str):
        problems.append(f"{where}: {kind} perlu / needs layer = \"<nama lapisan / layer name>\"")
    if kind == "table" and not isinstance(item.get("column"), str):
        problems.append(f"{where}: table perlu / needs column = \"<nama kolom / column name>\"")
    invert = item.get("invert", False)
    if not isinstance(invert, bool):
        problems.append(f"{where}: invert harus true atau false / must be true or false")
    key = item.get("key", False)
    if not isinstance(key, bool):
        problems.append(f"{where}: key harus true atau false / must be true or false")
    return IndicatorSpec(
        id=str(item["id"]),
        kind=str(kind),
        weight=float(weight),
        dasar=str(item["dasar"]),
        classes=classes,
        layer=item.get("layer"),
        column=item.get("column"),
        invert=bool(invert),
        key=bool(key),
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
    >>> cat = load_potentials(overrides={"potentials": {"pariwisata": {"enabled": False}}})
    >>> len(cat.enabled), "pariwisata" in [p.code for p in cat.enabled]
    (6, False)
    >>> cat["pertanian_unggulan"].indicators[0].id
    'lahan_pertanian'
    """
    user = read_overrides(overrides, "potentials")
    base = builtin_toml("potentials.toml")
    problems: list[str] = []
    check_keys(user, ("version", "potentials"), "override", problems)
    user_pots = user_section(user, "potentials", problems, of_tables=True)
    merged = merge_tables(base["potentials"], user_pots, lists={"indicators": _merge_indicators})
    rtrw = rtrw if rtrw is not None else load_vocabulary("rtrw")
    landcover = landcover if landcover is not None else load_vocabulary("landcover")
    potentials = []
    for code, spec in merged.items():
        where = f"potentials.{code}"
        if not CODE_RE.match(code):
            problems.append(f"{where}: kode harus snake_case ASCII (a-z, 0-9, _) / codes are snake_case ASCII (a-z, 0-9, _)")
        if not isinstance(spec, Mapping):
            problems.append(f"{where}: harus berupa tabel / must be a table")
            continue
        check_keys(spec, ("nama", "name", "colour", "enabled", "indicators"), where, problems)
        missing = [k for k in ("nama", "name", "colour", "indicators") if k not in spec]
        if missing:
            problems.append(f"{where}: tidak ada / missing {', '.join(missing)}")
            continue
        enabled = spec.get("enabled", True)
        if not isinstance(enabled, bool):
            problems.append(f"{where}: enabled harus true atau false / must be true or false")
        raw_indicators = spec["indicators"] if isinstance(spec["indicators"], list) else []
        if not raw_indicators:
            problems.append(f"{where}: perlu minimal satu / needs at least one [[{where}.indicators]]")
        indicators = [
            _build_indicator(item, f"{where}.indicators[{i}]", rtrw, landcover, problems)
            for i, item in enumerate(raw_indicators)
        ]
        ids = [i.id for i in indicators if i is not None]
        if len(set(ids)) != len(ids):
            problems.append(f"{where}: id indikator harus unik / indicator ids must be unique")
        potentials.append(
            Potential(
                code=code,
                nama=str(spec["nama"]),
                name=str(spec["name"]),
                colour=as_colour(spec["colour"], where, problems),
                enabled=bool(enabled),
                indicators=tuple(i for i in indicators if i is not None),
            )
        )
    if problems:
        raise ConfigError("Katalog potensi tidak sah / Invalid potentials catalogue.", problems=problems)
    return PotentialCatalogue(tuple(potentials))
