"""The settlement hierarchy: Marshall centrality, hierarchy orders and both with the scalogram.

Owns :func:`centrality` (:class:`Centrality`), :func:`hierarchy_orders` (:class:`Orders`,
:func:`sturges_k`) and :func:`settlement_hierarchy` (:class:`Hierarchy`), which puts them
together with :func:`kawasan_gis.centres.guttman.scalogram`.

* **Marshall centrality**: weight of type j ``C_j = 100 / T_j`` with ``T_j`` the total units of
  j in the system (``basis="units"``) or the number of villages having j
  (``basis="presence"``, the other variant in the literature); village index
  ``I_i = sum_j x_ij C_j`` with ``x_ij`` its units (``units``) or presence (``presence``).
* **Orders**: Sturges ``k = 1 + 3.322 log10 n`` classes (rounded to the nearest whole number)
  of equal width between the lowest and the highest index, or natural breaks (Fisher-Jenks,
  :mod:`mapclassify`); order I is the highest class.

Imports :mod:`kawasan_gis.centres.guttman`, :mod:`kawasan_gis.centres.common` and
:mod:`kawasan_gis.errors`.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from kawasan_gis.centres.common import _fmt, _part, _roman
from kawasan_gis.centres.guttman import Scalogram, scalogram
from kawasan_gis.errors import FieldError

log = logging.getLogger(__name__)

__all__ = [
    "FACILITY_CATEGORIES",
    "Centrality",
    "centrality",
    "Hierarchy",
    "hierarchy_orders",
    "Orders",
    "settlement_hierarchy",
    "sturges_k",
]

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
    """Hierarchy orders: ``order`` per village (the ``orde`` column), 1 (= I) the highest class."""

    order: pd.Series
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
        ``order`` (1 = highest) aligned to ``index``, the class bounds from low to high.

    Examples
    --------
    >>> import pandas as pd
    >>> from kawasan_gis.centres import hierarchy_orders
    >>> hierarchy_orders(pd.Series([0.0, 10, 20, 30, 100]), n_classes=2).order.tolist()
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
        return Orders(order=orde, edges=np.array([]), k=k, method=method)
    lo, hi = float(valid.min()), float(valid.max())
    distinct = int(valid.nunique())
    if hi == lo:
        orde.loc[valid.index] = 1.0
        return Orders(order=orde, edges=np.array([lo, hi]), k=1, method=method)
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
    return Orders(order=orde, edges=edges, k=k, method=method)


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
            "orde": orders.order,
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
