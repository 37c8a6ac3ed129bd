"""The layer report: what reading a layer found and what it repaired.

Every reader attaches a :class:`LayerReport` to the frame it returns
(``gdf.attrs["kawasan_report"]``); ``kawasan validate`` prints it and the HTML report lists it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import geopandas as gpd

from kawasan_gis.i18n import format_number, in_language


@dataclass
class Repair:
    """One kind of automatic change made to a layer."""

    what: str
    count: int
    features: list[str] = field(default_factory=list)

    def text(self, lang: str | None = None) -> str:
        """``what: count (features)``; in ``lang`` when given, else both languages."""
        shown = ", ".join(self.features[:10]) + (" ..." if len(self.features) > 10 else "")
        what = in_language(self.what, lang) if lang else str(self.what)
        return f"{what}: {format_number(self.count, 0, lang or 'id')}" + (f" ({shown})" if shown else "")


@dataclass
class LayerReport:
    """What reading a layer found and did; printed by ``kawasan validate``."""

    path: str
    layer: str | None
    kind: str
    n_read: int = 0
    n_features: int = 0
    geometry_types: list[str] = field(default_factory=list)
    crs_source: str | None = None
    crs_assumed: bool = False
    working_crs: str | None = None
    working_crs_reason: str = ""
    columns: dict[str, str | None] = field(default_factory=dict)
    repairs: list[Repair] = field(default_factory=list)
    code_problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    coverage: dict[str, float] = field(default_factory=dict)
    area_ha: float | None = None
    usable: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_text(self) -> str:
        lines = [f"Berkas / file : {self.path}" + (f"  [layer {self.layer}]" if self.layer else "")]
        lines.append(f"Jenis / kind  : {self.kind}")
        lines.append(f"Fitur         : {self.n_features} (dibaca {self.n_read})  {', '.join(self.geometry_types)}")
        crs = self.crs_source or "-"
        lines.append(f"CRS sumber    : {crs}" + ("  (diasumsikan / assumed)" if self.crs_assumed else ""))
        if self.working_crs:
            lines.append(f"CRS kerja     : {self.working_crs}  {self.working_crs_reason}")
        if self.area_ha is not None:
            lines.append(f"Luas          : {self.area_ha:,.1f} ha")
        if self.columns:
            lines.append("Kolom terdeteksi / detected columns:")
            lines += [f"  {k:<10} <- {v if v else '(tidak ada / none)'}" for k, v in self.columns.items()]
        if self.repairs:
            lines.append("Perbaikan otomatis / repairs:")
            lines += [f"  - {r.text()}" for r in self.repairs]
        if self.code_problems:
            lines.append(f"Masalah kode / code problems ({len(self.code_problems)}):")
            lines += [f"  - {p}" for p in self.code_problems[:20]]
            if len(self.code_problems) > 20:
                lines.append(f"  ... {len(self.code_problems) - 20} lagi / more")
        if self.coverage:
            c = self.coverage
            lines.append(
                "Cakupan / coverage: "
                f"{int(c.get('n_gaps', 0))} celah (gaps) {c.get('gap_ha', 0.0):,.2f} ha; "
                f"{int(c.get('n_overlaps', 0))} tumpang tindih (overlaps) {c.get('overlap_ha', 0.0):,.2f} ha"
            )
        lines += [f"Catatan: {n}" for n in self.notes]
        lines.append("Status        : " + ("dapat dipakai / usable" if self.usable else "TIDAK dapat dipakai / unusable"))
        return "\n".join(lines)


def layer_report(gdf: gpd.GeoDataFrame) -> LayerReport | None:
    """The :class:`LayerReport` a reader attached to ``gdf``, if any."""
    rep = gdf.attrs.get("kawasan_report")
    return rep if isinstance(rep, LayerReport) else None
