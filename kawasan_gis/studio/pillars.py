"""The four-pillar profile of an edited kawasan, live.

Owns :class:`LiveProfile`. A run writes the profile evidence that no plan changes (IDM indices,
distances to facilities, road and irrigation densities, culture and tourism zoning, facility
units per type) as the ``bukti_pilar`` table of ``kawasan.gpkg``. After an edit the studio adds
what the plan decides -- which villages belong to the kawasan, the distance of each member to
the chosen centre, each member's score for the kawasan's potential, and the kawasan's RTRW
figures from the live check -- and scores the pillars with the library's own
:func:`kawasan_gis.profile.profile_kawasan`, so the studio and ``kawasan run`` cannot disagree.

Imports :mod:`kawasan_gis.profile` and the studio's ``centre``, ``live`` and ``plan`` modules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kawasan_gis.profile import PILLARS, load_program, profile_kawasan
from kawasan_gis.studio.centre import CentreDistances
from kawasan_gis.studio.live import json_value
from kawasan_gis.studio.plan import PlanState

__all__ = ["FACILITY_PREFIX", "LiveProfile"]

FACILITY_PREFIX = "fasilitas_"
"""Columns of ``bukti_pilar`` that hold facility units per type."""

# kawasan-level evidence the live check supplies (see profile_kawasan's `kawasan` parameter)
_CHECK_COLUMNS = ("pct_X", "ha_lindung", "ha_lindung_X")


class LiveProfile:
    """Profiles kawasan of an edited plan from the run's stored evidence.

    Parameters
    ----------
    evidence : DataFrame
        The run's ``bukti_pilar`` table, indexed by ``kode_desa``.
    scores : DataFrame
        Indexed by ``kode_desa``, the villages' ``skor_<potential>`` columns.
    centres : CentreDistances
        Distances to a kawasan's centre, on the same basis as the run's.
    access_km, beyond_km : float
        As in the run (``[profile] access_km``, ``[centres] beyond_km``).
    program : path, optional
        The run's programme catalogue (built-in when None).
    """

    def __init__(
        self,
        evidence: pd.DataFrame,
        scores: pd.DataFrame,
        centres: CentreDistances,
        *,
        access_km: float = 5.0,
        beyond_km: float = 10.0,
        program: str | Path | None = None,
    ) -> None:
        fac = [c for c in evidence.columns if c.startswith(FACILITY_PREFIX)]
        self.facilities = evidence[fac].rename(columns=lambda c: c[len(FACILITY_PREFIX):]) if fac else None
        self.base = evidence.drop(columns=fac)
        self.scores = scores
        self.centres = centres
        self.access_km = access_km
        self.beyond_km = beyond_km
        self.catalogue = load_program(program)

    def evaluate(self, state: PlanState, ids: Iterable[str], check: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
        """Pillars of the kawasan ``ids`` of ``state``.

        ``check`` holds each kawasan's live check row (``pct_X``, ``ha_lindung``,
        ``ha_lindung_X`` when the run had an RTRW). Returns per kawasan the ``pilar_<code>``
        values (None without data), the ``komp_<component>`` values, ``status_idm``,
        ``pilar_terlemah`` and ``fokus_program`` / ``fokus_program_en``.
        """
        ids = [k for k in dict.fromkeys(ids) if k in set(state.ids())]
        if not ids:
            return {}
        ev = self.base.copy()
        kid = pd.Series(None, index=ev.index, dtype=object)
        to_centre = pd.Series(np.nan, index=ev.index)
        own_score = pd.Series(np.nan, index=ev.index)
        for k in ids:
            spec = state.get(k)
            members = [c for c in state.villages_of(k) if c in ev.index]
            kid.loc[members] = k
            if spec.pusat is not None and members:
                to_centre.loc[members] = self.centres.distances(spec.pusat, members)
            col = f"skor_{spec.potensi}"
            if col in self.scores.columns and members:
                own_score.loc[members] = self.scores[col].reindex(members).to_numpy(dtype=float)
        ev["kawasan_id"] = kid
        ev["jarak_pusat_km"] = to_centre
        ev["skor_potensi_kawasan"] = own_score
        kaw = pd.DataFrame(
            {c: [check.get(k, {}).get(c) for k in ids] for c in _CHECK_COLUMNS if any(check.get(k, {}).get(c) is not None for k in ids)},
            index=pd.Index(ids, name="kawasan_id"),
        ).astype(float)
        profile = profile_kawasan(ev, kawasan=kaw, facilities=self.facilities, access_km=self.access_km,
                                  beyond_km=self.beyond_km, catalogue=self.catalogue)
        out: dict[str, dict[str, Any]] = {}
        for k in ids:
            row = profile.table.loc[k] if k in profile.table.index else pd.Series(dtype=object)
            out[k] = {col: json_value(v) for col, v in row.items()}
            for p in PILLARS:
                out[k].setdefault(f"pilar_{p}", None)
        return out
