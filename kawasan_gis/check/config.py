"""Settings of the plan check: verdict thresholds, rule levels, bases and messages.

Owns :class:`Thresholds`, :class:`RuleText`, :class:`CheckConfig` and
:func:`load_check_config`, which reads ``kawasan_gis/data/check.toml`` and merges a user's
override file (``kawasan check --thresholds FILE``) into it, listing every problem at once.
The rule messages are data (they cite their legal basis, and a kabupaten may reword them):
they are read into the one catalogue of :mod:`kawasan_gis.i18n` (``Catalogue.extend``).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from kawasan_gis.errors import ConfigError
from kawasan_gis.i18n import CATALOGUE, Catalogue
from kawasan_gis.vocab.reading import builtin_toml, read_overrides

__all__ = ["LEVELS", "RULES", "CheckConfig", "RuleText", "Thresholds", "load_check_config", "merge_thresholds"]

LEVELS: tuple[str, ...] = ("error", "warning", "info")
RULES: tuple[str, ...] = (
    "satu_kabupaten", "minimal_dua_desa", "bersambung", "kecamatan", "kelurahan", "cakupan_sebagian", "dasar_zonasi",
)  # fmt: skip


@dataclass(frozen=True)
class Thresholds:
    """Verdict thresholds (see ``data/check.toml`` for their meaning and defaults).

    Percentages are 0-100: the X, B and outside shares are of each kawasan's development room
    (its area outside kawasan lindung kept protected), ``min_pct_ruang_kembang`` is the share
    of the kawasan its room must reach for it to be ``sesuai``; ``toleransi_ha`` is the X or B
    area per kawasan treated as zero for the verdict and for ``--fail-on``;
    ``min_cakupan_rtrw_pct`` is the share of the plan's area the RTRW must cover for the check
    to judge it at all.
    """

    tidak_sesuai_pct_X: float
    bersyarat_pct_X: float
    bersyarat_pct_B: float
    bersyarat_pct_outside: float
    toleransi_ha: float
    min_cakupan_rtrw_pct: float
    tidak_sesuai_pct_outside: float
    min_pct_ruang_kembang: float


@dataclass(frozen=True)
class RuleText:
    """Level and basis of one rule check; its message is ``rule_<name>`` of :attr:`CheckConfig.messages`."""

    level: str
    dasar: str


@dataclass(frozen=True)
class CheckConfig:
    """Everything :func:`check_plan` takes from ``data/check.toml``.

    Attributes
    ----------
    thresholds : Thresholds
    snap_m : float
        Villages closer than this (metres) are neighbours for the contiguity rule.
    dasar_zonasi_pct : float
        Share (0-100) of a kawasan resting on zoning above which ``dasar_zonasi`` warns.
    rules : Mapping[str, RuleText]
    messages : kawasan_gis.i18n.Catalogue
        The package catalogue with the rule messages of ``data/check.toml`` (and the user's
        file) added as ``rule_<name>``: templates with the fields ``kawasan``, ``n``,
        ``daftar`` and ``dasar``.
    """

    thresholds: Thresholds
    snap_m: float
    dasar_zonasi_pct: float
    rules: Mapping[str, RuleText]
    messages: Catalogue = field(repr=False)


_THRESHOLD_KEYS = tuple(f.name for f in fields(Thresholds))
_RULE_KEYS = ("level", "dasar", "id", "en")
_TEMPLATE_FIELDS = {"kawasan", "n", "daftar", "dasar"}


def merge_thresholds(base: Thresholds, extra: Mapping[str, Any], where: str, problems: list[str]) -> Thresholds:
    """``base`` with the values of ``extra`` that are valid; a problem for each that is not."""
    values = {k: getattr(base, k) for k in _THRESHOLD_KEYS}
    for key, value in extra.items():
        if key not in values:
            problems.append(f"{where}: kunci tidak dikenal / unknown key {key!r} (sah / known: {', '.join(_THRESHOLD_KEYS)})")
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value) or value < 0:
            problems.append(f"{where}.{key}: harus angka >= 0, bukan {value!r} / must be a number >= 0, not {value!r}")
            continue
        if "_pct" in key and value > 100:
            problems.append(f"{where}.{key}: persen luas kawasan, 0-100, bukan {value!r} / a percentage of the kawasan area, 0-100, not {value!r}")
            continue
        values[key] = float(value)
    return Thresholds(**values)


def load_check_config(overrides: str | Path | Mapping[str, Any] | None = None) -> CheckConfig:
    """Load the verdict thresholds and rule messages, optionally changed by a user TOML file.

    Parameters
    ----------
    overrides : str, Path or dict, optional
        A file (or its parsed dict) with the structure of ``data/check.toml``; keys left out
        keep the built-in values.

    Returns
    -------
    CheckConfig

    Raises
    ------
    ConfigError
        Unreadable file, unknown keys, bad values (every problem listed).

    Examples
    --------
    >>> cfg = load_check_config({"verdict": {"tidak_sesuai_pct_X": 2.5}})
    >>> cfg.thresholds.tidak_sesuai_pct_X, cfg.thresholds.bersyarat_pct_B
    (2.5, 10.0)
    """
    base = builtin_toml("check.toml")
    user = read_overrides(overrides, "check configuration")
    problems: list[str] = []
    for key in user:
        if key not in ("version", "verdict", "rules"):
            problems.append(f"unknown section {key!r} (known: verdict, rules)")
    verdict = dict(base["verdict"])
    user_verdict = user.get("verdict", {})
    if not isinstance(user_verdict, Mapping):
        problems.append("verdict must be a table")
        user_verdict = {}
    thresholds = merge_thresholds(
        Thresholds(**{k: float(verdict[k]) for k in _THRESHOLD_KEYS}), user_verdict, "verdict", problems
    )
    rules_base = base["rules"]
    user_rules = user.get("rules", {})
    if not isinstance(user_rules, Mapping):
        problems.append("rules must be a table")
        user_rules = {}
    numbers = {"snap_m": float(rules_base["snap_m"]), "dasar_zonasi_pct": float(rules_base["dasar_zonasi_pct"])}
    texts: dict[str, RuleText] = {}
    specs: dict[str, dict[str, Any]] = {}
    for key, value in user_rules.items():
        if key in numbers:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
                problems.append(f"rules.{key}: must be a number >= 0, not {value!r}")
            else:
                numbers[key] = float(value)
        elif key not in RULES:
            problems.append(f"rules: unknown key {key!r} (rules: {', '.join(RULES)}; numbers: snap_m, dasar_zonasi_pct)")
        elif not isinstance(value, Mapping):
            problems.append(f"rules.{key}: must be a table with {', '.join(_RULE_KEYS)}")
    for rule in RULES:
        spec = dict(rules_base[rule])
        extra = user_rules.get(rule, {})
        if isinstance(extra, Mapping):
            for key in extra:
                if key not in _RULE_KEYS:
                    problems.append(f"rules.{rule}: unknown key {key!r} (known: {', '.join(_RULE_KEYS)})")
            spec.update({k: v for k, v in extra.items() if k in _RULE_KEYS})
        if spec["level"] not in LEVELS:
            problems.append(f"rules.{rule}.level: must be one of {', '.join(LEVELS)}, not {spec['level']!r}")
        for lang in ("id", "en"):
            try:
                used = {name for _, name, _, _ in string.Formatter().parse(str(spec[lang])) if name}
            except ValueError as exc:
                problems.append(f"rules.{rule}.{lang}: not a valid template ({exc})")
                continue
            if used - _TEMPLATE_FIELDS:
                problems.append(
                    f"rules.{rule}.{lang}: unknown field(s) {', '.join(sorted(used - _TEMPLATE_FIELDS))} "
                    f"(known: {', '.join(sorted(_TEMPLATE_FIELDS))})"
                )
        texts[rule] = RuleText(level=str(spec["level"]), dasar=str(spec["dasar"]))
        specs[rule] = spec
    if problems:
        raise ConfigError("Konfigurasi pemeriksaan tidak sah / Invalid check configuration.", problems=problems)
    return CheckConfig(thresholds=thresholds, rules=texts, messages=CATALOGUE.extend(specs, prefix="rule_"), **numbers)

