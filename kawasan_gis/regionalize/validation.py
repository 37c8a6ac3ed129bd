"""Checks at the door of :func:`propose_kawasan`: the options, the village layer and the scores.

Owns the names of the columns the proposal reads and the one function that checks everything
before any work starts: option problems are gathered into one error, the village layer is held
to the package's contract (:func:`kawasan_gis.io.require_villages`), score problems are listed
together. Messages name the villages concerned (the first ten, then how many more).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from kawasan_gis.errors import ConfigError, FieldError
from kawasan_gis.i18n import format_list
from kawasan_gis.io import require_villages
from kawasan_gis.regionalize.solvers import SOLVERS, Solver

__all__ = ["SCORE_PREFIX", "VILLAGE_COLUMNS", "solver_of", "validate"]

VILLAGE_COLUMNS = ("kode_desa", "nama_desa", "kode_kec", "kode_kab", "jenis")
SCORE_PREFIX = "skor_"


def solver_of(method: Any) -> Solver | None:
    """The solver a ``method`` option names (a name in :data:`SOLVERS` or an instance), else None."""
    if isinstance(method, Solver):
        return method
    if isinstance(method, str) and method in SOLVERS:
        return SOLVERS[method]()
    return None


def validate(
    villages: gpd.GeoDataFrame,
    scores: pd.DataFrame,
    *,
    method: Any,
    n_zones: Any,
    min_villages: Any,
    max_villages: Any,
    max_area_ha: Any,
    snap: Any,
    potential_columns: Sequence[str] | None,
    n_perturb: Any,
    jitter: Any,
) -> tuple[Solver, list[str]]:
    """Check every option and input of :func:`propose_kawasan` once; return the solver and score columns.

    Option problems are gathered into one :class:`ConfigError`; the village layer goes through
    :func:`kawasan_gis.io.require_villages`; score problems are gathered into one
    :class:`FieldError` per kind (columns, then rows).
    """
    bad = []
    solver = solver_of(method)
    if solver is None:
        names = " or ".join(repr(name) for name in SOLVERS)
        bad.append(f"method must be {names} or a Solver instance, not {method!r}")
    if not (isinstance(min_villages, int | np.integer) and min_villages >= 1):
        bad.append(f"min_villages must be an integer >= 1, not {min_villages!r}")
    elif max_villages is not None and not (isinstance(max_villages, int | np.integer) and max_villages >= min_villages):
        bad.append(f"max_villages must be an integer >= min_villages ({min_villages}), not {max_villages!r}")
    if max_area_ha is not None and not (isinstance(max_area_ha, int | float) and max_area_ha > 0):
        bad.append(f"max_area_ha must be a positive number of hectares, not {max_area_ha!r}")
    if n_zones is not None:
        if solver is not None and not solver.takes_k:
            takers = " or ".join(f"method={name!r}" for name, cls in SOLVERS.items() if cls.takes_k)
            bad.append(f"n_zones applies to {takers} only")
        values = n_zones.values() if isinstance(n_zones, Mapping) else [n_zones]
        if not all(isinstance(k, int | np.integer) and k >= 1 for k in values):
            bad.append(f"n_zones must be an integer >= 1 or a mapping kode_kab -> integer >= 1, not {n_zones!r}")
    if not (isinstance(snap, int | float) and snap >= 0):
        bad.append(f"snap must be a distance >= 0 in metres, not {snap!r}")
    if not (isinstance(n_perturb, int | np.integer) and n_perturb >= 0):
        bad.append(f"n_perturb must be an integer >= 0, not {n_perturb!r}")
    if not (isinstance(jitter, int | float) and jitter >= 0):
        bad.append(f"jitter must be a number >= 0, not {jitter!r}")
    if bad:
        raise ConfigError("Pilihan usulan kawasan tidak sah / Invalid options for propose_kawasan.", problems=bad)

    require_villages(villages, step="regionalize", columns=VILLAGE_COLUMNS)
    if not isinstance(scores, pd.DataFrame):
        raise TypeError(f"scores must be a DataFrame indexed by kode_desa, not {type(scores).__name__}.")
    problems: list[str] = []
    if potential_columns is None:
        columns = [c for c in scores.columns if isinstance(c, str) and c.startswith(SCORE_PREFIX)]
        if not columns:
            problems.append("scores has no skor_<potential> columns")
    else:
        columns = list(potential_columns)
        absent = [c for c in columns if c not in scores.columns]
        if absent:
            problems.append(f"scores lacks the potential columns {absent}")
        if not columns:
            problems.append("potential_columns is empty")
    if "potensi_dominan" not in scores.columns:
        problems.append("scores lacks the column 'potensi_dominan'")
    if scores.index.has_duplicates:
        problems.append(f"scores index has duplicated codes: {_listed(sorted(set(map(str, scores.index[scores.index.duplicated()]))))}")
    if problems:
        raise FieldError("Kolom yang dibutuhkan untuk mengusulkan kawasan tidak ada / Columns needed to propose kawasan are missing.", problems=problems)
    if villages.empty:
        raise FieldError("Lapisan desa kosong / The villages layer is empty.")
    kode = villages["kode_desa"].astype(str)
    missing = sorted(set(kode) - set(map(str, scores.index)))
    if missing:
        raise FieldError(
            f"scores has no row for {len(missing)} village(s); index scores by kode_desa.",
            problems=[f"missing: {_listed(missing)}"],
        )
    s = scores.set_axis(scores.index.astype(str)).loc[kode.to_numpy()]
    scored = s["potensi_dominan"].notna().to_numpy()
    if not scored.any():
        raise FieldError(
            "tidak ada desa dengan potensi pengembangan (data kurang atau kawasan lindung) / no village "
            "has a development potential (too little evidence or kawasan lindung): check that the layers "
            "overlap the villages and that their classes were mapped."
        )
    # a village without a dominant potential stays out of every kawasan, whatever its scores; in a
    # scored village an empty score is a potential not scored there (silent), not a broken value
    raw = s[columns]
    values = raw.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    broken = np.isinf(values) | (raw.notna().to_numpy() & np.isnan(values))
    not_finite = kode.to_numpy()[scored & broken.any(axis=1)]
    problems = []
    if len(not_finite):
        problems.append(f"scores infinite or not numeric for: {_listed(sorted(not_finite))}")
    jenis = villages["jenis"].astype(str).str.lower()
    odd = sorted(set(jenis) - {"desa", "kelurahan"})
    if odd:
        problems.append(f"jenis must be 'desa' or 'kelurahan', found {odd}")
    if problems:
        raise FieldError("Skor atau atribut desa tidak dapat dipakai / Scores or village attributes cannot be used.", problems=problems)
    assert solver is not None  # an unknown method raised with the other options
    return solver, columns


def _listed(items: Iterable[object]) -> str:
    return format_list(items, lang="en")
