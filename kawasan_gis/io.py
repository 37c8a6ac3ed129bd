"""Reading and writing layers, with the checks every later step relies on.

Every reader returns a GeoDataFrame in one metric *working CRS*, with valid 2D
geometries, and a :class:`LayerReport` in ``gdf.attrs["kawasan_report"]`` that says
what was read and what was repaired. Problems a user can fix raise a
:class:`~kawasan_gis.errors.KawasanError` that names the file and the fix; problems
the toolkit can repair are repaired, counted and reported with a
:class:`~kawasan_gis.errors.RepairWarning`.

Supported vector formats: GeoPackage (any layer), Shapefile, zipped Shapefile (read
in place through GDAL's ``/vsizip/``, never extracted), GeoJSON, FlatGeobuf and
GeoParquet. Rasters (GeoTIFF) are opened with rasterio.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError as PyprojCRSError

from kawasan_gis._atomic import atomic_file
from kawasan_gis.errors import CRSError, DataSourceError, FieldError, GeometryError, KawasanError, LayerError, RepairWarning
from kawasan_gis.i18n import format_list

log = logging.getLogger(__name__)

LayerKind = Literal["villages", "landuse", "rtrw", "points", "lines", "raster"]
KINDS: tuple[str, ...] = ("villages", "landuse", "rtrw", "points", "lines", "raster")

VECTOR_SUFFIXES = {".gpkg", ".shp", ".zip", ".geojson", ".json", ".fgb", ".parquet", ".geoparquet"}
RASTER_SUFFIXES = {".tif", ".tiff", ".vrt", ".img"}

VILLAGE_COLUMNS = ["kode_desa", "nama_desa", "kode_kec", "nama_kec", "kode_kab", "nama_kab", "jenis", "luas_ha"]

# Column names of the common village schemas, tried in order (case-insensitive).
CODE_CANDIDATES = ("kode_desa_10", "kode_desa", "kdepum", "kode_kemendagri", "kd_desa", "kode_kel", "kodedesa", "kode")
NAME_CANDIDATES = ("nama_desa", "wadmkd", "namobj", "desa", "nama_kel", "desa_kel", "kelurahan", "nama", "name")
KEC_NAME_CANDIDATES = ("nama_kec", "wadmkc", "kecamatan", "kec", "nm_kec")
KAB_NAME_CANDIDATES = ("nama_kab", "wadmkk", "kabupaten", "kab_kota", "kabkot", "nm_kab")
KEC_CODE_CANDIDATES = ("kode_kec", "kdcpum", "kd_kec")
KAB_CODE_CANDIDATES = ("kode_kab", "kdppum", "kd_kab")
JENIS_CANDIDATES = ("jenis", "tipe", "status_desa")
BPS_CODE_CANDIDATES = ("kdebps", "iddesa", "kode_bps")

# Kemendagri province codes (Kepmendagri 300.2.2-2138/2025, incl. the Papua expansions).
PROVINCE_CODES = frozenset(
    [11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53, 61, 62, 63, 64, 65,
     71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96, 97]
)

GAP_OVERLAP_MIN_M2 = 1.0  # below a square metre, slivers are numerical noise of simplified layers


# --------------------------------------------------------------------------- reports


@dataclass
class Repair:
    """One kind of automatic change made to a layer."""

    what: str
    count: int
    features: list[str] = field(default_factory=list)

    def text(self) -> str:
        shown = ", ".join(self.features[:10]) + (" ..." if len(self.features) > 10 else "")
        return f"{self.what}: {self.count}" + (f" ({shown})" if shown else "")


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


# --------------------------------------------------------------------------- sources


def _check_zip(path: Path) -> list[str]:
    """Return the member names of a zip, refusing unsafe or broken archives."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            bad = zf.testzip()
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataSourceError(f"{path}: not a readable zip archive ({exc}). Re-create the zip.") from None
    if bad is not None:
        raise DataSourceError(f"{path}: member '{bad}' is corrupt (CRC error). Re-create the zip.")
    unsafe = [n for n in names if n.startswith(("/", "\\")) or ".." in PurePosixPath(n.replace("\\", "/")).parts]
    if unsafe:
        raise DataSourceError(
            f"{path}: the archive has member paths that point outside it ({', '.join(unsafe)}). "
            "It was not opened. Re-create the zip with plain relative paths."
        )
    return names


def _shapefile_sidecars(path: Path, members: Iterable[str] | None = None) -> None:
    """A shapefile needs its .shx and .dbf; say which one is missing."""
    stem = path.stem if members is None else PurePosixPath(str(path)).stem
    if members is None:
        present = {p.suffix.lower() for p in path.parent.glob(glob_escape(path.stem) + ".*")}
    else:
        present = {PurePosixPath(m).suffix.lower() for m in members if PurePosixPath(m).stem == stem}
    missing = [ext for ext in (".shx", ".dbf") if ext not in present]
    if missing:
        raise DataSourceError(
            f"{path}: the shapefile is missing its {' and '.join(missing)} file(s). "
            "A shapefile is several files with one name; copy all of them (.shp, .shx, .dbf, .prj) together."
        )


def _check_shp_header(path: Path) -> None:
    """Compare the .shp header's declared length with the file: GDAL reads truncated files silently."""
    with open(path, "rb") as fh:
        header = fh.read(100)
    size = path.stat().st_size
    if len(header) < 100 or int.from_bytes(header[0:4], "big") != 9994:
        raise DataSourceError(f"{path}: not a shapefile (bad header). The file is damaged or mislabelled; export it again.")
    declared = int.from_bytes(header[24:28], "big") * 2
    if size < declared:
        raise DataSourceError(
            f"{path}: the file is truncated: its header declares {declared:,} bytes but it has {size:,}. "
            "Copy it again from the source (an interrupted download or copy)."
        )


def glob_escape(text: str) -> str:
    return re.sub(r"([\[\]*?])", r"[\1]", text)


def _gdal_path(path: Path, layer: str | None) -> tuple[str, str | None]:
    """The path GDAL should open and the layer inside it (zip members become /vsizip/ paths)."""
    if path.suffix.lower() != ".zip":
        if path.suffix.lower() == ".shp":
            _shapefile_sidecars(path)
            _check_shp_header(path)
        return str(path), layer
    names = _check_zip(path)
    shps = [n for n in names if n.lower().endswith(".shp")]
    others = [n for n in names if n.lower().endswith((".gpkg", ".geojson", ".json", ".fgb"))]
    candidates = shps + others
    if not candidates:
        raise DataSourceError(f"{path}: the zip holds no shapefile, GeoPackage or GeoJSON ({len(names)} members).")
    if layer is not None:
        chosen = [n for n in candidates if PurePosixPath(n).stem == layer or n == layer]
        if not chosen:
            if len(candidates) == 1:
                chosen = candidates
            else:
                raise LayerError(f"{path}: no member named '{layer}'. Members: {', '.join(candidates)}.")
    elif len(candidates) > 1:
        raise LayerError(
            f"{path}: the zip holds several layers ({', '.join(candidates)}). Choose one with --layer NAME."
        )
    else:
        chosen = candidates
    member = chosen[0]
    if member.lower().endswith(".shp"):
        _shapefile_sidecars(Path(member), members=names)
        return f"/vsizip/{path.resolve()}/{member}", None
    return f"/vsizip/{path.resolve()}/{member}", layer if layer != PurePosixPath(member).stem else None


LAYER_HINTS: dict[str, tuple[str, ...]] = {
    "villages": ("desa", "kel", "village", "admin"),
    "rtrw": ("pola", "rtrw", "rdtr", "zona", "ruang"),
    "landuse": ("lulc", "landuse", "land_use", "tutupan", "penggunaan", "pl_", "lc"),
    "lines": ("jalan", "road", "irigasi", "saluran", "sungai"),
    "points": ("pusat", "titik", "point", "pasar", "bendungan"),
}


def list_layers(path: str | Path) -> list[str]:
    """Names of the vector layers in ``path`` (one for single-layer formats)."""
    path = _existing(path)
    if path.suffix.lower() == ".zip":
        names = _check_zip(path)
        return [PurePosixPath(n).stem for n in names if n.lower().endswith((".shp", ".gpkg", ".geojson", ".fgb"))]
    gpath, _ = _gdal_path(path, None)
    try:
        return [str(r[0]) for r in pyogrio.list_layers(gpath)]
    except Exception as exc:  # pyogrio raises its own DataSourceError subclasses
        raise DataSourceError(f"{path}: cannot be opened as a vector data source ({exc}).") from None


def _choose_layer(path: Path, gpath: str, layer: str | None, kind: str | None) -> str | None:
    if layer is not None or path.suffix.lower() not in {".gpkg"}:
        return layer
    try:
        layers = [str(r[0]) for r in pyogrio.list_layers(gpath)]
    except Exception as exc:
        raise DataSourceError(
            f"{path}: cannot be opened as a GeoPackage ({exc}). The file may be truncated or not a GeoPackage."
        ) from None
    if len(layers) == 1:
        return layers[0]
    if not layers:
        raise LayerError(f"{path}: the GeoPackage has no layers.")
    hints = LAYER_HINTS.get(kind or "", ())
    matches = [name for name in layers if any(h in name.lower() for h in hints)]
    if len(matches) >= 1 and kind is not None:
        # the first layer whose name fits the kind, in file order (e.g. 'desa' before 'kecamatan')
        log.info("%s: using layer '%s' of %s", path, matches[0], layers)
        return matches[0]
    raise LayerError(f"{path}: the GeoPackage has several layers ({', '.join(layers)}). Choose one with --layer NAME.")


def _existing(path: str | Path) -> Path:
    path = Path(path)
    if not path.exists():
        raise DataSourceError(f"{path}: file not found. Check the path (relative paths start from {Path.cwd()}).")
    if path.is_dir():
        raise DataSourceError(f"{path}: is a folder; give the file inside it (.shp, .gpkg, .geojson, .zip ...).")
    return path


def read_raw(
    path: str | Path, *, layer: str | None = None, kind: str | None = None, where: str | None = None
) -> tuple[gpd.GeoDataFrame, str | None]:
    """Read a vector layer as it is (no CRS or geometry handling); return it and the layer name used.

    ``where`` is an OGR SQL attribute filter (e.g. ``"KETERANGAN <> 'Ibukota Desa'"``).
    """
    path = _existing(path)
    suffix = path.suffix.lower()
    if suffix not in VECTOR_SUFFIXES:
        raise DataSourceError(
            f"{path}: unsupported file type '{suffix}'. Use GeoPackage, Shapefile (.shp or .zip), GeoJSON, "
            "FlatGeobuf or GeoParquet" + (" (rasters are read as --kind raster)." if suffix in RASTER_SUFFIXES else ".")
        )
    if suffix in {".parquet", ".geoparquet"}:
        try:
            frame = gpd.read_parquet(path)
        except Exception as exc:
            raise DataSourceError(f"{path}: cannot be read as GeoParquet ({exc}).") from None
        if where:
            try:
                frame = frame.query(where.replace("<>", "!="))
            except Exception as exc:
                raise LayerError(f"{path}: the filter '{where}' cannot be applied ({exc}).") from None
        return frame, None
    gpath, inner_layer = _gdal_path(path, layer)
    inner_layer = _choose_layer(path, gpath, inner_layer, kind)
    try:
        gdf = gpd.read_file(gpath, layer=inner_layer, engine="pyogrio", where=where)
    except pyogrio.errors.FieldError as exc:
        raise LayerError(f"{path}: the filter '{where}' names an unknown column ({exc}).") from None
    except pyogrio.errors.DataLayerError as exc:
        if where:
            raise LayerError(f"{path}: the filter '{where}' is not valid OGR SQL ({exc}).") from None
        raise LayerError(f"{path}: layer '{inner_layer}' cannot be read ({exc}). Layers: {list_layers(path)}.") from None
    except Exception as exc:
        raise DataSourceError(
            f"{path}: cannot be read ({exc}). The file may be truncated or damaged; export it again from the source."
        ) from None
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry is None:
        raise LayerError(f"{path}: layer '{inner_layer}' has no geometry column (it is a plain table).")
    return gdf, inner_layer


# --------------------------------------------------------------------------- CRS


def parse_crs(value: Any) -> CRS:
    """Parse a user CRS (``"EPSG:32748"``, ``32748``, WKT); raise CRSError with a hint when invalid."""
    try:
        text = str(value).strip()
        return CRS.from_user_input(int(text) if text.isdigit() else text)
    except (PyprojCRSError, ValueError, TypeError):
        raise CRSError(f"'{value}' is not a CRS pyproj knows. Give an EPSG code such as EPSG:4326 or EPSG:32748.") from None


def working_crs_for(gdf: gpd.GeoDataFrame) -> CRS:
    """The UTM zone (WGS 84) of the layer's centre: the default metric working CRS."""
    crs = gdf.estimate_utm_crs(datum_name="WGS 84")
    return CRS.from_user_input(crs)


def _assign_crs(gdf: gpd.GeoDataFrame, path: Path, assume_crs: Any, report: LayerReport) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        if assume_crs is None:
            report.usable = False
            raise CRSError(
                f"{path}: the layer has no CRS (a shapefile without its .prj, or a file saved without one). "
                "kawasan_gis never guesses: re-run with --assume-crs EPSG:XXXX (for example EPSG:4326 for "
                "longitude/latitude degrees, or the UTM zone the data was made in; in a config file: "
                'assume_crs = "EPSG:XXXX" in the layer\'s entry), or add the .prj file.'
            )
        gdf = gdf.set_crs(parse_crs(assume_crs))
        report.crs_assumed = True
        report.notes.append(f"CRS taken from --assume-crs {assume_crs}")
    elif assume_crs is not None and CRS.from_user_input(gdf.crs) != parse_crs(assume_crs):
        report.notes.append(f"--assume-crs {assume_crs} ignored: the file declares {gdf.crs.to_string()}")
    report.crs_source = gdf.crs.to_string()
    if gdf.crs.is_geographic and not gdf.empty:
        minx, miny, maxx, maxy = gdf.total_bounds
        if not (-180 <= minx <= 180 and -90 <= miny <= 90 and -180 <= maxx <= 180 and -90 <= maxy <= 90):
            raise CRSError(
                f"{path}: the layer says it is in degrees ({gdf.crs.to_string()}) but its coordinates "
                f"({minx:.0f}, {miny:.0f} ... {maxx:.0f}, {maxy:.0f}) are metres. The declared CRS is wrong: "
                "fix the .prj or pass the right one with --assume-crs after removing it."
            )
    return gdf


def to_working_crs(gdf: gpd.GeoDataFrame, working_crs: Any, report: LayerReport) -> gpd.GeoDataFrame:
    """Reproject to the working CRS, which must be projected in metres."""
    target = parse_crs(working_crs)
    if not is_metric(target):
        raise CRSError(
            f"working CRS {target.to_string()} is not projected in metres: areas and distances need metres. "
            "Use a UTM zone such as EPSG:32748 (or leave it unset to use the data's UTM zone)."
        )
    report.working_crs = target.to_string()
    if CRS.from_user_input(gdf.crs) != target:
        gdf = gdf.to_crs(target)
    return gdf


# --------------------------------------------------------------------------- geometry


def polygon_parts(geoms: np.ndarray, keep_types: Sequence[int] = (3,)) -> tuple[np.ndarray, np.ndarray]:
    """Single parts of ``geoms`` of the given types, and the position each came from.

    Single geometries are kept as they are (no copy); multi-part geometries and collections
    are split. Missing and empty geometries give no part.
    """
    g, owner = geoms, np.arange(len(geoms))
    while True:
        multi = np.isin(shapely.get_type_id(g), [4, 5, 6, 7])
        if not multi.any():
            break
        parts, src = shapely.get_parts(g[multi], return_index=True)
        g = np.concatenate([g[~multi], parts])
        owner = np.concatenate([owner[~multi], owner[multi][src]])
    keep = np.isin(shapely.get_type_id(g), list(keep_types)) & ~shapely.is_empty(g)
    return g[keep], owner[keep]


def polygonal(geoms: np.ndarray) -> np.ndarray:
    """The polygonal part of each result of a GEOS overlay: collections lose their lines and points.

    The polygons of one overlay result never overlap, so they are joined as a MultiPolygon
    without a union.
    """
    out = geoms.copy()
    for k in np.flatnonzero(shapely.get_type_id(geoms) == 7):
        parts, _ = polygon_parts(geoms[k : k + 1])
        out[k] = shapely.multipolygons(parts) if len(parts) else shapely.Polygon()
    return out


def _feature_names(gdf: gpd.GeoDataFrame, mask: np.ndarray, id_column: str | None) -> list[str]:
    idx = np.flatnonzero(mask)
    if id_column and id_column in gdf.columns:
        return [f"{id_column}={gdf[id_column].iloc[i]}" for i in idx]
    return [f"#{i}" for i in idx]


def clean_geometries(
    gdf: gpd.GeoDataFrame,
    *,
    geom_kind: Literal["polygon", "line", "point"],
    id_column: str | None = None,
    report: LayerReport | None = None,
    source: str = "",
) -> gpd.GeoDataFrame:
    """Drop null/empty geometries, drop Z, repair invalid ones; warn with counts and names.

    Repairs use :func:`shapely.make_valid` with the ``structure`` method, which keeps
    every polygon part of a self-intersecting ring; for polygon layers only the polygonal
    parts of the result are kept. Features that end up empty are dropped and named.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Polygon
    >>> bowtie = Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])
    >>> g = gpd.GeoDataFrame(geometry=[bowtie], crs=32748)
    >>> import warnings; warnings.simplefilter("ignore")
    >>> round(clean_geometries(g, geom_kind="polygon").area.sum(), 1)
    2.0
    """
    report = report if report is not None else LayerReport(path=source, layer=None, kind="")
    where = f"{source}: " if source else ""
    geoms = gdf.geometry.values
    changes: list[Repair] = []

    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.any():
        changes.append(Repair("null/empty geometries dropped", int(missing.sum()), _feature_names(gdf, missing, id_column)))
        gdf = gdf.loc[~missing]
        geoms = gdf.geometry.values

    has_z = shapely.has_z(geoms)
    if has_z.any():
        changes.append(Repair("Z coordinates dropped", int(has_z.sum()), []))
        geoms = shapely.force_2d(geoms)

    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        names = _feature_names(gdf, invalid, id_column)
        reasons = shapely.is_valid_reason(geoms[invalid])
        fixed = geoms.copy()
        fixed[invalid] = shapely.make_valid(geoms[invalid], method="structure", keep_collapsed=False)
        geoms = fixed
        detail = [f"{n} ({r})" for n, r in zip(names, reasons, strict=True)]
        changes.append(Repair("invalid geometries repaired (make_valid, structure)", int(invalid.sum()), detail))

    if geom_kind == "polygon":
        geoms, dropped_parts = _keep_type(geoms, ("Polygon", "MultiPolygon"))
    elif geom_kind == "line":
        geoms, dropped_parts = _keep_type(geoms, ("LineString", "MultiLineString"))
    else:
        geoms, dropped_parts = _keep_type(geoms, ("Point", "MultiPoint"))
    if dropped_parts.any():
        changes.append(
            Repair(f"non-{geom_kind} parts removed", int(dropped_parts.sum()), _feature_names(gdf, dropped_parts, id_column))
        )

    if geom_kind == "polygon":
        # GEOS's make_valid can return parts that share an edge (an invalid MultiPolygon,
        # e.g. for rings that retrace a segment); dissolving the parts fixes that
        shared = ~shapely.is_valid(geoms) & ~shapely.is_missing(geoms)
        for i in np.flatnonzero(shared):
            geoms[i] = shapely.union_all(shapely.get_parts(geoms[i]))
        unfixable = ~shapely.is_valid(geoms) & ~shapely.is_missing(geoms)
        if unfixable.any():
            raise GeometryError(
                f"{where}{int(unfixable.sum())} geometries could not be repaired automatically "
                f"({', '.join(_feature_names(gdf, unfixable, id_column))}). Fix them in a GIS (e.g. QGIS 'Fix geometries')."
            )

    empty_after = shapely.is_empty(geoms) | shapely.is_missing(geoms)
    if geom_kind == "polygon":
        empty_after |= shapely.area(geoms) == 0
    out = gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))
    if empty_after.any():
        changes.append(
            Repair(f"features with no {geom_kind} left dropped", int(empty_after.sum()), _feature_names(out, empty_after, id_column))
        )
        out = out.loc[~empty_after]

    for change in changes:
        report.repairs.append(change)
        warnings.warn(f"{where}{change.text()}", RepairWarning, stacklevel=3)
    return out


def _keep_type(geoms: np.ndarray, keep: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Keep only geometries (or collection parts) of the wanted types; flag features that lost parts."""
    types = shapely.get_type_id(geoms)
    wanted_ids = {"Point": 0, "LineString": 1, "Polygon": 3, "MultiPoint": 4, "MultiLineString": 5, "MultiPolygon": 6}
    ok_ids = [wanted_ids[k] for k in keep]
    out = geoms.copy()
    lost = np.zeros(len(geoms), dtype=bool)
    for i in np.flatnonzero(~np.isin(types, ok_ids) & ~shapely.is_missing(geoms)):
        parts = shapely.get_parts(geoms[i])
        # nested collections from make_valid are flattened once more
        parts = np.concatenate([shapely.get_parts(p) if shapely.get_type_id(p) == 7 else [p] for p in parts]) if len(parts) else parts
        good = [p for p in parts if shapely.get_type_id(p) in ok_ids and not shapely.is_empty(p)]
        lost[i] = len(good) < len(parts)
        out[i] = shapely.union_all(good) if good else shapely.from_wkt("POLYGON EMPTY" if "Polygon" in keep else "GEOMETRYCOLLECTION EMPTY")
    return out, lost


# --------------------------------------------------------------------------- layers


def _new_report(path: str | Path, layer: str | None, kind: str, gdf: gpd.GeoDataFrame) -> LayerReport:
    types = sorted(set(gdf.geom_type.dropna().astype(str))) if len(gdf) else []
    return LayerReport(path=str(path), layer=layer, kind=kind, n_read=len(gdf), geometry_types=types)


def _geom_kind_of(kind: str) -> Literal["polygon", "line", "point"]:
    return {"points": "point", "lines": "line"}.get(kind, "polygon")  # type: ignore[return-value]


def _check_geometry_family(gdf: gpd.GeoDataFrame, path: Path, kind: str, report: LayerReport) -> None:
    family = {"point": ("Point", "MultiPoint"), "line": ("LineString", "MultiLineString"), "polygon": ("Polygon", "MultiPolygon")}
    wanted = family[_geom_kind_of(kind)]
    types = gdf.geom_type.dropna()
    if len(types) and not types.isin(wanted + ("GeometryCollection",)).any():
        report.usable = False
        raise LayerError(
            f"{path}: a {kind} layer needs {' or '.join(wanted)} features, but this layer has "
            f"{', '.join(sorted(set(types)))}. Check --kind, or choose another --layer."
        )


def read_layer(
    path: str | Path,
    *,
    kind: LayerKind,
    layer: str | None = None,
    assume_crs: Any = None,
    working_crs: Any = None,
    id_column: str | None = None,
    where: str | None = None,
) -> gpd.GeoDataFrame:
    """Read any vector layer, set and check its CRS, clean its geometries, reproject it.

    Parameters
    ----------
    path
        File to read (.gpkg, .shp, .zip, .geojson, .fgb, .parquet).
    kind
        ``villages``, ``landuse``, ``rtrw``, ``points`` or ``lines``: decides which geometry
        type is expected and which GeoPackage layer is picked when there are several.
    layer
        Layer name inside a GeoPackage or zip.
    assume_crs
        CRS to use when the file declares none. Never guessed.
    working_crs
        Metric CRS to reproject to; default the UTM zone of the layer's centre.
    id_column
        Column used to name features in warnings.
    where
        OGR SQL attribute filter applied while reading, e.g. ``"kelas_jalan = 'arteri'"``.

    Returns
    -------
    GeoDataFrame
        With ``attrs["kawasan_report"]`` holding the :class:`LayerReport`.

    Examples
    --------
    >>> from kawasan_gis.io import read_layer
    >>> jalan = read_layer("data/rtrw_lampung_timur/konteks_lampung_timur.gpkg", kind="lines", layer="jalan")
    >>> jalan.crs.to_epsg(), len(jalan)
    (32748, 3223)
    """
    if kind not in KINDS or kind == "raster":
        raise LayerError(f"kind must be one of villages, landuse, rtrw, points, lines (got '{kind}').")
    path = Path(path)
    gdf, used_layer = read_raw(path, layer=layer, kind=kind, where=where)
    report = _new_report(path, used_layer, kind, gdf)
    if where:
        report.notes.append(f"filter: {where}")
    if gdf.empty:
        report.usable = False
        raise LayerError(f"{path}: layer '{used_layer}' has no features" + (f" matching '{where}'." if where else "."))
    _check_geometry_family(gdf, path, kind, report)
    gdf = _assign_crs(gdf, path, assume_crs, report)
    gdf = clean_geometries(gdf, geom_kind=_geom_kind_of(kind), id_column=id_column, report=report, source=str(path))
    if gdf.empty:
        report.usable = False
        raise LayerError(f"{path}: no usable {kind} geometry is left after dropping empty/invalid features.")
    if working_crs is None:
        target = working_crs_for(gdf)
        report.working_crs_reason = "(zona UTM pusat data / UTM zone of the data's centre)"
    else:
        target = parse_crs(working_crs)
        report.working_crs_reason = "(ditentukan / given)"
    gdf = to_working_crs(gdf, target, report)
    if _geom_kind_of(kind) == "polygon":
        # make_valid and reprojection can both leave tiny self-touching rings; fix them in metres
        still_bad = ~shapely.is_valid(gdf.geometry.values)
        if still_bad.any():
            gdf = gdf.copy()
            gdf.loc[still_bad, gdf.geometry.name] = shapely.make_valid(gdf.geometry.values[still_bad], method="structure", keep_collapsed=False)
            gdf = clean_geometries(gdf, geom_kind="polygon", id_column=id_column, report=report, source=str(path))
        report.area_ha = float(gdf.area.sum() / 10_000)
    gdf = gdf.reset_index(drop=True)
    report.n_features = len(gdf)
    gdf.attrs["kawasan_report"] = report
    return gdf


def read_class_layer(
    path: str | Path,
    *,
    kind: Literal["landuse", "rtrw"],
    layer: str | None = None,
    assume_crs: Any = None,
    working_crs: Any = None,
) -> gpd.GeoDataFrame:
    """Read a land-use or RTRW pola ruang polygon layer (raw class values kept as read).

    Map its class values to standard codes with :func:`kawasan_gis.vocab.apply_mapping`.

    Examples
    --------
    >>> from kawasan_gis.io import read_class_layer
    >>> import warnings; warnings.simplefilter("ignore")
    >>> rtrw = read_class_layer("data/rtrw_lampung_timur/rtrw_lampung_timur.gpkg", kind="rtrw")
    >>> len(rtrw), rtrw.attrs["kawasan_report"].repairs[0].count
    (283, 1)
    """
    return read_layer(path, kind=kind, layer=layer, assume_crs=assume_crs, working_crs=working_crs)


def read_lines(path: str | Path, *, layer: str | None = None, assume_crs: Any = None, working_crs: Any = None) -> gpd.GeoDataFrame:
    """Read a line layer (roads, canals) in the working CRS."""
    return read_layer(path, kind="lines", layer=layer, assume_crs=assume_crs, working_crs=working_crs)


def read_points(path: str | Path, *, layer: str | None = None, assume_crs: Any = None, working_crs: Any = None) -> gpd.GeoDataFrame:
    """Read a point layer (activity centres, markets, dams) in the working CRS."""
    return read_layer(path, kind="points", layer=layer, assume_crs=assume_crs, working_crs=working_crs)


# --------------------------------------------------------------------------- villages


def _find_column(columns: Iterable[str], candidates: Iterable[str], given: str | None, path: Path, role: str) -> str | None:
    cols = list(columns)
    if given is not None:
        if given not in cols:
            raise FieldError(f"{path}: column '{given}' given for {role} does not exist. Columns: {', '.join(cols)}.")
        return given
    lower = {c.lower(): c for c in cols}
    for cand in candidates:
        if cand in lower:
            return lower[cand]
    return None


def normalise_code(value: Any) -> str:
    """Kemendagri code as 10 digits without dots (``'18.07.01.2001'`` -> ``'1807012001'``)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return re.sub(r"[\s.\-]", "", str(value))


def check_code(code: str) -> str | None:
    """Why ``code`` is not a valid 10-digit Kemendagri village code, or None when it is."""
    if not re.fullmatch(r"\d{10}", code):
        return "not 10 digits (PP.KK.CC.DDDD)"
    prov, kab, village = int(code[:2]), int(code[2:4]), code[6]
    if prov not in PROVINCE_CODES:
        return f"province {code[:2]} does not exist"
    if not (1 <= kab <= 69 or 71 <= kab <= 99):
        return f"kabupaten/kota part {code[2:4]} out of range (01-69 kabupaten, 71-99 kota)"
    if village not in "12":
        return f"village part {code[6:]} must start with 1 (kelurahan) or 2 (desa)"
    return None


def name_key(text: Any) -> str:
    """Normalised name for matching: ASCII, lower case, letters and digits only."""
    text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    text = re.sub(r"^(desa|kelurahan|kel\.?|ds\.?|kecamatan|kec\.?|kabupaten|kab\.?|kota)\s+", "", text.strip().lower())
    return re.sub(r"[^a-z0-9]", "", text)


def generated_code(*parts: Any, digits: int) -> str:
    """A stable code ``X`` + digits from the names, for layers that carry none."""
    h = hashlib.sha1("|".join(name_key(p) for p in parts).encode()).hexdigest()
    return "X" + str(int(h, 16) % 10**digits).zfill(digits)


def read_villages(
    path: str | Path,
    *,
    layer: str | None = None,
    assume_crs: Any = None,
    working_crs: Any = None,
    code_column: str | None = None,
    name_column: str | None = None,
    kecamatan_column: str | None = None,
    kabupaten_column: str | None = None,
    crosswalk: str | Path | pd.DataFrame | None = None,
    check_coverage: bool = True,
    where: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a village (desa/kelurahan) boundary layer into the internal schema.

    Columns are detected among the common schemas (Kemendagri-coded layers with
    ``kode_desa``; BIG RBI ``KDEPUM``/``WADMKD``/``WADMKC``/``WADMKK``; name-only
    ``NAMOBJ`` layers) or given explicitly. The result has the columns
    ``kode_desa, nama_desa, kode_kec, nama_kec, kode_kab, nama_kab, jenis, luas_ha,
    geometry`` (see docs/design.md).

    Parameters
    ----------
    path, layer, assume_crs, working_crs
        As for :func:`read_layer`.
    code_column, name_column, kecamatan_column, kabupaten_column
        Override column detection.
    crosswalk
        Table (CSV/XLSX path or DataFrame) with ``nama_kec``, ``nama_desa`` and
        ``kode_desa`` columns, used to attach codes to a layer that has none.
    check_coverage
        Measure gaps and overlaps between villages (reported, not changed).
    where
        OGR SQL attribute filter, e.g. ``"kode_kab = '18.07'"`` to read one kabupaten.

    Raises
    ------
    FieldError
        Duplicate village codes (listed), or no name column to work from.

    Examples
    --------
    >>> from kawasan_gis.io import read_villages
    >>> desa = read_villages("data/rtrw_lampung_timur/desa_lampung_timur.gpkg")
    >>> len(desa), desa.kode_desa.iloc[0], desa.crs.to_epsg()
    (264, '1807012001', 32748)
    """
    path = Path(path)
    gdf = read_layer(path, kind="villages", layer=layer, assume_crs=assume_crs, working_crs=working_crs, where=where)
    report: LayerReport = gdf.attrs["kawasan_report"]
    cols = [c for c in gdf.columns if c != gdf.geometry.name]

    code_col = _find_column(cols, CODE_CANDIDATES, code_column, path, "the village code")
    name_col = _find_column(cols, NAME_CANDIDATES, name_column, path, "the village name")
    kec_col = _find_column(cols, KEC_NAME_CANDIDATES, kecamatan_column, path, "the kecamatan name")
    kab_col = _find_column(cols, KAB_NAME_CANDIDATES, kabupaten_column, path, "the kabupaten name")
    kec_code_col = _find_column(cols, KEC_CODE_CANDIDATES, None, path, "")
    kab_code_col = _find_column(cols, KAB_CODE_CANDIDATES, None, path, "")
    jenis_col = _find_column(cols, JENIS_CANDIDATES, None, path, "")
    bps_col = _find_column(cols, BPS_CODE_CANDIDATES, None, path, "")
    report.columns = {"kode_desa": code_col, "nama_desa": name_col, "nama_kec": kec_col, "nama_kab": kab_col}
    if bps_col and not code_col:
        report.notes.append(f"column {bps_col} holds BPS codes, which differ from Kemendagri codes: pass a crosswalk")

    if name_col is None and code_col is None:
        report.usable = False
        raise FieldError(
            f"{path}: found neither a village code nor a village name column among: {', '.join(cols)}. "
            "Name them with --code-column / --name-column."
        )

    n = len(gdf)
    names = gdf[name_col].fillna("").astype(str).str.strip() if name_col else pd.Series([""] * n, index=gdf.index)
    kec_names = gdf[kec_col].fillna("").astype(str).str.strip() if kec_col else pd.Series([""] * n, index=gdf.index)
    kab_names = gdf[kab_col].fillna("").astype(str).str.strip() if kab_col else pd.Series([""] * n, index=gdf.index)

    if code_col is not None:
        codes = gdf[code_col].map(normalise_code)
        problems = [(i, check_code(c)) for i, c in enumerate(codes)]
        for i, why in problems:
            if why:
                label = names.iloc[i] or f"#{i}"
                report.code_problems.append(f"{label}: '{gdf[code_col].iloc[i]}' {why}")
        valid = np.array([why is None for _, why in problems])
    else:
        codes, valid = _codes_from_names(gdf, names, kec_names, kab_names, crosswalk, path, report)

    _check_duplicates(codes, names, path, report)

    kode_kec = np.where(valid, codes.str[:6], "")
    kode_kab = np.where(valid, codes.str[:4], "")
    if kec_code_col is not None:
        kode_kec = np.where(valid, kode_kec, gdf[kec_code_col].map(normalise_code))
    if kab_code_col is not None:
        kode_kab = np.where(valid, kode_kab, gdf[kab_code_col].map(normalise_code))
    kode_kec = np.where(kode_kec == "", [generated_code(k, c, digits=5) for k, c in zip(kab_names, kec_names, strict=True)], kode_kec)
    kode_kab = np.where(kode_kab == "", [generated_code(k, digits=3) for k in kab_names], kode_kab)

    digit7 = codes.str[6]
    jenis = np.where(valid & (digit7 == "1"), "kelurahan", np.where(valid & (digit7 == "2"), "desa", ""))
    if jenis_col is not None:
        given = gdf[jenis_col].fillna("").astype(str).str.strip().str.lower()
        jenis = np.where(jenis == "", given.where(given.isin(["desa", "kelurahan"]), ""), jenis)
    if (jenis == "").any():
        report.notes.append(f"{int((jenis == '').sum())} villages of unknown type (desa/kelurahan) are treated as desa")
        jenis = np.where(jenis == "", "desa", jenis)
    if kab_col is None and code_col is None:
        report.notes.append("no kabupaten column: all villages are taken to be in one kabupaten")

    out = gpd.GeoDataFrame(
        {
            "kode_desa": codes.to_numpy(dtype=object),
            "nama_desa": names.to_numpy(dtype=object),
            "kode_kec": np.asarray(kode_kec, dtype=object),
            "nama_kec": kec_names.to_numpy(dtype=object),
            "kode_kab": np.asarray(kode_kab, dtype=object),
            "nama_kab": kab_names.to_numpy(dtype=object),
            "jenis": np.asarray(jenis, dtype=object),
            "luas_ha": gdf.area.to_numpy() / 10_000,
        },
        geometry=gdf.geometry.values,
        crs=gdf.crs,
    )
    if check_coverage:
        problems = coverage_problems(out)
        report.coverage = {
            "n_gaps": float((problems["masalah"] == "celah").sum()),
            "gap_ha": float(problems.loc[problems["masalah"] == "celah", "luas_ha"].sum()),
            "n_overlaps": float((problems["masalah"] == "tumpang_tindih").sum()),
            "overlap_ha": float(problems.loc[problems["masalah"] == "tumpang_tindih", "luas_ha"].sum()),
        }
        out.attrs["kawasan_coverage"] = problems
    report.n_features = len(out)
    out.attrs["kawasan_report"] = report
    return out


def _check_duplicates(codes: pd.Series, names: pd.Series, path: Path, report: LayerReport) -> None:
    dup = codes[codes.duplicated(keep=False) & (codes != "")]
    if len(dup):
        report.usable = False
        groups = dup.groupby(dup).groups
        problems = [f"{code}: {', '.join(names.loc[idx].replace('', '?'))}" for code, idx in sorted(groups.items())]
        raise FieldError(
            f"{path}: {len(groups)} village codes are used more than once; each village needs its own code. "
            "Fix the codes in the source layer (or dissolve split villages into one feature).",
            problems=problems,
        )


def _codes_from_names(
    gdf: gpd.GeoDataFrame,
    names: pd.Series,
    kec_names: pd.Series,
    kab_names: pd.Series,
    crosswalk: str | Path | pd.DataFrame | None,
    path: Path,
    report: LayerReport,
) -> tuple[pd.Series, np.ndarray]:
    """Codes for a layer without codes: from a crosswalk by names, else generated from names."""
    codes = pd.Series([""] * len(gdf), index=gdf.index, dtype=object)
    if crosswalk is not None:
        table = read_table(crosswalk) if not isinstance(crosswalk, pd.DataFrame) else crosswalk
        codes = attach_codes_by_name(names, kec_names, table, report=report)
    missing = codes == ""
    if missing.any():
        generated = [generated_code(k, c, d, digits=9) for k, c, d in zip(kab_names[missing], kec_names[missing], names[missing], strict=True)]
        codes.loc[missing] = generated
        msg = (
            f"{path}: {int(missing.sum())} villages have no Kemendagri code; stable codes were generated from "
            "their names (X + 9 digits). Attach real codes with a crosswalk table (kode_desa, nama_kec, nama_desa)."
        )
        report.notes.append(msg)
        warnings.warn(msg, RepairWarning, stacklevel=3)
    valid = np.array([check_code(c) is None for c in codes])
    return codes, valid


def read_table(path: str | Path | pd.DataFrame) -> pd.DataFrame:
    """Read a CSV (comma or semicolon) or XLSX table with every column as text.

    Text keeps codes intact (no lost leading zeros, no ``1807012001.0``); numeric columns
    are recognised later by whoever uses them.
    """
    if isinstance(path, pd.DataFrame):
        return path
    path = _existing(path)
    try:
        if path.suffix.lower() in {".xlsx", ".xlsm", ".xls"}:
            return pd.read_excel(path, dtype=str)
        table = pd.read_csv(path, dtype=str, low_memory=False, encoding="utf-8-sig")
        if table.shape[1] == 1 and ";" in str(table.columns[0]):
            table = pd.read_csv(path, dtype=str, sep=";", low_memory=False, encoding="utf-8-sig")
        return table
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise DataSourceError(f"{path}: cannot be read as a CSV/XLSX table ({exc}).") from None


def attach_codes_by_name(
    names: pd.Series, kec_names: pd.Series, crosswalk: pd.DataFrame, *, report: LayerReport | None = None
) -> pd.Series:
    """Look up Kemendagri codes by (kecamatan, desa) names in a crosswalk table.

    The crosswalk needs a code column (``kode_desa``, ``kode_desa_kemendagri``...) and
    desa and kecamatan name columns; names are compared after :func:`name_key`
    normalisation. Villages that match nothing (or several rows) keep ``""`` and are
    listed in the report.
    """
    cols = {c.lower(): c for c in crosswalk.columns}
    code_col = next((cols[c] for c in ("kode_desa", "kode_desa_kemendagri", "kode_desa_kemendagri_10", "kdepum") if c in cols), None)
    desa_col = next((cols[c] for c in ("nama_desa", "nama_desa_kemendagri", "desa", "wadmkd") if c in cols), None)
    kec_col = next((cols[c] for c in ("nama_kec", "nama_kec_kemendagri", "kecamatan", "wadmkc") if c in cols), None)
    if code_col is None or desa_col is None:
        raise FieldError(
            "the crosswalk table needs a code column (kode_desa) and a desa name column (nama_desa); "
            f"it has {', '.join(crosswalk.columns)}."
        )
    keys = crosswalk[desa_col].map(name_key)
    if kec_col is not None:
        keys = crosswalk[kec_col].map(name_key) + "|" + keys
    lookup = pd.Series(crosswalk[code_col].map(normalise_code).to_numpy(), index=keys.to_numpy())
    ambiguous = set(lookup.index[lookup.index.duplicated()])
    lookup = lookup[~lookup.index.duplicated()]
    wanted = names.map(name_key)
    if kec_col is not None:
        wanted = kec_names.map(name_key) + "|" + wanted
    codes = wanted.map(lambda k: "" if k in ambiguous else lookup.get(k, "")).astype(object)
    unmatched = names[codes == ""]
    if report is not None and len(unmatched):
        report.code_problems.append(
            f"{len(unmatched)} villages not found in the crosswalk: {', '.join(unmatched.head(20))}"
            + (" ..." if len(unmatched) > 20 else "")
        )
    return codes


def coverage_problems(villages: gpd.GeoDataFrame, *, min_area_m2: float = GAP_OVERLAP_MIN_M2) -> gpd.GeoDataFrame:
    """Gaps and overlaps between the villages of a layer, as geometries with their hectares.

    Overlaps are the pairwise intersections of villages (found with an STRtree); gaps are
    the holes in the union of all villages (areas enclosed by villages but in none).
    Slivers under ``min_area_m2`` are ignored.

    Returns
    -------
    GeoDataFrame
        Columns ``masalah`` (``celah`` gap / ``tumpang_tindih`` overlap), ``luas_ha``,
        ``desa`` (the codes involved), geometry; in the villages' CRS.

    Examples
    --------
    >>> from kawasan_gis.io import read_villages, coverage_problems
    >>> desa = read_villages("data/rtrw_lampung_timur/desa_lampung_timur.gpkg", check_coverage=False)
    >>> sorted(coverage_problems(desa).masalah.unique())
    ['celah', 'tumpang_tindih']
    """
    geoms = villages.geometry.values
    codes = villages["kode_desa"].to_numpy() if "kode_desa" in villages.columns else np.arange(len(villages)).astype(str)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    inter = shapely.intersection(geoms[left], geoms[right])
    inter = polygonal(inter)
    area = shapely.area(inter)
    big = area >= min_area_m2
    rows_geom = list(inter[big])
    rows = [
        {"masalah": "tumpang_tindih", "luas_ha": a / 10_000, "desa": f"{codes[i]},{codes[j]}"}
        for i, j, a in zip(left[big], right[big], area[big], strict=True)
    ]
    union = shapely.union_all(geoms)
    holes = [shapely.Polygon(ring) for poly in shapely.get_parts(union) for ring in poly.interiors]
    if holes:
        hole_geoms = np.array(holes, dtype=object)
        hole_area = shapely.area(hole_geoms)
        h_left, h_right = tree.query(hole_geoms, predicate="intersects")
        around: dict[int, list[str]] = {}
        for h, v in zip(h_left, h_right, strict=True):
            around.setdefault(int(h), []).append(str(codes[v]))
        for k in np.flatnonzero(hole_area >= min_area_m2):
            rows.append({"masalah": "celah", "luas_ha": hole_area[k] / 10_000, "desa": ",".join(sorted(around.get(int(k), [])))})
            rows_geom.append(hole_geoms[k])
    return gpd.GeoDataFrame(rows, geometry=rows_geom, crs=villages.crs, columns=["masalah", "luas_ha", "desa"])


# --------------------------------------------------------------------------- rasters


@dataclass(frozen=True)
class RasterLayer:
    """A land-cover raster checked at the door (the pixels are read later, by window)."""

    path: str
    crs: str
    width: int
    height: int
    res: tuple[float, float]
    nodata: float | None
    dtype: str
    bounds: tuple[float, float, float, float]

    def report(self) -> LayerReport:
        rep = LayerReport(path=self.path, layer=None, kind="raster", n_read=self.width * self.height)
        rep.n_features = self.width * self.height
        rep.crs_source = self.crs
        rep.geometry_types = [f"raster {self.width}x{self.height} {self.dtype}, cell {self.res[0]:g} x {self.res[1]:g}"]
        rep.notes.append(f"nodata = {self.nodata}")
        return rep


def read_raster(path: str | Path, *, assume_crs: Any = None) -> RasterLayer:
    """Open a land-cover GeoTIFF and check it: one band of integer classes with a CRS.

    Examples
    --------
    >>> import numpy as np, rasterio, tempfile, os
    >>> from rasterio.transform import from_origin
    >>> p = os.path.join(tempfile.mkdtemp(), "lc.tif")
    >>> with rasterio.open(p, "w", driver="GTiff", width=2, height=2, count=1, dtype="uint8",
    ...                    crs="EPSG:32748", transform=from_origin(0, 20, 10, 10), nodata=0) as dst:
    ...     dst.write(np.array([[10, 40], [40, 0]], dtype="uint8"), 1)
    >>> read_raster(p).nodata
    0.0
    """
    import rasterio
    from rasterio.errors import RasterioIOError

    path = _existing(path)
    try:
        with rasterio.open(path) as src:
            crs = src.crs
            info = dict(width=src.width, height=src.height, res=src.res, nodata=src.nodata, dtype=src.dtypes[0], bounds=tuple(src.bounds))
            count = src.count
    except RasterioIOError as exc:
        raise DataSourceError(f"{path}: cannot be opened as a raster ({exc}). It may be truncated; export it again.") from None
    if count < 1:
        raise LayerError(f"{path}: the raster has no band.")
    if not np.issubdtype(np.dtype(info["dtype"]), np.integer):
        raise LayerError(
            f"{path}: band 1 is {info['dtype']}; a land-cover raster holds integer class codes. "
            "Classify it first (or convert it to an integer type)."
        )
    if crs is None:
        if assume_crs is None:
            raise CRSError(
                f"{path}: the raster has no CRS. kawasan_gis never guesses: re-run with --assume-crs EPSG:XXXX "
                '(in a config file: assume_crs = "EPSG:XXXX" in the layer\'s entry).'
            )
        crs_text = parse_crs(assume_crs).to_string()
    else:
        crs_text = crs.to_string()
    return RasterLayer(path=str(path), crs=crs_text, **info)


# --------------------------------------------------------------------------- validation


def detect_kind(path: str | Path, *, layer: str | None = None) -> str:
    """Guess the kind of a layer from its format, geometry type and columns."""
    path = Path(path)
    if path.suffix.lower() in RASTER_SUFFIXES:
        return "raster"
    if layer is None and path.suffix.lower() == ".gpkg":
        layers = list_layers(path)
        if len(layers) > 1:
            for kind in ("villages", "rtrw", "landuse", "lines", "points"):
                if any(h in name.lower() for name in layers for h in LAYER_HINTS[kind]):
                    return kind
    gdf, _ = read_raw(path, layer=layer)
    types = set(gdf.geom_type.dropna())
    if types and types <= {"Point", "MultiPoint"}:
        return "points"
    if types and types <= {"LineString", "MultiLineString"}:
        return "lines"
    lower = {c.lower() for c in gdf.columns}
    if lower & set(CODE_CANDIDATES + ("wadmkd", "nama_desa")):
        return "villages"
    if lower & {"namobj", "kodkws", "jnsrpr", "jnshutan", "fungsikws", "namzon", "kodszn"}:
        return "rtrw"
    return "landuse"


def validate_layer(
    path: str | Path,
    *,
    kind: str | None = None,
    layer: str | None = None,
    assume_crs: Any = None,
    working_crs: Any = None,
) -> tuple[LayerReport, gpd.GeoDataFrame | None]:
    """Read a layer as the pipeline would and return its report (and the problem geometries).

    Repairs are collected into the report instead of being raised as warnings. Errors that
    make the layer unusable propagate as :class:`~kawasan_gis.errors.KawasanError`.
    """
    kind = kind or detect_kind(path, layer=layer)
    if kind == "raster":
        return read_raster(path, assume_crs=assume_crs).report(), None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RepairWarning)
        if kind == "villages":
            gdf = read_villages(path, layer=layer, assume_crs=assume_crs, working_crs=working_crs)
            return gdf.attrs["kawasan_report"], gdf.attrs.get("kawasan_coverage")
        gdf = read_layer(path, kind=kind, layer=layer, assume_crs=assume_crs, working_crs=working_crs)  # type: ignore[arg-type]
        report = gdf.attrs["kawasan_report"]
        return report, None


# --------------------------------------------------------------------------- writing


def write_layers(path: str | Path, layers: Mapping[str, gpd.GeoDataFrame]) -> Path:
    """Write several layers into one GeoPackage atomically (all or nothing).

    The file is written next to its destination under a temporary name and moved into
    place only when every layer is written, so a failure never leaves a half-written file.
    """
    path = Path(path)
    with atomic_file(path, suffix=".gpkg") as tmp:
        for name, gdf in layers.items():
            frame = gdf.copy()
            frame.attrs = {}
            frame.to_file(tmp, layer=name, driver="GPKG", engine="pyogrio")
    return path


# --------------------------------------------------------------------------- the village-layer contract

def is_metric(crs: Any) -> bool:
    """True when ``crs`` is projected and its horizontal axes are in metres.

    A projected CRS in feet (EPSG:2227, US survey foot) is not metric: its areas would be
    square feet read as square metres.
    """
    crs = CRS.from_user_input(crs)
    axes = crs.axis_info[:2]
    return bool(crs.is_projected and axes and all(np.isclose(a.unit_conversion_factor, 1.0) for a in axes))


def require_villages(villages: Any, *, step: str, columns: Iterable[str] = ()) -> None:
    """Check that ``villages`` is a village layer a step can measure on; raise one error listing every problem.

    The contract every step applies at its door (docs/design.md, "Villages: the internal
    schema"): a GeoDataFrame; a CRS that is set, projected and in metres; the columns
    ``kode_desa`` and geometry plus the step's ``columns``; ``kode_desa`` present and unique;
    geometries present, non-empty, polygonal and valid. :func:`read_villages` returns layers
    that pass.

    Parameters
    ----------
    villages
        The village layer.
    step
        The step that asks (``"overlay"``, ``"regionalize"``, ``"check"``, ...), named in the message.
    columns
        Further columns the step needs, besides ``kode_desa``.

    Raises
    ------
    LayerError
        ``villages`` is not a GeoDataFrame.
    CRSError, FieldError, GeometryError
        The most fundamental kind of problem found (CRS, then columns and codes, then
        geometries); its ``problems`` list every problem of every kind.

    Examples
    --------
    >>> desa = read_villages("data/rtrw_lampung_timur/desa_lampung_timur.gpkg", check_coverage=False)
    >>> require_villages(desa, step="overlay")
    >>> require_villages(desa.to_crs("EPSG:2227"), step="overlay")
    Traceback (most recent call last):
    ...
    kawasan_gis.errors.CRSError: Lapisan desa tidak dapat dipakai untuk langkah 'overlay' / The village layer cannot be used for step 'overlay':
      - CRS EPSG:2227 tidak dalam meter (US survey foot) / EPSG:2227 does not measure in metres (US survey foot): ...
    """
    header = f"Lapisan desa tidak dapat dipakai untuk langkah '{step}' / The village layer cannot be used for step '{step}':"
    if not isinstance(villages, gpd.GeoDataFrame):
        raise LayerError(
            header,
            problems=[
                f"berupa {type(villages).__name__}, bukan GeoDataFrame / it is a {type(villages).__name__}, "
                "not a GeoDataFrame: read it with kawasan_gis.io.read_villages"
            ],
        )
    found: list[tuple[type[KawasanError], str]] = []
    found += [(CRSError, p) for p in _village_crs_problems(villages.crs)]
    found += [(FieldError, p) for p in _village_field_problems(villages, ["kode_desa", *columns])]
    found += [(GeometryError, p) for p in _village_geometry_problems(villages)]
    if found:
        kind = next(k for k in (CRSError, FieldError, GeometryError) if any(c is k for c, _ in found))
        raise kind(header, problems=[p for _, p in found])


def _village_crs_problems(crs: CRS | None) -> list[str]:
    fix = "proyeksikan ulang ke CRS meter seperti UTM 48S (EPSG:32748) / reproject to a CRS in metres such as UTM 48S (EPSG:32748), e.g. with kawasan_gis.io.read_villages"
    if crs is None:
        return [
            "tidak ada CRS; tetapkan dengan GeoDataFrame.set_crs / the layer has no CRS; set it with "
            "GeoDataFrame.set_crs or read the layer with kawasan_gis.io.read_villages"
        ]
    name = f"EPSG:{crs.to_epsg()}" if crs.to_epsg() else crs.name
    if not crs.is_projected:
        return [f"CRS {name} tidak terproyeksi (derajat) / {name} is not projected (degrees): {fix}"]
    if not is_metric(crs):
        unit = crs.axis_info[0].unit_name if crs.axis_info else "?"
        return [f"CRS {name} tidak dalam meter ({unit}) / {name} does not measure in metres ({unit}): {fix}"]
    return []


def _village_field_problems(villages: gpd.GeoDataFrame, columns: Sequence[str]) -> list[str]:
    problems = []
    missing = [c for c in dict.fromkeys(columns) if c not in villages.columns]
    if villages._geometry_column_name not in villages.columns:
        missing.append("geometry")
    if missing:
        problems.append(
            f"kolom tidak ada / missing column(s): {', '.join(missing)} (docs/design.md, internal schema; "
            "kawasan_gis.io.read_villages gives them)"
        )
    if "kode_desa" in villages.columns:
        codes = villages["kode_desa"]
        if codes.isna().any():
            rows = format_list(np.flatnonzero(codes.isna()).tolist(), lang="en")
            problems.append(f"{int(codes.isna().sum())} desa tanpa kode_desa / village(s) without a kode_desa: rows {rows}")
        dup = sorted(set(codes[codes.duplicated() & codes.notna()].astype(str)))
        if dup:
            problems.append(f"kode_desa ganda / duplicate kode_desa (codes must be unique): {format_list(dup, lang='en')}")
    return problems


def _village_geometry_problems(villages: gpd.GeoDataFrame) -> list[str]:
    if villages._geometry_column_name not in villages.columns:
        return []
    geoms = np.asarray(villages.geometry.array, dtype=object)
    labels = (
        villages["kode_desa"].astype(str).to_numpy()
        if "kode_desa" in villages.columns
        else np.array([f"row {i}" for i in villages.index], dtype=object)
    )
    absent = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    not_polygonal = ~absent & ~np.isin(shapely.get_type_id(geoms), [3, 6])
    invalid = ~absent & ~not_polygonal & ~shapely.is_valid(geoms)
    problems = []
    if absent.any():
        problems.append(f"geometri kosong / missing or empty geometry: {format_list(labels[absent].tolist(), lang='en')}")
    if not_polygonal.any():
        problems.append(f"bukan poligon / not a polygon: {format_list(labels[not_polygonal].tolist(), lang='en')}")
    if invalid.any():
        why = [f"{k} ({r})" for k, r in zip(labels[invalid], shapely.is_valid_reason(geoms[invalid]), strict=True)]
        problems.append(
            "geometri tidak valid; perbaiki dengan kawasan_gis.io.read_villages atau shapely.make_valid / "
            f"invalid geometry; repair it with kawasan_gis.io.read_villages or shapely.make_valid: {format_list(why, lang='en')}"
        )
    return problems

