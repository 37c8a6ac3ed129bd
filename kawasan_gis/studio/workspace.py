"""The result folder the studio works in: what it reads from a run, and where it may write.

Owns :class:`RunFolder` (:func:`open_run` reads ``kawasan.gpkg`` and ``run.json`` of a
``kawasan run``: villages with their scores and indicators, the proposed kawasan, the RTRW
layer, island bridges, and the settings the run used: potential catalogue, ITBX matrix, LP2B
and hazard overlays, size limits, language) and :func:`inside`, the one gate between a name a
browser sends and a file on disk.

The studio never writes into the run's own files: everything it saves goes under
``<result>/studio/`` (plan versions in ``versi/``, exports in ``ekspor/``).

Imports: :mod:`kawasan_gis.io`, ``vocab``, ``check``, ``regionalize`` (the size limits) and
``errors``.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio

from kawasan_gis.check import CheckConfig, load_check_config
from kawasan_gis.config import THRESHOLD_KEYS
from kawasan_gis.errors import DataSourceError
from kawasan_gis.io import list_layers, read_layer
from kawasan_gis.regionalize import Limits
from kawasan_gis.vocab import ItbxMatrix, PotentialCatalogue, load_itbx, load_potentials

__all__ = ["STUDIO_DIR", "RunFolder", "inside", "open_run", "proposal_table", "slug"]

log = logging.getLogger(__name__)

STUDIO_DIR = "studio"
"""Sub-folder of the result where the studio writes (versions, exports)."""
VILLAGE_COLUMNS = ("kode_desa", "nama_desa", "kode_kec", "nama_kec", "kode_kab", "nama_kab", "jenis", "luas_ha")


@dataclass(frozen=True, eq=False)
class RunFolder:
    """What the studio needs from a run's output folder.

    Attributes
    ----------
    root : Path
        The result folder (resolved).
    desa : GeoDataFrame
        The run's ``desa`` layer: the village schema, scores, ``kawasan_id``, indicators.
    kawasan : GeoDataFrame
        The proposed kawasan (``kawasan`` layer) with their check columns.
    pola_ruang : GeoDataFrame or None
        The RTRW layer with standard ``kelas`` codes, as the run used it.
    sambungan : GeoDataFrame
        Island bridges of the proposal (neighbours for the contiguity rule).
    pusat : GeoDataFrame or None
        Kawasan centres, when the run chose them.
    lp2b, hazard : GeoDataFrame or None
        The run's overlays, read again from the paths in ``run.json``.
    roads : GeoDataFrame or None
        The run's road lines (``[centres] roads``, else the line layer ``jalan``), for distances
        to kawasan centres along the roads.
    catalogue, itbx, check_config, limits
        The potential catalogue, ITBX matrix, check settings (with the run's verdict thresholds)
        and kawasan size limits of the run.
    scoring : dict
        The run's scoring options for :func:`kawasan_gis.potential.score_potentials`
        (``max_pct_lindung``, ``min_weight_share``, ``min_evidence``).
    lang : str
    title : str
    mixed_margin : float
    conditional_conflicts : bool
    beyond_km : float
        Distance from its centre beyond which a member is far (``[centres] beyond_km``, 10 km).
    notes : list of str
        What could not be restored from the run (a moved overlay file...), for the studio to show.
    evidence : DataFrame or None
        The run's ``bukti_pilar`` table indexed by ``kode_desa``: the profile evidence the plan
        does not change (None for a run without centres, or written before it existed).
    access_km : float
        Reach of a facility in the profile (``[profile] access_km``).
    program : Path or None
        The run's programme catalogue (``[profile] program``), None for the built-in one.
    """

    root: Path
    desa: gpd.GeoDataFrame
    kawasan: gpd.GeoDataFrame
    pola_ruang: gpd.GeoDataFrame | None
    sambungan: gpd.GeoDataFrame
    pusat: gpd.GeoDataFrame | None
    lp2b: gpd.GeoDataFrame | None
    hazard: gpd.GeoDataFrame | None
    roads: gpd.GeoDataFrame | None
    catalogue: PotentialCatalogue
    itbx: ItbxMatrix
    check_config: CheckConfig
    limits: Limits
    scoring: dict[str, float]
    lang: str
    title: str
    mixed_margin: float
    conditional_conflicts: bool
    beyond_km: float
    notes: tuple[str, ...]
    evidence: pd.DataFrame | None = None
    access_km: float = 5.0
    program: Path | None = None

    @property
    def studio(self) -> Path:
        return self.root / STUDIO_DIR


def inside(root: Path, *parts: str) -> Path:
    """``root/parts...`` resolved, or :class:`~kawasan_gis.errors.DataSourceError` if it leaves ``root``.

    Every file name that arrives from the browser passes through here: ``..``, absolute paths,
    symbolic links pointing out and NUL bytes are refused.
    """
    root = Path(root).resolve()
    for p in parts:
        if "\0" in p or p.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", p):
            raise DataSourceError(f"jalur ditolak / path refused: {p!r}")
    target = root.joinpath(*parts).resolve()
    if target != root and root not in target.parents:
        raise DataSourceError(f"jalur di luar folder hasil ditolak / path outside the result folder refused: {'/'.join(parts)!r}")
    return target


def slug(text: str, *, limit: int = 60) -> str:
    """A file-name-safe form of ``text`` (ASCII letters, digits, ``-`` and ``_``), never empty."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    out = re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_text).strip("-_").lower()[:limit]
    return out or "rencana"


def _path(value: Any) -> Path | None:
    return Path(value) if isinstance(value, str) and value else None


def _input(spec: Any, name: str, crs: Any, notes: list[str], *, kind: str = "landuse") -> gpd.GeoDataFrame | None:
    """An input layer of the run, read again from the path ``run.json`` recorded (None when absent)."""
    if not isinstance(spec, dict) or not spec.get("path"):
        return None
    path = Path(spec["path"])
    if not path.exists():
        notes.append(f"{name}: {path} tidak ditemukan, dikerjakan tanpa lapisan ini / not found, done without it")
        return None
    return read_layer(path, kind=kind, layer=spec.get("layer"), working_crs=crs, where=spec.get("where"))  # type: ignore[arg-type]


def open_run(path: str | Path) -> RunFolder:
    """Read a result folder written by ``kawasan run`` (or ``kawasan demo``).

    Raises
    ------
    DataSourceError
        The folder, ``kawasan.gpkg`` or ``run.json`` is missing or unreadable, or the run has no
        villages in kawasan.
    """
    root = Path(path).expanduser()
    if not root.is_dir():
        raise DataSourceError(f"{root}: folder hasil tidak ada / result folder not found (give the --out folder of `kawasan run`).")
    root = root.resolve()
    gpkg, meta = root / "kawasan.gpkg", root / "run.json"
    missing = [p.name for p in (gpkg, meta) if not p.is_file()]
    if missing:
        raise DataSourceError(
            f"{root}: bukan folder hasil `kawasan run` (tidak ada {', '.join(missing)}) / not a result folder of "
            f"`kawasan run` ({', '.join(missing)} missing)."
        )
    try:
        info = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataSourceError(f"{meta}: tidak terbaca / cannot be read ({exc}).") from None
    cfg = info.get("config") if isinstance(info, dict) else None
    if not isinstance(cfg, dict):
        raise DataSourceError(f"{meta}: tidak memuat konfigurasi run / holds no run configuration.")
    layers = set(list_layers(gpkg))
    need = {"desa", "kawasan"} - layers
    if need:
        raise DataSourceError(f"{gpkg}: lapisan {', '.join(sorted(need))} tidak ada / layers missing.")

    def layer(name: str) -> gpd.GeoDataFrame | None:
        return gpd.read_file(gpkg, layer=name, engine="pyogrio") if name in layers else None

    desa = layer("desa")
    kawasan = layer("kawasan")
    assert desa is not None and kawasan is not None
    for col in VILLAGE_COLUMNS:
        if col not in desa.columns:
            raise DataSourceError(f"{gpkg}: lapisan desa tanpa kolom {col} / the desa layer lacks column {col}.")
    desa["kode_desa"] = desa["kode_desa"].astype(str)
    for col in ("kode_kec", "kode_kab", "nama_desa", "nama_kec", "nama_kab", "jenis"):
        desa[col] = desa[col].fillna("").astype(str)
    if desa["kawasan_id"].notna().sum() == 0:
        raise DataSourceError(f"{gpkg}: tidak ada desa dalam kawasan / no village is in a kawasan.")
    sambungan = layer("sambungan")
    if sambungan is None:
        sambungan = gpd.GeoDataFrame({"from_kode": [], "to_kode": []}, geometry=[], crs=desa.crs)

    notes: list[str] = []
    inputs = cfg.get("inputs", {}) or {}
    potentials = cfg.get("potentials", {}) or {}
    check = cfg.get("check", {}) or {}
    proposal = cfg.get("proposal", {}) or {}
    project = cfg.get("project", {}) or {}
    centres = cfg.get("centres", {}) or {}
    road_layer = centres.get("roads") or ("jalan" if "jalan" in (inputs.get("lines") or {}) else None)
    profile = cfg.get("profile", {}) or {}
    catalogue_path, matrix_path = _path(potentials.get("catalogue")), _path(check.get("matrix"))
    program_path = _path(profile.get("program"))
    for what, p in (("potentials", catalogue_path), ("ITBX", matrix_path), ("program", program_path)):
        if p is not None and not p.exists():
            notes.append(f"{what}: {p} tidak ditemukan, memakai bawaan / not found, using the built-in one")
    catalogue = load_potentials(overrides=catalogue_path if catalogue_path and catalogue_path.exists() else None)
    itbx = load_itbx(overrides=matrix_path if matrix_path and matrix_path.exists() else None)
    max_v, max_a = proposal.get("max_villages"), proposal.get("max_area_ha")
    return RunFolder(
        root=root,
        desa=desa,
        kawasan=kawasan,
        pola_ruang=layer("pola_ruang"),
        sambungan=sambungan,
        pusat=layer("pusat"),
        lp2b=_input(inputs.get("lp2b"), "lp2b", desa.crs, notes),
        hazard=_input(inputs.get("hazard"), "hazard", desa.crs, notes),
        roads=_input((inputs.get("lines") or {}).get(road_layer), road_layer, desa.crs, notes, kind="lines") if road_layer else None,
        catalogue=catalogue,
        itbx=itbx,
        check_config=load_check_config({"verdict": {k: check[k] for k in THRESHOLD_KEYS if check.get(k) is not None}}),
        limits=Limits(min_villages=int(proposal.get("min_villages") or 2),
                      max_villages=int(max_v) if max_v else None, max_area_ha=float(max_a) if max_a else None),
        scoring={k: float(potentials[k]) for k in ("max_pct_lindung", "min_weight_share", "min_evidence") if potentials.get(k) is not None},
        lang=str(project.get("lang") or "id"),
        title=str(project.get("name") or "Kawasan Perdesaan"),
        mixed_margin=float(potentials.get("mixed_margin", 0.05)),
        conditional_conflicts=bool(check.get("conditional_conflicts", False)),
        beyond_km=float(centres.get("beyond_km") or 10.0),
        notes=tuple(notes),
        evidence=_evidence(gpkg) if "bukti_pilar" in layers else None,
        access_km=float(profile.get("access_km") or 5.0),
        program=program_path if program_path and program_path.exists() else None,
    )


def _evidence(gpkg: Path) -> pd.DataFrame:
    """The ``bukti_pilar`` table, indexed by ``kode_desa``."""
    table = pyogrio.read_dataframe(gpkg, layer="bukti_pilar")
    table["kode_desa"] = table["kode_desa"].astype(str)
    return table.set_index("kode_desa")


def proposal_table(run: RunFolder) -> pd.DataFrame:
    """The run's proposal as a plan table (``kode_desa``, ``kawasan_id``, ``potensi``)."""
    members = run.desa.loc[run.desa["kawasan_id"].notna(), ["kode_desa", "kawasan_id"]]
    potential = run.kawasan.set_index("kawasan_id")["potensi"]
    return pd.DataFrame(members).assign(potensi=members["kawasan_id"].map(potential))
