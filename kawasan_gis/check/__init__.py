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
- Without an RTRW layer, :func:`check_structure` runs the rule checks alone and
  :func:`write_structure` writes them, saying in every table that the zoning was not checked.

Modules, in the order the check runs: ``config`` (settings), ``plan`` (plan reading),
``zoning`` (overlay and ITBX classification), ``verdicts``, ``rules`` (Pasal 83 rule checks),
``conflicts`` (the ``konflik`` layer), ``result`` (:class:`CheckResult` and the writer),
``core`` (:func:`check_plan`, which chains them) and ``structure`` (the rules without zoning).

Imports: this sub-package is a step; it may import ``kawasan_gis.io``, ``vocab``, ``overlay``,
``regionalize`` (the contiguity graph), ``i18n``, ``errors`` and ``_atomic``, never
``pipeline``, ``maps``, ``report`` or ``cli``.

Examples
--------
>>> import pandas as pd
>>> from kawasan_gis.io import read_class_layer, read_villages
>>> from kawasan_gis.vocab import apply_mapping
>>> from kawasan_gis.check import check_plan, read_plan
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

from kawasan_gis.check.config import LEVELS, RULES, CheckConfig, RuleText, Thresholds, load_check_config
from kawasan_gis.check.core import check_plan
from kawasan_gis.check.plan import Plan, read_plan
from kawasan_gis.check.result import CheckResult, write_check
from kawasan_gis.check.structure import StructureResult, check_structure, write_structure
from kawasan_gis.check.verdicts import FAIL_LEVELS, VERDICTS
from kawasan_gis.check.zoning import OUTSIDE, STATUSES

__all__ = [
    "FAIL_LEVELS",
    "LEVELS",
    "OUTSIDE",
    "RULES",
    "STATUSES",
    "VERDICTS",
    "CheckConfig",
    "CheckResult",
    "Plan",
    "RuleText",
    "StructureResult",
    "Thresholds",
    "check_plan",
    "check_structure",
    "load_check_config",
    "read_plan",
    "write_check",
    "write_structure",
]
