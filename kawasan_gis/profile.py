"""The four-pillar profile of every kawasan, its IDM status mix and its suggested programme focus.

A sustainable kawasan perdesaan rests on four pillars: (1) community empowerment and human
resources, (2) infrastructure and facilities, (3) social and economic life, (4) environment and
cultural heritage (conservation). This module owns the measure of each pillar per kawasan, the
IDM join and status (:func:`join_idm`, :func:`idm_status`) and the programme catalogue
(``data/program.toml``, :func:`load_program`).

Every pillar is the **mean of its components that have data**, each component in [0, 1]
(1 = strong). A component without data is left out (and named in ``sumber``); a pillar with no
component is missing (``NaN``, shown as "tidak ada data"), never 0.

=================== ======================= =====================================================
pillar              component               formula (members = the kawasan's villages)
=================== ======================= =====================================================
pemberdayaan        ``iks``                 mean IKS of the members with an IDM score
                    ``akses_pendidikan``    share of members with an education facility within
                                            ``access_km`` (straight line to the nearest one)
                    ``akses_kesehatan``     the same for health facilities
infrastruktur       ``kepadatan_jalan``     mean over members of the percentile rank of their
                                            road density (km/km²) among all villages given
                    ``kepadatan_irigasi``   the same for irrigation canals
                    ``cakupan_fasilitas``   facility types present in the kawasan / types present
                                            anywhere in the system
                    ``jarak_pusat``         share of members within ``beyond_km`` of the kawasan
                                            centre (by road when a road layer was given)
sosial_ekonomi      ``ike``                 mean IKE of the members
                    ``akses_ekonomi``       share of members with a market or a designated
                                            activity centre within ``access_km``
                    ``kekuatan_potensi``    mean score (0-1) of the members for the kawasan's
                                            potential
lingkungan_budaya   ``ikl``                 mean IKL of the members
                    ``lindung_terjaga``     1 - (kawasan lindung judged X) / (kawasan lindung);
                                            only for kawasan that hold protected land
                    ``tanpa_konflik``       1 - pct_X / 100 of the RTRW check
                    ``budaya_wisata``       share of members with cultural or tourism zoning or
                                            land use
=================== ======================= =====================================================

The weakest pillar (lowest value among those with data; ties in pillar order) is the suggested
programme focus, worded from the catalogue.

Imports :mod:`kawasan_gis.indicators` (table join), :mod:`kawasan_gis.io`,
:mod:`kawasan_gis.vocab` (package-data and override files) and :mod:`kawasan_gis.errors`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kawasan_gis.errors import ConfigError, FieldError
from kawasan_gis.i18n import Message
from kawasan_gis.vocab.reading import builtin_toml, read_overrides

log = logging.getLogger(__name__)

__all__ = [
    "IDM_STATUS",
    "PILLARS",
    "Profile",
    "ProgramCatalogue",
    "idm_status",
    "join_idm",
    "load_program",
    "profile_kawasan",
]

CODE = "kode_desa"
NO_DATA = "tidak ada data"
NO_DATA_EN = "no data"

IDM_STATUS: tuple[tuple[str, float], ...] = (
    ("Mandiri", 0.8155),
    ("Maju", 0.7072),
    ("Berkembang", 0.5989),
    ("Tertinggal", 0.4907),
)
"""IDM status thresholds (Permendesa 2/2016): a desa is of the first status whose threshold its
IDM exceeds; below the last it is ``Sangat Tertinggal``."""
LOWEST_STATUS = "Sangat Tertinggal"
STATUS_ORDER = (*(s for s, _ in IDM_STATUS), LOWEST_STATUS)

PILLARS: dict[str, tuple[str, ...]] = {
    "pemberdayaan": ("iks", "akses_pendidikan", "akses_kesehatan"),
    "infrastruktur": ("kepadatan_jalan", "kepadatan_irigasi", "cakupan_fasilitas", "jarak_pusat"),
    "sosial_ekonomi": ("ike", "akses_ekonomi", "kekuatan_potensi"),
    "lingkungan_budaya": ("ikl", "lindung_terjaga", "tanpa_konflik", "budaya_wisata"),
}
"""Pillar code -> its components, in the order of the documentation."""


# --------------------------------------------------------------------------- IDM


def idm_status(idm: pd.Series) -> pd.Series:
    """IDM status of every desa from its IDM score (None where the score is missing).

    Examples
    --------
    >>> import pandas as pd
    >>> idm_status(pd.Series([0.82, 0.8155, 0.71, 0.60, 0.50, 0.40, None])).tolist()
    ['Mandiri', 'Maju', 'Maju', 'Berkembang', 'Tertinggal', 'Sangat Tertinggal', None]
    """
    values = pd.to_numeric(idm, errors="coerce")
    out = pd.Series([None] * len(idm), index=idm.index, dtype=object, name="status_idm")
    out[values.notna()] = LOWEST_STATUS
    for name, threshold in reversed(IDM_STATUS):
        out[values > threshold] = name
    return out


_IDM_COLUMN = re.compile(r"^(idm|iks|ike|ikl)(?:[_ ]?(\d{4}))?$", re.IGNORECASE)


def join_idm(villages: pd.DataFrame, table: str | Path | pd.DataFrame, *, code_column: str | None = None) -> pd.DataFrame:
    """Join an IDM table (Kemendesa Indeks Desa Membangun) to the villages by village code.

    The table needs a village code column and the columns ``idm``, ``iks``, ``ike``, ``ikl``
    (optionally with a year, ``idm_2024``; the latest year is used). The status is recomputed
    from the IDM score with :data:`IDM_STATUS` so it matches the thresholds documented here.

    Returns
    -------
    DataFrame
        Indexed by ``kode_desa`` in the villages' order: ``idm``, ``iks``, ``ike``, ``ikl``
        (0-1, NaN for villages without a row, such as kelurahan) and ``status_idm``.
        ``attrs["tahun"]`` is the year used (None without one) and ``attrs["join_report"]``
        the join report.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from kawasan_gis.profile import join_idm
    >>> desa = gpd.read_file("data/rtrw_lampung_timur/desa_lampung_timur.gpkg")
    >>> desa = desa.rename(columns={"kode_desa": "dotted", "kode_desa_10": "kode_desa"})
    >>> idm = join_idm(desa, "data/idm2024/idm2024_lampung_timur_gorontalo.csv")
    >>> int(idm["idm"].notna().sum()), idm.attrs["tahun"]
    (264, 2024)
    """
    from kawasan_gis.indicators import join_table
    from kawasan_gis.io import read_table

    tab = read_table(table) if not isinstance(table, pd.DataFrame) else table
    found: dict[str, dict[int | None, str]] = {}
    for col in tab.columns:
        m = _IDM_COLUMN.match(str(col).strip())
        if m:
            found.setdefault(m.group(1).lower(), {})[int(m.group(2)) if m.group(2) else None] = col
    lacking = [k for k in ("idm", "iks", "ike", "ikl") if k not in found]
    if lacking:
        raise FieldError(
            f"tabel IDM tanpa kolom {', '.join(lacking)} / the IDM table lacks column(s) {', '.join(lacking)} "
            f"(expected idm, iks, ike, ikl, optionally with a year such as idm_2024); it has "
            f"{', '.join(map(str, tab.columns[:20]))}"
        )
    years = sorted({y for y in found["idm"] if y is not None})
    year = years[-1] if years else None
    chosen = {k: found[k].get(year, found[k].get(None)) for k in ("idm", "iks", "ike", "ikl")}
    if any(v is None for v in chosen.values()):
        raise FieldError(f"tabel IDM: kolom tahun {year} tidak lengkap / IDM columns for {year} incomplete: {chosen}")
    keep = [*chosen.values()]
    code_cols = [code_column] if code_column else [c for c in tab.columns if c not in keep]
    tab = tab[[*dict.fromkeys([*code_cols, *keep])]]
    # IDM tables cover a province or the nation: rows of villages outside the study area are
    # expected, not a mismatch, so only the study area's rows are joined
    ours_codes = {re.sub(r"\D", "", str(c)) for c in villages[CODE]}
    digits = [tab[c].astype(str).str.replace(r"\D", "", regex=True) for c in code_cols]
    ours = np.logical_or.reduce([d.isin(ours_codes) for d in digits]) if digits else np.zeros(len(tab), bool)
    if not ours.any():
        raise FieldError(
            f"tabel IDM tidak cocok dengan desa mana pun / the IDM table matches none of the villages: "
            f"no column holds their Kemendagri codes (e.g. {next(iter(sorted(ours_codes)), '?')}); "
            f"give code_column, or check that the table is of this kabupaten"
        )
    joined = join_table(villages, tab.loc[ours], code_column=code_column)
    out = pd.DataFrame(index=joined.index)
    for key, col in chosen.items():
        values = joined.get(f"tbl_{col}")
        if values is None:
            raise FieldError(f"kolom IDM {col!r} bukan angka / IDM column {col!r} is not numeric")
        bad = values.notna() & ((values < 0) | (values > 1))
        if bad.any():
            raise FieldError(
                f"kolom IDM {col!r}: {int(bad.sum())} nilai di luar 0-1 / values outside 0-1 "
                f"(e.g. {', '.join(values.index[bad][:5])}); IDM scores are fractions"
            )
        out[key] = values
    out["status_idm"] = idm_status(out["idm"])
    out.attrs["tahun"] = year
    out.attrs["join_report"] = joined.attrs.get("join_report")
    return out


# --------------------------------------------------------------------------- catalogue


@dataclass(frozen=True)
class Pillar:
    code: str
    nama: str
    name: str
    program: str
    program_en: str

    def label(self, lang: str = "id") -> str:
        return self.nama if lang == "id" else self.name


@dataclass(frozen=True)
class ProgramCatalogue:
    """Pillar names, programme wording and component labels (``data/program.toml``)."""

    pillars: dict[str, Pillar]
    components: dict[str, tuple[str, str]]

    def component(self, code: str, lang: str = "id") -> str:
        pair = self.components.get(code, (code, code))
        return pair[0] if lang == "id" else pair[1]


def load_program(overrides: str | Path | Mapping[str, Any] | None = None) -> ProgramCatalogue:
    """The programme catalogue, with an override file's keys replacing the shipped ones.

    Examples
    --------
    >>> cat = load_program()
    >>> cat.pillars["infrastruktur"].label("en")
    'Infrastructure and facilities'
    """
    base = builtin_toml("program.toml")
    extra = read_overrides(overrides, "programme")
    where = str(overrides) if overrides is not None and not isinstance(overrides, Mapping) else "program.toml"
    problems: list[str] = []
    for key in sorted(set(extra) - {"version", "pilar", "komponen"}):
        problems.append(f"unknown key '{key}' (allowed: pilar, komponen)")
    pillars_raw = {k: dict(v) for k, v in base["pilar"].items()}
    for code, table in dict(extra.get("pilar", {})).items():
        if code not in PILLARS:
            problems.append(f"[pilar.{code}] is not a pillar; use one of {', '.join(PILLARS)}")
            continue
        for key, value in dict(table).items():
            if key not in ("nama", "name", "program", "program_en"):
                problems.append(f"[pilar.{code}] unknown key '{key}'")
            elif not isinstance(value, str) or not value.strip():
                problems.append(f"[pilar.{code}] {key} must be non-empty text")
            else:
                pillars_raw[code][key] = value
    components = {k: (v[0], v[1]) for k, v in base["komponen"].items()}
    known = {c for comps in PILLARS.values() for c in comps}
    for code, value in dict(extra.get("komponen", {})).items():
        if code not in known:
            problems.append(f"[komponen] '{code}' is not a component")
        elif not (isinstance(value, list) and len(value) == 2 and all(isinstance(x, str) for x in value)):
            problems.append(f"[komponen] {code} must be [\"label id\", \"label en\"]")
        else:
            components[code] = (value[0], value[1])
    if problems:
        raise ConfigError(f"{where}: katalog program bermasalah / the programme catalogue has problems:", problems=problems)
    pillars = {code: Pillar(code=code, **pillars_raw[code]) for code in PILLARS}
    return ProgramCatalogue(pillars=pillars, components=components)


# --------------------------------------------------------------------------- profile


@dataclass(frozen=True)
class Profile:
    """The four-pillar profile of every kawasan.

    Attributes
    ----------
    table : DataFrame
        Indexed by ``kawasan_id``: ``pilar_<code>`` (0-1 or NaN), ``komp_<component>``
        (0-1 or NaN), ``idm_<status>`` counts and ``status_idm`` (the mix in words),
        ``pilar_terlemah`` and ``fokus_program`` / ``fokus_program_en``.
    sources : dict
        Pillar -> component -> the inputs that fed it, or why it is missing.
    """

    table: pd.DataFrame
    sources: dict[str, dict[str, str]] = field(default_factory=dict)

    def pillar_text(self, kawasan_id: str, pillar: str, lang: str = "id") -> str:
        """The pillar value as planners read it: ``0,62`` or ``tidak ada data``."""
        value = self.table.loc[kawasan_id, f"pilar_{pillar}"]
        if pd.isna(value):
            return NO_DATA if lang == "id" else NO_DATA_EN
        text = f"{value:.2f}"
        return text.replace(".", ",") if lang == "id" else text


EVIDENCE_COLUMNS: dict[str, Message] = {
    "iks": Message("IDM: IKS", "IDM: IKS"),
    "ike": Message("IDM: IKE", "IDM: IKE"),
    "ikl": Message("IDM: IKL", "IDM: IKL"),
    "jarak_km_pendidikan": Message("fasilitas pendidikan", "education facilities"),
    "jarak_km_kesehatan": Message("fasilitas kesehatan", "health facilities"),
    "jarak_km_ekonomi": Message("pasar, pusat kegiatan", "markets, activity centres"),
    "jalan_km_per_km2": Message("jalan", "roads"),
    "irigasi_km_per_km2": Message("saluran irigasi", "irrigation canals"),
    "jarak_pusat_km": Message("pusat kawasan", "kawasan centre"),
    "skor_potensi_kawasan": Message("skor potensi", "potential scores"),
    "ha_budaya_wisata": Message("zona budaya/wisata", "cultural and tourism zoning"),
}
"""Per-village evidence columns :func:`profile_kawasan` reads, and what they stand for."""


def profile_kawasan(
    villages: pd.DataFrame,
    *,
    kawasan: pd.DataFrame | None = None,
    facilities: pd.DataFrame | None = None,
    access_km: float = 5.0,
    beyond_km: float = 10.0,
    catalogue: ProgramCatalogue | None = None,
) -> Profile:
    """Score the four pillars of every kawasan from the evidence its villages carry.

    Parameters
    ----------
    villages : DataFrame
        Indexed by ``kode_desa``, with ``kawasan_id`` (NaN/None outside every kawasan) and any
        of the evidence columns of :data:`EVIDENCE_COLUMNS` (``iks``, ``jarak_km_kesehatan``,
        ``jalan_km_per_km2``...) and ``status_idm``. Villages outside every kawasan still
        count as the reference of the density percentiles.
    kawasan : DataFrame, optional
        Indexed by ``kawasan_id``: ``pct_X`` (RTRW check), ``ha_lindung`` and
        ``ha_lindung_X`` (protected land in the kawasan, and the part of it judged X).
    facilities : DataFrame, optional
        Facility units per village and type (:func:`kawasan_gis.centres.facility_counts`).
    access_km, beyond_km : float
        Reach of a facility and of the kawasan centre.
    catalogue : ProgramCatalogue, optional
        Programme wording; the shipped one by default.

    Returns
    -------
    Profile

    Examples
    --------
    >>> import pandas as pd
    >>> from kawasan_gis.profile import profile_kawasan
    >>> v = pd.DataFrame({"kawasan_id": ["K1", "K1"], "iks": [0.8, 0.6], "ike": [0.5, 0.7],
    ...                   "ikl": [0.6, 0.6]}, index=["a", "b"])
    >>> p = profile_kawasan(v)
    >>> round(float(p.table.loc["K1", "pilar_pemberdayaan"]), 2), p.pillar_text("K1", "infrastruktur")
    (0.7, 'tidak ada data')
    """
    if "kawasan_id" not in villages.columns:
        raise FieldError("desa tanpa kolom 'kawasan_id' / villages lack 'kawasan_id'")
    cat = catalogue or load_program()
    kid = villages["kawasan_id"]
    inside = kid.notna() & ~kid.astype(str).isin(["", "None", "nan", "<NA>"])
    ids = list(dict.fromkeys(kid[inside].astype(str)))
    has = {c: c in villages.columns and villages[c].notna().any() for c in EVIDENCE_COLUMNS}
    pct = {}
    for col in ("jalan_km_per_km2", "irigasi_km_per_km2"):
        if has[col]:
            pct[col] = villages[col].rank(pct=True, method="average")
    present_types: pd.DataFrame | None = None
    if facilities is not None and facilities.shape[1]:
        aligned = facilities.reindex(villages.index)
        present_types = (aligned > 0) & aligned.notna()
    sys_types = int(present_types.any(axis=0).sum()) if present_types is not None else 0
    kaw = (kawasan if kawasan is not None else pd.DataFrame()).reindex(pd.Index(ids, name="kawasan_id"))

    members = villages.loc[inside]
    key = kid[inside].astype(str).to_numpy()

    def mean_of(values: pd.Series) -> pd.Series:
        return values.loc[members.index].groupby(key, sort=False).mean().reindex(ids)

    def share_within(col: str, km: float) -> pd.Series:
        v = members[col]
        return mean_of((v <= km).astype(float).where(v.notna()))

    nan = pd.Series(np.nan, index=ids)
    comp = pd.DataFrame(index=pd.Index(ids, name="kawasan_id"))
    comp["iks"] = mean_of(villages["iks"]) if has["iks"] else nan
    comp["akses_pendidikan"] = share_within("jarak_km_pendidikan", access_km) if has["jarak_km_pendidikan"] else nan
    comp["akses_kesehatan"] = share_within("jarak_km_kesehatan", access_km) if has["jarak_km_kesehatan"] else nan
    comp["kepadatan_jalan"] = mean_of(pct["jalan_km_per_km2"]) if "jalan_km_per_km2" in pct else nan
    comp["kepadatan_irigasi"] = mean_of(pct["irigasi_km_per_km2"]) if "irigasi_km_per_km2" in pct else nan
    if present_types is not None and sys_types > 0:
        found = present_types.loc[members.index].groupby(key, sort=False).any().reindex(ids)
        comp["cakupan_fasilitas"] = found.sum(axis=1) / sys_types
    else:
        comp["cakupan_fasilitas"] = nan
    comp["jarak_pusat"] = share_within("jarak_pusat_km", beyond_km) if has["jarak_pusat_km"] else nan
    comp["ike"] = mean_of(villages["ike"]) if has["ike"] else nan
    comp["akses_ekonomi"] = share_within("jarak_km_ekonomi", access_km) if has["jarak_km_ekonomi"] else nan
    comp["kekuatan_potensi"] = mean_of(villages["skor_potensi_kawasan"]) if has["skor_potensi_kawasan"] else nan
    comp["ikl"] = mean_of(villages["ikl"]) if has["ikl"] else nan
    comp["lindung_terjaga"] = nan
    if {"ha_lindung", "ha_lindung_X"} <= set(kaw.columns):
        # only for kawasan that hold protected land: elsewhere the component does not apply
        holds = kaw["ha_lindung"] > 0
        comp.loc[holds, "lindung_terjaga"] = (1.0 - kaw.loc[holds, "ha_lindung_X"] / kaw.loc[holds, "ha_lindung"]).clip(0.0, 1.0)
    comp["tanpa_konflik"] = (1.0 - kaw["pct_X"] / 100.0).clip(0.0, 1.0) if "pct_X" in kaw.columns else nan
    if has["ha_budaya_wisata"]:
        v = members["ha_budaya_wisata"]
        comp["budaya_wisata"] = mean_of((v > 0).astype(float).where(v.notna()))
    else:
        comp["budaya_wisata"] = nan
    status = members["status_idm"] if "status_idm" in members.columns else pd.Series(None, index=members.index, dtype=object)
    mix = pd.crosstab(key, status.to_numpy()).reindex(index=ids, columns=list(STATUS_ORDER), fill_value=0)
    n_members = pd.Series(key).value_counts().reindex(ids)

    rows: list[dict[str, Any]] = []
    for k in ids:
        c = comp.loc[k]
        row: dict[str, Any] = {"kawasan_id": k}
        pillar_values = {}
        for pillar, comps in PILLARS.items():
            vals = [float(c[x]) for x in comps if pd.notna(c[x])]
            pillar_values[pillar] = float(np.mean(vals)) if vals else np.nan
            row[f"pilar_{pillar}"] = pillar_values[pillar]
        row.update({f"komp_{x}": float(c[x]) if pd.notna(c[x]) else np.nan for x in comp.columns})
        counts = mix.loc[k]
        for st in STATUS_ORDER:
            row[f"idm_{st.lower().replace(' ', '_')}"] = int(counts[st])
        row["idm_tanpa_data"] = int(n_members[k] - counts.sum())
        text = [f"{st} {int(counts[st])}" for st in STATUS_ORDER if counts[st]]
        row["status_idm"] = ", ".join(text) if text else NO_DATA
        known = {p: v for p, v in pillar_values.items() if not np.isnan(v)}
        if known:
            weakest = min(known, key=lambda p: (known[p], list(PILLARS).index(p)))
            row["pilar_terlemah"] = weakest
            row["fokus_program"] = f"{cat.pillars[weakest].nama}: {cat.pillars[weakest].program}"
            row["fokus_program_en"] = f"{cat.pillars[weakest].name}: {cat.pillars[weakest].program_en}"
        else:
            row["pilar_terlemah"] = None
            row["fokus_program"] = f"{NO_DATA}: tidak ada pilar yang dapat dinilai"
            row["fokus_program_en"] = f"{NO_DATA_EN}: no pillar could be scored"
        rows.append(row)
    table = pd.DataFrame(rows).set_index("kawasan_id") if rows else pd.DataFrame(index=pd.Index([], name="kawasan_id"))
    sources: dict[str, dict[str, Message]] = {}
    none = Message(NO_DATA, NO_DATA_EN)
    feeds = {
        "iks": "iks", "akses_pendidikan": "jarak_km_pendidikan", "akses_kesehatan": "jarak_km_kesehatan",
        "kepadatan_jalan": "jalan_km_per_km2", "kepadatan_irigasi": "irigasi_km_per_km2", "jarak_pusat": "jarak_pusat_km",
        "ike": "ike", "akses_ekonomi": "jarak_km_ekonomi", "kekuatan_potensi": "skor_potensi_kawasan", "ikl": "ikl",
        "budaya_wisata": "ha_budaya_wisata",
    }  # fmt: skip
    for pillar, comps in PILLARS.items():
        sources[pillar] = {}
        for c in comps:
            if c in feeds:
                col = feeds[c]
                sources[pillar][c] = EVIDENCE_COLUMNS[col] if has[col] else none
            elif c == "cakupan_fasilitas":
                names = ", ".join(facilities.columns) if sys_types else ""
                sources[pillar][c] = Message(f"fasilitas: {names}", f"facilities: {names}") if sys_types else none
            elif c == "lindung_terjaga":
                ok = "ha_lindung_X" in kaw.columns
                sources[pillar][c] = Message("RTRW: kawasan lindung dan pemeriksaan ITBX", "protected land and the ITBX check") if ok else none
            elif c == "tanpa_konflik":
                sources[pillar][c] = Message("pemeriksaan RTRW (pct_X)", "RTRW check (pct_X)") if "pct_X" in kaw.columns else none
    return Profile(table=table, sources=sources)
