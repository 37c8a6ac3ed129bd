"""The plan's structure alone, when no RTRW layer is at hand: the rule checks without zoning.

Owns :class:`StructureResult`, :func:`check_structure` (the rule checks of
:mod:`~kawasan_gis.check.rules`, UU 6/2014 Pasal 83 and the planning rules: one kabupaten,
contiguity, at least two villages, kecamatan and kelurahan for information) and
:func:`write_structure`. Every table it writes says that the zoning was not checked
(``pemeriksaan_zonasi``), so a structure-only result is never read as an RTRW check.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import pandas as pd

from kawasan_gis import io as kio
from kawasan_gis._atomic import atomic_folder
from kawasan_gis.check.config import CheckConfig, load_check_config
from kawasan_gis.check.plan import DASAR_COLUMN, Plan
from kawasan_gis.check.result import CHECK_GEOMETRY, StyleMaker
from kawasan_gis.check.rules import check_rules
from kawasan_gis.i18n import check_lang, t

__all__ = ["StructureResult", "check_structure", "write_structure"]


@dataclass(frozen=True, eq=False)
class StructureResult:
    """Result of :func:`check_structure`.

    Attributes
    ----------
    kawasan : geopandas.GeoDataFrame
        One row per kawasan: ``kawasan_id``, ``nama``, ``potensi``, ``n_desa``, ``luas_ha``,
        ``n_error`` (rule checks failed), ``aturan`` (findings, one per line),
        ``pemeriksaan_zonasi`` (that the zoning was not checked, in the check's language), geometry.
    villages : geopandas.GeoDataFrame
        The member villages: ``kawasan_id``, ``kode_desa``, ``nama_desa``, ``nama_kec``,
        ``jenis``, ``potensi``, geometry.
    rules : pandas.DataFrame
        ``kawasan_id``, ``rule``, ``level``, ``message``, ``dasar`` as in :class:`CheckResult`.
    info : dict
        ``plan`` (source), ``lang``, ``zonasi_diperiksa`` (always False).
    """

    kawasan: gpd.GeoDataFrame
    villages: gpd.GeoDataFrame
    rules: pd.DataFrame
    info: dict[str, Any]

    @property
    def note(self) -> str:
        """That the zoning was not checked, in the language of the check."""
        return t("zoning_not_checked", str(self.info.get("lang", "id")))


def check_structure(
    plan: Plan,
    *,
    villages: gpd.GeoDataFrame | None = None,
    bridges: pd.DataFrame | Iterable[tuple[str, str]] | None = None,
    config: CheckConfig | None = None,
    lang: Literal["id", "en"] = "id",
) -> StructureResult:
    """Check a plan's structure (Pasal 83 and the planning rules) without an RTRW layer.

    The same rule checks :func:`~kawasan_gis.check.check_plan` runs, with the same messages and
    legal basis; no ITBX status, verdict or conflict, since nothing is known of the zoning.

    Parameters
    ----------
    plan : Plan
        From :func:`~kawasan_gis.check.read_plan`.
    villages : GeoDataFrame, optional
        The whole village layer (default the one the plan was read with): the contiguity graph.
    bridges : DataFrame or iterable of (kode, kode), optional
        Extra neighbour pairs, as for :func:`~kawasan_gis.check.check_plan`.
    config : CheckConfig, optional
        Default :func:`~kawasan_gis.check.load_check_config` (rule levels and messages).
    lang : {"id", "en"}

    Examples
    --------
    >>> import pandas as pd
    >>> from kawasan_gis.io import read_villages
    >>> from kawasan_gis.check import check_structure, read_plan
    >>> desa = read_villages("data/rtrw_lampung_timur/desa_lampung_timur.gpkg", check_coverage=False)
    >>> tabel = pd.DataFrame({"kode_desa": ["1807012001", "1807012002"], "kawasan_id": "K1", "potensi": "permukiman"})
    >>> hasil = check_structure(read_plan(tabel, desa))
    >>> hasil.rules["rule"].tolist(), hasil.kawasan["n_error"].tolist()
    (['bersambung', 'kecamatan'], [1])
    >>> hasil.note
    'Zonasi RTRW TIDAK diperiksa (tidak ada lapisan RTRW): hanya struktur rencana yang diperiksa'
    """
    check_lang(lang)
    cfg = config if config is not None else load_check_config()
    villages = plan.villages if villages is None else villages
    rules = check_rules(plan, villages, cfg, bridges=bridges, lang=lang)
    kaw = plan.kawasan.reset_index(drop=True)
    kawasan = kaw[["kawasan_id", "nama", "potensi", "n_desa", "luas_ha"]].copy()
    kawasan["n_error"] = [int(((rules["kawasan_id"] == k) & (rules["level"] == "error")).sum()) for k in kawasan["kawasan_id"]]
    kawasan["aturan"] = [
        "\n".join(f"[{lv}] {msg}" for lv, msg in rules.loc[rules["kawasan_id"] == k, ["level", "message"]].itertuples(index=False))
        for k in kawasan["kawasan_id"]
    ]
    kawasan["pemeriksaan_zonasi"] = t("zoning_not_checked", lang)
    kawasan = gpd.GeoDataFrame(kawasan, geometry=kaw.geometry.to_numpy(), crs=kaw.crs)
    desa = plan.members.reset_index(drop=True)
    cols = [c for c in ("kawasan_id", "kode_desa", "nama_desa", "nama_kec", "jenis", "potensi", DASAR_COLUMN) if c in desa.columns]
    desa_out = gpd.GeoDataFrame(desa[cols], geometry=desa.geometry.to_numpy(), crs=desa.crs)
    return StructureResult(kawasan=kawasan, villages=desa_out, rules=rules, info={"plan": plan.source, "lang": lang, "zonasi_diperiksa": False})


def write_structure(result: StructureResult, out_dir: str | Path, *, styles: StyleMaker | None = None) -> Path:
    """Write ``check.gpkg`` (layers kawasan, desa), ``check.csv`` and ``check.xlsx`` (with a ``catatan`` sheet).

    All-or-nothing, as :func:`~kawasan_gis.check.write_check`, with the same default QGIS
    ``styles``; the same file names, so a folder never holds an RTRW check and a structure
    check side by side.
    """
    out_dir = Path(out_dir)
    with atomic_folder(out_dir, merge=True) as tmp:
        layers = {"kawasan": result.kawasan, "desa": result.villages}
        kio.write_layers(tmp / "check.gpkg", layers, styles=styles(layers) if styles else None, geometry_types=CHECK_GEOMETRY)
        summary = pd.DataFrame(result.kawasan.drop(columns=result.kawasan.geometry.name))
        summary.to_csv(tmp / "check.csv", index=False, encoding="utf-8")
        with pd.ExcelWriter(tmp / "check.xlsx", engine="openpyxl") as xw:
            pd.DataFrame({"catatan": [t("zoning_not_checked", "id"), t("zoning_not_checked", "en")]}).to_excel(
                xw, sheet_name="catatan", index=False
            )
            summary.to_excel(xw, sheet_name="kawasan", index=False)
            pd.DataFrame(result.villages.drop(columns=result.villages.geometry.name)).to_excel(xw, sheet_name="desa", index=False)
            result.rules.to_excel(xw, sheet_name="aturan", index=False)
    return out_dir
