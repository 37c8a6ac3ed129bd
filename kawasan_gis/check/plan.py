"""Reading a kawasan plan and joining it to the village layer.

Owns :class:`Plan` and :func:`read_plan`: a table of ``kode_desa``, ``kawasan_id``,
``potensi`` (CSV, XLSX or DataFrame), or polygons with a potential attribute (any vector
file, a GeoDataFrame, the ``kawasan`` layer of ``kawasan propose``). Every problem of the
plan is listed in one :class:`~kawasan_gis.errors.PlanError`.

How membership is decided for polygon plans: a village belongs to the plan polygon that covers
the largest share of it, and only when that share is at least ``min_share`` (50 %). Villages a
polygon covers by 1 % or more without becoming members are listed in ``Plan.partial`` and
reported by the rule ``cakupan_sebagian``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kawasan_gis import io as kio
from kawasan_gis.errors import ConfigError, CRSError, LayerError, PlanError
from kawasan_gis.i18n import bilingual
from kawasan_gis.io import require_villages
from kawasan_gis.overlay import M2_PER_HA
from kawasan_gis.vocab import PotentialCatalogue, load_potentials, normalise

__all__ = ["DASAR_COLUMN", "Plan", "empty_partial", "read_plan"]

TABLE_SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx", ".xls"}
CODE_COLUMNS = ("kode_desa", "kode_desa_10", "kdepum", "kode_kemendagri", "kode")
KAWASAN_COLUMNS = ("kawasan_id", "id_kawasan", "kode_kawasan", "kawasan", "nama_kawasan")
POTENTIAL_COLUMNS = (
    "potensi", "potential", "potensi_kawasan", "jenis_kawasan", "tipe_kawasan", "jenis_potensi", "potensi_dominan",
)  # fmt: skip
NAME_COLUMNS = ("nama", "nama_kawasan")
_PROPOSAL_COLUMN = "daftar_kode"  # the member codes of a kawasan of `kawasan propose`: its polygons are whole villages
DASAR_COLUMN = "dasar"
"""Optional plan column: what each village's potential rests on (``zonasi``, ``kondisi_lahan``...)."""

# A polygon that covers less than this share of a village is drawing noise along a shared
# border, not a partial cover worth reporting.
_PARTIAL_MIN_SHARE = 0.01
_LISTED = 50  # problems of one kind listed in an error before "... and N more"
_VILLAGE_COLUMNS = ("nama_desa", "kode_kec", "kode_kab", "jenis")  # besides kode_desa: names, grouping, kelurahan rule


@dataclass(frozen=True, eq=False)
class Plan:
    """A kawasan plan joined to the village layer, ready for :func:`check_plan`.

    Attributes
    ----------
    members : geopandas.GeoDataFrame
        The member villages (rows of the village layer, in its order) with ``kawasan_id``,
        ``potensi`` and, when the plan gave one, ``dasar``.
    kawasan : geopandas.GeoDataFrame
        One row per kawasan: ``kawasan_id``, ``nama``, ``potensi``, ``n_desa``, ``luas_ha``;
        geometry the union of the member villages (table plans) or the plan polygon.
    source : str
        What the plan was read from.
    kind : {"table", "polygons"}
    partial : pandas.DataFrame
        Polygon plans: villages a plan polygon covers by 1 % or more without making them
        members (``kode_desa``, ``nama_desa``, ``kawasan_id``, ``pct_tertutup``). Empty for tables.
    villages : geopandas.GeoDataFrame
        The whole village layer the plan was joined to.
    whole_villages : bool
        The kawasan are made of whole villages (a table plan, or the ``kawasan`` layer of
        ``kawasan propose``, recognised by its ``daftar_kode`` column): kawasan lindung in them
        is kept protected (status L). False for polygons a planner drew as development zones,
        where lindung is X.
    """

    members: gpd.GeoDataFrame
    kawasan: gpd.GeoDataFrame
    source: str
    kind: Literal["table", "polygons"]
    partial: pd.DataFrame
    villages: gpd.GeoDataFrame = field(repr=False)
    whole_villages: bool = False


def _capped(items: Sequence[str], limit: int = _LISTED) -> list[str]:
    """The first ``limit`` problem lines and one line counting the rest.

    :func:`kawasan_gis.i18n.format_list` joins a list into one line of one language; an error
    lists its problems one per line in both, so only the tail text is shared (``list_more``).
    """
    items = list(items)
    return items[:limit] + ([f"... {bilingual('list_more', n=len(items) - limit)}"] if len(items) > limit else [])


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
        problems += _capped([f"{w}: {bilingual('plan_missing_potential')}" for w in empty])
    unknown: dict[str, list[str]] = {}
    for w, v, c in zip(where, raw, codes, strict=True):
        if v and pd.isna(c):
            unknown.setdefault(v, []).append(w)
    if unknown:
        valid = ", ".join(catalogue.codes)
        problems += _capped(
            [f"{bilingual('plan_unknown_potential')} {v!r} ({', '.join(_capped(ws, 5))}); {bilingual('plan_valid_codes')}: {valid}"
             for v, ws in unknown.items()]
        )
    return problems


def _mixed_potentials(ids: pd.Series, codes: pd.Series) -> list[str]:
    frame = pd.DataFrame({"k": ids.to_numpy(), "p": codes.to_numpy()}).dropna()
    frame = frame[frame["k"] != ""]
    mixed = frame.groupby("k", sort=False)["p"].unique()
    return [f"kawasan {k} {bilingual('plan_several_potentials')}: {', '.join(sorted(p))}"
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
    missing = [f"{bilingual('plan_no_column')} {role} ({bilingual('plan_tried')}: {', '.join(tried[role])})" for role, c in cols.items() if c is None]
    if missing:
        raise PlanError(f"{source}: the plan table lacks columns; it has {', '.join(map(str, table.columns))}.", problems=missing)
    if table.empty:
        raise PlanError(f"{source}: the plan is empty (no rows).")
    row = [f"{bilingual('plan_row')} {i + 2}" for i in range(len(table))]  # spreadsheet numbering: header is row 1
    codes = table[cols["kode_desa"]].map(kio.normalise_code)
    ids = table[cols["kawasan_id"]].map(_text)
    raw_pot = table[cols["potensi"]].map(_text)
    pot = _resolve_potentials(raw_pot, _potential_lookup(catalogue))
    known = set(villages["kode_desa"].astype(str))

    problems: list[str] = []
    problems += _capped([f"{r}: {bilingual('plan_missing_code')}" for r, c in zip(row, codes, strict=True) if not c])
    unknown = [f"{r}: kode_desa {c} {bilingual('plan_unknown_code')}"
               for r, c in zip(row, codes, strict=True) if c and c not in known]
    problems += _capped(unknown)
    if unknown and len(unknown) == int((codes != "").sum()):
        problems.append(bilingual("plan_no_code_matches"))
    problems += _capped([f"{r}: {bilingual('plan_missing_kawasan')}" for r, k in zip(row, ids, strict=True) if not k])
    problems += _potential_problems(raw_pot, pot, row, catalogue)
    pairs = pd.DataFrame({"kode": codes, "k": ids, "r": row})
    pairs = pairs[(pairs["kode"] != "") & (pairs["k"] != "")]
    twice = pairs.groupby("kode", sort=False).filter(lambda g: g["k"].nunique() > 1)
    problems += _capped(
        [f"desa {kode} {bilingual('plan_in_several')}: "
         + ", ".join(f"{k} ({r})" for k, r in zip(g["k"], g["r"], strict=True))
         for kode, g in twice.groupby("kode", sort=False)]
    )
    problems += _capped(_mixed_potentials(ids, pot))
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
    return Plan(members=desa, kawasan=kawasan, source=source, kind="table", partial=empty_partial(), villages=villages,
                whole_villages=True)


def _kawasan_frame(rows: list[dict[str, Any]], crs: Any) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(rows, columns=["kawasan_id", "nama", "potensi", "n_desa", "geometry"], geometry="geometry", crs=crs)
    frame.insert(4, "luas_ha", shapely.area(np.asarray(frame.geometry.array, dtype=object)) / M2_PER_HA)
    frame["n_desa"] = frame["n_desa"].astype("int64")
    return frame


def empty_partial() -> pd.DataFrame:
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
        problems.append(f"{bilingual('plan_no_potential_column')} ({bilingual('plan_tried')}: {', '.join(tried)}); "
                        f"columns: {', '.join(c for c in gdf.columns if c != gdf.geometry.name)}")
    if kawasan_column is not None and kaw_col is None:
        problems.append(bilingual("plan_kawasan_column_missing", name=repr(kawasan_column)))
    if problems:
        raise PlanError(f"{source}: the plan polygons cannot be used.", problems=problems)
    where = [f"{bilingual('plan_feature')} {i + 1}" for i in range(len(gdf))]
    if kaw_col is None:
        width = max(2, len(str(len(gdf))))
        ids = pd.Series([f"K{i + 1:0{width}d}" for i in range(len(gdf))])
    else:
        ids = gdf[kaw_col].map(_text)
        problems += _capped([f"{w}: {bilingual('plan_missing_kawasan')}" for w, k in zip(where, ids, strict=True) if not k])
    raw_pot = gdf[pot_col].map(_text)
    pot = _resolve_potentials(raw_pot, _potential_lookup(catalogue))
    problems += _potential_problems(raw_pot, pot, where, catalogue)
    problems += _capped(_mixed_potentials(ids, pot))
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
    ) if partial.any() else empty_partial()
    counts = desa["kawasan_id"].value_counts()
    rows = [{"kawasan_id": k, "nama": n, "potensi": p, "n_desa": int(counts.get(k, 0)), "geometry": g}
            for k, n, p, g in zip(order, names, kpot, kgeoms, strict=True)]
    return Plan(
        members=desa, kawasan=_kawasan_frame(rows, villages.crs), source=source, kind="polygons", partial=sebagian, villages=villages,
        whole_villages=_PROPOSAL_COLUMN in gdf.columns,
    )

