"""``kawasan validate`` and writing: guessing a layer's kind, reading it as the pipeline
would into its report, and writing several layers (with their QGIS styles) into one
GeoPackage atomically."""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio

from kawasan_gis._atomic import atomic_file
from kawasan_gis.errors import ConfigError, RepairWarning
from kawasan_gis.io.layers import read_layer
from kawasan_gis.io.rasters import read_raster
from kawasan_gis.io.report import LayerReport
from kawasan_gis.io.sources import LAYER_HINTS, RASTER_SUFFIXES, list_layers, read_raw
from kawasan_gis.io.styles import LayerStyle, write_layer_styles
from kawasan_gis.io.villages import CODE_CANDIDATES, KEC_NAME_CANDIDATES, NAME_CANDIDATES, read_villages


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
    if lower & {"kodkws", "jnsrpr", "jnshutan", "fungsikws", "namzon", "kodszn"}:
        return "rtrw"
    if _names_places(gdf):
        return "villages"
    if "namobj" in lower:
        return "rtrw"
    return "landuse"


# A names-only village layer names (nearly) every polygon apart, within its kecamatan; a class
# column of land use or zoning repeats a few values over many polygons. Real village layers
# repeat some names across kecamatan (Sukamaju), hence the pair and the 90 %.
_DISTINCT_NAMES = 0.9


def _names_places(gdf: gpd.GeoDataFrame) -> bool:
    """Whether a polygon layer without codes reads as villages: a name column that tells its polygons apart."""
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    lower = {c.lower(): c for c in cols}
    name = next((lower[c] for c in NAME_CANDIDATES if c in lower), None)
    if name is None or len(gdf) == 0:
        return False
    kec = next((lower[c] for c in KEC_NAME_CANDIDATES if c in lower), None)
    keys = gdf[[kec, name]] if kec is not None else gdf[[name]]
    keys = keys.fillna("").astype(str).apply(lambda col: col.str.strip().str.lower())
    named = keys[name].ne("")
    if named.mean() < _DISTINCT_NAMES:
        return False
    return len(keys[named].drop_duplicates()) >= _DISTINCT_NAMES * int(named.sum())


def validate_layer(
    path: str | Path,
    *,
    kind: str | None = None,
    layer: str | None = None,
    assume_crs: Any = None,
    working_crs: Any = None,
    village_columns: Mapping[str, str] | None = None,
) -> tuple[LayerReport, gpd.GeoDataFrame | None]:
    """Read a layer as the pipeline would and return its report (and the problem geometries).

    Repairs are collected into the report instead of being raised as warnings. Errors that
    make the layer unusable propagate as :class:`~kawasan_gis.errors.KawasanError`.
    ``village_columns`` (``code_column``, ``name_column``, ``kecamatan_column``,
    ``kabupaten_column`` of :func:`read_villages`) make the layer a village layer.
    """
    if village_columns:
        if kind not in (None, "villages"):
            raise ConfigError(
                f"kolom desa ({', '.join(village_columns)}) hanya untuk lapisan desa, bukan {kind} / "
                f"village columns ({', '.join(village_columns)}) are for a village layer, not {kind}."
            )
        kind = "villages"
    kind = kind or detect_kind(path, layer=layer)
    if kind == "raster":
        return read_raster(path, assume_crs=assume_crs).report(), None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RepairWarning)
        if kind == "villages":
            gdf = read_villages(path, layer=layer, assume_crs=assume_crs, working_crs=working_crs, **dict(village_columns or {}))
            return gdf.attrs["kawasan_report"], gdf.attrs.get("kawasan_coverage")
        gdf = read_layer(path, kind=kind, layer=layer, assume_crs=assume_crs, working_crs=working_crs)  # type: ignore[arg-type]
        report = gdf.attrs["kawasan_report"]
        return report, None


@contextmanager
def _unsynced_sqlite() -> Iterator[None]:
    """GDAL's SQLite writes without waiting for the disk after each layer, inside the block.

    Each layer GDAL adds to a GeoPackage is a transaction that SQLite syncs to disk (~0.1 s on
    this machine's disk, for an empty layer as for a full one: a run's eleven layers waited
    ~1 s). The file is written under a temporary name and only moved into place once whole
    (:func:`~kawasan_gis._atomic.atomic_file`), so a sync per layer buys nothing. The option
    is GDAL's (process-wide): it is set back as it was when the block ends.
    """
    before = pyogrio.get_gdal_config_option(_SYNC)
    pyogrio.set_gdal_config_options({_SYNC: "OFF"})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({_SYNC: before})


_SYNC = "OGR_SQLITE_SYNCHRONOUS"


def write_layers(
    path: str | Path,
    layers: Mapping[str, pd.DataFrame],
    *,
    styles: Mapping[str, LayerStyle] | None = None,
    geometry_types: Mapping[str, str] | None = None,
) -> Path:
    """Write several layers into one GeoPackage atomically (all or nothing).

    GeoDataFrames become feature layers, plain DataFrames attribute tables. The file is written
    next to its destination under a temporary name and moved into place only when every layer
    is written, so a failure never leaves a half-written file. ``styles`` (layer name ->
    :class:`~kawasan_gis.io.styles.LayerStyle`) are stored as the layers' default QGIS styles
    in the same atomic write. ``geometry_types`` (layer name -> OGR type such as
    ``"LineString"``) gives the type of a layer written empty: with no geometry to infer it
    from, GDAL writes such a layer as ``Unknown`` (``GEOMETRY``), which QGIS lists without a
    proper symbol.
    """
    path = Path(path)
    geometry_types = geometry_types or {}
    with atomic_file(path, suffix=".gpkg") as tmp, _unsynced_sqlite():
        for name, gdf in layers.items():
            frame = gdf.copy()
            frame.attrs = {}
            if isinstance(frame, gpd.GeoDataFrame):
                kind = {"geometry_type": geometry_types[name]} if frame.empty and name in geometry_types else {}
                frame.to_file(tmp, layer=name, driver="GPKG", engine="pyogrio", **kind)
            else:
                pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG")
        if styles:
            write_layer_styles(tmp, styles)
    return path
