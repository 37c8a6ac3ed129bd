"""Verdicts of the plan check and the one ``--fail-on`` rule.

Owns :data:`VERDICTS` and the verdict of each kawasan from its ha/pct columns and the
:class:`~kawasan_gis.check.config.Thresholds` (:func:`verdicts`), with its reason in words
(:func:`verdict_reasons`: which share passed which threshold); :data:`FAIL_LEVELS`, which
kawasan fail a level (:func:`failing_kawasan`) and the message saying so
(:func:`fail_message`). ``kawasan check --fail-on`` and ``kawasan run`` (``[check] fail_on``)
both go through :meth:`~kawasan_gis.check.CheckResult.failure`, which calls these two.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kawasan_gis.check.config import Thresholds
from kawasan_gis.errors import ConfigError
from kawasan_gis.i18n import format_list, format_number, t

__all__ = ["FAIL_LEVELS", "VERDICTS", "fail_message", "failing_kawasan", "room_shares", "verdict_reasons", "verdicts"]

VERDICTS: tuple[str, ...] = ("sesuai", "sesuai bersyarat", "tidak sesuai")
FAIL_LEVELS: tuple[str, ...] = ("never", "prohibited", "conditional")
"""``never``; ``prohibited``: X area, or a kawasan the RTRW does not cover; ``conditional``: also B area
or partly uncovered kawasan (see :func:`failing_kawasan`)."""

_ROOM = ("I", "T", "B", "X", "outside")  # the development room: everything but kawasan lindung kept (L)


def room_shares(frame: pd.DataFrame) -> pd.DataFrame:
    """The development room of each row of ``frame`` and the shares of it the verdict judges.

    The room (``ruang kembang``) is the kawasan area outside kawasan lindung kept protected:
    ``ha_ruang_kembang`` = ``luas_ha`` - ``ha_L``; ``pct_ruang_kembang`` its share of the
    kawasan (100 - ``pct_L``, as shown); ``X``, ``B``, ``outside``: shares (0-100) of the room,
    rounded as shown (:func:`~kawasan_gis.check.zoning.shares`); NaN when there is no room.
    Frames without ``ha_L`` (no lindung kept) judge the whole kawasan.

    Examples
    --------
    >>> k = pd.DataFrame({"luas_ha": [200.0], "ha_I": [90.0], "ha_T": [0.0], "ha_B": [0.0], "ha_X": [10.0],
    ...                   "ha_L": [100.0], "ha_outside": [0.0], "pct_L": [50.0]})
    >>> room_shares(k)[["ha_ruang_kembang", "pct_ruang_kembang", "X"]].values.tolist()
    [[100.0, 50.0, 10.0]]
    """
    from kawasan_gis.check.zoning import shares

    ha = np.column_stack([frame[f"ha_{s}"].fillna(0).to_numpy(dtype=float) for s in _ROOM])
    pct = shares(ha)
    kept = frame["pct_L"].fillna(0).to_numpy(dtype=float) if "pct_L" in frame.columns else np.zeros(len(frame))
    return pd.DataFrame(
        {"ha_ruang_kembang": ha.sum(axis=1), "pct_ruang_kembang": np.round(100.0 - kept, 6),
         **{s: pct[:, i] for i, s in enumerate(_ROOM) if s in ("X", "B", "outside")}},
        index=frame.index,
    )


def _findings(frame: pd.DataFrame, th: Thresholds) -> pd.DataFrame:
    """Every verdict test of each row: True where the row passes the threshold (a bad sign)."""
    room = room_shares(frame)
    share = room[["X", "B", "outside"]].fillna(0)
    x_on = frame["ha_X"].to_numpy() > th.toleransi_ha
    b_on = frame["ha_B"].to_numpy() > th.toleransi_ha
    no_room = room["ha_ruang_kembang"].to_numpy() <= th.toleransi_ha
    return pd.DataFrame(
        {
            "no_room": no_room,
            "x_bad": x_on & (share["X"].to_numpy() > th.tidak_sesuai_pct_X),
            "outside_bad": ~no_room & (share["outside"].to_numpy() > th.tidak_sesuai_pct_outside),
            "x_some": x_on & (share["X"].to_numpy() > th.bersyarat_pct_X),
            "b_some": b_on & (share["B"].to_numpy() > th.bersyarat_pct_B),
            "outside_some": ~no_room & (share["outside"].to_numpy() > th.bersyarat_pct_outside),
            "room_small": ~no_room & (room["pct_ruang_kembang"].to_numpy() < th.min_pct_ruang_kembang),
        },
        index=frame.index,
    )


_BAD = ("no_room", "x_bad", "outside_bad")
_SOME = ("x_some", "b_some", "outside_some", "room_small")


def verdicts(frame: pd.DataFrame, th: Thresholds) -> np.ndarray:
    """The verdict of each row of ``frame`` (its ``ha_`` columns; ``ha_L`` and ``pct_L`` when lindung is kept).

    The verdict judges the development room (:func:`room_shares`), not the kawasan lindung
    kept protected inside the kawasan:

    - ``tidak sesuai``: X above ``tidak_sesuai_pct_X`` % of the room; or more than
      ``tidak_sesuai_pct_outside`` % of the room outside the RTRW (zoning that does not cover a
      kawasan cannot show it compliant); or no room at all (a kawasan of protected land only);
    - ``sesuai bersyarat``: X above ``bersyarat_pct_X`` %, B above ``bersyarat_pct_B`` % or
      outside above ``bersyarat_pct_outside`` % of the room; or a room below
      ``min_pct_ruang_kembang`` % of the kawasan (such a kawasan is never ``sesuai``);
    - ``sesuai`` otherwise. X and B areas at or below ``toleransi_ha`` do not count.
    """
    found = _findings(frame, th)
    bad = found[list(_BAD)].any(axis=1).to_numpy()
    some = found[list(_SOME)].any(axis=1).to_numpy()
    return np.where(bad, VERDICTS[2], np.where(some, VERDICTS[1], VERDICTS[0]))


def _threshold(value: float, lang: str) -> str:
    """A threshold as people write it: 5 -> "5", 2.5 -> "2,5" (id) / "2.5" (en)."""
    return format_number(value, len(f"{value:f}".rstrip("0").partition(".")[2]), lang)


def verdict_reasons(frame: pd.DataFrame, th: Thresholds, *, lang: str = "id") -> list[str]:
    """Why each row of ``frame`` got its :func:`verdicts` verdict, in words.

    The verdict, then every test it failed, worst first (no development room; X; outside the
    RTRW, which means the zoning could not judge it; B; a small development room), or, for a
    ``sesuai`` kawasan, its X, B and outside shares, all within their thresholds. When kawasan
    lindung is kept inside the kawasan, the shares are of its development room and the reason
    ends with the share kept protected.

    Examples
    --------
    >>> from kawasan_gis.check import load_check_config
    >>> th = load_check_config().thresholds
    >>> k = pd.DataFrame({"luas_ha": [1000.0, 1000.0], "ha_I": [939.0, 850.0], "ha_T": [0.0, 0.0],
    ...                   "ha_B": [0.0, 150.0], "ha_X": [61.0, 0.0], "ha_outside": [0.0, 0.0]})
    >>> verdict_reasons(k, th)
    ['tidak sesuai: dilarang (X) 6,1 % > ambang 5 %', 'sesuai bersyarat: bersyarat (B) 15,0 % > ambang 10 %']
    >>> verdict_reasons(k, th, lang="en")[0]
    'not compliant: prohibited (X) 6.1 % > threshold 5 %'
    >>> park = pd.DataFrame({"luas_ha": [1000.0], "ha_I": [300.0], "ha_T": [0.0], "ha_B": [0.0], "ha_X": [0.0],
    ...                      "ha_L": [700.0], "ha_outside": [0.0], "pct_L": [70.0]})
    >>> verdict_reasons(park, th)[0]
    'sesuai bersyarat: ruang kembang hanya 30,0 % dari luas kawasan < ambang 50 %; sisanya kawasan lindung yang dipertahankan, jadi kawasan ini tidak dapat dinilai sesuai'
    """
    labels = {v: t("verdict_" + v.replace(" ", "_"), lang) for v in VERDICTS}
    room = room_shares(frame)
    found = _findings(frame, th)
    kept = frame["pct_L"].fillna(0).to_numpy(dtype=float) if "pct_L" in frame.columns else np.zeros(len(frame))
    out = []
    for i, verdict in enumerate(verdicts(frame, th)):
        f = found.iloc[i]
        r = room.iloc[i]
        of_room = t("reason_of_room", lang) if kept[i] > 0 else ""

        def pct(value: float) -> str:
            return format_number(0.0 if pd.isna(value) else value, 1, lang)

        x_limit = th.tidak_sesuai_pct_X if f["x_bad"] else th.bersyarat_pct_X
        out_limit = th.tidak_sesuai_pct_outside if f["outside_bad"] else th.bersyarat_pct_outside
        parts = []
        if f["no_room"]:
            parts.append(t("reason_no_room", lang))
        if f["x_bad"] or f["x_some"]:
            parts.append(t("reason_x", lang, pct=pct(r["X"]), ruang=of_room, ambang=_threshold(x_limit, lang)))
        if f["outside_bad"]:
            parts.append(t("reason_outside_uncovered", lang, pct=pct(r["outside"]), ruang=of_room, ambang=_threshold(out_limit, lang)))
        elif f["outside_some"]:
            parts.append(t("reason_outside", lang, pct=pct(r["outside"]), ruang=of_room, ambang=_threshold(out_limit, lang)))
        if f["b_some"]:
            parts.append(t("reason_b", lang, pct=pct(r["B"]), ruang=of_room, ambang=_threshold(th.bersyarat_pct_B, lang)))
        if f["room_small"]:
            parts.append(t("reason_room_small", lang, pct=pct(r["pct_ruang_kembang"]), ambang=_threshold(th.min_pct_ruang_kembang, lang)))
        if not parts:
            parts.append(t("reason_within", lang, x=pct(r["X"]), b=pct(r["B"]), luar=pct(r["outside"]), ruang=of_room))
        if kept[i] > 0 and not (f["no_room"] or f["room_small"]):
            parts.append(t("reason_kept", lang, pct=pct(kept[i])))
        out.append(f"{labels[verdict]}: {'; '.join(parts)}")
    return out


def _tests(level: str) -> tuple[str, ...]:
    """The verdict tests (:func:`_findings`) that make a kawasan fail ``level``, besides its X and B hectares."""
    if level not in FAIL_LEVELS:
        raise ConfigError(f"fail level must be one of {', '.join(FAIL_LEVELS)}, not {level!r}.")
    return {"never": (), "prohibited": ("outside_bad",), "conditional": ("outside_bad", "outside_some")}[level]


def _statuses(level: str) -> tuple[str, ...]:
    _tests(level)
    return {"never": (), "prohibited": ("X",), "conditional": ("X", "B")}[level]


def failing_kawasan(kawasan: pd.DataFrame, level: str, th: Thresholds) -> pd.DataFrame:
    """The rows of ``kawasan`` that fail ``level``: ``kawasan_id``, ``ha_X``, ``ha_B``, ``pct_luar`` (NaN when not why).

    A kawasan fails ``prohibited`` when its X area is above ``th.toleransi_ha`` or when the RTRW
    leaves more than ``th.tidak_sesuai_pct_outside`` % of its development room uncovered (the
    check cannot show it free of prohibited development: the same test that makes its verdict
    ``tidak sesuai``); ``conditional`` when its X or B area is above the tolerance or more than
    ``th.bersyarat_pct_outside`` % of its room is uncovered; nothing fails ``never``. Slivers
    at or below the tolerance are drawing noise along borders (``toleransi_ha`` in
    ``data/check.toml``).

    Raises
    ------
    ConfigError
        For a level not in :data:`FAIL_LEVELS`.
    """
    found = _findings(kawasan, th)
    over = np.zeros(len(kawasan), dtype=bool)
    for status in _statuses(level):
        over |= kawasan[f"ha_{status}"].to_numpy() > th.toleransi_ha
    uncovered = found[list(_tests(level))].any(axis=1).to_numpy() if _tests(level) else np.zeros(len(kawasan), dtype=bool)
    out = pd.DataFrame(kawasan[["kawasan_id", "ha_X", "ha_B"]])
    out["pct_luar"] = np.where(uncovered, room_shares(kawasan)["outside"].to_numpy(), np.nan)
    return out.loc[over | uncovered]


def fail_message(kawasan: pd.DataFrame, level: str, th: Thresholds, *, lang: str = "id") -> str | None:
    """How many kawasan fail ``level``, which, and their hectares above the tolerance; None if none.

    Examples
    --------
    >>> from kawasan_gis.check import load_check_config
    >>> th = load_check_config().thresholds
    >>> k = pd.DataFrame({"kawasan_id": ["K1", "K2", "K3"], "ha_I": [60.0, 87.5, 0.0], "ha_T": 0.0,
    ...                   "ha_B": [40.0, 0.0, 0.0], "ha_X": [0.005, 12.5, 0.0], "ha_outside": [0.0, 0.0, 100.0]})
    >>> fail_message(k, "prohibited", th)
    '2 kawasan dengan luas dilarang (X) di atas toleransi 0,01 ha atau tidak tercakup RTRW: K2 (X 12,50 ha), K3 (di luar RTRW 100,0 %)'
    >>> fail_message(k, "conditional", th, lang="en")
    '3 kawasan with conditional (B) or prohibited (X) area above the 0.01 ha tolerance or not covered by the RTRW: K1 (B 40.00 ha), K2 (X 12.50 ha), K3 (outside the RTRW 100.0 %)'
    """
    bad = failing_kawasan(kawasan, level, th)
    if bad.empty:
        return None
    items = []
    for row in bad.to_dict("records"):
        areas = [f"{s} {format_number(row[f'ha_{s}'], 2, lang)} ha" for s in _statuses(level) if row[f"ha_{s}"] > th.toleransi_ha]
        if not pd.isna(row["pct_luar"]):
            areas.append(f"{t('luar_rtrw', lang)} {format_number(row['pct_luar'], 1, lang)} %")
        items.append(f"{row['kawasan_id']} ({', '.join(areas)})")
    return t(f"fail_{level}", lang, n=len(bad), toleransi=_threshold(th.toleransi_ha, lang), daftar=format_list(items, lang=lang))
