"""The plan being edited in the studio and the edits a musyawarah makes to it.

Owns :class:`PlanState` (which village is in which kawasan, each kawasan's name, potential and
centre) and the edits, as pure functions that return a new state and the kawasan they touched:
:func:`move_villages`, :func:`create_kawasan`, :func:`merge_kawasan`, :func:`split_kawasan`,
:func:`set_potential`, :func:`set_centre`, :func:`rename_kawasan`. A state is never changed in
place, so undo and redo are a list of states.

One rule is enforced here because the law leaves no room for it: a kawasan perdesaan lies in one
kabupaten (UU 6/2014 Pasal 83); an edit that would break it is refused with
:class:`~kawasan_gis.errors.PlanError`. Contiguity, the minimum of two villages and the size limits
are flagged by the live check instead (:mod:`kawasan_gis.studio.live`), because a plan often
passes through such a state between two edits.

Imports: :mod:`kawasan_gis.errors` and :mod:`kawasan_gis.i18n` only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import pandas as pd

from kawasan_gis.errors import PlanError
from kawasan_gis.i18n import format_list

__all__ = [
    "Kawasan",
    "PlanState",
    "create_kawasan",
    "merge_kawasan",
    "move_villages",
    "rename_kawasan",
    "set_centre",
    "set_potential",
    "split_kawasan",
    "state_from_table",
]

_ID = re.compile(r"K(\d+)")


@dataclass(frozen=True)
class Kawasan:
    """One kawasan of a plan: its id, name, potential and centre village (``kode_desa`` or None)."""

    kawasan_id: str
    nama: str
    potensi: str
    pusat: str | None = None


@dataclass(frozen=True, eq=False)
class PlanState:
    """Who belongs where: ``member`` maps ``kode_desa`` to ``kawasan_id`` (villages outside any
    kawasan are absent); ``kawasan`` lists the kawasan in plan order. Treat both as read-only."""

    member: Mapping[str, str]
    kawasan: tuple[Kawasan, ...]

    def ids(self) -> list[str]:
        return [k.kawasan_id for k in self.kawasan]

    def get(self, kawasan_id: str) -> Kawasan:
        for k in self.kawasan:
            if k.kawasan_id == kawasan_id:
                return k
        raise PlanError(f"kawasan {kawasan_id!r} tidak ada / does not exist.")

    def villages_of(self, kawasan_id: str) -> list[str]:
        return [c for c, k in self.member.items() if k == kawasan_id]

    def table(self) -> pd.DataFrame:
        """The plan table (``kode_desa``, ``kawasan_id``, ``nama_kawasan``, ``potensi``, ``pusat``),
        one row per member village, in kawasan order; the form :func:`kawasan_gis.check.read_plan` reads."""
        rows = []
        for k in self.kawasan:
            for code in self.villages_of(k.kawasan_id):
                rows.append({"kode_desa": code, "kawasan_id": k.kawasan_id, "nama_kawasan": k.nama,
                             "potensi": k.potensi, "pusat": k.pusat == code})
        return pd.DataFrame(rows, columns=["kode_desa", "kawasan_id", "nama_kawasan", "potensi", "pusat"])

    def same_as(self, other: PlanState) -> bool:
        return dict(self.member) == dict(other.member) and self.kawasan == other.kawasan


def state_from_table(table: pd.DataFrame, *, names: Mapping[str, str] | None = None,
                     centres: Mapping[str, str] | None = None) -> PlanState:
    """A state from a table with ``kode_desa``, ``kawasan_id`` and ``potensi`` (one row per member).

    Rows without a ``kawasan_id`` are villages outside every kawasan.
    """
    rows = table[table["kawasan_id"].notna() & (table["kawasan_id"].astype(str) != "")]
    member = dict(zip(rows["kode_desa"].astype(str), rows["kawasan_id"].astype(str), strict=True))
    potential = dict(zip(rows["kawasan_id"].astype(str), rows["potensi"].astype(str), strict=False))
    names = names or {}
    centres = centres or {}
    kawasan = tuple(
        Kawasan(k, str(names.get(k, "") or ""), potential[k], centres.get(k) if centres.get(k) in member and member[centres[k]] == k else None)
        for k in dict.fromkeys(rows["kawasan_id"].astype(str))
    )
    return PlanState(member=member, kawasan=kawasan)


def _known(codes: Iterable[str], kab: Mapping[str, str]) -> list[str]:
    codes = list(dict.fromkeys(str(c) for c in codes))
    if not codes:
        raise PlanError("tidak ada desa dipilih / no village selected.")
    unknown = [c for c in codes if c not in kab]
    if unknown:
        raise PlanError(f"desa tidak dikenal / unknown village code(s): {format_list(unknown)}.")
    return codes


def _one_kabupaten(member: Mapping[str, str], touched: Iterable[str], kab: Mapping[str, str]) -> None:
    for k in touched:
        kabs = sorted({kab[c] for c, m in member.items() if m == k})
        if len(kabs) > 1:
            raise PlanError(
                f"kawasan {k} akan mencakup {len(kabs)} kabupaten ({', '.join(kabs)}): kawasan perdesaan ada di satu "
                f"kabupaten (UU 6/2014 Pasal 83) / kawasan {k} would span {len(kabs)} kabupaten; a kawasan perdesaan "
                "lies in one kabupaten."
            )


def _finish(state: PlanState, member: dict[str, str], kawasan: list[Kawasan], touched: set[str],
            kab: Mapping[str, str]) -> tuple[PlanState, set[str]]:
    """Drop emptied kawasan and centres that left their kawasan; enforce one kabupaten."""
    _one_kabupaten(member, touched, kab)
    alive = set(member.values())
    out = []
    for k in kawasan:
        if k.kawasan_id not in alive:
            continue
        if k.pusat is not None and member.get(k.pusat) != k.kawasan_id:
            k = replace(k, pusat=None)
        out.append(k)
    return PlanState(member=member, kawasan=tuple(out)), touched


def next_id(state: PlanState) -> str:
    """The next free id of the form ``K<n>``, as wide as the widest existing one (``K41`` after ``K40``)."""
    numbers = [int(m.group(1)) for k in state.ids() if (m := _ID.fullmatch(k))]
    width = max([2] + [len(m.group(1)) for k in state.ids() if (m := _ID.fullmatch(k))])
    n = max(numbers, default=0) + 1
    while f"K{n:0{width}d}" in state.ids():
        n += 1
    return f"K{n:0{width}d}"


def move_villages(state: PlanState, codes: Iterable[str], to: str | None, *, kab: Mapping[str, str]) -> tuple[PlanState, set[str]]:
    """Move villages into kawasan ``to`` (None: out of every kawasan).

    Returns the new state and the kawasan touched (left or joined). A kawasan left empty
    disappears; a centre village that leaves its kawasan stops being its centre.
    """
    codes = _known(codes, kab)
    if to is not None:
        state.get(to)
    member = dict(state.member)
    touched = {member[c] for c in codes if c in member}
    for c in codes:
        if to is None:
            member.pop(c, None)
        else:
            member[c] = to
    if to is not None:
        touched.add(to)
    return _finish(state, member, list(state.kawasan), touched, kab)


def create_kawasan(state: PlanState, codes: Iterable[str], *, potensi: str, nama: str = "",
                   kab: Mapping[str, str], potentials: Iterable[str]) -> tuple[PlanState, set[str]]:
    """A new kawasan of the villages ``codes`` (taken from their kawasan), with the next free id."""
    _valid_potential(potensi, potentials)
    codes = _known(codes, kab)
    new = next_id(state)
    member = dict(state.member)
    touched = {member[c] for c in codes if c in member} | {new}
    for c in codes:
        member[c] = new
    kawasan = [*state.kawasan, Kawasan(new, nama.strip(), potensi)]
    return _finish(state, member, kawasan, touched, kab)


def merge_kawasan(state: PlanState, ids: Iterable[str], *, kab: Mapping[str, str]) -> tuple[PlanState, set[str]]:
    """Merge kawasan into the first of ``ids``, which keeps its name, potential and centre."""
    ids = list(dict.fromkeys(ids))
    if len(ids) < 2:
        raise PlanError("pilih minimal dua kawasan untuk digabung / choose at least two kawasan to merge.")
    for k in ids:
        state.get(k)
    into = ids[0]
    member = {c: (into if k in ids else k) for c, k in state.member.items()}
    return _finish(state, member, list(state.kawasan), set(ids), kab)


def split_kawasan(state: PlanState, kawasan_id: str, codes: Iterable[str], *, kab: Mapping[str, str]) -> tuple[PlanState, set[str]]:
    """Split the villages ``codes`` of ``kawasan_id`` off into a new kawasan with the same potential."""
    old = state.get(kawasan_id)
    codes = _known(codes, kab)
    outside = [c for c in codes if state.member.get(c) != kawasan_id]
    if outside:
        raise PlanError(f"desa bukan anggota {kawasan_id} / villages not in {kawasan_id}: {format_list(outside)}.")
    if len(codes) == len(state.villages_of(kawasan_id)):
        raise PlanError(f"semua desa {kawasan_id} dipilih; tinggalkan minimal satu / every village of {kawasan_id} is "
                        "selected; leave at least one.")
    new = next_id(state)
    member = dict(state.member)
    for c in codes:
        member[c] = new
    kawasan = [*state.kawasan, Kawasan(new, "", old.potensi)]
    return _finish(state, member, kawasan, {kawasan_id, new}, kab)


def _valid_potential(potensi: str, potentials: Iterable[str]) -> None:
    known = list(potentials)
    if potensi not in known:
        raise PlanError(f"potensi tidak dikenal / unknown potential {potensi!r}; kode yang sah / valid codes: {', '.join(known)}.")


def _with(state: PlanState, kawasan_id: str, **changes: object) -> tuple[PlanState, set[str]]:
    state.get(kawasan_id)
    kawasan = tuple(replace(k, **changes) if k.kawasan_id == kawasan_id else k for k in state.kawasan)  # type: ignore[arg-type]
    return PlanState(member=dict(state.member), kawasan=kawasan), {kawasan_id}


def set_potential(state: PlanState, kawasan_id: str, potensi: str, *, potentials: Iterable[str]) -> tuple[PlanState, set[str]]:
    """Change a kawasan's potential (its ITBX row changes with it)."""
    _valid_potential(potensi, potentials)
    return _with(state, kawasan_id, potensi=potensi)


def set_centre(state: PlanState, kawasan_id: str, kode_desa: str | None) -> tuple[PlanState, set[str]]:
    """Make a member village the kawasan's centre (None: no centre chosen)."""
    if kode_desa is not None and state.member.get(kode_desa) != kawasan_id:
        raise PlanError(f"pusat harus desa anggota {kawasan_id} / the centre must be a village of {kawasan_id}: {kode_desa}.")
    return _with(state, kawasan_id, pusat=kode_desa)


def rename_kawasan(state: PlanState, kawasan_id: str, nama: str) -> tuple[PlanState, set[str]]:
    """Give a kawasan a name (any text: it is shown as text, never as markup)."""
    return _with(state, kawasan_id, nama=str(nama).strip()[:200])
