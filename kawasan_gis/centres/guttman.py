"""The Guttman scalogram of a village x facility-type matrix.

Owns :func:`scalogram` and :class:`Scalogram` (Guttman 1950; as used in RPKP documents): the
village x type presence matrix is sorted by row totals (villages with most types on top) and
column totals (most common types on the left; ties keep the input order). A village with ``s``
types is *perfect* when it has exactly the ``s`` most common ones. **Errors** are the cells that
differ from that perfect row (Goodenough-Edwards counting: a missing common type and an extra
rare type are two errors). ``COR = 1 - e / (N x K)`` (coefficient of reproducibility; ``N``
villages, ``K`` types), acceptable at >= 0.90. The variant ``COR' = (T - e) / T`` with ``T``
the number of present cells is reported as ``cor_present``.
``MMR = sum_j max(n_j, N - n_j) / (N x K)`` (minimum marginal reproducibility, ``n_j`` villages
having type j) and ``CS = (COR - MMR) / (1 - MMR)`` (coefficient of scalability), acceptable
at >= 0.60.

Imports :mod:`kawasan_gis.centres.common` only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kawasan_gis.centres.common import _fmt, _part

__all__ = [
    "COR_ACCEPTED",
    "CS_ACCEPTED",
    "Scalogram",
    "scalogram",
]

COR_ACCEPTED = 0.90
"""Usual acceptance level of the coefficient of reproducibility."""
CS_ACCEPTED = 0.60
"""Usual acceptance level of the coefficient of scalability."""


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
