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

Rooms, each importing only the rooms above it in this list and ``kawasan_gis.errors``,
``kawasan_gis.i18n`` and ``kawasan_gis._atomic`` (nothing in ``io`` imports a step,
``vocab``, the pipeline or the CLI; the steps import ``io``):

- ``report``: :class:`LayerReport`, :class:`Repair`
- ``filters``: the ``where`` filter language, :func:`parse_filter`, :func:`apply_filter`
- ``sources``: formats, zip archives, shapefile sidecars, layer listing, :func:`read_raw`
- ``crs``: :func:`parse_crs`, :func:`is_metric`, working CRS, assigning and reprojecting
- ``geometry``: :func:`clean_geometries`, :func:`polygon_parts`, :func:`polygonal`
- ``winding``: :func:`~kawasan_gis.io.winding.overlap_zones`, where polygons of a layer can overlap
- ``layers``: :func:`read_layer` and the readers of class, line and point layers
- ``tables``: :func:`read_table`
- ``coverage``: :func:`coverage_problems` (gaps and overlaps between villages)
- ``villages``: :func:`read_villages`, village codes and names, the crosswalk
- ``rasters``: :class:`RasterLayer`, :func:`read_raster`
- ``styles``: :class:`LayerStyle`, :func:`write_layer_styles` (the ``layer_styles`` table QGIS reads)
- ``validation``: :func:`detect_kind`, :func:`validate_layer`, :func:`write_layers`
- ``contract``: :func:`require_villages`, the village-layer check every step applies
"""

from kawasan_gis.io.contract import require_villages
from kawasan_gis.io.coverage import GAP_OVERLAP_MIN_M2, coverage_problems
from kawasan_gis.io.crs import is_metric, parse_crs, to_working_crs, working_crs_for
from kawasan_gis.io.geometry import clean_geometries, polygon_parts, polygonal
from kawasan_gis.io.layers import KINDS, LayerKind, read_class_layer, read_layer, read_lines, read_points
from kawasan_gis.io.rasters import RasterLayer, read_raster
from kawasan_gis.io.report import LayerReport, Repair, layer_report
from kawasan_gis.io.sources import LAYER_HINTS, RASTER_SUFFIXES, VECTOR_SUFFIXES, glob_escape, list_layers, read_raw, sha256_file
from kawasan_gis.io.styles import STYLE_TABLE, LayerStyle, write_layer_styles
from kawasan_gis.io.tables import read_table
from kawasan_gis.io.validation import detect_kind, validate_layer, write_layers
from kawasan_gis.io.villages import (
    BPS_CODE_CANDIDATES,
    CODE_CANDIDATES,
    JENIS_CANDIDATES,
    KAB_CODE_CANDIDATES,
    KAB_NAME_CANDIDATES,
    KEC_CODE_CANDIDATES,
    KEC_NAME_CANDIDATES,
    NAME_CANDIDATES,
    PROVINCE_CODES,
    VILLAGE_COLUMNS,
    attach_codes_by_name,
    check_code,
    generated_code,
    name_key,
    normalise_code,
    read_villages,
)

__all__ = [
    "sha256_file",
    "BPS_CODE_CANDIDATES",
    "CODE_CANDIDATES",
    "GAP_OVERLAP_MIN_M2",
    "JENIS_CANDIDATES",
    "KAB_CODE_CANDIDATES",
    "KAB_NAME_CANDIDATES",
    "KEC_CODE_CANDIDATES",
    "KEC_NAME_CANDIDATES",
    "KINDS",
    "LAYER_HINTS",
    "NAME_CANDIDATES",
    "PROVINCE_CODES",
    "RASTER_SUFFIXES",
    "STYLE_TABLE",
    "VECTOR_SUFFIXES",
    "VILLAGE_COLUMNS",
    "LayerKind",
    "LayerReport",
    "LayerStyle",
    "RasterLayer",
    "Repair",
    "attach_codes_by_name",
    "check_code",
    "clean_geometries",
    "coverage_problems",
    "detect_kind",
    "generated_code",
    "glob_escape",
    "is_metric",
    "layer_report",
    "list_layers",
    "name_key",
    "normalise_code",
    "parse_crs",
    "polygon_parts",
    "polygonal",
    "read_class_layer",
    "read_layer",
    "read_lines",
    "read_points",
    "read_raster",
    "read_raw",
    "read_table",
    "read_villages",
    "require_villages",
    "to_working_crs",
    "validate_layer",
    "working_crs_for",
    "write_layer_styles",
    "write_layers",
]
