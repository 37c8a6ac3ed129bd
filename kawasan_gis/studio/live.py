"""Live consequences of a plan edit: the RTRW check and the rules of the touched kawasan, fast.

Owns :class:`LiveCheck`. It does the expensive geometry of :func:`kawasan_gis.check.check_plan`
once per result, and each edit then re-checks only the kawasan it touched by summing pieces:

1. The villages are cut into **faces**, the planar partition of their boundaries: where two
   villages overlap (real layers always do, by slivers) the overlap is a face of its own that
   belongs to both. The area of any union of villages is then the sum of its faces, exactly as
   the check measures a table plan's kawasan (the union of its villages), overlaps counted once.
2. The faces are cut by the planar pola ruang zones and the LP2B and hazard overlays
   (:func:`kawasan_gis.check.zoning.cut_pieces`), once.
3. Re-checking a kawasan is choosing its faces' pieces, giving them the ITBX status of the
   kawasan's potential, or L for kawasan lindung kept (a studio kawasan is made of whole
   villages; :func:`~kawasan_gis.check.zoning.assign_status`) and summing hectares
   (:func:`~kawasan_gis.check.zoning.area_columns`); verdicts, conflicts and rules come from the
   same library functions as ``kawasan check`` (:func:`~kawasan_gis.check.verdicts.verdicts`
   and ``verdict_reasons``,
   :func:`~kawasan_gis.check.rules.check_rules` on a contiguity graph built once).

The figures equal those of ``check_plan`` on the same plan up to floating-point summation order
(tested on the bundled Lampung Timur result). The size limits of the run are flagged as rule
``batas_ukuran``.

Imports: :mod:`kawasan_gis.check`, ``overlay``, ``regionalize``, ``vocab``, ``i18n``, and
:mod:`kawasan_gis.studio.plan`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kawasan_gis._atomic import atomic_file
from kawasan_gis.check import CheckConfig, Plan
from kawasan_gis.check.plan import empty_partial
from kawasan_gis.check.rules import check_rules
from kawasan_gis.check.verdicts import room_shares, verdict_reasons, verdicts
from kawasan_gis.check.zoning import LINDUNG, area_columns, assign_status, cut_pieces, overlay_parts
from kawasan_gis.i18n import format_number, t
from kawasan_gis.overlay import M2_PER_HA, default_priority, resolve_overlaps
from kawasan_gis.regionalize import Limits, contiguity
from kawasan_gis.studio.plan import PlanState
from kawasan_gis.vocab import COMBINED_SEP, ITBX_KEY, ItbxMatrix, load_vocabulary

__all__ = ["KawasanFigures", "LiveCheck", "json_value"]

log = logging.getLogger(__name__)

# A face belongs to a village when more than half of it lies in the village: faces are either
# inside a village or in a gap between villages, so any threshold between 0 and 1 gives the
# same answer; one half is robust to the noding of shared borders.
_FACE_SHARE = 0.5
_SCHEMA = ("kode_desa", "nama_desa", "kode_kec", "nama_kec", "kode_kab", "nama_kab", "jenis")


@dataclass(frozen=True, eq=False)
class KawasanFigures:
    """The live figures of one kawasan.

    ``row`` holds ``kawasan_id``, ``nama``, ``potensi``, ``pusat``, ``n_desa``, ``luas_ha``,
    the ``ha_``/``pct_`` I, T, B, X, L, outside columns, ``ha_ruang_kembang``,
    ``pct_ruang_kembang``, ``verdict`` and its reason
    ``alasan_verdict`` / ``alasan_verdict_en`` (as ``check_plan`` names them; no ITBX columns
    when the run had no RTRW), ``ha_lindung`` and ``ha_lindung_X`` (protected land in the
    kawasan and the part of it judged X), ``kecamatan``, ``pct_dasar_zonasi``;
    ``rules`` the rule findings (``rule``, ``level``, ``message``, ``dasar``); ``conflicts`` the
    X (and, when asked, B) pieces and the kawasan lindung kept (L) with ``kelas``, ``nama_kelas``, ``status``, ``sebab`` and
    ``luas_ha``, not merged (the written ``konflik`` layer merges them with
    :func:`~kawasan_gis.check.conflicts.conflict_layer` in the full check); ``outline`` the union
    of the member villages (working CRS).
    """

    row: dict[str, Any]
    rules: list[dict[str, str]]
    conflicts: gpd.GeoDataFrame
    outline: Any


class LiveCheck:
    """Precomputed check geometry of one result; :meth:`evaluate` re-checks kawasan of a plan.

    Parameters
    ----------
    villages : GeoDataFrame
        The whole village layer in the internal schema (working CRS in metres).
    rtrw : GeoDataFrame or None
        Pola ruang with standard ``kelas`` codes; None: rules only, no ITBX figures.
    itbx : ItbxMatrix
    config : CheckConfig
        Thresholds, rule texts and the contiguity snap distance.
    limits : Limits
        The run's size limits, flagged as rule ``batas_ukuran``.
    lp2b, hazard : GeoDataFrame, optional
        Overlays, as in ``check_plan``.
    bridges : DataFrame, optional
        Extra neighbour pairs (the proposal's ``sambungan``).
    include_conditional : bool
        Also list B areas as conflicts.
    lang : {"id", "en"}
    cache_dir : path, optional
        Folder to keep the faces and pieces in (``<result>/studio/.cache``), so the next start
        skips the geometry. The file is named by a SHA-256 of the villages, zones and overlays
        it was cut from, holds only numbers and WKB (no pickles), and is written atomically.
    """

    def __init__(
        self,
        villages: gpd.GeoDataFrame,
        rtrw: gpd.GeoDataFrame | None,
        *,
        itbx: ItbxMatrix,
        config: CheckConfig,
        limits: Limits,
        lp2b: gpd.GeoDataFrame | None = None,
        hazard: gpd.GeoDataFrame | None = None,
        bridges: pd.DataFrame | None = None,
        include_conditional: bool = False,
        lang: str = "id",
        cache_dir: str | Path | None = None,
    ) -> None:
        # the rule checks read these columns only; a slim frame keeps each edit fast
        keep = [c for c in (*_SCHEMA, "dasar") if c in villages.columns]
        self.villages = gpd.GeoDataFrame(villages[keep].reset_index(drop=True), geometry=villages.geometry.to_numpy(), crs=villages.crs)
        self.itbx = itbx
        self.config = config
        self.limits = limits
        self.include_conditional = include_conditional
        self.lang = lang
        self.crs = villages.crs
        self.codes = self.villages["kode_desa"].astype(str).to_numpy()
        self.pos = {c: i for i, c in enumerate(self.codes)}
        self.graph = contiguity(self.villages, snap=config.snap_m, by=None)
        vgeoms = np.asarray(self.villages.geometry.array, dtype=object)
        self.zoned = rtrw is not None
        vocab = load_vocabulary("rtrw")
        self._label = lambda code: vocab.label(code, lang=lang) if code in vocab else code
        self._lindung = np.array([c.code for c in vocab if c.group == "lindung"], dtype=object)
        overlays = {"lp2b": overlay_parts(lp2b, "LP2B", self.crs), "rawan_bencana": overlay_parts(hazard, "hazard", self.crs)}
        key = _fingerprint(vgeoms, rtrw, overlays)
        path = Path(cache_dir) / f"potongan-{key[:24]}.npz" if cache_dir is not None else None
        cached = _load(path) if path is not None and path.is_file() else None
        self.from_cache = cached is not None
        if cached is not None:
            self.faces, self.face_of, self.village_of, self.pieces, self.shapes = cached
        else:
            self.faces, self.face_of, self.village_of = _faces(vgeoms)
            if rtrw is not None:
                rgeoms = np.asarray(rtrw.geometry.array, dtype=object)
                near = np.unique(shapely.STRtree(rgeoms).query(vgeoms, predicate="intersects")[1])
                # combined classes are cut under their ITBX key (see vocab.matching), shown as kelas
                key = ITBX_KEY if ITBX_KEY in rtrw.columns else "kelas"
                zones = resolve_overlaps(rtrw.iloc[near][list(dict.fromkeys(["kelas", key, rtrw.geometry.name]))],
                                         priority=default_priority("rtrw"))
                self.pieces, self.shapes = cut_pieces(
                    self.faces, np.asarray(zones.geometry.array, dtype=object), zones[key].astype(str).to_numpy(), overlays
                )
            else:
                self.pieces = pd.DataFrame({"owner": np.empty(0, np.int64), "kelas": np.empty(0, dtype=object),
                                            "lp2b": np.empty(0, bool), "rawan_bencana": np.empty(0, bool), "ha": np.empty(0)})
                self.shapes = np.empty(0, dtype=object)
            if path is not None:
                _save(path, self.faces, self.face_of, self.village_of, self.pieces, self.shapes)
        self.face_ha = shapely.area(self.faces) / M2_PER_HA
        self.piece_face = self.pieces["owner"].to_numpy()
        self.piece_kelas = self.pieces["kelas"].astype(object).to_numpy()
        self.piece_lp2b = self.pieces["lp2b"].to_numpy(dtype=bool)
        self.piece_hazard = self.pieces["rawan_bencana"].to_numpy(dtype=bool)
        self.piece_ha = self.pieces["ha"].to_numpy(dtype=float)
        self._kec = self.villages["nama_kec"].astype(str).to_numpy()
        self.bridge_pairs = _pairs(bridges, set(self.codes))
        log.info("studio: %d villages, %d faces, %d pieces", len(self.codes), len(self.faces), len(self.pieces))

    # ------------------------------------------------------------------ evaluation

    def face_mask(self, codes: Iterable[str]) -> np.ndarray:
        """Faces of the union of the villages ``codes``."""
        vm = np.zeros(len(self.codes), bool)
        vm[[self.pos[c] for c in codes]] = True
        fm = np.zeros(len(self.faces), bool)
        fm[self.face_of[vm[self.village_of]]] = True
        return fm

    def evaluate(self, state: PlanState, ids: Iterable[str]) -> dict[str, KawasanFigures]:
        """Check the kawasan ``ids`` of ``state``; returns their figures by id."""
        ids = [k for k in dict.fromkeys(ids) if k in set(state.ids())]
        if not ids:
            return {}
        members = {k: state.villages_of(k) for k in ids}
        specs = {k: state.get(k) for k in ids}
        masks = [self.face_mask(members[k]) for k in ids]
        kaw = pd.DataFrame({
            "kawasan_id": ids,
            "nama": [specs[k].nama for k in ids],
            "potensi": [specs[k].potensi for k in ids],
            "n_desa": [len(members[k]) for k in ids],
        })
        area = np.array([float(self.face_ha[m].sum()) for m in masks])
        rows_sel = [np.flatnonzero(m[self.piece_face]) for m in masks]
        sel = np.concatenate(rows_sel) if rows_sel else np.empty(0, np.int64)
        owner = np.repeat(np.arange(len(ids)), [len(r) for r in rows_sel])
        status, sebab = self._status(kaw["potensi"].to_numpy()[owner], sel)
        pieces = pd.DataFrame({"owner": owner, "ha": self.piece_ha[sel], "status": status})
        if self.zoned:
            kaw = pd.concat([kaw, area_columns(area, pieces)], axis=1)
            room = room_shares(kaw)
            kaw["ha_ruang_kembang"] = room["ha_ruang_kembang"]
            kaw["pct_ruang_kembang"] = room["pct_ruang_kembang"]
            kaw["verdict"] = verdicts(kaw, self.config.thresholds)
            kaw["alasan_verdict"] = verdict_reasons(kaw, self.config.thresholds, lang="id")
            kaw["alasan_verdict_en"] = verdict_reasons(kaw, self.config.thresholds, lang="en")
            # protected land in the kawasan and the part of it judged X (the profile's lindung_terjaga)
            lindung = np.isin([str(c).split(COMBINED_SEP)[0] for c in self.piece_kelas[sel]], self._lindung)
            ha = self.piece_ha[sel]
            kaw["ha_lindung"] = np.bincount(owner[lindung], weights=ha[lindung], minlength=len(ids))
            lx = lindung & (status == "X")
            kaw["ha_lindung_X"] = np.bincount(owner[lx], weights=ha[lx], minlength=len(ids))
        else:
            kaw["luas_ha"] = area
        wanted = ("X", "B", LINDUNG) if self.include_conditional else ("X", LINDUNG)
        hit = np.isin(status, wanted)
        konflik = gpd.GeoDataFrame(
            {"kawasan_id": kaw["kawasan_id"].to_numpy()[owner[hit]], "kelas": [str(c).split(COMBINED_SEP)[0] for c in self.piece_kelas[sel][hit]],
             "nama_kelas": [self._label(str(c).split(COMBINED_SEP)[0]) for c in self.piece_kelas[sel][hit]], "status": status[hit],
             "sebab": sebab[hit], "luas_ha": self.piece_ha[sel][hit]},
            geometry=gpd.GeoSeries(self.shapes[sel][hit], crs=self.crs), crs=self.crs,
        )
        rules = self._rules(state, ids, members)
        out: dict[str, KawasanFigures] = {}
        for i, k in enumerate(ids):
            row = {key: json_value(v) for key, v in kaw.iloc[i].items()}
            idx = [self.pos[c] for c in members[k]]
            row["kecamatan"] = list(dict.fromkeys(str(x) for x in self._kec[idx]))
            row["pusat"] = specs[k].pusat
            found = [r for r in rules if r["kawasan_id"] == k]
            found += self._size_rules(k, len(idx), area[i])
            out[k] = KawasanFigures(
                row=row,
                rules=[{key: r[key] for key in ("rule", "level", "message", "dasar")} for r in found],
                conflicts=konflik[konflik["kawasan_id"] == k].reset_index(drop=True),
                # faces partition the plane, so their union is a coverage union (much faster)
                outline=shapely.coverage_union_all(self.faces[masks[i]]),
            )
        return out

    def _status(self, potensi: np.ndarray, sel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """ITBX status and cause of the pieces ``sel`` for the given potentials (library rule,
        asked once per distinct potential, class and overlay combination)."""
        if len(sel) == 0:
            return np.empty(0, dtype=object), np.empty(0, dtype=object)
        keys = pd.DataFrame({"potensi": potensi, "kelas": self.piece_kelas[sel], "lp2b": self.piece_lp2b[sel],
                             "rawan_bencana": self.piece_hazard[sel]})
        combos = assign_status(keys.drop_duplicates(), self.itbx, lindung=self._lindung)
        lookup = {(p, k, lp, hz): (st, cause) for p, k, lp, hz, st, cause in combos.itertuples(index=False)}
        found = [lookup[key] for key in zip(potensi, self.piece_kelas[sel], self.piece_lp2b[sel], self.piece_hazard[sel], strict=True)]
        return np.array([f[0] for f in found], dtype=object), np.array([f[1] for f in found], dtype=object)

    def _rules(self, state: PlanState, ids: list[str], members: dict[str, list[str]]) -> list[dict[str, str]]:
        """The library's rule checks of the touched kawasan, on their villages only.

        Every rule concerns the members of a kawasan (and the bridges between them), so the
        check runs on those villages and the contiguity graph built once for the whole layer.
        """
        codes = [c for k in ids for c in members[k]]
        desa = self.villages.iloc[[self.pos[c] for c in codes]].copy()
        desa["kawasan_id"] = [k for k in ids for _ in members[k]]
        desa["potensi"] = [state.get(k).potensi for k in ids for _ in members[k]]
        kawasan = pd.DataFrame({"kawasan_id": ids, "nama": [state.get(k).nama for k in ids],
                                "potensi": [state.get(k).potensi for k in ids], "n_desa": [len(members[k]) for k in ids]})
        plan = Plan(members=desa, kawasan=kawasan, source="studio", kind="table", partial=empty_partial(), villages=desa)
        inside = set(codes)
        bridges = self.bridge_pairs[[a in inside and b in inside for a, b in self.bridge_pairs]] if len(self.bridge_pairs) else None
        found = check_rules(plan, desa, self.config, bridges=[tuple(p) for p in bridges] if bridges is not None else None,
                            lang=self.lang, graph=self.graph)
        return found.to_dict("records")

    def _size_rules(self, k: str, n: int, area: float) -> list[dict[str, str]]:
        lim = self.limits
        if lim.fits(n, area) and n >= lim.min_villages:
            return []
        lang = self.lang
        limit = []
        if n < lim.min_villages:
            limit.append(t("studio_limit_min", lang, n=format_number(lim.min_villages, 0, lang)))
        if lim.max_villages is not None and n > lim.max_villages:
            limit.append(t("studio_limit_max", lang, n=format_number(lim.max_villages, 0, lang)))
        if lim.max_area_ha is not None and area > lim.max_area_ha:
            limit.append(t("studio_limit_ha", lang, ha=format_number(lim.max_area_ha, 0, lang)))
        text = t("studio_rule_size", lang, kawasan=k, n=format_number(n, 0, lang), ha=format_number(area, 0, lang), batas="; ".join(limit))
        return [{"rule": "batas_ukuran", "level": "warning", "message": text, "dasar": t("studio_rule_size_basis", self.lang)}]


_CACHE_FORMAT = b"kawasan_gis studio pieces 1"


def _fingerprint(villages: np.ndarray, rtrw: gpd.GeoDataFrame | None, overlays: dict[str, np.ndarray | None]) -> str:
    """SHA-256 of everything the faces and pieces are cut from."""
    h = hashlib.sha256(_CACHE_FORMAT)
    h.update(b"".join(shapely.to_wkb(villages)))
    if rtrw is not None:
        h.update(b"".join(shapely.to_wkb(np.asarray(rtrw.geometry.array, dtype=object))))
        h.update("\n".join(rtrw[ITBX_KEY if ITBX_KEY in rtrw.columns else "kelas"].astype(str)).encode())
    for name, parts in overlays.items():
        h.update(name.encode())
        if parts is not None:
            h.update(b"".join(shapely.to_wkb(parts)))
    return h.hexdigest()


def _packed(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    wkb = shapely.to_wkb(geoms)
    sizes = np.array([len(b) for b in wkb], dtype=np.int64)
    return np.frombuffer(b"".join(wkb), dtype=np.uint8), np.concatenate([[0], np.cumsum(sizes)])


def _unpacked(data: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    raw = data.tobytes()
    return shapely.from_wkb([raw[a:b] for a, b in zip(offsets[:-1], offsets[1:], strict=True)])


def _save(path: Path, faces: np.ndarray, face_of: np.ndarray, village_of: np.ndarray, pieces: pd.DataFrame, shapes: np.ndarray) -> None:
    fw, fo = _packed(faces)
    sw, so = _packed(shapes)
    with atomic_file(path) as tmp, open(tmp, "wb") as fh:
        np.savez(fh, faces=fw, faces_at=fo, face_of=face_of, village_of=village_of, shapes=sw, shapes_at=so,
                 owner=pieces["owner"].to_numpy(np.int64), kelas=pieces["kelas"].astype(str).to_numpy(dtype=str),
                 lp2b=pieces["lp2b"].to_numpy(bool), hazard=pieces["rawan_bencana"].to_numpy(bool), ha=pieces["ha"].to_numpy(float))


def _load(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.DataFrame, np.ndarray] | None:
    """The cached faces and pieces, or None when the file cannot be read (it is then cut again)."""
    try:
        with np.load(path, allow_pickle=False) as z:
            faces = _unpacked(z["faces"], z["faces_at"])
            shapes = _unpacked(z["shapes"], z["shapes_at"])
            pieces = pd.DataFrame({"owner": z["owner"], "kelas": z["kelas"].astype(object), "lp2b": z["lp2b"],
                                   "rawan_bencana": z["hazard"], "ha": z["ha"]})
            return faces, z["face_of"], z["village_of"], pieces, shapes
    except (OSError, ValueError, KeyError, shapely.errors.GEOSException) as exc:
        log.warning("studio: cache %s unreadable (%s); cutting again", path, exc)
        return None


def _pairs(bridges: pd.DataFrame | None, known: set[str]) -> np.ndarray:
    """Bridge pairs (``from_kode``, ``to_kode``) between known villages, as an (n, 2) array of codes."""
    if bridges is None or len(bridges) == 0 or not {"from_kode", "to_kode"} <= set(bridges.columns):
        return np.empty((0, 2), dtype=object)
    pairs = [(str(a), str(b)) for a, b in zip(bridges["from_kode"], bridges["to_kode"], strict=True) if str(a) in known and str(b) in known]
    return np.array(pairs, dtype=object).reshape(-1, 2)


def _faces(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The planar partition of the villages: faces, and (face, village) pairs of who owns which."""
    edges = shapely.union_all(shapely.boundary(geoms))
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(edges)))
    faces = faces[shapely.area(faces) > 0]
    fi, vi = shapely.STRtree(geoms).query(faces, predicate="intersects")
    share = shapely.area(shapely.intersection(faces[fi], geoms[vi])) / shapely.area(faces[fi])
    keep = share > _FACE_SHARE
    fi, vi = fi[keep], vi[keep]
    used = np.unique(fi)
    renumber = np.full(len(faces), -1)
    renumber[used] = np.arange(len(used))
    return faces[used], renumber[fi], vi


def json_value(value: Any) -> Any:
    """A JSON-friendly Python value (NumPy scalars unwrapped, NaN as None)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value
