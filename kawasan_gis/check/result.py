"""The result of the plan check and its writer.

Owns :class:`CheckResult` (the kawasan, village, per-class, conflict and rule tables with
the thresholds used) and :func:`write_check` (``check.gpkg``, ``check.csv`` and
``check.xlsx``, written all-or-nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from kawasan_gis import io as kio
from kawasan_gis._atomic import atomic_folder
from kawasan_gis.check.config import Thresholds
from kawasan_gis.check.verdicts import fail_message, failing_kawasan

__all__ = ["CHECK_GEOMETRY", "CheckResult", "StyleMaker", "write_check"]

StyleMaker = Callable[[Mapping[str, gpd.GeoDataFrame]], Mapping[str, kio.LayerStyle]]
"""Default QGIS styles for the layers of ``check.gpkg`` (the check draws no maps itself:
``kawasan check`` passes :func:`kawasan_gis.maps.qgis.qgis_styles` with its ``CHECK_FIELDS``)."""

CHECK_GEOMETRY = {"kawasan": "MultiPolygon", "konflik": "MultiPolygon", "desa": "MultiPolygon"}
"""Geometry types of ``check.gpkg``'s layers, for a layer written empty (a plan with no conflict)."""


@dataclass(frozen=True, eq=False)
class CheckResult:
    """Result of :func:`check_plan`.

    Attributes
    ----------
    kawasan : geopandas.GeoDataFrame
        One row per kawasan: ``kawasan_id``, ``nama``, ``potensi``, ``n_desa``, ``luas_ha``
        (area of the kawasan geometry: for a kawasan of villages their union, overlaps counted
        once), ``ha_I``, ``ha_T``, ``ha_B``, ``ha_X``, ``ha_L`` (kawasan lindung kept
        protected), ``ha_outside`` (summing to ``luas_ha``), ``pct_I`` ... ``pct_L``,
        ``pct_outside`` (0-100 with one decimal, summing to exactly 100.0),
        ``ha_ruang_kembang`` / ``pct_ruang_kembang`` (the development room: area outside
        kawasan lindung kept, which the verdict judges), ``pct_dasar_zonasi`` (NaN when the
        plan says nothing), ``verdict`` (``sesuai`` / ``sesuai bersyarat`` / ``tidak sesuai``),
        ``alasan_verdict`` / ``alasan_verdict_en`` (why), ``n_error`` (rule checks failed),
        ``aturan`` (rule findings, one per line), geometry.
    villages : geopandas.GeoDataFrame
        One row per member village: ``kawasan_id``, ``kode_desa``, ``nama_desa``, ``nama_kec``,
        ``potensi``, ``luas_ha`` and the same ha/pct columns (``L`` included). For polygon
        plans the village part inside its kawasan polygon is measured, and lindung there is X.
    per_class : pandas.DataFrame
        ``kawasan_id``, ``potensi``, ``kelas``, ``nama_kelas``, ``status``, ``sebab``
        (``pola_ruang``, ``lp2b``, ``rawan_bencana``: what set the status), ``luas_ha``,
        ``pct``; area outside the RTRW is a row with ``kelas`` ``luar_rtrw``, status ``outside``;
        kawasan lindung kept has status ``L``, cause ``lindung``.
    conflicts : geopandas.GeoDataFrame
        One row per kawasan x class x status x cause of X (and, when asked, B) area, and of
        kawasan lindung kept (status ``L``: not a conflict, drawn apart from X on the maps):
        ``kawasan_id``, ``kelas``, ``nama_kelas``, ``status``, ``sebab``, ``luas_ha``,
        ``desa`` (the villages it falls in with their hectares, largest first), ``kode_desa``
        (their codes), geometry.
    rules : pandas.DataFrame
        ``kawasan_id``, ``rule``, ``level`` (error / warning / info), ``message``, ``dasar``.
    thresholds : Thresholds
    info : dict
        ``rtrw_overlap_ha`` (RTRW area where zones overlapped anywhere in the layer, resolved
        lindung first),
        ``n_zones`` (planar RTRW pieces), ``plan`` (source), ``lang``.
    """

    kawasan: gpd.GeoDataFrame
    villages: gpd.GeoDataFrame
    per_class: pd.DataFrame
    conflicts: gpd.GeoDataFrame
    rules: pd.DataFrame
    thresholds: Thresholds
    info: dict[str, Any]

    def failing(self, level: str) -> pd.DataFrame:
        """The kawasan that fail ``level`` (see :data:`~kawasan_gis.check.FAIL_LEVELS`): ``kawasan_id``, ``ha_X``, ``ha_B``, ``pct_luar``.

        ``prohibited``: X area above ``thresholds.toleransi_ha``, or a kawasan whose
        development room the RTRW leaves uncovered above ``tidak_sesuai_pct_outside`` %;
        ``conditional``: also B area above the tolerance, or uncovered room above
        ``bersyarat_pct_outside`` %; ``never``: none. See
        :func:`~kawasan_gis.check.verdicts.failing_kawasan`.
        """
        return failing_kawasan(self.kawasan, level, self.thresholds)

    def fails(self, level: str) -> bool:
        """Whether some kawasan fails ``level``."""
        return not self.failing(level).empty

    def failure(self, level: str, *, lang: str | None = None) -> str | None:
        """Why the plan fails ``level``: how many kawasan, which, their hectares; None when it passes.

        The one fail-on rule of ``kawasan check --fail-on`` and ``kawasan run``. ``lang``
        defaults to the language the check was run in.
        """
        return fail_message(self.kawasan, level, self.thresholds, lang=lang or str(self.info.get("lang", "id")))


def write_check(result: CheckResult, out_dir: str | Path, *, styles: StyleMaker | None = None) -> Path:
    """Write ``check.gpkg`` (layers kawasan, konflik, desa), ``check.csv`` and ``check.xlsx``.

    Everything is written into a temporary folder next to ``out_dir`` first and moved into
    place only when all three files are complete, so a failure leaves no partial output (an
    existing ``out_dir`` keeps its other files; the three are replaced). ``styles`` makes the
    layers' default QGIS styles, stored in ``check.gpkg`` so that QGIS opens them styled.

    Returns
    -------
    Path
        ``out_dir``.
    """
    out_dir = Path(out_dir)
    names = ("check.gpkg", "check.csv", "check.xlsx")
    with atomic_folder(out_dir, merge=True) as tmp:
        layers = {"kawasan": result.kawasan, "konflik": result.conflicts, "desa": result.villages}
        kio.write_layers(tmp / names[0], layers, styles=styles(layers) if styles else None, geometry_types=CHECK_GEOMETRY)
        summary = pd.DataFrame(result.kawasan.drop(columns=result.kawasan.geometry.name))
        summary.to_csv(tmp / names[1], index=False, encoding="utf-8")
        with pd.ExcelWriter(tmp / names[2], engine="openpyxl") as xw:
            summary.to_excel(xw, sheet_name="kawasan", index=False)
            pd.DataFrame(result.villages.drop(columns=result.villages.geometry.name)).to_excel(xw, sheet_name="desa", index=False)
            result.per_class.to_excel(xw, sheet_name="per_kelas", index=False)
            pd.DataFrame(result.conflicts.drop(columns=result.conflicts.geometry.name)).to_excel(xw, sheet_name="konflik", index=False)
            result.rules.to_excel(xw, sheet_name="aturan", index=False)
    return out_dir
