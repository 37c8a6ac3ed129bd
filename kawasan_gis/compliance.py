"""Checking a kawasan plan against the kabupaten RTRW (ITBX) and the rules of UU 6/2014.

Three public steps, and a writer:

- :func:`read_plan` reads a plan: the toolkit's own proposal (the ``kawasan`` layer of
  ``kawasan propose``), polygons a planner drew with a potential attribute, or a table of
  ``kode_desa``, ``kawasan_id``, ``potensi`` joined to the village layer. Every problem of the
  plan is listed in one :class:`~kawasan_gis.errors.PlanError`.
- :func:`check_plan` overlays every kawasan, and every village in it, with the pola ruang
  (made planar first: lindung wins where zones overlap), looks up the ITBX status of the
  kawasan's potential on each class (tightened by LP2B and hazard overlays), and sums hectares
  per status. Area the RTRW layer does not cover is status ``outside`` and never counts as
  allowed. It then runs the rule checks (one kabupaten, contiguity, at least two villages;
  kecamatan and kelurahan for information) with their legal basis.
- :func:`load_check_config` reads the verdict thresholds and rule messages
  (``data/check.toml``, overridable).
- :func:`write_check` writes ``check.gpkg``, ``check.csv`` and ``check.xlsx`` atomically.

How membership is decided for polygon plans: a village belongs to the plan polygon that covers
the largest share of it, and only when that share is at least ``min_share`` (50 %). Villages a
polygon covers by 1 % or more without becoming members are listed in ``Plan.sebagian`` and
reported by the rule ``cakupan_sebagian``.

Examples
--------
>>> import pandas as pd
>>> from kawasan_gis.io import read_class_layer, read_villages
>>> from kawasan_gis.vocab import apply_mapping
>>> from kawasan_gis.compliance import check_plan, read_plan
>>> import warnings; warnings.simplefilter("ignore")
>>> desa = read_villages("data/rtrw_lampung_timur/desa_lampung_timur.gpkg", check_coverage=False)
>>> rtrw, _ = apply_mapping(read_class_layer("data/rtrw_lampung_timur/rtrw_lampung_timur.gpkg",
...                                          kind="rtrw", working_crs=desa.crs), kind="rtrw")
>>> tabel = pd.DataFrame({"kode_desa": ["18.07.01.2001", "18.07.01.2002"],
...                       "kawasan_id": "K1", "potensi": "Pertanian Unggulan"})
>>> hasil = check_plan(read_plan(tabel, desa), rtrw)
>>> hasil.kawasan[["kawasan_id", "potensi", "verdict"]].values.tolist()
[['K1', 'pertanian_unggulan', 'tidak sesuai']]
>>> hasil.rules["rule"].tolist()
['bersambung', 'kecamatan']
"""

from __future__ import annotations

import logging
import string
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from kawasan_gis._atomic import atomic_folder
from kawasan_gis import io as kio
from kawasan_gis.errors import ConfigError, CRSError, FieldError, GeometryError, LayerError, PlanError
from kawasan_gis.io import polygonal, require_villages
from kawasan_gis.overlay import default_priority, resolve_overlaps
from kawasan_gis.regionalize import contiguity
from kawasan_gis.vocab import ItbxMatrix, PotentialCatalogue, load_itbx, load_potentials, load_vocabulary, normalise

__all__ = [
    "OUTSIDE",
    "STATUSES",
    "VERDICTS",
    "CheckConfig",
    "CheckResult",
    "Plan",
    "RuleText",
    "Thresholds",
    "check_plan",
    "load_check_config",
    "read_plan",
    "write_check",
]

log = logging.getLogger(__name__)

STATUSES: tuple[str, ...] = ("I", "T", "B", "X")
OUTSIDE = "outside"
"""Status of kawasan area the RTRW layer does not cover."""
VERDICTS: tuple[str, ...] = ("sesuai", "sesuai bersyarat", "tidak sesuai")
FAIL_LEVELS: tuple[str, ...] = ("prohibited", "conditional", "never")
LEVELS: tuple[str, ...] = ("error", "warning", "info")
RULES: tuple[str, ...] = (
    "satu_kabupaten", "minimal_dua_desa", "bersambung", "kecamatan", "kelurahan", "cakupan_sebagian", "dasar_zonasi",
)  # fmt: skip

TABLE_SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx", ".xls"}
CODE_COLUMNS = ("kode_desa", "kode_desa_10", "kdepum", "kode_kemendagri", "kode")
KAWASAN_COLUMNS = ("kawasan_id", "id_kawasan", "kode_kawasan", "kawasan", "nama_kawasan")
POTENTIAL_COLUMNS = (
    "potensi", "potential", "potensi_kawasan", "jenis_kawasan", "tipe_kawasan", "jenis_potensi", "potensi_dominan",
)  # fmt: skip
NAME_COLUMNS = ("nama", "nama_kawasan")
DASAR_COLUMN = "dasar"

# A polygon that covers less than this share of a village is drawing noise along a shared
# border, not a partial cover worth reporting.
_PARTIAL_MIN_SHARE = 0.01
# Pieces of conflict smaller than this are not named as lying in a village (touching borders).
_VILLAGE_MIN_M2 = 1.0
_LISTED = 50  # problems of one kind listed in an error before "... and N more"
_VILLAGE_COLUMNS = ("nama_desa", "kode_kec", "kode_kab", "jenis")  # besides kode_desa: names, grouping, kelurahan rule
_M2_PER_HA = 10_000.0


# --------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class Thresholds:
    """Verdict thresholds (see ``data/check.toml`` for their meaning and defaults).

    Percentages are of the kawasan area, 0-100; ``toleransi_ha`` is the X or B area per
    kawasan treated as zero for the verdict and for ``--fail-on``.
    """

    tidak_sesuai_pct_X: float
    bersyarat_pct_X: float
    bersyarat_pct_B: float
    bersyarat_pct_outside: float
    toleransi_ha: float


@dataclass(frozen=True)
class RuleText:
    """Level, basis and message templates of one rule check."""

    level: str
    dasar: str
    id: str
    en: str

    def format(self, lang: str, **values: Any) -> str:
        template = self.id if lang == "id" else self.en
        return template.format(dasar=self.dasar, **values)


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
    """

    thresholds: Thresholds
    snap_m: float
    dasar_zonasi_pct: float
    rules: Mapping[str, RuleText]


_THRESHOLD_KEYS = tuple(f.name for f in fields(Thresholds))
_RULE_KEYS = ("level", "dasar", "id", "en")
_TEMPLATE_FIELDS = {"kawasan", "n", "daftar", "dasar"}


def _read_toml(source: str | Path | Mapping[str, Any] | None, what: str) -> dict[str, Any]:
    if source is None:
        return {}
    if isinstance(source, Mapping):
        return dict(source)
    path = Path(source)
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{path}: {what} file not found.") from None
    except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read as a TOML {what} file ({exc}).") from None


def _merge_thresholds(base: Thresholds, extra: Mapping[str, Any], where: str, problems: list[str]) -> Thresholds:
    values = {k: getattr(base, k) for k in _THRESHOLD_KEYS}
    for key, value in extra.items():
        if key not in values:
            problems.append(f"{where}: unknown key {key!r} (known: {', '.join(_THRESHOLD_KEYS)})")
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value) or value < 0:
            problems.append(f"{where}.{key}: must be a number >= 0, not {value!r}")
            continue
        if key.startswith(("tidak_sesuai_pct", "bersyarat_pct")) and value > 100:
            problems.append(f"{where}.{key}: a percentage of the kawasan area, 0-100, not {value!r}")
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
    base = tomllib.loads((resources.files("kawasan_gis") / "data" / "check.toml").read_text(encoding="utf-8"))
    user = _read_toml(overrides, "check configuration")
    problems: list[str] = []
    for key in user:
        if key not in ("version", "verdict", "rules"):
            problems.append(f"unknown section {key!r} (known: verdict, rules)")
    verdict = dict(base["verdict"])
    user_verdict = user.get("verdict", {})
    if not isinstance(user_verdict, Mapping):
        problems.append("verdict must be a table")
        user_verdict = {}
    thresholds = _merge_thresholds(
        Thresholds(**{k: float(verdict[k]) for k in _THRESHOLD_KEYS}), user_verdict, "verdict", problems
    )
    rules_base = base["rules"]
    user_rules = user.get("rules", {})
    if not isinstance(user_rules, Mapping):
        problems.append("rules must be a table")
        user_rules = {}
    numbers = {"snap_m": float(rules_base["snap_m"]), "dasar_zonasi_pct": float(rules_base["dasar_zonasi_pct"])}
    texts: dict[str, RuleText] = {}
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
        texts[rule] = RuleText(**{k: str(spec[k]) for k in _RULE_KEYS})
    if problems:
        raise ConfigError("Invalid check configuration.", problems=problems)
    return CheckConfig(thresholds=thresholds, rules=texts, **numbers)


# --------------------------------------------------------------------------- plans


@dataclass(frozen=True, eq=False)
class Plan:
    """A kawasan plan joined to the village layer, ready for :func:`check_plan`.

    Attributes
    ----------
    desa : geopandas.GeoDataFrame
        The member villages (rows of the village layer, in its order) with ``kawasan_id``,
        ``potensi`` and, when the plan gave one, ``dasar``.
    kawasan : geopandas.GeoDataFrame
        One row per kawasan: ``kawasan_id``, ``nama``, ``potensi``, ``n_desa``, ``luas_ha``;
        geometry the union of the member villages (table plans) or the plan polygon.
    source : str
        What the plan was read from.
    kind : {"table", "polygons"}
    sebagian : pandas.DataFrame
        Polygon plans: villages a plan polygon covers by 1 % or more without making them
        members (``kode_desa``, ``nama_desa``, ``kawasan_id``, ``pct_tertutup``). Empty for tables.
    villages : geopandas.GeoDataFrame
        The whole village layer the plan was joined to.
    """

    desa: gpd.GeoDataFrame
    kawasan: gpd.GeoDataFrame
    source: str
    kind: Literal["table", "polygons"]
    sebagian: pd.DataFrame
    villages: gpd.GeoDataFrame = field(repr=False)


def _listing(items: Sequence[str], limit: int = _LISTED) -> list[str]:
    items = list(items)
    return items[:limit] + ([f"... dan {len(items) - limit} lainnya / and {len(items) - limit} more"] if len(items) > limit else [])


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _pick(columns: Iterable[str], given: str | None, candidates: Sequence[str]) -> str | None:
    cols = list(columns)
    if given is not None:
        return given if given in cols else None
    lower = {str(c).strip().lower(): c for c in cols}
    return next((lower[c] for c in candidates if c in lower), None)


def _potential_lookup(catalogue: PotentialCatalogue) -> dict[str, str]:
    """Normalised code, Indonesian and English name of each potential -> its code."""
    keys: dict[str, str] = {}
    for p in catalogue:
        for text in (p.code, p.nama, p.name):
            keys.setdefault(normalise(text), p.code)
    return keys


def _resolve_potentials(raw: pd.Series, lookup: Mapping[str, str]) -> pd.Series:
    """Raw potential values -> codes ("Pertanian Unggulan" -> pertanian_unggulan); None if unknown."""
    return raw.map(lambda v: lookup.get(normalise(v)) if v else None)


def _potential_problems(raw: pd.Series, codes: pd.Series, where: Sequence[str], catalogue: PotentialCatalogue) -> list[str]:
    problems = []
    empty = [w for w, v in zip(where, raw, strict=True) if not v]
    if empty:
        problems += _listing([f"{w}: potensi kosong / missing potential" for w in empty])
    unknown: dict[str, list[str]] = {}
    for w, v, c in zip(where, raw, codes, strict=True):
        if v and pd.isna(c):
            unknown.setdefault(v, []).append(w)
    if unknown:
        valid = ", ".join(catalogue.codes)
        problems += _listing(
            [f"potensi tidak dikenal / unknown potential {v!r} ({', '.join(_listing(ws, 5))}); kode yang sah / valid codes: {valid}"
             for v, ws in unknown.items()]
        )
    return problems


def _mixed_potentials(ids: pd.Series, codes: pd.Series) -> list[str]:
    frame = pd.DataFrame({"k": ids.to_numpy(), "p": codes.to_numpy()}).dropna()
    frame = frame[frame["k"] != ""]
    mixed = frame.groupby("k", sort=False)["p"].unique()
    return [f"kawasan {k} memuat potensi berbeda / has several potentials: {', '.join(sorted(p))}"
            for k, p in mixed.items() if len(p) > 1]


def read_plan(
    plan: str | Path | pd.DataFrame | gpd.GeoDataFrame,
    villages: gpd.GeoDataFrame,
    *,
    layer: str | None = None,
    potential_column: str | None = None,
    kawasan_column: str | None = None,
    code_column: str | None = None,
    min_share: float = 0.5,
    potentials: PotentialCatalogue | None = None,
) -> Plan:
    """Read a kawasan plan and join it to the village layer.

    Parameters
    ----------
    plan : path, DataFrame or GeoDataFrame
        A table (CSV/XLSX path or DataFrame) with one row per village: ``kode_desa`` (dotted or
        not), ``kawasan_id``, ``potensi`` and optionally ``dasar`` (``zonasi`` / ``kondisi_lahan``)
        and ``nama_kawasan``; or polygons (GeoPackage, Shapefile, GeoJSON... or GeoDataFrame) with
        a potential column, e.g. the ``kawasan`` layer of ``kawasan propose``.
    villages : GeoDataFrame
        Villages in the internal schema (:func:`kawasan_gis.io.read_villages`).
    layer : str, optional
        Layer of a multi-layer file (default ``kawasan`` when present).
    potential_column, kawasan_column, code_column : str, optional
        Column names, when detection (``potensi``, ``potential``, ``jenis_kawasan``...;
        ``kawasan_id``, ``id_kawasan``, ``kawasan``...; ``kode_desa``...) does not find them.
        Polygon plans without a kawasan column get ids ``K01``, ``K02``... in feature order.
    min_share : float, default 0.5
        Polygon plans: share of a village a polygon must cover to make it a member.
    potentials : PotentialCatalogue, optional
        Valid potentials (default :func:`kawasan_gis.vocab.load_potentials`, switched-off
        potentials included). Values are matched on code, Indonesian or English name, ignoring
        case, spaces and punctuation (``"Pertanian Unggulan"`` -> ``pertanian_unggulan``).

    Returns
    -------
    Plan

    Raises
    ------
    PlanError
        Missing columns, empty plan, unknown village codes, villages in two kawasan, missing or
        unknown potentials, kawasan with several potentials: every problem listed at once.
    CRSError, FieldError, LayerError, DataSourceError
        Unusable villages or plan file.

    Examples
    --------
    >>> import pandas as pd, warnings; warnings.simplefilter("ignore")
    >>> from kawasan_gis.io import read_villages
    >>> desa = read_villages("data/rtrw_lampung_timur/desa_lampung_timur.gpkg", check_coverage=False)
    >>> p = read_plan(pd.DataFrame({"kode_desa": ["1807012001", "18.07.01.2002"], "kawasan_id": "A",
    ...                             "potensi": "Permukiman"}), desa)
    >>> p.kawasan[["kawasan_id", "potensi", "n_desa"]].values.tolist()
    [['A', 'permukiman', 2]]
    """
    require_villages(villages, step="check", columns=_VILLAGE_COLUMNS)
    if not 0 < min_share <= 1:
        raise ConfigError(f"min_share must be in (0, 1], not {min_share!r}.")
    catalogue = potentials if potentials is not None else load_potentials()
    options = dict(potential_column=potential_column, kawasan_column=kawasan_column, catalogue=catalogue)
    if isinstance(plan, gpd.GeoDataFrame):
        return _polygon_plan(plan, villages, min_share=min_share, source="GeoDataFrame", **options)
    if isinstance(plan, pd.DataFrame):
        return _table_plan(plan, villages, code_column=code_column, source="DataFrame", **options)
    path = Path(plan)
    if path.suffix.lower() in TABLE_SUFFIXES:
        return _table_plan(kio.read_table(path), villages, code_column=code_column, source=str(path), **options)
    if layer is None and path.suffix.lower() == ".gpkg":
        layers = kio.list_layers(path)
        if "kawasan" in layers:
            layer = "kawasan"
        elif len(layers) > 1:
            raise LayerError(f"{path}: the GeoPackage has several layers ({', '.join(layers)}); choose one with --plan-layer.")
    gdf = kio.read_layer(path, kind="landuse", layer=layer, working_crs=villages.crs)
    source = f"{path}" + (f" [layer {layer}]" if layer else "")
    return _polygon_plan(gdf, villages, min_share=min_share, source=source, **options)


def _table_plan(
    table: pd.DataFrame,
    villages: gpd.GeoDataFrame,
    *,
    code_column: str | None,
    kawasan_column: str | None,
    potential_column: str | None,
    catalogue: PotentialCatalogue,
    source: str,
) -> Plan:
    table = table.loc[~table.map(_text).eq("").all(axis=1)].reset_index(drop=True)
    cols = {
        "kode_desa": _pick(table.columns, code_column, CODE_COLUMNS),
        "kawasan_id": _pick(table.columns, kawasan_column, KAWASAN_COLUMNS),
        "potensi": _pick(table.columns, potential_column, POTENTIAL_COLUMNS),
    }
    tried = {"kode_desa": (code_column,) if code_column else CODE_COLUMNS,
             "kawasan_id": (kawasan_column,) if kawasan_column else KAWASAN_COLUMNS,
             "potensi": (potential_column,) if potential_column else POTENTIAL_COLUMNS}
    missing = [f"tidak ada kolom / no column {role} (dicoba / tried: {', '.join(tried[role])})" for role, c in cols.items() if c is None]
    if missing:
        raise PlanError(f"{source}: the plan table lacks columns; it has {', '.join(map(str, table.columns))}.", problems=missing)
    if table.empty:
        raise PlanError(f"{source}: the plan is empty (no rows).")
    row = [f"baris / row {i + 2}" for i in range(len(table))]  # spreadsheet numbering: header is row 1
    codes = table[cols["kode_desa"]].map(kio.normalise_code)
    ids = table[cols["kawasan_id"]].map(_text)
    raw_pot = table[cols["potensi"]].map(_text)
    pot = _resolve_potentials(raw_pot, _potential_lookup(catalogue))
    known = set(villages["kode_desa"].astype(str))

    problems: list[str] = []
    problems += _listing([f"{r}: kode_desa kosong / missing village code" for r, c in zip(row, codes, strict=True) if not c])
    unknown = [f"{r}: kode_desa {c} tidak ada di layer desa / not in the village layer"
               for r, c in zip(row, codes, strict=True) if c and c not in known]
    problems += _listing(unknown)
    if unknown and len(unknown) == int((codes != "").sum()):
        problems.append("tidak satu pun kode cocok / no code matches: is the village layer of the right kabupaten?")
    problems += _listing([f"{r}: kawasan_id kosong / missing kawasan id" for r, k in zip(row, ids, strict=True) if not k])
    problems += _potential_problems(raw_pot, pot, row, catalogue)
    pairs = pd.DataFrame({"kode": codes, "k": ids, "r": row})
    pairs = pairs[(pairs["kode"] != "") & (pairs["k"] != "")]
    twice = pairs.groupby("kode", sort=False).filter(lambda g: g["k"].nunique() > 1)
    problems += _listing(
        [f"desa {kode} ada di lebih dari satu kawasan / is in several kawasan: "
         + ", ".join(f"{k} ({r})" for k, r in zip(g["k"], g["r"], strict=True))
         for kode, g in twice.groupby("kode", sort=False)]
    )
    problems += _listing(_mixed_potentials(ids, pot))
    if problems:
        raise PlanError(f"{source}: the plan cannot be used ({len(problems)} problem(s)).", problems=problems)

    first = ~codes.duplicated()
    member = pd.DataFrame({"kawasan_id": ids[first].to_numpy(), "potensi": pot[first].to_numpy()}, index=codes[first].to_numpy())
    dasar_col = _pick(table.columns, None, (DASAR_COLUMN,))
    if dasar_col is not None:
        member[DASAR_COLUMN] = table.loc[first, dasar_col].map(_text).str.lower().to_numpy()
    in_plan = villages["kode_desa"].astype(str).isin(member.index).to_numpy()
    desa = villages.loc[in_plan].copy()
    for c in member.columns:
        desa[c] = member.loc[desa["kode_desa"].astype(str), c].to_numpy()
    name_col = _pick(table.columns, None, ("nama_kawasan",))
    names = dict(zip(ids, table[name_col].map(_text), strict=True)) if name_col else {}
    order = list(dict.fromkeys(ids))
    geoms = np.asarray(desa.geometry.array, dtype=object)
    owner = desa["kawasan_id"].to_numpy()
    rows = []
    for k in order:
        m = owner == k
        rows.append({"kawasan_id": k, "nama": names.get(k, ""), "potensi": desa["potensi"].to_numpy()[m][0],
                     "n_desa": int(m.sum()), "geometry": shapely.union_all(geoms[m])})
    kawasan = _kawasan_frame(rows, villages.crs)
    return Plan(desa=desa, kawasan=kawasan, source=source, kind="table", sebagian=_empty_partial(), villages=villages)


def _kawasan_frame(rows: list[dict[str, Any]], crs: Any) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(rows, columns=["kawasan_id", "nama", "potensi", "n_desa", "geometry"], geometry="geometry", crs=crs)
    frame.insert(4, "luas_ha", shapely.area(np.asarray(frame.geometry.array, dtype=object)) / _M2_PER_HA)
    frame["n_desa"] = frame["n_desa"].astype("int64")
    return frame


def _empty_partial() -> pd.DataFrame:
    return pd.DataFrame({"kode_desa": pd.Series(dtype=str), "nama_desa": pd.Series(dtype=str),
                         "kawasan_id": pd.Series(dtype=str), "pct_tertutup": pd.Series(dtype=float)})


def _polygon_plan(
    gdf: gpd.GeoDataFrame,
    villages: gpd.GeoDataFrame,
    *,
    kawasan_column: str | None,
    potential_column: str | None,
    catalogue: PotentialCatalogue,
    min_share: float,
    source: str,
) -> Plan:
    if gdf.crs is None:
        raise CRSError(f"{source}: the plan polygons have no CRS.")
    if gdf.crs != villages.crs:
        raise CRSError(
            f"{source}: the plan is in {gdf.crs.to_string()}, the villages in {villages.crs.to_string()}; "
            "reproject the plan (GeoDataFrame.to_crs(villages.crs)) or read it from a file."
        )
    gdf = kio.clean_geometries(gdf, geom_kind="polygon", source=source).reset_index(drop=True)
    if gdf.empty:
        raise PlanError(f"{source}: the plan is empty (no polygons).")
    pot_col = _pick(gdf.columns, potential_column, POTENTIAL_COLUMNS)
    kaw_col = _pick(gdf.columns, kawasan_column, KAWASAN_COLUMNS)
    problems: list[str] = []
    if pot_col is None:
        tried = (potential_column,) if potential_column else POTENTIAL_COLUMNS
        problems.append(f"tidak ada kolom potensi / no potential column (dicoba / tried: {', '.join(tried)}); "
                        f"columns: {', '.join(c for c in gdf.columns if c != gdf.geometry.name)}")
    if kawasan_column is not None and kaw_col is None:
        problems.append(f"kolom kawasan / kawasan column {kawasan_column!r} does not exist")
    if problems:
        raise PlanError(f"{source}: the plan polygons cannot be used.", problems=problems)
    where = [f"fitur / feature {i + 1}" for i in range(len(gdf))]
    if kaw_col is None:
        width = max(2, len(str(len(gdf))))
        ids = pd.Series([f"K{i + 1:0{width}d}" for i in range(len(gdf))])
    else:
        ids = gdf[kaw_col].map(_text)
        problems += _listing([f"{w}: kawasan_id kosong / missing kawasan id" for w, k in zip(where, ids, strict=True) if not k])
    raw_pot = gdf[pot_col].map(_text)
    pot = _resolve_potentials(raw_pot, _potential_lookup(catalogue))
    problems += _potential_problems(raw_pot, pot, where, catalogue)
    problems += _listing(_mixed_potentials(ids, pot))
    if problems:
        raise PlanError(f"{source}: the plan cannot be used ({len(problems)} problem(s)).", problems=problems)

    name_col = _pick(gdf.columns, None, NAME_COLUMNS)
    order = list(dict.fromkeys(ids))
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    kgeoms = np.array([shapely.union_all(geoms[(ids == k).to_numpy()]) for k in order], dtype=object)
    kpot = [pot[(ids == k).to_numpy()].iloc[0] for k in order]
    names = [_text(gdf.loc[(ids == k).to_numpy(), name_col].iloc[0]) if name_col else "" for k in order]

    vgeoms = np.asarray(villages.geometry.array, dtype=object)
    varea = shapely.area(vgeoms)
    vi, ki = shapely.STRtree(kgeoms).query(vgeoms, predicate="intersects")
    share = shapely.area(shapely.intersection(vgeoms[vi], kgeoms[ki])) / np.where(varea[vi] > 0, varea[vi], 1.0)
    best = np.full(len(villages), -1)
    best_share = np.zeros(len(villages))
    for v, k, s in zip(vi, ki, share, strict=True):  # pairs, not polygons: a village meets few kawasan
        if s > best_share[v]:
            best[v], best_share[v] = k, s
    member = best_share >= min_share
    kid = np.array(order, dtype=object)
    desa = villages.loc[member].copy()
    desa["kawasan_id"] = kid[best[member]]
    desa["potensi"] = np.array(kpot, dtype=object)[best[member]]
    partial = (share >= _PARTIAL_MIN_SHARE) & ~(member[vi] & (best[vi] == ki))
    sebagian = pd.DataFrame(
        {
            "kode_desa": villages["kode_desa"].to_numpy()[vi[partial]],
            "nama_desa": villages["nama_desa"].to_numpy()[vi[partial]],
            "kawasan_id": kid[ki[partial]],
            "pct_tertutup": 100 * share[partial],
        }
    ) if partial.any() else _empty_partial()
    counts = desa["kawasan_id"].value_counts()
    rows = [{"kawasan_id": k, "nama": n, "potensi": p, "n_desa": int(counts.get(k, 0)), "geometry": g}
            for k, n, p, g in zip(order, names, kpot, kgeoms, strict=True)]
    return Plan(
        desa=desa, kawasan=_kawasan_frame(rows, villages.crs), source=source, kind="polygons", sebagian=sebagian, villages=villages
    )


# --------------------------------------------------------------------------- check


@dataclass(frozen=True, eq=False)
class CheckResult:
    """Result of :func:`check_plan`.

    Attributes
    ----------
    kawasan : geopandas.GeoDataFrame
        One row per kawasan: ``kawasan_id``, ``nama``, ``potensi``, ``n_desa``, ``luas_ha``,
        ``ha_I``, ``ha_T``, ``ha_B``, ``ha_X``, ``ha_outside``, ``pct_I`` ... ``pct_outside``
        (0-100, summing to 100), ``pct_dasar_zonasi`` (NaN when the plan says nothing),
        ``verdict`` (``sesuai`` / ``sesuai bersyarat`` / ``tidak sesuai``), ``n_error``
        (rule checks failed), ``aturan`` (rule findings, one per line), geometry.
    desa : geopandas.GeoDataFrame
        One row per member village: ``kawasan_id``, ``kode_desa``, ``nama_desa``, ``nama_kec``,
        ``potensi``, ``luas_ha`` and the same ha/pct columns. For polygon plans the village
        part inside its kawasan polygon is measured.
    per_kelas : pandas.DataFrame
        ``kawasan_id``, ``potensi``, ``kelas``, ``nama_kelas``, ``status``, ``sebab``
        (``pola_ruang``, ``lp2b``, ``rawan_bencana``: what set the status), ``luas_ha``,
        ``pct``; area outside the RTRW is a row with ``kelas`` ``luar_rtrw``, status ``outside``.
    konflik : geopandas.GeoDataFrame
        One row per kawasan x class x status x cause of X (and, when asked, B) area:
        ``kawasan_id``, ``kelas``, ``nama_kelas``, ``status``, ``sebab``, ``luas_ha``,
        ``desa`` (the villages it falls in with their hectares, largest first), ``kode_desa``
        (their codes), geometry.
    rules : pandas.DataFrame
        ``kawasan_id``, ``rule``, ``level`` (error / warning / info), ``message``, ``dasar``.
    thresholds : Thresholds
    info : dict
        ``rtrw_overlap_ha`` (RTRW area where zones overlapped, resolved lindung first),
        ``n_zones`` (planar RTRW pieces), ``plan`` (source), ``lang``.
    """

    kawasan: gpd.GeoDataFrame
    desa: gpd.GeoDataFrame
    per_kelas: pd.DataFrame
    konflik: gpd.GeoDataFrame
    rules: pd.DataFrame
    thresholds: Thresholds
    info: dict[str, Any]

    def fails(self, level: str) -> bool:
        """Whether the plan fails at ``level``.

        ``prohibited``: some kawasan has X area above ``toleransi_ha``; ``conditional``: some
        kawasan has X or B area above it; ``never``: False.
        """
        if level not in FAIL_LEVELS:
            raise ConfigError(f"fail level must be one of {', '.join(FAIL_LEVELS)}, not {level!r}.")
        tol = self.thresholds.toleransi_ha
        x = self.kawasan["ha_X"].to_numpy() > tol
        b = self.kawasan["ha_B"].to_numpy() > tol
        if level == "prohibited":
            return bool(x.any())
        if level == "conditional":
            return bool((x | b).any())
        return False


def _clip_to(geoms: np.ndarray, frames: np.ndarray) -> np.ndarray:
    """Each of ``geoms`` clipped to the bounding box of the matching ``frames`` geometry.

    Zoning polygons span whole kecamatan with thousands of vertices; cutting them to the
    box of the small geometry they are intersected with first makes the exact intersection
    that follows some twenty times faster (measured on Lampung Timur). Rectangle clipping
    is not guaranteed valid (GEOS may even refuse a collapsed ring), so any failed or
    invalid result falls back to the whole geometry.
    """
    bounds = shapely.bounds(frames)
    out = np.array([_clip_or_none(g, b) for g, b in zip(geoms, bounds, strict=True)], dtype=object)
    bad = shapely.is_missing(out)
    bad[~bad] = ~shapely.is_valid(out[~bad])
    out[bad] = geoms[bad]
    return out


def _clip_or_none(geom: shapely.Geometry, box: np.ndarray) -> shapely.Geometry | None:
    try:
        return shapely.clip_by_rect(geom, *box)
    except shapely.errors.GEOSException:
        return None


def _overlay_parts(layer: gpd.GeoDataFrame | None, name: str, crs: Any) -> np.ndarray | None:
    """The overlay as disjoint polygons (its union split into parts), or None."""
    if layer is None:
        return None
    if not isinstance(layer, gpd.GeoDataFrame) or layer.crs is None:
        raise CRSError(f"the {name} overlay must be a GeoDataFrame with a CRS.")
    if layer.crs != crs:
        raise CRSError(f"the {name} overlay is in {layer.crs.to_string()}, the plan in {crs.to_string()}; reproject it first.")
    geoms = np.asarray(layer.geometry.array, dtype=object)
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    bad = ~shapely.is_valid(geoms)
    if bad.any():
        raise GeometryError(f"the {name} overlay has {int(bad.sum())} invalid geometries; read it with kawasan_gis.io.read_layer.")
    if len(geoms) == 0:
        return np.empty(0, dtype=object)
    parts = shapely.get_parts(shapely.union_all(geoms))
    return parts[np.isin(shapely.get_type_id(parts), (3,))]


def _split(
    parts: np.ndarray, pieces: np.ndarray, columns: dict[str, np.ndarray], flag: str
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Cut each piece into its part inside the overlay (``flag`` True) and outside it."""
    if len(parts) == 0 or len(pieces) == 0:
        return pieces, columns
    pi, qi = shapely.STRtree(parts).query(pieces, predicate="intersects")
    if len(pi) == 0:
        return pieces, columns
    order = np.lexsort((qi, pi))
    pi, qi = pi[order], qi[order]
    hit, group = np.unique(pi, return_inverse=True)
    near = polygonal(_clip_to(parts[qi], pieces[pi]))
    inside = polygonal(shapely.intersection(pieces[pi], near))
    # the overlay parts are disjoint, so the parts a piece meets form a valid MultiPolygon
    cover = shapely.multipolygons(
        shapely.get_parts(near),
        indices=np.repeat(group, shapely.get_num_geometries(near)),
        out=np.array([shapely.MultiPolygon()] * len(hit), dtype=object),
    )
    outside = polygonal(shapely.difference(pieces[hit], cover))
    untouched = np.setdiff1d(np.arange(len(pieces)), hit)
    src = np.concatenate([untouched, pi, hit])
    geoms = np.concatenate([pieces[untouched], inside, outside])
    new = {k: v[src] for k, v in columns.items()}
    new[flag] = np.concatenate([columns[flag][untouched], np.ones(len(pi), bool), columns[flag][hit]])
    keep = shapely.area(geoms) > 0
    return geoms[keep], {k: v[keep] for k, v in new.items()}


_OVERLAYS = ("lp2b", "rawan_bencana")


def _classify(
    geoms: np.ndarray,
    potensi: np.ndarray,
    zones: np.ndarray,
    kelas: np.ndarray,
    overlays: Mapping[str, np.ndarray | None],
    itbx: ItbxMatrix,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Pieces of ``geoms`` x planar zones (x overlays) with their ITBX status and hectares."""
    owner, z = shapely.STRtree(zones).query(geoms, predicate="intersects")
    pieces = polygonal(shapely.intersection(geoms[owner], _clip_to(zones[z], geoms[owner])))
    cols: dict[str, np.ndarray] = {"owner": owner, "zone": z, **{o: np.zeros(len(owner), bool) for o in _OVERLAYS}}
    keep = shapely.area(pieces) > 0
    pieces, cols = pieces[keep], {k: v[keep] for k, v in cols.items()}
    for name in _OVERLAYS:
        parts = overlays.get(name)
        if parts is not None:
            pieces, cols = _split(parts, pieces, cols, name)
    frame = pd.DataFrame(
        {"owner": cols["owner"], "potensi": potensi[cols["owner"]], "kelas": kelas[cols["zone"]],
         "lp2b": cols["lp2b"], "rawan_bencana": cols["rawan_bencana"], "ha": shapely.area(pieces) / _M2_PER_HA}
    )
    combos = frame[["potensi", "kelas", "lp2b", "rawan_bencana"]].drop_duplicates()
    status, sebab = [], []
    for p, k, lp, hz in combos.itertuples(index=False):
        s = itbx.status(p, k, lp2b=lp, hazard=hz)
        base = itbx.status(p, k)
        causes = [o for o, on, kw in (("lp2b", lp, "lp2b"), ("rawan_bencana", hz, "hazard"))
                  if on and itbx.status(p, k, **{kw: True}) != base]
        status.append(s)
        sebab.append("+".join(causes) if s != base else "pola_ruang")
    combos = combos.assign(status=status, sebab=sebab)
    frame = frame.merge(combos, on=["potensi", "kelas", "lp2b", "rawan_bencana"], how="left", sort=False)
    return frame, pieces


def _area_columns(area_ha: np.ndarray, pieces: pd.DataFrame) -> pd.DataFrame:
    n = len(area_ha)
    out: dict[str, np.ndarray] = {"luas_ha": area_ha}
    owner = pieces["owner"].to_numpy()
    ha = pieces["ha"].to_numpy()
    status = pieces["status"].to_numpy()
    covered = np.zeros(n)
    for s in STATUSES:
        m = status == s
        out[f"ha_{s}"] = np.bincount(owner[m].astype(np.int64), weights=ha[m], minlength=n).astype(float)
        covered += out[f"ha_{s}"]
    # covered <= area up to rounding: the zones are disjoint after overlap resolution
    out["ha_outside"] = np.clip(area_ha - covered, 0.0, None)
    safe = np.where(area_ha > 0, area_ha, np.nan)
    for s in (*STATUSES, OUTSIDE):
        out[f"pct_{s}"] = 100 * out[f"ha_{s}"] / safe
    return pd.DataFrame(out)


def _verdicts(frame: pd.DataFrame, th: Thresholds) -> np.ndarray:
    x_on = frame["ha_X"].to_numpy() > th.toleransi_ha
    b_on = frame["ha_B"].to_numpy() > th.toleransi_ha
    pct_x, pct_b, pct_out = (frame[c].fillna(0).to_numpy() for c in ("pct_X", "pct_B", "pct_outside"))
    bad = x_on & (pct_x > th.tidak_sesuai_pct_X)
    conditional = (x_on & (pct_x > th.bersyarat_pct_X)) | (b_on & (pct_b > th.bersyarat_pct_B)) | (pct_out > th.bersyarat_pct_outside)
    return np.where(bad, VERDICTS[2], np.where(conditional, VERDICTS[1], VERDICTS[0]))


def _validate_check(plan: Plan, rtrw: gpd.GeoDataFrame, villages: gpd.GeoDataFrame, itbx: ItbxMatrix) -> None:
    problems: list[str] = []
    if not isinstance(rtrw, gpd.GeoDataFrame) or rtrw.crs is None:
        raise CRSError("the RTRW layer must be a GeoDataFrame with a CRS (kawasan_gis.io.read_class_layer).")
    crs = plan.kawasan.crs
    if rtrw.crs != crs:
        raise CRSError(
            f"the RTRW layer is in {rtrw.crs.to_string()}, the plan in {crs.to_string()}; "
            "read it with kawasan_gis.io.read_class_layer(..., working_crs=villages.crs)."
        )
    if villages.crs != crs:
        raise CRSError(f"the villages are in {villages.crs.to_string()}, the plan in {crs.to_string()}.")
    if "kelas" not in rtrw.columns:
        raise FieldError("the RTRW layer has no 'kelas' column of standard pola ruang codes; add it with kawasan_gis.vocab.apply_mapping(rtrw, kind='rtrw').")
    kelas = rtrw["kelas"]
    if kelas.isna().any():
        problems.append(f"{int(kelas.isna().sum())} RTRW polygon(s) have no kelas (rows {', '.join(map(str, np.flatnonzero(kelas.isna())[:10]))}); "
                        "map or drop them before checking")
    unknown = sorted(set(kelas.dropna()) - set(itbx.classes))
    if unknown:
        problems.append(f"kelas not in the ITBX matrix: {', '.join(map(str, unknown))} (known: {', '.join(itbx.classes)})")
    missing_pot = sorted(set(plan.kawasan["potensi"]) - set(itbx.potentials))
    if missing_pot:
        problems.append(f"potensi without an ITBX row: {', '.join(missing_pot)}; add [matrix.<potensi>] to the ITBX file (--matrix)")
    if problems:
        raise FieldError("Cannot check the plan against this RTRW layer.", problems=problems)


def check_plan(
    plan: Plan,
    rtrw: gpd.GeoDataFrame,
    *,
    villages: gpd.GeoDataFrame | None = None,
    itbx: ItbxMatrix | None = None,
    lp2b: gpd.GeoDataFrame | None = None,
    hazard: gpd.GeoDataFrame | None = None,
    include_conditional_conflicts: bool = False,
    thresholds: Thresholds | Mapping[str, float] | None = None,
    bridges: pd.DataFrame | Iterable[tuple[str, str]] | None = None,
    config: CheckConfig | None = None,
    lang: Literal["id", "en"] = "id",
) -> CheckResult:
    """Check a plan against the RTRW pola ruang (ITBX) and the rules for kawasan perdesaan.

    Parameters
    ----------
    plan : Plan
        From :func:`read_plan`.
    rtrw : GeoDataFrame
        Pola ruang polygons with a ``kelas`` column of standard codes
        (:func:`kawasan_gis.vocab.apply_mapping`), in the plan's CRS. Overlapping zones are
        resolved first with :func:`kawasan_gis.overlay.resolve_overlaps` (lindung wins).
    villages : GeoDataFrame, optional
        The whole village layer (default the one the plan was read with): names the villages
        conflicts fall in and gives the contiguity graph with its island bridges.
    itbx : ItbxMatrix, optional
        Default :func:`kawasan_gis.vocab.load_itbx`.
    lp2b, hazard : GeoDataFrame, optional
        Overlay polygons (all of each layer is LP2B / high hazard) in the plan's CRS; where
        they overlap a kawasan the status tightens as the ITBX ``overlays`` say.
    include_conditional_conflicts : bool, default False
        Also put B (conditional) areas into ``konflik``.
    thresholds : Thresholds or mapping, optional
        Verdict thresholds, or a mapping of the ones to change (keys as in ``[verdict]`` of
        ``data/check.toml``).
    bridges : DataFrame or iterable of (kode, kode), optional
        Extra village pairs to treat as neighbours (a DataFrame with ``from_kode`` and
        ``to_kode``, such as the ``sambungan`` layer of a proposal). The island bridges of
        :func:`kawasan_gis.regionalize.contiguity` on ``villages`` are always allowed.
    config : CheckConfig, optional
        Default :func:`load_check_config`.
    lang : {"id", "en"}
        Language of rule messages and class names.

    Returns
    -------
    CheckResult

    Raises
    ------
    CRSError, FieldError, GeometryError, ConfigError
        Layers in another CRS, a missing or unmapped ``kelas``, potentials or classes the
        ITBX matrix lacks, bad thresholds.
    """
    if lang not in ("id", "en"):
        raise ConfigError(f"lang must be 'id' or 'en', not {lang!r}.")
    cfg = config if config is not None else load_check_config()
    th = thresholds if isinstance(thresholds, Thresholds) else cfg.thresholds
    if isinstance(thresholds, Mapping):
        problems: list[str] = []
        th = _merge_thresholds(cfg.thresholds, thresholds, "thresholds", problems)
        if problems:
            raise ConfigError("Invalid thresholds.", problems=problems)
    itbx = itbx if itbx is not None else load_itbx()
    villages = plan.villages if villages is None else villages
    _validate_check(plan, rtrw, villages, itbx)
    crs = plan.kawasan.crs
    overlays = {"lp2b": _overlay_parts(lp2b, "LP2B", crs), "rawan_bencana": _overlay_parts(hazard, "hazard", crs)}

    # Only zones meeting a kawasan can matter; resolving overlaps on them alone gives the same
    # pieces there (ranks use whole-polygon areas and row order, both kept), at a fraction of the cost.
    rgeoms = np.asarray(rtrw.geometry.array, dtype=object)
    near = np.unique(shapely.STRtree(rgeoms).query(np.asarray(plan.kawasan.geometry.array, dtype=object), predicate="intersects")[1])
    zones = resolve_overlaps(rtrw.iloc[near][["kelas", rtrw.geometry.name]], priority=default_priority("rtrw"))
    zgeoms = np.asarray(zones.geometry.array, dtype=object)
    zkelas = zones["kelas"].astype(str).to_numpy()
    vocab = load_vocabulary("rtrw")

    def label(code: str) -> str:
        return vocab.label(code, lang=lang) if code in vocab else code

    kaw = plan.kawasan.reset_index(drop=True)
    kgeoms = np.asarray(kaw.geometry.array, dtype=object)
    kpot = kaw["potensi"].astype(str).to_numpy()
    kpieces, kshapes = _classify(kgeoms, kpot, zgeoms, zkelas, overlays, itbx)
    karea = _area_columns(shapely.area(kgeoms) / _M2_PER_HA, kpieces)

    desa = plan.desa.reset_index(drop=True)
    dgeoms = np.asarray(desa.geometry.array, dtype=object)
    if plan.kind == "polygons" and len(desa):
        pos = {k: i for i, k in enumerate(kaw["kawasan_id"])}
        dgeoms = polygonal(shapely.intersection(dgeoms, kgeoms[[pos[k] for k in desa["kawasan_id"]]]))
    dpieces, _ = _classify(dgeoms, desa["potensi"].astype(str).to_numpy(), zgeoms, zkelas, overlays, itbx)
    darea = _area_columns(shapely.area(dgeoms) / _M2_PER_HA, dpieces)

    rules = _rules(plan, villages, cfg, bridges, lang)
    kawasan = kaw[["kawasan_id", "nama", "potensi", "n_desa"]].copy()
    kawasan = pd.concat([kawasan, karea], axis=1)
    kawasan["pct_dasar_zonasi"] = _dasar_zonasi(plan, kaw)
    kawasan["verdict"] = _verdicts(kawasan, th)
    kawasan["n_error"] = [int(((rules["kawasan_id"] == k) & (rules["level"] == "error")).sum()) for k in kawasan["kawasan_id"]]
    kawasan["aturan"] = [
        "\n".join(f"[{lv}] {msg}" for lv, msg in rules.loc[rules["kawasan_id"] == k, ["level", "message"]].itertuples(index=False))
        for k in kawasan["kawasan_id"]
    ]
    kawasan = gpd.GeoDataFrame(kawasan, geometry=gpd.GeoSeries(kgeoms, crs=crs), crs=crs)

    base_cols = [c for c in ("kawasan_id", "kode_desa", "nama_desa", "nama_kec", "jenis", "potensi", DASAR_COLUMN) if c in desa.columns]
    desa_out = pd.concat([desa[base_cols], darea], axis=1)
    desa_out = gpd.GeoDataFrame(desa_out, geometry=gpd.GeoSeries(dgeoms, crs=crs), crs=crs)

    per_kelas = _per_kelas(kaw, kpieces, karea, label)
    konflik = _konflik(kaw, kpieces, kshapes, villages, include_conditional_conflicts, label, crs)
    overlap = zones["overlap"].to_numpy()
    info = {
        "rtrw_overlap_ha": float(shapely.area(zgeoms[overlap]).sum() / _M2_PER_HA),
        "n_zones": len(zones),
        "plan": plan.source,
        "lang": lang,
    }
    return CheckResult(kawasan=kawasan, desa=desa_out, per_kelas=per_kelas, konflik=konflik, rules=rules, thresholds=th, info=info)


def _dasar_zonasi(plan: Plan, kaw: pd.DataFrame) -> np.ndarray:
    """Share (0-100) of each kawasan's village area whose potential rests wholly on zoning."""
    if DASAR_COLUMN not in plan.desa.columns:
        return np.full(len(kaw), np.nan)
    d = plan.desa
    area = pd.Series(shapely.area(np.asarray(d.geometry.array, dtype=object)), index=d.index)
    zonasi = d[DASAR_COLUMN].astype(str).str.lower().eq("zonasi")
    total = area.groupby(d["kawasan_id"]).sum()
    part = area[zonasi].groupby(d["kawasan_id"][zonasi]).sum()
    pct = 100 * part.reindex(total.index, fill_value=0.0) / total
    return pct.reindex(kaw["kawasan_id"]).to_numpy(dtype=float)


def _per_kelas(kaw: pd.DataFrame, pieces: pd.DataFrame, area: pd.DataFrame, label: Any) -> pd.DataFrame:
    grouped = pieces.groupby(["owner", "kelas", "status", "sebab"], as_index=False, sort=True)["ha"].sum()
    outside = pd.DataFrame({"owner": np.arange(len(kaw)), "kelas": "luar_rtrw", "status": OUTSIDE, "sebab": "",
                            "ha": area["ha_outside"].to_numpy()})
    frame = pd.concat([grouped, outside[outside["ha"] > 0]], ignore_index=True)
    frame = frame.sort_values(["owner", "ha"], ascending=[True, False], kind="stable").reset_index(drop=True)
    owner = frame["owner"].to_numpy()
    total = area["luas_ha"].to_numpy()[owner]
    return pd.DataFrame(
        {
            "kawasan_id": kaw["kawasan_id"].to_numpy()[owner],
            "potensi": kaw["potensi"].to_numpy()[owner],
            "kelas": frame["kelas"],
            "nama_kelas": [label(k) if k != "luar_rtrw" else "(di luar RTRW / outside the RTRW)" for k in frame["kelas"]],
            "status": frame["status"],
            "sebab": frame["sebab"],
            "luas_ha": frame["ha"],
            "pct": 100 * frame["ha"].to_numpy() / np.where(total > 0, total, np.nan),
        }
    )


def _konflik(
    kaw: pd.DataFrame,
    pieces: pd.DataFrame,
    shapes: np.ndarray,
    villages: gpd.GeoDataFrame,
    include_conditional: bool,
    label: Any,
    crs: Any,
) -> gpd.GeoDataFrame:
    wanted = ("X", "B") if include_conditional else ("X",)
    mask = pieces["status"].isin(wanted).to_numpy()
    sel = pieces.loc[mask].assign(_i=np.flatnonzero(mask))
    rows = []
    for (owner, kelas, status, sebab), g in sel.groupby(["owner", "kelas", "status", "sebab"], sort=True):
        rows.append({"kawasan_id": kaw["kawasan_id"].iloc[owner], "kelas": kelas, "nama_kelas": label(kelas),
                     "status": status, "sebab": sebab, "luas_ha": float(g["ha"].sum()),
                     "geometry": shapely.union_all(shapes[g["_i"].to_numpy()])})
    columns = ["kawasan_id", "kelas", "nama_kelas", "status", "sebab", "luas_ha", "desa", "kode_desa", "geometry"]
    if not rows:
        return gpd.GeoDataFrame({c: pd.Series(dtype=float if c == "luas_ha" else object) for c in columns[:-1]},
                                geometry=gpd.GeoSeries([], crs=crs), crs=crs)
    frame = pd.DataFrame(rows)
    frame = frame.sort_values(["kawasan_id", "status", "luas_ha"], ascending=[True, False, False], kind="stable").reset_index(drop=True)
    geoms = np.asarray(frame["geometry"].to_numpy(), dtype=object)
    vgeoms = np.asarray(villages.geometry.array, dtype=object)
    ci, vi = shapely.STRtree(vgeoms).query(geoms, predicate="intersects")
    m2 = shapely.area(shapely.intersection(geoms[ci], vgeoms[vi]))
    big = m2 >= _VILLAGE_MIN_M2
    ci, vi, m2 = ci[big], vi[big], m2[big]
    names = villages["nama_desa"].astype(str).to_numpy()
    codes = villages["kode_desa"].astype(str).to_numpy()
    desa_text, kode_text = [], []
    for i in range(len(frame)):
        m = ci == i
        order = np.argsort(-m2[m], kind="stable")
        v, a = vi[m][order], m2[m][order]
        desa_text.append("; ".join(f"{names[j]} ({x / _M2_PER_HA:.2f} ha)" for j, x in zip(v, a, strict=True)))
        kode_text.append(",".join(codes[v]))
    frame["desa"] = desa_text
    frame["kode_desa"] = kode_text
    return gpd.GeoDataFrame(frame[columns], geometry="geometry", crs=crs)


# --------------------------------------------------------------------------- rules


def _bridge_pairs(bridges: pd.DataFrame | Iterable[tuple[str, str]] | None, known: set[str]) -> list[tuple[str, str]]:
    if bridges is None:
        return []
    if isinstance(bridges, pd.DataFrame):
        missing = [c for c in ("from_kode", "to_kode") if c not in bridges.columns]
        if missing:
            raise FieldError(f"bridges need columns from_kode and to_kode; missing {', '.join(missing)}.")
        pairs = list(zip(bridges["from_kode"], bridges["to_kode"], strict=True))
    else:
        pairs = list(bridges)
    out, problems = [], []
    for pair in pairs:
        if len(pair) != 2:
            problems.append(f"{pair!r} is not a pair of village codes")
            continue
        a, b = (kio.normalise_code(x) for x in pair)
        unknown = [c for c in (a, b) if c not in known]
        if unknown:
            problems.append(f"bridge {a}-{b}: code(s) {', '.join(unknown)} not in the village layer")
        else:
            out.append((a, b))
    if problems:
        raise ConfigError("Invalid bridges.", problems=problems)
    return out


def _parts(plan: Plan, villages: gpd.GeoDataFrame, snap: float, bridges: list[tuple[str, str]]) -> dict[str, list[np.ndarray]]:
    """Connected parts (arrays of village codes) of every kawasan with two or more villages."""
    graph = contiguity(villages, snap=snap, by=None)
    pos = {c: i for i, c in enumerate(graph.kode_desa)}
    i = np.concatenate([graph.i, np.array([pos[a] for a, _ in bridges], dtype=np.int64)])
    j = np.concatenate([graph.j, np.array([pos[b] for _, b in bridges], dtype=np.int64)])
    out: dict[str, list[np.ndarray]] = {}
    member = plan.desa.groupby("kawasan_id", sort=False)["kode_desa"]
    for k, codes in member:
        nodes = np.array([pos[c] for c in codes.astype(str)], dtype=np.int64)
        if len(nodes) < 2:
            continue
        local = np.full(graph.n, -1)
        local[nodes] = np.arange(len(nodes))
        e = (local[i] >= 0) & (local[j] >= 0)
        adj = sparse.csr_matrix((np.ones(int(e.sum())), (local[i[e]], local[j[e]])), shape=(len(nodes), len(nodes)))
        n_comp, lab = connected_components(adj, directed=False)
        out[str(k)] = [graph.kode_desa[nodes[lab == c]] for c in range(n_comp)]
    return out


def _rules(
    plan: Plan, villages: gpd.GeoDataFrame, cfg: CheckConfig, bridges: Any, lang: str
) -> pd.DataFrame:
    rows: list[dict[str, str]] = []

    def add(kawasan_id: str, rule: str, **values: Any) -> None:
        text = cfg.rules[rule]
        rows.append({"kawasan_id": kawasan_id, "rule": rule, "level": text.level,
                     "message": text.format(lang, kawasan=kawasan_id, **values), "dasar": text.dasar})

    desa = plan.desa
    name_of = dict(zip(villages["kode_desa"].astype(str), villages["nama_desa"].astype(str), strict=True))
    known = set(name_of)
    parts = _parts(plan, villages, cfg.snap_m, _bridge_pairs(bridges, known))
    kab_name = villages["nama_kab"].astype(str) if "nama_kab" in villages.columns else villages["kode_kab"].astype(str)
    kab_label = dict(zip(villages["kode_kab"].astype(str), kab_name, strict=False))
    for k in plan.kawasan["kawasan_id"]:
        m = desa[desa["kawasan_id"] == k]
        names = m["nama_desa"].astype(str).tolist()
        kabs = list(dict.fromkeys(m["kode_kab"].astype(str)))
        if len(kabs) > 1:
            add(k, "satu_kabupaten", n=len(kabs), daftar=", ".join(f"{kab_label.get(c) or c} ({c})" for c in kabs))
        if len(m) < 2:
            add(k, "minimal_dua_desa", n=len(m), daftar=", ".join(names) or "-")
        pieces = parts.get(str(k), [])
        if len(pieces) > 1:
            text = " | ".join(", ".join(name_of[c] for c in p[:8]) + (" ..." if len(p) > 8 else "") for p in pieces)
            add(k, "bersambung", n=len(pieces), daftar=text)
        if len(m):
            kec_name = m["nama_kec"].astype(str) if "nama_kec" in m.columns else m["kode_kec"].astype(str)
            kecs = list(dict.fromkeys(n or c for n, c in zip(kec_name, m["kode_kec"].astype(str), strict=True)))
            add(k, "kecamatan", n=len(kecs), daftar=", ".join(kecs))
        kel = m.loc[m["jenis"].astype(str).str.lower() == "kelurahan", "nama_desa"].astype(str).tolist()
        if kel:
            add(k, "kelurahan", n=len(kel), daftar=", ".join(kel))
        part = plan.sebagian[plan.sebagian["kawasan_id"] == k]
        if len(part):
            add(k, "cakupan_sebagian", n=len(part),
                daftar=", ".join(f"{n} {p:.0f} %" for n, p in zip(part["nama_desa"], part["pct_tertutup"], strict=True)))
    for k, p in zip(plan.kawasan["kawasan_id"], _dasar_zonasi(plan, plan.kawasan), strict=True):
        if p > cfg.dasar_zonasi_pct:  # NaN (no dasar column) never is
            add(k, "dasar_zonasi", n=f"{p:.0f}", daftar="")
    frame = pd.DataFrame(rows, columns=["kawasan_id", "rule", "level", "message", "dasar"])
    rank = frame["level"].map({lv: i for i, lv in enumerate(LEVELS)})
    order = pd.Series(pd.Categorical(frame["kawasan_id"], categories=list(dict.fromkeys(plan.kawasan["kawasan_id"])), ordered=True))
    frame = frame.assign(_k=order.cat.codes.to_numpy(), _r=rank.to_numpy()).sort_values(["_k", "_r"], kind="stable")
    return frame.drop(columns=["_k", "_r"]).reset_index(drop=True)


# --------------------------------------------------------------------------- writing


def write_check(result: CheckResult, out_dir: str | Path) -> Path:
    """Write ``check.gpkg`` (layers kawasan, konflik, desa), ``check.csv`` and ``check.xlsx``.

    Everything is written into a temporary folder next to ``out_dir`` first and moved into
    place only when all three files are complete, so a failure leaves no partial output (an
    existing ``out_dir`` keeps its other files; the three are replaced).

    Returns
    -------
    Path
        ``out_dir``.
    """
    out_dir = Path(out_dir)
    names = ("check.gpkg", "check.csv", "check.xlsx")
    with atomic_folder(out_dir, merge=True) as tmp:
        kio.write_layers(tmp / names[0], {"kawasan": result.kawasan, "konflik": result.konflik, "desa": result.desa})
        summary = pd.DataFrame(result.kawasan.drop(columns=result.kawasan.geometry.name))
        summary.to_csv(tmp / names[1], index=False, encoding="utf-8")
        with pd.ExcelWriter(tmp / names[2], engine="openpyxl") as xw:
            summary.to_excel(xw, sheet_name="kawasan", index=False)
            pd.DataFrame(result.desa.drop(columns=result.desa.geometry.name)).to_excel(xw, sheet_name="desa", index=False)
            result.per_kelas.to_excel(xw, sheet_name="per_kelas", index=False)
            pd.DataFrame(result.konflik.drop(columns=result.konflik.geometry.name)).to_excel(xw, sheet_name="konflik", index=False)
            result.rules.to_excel(xw, sheet_name="aturan", index=False)
    return out_dir
