"""Input roles: which line, point or table input an indicator of the potentials catalogue reads.

Owns :class:`InputRole`, :func:`input_roles` and :func:`describe_roles`. An indicator of kind
``line_density`` reads the line layer whose role is its ``layer`` (``jalan``), ``point_count``
and ``point_distance`` the point layer whose role is its ``layer`` (``pusat_kegiatan``), and
``table`` the table column whose role is its ``column`` (``ternak``). A run config names an
input's role with ``role = "..."`` (a table's columns with ``roles = { ROLE = "COLUMN" }``);
without it the input's own name is its role. The roles are read off the catalogue, so a user
catalogue that adds an indicator on a new layer adds a role. Imports :mod:`.potentials` only.

Examples
--------
>>> roles = {r.role: r for r in input_roles()}
>>> roles["jalan"].group, roles["pusat_kegiatan"].group, roles["ternak"].group
('lines', 'points', 'table')
>>> describe_roles([roles["saluran_irigasi"]])
['saluran_irigasi (garis / lines): kerapatan saluran irigasi / irrigation canal density [pertanian_unggulan]']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kawasan_gis.vocab.potentials import Potential, load_potentials

__all__ = ["ROLE_GROUPS", "InputRole", "describe_roles", "input_roles"]

# indicator kind -> the input group whose role it reads
_GROUP_OF_KIND = {"line_density": "lines", "point_count": "points", "point_distance": "points", "table": "table"}
ROLE_GROUPS: dict[str, tuple[str, str]] = {"lines": ("garis", "lines"), "points": ("titik", "points"), "table": ("kolom tabel", "table column")}


@dataclass(frozen=True)
class InputRole:
    """One role an input can play: its name, input group and what the catalogue reads it for.

    Attributes
    ----------
    role : str
        The layer name (lines, points) or table column (table) the catalogue's indicators read.
    group : str
        ``lines``, ``points`` or ``table``.
    nama, name : str
        The labels (id, en) of the indicators reading it, joined with ``"; "``.
    potentials : tuple of str
        Codes of the potentials whose indicators read it, in catalogue order.
    """

    role: str
    group: str
    nama: str
    name: str
    potentials: tuple[str, ...]


def input_roles(catalogue: Iterable[Potential] | None = None) -> tuple[InputRole, ...]:
    """The roles the catalogue's line, point and table indicators read, in catalogue order.

    Parameters
    ----------
    catalogue : iterable of Potential, optional
        Default :func:`load_potentials` (every potential, enabled or not).
    """
    found: dict[tuple[str, str], dict[str, list[str]]] = {}
    for pot in catalogue if catalogue is not None else load_potentials():
        for spec in pot.indicators:
            group = _GROUP_OF_KIND.get(spec.kind)
            role = spec.column if spec.kind == "table" else spec.layer
            if group is None or not role:
                continue
            entry = found.setdefault((group, role), {"nama": [], "name": [], "potentials": []})
            for key, text in (("nama", spec.label("id")), ("name", spec.label("en")), ("potentials", pot.code)):
                if text not in entry[key]:
                    entry[key].append(text)
    return tuple(
        InputRole(role=role, group=group, nama="; ".join(e["nama"]), name="; ".join(e["name"]), potentials=tuple(e["potentials"]))
        for (group, role), e in found.items()
    )


def describe_roles(roles: Iterable[InputRole], *, group: str | None = None) -> list[str]:
    """One line per role, Indonesian then English: ``role (group): meaning / meaning [potentials]``.

    ``group`` keeps the roles of one input group (``lines``, ``points``, ``table``).
    """
    out = []
    for r in roles:
        if group is not None and r.group != group:
            continue
        gid, gen = ROLE_GROUPS[r.group]
        out.append(f"{r.role} ({gid} / {gen}): {r.nama} / {r.name} [{', '.join(r.potentials)}]")
    return out
