"""The record of agreement: named plan versions and the exports of an agreed plan.

Owns :func:`save_version`, :func:`list_versions`, :func:`read_version` and :func:`export_plan`.
Everything is written under ``<result>/studio/`` through :mod:`kawasan_gis._atomic` (a folder
appears complete or not at all), in a new folder per version or export, so nothing is ever
overwritten, the run's own files least of all:

- ``versi/<time>-<name>/``: ``rencana.csv`` (the plan table) and ``catatan.json`` (name, who,
  when, what was agreed, the plan's figures);
- ``ekspor/<time>-<name>/``: ``rencana.csv`` (the table ``kawasan check`` reads), ``check.gpkg``
  / ``check.csv`` / ``check.xlsx`` (the full :func:`kawasan_gis.check.check_plan` of the plan,
  layers ``kawasan``, ``konflik``, ``desa``), ``peta_rencana.html`` (the offline map) and
  ``lampiran.html`` (the printable annex for a Peraturan Bersama Kepala Desa: each kawasan with
  its villages, kecamatan, potential, centre and RTRW verdict), and ``catatan.json``.

The export runs the full check, not the live sums, and records whether both agree.

Imports :mod:`kawasan_gis.check`, ``maps``, ``i18n``, ``_atomic`` and the studio's ``plan``,
``workspace`` and ``session`` modules.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import jinja2
import numpy as np
import pandas as pd

from kawasan_gis._atomic import atomic_folder
from kawasan_gis.check import check_plan, read_plan, write_check
from kawasan_gis.errors import DataSourceError, PlanError
from kawasan_gis.i18n import format_number, t
from kawasan_gis.studio.plan import PlanState, state_from_table
from kawasan_gis.studio.workspace import inside, slug

if TYPE_CHECKING:
    from kawasan_gis.studio.session import Session

__all__ = ["export_plan", "list_versions", "read_version", "save_version"]

log = logging.getLogger(__name__)

VERSIONS = "versi"
EXPORTS = "ekspor"
# Live sums and the full check differ only by floating-point summation order; more than this
# (hectares) would mean the two have drifted apart, and the export says so.
AGREEMENT_HA = 0.01
_TEXT_LIMIT = 2000


def _stamp() -> str:
    return _dt.datetime.now().astimezone().strftime("%Y%m%d-%H%M%S")


def _new_folder(parent: Path, name: str) -> Path:
    base = f"{_stamp()}-{slug(name)}"
    target, n = parent / base, 2
    while target.exists():
        target, n = parent / f"{base}-{n}", n + 1
    return target


def _clean(text: Any, what: str) -> str:
    value = "" if text is None else str(text).strip()
    if len(value) > _TEXT_LIMIT:
        raise PlanError(f"{what} terlalu panjang (maks {_TEXT_LIMIT} karakter) / {what} too long (at most {_TEXT_LIMIT} characters).")
    return value


def plan_table(session: Session, state: PlanState) -> pd.DataFrame:
    """The plan as the table ``kawasan check`` reads, with names and kecamatan for people."""
    table = state.table()
    desa = session.run.desa.set_index("kode_desa")
    codes = table["kode_desa"]
    out = pd.DataFrame({
        "kode_desa": codes,
        "nama_desa": desa.loc[codes, "nama_desa"].to_numpy(),
        "nama_kec": desa.loc[codes, "nama_kec"].to_numpy(),
        "kawasan_id": table["kawasan_id"],
        "nama_kawasan": table["nama_kawasan"],
        "potensi": table["potensi"],
        "pusat": np.where(table["pusat"], "ya", ""),
    })
    if "dasar" in desa.columns:
        out["dasar"] = desa.loc[codes, "dasar"].fillna("").to_numpy()
    return out


def save_version(session: Session, *, name: str, who: str, note: str) -> dict[str, Any]:
    """Save the current plan as a named version with a note; returns its description."""
    name = _clean(name, "nama versi / version name")
    if not name:
        raise PlanError("beri nama versi / give the version a name.")
    who, note = _clean(who, "nama / name"), _clean(note, "catatan / note")
    with session.lock:
        state = session.state
        summary = session.summary()
    parent = session.run.studio / VERSIONS
    parent.mkdir(parents=True, exist_ok=True)
    target = _new_folder(parent, name)
    info = {
        "nama": name, "oleh": who, "waktu": _dt.datetime.now().astimezone().isoformat(timespec="seconds"), "catatan": note,
        "n_kawasan": len(state.kawasan), "n_desa": len(state.member), "ringkasan": summary["rencana"],
        "bobot": session.weights, "prioritas": session.priorities, "hasil_run": str(session.run.root),
    }
    with atomic_folder(target) as tmp:
        plan_table(session, state).to_csv(tmp / "rencana.csv", index=False, encoding="utf-8")
        (tmp / "catatan.json").write_text(json.dumps(info, indent=2, ensure_ascii=False), encoding="utf-8")
    return {"id": target.name, **info}


def list_versions(session: Session) -> list[dict[str, Any]]:
    """Saved versions, newest first (unreadable notes are listed with the reason)."""
    parent = session.run.studio / VERSIONS
    if not parent.is_dir():
        return []
    out = []
    for folder in sorted((p for p in parent.iterdir() if p.is_dir() and not p.name.startswith(".")), reverse=True):
        try:
            info = json.loads((folder / "catatan.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            info = {"nama": folder.name, "catatan": f"catatan tidak terbaca / note unreadable ({exc})"}
        out.append({"id": folder.name, **{k: info.get(k) for k in ("nama", "oleh", "waktu", "catatan", "n_kawasan", "n_desa")}})
    return out


def read_version(session: Session, version_id: str) -> PlanState:
    """The plan of a saved version."""
    folder = inside(session.run.studio / VERSIONS, version_id)
    path = folder / "rencana.csv"
    if folder.parent != (session.run.studio / VERSIONS).resolve() or not path.is_file():
        raise DataSourceError(f"versi tidak ada / no such version: {version_id!r}")
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in ("kode_desa", "kawasan_id", "potensi") if c not in table.columns]
    if missing:
        raise DataSourceError(f"{path}: tanpa kolom / lacks column(s) {', '.join(missing)}.")
    names = dict(zip(table["kawasan_id"], table.get("nama_kawasan", pd.Series("", index=table.index)), strict=True))
    centre = table.get("pusat", pd.Series("", index=table.index)) == "ya"
    centres = dict(zip(table.loc[centre, "kawasan_id"], table.loc[centre, "kode_desa"], strict=True))
    return state_from_table(table, names=names, centres=centres)


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("kawasan_gis", "templates"), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def export_plan(session: Session, *, name: str, who: str = "", note: str = "") -> dict[str, Any]:
    """Export the current plan (see the module docstring); returns the files written and the check summary."""
    name = _clean(name, "nama / name") or "rencana"
    who, note = _clean(who, "nama / name"), _clean(note, "catatan / note")
    run, lang = session.run, session.lang
    with session.lock:
        state = session.state
        live = {k: dict(f.row) for k, f in session.figures.items()}
    table = plan_table(session, state)
    plan = read_plan(table, run.desa, potentials=run.catalogue)
    result = None
    if run.pola_ruang is not None:
        result = check_plan(plan, run.pola_ruang, itbx=run.itbx, lp2b=run.lp2b, hazard=run.hazard,
                            include_conditional_conflicts=run.conditional_conflicts, bridges=run.sambungan,
                            config=run.check_config, lang=lang)  # type: ignore[arg-type]
    drift = _drift(live, result)
    parent = run.studio / EXPORTS
    parent.mkdir(parents=True, exist_ok=True)
    target = _new_folder(parent, name)
    when = _dt.datetime.now().astimezone()
    info = {"nama": name, "oleh": who, "waktu": when.isoformat(timespec="seconds"), "catatan": note,
            "hasil_run": str(run.root), "selisih_live_vs_penuh": drift}
    with atomic_folder(target) as tmp:
        table.to_csv(tmp / "rencana.csv", index=False, encoding="utf-8")
        if result is not None:
            write_check(result, tmp)
        _write_map(session, state, result, tmp / "peta_rencana.html")
        html = _environment().get_template("lampiran.html.j2").render(
            **_annex(session, state, result, live), name=name, who=who, note=note,
            when=when.strftime("%d-%m-%Y %H:%M"), lang=lang, t=lambda key: t(key, lang),
        )
        (tmp / "lampiran.html").write_text(html, encoding="utf-8")
        (tmp / "catatan.json").write_text(json.dumps(info, indent=2, ensure_ascii=False), encoding="utf-8")
    files = sorted(p.name for p in target.iterdir() if not p.name.startswith("."))  # not the output stamps
    verdicts = result.kawasan["verdict"].value_counts().to_dict() if result is not None else {}
    return {"id": target.name, "folder": f"{EXPORTS}/{target.name}", "files": files, "verdicts": verdicts, "selisih": drift}


def _drift(live: dict[str, dict[str, Any]], result: Any) -> list[str]:
    """Where the live sums and the full check disagree (an empty list when they agree)."""
    if result is None:
        return []
    out = []
    for row in result.kawasan.itertuples(index=False):
        mine = live.get(row.kawasan_id)
        if mine is None:
            out.append(f"{row.kawasan_id}: tidak ada angka langsung / no live figures")
            continue
        for col in ("ha_I", "ha_T", "ha_B", "ha_X", "ha_L", "ha_outside"):
            if abs(float(getattr(row, col)) - float(mine.get(col) or 0.0)) > AGREEMENT_HA:
                out.append(f"{row.kawasan_id} {col}: {mine.get(col)} vs {getattr(row, col)}")
        if mine.get("verdict") != row.verdict:
            out.append(f"{row.kawasan_id} verdict: {mine.get('verdict')} vs {row.verdict}")
    if out:
        log.warning("studio: live figures differ from the full check: %s", "; ".join(out))
    return out


def _potential_label(session: Session, code: str) -> str:
    if code in session.run.catalogue:
        p = session.run.catalogue[code]
        return p.nama if session.lang == "id" else p.name
    return code


def _annex(session: Session, state: PlanState, result: Any, live: dict[str, dict[str, Any]]) -> dict[str, Any]:
    desa = session.run.desa.set_index("kode_desa")
    checked = result.kawasan.set_index("kawasan_id") if result is not None else None
    rules = result.rules if result is not None else None
    lang = session.lang
    rows = []
    for k in state.kawasan:
        codes = state.villages_of(k.kawasan_id)
        villages = [{"kode": c, "nama": desa.loc[c, "nama_desa"], "kec": desa.loc[c, "nama_kec"], "jenis": desa.loc[c, "jenis"],
                     "pusat": c == k.pusat} for c in codes]
        figs = checked.loc[k.kawasan_id] if checked is not None else pd.Series(live.get(k.kawasan_id, {}))
        verdict = figs.get("verdict")
        column = "alasan_verdict_en" if lang == "en" else "alasan_verdict"
        reason = figs.get(column) if column in figs.index else None
        found = rules[(rules["kawasan_id"] == k.kawasan_id) & (rules["level"] != "info")]["message"].tolist() if rules is not None else []
        rows.append({
            "id": k.kawasan_id, "nama": k.nama, "potensi": _potential_label(session, k.potensi),
            "pusat": desa.loc[k.pusat, "nama_desa"] if k.pusat else "", "desa": villages,
            "kecamatan": list(dict.fromkeys(v["kec"] for v in villages)),
            "luas": format_number(live.get(k.kawasan_id, {}).get("luas_ha"), 1, lang),
            "verdict": t(f"verdict_{verdict.replace(' ', '_')}", lang) if isinstance(verdict, str) else t("studio_no_check", lang),
            "alasan": reason or "", "pct_x": format_number(figs.get("pct_X"), 1, lang), "ha_x": format_number(figs.get("ha_X"), 1, lang),
            "aturan": found,
        })
    return {"title": session.run.title, "kawasan": rows}


def _write_map(session: Session, state: PlanState, result: Any, path: Path) -> None:
    from kawasan_gis.maps import map_kawasan, save_map

    run = session.run
    desa = run.desa.copy()
    desa["kawasan_id"] = desa["kode_desa"].map(dict(state.member))
    if result is not None:
        kawasan = result.kawasan.drop(columns=["aturan"], errors="ignore")
        konflik = result.conflicts
    else:
        kawasan = gpd.GeoDataFrame(
            {"kawasan_id": state.ids(), "nama": [k.nama for k in state.kawasan], "potensi": [k.potensi for k in state.kawasan]},
            geometry=[session.figures[k].outline for k in state.ids()], crs=desa.crs,
        )
        konflik = None
    m = map_kawasan(desa, kawasan=kawasan, pola_ruang=run.pola_ruang, konflik=konflik, sambungan=run.sambungan,
                    lang=session.lang, offline=True, title=run.title, catalogue=run.catalogue)
    save_map(m, path, offline=True)
