"""Scoring each village's potentials and naming its dominant one.

Every potential of the catalogue (``kawasan_gis/data/potentials.toml``) lists the
indicators that feed it, with weights. A village's score for a potential is the
weighted mean of its *scaled* indicator values, over the indicators that could be
computed for it (the weights of missing indicators are redistributed, and the result
says which were used).

Scaling (documented in docs/potentials.md):

* shares of the village area (``landcover_share``, ``rtrw_share``) are used as
  fractions (0-1): they already compare fairly between villages and kabupaten;
* densities, counts and table values are divided by the 95th percentile of the
  villages **of the same kabupaten** and clipped to 0-1 (robust to one outlier, and
  zero stays zero);
* distances (``invert = true``) become ``1 - min(d / p95, 1)``: nearer is better;
* a density, count, distance or table value that is the same in every village of a
  kabupaten (say, one village-centre point in every desa) cannot tell its villages apart:
  it is left out there, its weight redistributed, and the reason listed.

The dominant potential is the highest score; ``margin`` is its lead over the
runner-up, and villages with a margin under ``mixed_margin`` are flagged
``campuran`` (mixed). ``dasar`` says whether the dominant score rests on zoning
(RTRW shares) or on land condition (land use/cover, lines, points, tables): a plan
derived from the RTRW and then checked against it proves little.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kawasan_gis.errors import FieldError
from kawasan_gis.vocab import IndicatorSpec, Potential, load_potentials

log = logging.getLogger(__name__)

SHARE_KINDS = ("landcover_share", "rtrw_share")
ROBUST_QUANTILE = 0.95
ZONING_DOMINANT = 0.75  # share of the dominant score from zoning above which it "rests on zoning"


@dataclass(frozen=True)
class IndicatorValue:
    """Raw values of one indicator for every village, or None when it cannot be computed."""

    values: pd.Series | None
    reason: str = ""


def _class_share(indicators: pd.DataFrame, kinds: Iterable[str], classes: Iterable[str]) -> IndicatorValue:
    for kind in kinds:
        if f"pct_{kind}_unmapped" in indicators.columns:
            cols = [f"pct_{kind}_{c}" for c in classes if f"pct_{kind}_{c}" in indicators.columns]
            share = indicators[cols].sum(axis=1) if cols else pd.Series(0.0, index=indicators.index)
            return IndicatorValue(share / 100.0)
    return IndicatorValue(None, f"no {'/'.join(kinds)} layer")


def indicator_values(indicators: pd.DataFrame, spec: IndicatorSpec) -> IndicatorValue:
    """Raw values of one indicator spec (see potentials.toml) from the indicator table."""
    kind = spec.kind
    if kind == "landcover_share":
        # a complete land-cover raster is preferred over a (often partial) land-use layer
        return _class_share(indicators, ("landcover", "landuse"), spec.classes)
    if kind == "rtrw_share":
        return _class_share(indicators, ("rtrw",), spec.classes)
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
    return IndicatorValue(None, f"column {name} not computed")


def scale_values(values: pd.Series, groups: pd.Series, *, kind: str, invert: bool = False) -> pd.Series:
    """Scale raw indicator values to 0-1 as described in the module docstring.

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.Series([0.0, 1.0, 2.0, 40.0]); g = pd.Series(["a", "a", "b", "b"])
    >>> scale_values(v, g, kind="line_density").round(3).tolist()
    [0.0, 1.0, 0.052, 1.0]
    """
    if kind in SHARE_KINDS:
        return values.clip(0.0, 1.0)
    p95 = values.groupby(groups.to_numpy()).transform(lambda s: s.quantile(ROBUST_QUANTILE))
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = (values / p95).where(p95 > 0, 0.0).clip(0.0, 1.0)
    scaled = scaled.where(values.notna())
    if invert:
        scaled = 1.0 - scaled
    return scaled


def _potentials(catalogue: Iterable[Potential] | None, enabled_only: bool) -> list[Potential]:
    items = list(load_potentials() if catalogue is None else catalogue)
    return [p for p in items if p.enabled or not enabled_only]


def score_contributions(
    indicators: pd.DataFrame,
    *,
    groups: pd.Series | None = None,
    catalogue: Iterable[Potential] | None = None,
    enabled_only: bool = True,
) -> pd.DataFrame:
    """Long table of every (village, potential, indicator) contribution to the scores.

    Columns: ``kode_desa``, ``potensi``, ``indikator``, ``dasar``, ``nilai`` (raw value),
    ``skala`` (0-1), ``bobot`` (weight after redistribution over the indicators available
    for that village), ``kontribusi`` (= skala x bobot). Indicators that cannot be computed
    are absent; their reason is in ``attrs["missing"]``.
    """
    groups = pd.Series("all", index=indicators.index) if groups is None else groups.reindex(indicators.index)
    rows = []
    missing: dict[str, str] = {}
    for pot in _potentials(catalogue, enabled_only):
        parts = []
        for spec in pot.indicators:
            raw = indicator_values(indicators, spec)
            key = f"{pot.code}.{spec.id}"
            if raw.values is None:
                missing[key] = raw.reason
                continue
            scaled = scale_values(raw.values, groups, kind=spec.kind, invert=spec.invert)
            if spec.kind not in SHARE_KINDS:
                # an indicator with one value across a whole kabupaten tells its villages
                # nothing apart; counting it would only lift one potential for everyone
                spread = raw.values.groupby(groups.to_numpy()).transform("nunique")
                flat = (spread <= 1).to_numpy()
                if flat.any():
                    scaled = scaled.mask(flat)
                    flat_groups = sorted(set(groups.to_numpy()[flat]))
                    missing[key] = f"same value in every village of {', '.join(map(str, flat_groups))}: not informative"
            parts.append(
                pd.DataFrame(
                    {
                        "kode_desa": indicators.index,
                        "potensi": pot.code,
                        "indikator": spec.id,
                        "dasar": spec.dasar,
                        "nilai": raw.values.to_numpy(),
                        "skala": scaled.to_numpy(),
                        "bobot_asli": float(spec.weight),
                    }
                )
            )
        if not parts:
            missing[str(pot.code)] = "no indicator of this potential could be computed"
            continue
        block = pd.concat(parts, ignore_index=True)
        block = block[block["skala"].notna()]
        block["bobot"] = block["bobot_asli"] / block.groupby("kode_desa")["bobot_asli"].transform("sum")
        rows.append(block)
    if not rows:
        raise FieldError(
            "no potential can be scored: none of the catalogue's indicators could be computed from the "
            "inputs given. Give a land use/land cover layer, an RTRW layer, line or point layers, or a table."
        )
    out = pd.concat(rows, ignore_index=True)
    out["kontribusi"] = out["skala"] * out["bobot"]
    out = out.drop(columns="bobot_asli")
    out.attrs["missing"] = missing
    return out


def score_potentials(
    indicators: pd.DataFrame,
    *,
    groups: pd.Series | None = None,
    catalogue: Iterable[Potential] | None = None,
    mixed_margin: float = 0.05,
    enabled_only: bool = True,
    labels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Score every potential for every village and name the dominant one.

    Parameters
    ----------
    indicators
        The indicator table (index ``kode_desa``) from
        :func:`kawasan_gis.indicators.build_indicators`.
    groups
        Kabupaten of each village (indexed by ``kode_desa``) for the within-kabupaten
        scaling; default one group.
    catalogue
        Potential catalogue (default :func:`kawasan_gis.vocab.load_potentials`).
    mixed_margin
        Lead over the runner-up below which a village is flagged ``campuran`` (mixed).
    labels
        Indicator id -> readable label for ``kontribusi_utama`` (default: the catalogue's
        Indonesian labels).

    Returns
    -------
    DataFrame
        Index ``kode_desa``; ``skor_<potential>`` (0-1; 0 where a village has no value
        for any of the potential's indicators; potentials none of whose indicators could
        be computed get no column), ``potensi_dominan`` (None where every score is 0: no
        evidence), ``nilai_dominan``, ``margin``, ``campuran``,
        ``dasar`` (``zonasi`` / ``kondisi_lahan`` / ``campuran``), ``pct_dasar_zonasi``,
        ``indikator_dipakai``, ``kontribusi_utama``. ``attrs["missing"]`` lists the
        indicators that could not be computed and why; the full table of
        contributions is :func:`score_contributions`.

    Examples
    --------
    >>> import pandas as pd
    >>> ind = pd.DataFrame({"pct_rtrw_unmapped": [0.0, 0.0], "pct_rtrw_permukiman_perdesaan": [90.0, 5.0],
    ...                     "pct_rtrw_pertanian": [10.0, 95.0]}, index=pd.Index(["1807012001", "1807012002"], name="kode_desa"))
    >>> score_potentials(ind).potensi_dominan.tolist()
    ['permukiman', 'pertanian_unggulan']
    """
    potentials = _potentials(catalogue, enabled_only)
    contrib = score_contributions(indicators, groups=groups, catalogue=potentials, enabled_only=enabled_only)
    # potentials none of whose indicators could be computed get no column at all
    pots = [p.code for p in potentials if p.code in set(contrib["potensi"])]
    scores = contrib.pivot_table(index="kode_desa", columns="potensi", values="kontribusi", aggfunc="sum")
    scores = scores.reindex(index=indicators.index, columns=pots)
    mat = scores.to_numpy(dtype=float)
    # a village with no value for any indicator of a potential has no evidence for it: 0
    mat = np.where(np.isnan(mat), 0.0, mat)
    out = pd.DataFrame(index=indicators.index)
    for k, p in enumerate(pots):
        out[f"skor_{p}"] = mat[:, k]

    # stable argsort on the negated scores: ties go to the catalogue's order
    ranking = np.argsort(-mat, axis=1, kind="stable")
    top = ranking[:, 0]
    top_score = mat[np.arange(len(mat)), top]
    second = mat[np.arange(len(mat)), ranking[:, 1]] if mat.shape[1] > 1 else np.zeros(len(mat))
    # no evidence for any potential (every score 0): the dominant potential is unknown
    scorable = top_score > 0
    out["potensi_dominan"] = np.where(scorable, np.array(pots, dtype=object)[top], None)
    out["nilai_dominan"] = np.where(scorable, top_score, np.nan)
    out["margin"] = np.where(scorable, top_score - second, np.nan)
    out["campuran"] = scorable & (out["margin"].to_numpy() < mixed_margin)

    dom = contrib.merge(
        out[["potensi_dominan"]].reset_index().rename(columns={"potensi_dominan": "potensi"}), on=["kode_desa", "potensi"]
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
    out["indikator_dipakai"] = used.reindex(out.index).fillna("")
    if labels is None:
        labels = {spec.id: spec.label("id") for pot in potentials for spec in pot.indicators}
    labels = dict(labels)
    dom_sorted = dom[dom["kontribusi"] > 0].sort_values(["kode_desa", "kontribusi"], ascending=[True, False], kind="stable")
    top3 = dom_sorted.groupby("kode_desa").head(3)
    text = top3.assign(t=[f"{labels.get(i, i)} {c:.2f}" for i, c in zip(top3["indikator"], top3["kontribusi"], strict=True)])
    out["kontribusi_utama"] = text.groupby("kode_desa")["t"].agg("; ".join).reindex(out.index).fillna("")
    out.attrs["missing"] = contrib.attrs["missing"]
    if not scorable.all():
        log.info("%d villages have no evidence for any potential (every score 0)", int((~scorable).sum()))
    return out
