"""Scoring each village's potentials on its development room and naming its dominant one.

Every potential of the catalogue (``kawasan_gis/data/potentials.toml``) lists the
indicators that feed it, with weights. The method, with a worked example computed by
hand, is in docs/potentials.md; in short:

* **Development room** (:func:`development_room`): the village area outside kawasan
  lindung (the RTRW classes whose group is ``lindung``). A village more than
  ``max_pct_lindung`` % lindung gets no development potential (``status_potensi`` =
  ``lindung``, with the reason): protected land is kept, not developed. Without an RTRW
  the room is unknown and all land counts as room (stated in ``attrs["missing"]``).
* **No data is not zero**: a share is taken over the part of the village the layer
  maps (RTRW budidaya shares over the mapped development room); the layer's coverage
  of the village is carried as evidence.
* **One scale for every kind: specialisation against the kabupaten** (location
  quotient, LQ, the basis-sector measure of Indonesian regional planning): LQ is the
  village's value over the kabupaten's (its share of the mapped room, or its mean), and
  ``min(LQ, 2) / 2`` is 0.5 at the kabupaten average and 1 at twice it or more. A share
  keeps its size: it scores the mean of the share itself and its specialisation, so
  80 % farm zoning is not outweighed by a settlement share that is merely high for
  settlements. Distances (``invert = true``) use kabupaten mean / distance. An
  indicator above zero in fewer than a quarter of a kabupaten's villages (a primary
  canal, a market) is a sign where it is and no evidence where it is not; one with the
  same value in every village of a kabupaten (or a class its layer has nowhere) is left
  out there.
* **Evidence** (``bukti``) of a potential in a village: the share of the potential's
  catalogue weight whose indicators have data, each share indicator counted by its
  layer's coverage of the village. A potential is scored only where at least
  ``min_bobot`` of its weight is present and ``bukti >= min_bukti``, and, for a
  potential with ``key`` indicators (perikanan: tambak, fisheries zoning), only where
  one of them is above zero: elsewhere it stays silent (no score), not a 0 that
  competes. A village where no potential can be scored is ``data_kurang``.
* The score is the weighted mean of the scaled indicators present; the
  dominant potential is the highest score, ``margin`` its lead over the runner-up
  (``campuran`` below ``mixed_margin``), ``stabilitas_potensi`` the share of +-20 % moves of
  each single weight that keep the same dominant potential. ``dasar`` says whether the
  dominant score rests on zoning (RTRW shares) or on land condition: a plan derived
  from the RTRW and then checked against it proves little.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kawasan_gis.errors import FieldError
from kawasan_gis.i18n import LANGUAGES, Message, format_number, message, t
from kawasan_gis.vocab import IndicatorSpec, Potential, describe_roles, input_roles, load_potentials, load_vocabulary

log = logging.getLogger(__name__)

SHARE_KINDS = ("landcover_share", "rtrw_share")
ZONING_DOMINANT = 0.75  # share of the dominant score from zoning above which it "rests on zoning"
WEIGHT_STEP = 0.2  # weights moved by +-20 % for the stability of the dominant potential
LQ_CAP = 2.0  # a location quotient of 2 (twice the kabupaten's level) or more is full specialisation
SPARSE_SHARE = 0.25  # an indicator above zero in fewer than this share of a kabupaten's villages is sparse
SHARE_BLEND = 0.5  # weight of a share's own size next to its specialisation

MAX_PCT_LINDUNG = 50.0
MIN_WEIGHT_SHARE = 0.3
MIN_EVIDENCE = 0.2

THIN_SHARE = 0.25  # share of data_kurang villages above which a run's evidence is thin
THIN_MEDIAN = 0.5  # median evidence of the scored villages below which a run's evidence is thin

STATUS_SCORED = "dinilai"
STATUS_LINDUNG = "lindung"
STATUS_THIN = "data_kurang"


@dataclass(frozen=True)
class IndicatorValue:
    """Raw values of one indicator for every village, or None when it cannot be computed.

    ``coverage`` is the share (0-1) of the village the source layer maps (1 for
    non-share kinds); ``area`` the hectares a share is taken over (the mapped room; None
    for non-share kinds or without ``luas_ha``).
    """

    values: pd.Series | None
    reason: str = ""
    coverage: pd.Series | None = None
    area: pd.Series | None = None


def lindung_classes() -> tuple[str, ...]:
    """Pola ruang codes whose group is ``lindung`` (kawasan lindung) in pola_ruang.toml."""
    return tuple(c.code for c in load_vocabulary("rtrw") if c.group == "lindung")


def development_room(indicators: pd.DataFrame, *, lindung: Iterable[str] | None = None) -> pd.DataFrame:
    """Each village's kawasan lindung and development room from its RTRW shares.

    Parameters
    ----------
    indicators
        Indicator table (``luas_ha``, ``pct_rtrw_<class>``, ``pct_rtrw_unmapped``).
    lindung
        Pola ruang codes counted as kawasan lindung (default :func:`lindung_classes`).

    Returns
    -------
    DataFrame
        ``pct_lindung`` (percent of the village area in kawasan lindung; NaN without an
        RTRW) and ``ha_ruang_kembang`` (village area outside kawasan lindung, in ha; the
        whole village without an RTRW). ``attrs["known"]`` is False without an RTRW.

    Examples
    --------
    >>> import pandas as pd
    >>> ind = pd.DataFrame({"luas_ha": [200.0], "pct_rtrw_unmapped": [0.0], "pct_rtrw_taman_nasional": [72.0],
    ...                     "pct_rtrw_pertanian": [28.0]})
    >>> development_room(ind).round(1).to_dict("records")
    [{'pct_lindung': 72.0, 'ha_ruang_kembang': 56.0}]
    """
    codes = lindung_classes() if lindung is None else tuple(lindung)
    area = pd.to_numeric(indicators["luas_ha"], errors="coerce") if "luas_ha" in indicators else pd.Series(np.nan, index=indicators.index)
    if "pct_rtrw_unmapped" not in indicators.columns:
        out = pd.DataFrame({"pct_lindung": np.nan, "ha_ruang_kembang": area}, index=indicators.index)
        out.attrs["known"] = False
        return out
    cols = [f"pct_rtrw_{c}" for c in codes if f"pct_rtrw_{c}" in indicators.columns]
    pct = indicators[cols].sum(axis=1).astype(float) if cols else pd.Series(0.0, index=indicators.index)
    out = pd.DataFrame({"pct_lindung": pct, "ha_ruang_kembang": area * (1.0 - pct / 100.0)}, index=indicators.index)
    out.attrs["known"] = True
    return out


def _class_share(indicators: pd.DataFrame, kinds: Iterable[str], classes: Iterable[str], lindung_pct: pd.Series | None) -> IndicatorValue:
    for kind in kinds:
        unmapped = f"pct_{kind}_unmapped"
        if unmapped in indicators.columns:
            cols = [f"pct_{kind}_{c}" for c in classes if f"pct_{kind}_{c}" in indicators.columns]
            share = indicators[cols].sum(axis=1) if cols else pd.Series(0.0, index=indicators.index)
            mapped = (100.0 - indicators[unmapped].astype(float)).clip(lower=0.0)
            # budidaya zoning is read over the mapped development room: land kept as
            # kawasan lindung is not room for any development potential
            room = mapped if lindung_pct is None else (mapped - lindung_pct).clip(lower=0.0)
            with np.errstate(divide="ignore", invalid="ignore"):
                frac = (share / room).where(room > 1e-9).clip(0.0, 1.0)
            area = pd.to_numeric(indicators["luas_ha"], errors="coerce") * room / 100.0 if "luas_ha" in indicators.columns else None
            return IndicatorValue(frac, coverage=(mapped / 100.0).clip(0.0, 1.0), area=area)
    return IndicatorValue(None, Message(*(t("missing_layer", lang, kinds="/".join(t(f"layer_{k}", lang) for k in kinds))
                                          for lang in LANGUAGES)))


def indicator_values(indicators: pd.DataFrame, spec: IndicatorSpec, *, lindung: Iterable[str] | None = None) -> IndicatorValue:
    """Raw values of one indicator spec (see potentials.toml) from the indicator table.

    Shares are fractions (0-1) of the mapped part of the village (RTRW shares of
    budidaya classes: of the mapped development room), NaN where the layer maps none of it.
    """
    kind = spec.kind
    if kind == "landcover_share":
        # a complete land-cover raster is preferred over a (often partial) land-use layer
        return _class_share(indicators, ("landcover", "landuse"), spec.classes, None)
    if kind == "rtrw_share":
        codes = lindung_classes() if lindung is None else tuple(lindung)
        lindung_pct = None
        if not set(spec.classes) & set(codes):
            cols = [f"pct_rtrw_{c}" for c in codes if f"pct_rtrw_{c}" in indicators.columns]
            lindung_pct = indicators[cols].sum(axis=1).astype(float) if cols else pd.Series(0.0, index=indicators.index)
        return _class_share(indicators, ("rtrw",), spec.classes, lindung_pct)
    name = {
        "line_density": f"km_per_km2_{spec.layer}",
        "point_count": f"n_{spec.layer}",
        "point_distance": f"jarak_km_{spec.layer}",
        "table": f"tbl_{spec.column}",
    }.get(kind)
    if name is None:
        raise FieldError(f"indicator '{spec.id}' has unknown kind '{kind}'.")
    if name in indicators.columns:
        return IndicatorValue(pd.to_numeric(indicators[name], errors="coerce").astype(float))
    if kind == "table" and spec.column in indicators.columns:
        return IndicatorValue(pd.to_numeric(indicators[spec.column], errors="coerce").astype(float))
    return IndicatorValue(None, message("missing_column", column=name))


def scale_values(
    values: pd.Series, groups: pd.Series, *, share: bool = False, invert: bool = False, area: pd.Series | None = None
) -> pd.Series:
    """Specialisation of each village against its kabupaten (location quotient), on a 0-1 scale.

    The location quotient LQ is the village's value over the kabupaten's: for a share
    (``share=True``, a fraction 0-1 of the mapped room) the kabupaten's share of its
    mapped room (the villages' shares weighted by ``area``, the hectares each share is
    taken over; unweighted without it); for a density, count or table value the
    kabupaten mean; for a distance (``invert``) LQ = kabupaten mean / distance (near is
    high). The specialisation is ``min(LQ, LQ_CAP) / LQ_CAP``: 0.5 is the kabupaten
    average, 1 twice the average or more. A share keeps its size: its scale is the
    mean of the share itself and its specialisation, so 80 % farm zoning is never
    outweighed by a 10 % settlement share that happens to be high for settlements.
    Missing stays missing; a kabupaten where the indicator is 0 everywhere gives 0.

    Examples
    --------
    >>> import pandas as pd
    >>> g = pd.Series(["a"] * 4)
    >>> scale_values(pd.Series([0.0, 0.0, 0.0, 1.0]), g).tolist()  # one market in four villages: LQ 4
    [0.0, 0.0, 0.0, 1.0]
    >>> scale_values(pd.Series([0.8, 0.4, 0.2, 0.2]), g, share=True).round(3).tolist()  # kabupaten share 0.4
    [0.9, 0.45, 0.225, 0.225]
    >>> scale_values(pd.Series([1.0, 3.0, 2.0]), pd.Series(["a"] * 3), invert=True).round(3).tolist()
    [1.0, 0.333, 0.5]
    """
    keys = groups.to_numpy()
    v = values.astype(float)
    if share:
        w = (pd.Series(1.0, index=v.index) if area is None else area.astype(float).fillna(0.0)).where(v.notna(), 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            ref = (v.fillna(0.0) * w).groupby(keys).transform("sum") / w.groupby(keys).transform("sum")
    else:
        ref = v.groupby(keys).transform("mean")
    with np.errstate(divide="ignore", invalid="ignore"):
        lq = (ref / v) if invert else (v / ref)
    lq = lq.fillna(0.0).where(v.notna())  # 0 / 0: absent in the whole kabupaten
    spec = lq.clip(upper=LQ_CAP) / LQ_CAP
    return (SHARE_BLEND * v + (1.0 - SHARE_BLEND) * spec) if share else spec


def _potentials(catalogue: Iterable[Potential] | None, enabled_only: bool) -> list[Potential]:
    items = list(load_potentials() if catalogue is None else catalogue)
    return [p for p in items if p.enabled or not enabled_only]


@dataclass(frozen=True)
class _Block:
    """One potential's indicators as arrays over the villages (NaN: no value)."""

    code: str
    specs: tuple[IndicatorSpec, ...]  # the indicators that could be computed
    raw: np.ndarray  # villages x indicators
    scaled: np.ndarray
    coverage: np.ndarray
    weights: np.ndarray
    total_weight: float  # of every indicator in the catalogue, computed or not
    key: np.ndarray  # True where a key indicator of the potential is above zero (all True without key indicators)


def _mostly_lindung(indicators: pd.DataFrame, lindung: tuple[str, ...], max_pct_lindung: float) -> np.ndarray:
    pct = development_room(indicators, lindung=lindung)["pct_lindung"].to_numpy(dtype=float)
    return np.nan_to_num(pct, nan=0.0) > max_pct_lindung


def _blocks(
    indicators: pd.DataFrame, groups: pd.Series, potentials: list[Potential], lindung: tuple[str, ...], excluded: np.ndarray
) -> tuple[list[_Block], dict[str, str]]:
    """Indicator arrays per potential; ``excluded`` villages (mostly lindung) are no reference for the kabupaten level."""
    blocks: list[_Block] = []
    missing: dict[str, str] = {}
    n = len(indicators)
    for pot in potentials:
        specs, raws, scaled_cols, covs = [], [], [], []
        has_key = any(spec.key for spec in pot.indicators)
        key = np.zeros(n, dtype=bool) if has_key else np.ones(n, dtype=bool)
        for spec in pot.indicators:
            raw = indicator_values(indicators, spec, lindung=lindung)
            ident = f"{pot.code}.{spec.id}"
            if raw.values is None:
                missing[ident] = raw.reason
                continue
            # the villages kept as kawasan lindung compete for no development: they are
            # no reference for the kabupaten's level
            vals = raw.values.mask(excluded)
            share = spec.kind in SHARE_KINDS
            scaled = scale_values(vals, groups, share=share, invert=spec.invert, area=raw.area)
            keys = groups.to_numpy()
            if share:
                # a class the kabupaten's layer has nowhere (no livestock zone in its RTRW)
                # tells its villages nothing apart: left out there, not a 0 for everyone
                flat = (vals.fillna(0.0).groupby(keys).transform("max") <= 0).to_numpy()
                why = "not_in_layer"
            else:
                # an indicator with one value across a whole kabupaten tells its villages
                # nothing apart; counting it would only lift one potential for everyone
                flat = (raw.values.groupby(keys).transform("nunique") <= 1).to_numpy()
                why = "not_informative"
                # an indicator present in few villages (a primary canal, a market) is a sign
                # where it is; its absence elsewhere is no evidence against the potential
                if not spec.invert:
                    rate = (vals > 0).where(vals.notna()).groupby(keys).transform("mean").to_numpy()
                    scaled = scaled.mask((rate < SPARSE_SHARE) & (vals.to_numpy() == 0))
            if flat.any():
                scaled = scaled.mask(flat)
                missing[ident] = message(why, groups=", ".join(map(str, sorted(set(keys[flat])))))
            if spec.key:
                key |= (raw.values.fillna(0.0) > 0).to_numpy()
            specs.append(spec)
            raws.append(raw.values.to_numpy(dtype=float))
            scaled_cols.append(scaled.to_numpy(dtype=float))
            covs.append(np.ones(n) if raw.coverage is None else raw.coverage.fillna(0.0).to_numpy(dtype=float))
        if not specs:
            missing[str(pot.code)] = message("no_indicator_of_potential")
            continue
        blocks.append(
            _Block(
                code=str(pot.code),
                specs=tuple(specs),
                raw=np.column_stack(raws),
                scaled=np.column_stack(scaled_cols),
                coverage=np.column_stack(covs),
                weights=np.array([s.weight for s in specs], dtype=float),
                total_weight=float(sum(s.weight for s in pot.indicators)),
                key=key,
            )
        )
    if not blocks:
        raise _nothing_scored(indicators, potentials)
    return blocks, missing


def _nothing_scored(indicators: pd.DataFrame, potentials: list[Potential]) -> FieldError:
    """The error when no potential can be scored: the line/point inputs given and the roles the catalogue knows."""
    given = sorted({tuple(s.split(":", 1)) for s in indicators.attrs.get("sources", {}).values() if s.startswith(("lines:", "points:"))})

    def listed(lang: int) -> str:
        words = {"lines": ("garis", "line"), "points": ("titik", "point")}
        return " (" + ", ".join(f"{words[g][lang]} {n}" for g, n in given) + ")" if given else ""

    roles = describe_roles(input_roles(potentials))
    return FieldError(
        "tidak ada potensi yang dapat dinilai: tak satu pun indikator katalog dapat dihitung dari masukan yang diberikan"
        + listed(0)
        + ". Berikan lapisan penggunaan lahan/tutupan lahan atau RTRW, atau sebutkan peran tiap masukan garis, titik "
        'atau tabel di konfigurasi (role = "pusat_kegiatan"; tabel: roles = { ternak = "KOLOM" }). Peran yang dikenal / '
        "no potential can be scored: none of the catalogue's indicators could be computed from the inputs given"
        + listed(1)
        + ". Give a land use/land cover or RTRW layer, or name the role each line, point or table input plays in the "
        'config (role = "pusat_kegiatan"; table: roles = { ternak = "COLUMN" }). The known roles:',
        problems=roles or ["(tidak ada / none)"],
    )


def _block_scores(block: _Block, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Score, share of the catalogue weight present, and evidence of one potential per village."""
    present = ~np.isnan(block.scaled)
    w = np.where(present, weights, 0.0)
    w_sum = w.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(w_sum > 0, (np.nan_to_num(block.scaled) * w).sum(axis=1) / w_sum, np.nan)
    total = block.total_weight if block.total_weight > 0 else 1.0
    weight_share = w_sum / total
    evidence = (w * np.where(present, block.coverage, 0.0)).sum(axis=1) / total
    return score, weight_share, evidence


def score_contributions(
    indicators: pd.DataFrame,
    *,
    groups: pd.Series | None = None,
    catalogue: Iterable[Potential] | None = None,
    enabled_only: bool = True,
    max_pct_lindung: float = MAX_PCT_LINDUNG,
) -> pd.DataFrame:
    """Long table of every (village, potential, indicator) contribution to the scores.

    Columns: ``kode_desa``, ``potensi``, ``indikator``, ``dasar``, ``nilai`` (raw value:
    shares as fractions of the mapped part), ``skala`` (scaled specialisation, 0-1; see :func:`scale_values`), ``cakupan``
    (coverage of the village by the indicator's layer, 0-1), ``bobot`` (weight after
    redistribution over the indicators available for that village), ``kontribusi`` (=
    skala x bobot). Indicators that cannot be computed are absent; their reason is in
    ``attrs["missing"]``.
    """
    groups = pd.Series("all", index=indicators.index) if groups is None else groups.reindex(indicators.index)
    lindung = lindung_classes()
    excluded = _mostly_lindung(indicators, lindung, max_pct_lindung)
    blocks, missing = _blocks(indicators, groups, _potentials(catalogue, enabled_only), lindung, excluded)
    parts = []
    for b in blocks:
        k = len(b.specs)
        frame = pd.DataFrame(
            {
                "kode_desa": np.repeat(indicators.index.to_numpy(), k),
                "potensi": b.code,
                "indikator": np.tile([s.id for s in b.specs], len(indicators)),
                "dasar": np.tile([s.dasar for s in b.specs], len(indicators)),
                "nilai": b.raw.ravel(),
                "skala": b.scaled.ravel(),
                "cakupan": b.coverage.ravel(),
                "bobot_asli": np.tile(b.weights, len(indicators)),
            }
        )
        frame = frame[frame["skala"].notna()]
        frame["bobot"] = frame["bobot_asli"] / frame.groupby("kode_desa")["bobot_asli"].transform("sum")
        parts.append(frame)
    out = pd.concat(parts, ignore_index=True)
    out["kontribusi"] = out["skala"] * out["bobot"]
    out = out.drop(columns="bobot_asli")
    out.attrs["missing"] = missing
    return out


def _dominant(mat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Index of the top score (-1 where nothing is scored), top score and runner-up (0 if none)."""
    filled = np.where(np.isnan(mat), -np.inf, mat)
    # stable argsort on the negated scores: ties go to the catalogue's order
    ranking = np.argsort(-filled, axis=1, kind="stable")
    rows = np.arange(len(mat))
    top = ranking[:, 0]
    top_score = filled[rows, top]
    second = filled[rows, ranking[:, 1]] if mat.shape[1] > 1 else np.full(len(mat), -np.inf)
    top = np.where(np.isfinite(top_score), top, -1)
    return top, top_score, np.where(np.isfinite(second), second, 0.0)


def _priorities(priorities: Mapping[str, float] | None, pots: list[str]) -> np.ndarray:
    """One multiplier per scored potential (1 unless given); unknown codes and bad values refused."""
    given = dict(priorities or {})
    problems = [f"{k}: potensi tidak dikenal / unknown potential" for k in given if k not in pots]
    for k, v in given.items():
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v) or v <= 0:
            problems.append(f"{k}: prioritas harus angka > 0 / the priority must be a number above 0, not {v!r}")
    if problems:
        raise FieldError("prioritas potensi tidak sah / invalid potential priorities: " + "; ".join(problems))
    return np.array([float(given.get(p, 1.0)) for p in pots])


def score_potentials(
    indicators: pd.DataFrame,
    *,
    groups: pd.Series | None = None,
    catalogue: Iterable[Potential] | None = None,
    mixed_margin: float = 0.05,
    max_pct_lindung: float = MAX_PCT_LINDUNG,
    min_weight_share: float = MIN_WEIGHT_SHARE,
    min_evidence: float = MIN_EVIDENCE,
    enabled_only: bool = True,
    labels: Mapping[str, str] | None = None,
    priorities: Mapping[str, float] | None = None,
    lang: str = "id",
) -> pd.DataFrame:
    """Score every potential for every village on its development room and name the dominant one.

    Parameters
    ----------
    indicators
        The indicator table (index ``kode_desa``) from
        :func:`kawasan_gis.indicators.build_indicators`.
    groups
        Kabupaten of each village (indexed by ``kode_desa``) for the kabupaten level
        each village is compared with (location quotients); default one group.
    catalogue
        Potential catalogue (default :func:`kawasan_gis.vocab.load_potentials`).
    mixed_margin
        Lead over the runner-up below which a village is flagged ``campuran`` (mixed).
    max_pct_lindung
        A village more than this percent kawasan lindung gets no development potential.
    min_weight_share
        Share (0-1) of a potential's catalogue weight that must have data in a village
        for the potential to be scored there (a minor surviving indicator never carries it).
    min_evidence
        Least evidence (``bukti``, 0-1: weight share present, share indicators counted
        by their layer's coverage) for a potential to be scored in a village.
    labels
        Indicator id -> readable label for ``kontribusi_utama`` (default: the catalogue's
        labels in ``lang``).
    priorities
        Potential -> priority (> 0, default 1 for each): how much a potential counts when the
        dominant one is chosen, as a musyawarah may decide ("livestock counts double"). The
        dominant potential, ``nilai_dominan``, ``margin``, ``campuran`` and the stability
        are judged on score x priority; the ``skor_`` columns stay the evidence, unweighted.
    lang
        Language of ``kontribusi_utama``: its labels and its numbers (``0,36`` / ``0.36``).

    Returns
    -------
    DataFrame
        Index ``kode_desa``; ``skor_<potential>`` (0-1; NaN where the potential is not
        scored for that village: too little evidence, no key evidence, or mostly lindung),
        ``pct_lindung``, ``ha_ruang_kembang``, ``status_potensi`` (``dinilai`` /
        ``lindung`` / ``data_kurang``), ``alasan_potensi`` (why a village has no
        potential, id / en), ``potensi_dominan`` (None unless ``dinilai``),
        ``nilai_dominan``, ``margin``, ``campuran``, ``kekuatan_bukti`` (evidence of the
        dominant potential, else the best evidence of any potential, 0-1),
        ``stabilitas_potensi`` (share of +-20 % single-weight moves keeping the dominant
        potential), ``dasar`` (``zonasi`` / ``kondisi_lahan`` / ``campuran``),
        ``pct_dasar_zonasi``, ``indikator_dipakai``, ``kontribusi_utama``.
        ``attrs["missing"]`` lists the indicators that could not be computed and why.

    Examples
    --------
    >>> import pandas as pd
    >>> ind = pd.DataFrame({"pct_rtrw_unmapped": [0.0, 0.0], "pct_rtrw_permukiman_perdesaan": [90.0, 5.0],
    ...                     "pct_rtrw_pertanian": [10.0, 95.0]}, index=pd.Index(["1807012001", "1807012002"], name="kode_desa"))
    >>> score_potentials(ind, min_weight_share=0.0, min_evidence=0.0).potensi_dominan.tolist()
    ['permukiman', 'pertanian_unggulan']
    """
    potentials = _potentials(catalogue, enabled_only)
    groups = pd.Series("all", index=indicators.index) if groups is None else groups.reindex(indicators.index)
    lindung = lindung_classes()
    mostly_lindung = _mostly_lindung(indicators, lindung, max_pct_lindung)
    blocks, missing = _blocks(indicators, groups, potentials, lindung, mostly_lindung)
    room = development_room(indicators, lindung=lindung)
    if not room.attrs["known"]:
        missing["ruang_kembang"] = message("no_rtrw_room")
    pct_lindung = room["pct_lindung"].to_numpy(dtype=float)

    # which potential is scored where is judged once, on the catalogue weights: the
    # stability moves below test the ranking of the scored potentials, not the thresholds
    eligible = []
    for b in blocks:
        _, share, evidence = _block_scores(b, b.weights)
        eligible.append((share >= min_weight_share - 1e-12) & (evidence >= min_evidence - 1e-12) & b.key & ~mostly_lindung)

    def scores_for(weights: list[np.ndarray]) -> np.ndarray:
        cols = [np.where(ok, _block_scores(b, w)[0], np.nan) for b, w, ok in zip(blocks, weights, eligible, strict=True)]
        return np.column_stack(cols)

    base_weights = [b.weights for b in blocks]
    mat = scores_for(base_weights)
    evid = np.column_stack([_block_scores(b, b.weights)[2] for b in blocks])
    pots = [b.code for b in blocks]
    rank = _priorities(priorities, pots)
    out = pd.DataFrame(index=indicators.index)
    for k, p in enumerate(pots):
        out[f"skor_{p}"] = mat[:, k]
    out["pct_lindung"] = room["pct_lindung"].round(1)
    out["ha_ruang_kembang"] = room["ha_ruang_kembang"].round(2)

    top, top_score, second = _dominant(mat * rank)
    # every scored potential at zero (data say: none of it here) names no potential either
    scorable = (top >= 0) & (top_score > 0)
    status = np.where(scorable, STATUS_SCORED, np.where(mostly_lindung, STATUS_LINDUNG, STATUS_THIN))
    out["status_potensi"] = status
    reason = np.full(len(out), "", dtype=object)
    for i in np.flatnonzero(status == STATUS_LINDUNG):
        reason[i] = (
            f"sebagian besar kawasan lindung ({pct_lindung[i]:.0f} %) / mostly protected land ({pct_lindung[i]:.0f} %)"
        )
    thin_reason = (
        f"data kurang: bukti < {min_evidence:g} atau bobot tersedia < {min_weight_share:.0%} untuk setiap potensi / "
        f"too little evidence: evidence < {min_evidence:g} or weight with data < {min_weight_share:.0%} for every potential"
    )
    reason[status == STATUS_THIN] = thin_reason
    zero = (status == STATUS_THIN) & (top >= 0)
    reason[zero] = "tidak ada indikator bernilai di atas nol / no indicator above zero"
    out["alasan_potensi"] = reason
    out["potensi_dominan"] = np.where(scorable, np.array(pots, dtype=object)[np.maximum(top, 0)], None)
    out["nilai_dominan"] = np.where(scorable, top_score, np.nan)
    out["margin"] = np.where(scorable, top_score - second, np.nan)
    out["campuran"] = scorable & (out["margin"].to_numpy() < mixed_margin)
    rows = np.arange(len(out))
    out["kekuatan_bukti"] = np.round(np.where(scorable, evid[rows, np.maximum(top, 0)], evid.max(axis=1)), 3)

    # stability: each single weight moved down and up by WEIGHT_STEP, the others kept
    same = np.zeros(len(out))
    moves = 0
    for j, b in enumerate(blocks):
        for k in range(len(b.weights)):
            for factor in (1.0 - WEIGHT_STEP, 1.0 + WEIGHT_STEP):
                weights = list(base_weights)
                w = b.weights.copy()
                w[k] *= factor
                weights[j] = w
                moved = _dominant(scores_for(weights) * rank)[0]
                same += moved == top
                moves += 1
    out["stabilitas_potensi"] = np.where(scorable, np.round(same / max(moves, 1), 3), np.nan)

    contrib = score_contributions(
        indicators, groups=groups, catalogue=potentials, enabled_only=enabled_only, max_pct_lindung=max_pct_lindung
    )
    dom = contrib.merge(
        out.loc[scorable, ["potensi_dominan"]].reset_index().rename(columns={"potensi_dominan": "potensi"}), on=["kode_desa", "potensi"]
    )
    zoning = dom[dom["dasar"] == "zonasi"].groupby("kode_desa")["kontribusi"].sum()
    total = dom.groupby("kode_desa")["kontribusi"].sum()
    pct_z = (zoning.reindex(total.index, fill_value=0.0) / total.where(total > 0)).reindex(out.index)
    out["pct_dasar_zonasi"] = (100.0 * pct_z).round(1)
    out["dasar"] = np.select(
        [pct_z.to_numpy() >= ZONING_DOMINANT, pct_z.to_numpy() <= 1 - ZONING_DOMINANT],
        ["zonasi", "kondisi_lahan"],
        default="campuran",
    )
    out.loc[pct_z.isna().to_numpy(), "dasar"] = None

    used = contrib.groupby("kode_desa")["indikator"].agg(lambda s: ",".join(sorted(set(s))))
    out["indikator_dipakai"] = used.reindex(out.index, fill_value="")
    if labels is None:
        labels = {spec.id: spec.label(lang) for pot in potentials for spec in pot.indicators}
    labels = dict(labels)
    dom_sorted = dom[dom["kontribusi"] > 0].sort_values(["kode_desa", "kontribusi"], ascending=[True, False], kind="stable")
    top3 = dom_sorted.groupby("kode_desa").head(3)
    text = top3.assign(t=[f"{labels.get(i, i)} {format_number(c, 2, lang)}" for i, c in zip(top3["indikator"], top3["kontribusi"], strict=True)])
    out["kontribusi_utama"] = text.groupby("kode_desa")["t"].agg("; ".join).reindex(out.index, fill_value="") if len(text) else ""
    out.attrs["missing"] = missing
    if not scorable.all():
        log.info(
            "%d villages get no development potential: %d mostly kawasan lindung, %d too little evidence",
            int((~scorable).sum()), int((status == STATUS_LINDUNG).sum()), int((status == STATUS_THIN).sum()),
        )
    return out


def thin_evidence(scores: pd.DataFrame, *, catalogue: Iterable[Potential] | None = None) -> Message | None:
    """A warning (id and en, :class:`~kawasan_gis.i18n.Message`) when the evidence behind a scoring is thin.

    Thin: more than 25 % of the villages ``data_kurang``, or the median ``kekuatan_bukti``
    of the scored villages under 0.5. The warning opens with the cause that made it thin
    (either or both), then names the indicators that carried the scoring by their catalogue
    labels, with the number of villages each was used in. None when the evidence is not thin.

    Parameters
    ----------
    scores : DataFrame
        :func:`score_potentials` output (``status_potensi``, ``kekuatan_bukti``, ``indikator_dipakai``).
    catalogue : iterable of Potential, optional
        The catalogue the scores came from, for the indicator labels (default the built-in one).

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"status_potensi": ["dinilai", "dinilai"], "kekuatan_bukti": [0.3, 0.2],
    ...                   "indikator_dipakai": ["tambak,lahan_pertanian", "tambak"]})
    >>> print(thin_evidence(s).text("id"))
    bukti tipis: median kekuatan bukti desa yang dinilai 0,25 (di bawah 0,50); indikator yang dipakai: tambak (2 desa), lahan pertanian (1 desa)
    >>> print(thin_evidence(s).text("en"))
    thin evidence: median evidence strength of the scored villages 0.25 (below 0.50); indicators used: fish ponds (2 villages), farmland (1 village)
    """
    scored = scores["status_potensi"] == STATUS_SCORED
    n_thin = int((scores["status_potensi"] == STATUS_THIN).sum())
    median = float(scores.loc[scored, "kekuatan_bukti"].median()) if scored.any() else 0.0
    few_data, weak = n_thin > THIN_SHARE * len(scores), median < THIN_MEDIAN
    if not (few_data or weak):
        return None
    used = scores.loc[scored, "indikator_dipakai"].str.split(",").explode()
    counts = used[used.astype(bool)].value_counts()
    counts = counts.iloc[np.lexsort((counts.index.to_numpy(dtype=str), -counts.to_numpy()))]  # most used first
    specs = {spec.id: spec for pot in _potentials(catalogue, enabled_only=False) for spec in pot.indicators}

    def text(lang: str) -> str:
        causes = []
        if weak:
            causes.append(t("thin_median", lang, median=format_number(median, 2, lang), limit=format_number(THIN_MEDIAN, 2, lang)))
        if few_data:
            causes.append(t("thin_share", lang, n_thin=format_number(n_thin, 0, lang), n=format_number(len(scores), 0, lang),
                            pct=format_number(100 * THIN_SHARE, 0, lang)))
        def unit(n: int) -> str:
            return "desa" if lang == "id" else ("village" if n == 1 else "villages")

        carried = ", ".join(
            f"{specs[k].label(lang) if k in specs else k} ({format_number(v, 0, lang)} {unit(v)})" for k, v in counts.items()
        ) or "-"
        return t("thin_evidence", lang, causes="; ".join(causes), carried=carried)

    return Message(text("id"), text("en"))
