"""Settlement hierarchy and growth centres: where each kawasan's pusat is, and why.

This module owns four things planners cite when they set the integrated inter-village growth
centre (*pusat pertumbuhan terpadu antar desa*, PP 43/2014) of a kawasan perdesaan:

1. the **facility matrix**: how many units of each facility type every village has, counted
   from point layers, line layers (present or not) or table columns (Podes ``R701*``...);
2. the **settlement hierarchy** from that matrix: the Guttman scalogram (:func:`scalogram`),
   the Marshall centrality index (:func:`centrality`) and the hierarchy orders
   (:func:`hierarchy_orders`), together in :func:`settlement_hierarchy`;
3. **accessibility on the road network**: a graph built from the road lines
   (:func:`road_network`), villages attached at the projected point on their nearest road,
   shortest paths with :mod:`scipy.sparse.csgraph` (:meth:`RoadNetwork.distances`);
4. the **choice of the centre** of every kawasan (:func:`choose_centres`) from hierarchy,
   accessibility and the RTRW's own designated centres (:func:`designated_centres`: PKN, PKW,
   PKL, PPK, PPL points), with the reason in words (id and en) and the runner-up.

Formulas and their variants (the texts planners cite do not agree on all details; the one used
is named in every output):

* **Scalogram** (Guttman 1950; as used in RPKP documents): the village x type presence matrix is
  sorted by row totals (villages with most types on top) and column totals (most common types
  on the left; ties keep the input order). A village with ``s`` types is *perfect* when it has
  exactly the ``s`` most common ones. **Errors** are the cells that differ from that perfect
  row (Goodenough-Edwards counting: a missing common type and an extra rare type are two
  errors). ``COR = 1 - e / (N x K)`` (coefficient of reproducibility; ``N`` villages, ``K``
  types), acceptable at >= 0.90. The variant ``COR' = (T - e) / T`` with ``T`` the number of
  present cells is reported as ``cor_present``. ``MMR = sum_j max(n_j, N - n_j) / (N x K)``
  (minimum marginal reproducibility, ``n_j`` villages having type j) and
  ``CS = (COR - MMR) / (1 - MMR)`` (coefficient of scalability), acceptable at >= 0.60.
* **Marshall centrality**: weight of type j ``C_j = 100 / T_j`` with ``T_j`` the total units of
  j in the system (``basis="units"``) or the number of villages having j
  (``basis="presence"``, the other variant in the literature); village index
  ``I_i = sum_j x_ij C_j`` with ``x_ij`` its units (``units``) or presence (``presence``).
* **Orders**: Sturges ``k = 1 + 3.322 log10 n`` classes (rounded to the nearest whole number)
  of equal width between the lowest and the highest index, or natural breaks (Fisher-Jenks,
  :mod:`mapclassify`); order I is the highest class.
* **Closeness** of a village within its kawasan: ``(r / (n - 1)) x (r / sum d)`` with ``r``
  the members it reaches by road and ``d`` the road distances (the Wasserman-Faust form that
  networkx uses for graphs in pieces).

Imports :mod:`kawasan_gis.overlay` (point and line measures) and :mod:`kawasan_gis.errors`.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse import csgraph

from kawasan_gis.errors import CRSError, FieldError, GeometryError, LayerError

log = logging.getLogger(__name__)

__all__ = [
    "COR_ACCEPTED",
    "CS_ACCEPTED",
    "DESIGNATION_LEVELS",
    "Centrality",
    "Centres",
    "Hierarchy",
    "RoadNetwork",
    "Scalogram",
    "centrality",
    "choose_centres",
    "designated_centres",
    "designation_level",
    "facility_counts",
    "hierarchy_orders",
    "road_network",
    "scalogram",
    "settlement_hierarchy",
]

CODE = "kode_desa"
COR_ACCEPTED = 0.90
"""Usual acceptance level of the coefficient of reproducibility."""
CS_ACCEPTED = 0.60
"""Usual acceptance level of the coefficient of scalability."""

DESIGNATION_LEVELS: dict[str, int] = {"PKN": 5, "PKW": 4, "PKL": 3, "PPK": 2, "PPL": 1}
"""RTRW centre hierarchy (national, regional, local activity centre; kawasan and environment
service centre). A promoted centre (``PKWp``, ``PKLp``: *promosi*) keeps its level."""

DEFAULT_WEIGHTS: dict[str, float] = {"hierarki": 0.4, "aksesibilitas": 0.35, "penetapan": 0.25}
"""Weights of the centre score (hierarchy, accessibility, RTRW designation); editable."""

ORDER_NAMES = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV")


def _roman(order: int) -> str:
    return ORDER_NAMES[order - 1] if 1 <= order <= len(ORDER_NAMES) else str(order)


def _part(text: str, lang: str) -> str:
    """One language of an "Indonesian / English" message."""
    head, sep, tail = text.partition(" / ")
    return (tail if lang == "en" else head) if sep else text


def _fmt(value: float, decimals: int, lang: str) -> str:
    text = f"{value:,.{decimals}f}"
    if lang == "id":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


# --------------------------------------------------------------------------- facility matrix


def facility_counts(
    villages: gpd.GeoDataFrame,
    *,
    points: Mapping[str, gpd.GeoDataFrame] | None = None,
    lines: Mapping[str, gpd.GeoDataFrame] | None = None,
    table: pd.DataFrame | None = None,
    columns: Mapping[str, str] | None = None,
    dedupe_tolerance: float = 1.0,
) -> pd.DataFrame:
    """Units of every facility type in every village: the input of the hierarchy.

    Parameters
    ----------
    villages : GeoDataFrame
        Villages in the internal schema (projected CRS, unique ``kode_desa``).
    points : mapping of name to GeoDataFrame, optional
        Point layers; each is one facility type counted per village (points repeated within
        ``dedupe_tolerance`` metres count once, see :func:`kawasan_gis.overlay.point_stats`).
    lines : mapping of name to GeoDataFrame, optional
        Line layers (roads of a class, irrigation canals); a type is *present* (1 unit) in a
        village the line crosses, since a line has no units to count.
    table : DataFrame, optional
        Indexed by ``kode_desa`` (as :func:`kawasan_gis.indicators.join_table` returns it).
    columns : mapping of type name to table column, optional
        Which table columns are facility counts (e.g. ``{"sd": "tbl_R701DK2"}``).

    Returns
    -------
    DataFrame
        Indexed by ``kode_desa`` in the villages' order, one float column per type (NaN where
        a table has no row for the village). ``attrs["sources"]`` says where each type came
        from and how it was counted; ``attrs["jarak_km"]`` holds, for the point types, the km
        from every village to the nearest point (0 inside).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from kawasan_gis.centres import facility_counts
    >>> desa = gpd.read_file("data/rtrw_lampung_timur/desa_lampung_timur.gpkg").to_crs(32748)
    >>> sma = gpd.read_file("data/fasilitas/sma_lampung_timur_gorontalo.gpkg").to_crs(32748)
    >>> int(facility_counts(desa, points={"sma": sma})["sma"].sum())  # doctest: +SKIP
    43
    """
    from kawasan_gis.overlay import line_density, point_stats

    index = pd.Index(villages[CODE].astype(str), name=CODE)
    out = pd.DataFrame(index=index)
    sources: dict[str, str] = {}
    names: list[str] = [*(points or {}), *(lines or {}), *(columns or {})]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise FieldError(f"jenis fasilitas bernama ganda / facility types named twice: {', '.join(dup)}; give each a unique name")
    distances: dict[str, np.ndarray] = {}
    for name, layer in (points or {}).items():
        stats = point_stats(villages, layer, dedupe_tolerance=dedupe_tolerance)
        out[name] = stats["n"].to_numpy(dtype=float)
        distances[name] = stats["jarak_km"].to_numpy(dtype=float)
        sources[name] = f"titik / points ({len(layer)}): jumlah unit per desa / units per village"
    for name, layer in (lines or {}).items():
        dens = line_density(villages, layer)
        out[name] = (dens["km_per_km2"].to_numpy() > 0).astype(float)
        sources[name] = f"garis / lines ({len(layer)}): ada atau tidak di desa / present in the village or not"
    if columns:
        if table is None:
            raise FieldError("facility table columns were named but no table was given / kolom tabel disebut tanpa tabel")
        missing = [c for c in columns.values() if c not in table.columns]
        if missing:
            raise FieldError(
                f"kolom fasilitas tidak ada di tabel / facility columns not in the table: {', '.join(missing)}; "
                f"table columns: {', '.join(map(str, table.columns[:20]))}"
            )
        aligned = table.reindex(index)
        for name, col in columns.items():
            values = pd.to_numeric(aligned[col], errors="coerce").to_numpy(dtype=float)
            if (values < 0).any():
                raise FieldError(f"kolom {col!r} berisi nilai negatif / column {col!r} holds negative counts")
            out[name] = values
            sources[name] = f"tabel / table column {col}"
    out.attrs["sources"] = sources
    out.attrs["jarak_km"] = distances
    return out


# --------------------------------------------------------------------------- scalogram


@dataclass(frozen=True)
class Scalogram:
    """A sorted Guttman scalogram and its coefficients (see the module docstring).

    Attributes
    ----------
    table : DataFrame
        The presence matrix (0/1), rows and columns in scalogram order, with ``jumlah_jenis``
        (types present) and ``kesalahan`` (errors of the row) appended.
    errors : int
        Cells that differ from the perfect pattern.
    cor, cor_present, mmr, cs : float
        ``COR = 1 - e/(NK)``, ``COR' = (T - e)/T``, ``MMR``, ``CS``; NaN when undefined
        (fewer than two types or villages; ``CS`` when ``MMR = 1``).
    n_villages, n_types : int
    note : str
        Why a coefficient is undefined (empty when all are defined).
    """

    table: pd.DataFrame
    errors: int
    cor: float
    cor_present: float
    mmr: float
    cs: float
    n_villages: int
    n_types: int
    note: str = ""

    @property
    def accepted(self) -> bool:
        """``COR >= 0.90`` and ``CS >= 0.60``: the facilities form a cumulative scale."""
        return bool(self.cor >= COR_ACCEPTED and self.cs >= CS_ACCEPTED)

    def verdict(self, lang: str = "id") -> str:
        """One sentence with COR and CS and their acceptance levels."""
        if math.isnan(self.cor) or math.isnan(self.cs):
            return _part(self.note, lang) if self.note else ("skalogram tidak terdefinisi" if lang == "id" else "scalogram undefined")
        cor, cs = _fmt(self.cor, 3, lang), _fmt(self.cs, 3, lang)
        ok_cor, ok_cs = self.cor >= COR_ACCEPTED, self.cs >= CS_ACCEPTED
        if lang == "id":
            word = "diterima" if ok_cor and ok_cs else "tidak diterima"
            return (
                f"COR {cor} ({'>=' if ok_cor else '<'} 0,90), CS {cs} ({'>=' if ok_cs else '<'} 0,60): "
                f"skala {word}; {self.errors} kesalahan pada {self.n_villages} desa x {self.n_types} jenis fasilitas"
            )
        word = "accepted" if ok_cor and ok_cs else "not accepted"
        return (
            f"COR {cor} ({'>=' if ok_cor else '<'} 0.90), CS {cs} ({'>=' if ok_cs else '<'} 0.60): "
            f"scale {word}; {self.errors} errors in {self.n_villages} villages x {self.n_types} facility types"
        )


def scalogram(counts: pd.DataFrame) -> Scalogram:
    """Sort a village x facility-type matrix into a Guttman scalogram and count its errors.

    Parameters
    ----------
    counts : DataFrame
        Units (or 0/1 presence) per village (rows) and type (columns). Rows with a missing
        value are left out (no data is not "no facility").

    Returns
    -------
    Scalogram

    Examples
    --------
    >>> import pandas as pd
    >>> from kawasan_gis.centres import scalogram
    >>> m = pd.DataFrame({"sd": [1, 1, 1, 1], "smp": [1, 1, 0, 0], "pasar": [1, 0, 1, 0]},
    ...                  index=["a", "b", "c", "d"])
    >>> s = scalogram(m)
    >>> s.errors, round(s.cor, 3)
    (2, 0.833)
    """
    x = counts.to_numpy(dtype=float)
    complete = ~np.isnan(x).any(axis=1)
    x = x[complete]
    pres = (x > 0).astype(np.int64)
    n, k = pres.shape
    # stable sorts: ties keep the input order, so the result does not depend on hashing
    cols = np.argsort(-pres.sum(axis=0), kind="stable")
    pres = pres[:, cols]
    row_tot = pres.sum(axis=1)
    rows = np.lexsort((np.arange(n), -x.sum(axis=1), -row_tot))
    pres, row_tot = pres[rows], row_tot[rows]
    ideal = (np.arange(k)[None, :] < row_tot[:, None]).astype(np.int64)
    row_err = (pres != ideal).sum(axis=1)
    errors = int(row_err.sum())
    table = pd.DataFrame(pres, index=counts.index[complete][rows], columns=counts.columns[cols])
    table["jumlah_jenis"] = row_tot
    table["kesalahan"] = row_err
    note = ""
    cor = cor_present = mmr = cs = float("nan")
    if n < 2 or k < 2:
        note = (
            f"skalogram perlu >= 2 desa dan >= 2 jenis fasilitas (ada {n} desa, {k} jenis) / "
            f"a scalogram needs >= 2 villages and >= 2 facility types (got {n}, {k})"
        )
    else:
        cells = n * k
        present = int(pres.sum())
        cor = 1.0 - errors / cells
        cor_present = (present - errors) / present if present else float("nan")
        n_j = pres.sum(axis=0)
        mmr = float(np.maximum(n_j, n - n_j).sum() / cells)
        if mmr < 1.0:
            cs = (cor - mmr) / (1.0 - mmr)
        else:
            note = "CS tidak terdefinisi: setiap jenis ada di semua desa atau tidak di satu pun (MMR = 1) / CS undefined (MMR = 1)"
    return Scalogram(
        table=table, errors=errors, cor=cor, cor_present=cor_present, mmr=mmr, cs=cs, n_villages=n, n_types=k, note=note
    )


# --------------------------------------------------------------------------- Marshall centrality


@dataclass(frozen=True)
class Centrality:
    """Marshall centrality: the weight of every type and the index of every village.

    Attributes
    ----------
    weights : Series
        ``C_j = t / T_j`` per type (NaN for a type nobody has).
    scores : DataFrame
        ``x_ij * C_j`` per village and type.
    index : Series
        ``indeks_sentralitas``: the row sums of ``scores`` (NaN for villages lacking data).
    basis : str
        ``"units"`` or ``"presence"``.
    """

    weights: pd.Series
    scores: pd.DataFrame
    index: pd.Series
    basis: str


def centrality(counts: pd.DataFrame, *, basis: Literal["units", "presence"] = "units", t: float = 100.0) -> Centrality:
    """Marshall centrality index of every village.

    Parameters
    ----------
    counts : DataFrame
        Units per village and type (NaN: no data; such villages get a NaN index).
    basis : {"units", "presence"}
        ``units``: ``T_j`` is the total units of j and a village counts its units;
        ``presence``: ``T_j`` is the number of villages having j and a village counts 1.
    t : float
        The total centrality of one type (100 in the literature).

    Examples
    --------
    >>> import pandas as pd
    >>> from kawasan_gis.centres import centrality
    >>> m = pd.DataFrame({"sd": [2, 1, 1], "pasar": [1, 0, 0]}, index=["a", "b", "c"])
    >>> centrality(m).index.round(1).tolist()
    [150.0, 25.0, 25.0]
    """
    if basis not in ("units", "presence"):
        raise ValueError(f"basis must be 'units' or 'presence', not {basis!r}")
    x = counts.astype(float)
    if basis == "presence":
        x = (x > 0).astype(float).where(x.notna())
    complete = x.notna().all(axis=1)
    total = x.loc[complete].sum(axis=0)
    weights = pd.Series(np.where(total > 0, t / total.where(total > 0, 1.0), np.nan), index=x.columns, name="bobot")
    scores = x * weights.fillna(0.0)
    index = scores.sum(axis=1).where(complete).rename("indeks_sentralitas")
    return Centrality(weights=weights, scores=scores, index=index, basis=basis)


@dataclass(frozen=True)
class Orders:
    """Hierarchy orders: ``orde`` 1 (= I) is the highest class."""

    orde: pd.Series
    edges: np.ndarray
    k: int
    method: str

    def describe(self, lang: str = "id") -> str:
        edges = ", ".join(_fmt(e, 1, lang) for e in self.edges)
        if self.method == "sturges":
            how = "Sturges k = 1 + 3,322 log n, lebar kelas sama" if lang == "id" else "Sturges k = 1 + 3.322 log n, equal width"
        else:
            how = "natural breaks (Fisher-Jenks)"
        return f"{how}: {self.k} {'kelas' if lang == 'id' else 'classes'}, {'batas' if lang == 'id' else 'bounds'} {edges}"


def sturges_k(n: int) -> int:
    """``round(1 + 3.322 log10 n)``, at least 1.

    Examples
    --------
    >>> sturges_k(264), sturges_k(20)
    (9, 5)
    """
    return max(1, int(round(1 + 3.322 * math.log10(n)))) if n > 0 else 1


def hierarchy_orders(
    index: pd.Series, *, method: Literal["sturges", "natural_breaks"] = "sturges", n_classes: int | None = None
) -> Orders:
    """Hierarchy order of every village from its centrality index.

    Parameters
    ----------
    index : Series
        Centrality index (NaN stays NaN).
    method : {"sturges", "natural_breaks"}
        Equal-width classes (Sturges) or Fisher-Jenks natural breaks (:mod:`mapclassify`;
        quadratic in the number of villages: meant for one kabupaten, not thousands).
    n_classes : int, optional
        Number of classes; by default Sturges' ``k`` for the number of villages with an index.

    Returns
    -------
    Orders
        ``orde`` (1 = highest) aligned to ``index``, the class bounds from low to high.

    Examples
    --------
    >>> import pandas as pd
    >>> from kawasan_gis.centres import hierarchy_orders
    >>> hierarchy_orders(pd.Series([0.0, 10, 20, 30, 100]), n_classes=2).orde.tolist()
    [2.0, 2.0, 2.0, 2.0, 1.0]
    """
    if method not in ("sturges", "natural_breaks"):
        raise ValueError(f"method must be 'sturges' or 'natural_breaks', not {method!r}")
    valid = index.dropna().astype(float)
    n = len(valid)
    k = n_classes if n_classes is not None else sturges_k(n)
    if k < 1:
        raise ValueError(f"n_classes must be at least 1, not {k}")
    orde = pd.Series(np.nan, index=index.index, name="orde")
    if n == 0:
        return Orders(orde=orde, edges=np.array([]), k=k, method=method)
    lo, hi = float(valid.min()), float(valid.max())
    distinct = int(valid.nunique())
    if hi == lo:
        orde.loc[valid.index] = 1.0
        return Orders(orde=orde, edges=np.array([lo, hi]), k=1, method=method)
    if method == "sturges":
        edges = np.linspace(lo, hi, k + 1)
        # class c holds [edge_c, edge_c+1); the top class also holds the maximum
        cls = np.clip(np.floor((valid.to_numpy() - lo) / ((hi - lo) / k)).astype(int), 0, k - 1)
    else:
        import mapclassify

        k = min(k, distinct)
        with warnings.catch_warnings():
            # without numba mapclassify runs its pure-Python Fisher-Jenks and says so; the
            # villages of one kabupaten (a few hundred) need no acceleration
            warnings.filterwarnings("ignore", message="Numba not installed", category=UserWarning)
            fj = mapclassify.FisherJenks(valid.to_numpy(), k=k)
        edges = np.concatenate([[lo], np.asarray(fj.bins, dtype=float)])
        cls = np.asarray(fj.yb, dtype=int)
        k = len(edges) - 1
    orde.loc[valid.index] = (k - cls).astype(float)
    return Orders(orde=orde, edges=edges, k=k, method=method)


@dataclass(frozen=True)
class Hierarchy:
    """Scalogram, centrality and orders of one system of villages, and what fed them.

    Attributes
    ----------
    table : DataFrame
        Per village: ``jumlah_jenis``, ``jumlah_unit``, ``indeks_sentralitas``, ``orde``,
        ``orde_romawi``, ``peringkat`` (1 = highest index), sorted as the scalogram.
    scalogram : Scalogram
    centrality : Centrality
    orders : Orders
    sources : dict
        Facility type -> where it came from.
    missing : list of str
        Facility categories or villages the inputs did not cover.
    """

    table: pd.DataFrame
    scalogram: Scalogram
    centrality: Centrality
    orders: Orders
    sources: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    def describe(self, lang: str = "id") -> str:
        """What fed the hierarchy, its method and quality, in one paragraph."""
        types = ", ".join(self.sources) or "-"
        basis = {"units": ("jumlah unit", "units"), "presence": ("keberadaan", "presence")}[self.centrality.basis]
        if lang == "id":
            text = (
                f"Hierarki dari {self.scalogram.n_types} jenis fasilitas ({types}); indeks sentralitas Marshall "
                f"C_j = 100 / T_j (T_j: {basis[0]}); orde: {self.orders.describe(lang)}. Skalogram: {self.scalogram.verdict(lang)}."
            )
            if self.missing:
                text += " Tidak ada data: " + "; ".join(_part(m, lang) for m in self.missing) + "."
            return text
        text = (
            f"Hierarchy from {self.scalogram.n_types} facility types ({types}); Marshall centrality index "
            f"C_j = 100 / T_j (T_j: {basis[1]}); orders: {self.orders.describe(lang)}. Scalogram: {self.scalogram.verdict(lang)}."
        )
        if self.missing:
            text += " No data: " + "; ".join(_part(m, lang) for m in self.missing) + "."
        return text


FACILITY_CATEGORIES = ("pendidikan", "kesehatan", "ekonomi", "pemerintahan", "prasarana")
"""Categories a facility type can belong to; a category no input covers is reported missing."""
_CATEGORY_EN = {"pendidikan": "education", "kesehatan": "health", "ekonomi": "economic", "pemerintahan": "government",
                "prasarana": "infrastructure"}


def settlement_hierarchy(
    counts: pd.DataFrame,
    *,
    basis: Literal["units", "presence"] = "units",
    method: Literal["sturges", "natural_breaks"] = "sturges",
    n_classes: int | None = None,
    categories: Mapping[str, str] | None = None,
) -> Hierarchy:
    """Scalogram, Marshall centrality and orders of the villages in ``counts``.

    Parameters
    ----------
    counts : DataFrame
        From :func:`facility_counts` (or any village x type table of units).
    basis, method, n_classes
        See :func:`centrality` and :func:`hierarchy_orders`.
    categories : mapping of type to category, optional
        ``pendidikan``, ``kesehatan``, ``ekonomi``, ``pemerintahan`` or ``prasarana``: the
        categories no type covers are listed in ``missing``.

    Examples
    --------
    >>> import pandas as pd
    >>> from kawasan_gis.centres import settlement_hierarchy
    >>> m = pd.DataFrame({"sd": [2, 1, 1, 1], "smp": [1, 1, 0, 0]}, index=list("abcd"))
    >>> settlement_hierarchy(m, n_classes=2).table["orde"].tolist()
    [1.0, 1.0, 2.0, 2.0]
    """
    if counts.shape[1] == 0:
        raise FieldError(
            "tidak ada jenis fasilitas untuk hierarki / no facility type for the hierarchy: give point layers, "
            "line layers or table columns of facilities"
        )
    sc = scalogram(counts)
    cen = centrality(counts, basis=basis)
    orders = hierarchy_orders(cen.index, method=method, n_classes=n_classes)
    present = (counts > 0).where(counts.notna())
    table = pd.DataFrame(
        {
            "jumlah_jenis": present.sum(axis=1, min_count=1),
            "jumlah_unit": counts.sum(axis=1, min_count=1),
            "indeks_sentralitas": cen.index,
            "orde": orders.orde,
        },
        index=counts.index,
    )
    table["orde_romawi"] = table["orde"].map(lambda o: _roman(int(o)) if pd.notna(o) else None)
    table["peringkat"] = table["indeks_sentralitas"].rank(ascending=False, method="min")
    in_scalogram = counts.index.isin(sc.table.index)
    table = pd.concat([table.loc[sc.table.index], table.loc[~in_scalogram]])
    missing: list[str] = []
    if categories is not None:
        unknown = sorted(set(categories.values()) - set(FACILITY_CATEGORIES))
        if unknown:
            raise FieldError(f"kategori fasilitas tidak dikenal / unknown facility categories: {unknown}; use {FACILITY_CATEGORIES}")
        covered = set(categories.values())
        missing += [f"fasilitas {c} / {_CATEGORY_EN[c]} facilities" for c in FACILITY_CATEGORIES if c not in covered]
    lacking = int((~counts.notna().all(axis=1)).sum())
    if lacking:
        missing.append(f"{lacking} desa tanpa data fasilitas lengkap / villages without complete facility data")
    return Hierarchy(
        table=table, scalogram=sc, centrality=cen, orders=orders, sources=dict(counts.attrs.get("sources", {})), missing=missing
    )


# --------------------------------------------------------------------------- road network


@dataclass(frozen=True)
class RoadNetwork:
    """An undirected road graph: nodes where lines meet or cross, edges weighted by length (m).

    Attributes
    ----------
    edges : ndarray of LineString
        The noded pieces of the road lines; piece ``e`` joins ``u[e]`` and ``v[e]``.
    u, v : ndarray of int
    length : ndarray of float
        Metres along each piece.
    xy : ndarray, shape (n_nodes, 2)
    crs : Any
    graph : scipy.sparse.csr_matrix
        Symmetric adjacency with the lengths (pieces, snapped gaps).
    splits : tuple of ndarray
        ``(piece, t, node)``: nodes placed inside pieces where a dangling line end was snapped
        onto them (``t`` metres from the piece's start).
    n_components : int
        Connected pieces of the network.
    largest_share : float
        Share of the road length in the largest connected piece.
    component : ndarray of int
        Connected piece of every node; ``largest`` is the label of the largest (by length).
    n_snapped : int
        Dangling ends joined to a road within the snapping distance.
    """

    edges: np.ndarray
    u: np.ndarray
    v: np.ndarray
    length: np.ndarray
    xy: np.ndarray
    crs: Any
    graph: sparse.csr_matrix
    splits: tuple[np.ndarray, np.ndarray, np.ndarray]
    n_components: int
    largest_share: float
    component: np.ndarray
    largest: int
    n_snapped: int

    @property
    def n_nodes(self) -> int:
        return int(self.graph.shape[0])

    def attach(self, points: np.ndarray, *, largest_only: bool = True) -> AttachedNetwork:
        """Attach points (shapely Points in the network's CRS) at the projected point on their nearest road.

        The road piece is split there, so two points on one piece reach each other along it.
        The straight connector from the point to the road is added to every distance. With
        ``largest_only`` (default, as osmnx keeps the largest component) points attach to the
        largest connected piece of the network only, so a village next to a stray fragment is
        not cut off from the others: its connector is longer instead.
        """
        points = np.asarray(points, dtype=object)
        n0 = self.n_nodes
        pool = np.flatnonzero(self.component[self.u] == self.largest) if largest_only else np.arange(len(self.edges))
        tree = shapely.STRtree(self.edges[pool])
        (pi, ei), dist = tree.query_nearest(points, return_distance=True, all_matches=False)
        order = np.argsort(pi, kind="stable")
        pi, ei, dist = pi[order], pool[ei[order]], dist[order]
        t = shapely.line_locate_point(self.edges[ei], points[pi])
        node = n0 + pi
        # the new points and the snapped ends already inside those pieces, in one chain per piece
        sp, st, sn = self.splits
        also = np.isin(sp, ei)
        a, b, w = _chain_edges(self.u, self.v, self.length, np.r_[ei, sp[also]], np.r_[t, st[also]], np.r_[node, sn[also]])
        base = self.graph.tocoo()
        graph = _graph(np.r_[base.row, a], np.r_[base.col, b], np.r_[base.data, w], n0 + len(points))
        connector = np.empty(len(points))
        connector[pi] = dist
        return AttachedNetwork(graph=graph, nodes=n0 + np.arange(len(points)), connector=connector)


@dataclass(frozen=True)
class AttachedNetwork:
    """The road graph with points attached: ``nodes[i]`` is point i's node."""

    graph: sparse.csr_matrix
    nodes: np.ndarray
    connector: np.ndarray

    def distances(
        self, sources: Sequence[int] | np.ndarray, targets: Sequence[int] | np.ndarray | None = None, *, limit: float | None = None
    ) -> np.ndarray:
        """Road distance in metres from each source point to each target point (inf: unreachable).

        Includes the straight connectors at both ends; 0 from a point to itself. ``limit``
        (metres) bounds the search, which is much faster on a large network; rows with a
        target beyond it are searched again without bound, so the answer stays exact.
        """
        src = np.asarray(sources, dtype=np.int64)
        dst = src if targets is None else np.asarray(targets, dtype=np.int64)
        if len(src) == 0 or len(dst) == 0:
            return np.zeros((len(src), len(dst)))
        # the graph is stored symmetric, so a directed search gives the undirected distances
        # without scipy symmetrising the matrix again on every call
        d = csgraph.dijkstra(self.graph, directed=True, indices=self.nodes[src], limit=np.inf if limit is None else limit)[:, self.nodes[dst]]
        if limit is not None:
            # a bounded search is exact below the bound; redo the rows it cut short without one
            redo = ~np.isfinite(d).all(axis=1)
            if redo.any():
                d[redo] = csgraph.dijkstra(self.graph, directed=True, indices=self.nodes[src[redo]])[:, self.nodes[dst]]
        d = d + self.connector[src][:, None] + self.connector[dst][None, :]
        d[src[:, None] == dst[None, :]] = 0.0
        return d


_MIN_EDGE = 1e-6  # metres; csgraph would drop an explicit zero-length edge


def _chain_edges(
    u: np.ndarray, v: np.ndarray, length: np.ndarray, piece: np.ndarray, t: np.ndarray, node: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edges u -> n1 -> n2 ... -> v along every piece holding nodes at distances ``t`` from its start.

    Every such edge is a true distance along the line, so adding them beside the piece's own
    u-v edge never shortens a path wrongly.
    """
    order = np.lexsort((t, piece))
    p, t, node = piece[order], t[order], node[order]
    starts = np.r_[True, p[1:] != p[:-1]]
    ends = np.r_[p[1:] != p[:-1], True]
    prev_node = np.where(starts, u[p], np.r_[-1, node[:-1]])
    prev_t = np.where(starts, 0.0, np.r_[0.0, t[:-1]])
    a = np.r_[prev_node, node[ends]]
    b = np.r_[node, v[p[ends]]]
    w = np.r_[t - prev_t, length[p[ends]] - t[ends]]
    return a, b, w


def _graph(u: np.ndarray, v: np.ndarray, w: np.ndarray, n: int) -> sparse.csr_matrix:
    """Symmetric sparse graph keeping the shortest of parallel edges (coo -> csr would sum them)."""
    a, b = np.minimum(u, v), np.maximum(u, v)
    keep = a != b
    a, b, w = a[keep], b[keep], np.maximum(w[keep], _MIN_EDGE)
    order = np.lexsort((w, b, a))
    a, b, w = a[order], b[order], w[order]
    first = np.r_[True, (a[1:] != a[:-1]) | (b[1:] != b[:-1])]
    a, b, w = a[first], b[first], w[first]
    return sparse.csr_matrix((np.r_[w, w], (np.r_[a, b], np.r_[b, a])), shape=(n, n))


def _check_projected(gdf: gpd.GeoDataFrame, what: str) -> None:
    if gdf.crs is None:
        raise CRSError(f"{what} tidak punya CRS / has no CRS: set it (assume_crs) before measuring")
    if not gdf.crs.is_projected:
        raise CRSError(
            f"{what} dalam {gdf.crs.to_string()} yang tidak terproyeksi / is not in a projected CRS: "
            "reproject to a metric CRS (UTM) first"
        )


def road_network(roads: gpd.GeoDataFrame, *, snap_m: float = 20.0) -> RoadNetwork:
    """Build the road graph from road lines.

    The lines are noded (split wherever two lines cross or touch, with :func:`shapely.node`;
    a bridge over another road becomes a junction too, since road layers rarely carry
    levels), line ends at the same millimetre are one node, and every piece becomes an edge
    weighted by its length along the line. A *dangling* end (a node on one piece only) within
    ``snap_m`` metres of another piece is joined to the nearest point of it by a straight gap
    edge: digitised roads often stop just short of the road they meet.

    Parameters
    ----------
    roads : GeoDataFrame
        (Multi)LineStrings in a projected CRS.
    snap_m : float
        Largest gap (metres) between a dangling end and another road that is joined. Real
        dead ends closer than this to another road get joined too; 0 joins nothing. On
        Lampung Timur 20 m brings 97 % of the road length into one connected piece.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from kawasan_gis.centres import road_network
    >>> jalan = gpd.read_file("data/rtrw_lampung_timur/konteks_lampung_timur.gpkg", layer="jalan").to_crs(32748)
    >>> net = road_network(jalan)
    >>> net.n_components >= 1
    True
    """
    _check_projected(roads, "lapisan jalan / road layer")
    geoms = roads.geometry.values.to_numpy()
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    geoms = geoms[present]
    tid = shapely.get_type_id(geoms)
    if len(geoms) == 0:
        raise LayerError("lapisan jalan kosong / the road layer has no lines")
    if not np.isin(tid, [1, 2, 5]).all():
        raise LayerError("lapisan jalan harus berisi garis / the road layer must hold (Multi)LineStrings")
    parts = shapely.get_parts(geoms)
    parts = parts[shapely.length(parts) > 0]
    noded = shapely.get_parts(shapely.node(shapely.multilinestrings(parts)))
    noded = noded[shapely.length(noded) > 0]
    if len(noded) == 0:
        raise GeometryError("jalan tanpa panjang / the road lines have no length")
    coords, owner = shapely.get_coordinates(noded, return_index=True)
    first = np.searchsorted(owner, np.arange(len(noded)))
    last = np.r_[first[1:], len(coords)] - 1
    ends = np.vstack([coords[first], coords[last]])
    xy, inverse = np.unique(np.round(ends, 3), axis=0, return_inverse=True)
    node = inverse.ravel()
    m = len(noded)
    u, v = node[:m], node[m:]
    length = shapely.length(noded)
    loop = u == v
    edges, u, v, length = noded[~loop], u[~loop], v[~loop], length[~loop]
    n = len(xy)
    gap_a = gap_b = gap_w = np.array([], dtype=float)
    split_piece, split_t, split_node = np.array([], dtype=np.int64), np.array([], dtype=float), np.array([], dtype=np.int64)
    degree = np.bincount(np.r_[u, v], minlength=n)
    dangles = np.flatnonzero(degree == 1)
    if snap_m > 0 and len(dangles):
        dpts = shapely.points(xy[dangles])
        di, ei = shapely.STRtree(edges).query(dpts, predicate="dwithin", distance=snap_m)
        own = (u[ei] == dangles[di]) | (v[ei] == dangles[di])
        di, ei = di[~own], ei[~own]
        if len(di):
            dist = shapely.distance(dpts[di], edges[ei])
            order = np.lexsort((ei, dist, di))
            di, ei, dist = di[order], ei[order], dist[order]
            first = np.r_[True, di[1:] != di[:-1]]
            di, ei, dist = di[first], ei[first], dist[first]
            split_piece = ei
            split_t = shapely.line_locate_point(edges[ei], dpts[di])
            split_node = n + np.arange(len(di))
            gap_a, gap_b, gap_w = dangles[di], split_node, dist
            xy = np.vstack([xy, shapely.get_coordinates(shapely.line_interpolate_point(edges[ei], split_t))])
            n = len(xy)
    ca, cb, cw = _chain_edges(u, v, length, split_piece, split_t, split_node) if len(split_piece) else ([], [], [])
    graph = _graph(np.r_[u, gap_a, ca].astype(np.int64), np.r_[v, gap_b, cb].astype(np.int64), np.r_[length, gap_w, cw], n)
    n_comp, comp = csgraph.connected_components(graph, directed=False)
    per = np.bincount(comp[u], weights=length, minlength=n_comp)
    used = np.unique(comp[u])
    share = float(per.max() / per.sum()) if per.sum() > 0 else 0.0
    log.info(
        "road network: %d nodes, %d pieces, %d ends snapped, %d components (largest %.0f %% of the length)",
        n, len(edges), len(split_piece), len(used), 100 * share,
    )  # fmt: skip
    return RoadNetwork(
        edges=edges, u=u, v=v, length=length, xy=xy, crs=roads.crs, graph=graph,
        splits=(split_piece, split_t, split_node), n_components=len(used), largest_share=share,
        component=comp, largest=int(np.argmax(per)), n_snapped=len(split_piece),
    )  # fmt: skip


# --------------------------------------------------------------------------- RTRW designation


def designation_level(text: Any) -> tuple[str | None, int]:
    """The label and level of an RTRW centre function (``"PKLp"`` -> ``("PKLp", 3)``; other text -> ``(None, 0)``).

    Examples
    --------
    >>> designation_level("PKWp"), designation_level("Ibukota Desa")
    (('PKWp', 4), (None, 0))
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None, 0
    raw = str(text).strip()
    key = raw.upper()
    base = key[:-1] if key.endswith("P") and key[:-1] in DESIGNATION_LEVELS else key
    if base not in DESIGNATION_LEVELS:
        return None, 0
    return raw, DESIGNATION_LEVELS[base]


def designated_centres(villages: gpd.GeoDataFrame, centres: gpd.GeoDataFrame, *, column: str) -> pd.DataFrame:
    """The highest RTRW designation (PKN ... PPL) of the points inside each village.

    Parameters
    ----------
    villages : GeoDataFrame
        Villages (projected CRS).
    centres : GeoDataFrame
        Points with the designation in ``column`` (``PKW``, ``PKLp``, ``PPK``...; other values
        and empty cells are not designations and are ignored).

    Returns
    -------
    DataFrame
        Indexed by ``kode_desa``: ``penetapan_rtrw`` (the label as written, None without) and
        ``level_penetapan`` (PKN 5, PKW 4, PKL 3, PPK 2, PPL 1, 0 without).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from kawasan_gis.centres import designated_centres
    >>> desa = gpd.read_file("data/rtrw_lampung_timur/desa_lampung_timur.gpkg").to_crs(32748)
    >>> pk = gpd.read_file("data/rtrw_lampung_timur/konteks_lampung_timur.gpkg", layer="pusat_kegiatan")
    >>> int((designated_centres(desa, pk.to_crs(32748), column="Fungsi")["level_penetapan"] > 0).sum())  # doctest: +SKIP
    40
    """
    _check_projected(villages, "desa / villages")
    if column not in centres.columns:
        raise FieldError(
            f"lapisan pusat kegiatan tidak punya kolom {column!r} / the designated-centre layer has no column {column!r}; "
            f"it has {', '.join(map(str, centres.columns))}"
        )
    if centres.crs != villages.crs:
        centres = centres.to_crs(villages.crs)
    labels = [designation_level(x) for x in centres[column]]
    level = np.array([lv for _, lv in labels], dtype=np.int64)
    text = np.array([lb for lb, _ in labels], dtype=object)
    geoms = centres.geometry.values.to_numpy()
    ok = (level > 0) & ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    index = pd.Index(villages[CODE].astype(str), name=CODE)
    best = np.zeros(len(villages), dtype=np.int64)
    best_text = np.full(len(villages), None, dtype=object)
    if ok.any():
        vi, pi = shapely.STRtree(geoms[ok]).query(villages.geometry.values.to_numpy(), predicate="intersects")
        lv, tx = level[ok][pi], text[ok][pi]
        order = np.lexsort((-lv, vi))
        vi, lv, tx = vi[order], lv[order], tx[order]
        first = np.r_[True, vi[1:] != vi[:-1]]
        best[vi[first]] = lv[first]
        best_text[vi[first]] = tx[first]
    return pd.DataFrame({"penetapan_rtrw": best_text, "level_penetapan": best}, index=index)


# --------------------------------------------------------------------------- centres


@dataclass(frozen=True)
class Centres:
    """The centres of every kawasan (see :func:`choose_centres`).

    Attributes
    ----------
    pusat : GeoDataFrame
        One point per centre: ``kawasan_id``, ``peran`` (``utama``/``kedua``), ``kode_desa``,
        ``nama_desa``, ``orde``, ``indeks_sentralitas``, ``penetapan_rtrw``, ``skor_pusat``,
        ``alasan``, ``alasan_en``.
    kawasan : DataFrame
        Per kawasan: the centre columns that go onto the ``kawasan`` layer.
    desa : DataFrame
        Per member village: ``skor_pusat``, ``kedekatan`` (closeness), ``jarak_rata_km``
        (mean road distance to the other members), ``jarak_pusat_km``.
    basis : str
        ``"jalan"`` (road network) or ``"garis_lurus"`` (straight lines: no road layer).
    weights : dict
        The weights actually used.
    """

    pusat: gpd.GeoDataFrame
    kawasan: pd.DataFrame
    desa: pd.DataFrame
    basis: str
    weights: dict[str, float]


def _closeness(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Wasserman-Faust closeness and mean distance to the reachable others, per row (metres)."""
    n = d.shape[0]
    if n == 1:
        return np.ones(1), np.zeros(1)
    off = ~np.eye(n, dtype=bool)
    reach = np.isfinite(d) & off
    r = reach.sum(axis=1)
    total = np.where(reach, d, 0.0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        close = np.where(total > 0, (r / (n - 1)) * (r / total), 0.0)
        mean = np.where(r > 0, total / np.maximum(r, 1), np.inf)
    return close, mean


def _scaled(x: np.ndarray) -> np.ndarray:
    """Min-max within the kawasan; a constant column gives 1 to everyone (it tells nothing apart)."""
    x = np.asarray(x, dtype=float)
    lo, hi = np.nanmin(x), np.nanmax(x)
    if not np.isfinite(hi - lo) or hi == lo:
        return np.ones_like(x)
    return np.nan_to_num((x - lo) / (hi - lo), nan=0.0)


def _reason(i: int, *, ctx: dict[str, Any], lang: str, runner: int | None, secondary: bool = False) -> str:
    name = ctx["name"][i]
    n = ctx["n"]
    parts: list[str] = []
    idx = ctx["index"]
    if idx is not None and np.isfinite(idx[i]):
        rank = int((idx > idx[i]).sum()) + 1
        orde = ctx["orde"][i]
        o = f", orde {_roman(int(orde))}" if np.isfinite(orde) else ""
        parts.append(
            f"indeks sentralitas {_fmt(idx[i], 1, lang)}{o} (ke-{rank} dari {n} desa)"
            if lang == "id"
            else f"centrality index {_fmt(idx[i], 1, lang)}{o.replace('orde', 'order')} (#{rank} of {n} villages)"
        )
    des = ctx["designation"][i]
    if des is not None and pd.notna(des):
        parts.append(f"ditetapkan RTRW sebagai {des}" if lang == "id" else f"designated {des} in the RTRW")
    mean = ctx["mean_km"][i]
    if np.isfinite(mean):
        rank = int((ctx["mean_km"] < mean).sum()) + 1
        via = ("lewat jalan" if lang == "id" else "by road") if ctx["basis"] == "jalan" else ("garis lurus" if lang == "id" else "straight line")
        parts.append(
            f"rata-rata {_fmt(mean, 1, lang)} km {via} ke desa anggota lain (ke-{rank} terdekat)"
            if lang == "id"
            else f"mean {_fmt(mean, 1, lang)} km {via} to the other members (#{rank} closest)"
        )
    if secondary:
        far = ctx["far_served"]
        parts.append(
            f"melayani {far} desa yang jauh dari pusat utama" if lang == "id" else f"serves {far} villages far from the primary centre"
        )
    head = (
        f"{name}: skor pusat {_fmt(ctx['score'][i], 2, lang)}"
        if lang == "id"
        else f"{name}: centre score {_fmt(ctx['score'][i], 2, lang)}"
    )
    text = head + (" - " + "; ".join(parts) if parts else "")
    if runner is not None:
        text += (
            f". Pesaing: {ctx['name'][runner]} (skor {_fmt(ctx['score'][runner], 2, lang)})"
            if lang == "id"
            else f". Runner-up: {ctx['name'][runner]} (score {_fmt(ctx['score'][runner], 2, lang)})"
        )
    return text


def choose_centres(
    villages: gpd.GeoDataFrame,
    *,
    hierarchy: pd.DataFrame | None = None,
    designation: pd.DataFrame | None = None,
    roads: RoadNetwork | None = None,
    village_points: gpd.GeoSeries | None = None,
    weights: Mapping[str, float] | None = None,
    beyond_km: float = 10.0,
    secondary_min_villages: int = 15,
) -> Centres:
    """The primary centre (and a secondary one where the kawasan is large) of every kawasan.

    Every member village gets a centre score, the weighted mean of three parts scaled to
    0-1 within its kawasan (min-max; a part that is equal for every member gives 1 to all):

    * ``hierarki``: Marshall centrality index (``hierarchy["indeks_sentralitas"]``);
    * ``aksesibilitas``: closeness within the kawasan by road (straight lines when no road
      network is given: said in ``basis`` and in the reason);
    * ``penetapan``: RTRW designation level / 5 (PKN 5 ... PPL 1, 0 without).

    Parts without data are left out and the remaining weights renormalised. The primary centre
    is the highest score (ties: higher index, then shorter mean distance, then code). A
    secondary centre is chosen when the kawasan has at least ``secondary_min_villages``
    members or a member lies more than ``beyond_km`` from the primary: the best-scoring member
    more than ``beyond_km / 2`` from the primary, since a second centre next to the first
    serves nobody new. A centre is a member village, so its point lies inside the kawasan.

    Parameters
    ----------
    villages : GeoDataFrame
        Villages with ``kode_desa``, ``nama_desa`` and ``kawasan_id`` (None outside every
        kawasan), in a projected CRS.
    hierarchy : DataFrame, optional
        Indexed by ``kode_desa`` with ``indeks_sentralitas`` and ``orde``
        (:attr:`Hierarchy.table`).
    designation : DataFrame, optional
        From :func:`designated_centres`.
    roads : RoadNetwork, optional
        From :func:`road_network`.
    village_points : GeoSeries, optional
        One point per village (index aligned to ``villages``), e.g. the village office; by
        default a point on the village's surface.
    weights : mapping, optional
        ``hierarki``, ``aksesibilitas``, ``penetapan`` (default 0.4, 0.35, 0.25).
    beyond_km : float
        Distance from the centre beyond which a member counts as far (``n_desa_jauh``).
    secondary_min_villages : int
        Kawasan with at least this many members get a secondary centre.

    Examples
    --------
    >>> from kawasan_gis.centres import choose_centres
    >>> c = choose_centres(desa_with_kawasan_id, hierarchy=h.table)  # doctest: +SKIP
    >>> c.kawasan[["kawasan_id", "pusat_nama"]]  # doctest: +SKIP
    """
    _check_projected(villages, "desa / villages")
    for col in (CODE, "nama_desa", "kawasan_id"):
        if col not in villages.columns:
            raise FieldError(f"desa tanpa kolom {col!r} / villages lack column {col!r}")
    w = dict(DEFAULT_WEIGHTS)
    if weights is not None:
        unknown = sorted(set(weights) - set(DEFAULT_WEIGHTS))
        if unknown:
            raise FieldError(f"bobot tidak dikenal / unknown centre weights {unknown}; use {sorted(DEFAULT_WEIGHTS)}")
        w.update({k: float(v) for k, v in weights.items()})
        if any(v < 0 for v in w.values()) or sum(w.values()) <= 0:
            raise FieldError("bobot pusat harus >= 0 dan tidak semuanya 0 / centre weights must be >= 0, not all 0")
    if hierarchy is None:
        w["hierarki"] = 0.0
    if designation is None:
        w["penetapan"] = 0.0
    codes = villages[CODE].astype(str).to_numpy()
    names = villages["nama_desa"].astype(str).to_numpy()
    kid = villages["kawasan_id"].to_numpy(dtype=object)
    inside = pd.notna(villages["kawasan_id"]).to_numpy() & ~np.isin(kid.astype(str), ["", "None", "nan", "<NA>"])
    if village_points is None:
        pts = shapely.point_on_surface(villages.geometry.values.to_numpy())
    else:
        pts = np.asarray(village_points.to_numpy(), dtype=object)
    idx = hierarchy["indeks_sentralitas"].reindex(codes).to_numpy(dtype=float) if hierarchy is not None else None
    orde = hierarchy["orde"].reindex(codes).to_numpy(dtype=float) if hierarchy is not None else np.full(len(codes), np.nan)
    if designation is not None:
        lvl = designation["level_penetapan"].reindex(codes).fillna(0).to_numpy(dtype=float)
        des_text = designation["penetapan_rtrw"].reindex(codes).to_numpy(dtype=object)
    else:
        lvl, des_text = np.zeros(len(codes)), np.full(len(codes), None, dtype=object)
    basis = "jalan" if roads is not None else "garis_lurus"
    attached = roads.attach(pts[inside]) if roads is not None else None
    pos_in_attached = np.full(len(codes), -1)
    pos_in_attached[inside] = np.arange(int(inside.sum()))

    score_all = np.full(len(codes), np.nan)
    close_all = np.full(len(codes), np.nan)
    mean_all = np.full(len(codes), np.nan)
    to_centre = np.full(len(codes), np.nan)
    rows: list[dict[str, Any]] = []
    pusat_rows: list[dict[str, Any]] = []
    kawasan_ids = list(dict.fromkeys(str(k) for k in kid[inside]))
    for k in kawasan_ids:
        members = np.flatnonzero(inside & (kid.astype(str) == k))
        n = len(members)
        if attached is not None:
            xy = shapely.get_coordinates(pts[members])
            # road distances are rarely more than 1.5x the straight ones (circuity): search that
            # far; the few rows cut short are searched again without a bound
            span = float(np.hypot(*np.ptp(xy, axis=0))) if n > 1 else 0.0
            limit = 1.5 * span + 2.0 * float(attached.connector[pos_in_attached[members]].max()) + 1000.0
            d = attached.distances(pos_in_attached[members], limit=limit) / 1000.0
        else:
            xy = shapely.get_coordinates(pts[members])
            d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2)) / 1000.0
        close, mean = _closeness(d)
        parts: dict[str, np.ndarray] = {}
        if idx is not None and np.isfinite(idx[members]).any():
            parts["hierarki"] = _scaled(np.where(np.isfinite(idx[members]), idx[members], np.nanmin(idx[members])))
        parts["aksesibilitas"] = _scaled(close)
        if designation is not None:
            parts["penetapan"] = lvl[members] / max(DESIGNATION_LEVELS.values())
        used = {p: w[p] for p in parts if w[p] > 0}
        total_w = sum(used.values())
        score = sum(used[p] * parts[p] for p in used) / total_w if total_w > 0 else np.zeros(n)
        tie_idx = np.nan_to_num(idx[members], nan=-1.0) if idx is not None else np.zeros(n)
        ranking = np.lexsort((codes[members], mean, -tie_idx, -np.round(score, 12)))
        primary = ranking[0]
        runner = ranking[1] if n > 1 else None
        dist_p = d[primary]
        far = dist_p > beyond_km
        second = None
        if n >= 3 and (n >= secondary_min_villages or far.any()):
            cands = [c for c in ranking[1:] if dist_p[c] > beyond_km / 2]
            if cands:
                second = cands[0]
        served = np.minimum(dist_p, d[second]) if second is not None else dist_p
        ctx = {
            "name": names[members],
            "n": n,
            "index": idx[members] if idx is not None else None,
            "orde": orde[members],
            "designation": des_text[members],
            "mean_km": mean,
            "basis": basis,
            "score": score,
            "far_served": int(((dist_p > beyond_km) & (d[second] <= beyond_km)).sum()) if second is not None else 0,
        }
        score_all[members] = score
        close_all[members] = close
        mean_all[members] = mean
        to_centre[members] = served
        reach = np.isfinite(served)
        row = {
            "kawasan_id": k,
            "pusat_kode": codes[members[primary]],
            "pusat_nama": names[members[primary]],
            "pusat_orde": _roman(int(orde[members[primary]])) if np.isfinite(orde[members[primary]]) else None,
            "pusat_penetapan": des_text[members[primary]],
            "pusat_skor": float(score[primary]),
            "pusat_alasan": _reason(primary, ctx=ctx, lang="id", runner=runner),
            "pusat_alasan_en": _reason(primary, ctx=ctx, lang="en", runner=runner),
            "pesaing_kode": codes[members[runner]] if runner is not None else None,
            "pesaing_nama": names[members[runner]] if runner is not None else None,
            "pusat_kedua_kode": codes[members[second]] if second is not None else None,
            "pusat_kedua_nama": names[members[second]] if second is not None else None,
            "jarak_rata_pusat_km": float(served[reach].mean()) if reach.any() else float("nan"),
            "jarak_maks_pusat_km": float(served[reach].max()) if reach.any() else float("nan"),
            "n_desa_jauh": int((served > beyond_km).sum()),
            "n_desa_tak_terjangkau": int((~reach).sum()),
            "dasar_jarak": basis,
        }
        rows.append(row)
        for role, j, alt in (("utama", primary, runner), ("kedua", second, None)):
            if j is None:
                continue
            m = members[j]
            pusat_rows.append(
                {
                    "kawasan_id": k,
                    "peran": role,
                    CODE: codes[m],
                    "nama_desa": names[m],
                    "orde": _roman(int(orde[m])) if np.isfinite(orde[m]) else None,
                    "indeks_sentralitas": float(idx[m]) if idx is not None else float("nan"),
                    "penetapan_rtrw": des_text[m],
                    "skor_pusat": float(score[j]),
                    "alasan": _reason(j, ctx=ctx, lang="id", runner=alt, secondary=role == "kedua"),
                    "alasan_en": _reason(j, ctx=ctx, lang="en", runner=alt, secondary=role == "kedua"),
                    "geometry": pts[m],
                }
            )
    kawasan = pd.DataFrame(rows, columns=list(rows[0]) if rows else ["kawasan_id"])
    pusat = gpd.GeoDataFrame(
        pusat_rows if pusat_rows else {c: [] for c in ("kawasan_id", "peran", CODE, "nama_desa", "geometry")},
        geometry="geometry",
        crs=villages.crs,
    )
    desa = pd.DataFrame(
        {"skor_pusat": score_all, "kedekatan": close_all, "jarak_rata_km": mean_all, "jarak_pusat_km": to_centre},
        index=pd.Index(codes, name=CODE),
    )
    used_w = {p: w[p] for p in ("hierarki", "aksesibilitas", "penetapan")}
    return Centres(pusat=pusat, kawasan=kawasan, desa=desa, basis=basis, weights=used_w)
