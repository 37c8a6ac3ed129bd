"""Reading a vector layer of any kind the way every later step relies on: read the source,
check the geometry family, set the CRS, repair geometries, reproject to the metric
working CRS, and attach the :class:`LayerReport`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import shapely

from kawasan_gis.errors import LayerError
from kawasan_gis.i18n import message
from kawasan_gis.io.crs import assign_crs, parse_crs, to_working_crs, working_crs_for
from kawasan_gis.io.geometry import clean_geometries, mark_checked, parallel
from kawasan_gis.io.report import LayerReport
from kawasan_gis.io.sources import read_raw


LayerKind = Literal["villages", "landuse", "rtrw", "points", "lines", "raster"]

KINDS: tuple[str, ...] = ("villages", "landuse", "rtrw", "points", "lines", "raster")


_TYPE_NAMES = ("Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon", "GeometryCollection")


def _new_report(path: str | Path, layer: str | None, kind: str, gdf: gpd.GeoDataFrame) -> LayerReport:
    # the distinct type ids, not one type name per feature
    types = sorted(_TYPE_NAMES[i] for i in np.unique(shapely.get_type_id(gdf.geometry.values)) if i >= 0)
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
            f"{path}: lapisan {kind} perlu fitur {' atau '.join(wanted)}, lapisan ini berisi {', '.join(sorted(set(types)))}; "
            "periksa --kind atau pilih --layer lain / "
            f"a {kind} layer needs {' or '.join(wanted)} features, but this layer has "
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
        Metric CRS to reproject to; default the UTM zone of the layer's centre. A function
        of no arguments returning it is called once the layer is read and repaired, so that a
        layer can be read while the layer that decides the working CRS (the villages) is
        still being read in another thread.
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
        raise LayerError(f"kind harus salah satu dari / must be one of villages, landuse, rtrw, points, lines (got '{kind}').")
    path = Path(path)
    gdf, used_layer = read_raw(path, layer=layer, kind=kind, where=where)
    report = _new_report(path, used_layer, kind, gdf)
    if where:
        report.notes.append(f"filter: {where}")
    if gdf.empty:
        report.usable = False
        raise LayerError(f"{path}: lapisan '{used_layer}' tidak punya fitur" + (f" yang cocok dengan '{where}'" if where else "") + " / "
            f"layer '{used_layer}' has no features" + (f" matching '{where}'." if where else "."))
    _check_geometry_family(gdf, path, kind, report)
    gdf = assign_crs(gdf, path, assume_crs, report)
    gdf = clean_geometries(gdf, geom_kind=_geom_kind_of(kind), id_column=id_column, report=report, source=str(path))
    if gdf.empty:
        report.usable = False
        raise LayerError(f"{path}: tidak ada geometri {kind} yang dapat dipakai setelah fitur kosong/tidak sah dibuang / "
                         f"no usable {kind} geometry is left after dropping empty/invalid features.")
    if callable(working_crs):
        working_crs = working_crs()
    if working_crs is None:
        target = working_crs_for(gdf)
        report.working_crs_reason = message("crs_reason_utm")
    else:
        target = parse_crs(working_crs)
        report.working_crs_reason = message("crs_reason_given")
    cleaned = gdf
    gdf = to_working_crs(gdf, target, report)
    if _geom_kind_of(kind) == "polygon":
        # Reprojection can leave tiny self-touching rings; fix them in metres. Without one,
        # the geometries are the ones clean_geometries has just made valid.
        still_bad = ~parallel(shapely.is_valid, gdf.geometry.values) if gdf is not cleaned else np.zeros(len(gdf), dtype=bool)
        if still_bad.any():
            gdf = gdf.copy()
            gdf.loc[still_bad, gdf.geometry.name] = shapely.make_valid(gdf.geometry.values[still_bad], method="structure", keep_collapsed=False)
            gdf = clean_geometries(gdf, geom_kind="polygon", id_column=id_column, report=report, source=str(path))
        report.area_ha = float(gdf.area.sum() / 10_000)
    gdf = gdf.reset_index(drop=True)
    report.n_features = len(gdf)
    gdf.attrs["kawasan_report"] = report
    if _geom_kind_of(kind) == "polygon":
        mark_checked(gdf)  # valid after the repairs, in the working CRS
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
