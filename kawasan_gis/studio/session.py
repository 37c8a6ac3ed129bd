"""One planning session in the studio: the plan being edited, its history and its live figures.

Owns :class:`Session`: it applies edits (:mod:`kawasan_gis.studio.plan`) with undo and redo,
keeps the live figures of every kawasan (:class:`~kawasan_gis.studio.live.LiveCheck`, re-checking
only the kawasan an edit touched, and remembering figures it has seen so that undo is instant;
distances to the chosen centre from :class:`~kawasan_gis.studio.centre.CentreDistances`, the
four-pillar profile from :class:`~kawasan_gis.studio.pillars.LiveProfile`),
compares the plan with the run's proposal, rescores the villages when the weights move
(:func:`kawasan_gis.potential.score_potentials`), and hands versions and exports to
:mod:`kawasan_gis.studio.record`.

Imports the studio's ``plan``, ``live``, ``centre``, ``pillars`` and ``workspace`` modules, and
:mod:`kawasan_gis.potential`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from kawasan_gis.errors import FieldError, PlanError
from kawasan_gis.i18n import check_lang
from kawasan_gis.potential import score_potentials
from kawasan_gis.studio import plan as edits
from kawasan_gis.studio.centre import CentreDistances
from kawasan_gis.studio.live import KawasanFigures, LiveCheck
from kawasan_gis.studio.pillars import LiveProfile
from kawasan_gis.studio.plan import PlanState, state_from_table
from kawasan_gis.studio.workspace import RunFolder, proposal_table
from kawasan_gis.vocab import PotentialCatalogue

__all__ = ["OPERATIONS", "Session", "Update"]

log = logging.getLogger(__name__)

OPERATIONS = ("move", "remove", "create", "merge", "split", "potential", "centre", "rename")
_HISTORY = 200  # states kept for undo


@dataclass(frozen=True)
class Update:
    """What an edit, undo or redo changed: the kawasan whose figures changed or that disappeared,
    and the server time it took (milliseconds)."""

    touched: tuple[str, ...]
    removed: tuple[str, ...]
    ms: float
    label: str


class Session:
    """The studio's state for one result folder. Thread-safe: one edit at a time.

    Parameters
    ----------
    run : RunFolder
        From :func:`kawasan_gis.studio.workspace.open_run`.
    lang : {"id", "en"}, optional
        Language of rule messages and labels (default the run's).
    """

    def __init__(self, run: RunFolder, *, lang: str | None = None) -> None:
        self.run = run
        self.lang = check_lang(lang or run.lang)
        self.lock = threading.RLock()
        desa = run.desa
        self.kab = dict(zip(desa["kode_desa"], desa["kode_kab"], strict=True))
        self.names = dict(zip(desa["kode_desa"], desa["nama_desa"], strict=True))
        self.potentials = [p.code for p in run.catalogue]
        self.live = LiveCheck(
            desa, run.pola_ruang, itbx=run.itbx, config=run.check_config, limits=run.limits, lp2b=run.lp2b,
            hazard=run.hazard, bridges=run.sambungan, include_conditional=run.conditional_conflicts, lang=self.lang,
            cache_dir=run.studio / ".cache",
        )
        names = dict(zip(run.kawasan["kawasan_id"].astype(str), run.kawasan.get("nama", pd.Series("", index=run.kawasan.index)).fillna("").astype(str), strict=True))
        self.proposal = state_from_table(proposal_table(run), names=names, centres=_centres(run))
        self.history: list[tuple[PlanState, str]] = [(self.proposal, "")]
        self.cursor = 0
        self.centres = CentreDistances(desa, run.roads, beyond_km=run.beyond_km)
        scores = desa.drop(columns=desa.geometry.name).set_index("kode_desa")
        self.profile = None if run.evidence is None else LiveProfile(
            run.evidence, scores[[c for c in scores.columns if c.startswith("skor_")]], self.centres,
            access_km=run.access_km, beyond_km=run.beyond_km, program=run.program,
        )  # fmt: skip
        self._cache: dict[tuple[Any, ...], KawasanFigures] = {}
        self.figures: dict[str, KawasanFigures] = self._figures(self.proposal, self.proposal.ids())
        self.baseline = dict(self.figures)
        self.weights: dict[str, dict[str, float]] = {}
        self.priorities: dict[str, float] = {}
        self.mixed_margin = run.mixed_margin
        self._indicators = desa.drop(columns=desa.geometry.name).set_index("kode_desa")
        self.dominant = self._base = self._score(run.catalogue, run.mixed_margin)

    # ------------------------------------------------------------------ state

    @property
    def state(self) -> PlanState:
        return self.history[self.cursor][0]

    def can_undo(self) -> bool:
        return self.cursor > 0

    def can_redo(self) -> bool:
        return self.cursor < len(self.history) - 1

    def _key(self, state: PlanState, k: str) -> tuple[Any, ...]:
        return (state.get(k), tuple(sorted(state.villages_of(k))))

    def _figures(self, state: PlanState, ids: list[str]) -> dict[str, KawasanFigures]:
        todo = [k for k in ids if self._key(state, k) not in self._cache]
        fresh = self.live.evaluate(state, todo)
        pillars = self.profile.evaluate(state, list(fresh), {k: f.row for k, f in fresh.items()}) if self.profile else {}
        for k, f in fresh.items():
            centre = state.get(k).pusat
            if centre is not None:
                f.row.update(self.centres.stats(centre, state.villages_of(k)))
            f.row.update(pillars.get(k, {}))
            self._cache[self._key(state, k)] = f
        return {k: self._cache[self._key(state, k)] for k in ids}

    def _move_to(self, new: PlanState, label: str, t0: float) -> Update:
        old = self.state
        changed = [k for k in new.ids() if k not in old.ids() or self._key(old, k) != self._key(new, k)]
        removed = tuple(k for k in old.ids() if k not in new.ids())
        fresh = self._figures(new, changed)
        self.figures = {k: fresh[k] if k in fresh else self.figures[k] for k in new.ids()}
        return Update(touched=tuple(changed), removed=removed, ms=round(1000 * (time.perf_counter() - t0), 1), label=label)

    def apply(self, op: str, args: Mapping[str, Any]) -> Update:
        """Apply one edit (``op`` in :data:`OPERATIONS`) with its arguments from the browser.

        Raises
        ------
        PlanError
            An unknown operation or village, a kawasan spanning two kabupaten, a centre outside
            its kawasan...: the plan is left as it was.
        """
        t0 = time.perf_counter()
        with self.lock:
            state = self.state
            codes = [str(c) for c in args.get("villages", [])]
            k = str(args.get("kawasan", ""))
            if op == "move":
                new, _ = edits.move_villages(state, codes, str(args.get("to", "")), kab=self.kab)
            elif op == "remove":
                new, _ = edits.move_villages(state, codes, None, kab=self.kab)
            elif op == "create":
                new, _ = edits.create_kawasan(state, codes, potensi=str(args.get("potensi", "")), nama=str(args.get("nama", "")),
                                              kab=self.kab, potentials=self.potentials)
            elif op == "merge":
                new, _ = edits.merge_kawasan(state, [str(x) for x in args.get("ids", [])], kab=self.kab)
            elif op == "split":
                new, _ = edits.split_kawasan(state, k, codes, kab=self.kab)
            elif op == "potential":
                new, _ = edits.set_potential(state, k, str(args.get("potensi", "")), potentials=self.potentials)
            elif op == "centre":
                centre = args.get("pusat")
                new, _ = edits.set_centre(state, k, str(centre) if centre else None)
            elif op == "rename":
                new, _ = edits.rename_kawasan(state, k, str(args.get("nama", "")))
            else:
                raise PlanError(f"operasi tidak dikenal / unknown operation {op!r} (known: {', '.join(OPERATIONS)}).")
            if new.same_as(state):
                return Update(touched=(), removed=(), ms=round(1000 * (time.perf_counter() - t0), 1), label=op)
            update = self._move_to(new, op, t0)
            del self.history[self.cursor + 1:]
            self.history.append((new, op))
            if len(self.history) > _HISTORY:
                del self.history[0]
            self.cursor = len(self.history) - 1
            return update

    def undo(self) -> Update:
        t0 = time.perf_counter()
        with self.lock:
            if not self.can_undo():
                return Update((), (), 0.0, "")
            label = self.history[self.cursor][1]
            update = self._move_to(self.history[self.cursor - 1][0], label, t0)
            self.cursor -= 1
            return update

    def redo(self) -> Update:
        t0 = time.perf_counter()
        with self.lock:
            if not self.can_redo():
                return Update((), (), 0.0, "")
            update = self._move_to(self.history[self.cursor + 1][0], self.history[self.cursor + 1][1], t0)
            self.cursor += 1
            return update

    def load(self, state: PlanState, label: str) -> Update:
        """Make ``state`` (a saved version) the current plan, as an edit that can be undone."""
        t0 = time.perf_counter()
        with self.lock:
            unknown = [c for c in state.member if c not in self.kab]
            if unknown:
                raise PlanError(f"versi memuat desa yang tidak ada di hasil ini / the version has villages not in this result: {', '.join(unknown[:10])}")
            bad = sorted({k.potensi for k in state.kawasan} - set(self.potentials))
            if bad:
                raise PlanError(f"versi memuat potensi yang tidak dikenal / the version has unknown potentials: {', '.join(bad)}")
            update = self._move_to(state, label, t0)
            del self.history[self.cursor + 1:]
            self.history.append((state, label))
            self.cursor = len(self.history) - 1
            return update

    # ------------------------------------------------------------------ comparison

    def summary(self) -> dict[str, Any]:
        """The whole plan against the proposal: counts, verdicts, conflict hectares, villages moved."""
        def totals(figs: Mapping[str, KawasanFigures], state: PlanState) -> dict[str, Any]:
            rows = [f.row for f in figs.values()]
            verdicts: dict[str, int] = {}
            for r in rows:
                if r.get("verdict"):
                    verdicts[r["verdict"]] = verdicts.get(r["verdict"], 0) + 1
            return {
                "n_kawasan": len(rows),
                "n_desa": len(state.member),
                "ha": float(sum(r["luas_ha"] for r in rows)),
                "ha_X": float(sum(r.get("ha_X") or 0.0 for r in rows)),
                "ha_B": float(sum(r.get("ha_B") or 0.0 for r in rows)),
                "verdicts": verdicts,
                "n_error": sum(1 for f in figs.values() for r in f.rules if r["level"] == "error"),
                "n_warning": sum(1 for f in figs.values() for r in f.rules if r["level"] == "warning"),
            }

        state, base = self.state, self.proposal
        moved = sorted(c for c in set(state.member) | set(base.member) if state.member.get(c) != base.member.get(c))
        per: list[dict[str, Any]] = []
        for k in dict.fromkeys([*state.ids(), *base.ids()]):
            now, before = set(state.villages_of(k)), set(base.villages_of(k))
            if k in state.ids() and k in base.ids() and now == before and state.get(k) == base.get(k):
                continue
            per.append({
                "kawasan_id": k,
                "status": "baru" if k not in base.ids() else ("dihapus" if k not in state.ids() else "diubah"),
                "masuk": sorted(self.names[c] for c in now - before),
                "keluar": sorted(self.names[c] for c in before - now),
                "verdict_usulan": self.baseline[k].row.get("verdict") if k in self.baseline else None,
                "verdict": self.figures[k].row.get("verdict") if k in self.figures else None,
                "ha_X_usulan": self.baseline[k].row.get("ha_X") if k in self.baseline else None,
                "ha_X": self.figures[k].row.get("ha_X") if k in self.figures else None,
            })
        return {"usulan": totals(self.baseline, base), "rencana": totals(self.figures, state),
                "desa_pindah": len(moved), "kawasan": per}

    # ------------------------------------------------------------------ weights

    def catalogue_with(self, weights: Mapping[str, Mapping[str, float]]) -> PotentialCatalogue:
        """The run's catalogue with indicator weights replaced (``{potential: {indicator: weight}}``)."""
        problems: list[str] = []
        pots = []
        for p in self.run.catalogue:
            given = weights.get(p.code, {})
            known = {s.id for s in p.indicators}
            problems += [f"{p.code}.{i}: indikator tidak dikenal / unknown indicator" for i in given if i not in known]
            specs = []
            for s in p.indicators:
                w = given.get(s.id, s.weight)
                if isinstance(w, bool) or not isinstance(w, (int, float)) or not np.isfinite(w) or not 0 <= w <= 100:
                    problems.append(f"{p.code}.{s.id}: bobot harus angka 0-100 / weight must be a number 0-100, not {w!r}")
                    w = s.weight
                specs.append(replace(s, weight=float(w)))
            pots.append(replace(p, indicators=tuple(specs)))
        problems += [f"{code}: potensi tidak dikenal / unknown potential" for code in weights if code not in self.potentials]
        if problems:
            raise PlanError("bobot tidak sah / invalid weights.", problems=problems)
        return PotentialCatalogue(tuple(pots))

    def _score(self, catalogue: PotentialCatalogue, mixed_margin: float, priorities: Mapping[str, float] | None = None) -> pd.DataFrame:
        groups = self._indicators["kode_kab"]
        try:
            return score_potentials(self._indicators, groups=groups, catalogue=catalogue, mixed_margin=mixed_margin,
                                    priorities=priorities, **self.run.scoring)
        except FieldError as exc:  # a bad priority from the browser: the planner's mistake, not a crash
            raise PlanError(str(exc)) from None

    def rescore(self, weights: Mapping[str, Mapping[str, float]], mixed_margin: float,
                priorities: Mapping[str, float] | None = None) -> dict[str, Any]:
        """Dominant potentials with other weights: per village, counts per potential, villages changed.

        ``weights`` replace indicator weights inside a potential (``{potential: {indicator: w}}``);
        ``priorities`` say how much each potential counts when the dominant one is chosen
        (``{potential: p}``, 1 when not given; see :func:`~kawasan_gis.potential.score_potentials`).
        """
        if isinstance(mixed_margin, bool) or not isinstance(mixed_margin, (int, float)) or not 0 <= mixed_margin <= 1:
            raise PlanError(f"ambang campuran harus 0-1 / the mixed margin must be 0-1, not {mixed_margin!r}.")
        with self.lock:
            scores = self._score(self.catalogue_with(weights), float(mixed_margin), priorities)
            self.weights = {p: dict(w) for p, w in weights.items()}
            self.priorities = dict(priorities or {})
            self.mixed_margin = float(mixed_margin)
            self.dominant = scores
        # no dominant potential (no evidence, mostly lindung) is None on both sides
        now_dom = {c: v if isinstance(v, str) else None for c, v in scores["potensi_dominan"].items()}
        base_dom = {c: v if isinstance(v, str) else None for c, v in self._base["potensi_dominan"].items()}
        changed = [c for c in scores.index if now_dom[c] != base_dom[c]]
        return {
            "dominan": now_dom,
            "campuran": {c: bool(v) for c, v in scores["campuran"].items()},
            "jumlah": {p: sum(v == p for v in now_dom.values()) for p in self.potentials},
            "jumlah_awal": {p: sum(v == p for v in base_dom.values()) for p in self.potentials},
            "berubah": changed,
        }


def _centres(run: RunFolder) -> dict[str, str]:
    """Centre village per kawasan from the run's ``pusat`` layer, when it has one."""
    if run.pusat is None or not {"kawasan_id", "kode_desa"} <= set(run.pusat.columns):
        return {}
    frame = run.pusat
    if "peran" in frame.columns:  # the primary centre; a large kawasan also has a second one
        frame = frame[frame["peran"] == "utama"]
    frame = frame.drop_duplicates("kawasan_id")
    return dict(zip(frame["kawasan_id"].astype(str), frame["kode_desa"].astype(str), strict=True))
