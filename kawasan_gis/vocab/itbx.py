"""The ITBX zoning matrix: what each potential may do on each pola ruang class.

Owns :data:`STATUSES`, :class:`ItbxMatrix` (a status I/T/B/X per potential x pola ruang class,
tightened by the LP2B and rawan bencana overlays) and :func:`load_itbx`, which reads
``data/itbx.toml`` and lays a user override over it. Imports :mod:`.reading`, :mod:`.classes`
(every row must cover the pola ruang classes), :mod:`.matching` (the combined-class key) and
:mod:`kawasan_gis.errors`.

A combined class ("Kawasan Ekosistem Mangrove/Kawasan Tanaman Pangan", see
:mod:`.matching`) is read with the key ``"ekosistem_mangrove+tanaman_pangan"``: for each
potential it takes the stricter status of its parts (X > B > T > I), so naming a protected
class next to a cultivation class never loosens what the protected class forbids, and a
cultivation part that forbids a potential (industri for pertanian) is not lost either.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import pandas as pd

from kawasan_gis.errors import ConfigError
from kawasan_gis.vocab.classes import Vocabulary, load_vocabulary
from kawasan_gis.vocab.matching import COMBINED_SEP
from kawasan_gis.vocab.reading import (
    CODE_RE,
    OverrideSource,
    builtin_toml,
    check_keys,
    merge_tables,
    read_overrides,
    user_section,
)

__all__ = ["STATUSES", "ItbxMatrix", "Status", "load_itbx"]

Status = Literal["I", "T", "B", "X"]
#: ITBX statuses from the most to the least permissive.
STATUSES: tuple[str, ...] = ("I", "T", "B", "X")
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
    >>> itbx.status("pariwisata", "taman_wisata_alam"), itbx.status("pariwisata", "taman_wisata_alam+tanaman_pangan")
    ('T', 'B')
    """

    potentials: tuple[str, ...]
    classes: tuple[str, ...]
    matrix: Mapping[str, Mapping[str, str]] = field(hash=False)
    overlays: Mapping[str, Mapping[str, str]] = field(hash=False)

    def __reduce__(self) -> tuple[Any, ...]:
        # the read-only mappings cannot be pickled: sent as plain dicts (kawasan run's check
        # runs in a second process) and made read-only again on arrival
        plain = ({k: dict(v) for k, v in self.matrix.items()}, {k: dict(v) for k, v in self.overlays.items()})
        return (_read_only_matrix, (self.potentials, self.classes, *plain))

    def status(self, potential: str, pola_ruang_code: str, *, lp2b: bool = False, hazard: bool = False) -> str:
        """Status of a potential on a pola ruang class, tightened by the overlays asked for.

        Parameters
        ----------
        potential : str
        pola_ruang_code : str
            A standard code, or the parts of a combined class joined by ``+``
            (``"suaka_alam+tanaman_pangan"``): the stricter status of the parts.
        lp2b : bool
            The land is LP2B / KP2B protected food-crop land.
        hazard : bool
            The land is in a high disaster-hazard area (rawan bencana).

        Returns
        -------
        {"I", "T", "B", "X"}
        """
        if potential not in self.matrix:
            raise ConfigError(
                f"matriks ITBX tidak punya potensi {potential!r} / the ITBX matrix has no potential {potential!r}; "
                f"yang ada / known: {', '.join(self.potentials)}"
            )
        row = self.matrix[potential]
        parts = pola_ruang_code.split(COMBINED_SEP)
        unknown = [p for p in parts if p not in row]
        if unknown:
            codes = ", ".join(map(repr, unknown))
            raise ConfigError(f"kode pola ruang {codes} tidak dikenal matriks ITBX / unknown pola ruang code {codes} for the ITBX matrix")
        status = "I"
        for part in parts:
            status = _stricter(status, row[part])
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


def _read_only_matrix(potentials: tuple[str, ...], classes: tuple[str, ...], matrix: dict[str, dict[str, str]],
                      overlays: dict[str, dict[str, str]]) -> ItbxMatrix:
    """An :class:`ItbxMatrix` from plain dicts (unpickling), read-only like a loaded one."""
    return ItbxMatrix(potentials=potentials, classes=classes,
                      matrix=MappingProxyType({p: MappingProxyType(row) for p, row in matrix.items()}),
                      overlays=MappingProxyType({o: MappingProxyType(t) for o, t in overlays.items()}))


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
    user = read_overrides(overrides, "ITBX")
    base = builtin_toml("itbx.toml")
    problems: list[str] = []
    check_keys(user, ("version", "matrix", "overlays"), "override", problems)
    merged: dict[str, dict[str, Any]] = {}
    for section in ("matrix", "overlays"):
        tables = {}
        for key, table in user_section(user, section, problems).items():
            if isinstance(table, Mapping):
                tables[key] = table
            else:
                problems.append(f"override: {section}.{key} harus berupa tabel / must be a table")
        merged[section] = merge_tables(base[section], tables)
    matrix, overlays = merged["matrix"], merged["overlays"]
    for potential, row in matrix.items():
        where = f"matrix.{potential}"
        if not CODE_RE.match(potential):
            problems.append(f"{where}: kode harus snake_case ASCII (a-z, 0-9, _) / codes are snake_case ASCII (a-z, 0-9, _)")
        unknown = [c for c in row if c not in vocab]
        if unknown:
            problems.append(f"{where}: kode pola ruang tidak dikenal / unknown pola ruang codes {', '.join(unknown)}")
        missing = [c for c in vocab.codes if c not in row]
        if missing:
            problems.append(f"{where}: tidak ada status untuk / no status for {', '.join(missing)}")
        bad = [f"{c} = {s!r}" for c, s in row.items() if s not in STATUSES]
        if bad:
            problems.append(f"{where}: status harus I, T, B atau X / status must be I, T, B or X: {', '.join(bad)}")
    for overlay, table in overlays.items():
        if overlay not in _OVERLAYS.values():
            problems.append(f"overlays.{overlay}: overlay tidak dikenal / unknown overlay (yang ada / known: {', '.join(_OVERLAYS.values())})")
            continue
        for potential, status in table.items():
            if potential not in matrix:
                problems.append(f"overlays.{overlay}: potensi tidak dikenal / unknown potential {potential!r}")
            if status not in STATUSES:
                problems.append(f"overlays.{overlay}.{potential}: status harus I, T, B atau X, bukan {status!r} / status must be I, T, B or X, not {status!r}")
    if problems:
        raise ConfigError("Matriks ITBX tidak sah / Invalid ITBX matrix.", problems=problems)
    return ItbxMatrix(
        potentials=tuple(matrix),
        classes=vocab.codes,
        matrix=MappingProxyType({p: MappingProxyType(dict(row)) for p, row in matrix.items()}),
        overlays=MappingProxyType({o: MappingProxyType(dict(t)) for o, t in overlays.items()}),
    )
