"""The run report ``laporan.html``: one self-contained page a planner reads top to bottom.

Sections: summary, the print map (embedded as base64 PNG), inputs and what was repaired
(the :class:`~kawasan_gis.io.LayerReport` of every layer read), indicator coverage, the
kawasan table with profiles and compliance, the conflict list, and the method and its
parameters. The page has no external assets (CSS inline, image embedded) so it can be
mailed or archived as is, and every value goes through Jinja2's autoescaping.
"""

from __future__ import annotations

import base64
import datetime as _dt
import math
import os
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import geopandas as gpd
import jinja2
from markupsafe import Markup
import numpy as np
import pandas as pd

from kawasan_gis._atomic import write_text
from kawasan_gis._values import is_present
from kawasan_gis.errors import DataSourceError, FieldError
from kawasan_gis.i18n import LABELS, check_lang, format_number, in_language, t
from kawasan_gis.maps import GREY, ITBX_COLOURS, class_styles, potential_styles
from kawasan_gis.vocab import load_potentials

__all__ = ["write_report"]


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("kawasan_gis", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _version() -> str:
    try:
        return metadata.version("kawasan_gis")
    except metadata.PackageNotFoundError:
        return "dev"


def _report_dict(report: Any, lang: str) -> dict[str, Any]:
    """A layer report as a dict with every key the template reads, its texts in ``lang``.

    The heading is the file's name, not the path on the machine that ran it (a report is
    mailed and archived); repairs, notes and the CRS reason come in both languages
    (:class:`~kawasan_gis.i18n.Message`) and are shown in ``lang``.
    """
    data = report.to_dict() if hasattr(report, "to_dict") else dict(report)
    defaults: dict[str, Any] = {
        "path": "", "layer": None, "kind": "", "n_read": 0, "n_features": 0, "geometry_types": [], "crs_source": None,
        "crs_assumed": False, "working_crs": None, "working_crs_reason": "", "columns": {}, "repairs": [],
        "code_problems": [], "notes": [], "coverage": {}, "area_ha": None, "usable": True,
    }
    out = {**defaults, **data}
    out["name"] = Path(str(out["path"])).name if out["path"] else "–"
    kind = str(out["kind"])
    out["kind"] = t(f"kind_{kind}", lang) if f"kind_{kind}" in LABELS else kind
    out["n_read"], out["n_features"] = format_number(out["n_read"], 0, lang), format_number(out["n_features"], 0, lang)
    out["working_crs_reason"] = in_language(out["working_crs_reason"], lang)
    out["notes"] = [in_language(n, lang) for n in out["notes"]]
    out["code_problems"] = [in_language(n, lang) for n in out["code_problems"]]
    repairs = [r if isinstance(r, Mapping) else {"what": str(r), "count": "", "features": []} for r in out["repairs"]]
    out["repairs"] = [{"what": in_language(r.get("what", ""), lang),
                       "count": format_number(r["count"], 0, lang) if isinstance(r.get("count"), (int, float)) else r.get("count", ""),
                       "features": list(r.get("features", []))} for r in repairs]
    return out


def _flatten(params: Mapping[str, Any], lang: str, prefix: str = "") -> list[tuple[str, str]]:
    """``key.sub`` -> value rows; paths shown by file name, numbers in ``lang``'s style, no value as "–"."""
    rows: list[tuple[str, str]] = []
    for key, value in params.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            rows += _flatten(value, lang, name + ".")
        elif isinstance(value, (list, tuple, set)):
            rows.append((name, ", ".join(_param(v, name, lang) for v in value)))
        else:
            rows.append((name, _param(value, name, lang)))
    return rows


def _param(value: Any, key: str, lang: str) -> str:
    """A config value as the report shows it; whole numbers (seeds, village counts) as written."""
    if not is_present(value):
        return "–"
    if isinstance(value, bool):
        return t("ya" if value else "tidak", lang)
    if isinstance(value, float):
        return format_number(value, _decimals(value), lang)
    if isinstance(value, (str, os.PathLike)) and (key.endswith((".path", ".mapping", ".crosswalk", ".catalogue", ".matrix", ".program"))
                                                   or key == "source"):
        return Path(str(value)).name
    return str(value)


def _decimals(value: float) -> int:
    """Decimals that show a config value as written (0.05 -> 2, 30.0 -> 0, 2.5 -> 1), at most 4."""
    for d in range(5):
        if abs(value - round(value, d)) < 1e-9:
            return d
    return 4


def _coverage(indicator_coverage: Any, lang: str, catalogue: Iterable[Any]) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    if indicator_coverage is None:
        return [], None
    if isinstance(indicator_coverage, pd.DataFrame):
        frame = indicator_coverage.reset_index() if indicator_coverage.index.name else indicator_coverage
        rows = [[_cell(v, lang) for v in row] for row in frame.itertuples(index=False)]
        return [], {"header": [str(c) for c in frame.columns], "rows": rows}
    labels = _indicator_labels(catalogue, lang)
    out = []
    for indicator, status in indicator_coverage.items():
        ok = status is None or status is True
        reason = "" if ok or status is False else in_language(status, lang)
        out.append({"indicator": labels.get(str(indicator), str(indicator)), "ok": ok, "reason": reason})
    out.sort(key=lambda c: (c["ok"], c["indicator"]))
    return out, None


def _indicator_labels(catalogue: Iterable[Any], lang: str) -> dict[str, str]:
    """Readable names of the coverage keys: ``potential.indicator``, ``potential`` and ``masukan.<input>``."""
    labels = {f"masukan.{k}": t(f"input_{k}", lang) for k in ("landcover", "landuse", "table", "rtrw", "lines", "points")}
    labels["ruang_kembang"] = t("ruang_kembang", lang)
    for pot in catalogue:
        name = str(pot.nama if lang == "id" else pot.name) or str(pot.code)
        labels[str(pot.code)] = name
        for spec in getattr(pot, "indicators", ()):
            labels[f"{pot.code}.{spec.id}"] = f"{name}: {spec.label(lang)}"
    return labels


def _cell(value: Any, lang: str) -> str:
    if isinstance(value, (float, np.floating)):
        return format_number(value, 2, lang)
    return "" if not is_present(value) else str(value)


def _profiles(desa: pd.DataFrame, pots: Mapping[str, Any], lang: str) -> dict[str, list[dict[str, Any]]]:
    """Area-weighted mean score per potential of each kawasan's villages.

    The potentials are the catalogue's (``pots``): other ``skor_*`` columns a table may
    carry are not potentials and get no bar.
    """
    score_cols = [f"skor_{code}" for code in pots if f"skor_{code}" in desa.columns]
    if not score_cols or "kawasan_id" not in desa.columns:
        return {}
    member = desa[desa["kawasan_id"].notna()]
    weight = member["luas_ha"].astype(float) if "luas_ha" in member.columns else pd.Series(1.0, index=member.index)
    out: dict[str, list[dict[str, Any]]] = {}
    for kid, group in member.groupby("kawasan_id", sort=False):
        w = weight.loc[group.index]
        rows = []
        for col in score_cols:
            values = group[col].astype(float)
            ok = values.notna()
            mean = float(np.average(values[ok], weights=w[ok])) if ok.any() and w[ok].sum() > 0 else float("nan")
            code = str(col)[len("skor_"):]
            st = pots.get(code)
            rows.append({
                "label": st.label if st else code,
                "colour": st.colour if st else GREY,
                "value": format_number(mean, 2, lang),
                "width": 0 if math.isnan(mean) else round(100 * min(max(mean, 0.0), 1.0)),
                "order": list(pots).index(code) if code in pots else len(pots),
            })
        rows.sort(key=lambda r: r["order"])
        out[str(kid)] = rows
    return out


PILLAR_COLOURS = ("#1565c0", "#6d4c41", "#2e7d32", "#00838f")


def pillar_svg(values: Mapping[str, Any], labels: Mapping[str, str], lang: str) -> str:
    """The four pillars of one kawasan as a horizontal bar chart (inline SVG, 0-1 scale).

    A pillar without data gets no bar and the words "tidak ada data" / "no data", never a 0.
    Every text is escaped here; the result is inserted into the page as markup.
    """
    import html

    row_h, label_w, bar_w = 22, 210, 180
    height = row_h * len(labels) + 18
    parts = [
        f'<svg class="pillars" xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 60}" height="{height}" '
        f'role="img" aria-label="{html.escape(t("pillars", lang))}">'
    ]
    for i, (code, label) in enumerate(labels.items()):
        y = i * row_h + 4
        value = values.get(code)
        parts.append(f'<text x="0" y="{y + 13}" font-size="11">{html.escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 2}" width="{bar_w}" height="14" fill="#eceff1"/>')
        if is_present(value):
            v = min(max(float(value), 0.0), 1.0)
            colour = PILLAR_COLOURS[i % len(PILLAR_COLOURS)]
            parts.append(f'<rect x="{label_w}" y="{y + 2}" width="{bar_w * v:.1f}" height="14" fill="{colour}"/>')
            parts.append(f'<text x="{label_w + bar_w + 6}" y="{y + 13}" font-size="11">{format_number(v, 2, lang)}</text>')
        else:
            parts.append(f'<text x="{label_w + 6}" y="{y + 13}" font-size="11" fill="#616161" font-style="italic">'
                         f'{html.escape(t("no_data", lang))}</text>')
    axis_y = row_h * len(labels) + 14
    for tick in (0.0, 0.5, 1.0):
        x = label_w + bar_w * tick
        parts.append(f'<text x="{x:.0f}" y="{axis_y}" font-size="9" fill="#757575" text-anchor="middle">{format_number(tick, 1, lang)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _centre_block(k: pd.Series, lang: str, pillar_labels: Mapping[str, str]) -> dict[str, Any] | None:
    """The centre, pillars, IDM mix and programme focus of one kawasan, when the run computed them."""
    if not is_present(k.get("pusat_nama")) and not any(is_present(k.get(f"pilar_{p}")) for p in pillar_labels):
        return None
    weakest = k.get("pilar_terlemah")
    return {
        "pusat": str(k["pusat_nama"]) if is_present(k.get("pusat_nama")) else "",
        "orde": str(k["pusat_orde"]) if is_present(k.get("pusat_orde")) else "",
        "kedua": str(k["pusat_kedua_nama"]) if is_present(k.get("pusat_kedua_nama")) else "",
        "alasan": str(k.get("pusat_alasan_en" if lang == "en" else "pusat_alasan") or ""),
        "jarak": format_number(k.get("jarak_rata_pusat_km"), 1, lang),
        "jarak_maks": format_number(k.get("jarak_maks_pusat_km"), 1, lang),
        "jauh": format_number(k.get("n_desa_jauh"), 0, lang),
        "scalogram": (f"COR {format_number(k.get('skalogram_cor'), 2, lang)}, CS {format_number(k.get('skalogram_cs'), 2, lang)}"
                      if is_present(k.get("skalogram_cor")) else ""),
        "svg": Markup(pillar_svg({p: k.get(f"pilar_{p}") for p in pillar_labels}, pillar_labels, lang)),
        "idm": str(k["status_idm"]) if is_present(k.get("status_idm")) else "",
        "lemah": pillar_labels.get(str(weakest), "") if is_present(weakest) else "",
        "fokus": str(k.get("fokus_program_en" if lang == "en" else "fokus_program") or ""),
    }


def _centre_sources(sources: Mapping[str, Any] | None, lang: str) -> dict[str, Any] | None:
    """The hierarchy paragraphs and, per pillar, the inputs that fed each component."""
    if not sources:
        return None
    from kawasan_gis.profile import load_program

    program = load_program()
    hier = [str(v.get(lang, v.get("id", ""))) for v in (sources.get("hierarki") or {}).values()]
    pusat = sources.get("pusat") or {}
    basis = {"jalan": t("basis_road", lang), "garis_lurus": t("basis_straight", lang)}.get(str(pusat.get("dasar_jarak")), "")
    pillars = []
    for code, comps in (sources.get("pilar") or {}).items():
        label = program.pillars[code].label(lang) if code in program.pillars else code
        pillars.append({"label": label, "rows": [(program.component(c, lang), in_language(v, lang)) for c, v in comps.items()]})
    return {"hierarchy": hier, "basis": basis, "network": in_language(pusat.get("jalan") or "", lang), "pillars": pillars}


def _kawasan_rows(kawasan: pd.DataFrame | None, desa: pd.DataFrame, pots: Mapping[str, Any], lang: str) -> list[dict[str, Any]]:
    if kawasan is None or len(kawasan) == 0:
        return []
    profiles = _profiles(desa, pots, lang)
    from kawasan_gis.profile import load_program

    program = load_program()
    pillar_labels = {code: p.label(lang) for code, p in program.pillars.items()}
    members: dict[str, list[str]] = {}
    if "kawasan_id" in desa.columns:
        for kid, group in desa[desa["kawasan_id"].notna()].groupby("kawasan_id", sort=False):
            members[str(kid)] = sorted(str(n) for n in group["nama_desa"])
    rows = []
    for _, k in kawasan.iterrows():
        kid = str(k["kawasan_id"])
        code = k.get("potensi")
        st = pots.get(str(code)) if is_present(code) else None
        kec = k.get("kecamatan")
        if isinstance(kec, (list, tuple, np.ndarray)):
            kec = ", ".join(str(x) for x in kec)
        compliance = []
        for key in ("I", "T", "B", "X", "L", "outside"):
            value = k.get(f"pct_{key}")
            if is_present(value):
                compliance.append({"label": t(f"pct_{key}", lang), "colour": ITBX_COLOURS[key],
                                   "value": format_number(value, 1, lang), "width": round(min(max(float(value), 0.0), 100.0), 1)})
        rows.append({
            "id": kid,
            "nama": str(k["nama"]) if is_present(k.get("nama")) else kid,
            "potensi": st.label if st else (str(code) if is_present(code) else "–"),
            "colour": st.colour if st else GREY,
            "n_desa": format_number(k.get("n_desa", len(members.get(kid, []))), 0, lang),
            "luas": format_number(k.get("luas_ha"), 1, lang),
            "kecamatan": str(kec) if is_present(kec) else "",
            "kekompakan": format_number(k.get("kekompakan"), 2, lang),
            "stabilitas": format_number(k.get("stabilitas"), 2, lang),
            "profile": profiles.get(kid, []),
            "members": members.get(kid, []),
            "compliance": compliance,
            "verdict": _verdict(k.get("verdict"), lang),
            "alasan": _reason(k, lang),
            "dasar_zonasi": format_number(k.get("pct_dasar_zonasi"), 0, lang) if is_present(k.get("pct_dasar_zonasi")) else "",
            "centre": _centre_block(k, lang, pillar_labels),
        })
    return rows


def _verdict(value: Any, lang: str) -> str:
    """The check's verdict (stored in Indonesian, ``sesuai bersyarat``) in ``lang``."""
    if not is_present(value):
        return ""
    key = "verdict_" + str(value).replace(" ", "_")
    return t(key, lang) if key in LABELS else str(value)


def _reason(kawasan_row: Any, lang: str) -> str:
    """The reason for the kawasan's verdict in ``lang`` (column ``alasan_verdict`` or ``alasan_verdict_en``)."""
    value = kawasan_row.get("alasan_verdict" if lang == "id" else "alasan_verdict_en")
    return str(value) if is_present(value) else ""


def _konflik_rows(konflik: pd.DataFrame | None, kawasan: pd.DataFrame | None, lang: str) -> list[dict[str, Any]]:
    if konflik is None or len(konflik) == 0:
        return []
    names = {}
    if kawasan is not None and "nama" in kawasan.columns:
        names = {str(k): str(n) for k, n in zip(kawasan["kawasan_id"], kawasan["nama"], strict=True)}
    styles = class_styles("rtrw", konflik["kelas"], lang=lang) if "kelas" in konflik.columns else {}
    frame = konflik.assign(_s=konflik["status"].astype(str).str.upper().map({"X": 0, "B": 1, "L": 2}).fillna(3))
    if "luas_ha" in frame.columns:
        frame = frame.sort_values(["_s", "luas_ha"], ascending=[True, False], kind="stable")
    rows = []
    for _, c in frame.iterrows():
        status = str(c["status"]).upper()
        kelas = c.get("kelas")
        st = styles.get(str(kelas)) if is_present(kelas) else None
        kid = c.get("kawasan_id")
        rows.append({
            "status_code": status if status in ("X", "B", "L") else "B",
            "status": t(f"konflik_{status}", lang) if status in ("X", "B", "L") else status,
            "kawasan": (f"{kid} – {names[str(kid)]}" if str(kid) in names else str(kid)) if is_present(kid) else "–",
            "kelas": st.label if st else (str(kelas) if is_present(kelas) else "–"),
            "colour": st.colour if st else GREY,
            "luas": format_number(c.get("luas_ha"), 1, lang),
            "sebab": (t(f"sebab_{c['sebab']}", lang) if f"sebab_{c['sebab']}" in LABELS else str(c["sebab"])) if is_present(c.get("sebab")) else "",
            "desa": str(c["desa"]) if is_present(c.get("desa")) else "",
        })
    return rows


def _frame(gdf: Any) -> pd.DataFrame | None:
    if gdf is None:
        return None
    if isinstance(gdf, gpd.GeoDataFrame):
        return pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    return pd.DataFrame(gdf)


def write_report(
    path: str | os.PathLike[str],
    *,
    desa: pd.DataFrame,
    kawasan: pd.DataFrame | None,
    konflik: pd.DataFrame | None = None,
    layer_reports: Iterable[Any] = (),
    indicator_coverage: Mapping[str, str | bool | None] | pd.DataFrame | None = None,
    params: Mapping[str, Any] | None = None,
    static_map_png: str | os.PathLike[str] | None = None,
    lang: str = "id",
    title: str | None = None,
    catalogue: Iterable[Any] | None = None,
    centres: Mapping[str, Any] | None = None,
    warnings: Iterable[str] = (),
) -> Path:
    """Write ``laporan.html``, the self-contained run report.

    Parameters
    ----------
    path
        The HTML file to write (atomically); its folder must exist.
    desa
        Villages (``kode_desa``, ``nama_desa``; ``luas_ha``, ``skor_<potential>``,
        ``kawasan_id``, ``nama_kab`` when present) for the summary, the kawasan
        profiles (area-weighted mean scores) and the member lists.
    kawasan
        One row per kawasan (``kawasan_id``, ``nama``, ``potensi``, ``n_desa``, ``luas_ha``,
        ``kecamatan``, ``kekompakan``, ``stabilitas`` and, when checked, ``pct_I``,
        ``pct_T``, ``pct_B``, ``pct_X``, ``pct_outside``, ``verdict``).
    konflik
        RTRW conflicts (``kawasan_id``, ``kelas``, ``status`` X/B, ``luas_ha``); prohibited
        first, then by area.
    layer_reports
        :class:`kawasan_gis.io.LayerReport` objects (or their ``to_dict()``) of the inputs.
    indicator_coverage
        Indicator id -> ``None``/``True`` when computed, or the reason it was not (a text,
        or ``False``), e.g. ``score_potentials(...).attrs["missing"]`` merged with the
        indicators used; or any DataFrame, shown as a table.
    params
        Method parameters (nested mappings are flattened to dotted keys).
    static_map_png
        The PNG from :func:`kawasan_gis.maps.static_map`, embedded in the page.
    lang
        ``"id"`` (default) or ``"en"``.
    title
        Page title (default "Laporan Usulan Kawasan Perdesaan").
    warnings
        Warnings of the run (a kawasan spanning much of its kabupaten, a partial RTRW cover),
        shown at the top of the summary.
    catalogue
        Potential catalogue for colours and labels (default :func:`kawasan_gis.vocab.load_potentials`).
    centres
        What fed the settlement hierarchy, the centres and the pillars
        (:attr:`kawasan_gis.run_centres.CentresResult.sources`). The kawasan cards show each
        kawasan's centre and a chart of its four pillars when ``kawasan`` has the columns
        ``pusat_nama``/``pilar_<code>``.

    Returns
    -------
    Path
    """
    check_lang(lang)
    path = Path(path)
    if not path.parent.is_dir():
        raise DataSourceError(f"{path.parent}: folder tidak ada / folder does not exist")
    desa_f = _frame(desa)
    if desa_f is None or not {"kode_desa", "nama_desa"} <= set(desa_f.columns):
        raise FieldError("write_report: desa needs the columns kode_desa and nama_desa")
    kawasan_f = _frame(kawasan)
    if kawasan_f is not None and "kawasan_id" not in kawasan_f.columns:
        raise FieldError("write_report: kawasan needs the column kawasan_id")
    konflik_f = _frame(konflik)
    if konflik_f is not None and "status" not in konflik_f.columns:
        raise FieldError("write_report: konflik needs the column status")

    map_png = None
    if static_map_png is not None:
        png = Path(static_map_png)
        if not png.is_file():
            raise DataSourceError(f"{png}: peta cetak tidak ditemukan / static map not found")
        map_png = base64.b64encode(png.read_bytes()).decode("ascii")

    if catalogue is None:
        catalogue = load_potentials()
    catalogue = list(catalogue)
    coverage, coverage_table = _coverage(indicator_coverage, lang, catalogue)
    konflik_rows = _konflik_rows(konflik_f, kawasan_f, lang)
    counts = pd.Series([r["status_code"] for r in konflik_rows]).value_counts() if konflik_rows else pd.Series(dtype=int)
    # L (kawasan lindung kept protected) is listed with the conflicts so that it shows apart from
    # X, but it is no conflict: it is counted on its own
    detail = ", ".join(f"{int(counts[s])} {t('konflik_' + s, lang)}" for s in ("X", "B") if s in counts.index)
    if "L" in counts.index:
        detail = "; ".join(d for d in (detail, f"{int(counts['L'])} {t('konflik_L', lang)}") if d)
    n_konflik = int(sum(counts.get(s, 0) for s in ("X", "B")))
    luas = desa_f["luas_ha"].astype(float) if "luas_ha" in desa_f.columns else None
    in_kawasan = desa_f["kawasan_id"].notna() if "kawasan_id" in desa_f.columns else pd.Series(False, index=desa_f.index)
    kabs = [str(k) for k in desa_f.get("nama_kab", pd.Series(dtype=object)).dropna().unique() if str(k)]

    def label(key: str) -> str:
        return t(key, lang)

    def num(value: Any, decimals: int = 1) -> str:
        return format_number(value, decimals, lang)

    page = _environment().get_template("laporan.html.j2").render(
        lang=lang,
        t=label,
        num=num,
        title=title or t("report_title", lang),
        version=_version(),
        generated=_dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z").strip(),
        kabupaten=", ".join(kabs),
        summary={
            "n_desa": format_number(len(desa_f), 0, lang),
            "luas_total": format_number(luas.sum(), 0, lang) if luas is not None else "–",
            "n_kawasan": format_number(len(kawasan_f) if kawasan_f is not None else 0, 0, lang),
            # a kawasan's area is the union of its villages (its luas_ha), as everywhere else
            "luas_kawasan": (format_number(kawasan_f["luas_ha"].sum(), 0, lang) if kawasan_f is not None and "luas_ha" in kawasan_f.columns
                             else format_number(luas[in_kawasan].sum(), 0, lang) if luas is not None else "–"),
            "n_konflik": format_number(n_konflik, 0, lang),
            "konflik_detail": detail,
        },
        warnings=[in_language(w, lang) for w in warnings],
        map_png=map_png,
        inputs=[_report_dict(r, lang) for r in layer_reports],
        coverage=coverage,
        coverage_table=coverage_table,
        kawasan=_kawasan_rows(kawasan_f, desa_f, potential_styles(lang, catalogue=catalogue), lang),
        konflik=konflik_rows,
        konflik_sebab=any(r["sebab"] for r in konflik_rows),
        konflik_desa=any(r["desa"] for r in konflik_rows),
        params=_flatten(params, lang) if params else [],
        centres=_centre_sources(centres, lang),
        software=f"kawasan_gis {_version()}, geopandas {gpd.__version__}, pandas {pd.__version__}",
    )
    return write_text(path, page)
