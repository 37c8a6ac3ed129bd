"""CRS rules: parsing a user CRS, metric CRSs, the default working CRS (the data's UTM zone),
assigning a declared or assumed CRS (never guessed) and reprojecting to the working CRS.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError as PyprojCRSError

from kawasan_gis.errors import CRSError
from kawasan_gis.i18n import message
from kawasan_gis.io.report import LayerReport


def parse_crs(value: Any) -> CRS:
    """Parse a user CRS (``"EPSG:32748"``, ``32748``, WKT); raise CRSError with a hint when invalid."""
    try:
        text = str(value).strip()
        return CRS.from_user_input(int(text) if text.isdigit() else text)
    except (PyprojCRSError, ValueError, TypeError):
        raise CRSError(f"'{value}' bukan CRS yang dikenal pyproj; beri kode EPSG seperti EPSG:4326 atau EPSG:32748 / "
                       f"is not a CRS pyproj knows. Give an EPSG code such as EPSG:4326 or EPSG:32748.") from None


def is_metric(crs: Any) -> bool:
    """True when ``crs`` is projected and its horizontal axes are in metres.

    A projected CRS in feet (EPSG:2227, US survey foot) is not metric: its areas would be
    square feet read as square metres.
    """
    crs = CRS.from_user_input(crs)
    axes = crs.axis_info[:2]
    return bool(crs.is_projected and axes and all(np.isclose(a.unit_conversion_factor, 1.0) for a in axes))


def _centre_lonlat(gdf: gpd.GeoDataFrame) -> tuple[float, float]:
    """The centre of the layer's bounds in degrees, computed as ``GeoDataFrame.estimate_utm_crs`` does."""
    minx, miny, maxx, maxy = gdf.total_bounds
    if gdf.crs.is_geographic:
        return float(np.mean([minx, maxx])), float(np.mean([miny, maxy]))
    minx, miny, maxx, maxy = Transformer.from_crs(gdf.crs, "EPSG:4326", always_xy=True).transform_bounds(minx, miny, maxx, maxy)
    if minx > maxx:  # across the antimeridian
        return float(((np.mean([minx, maxx + 360]) + 180) % 360) - 180), float(np.mean([miny, maxy]))
    return float(np.mean([minx, maxx])), float(np.mean([miny, maxy]))


def working_crs_for(gdf: gpd.GeoDataFrame) -> CRS:
    """The UTM zone (WGS 84) of the layer's centre: the default metric working CRS.

    The zone is the one ``GeoDataFrame.estimate_utm_crs(datum_name="WGS 84")`` finds: a
    centre strictly inside a zone's area of use (6 degrees of longitude, the equator to
    84 N or 80 S to the equator) has exactly that zone, computed here; a centre on a zone's
    border, on the equator or outside 80 S - 84 N asks the PROJ database as geopandas does
    (the query alone costs ~0.2 s, a sixth of reading a kabupaten).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> working_crs_for(gpd.GeoDataFrame(geometry=[Point(105.6, -5.1)], crs=4326)).to_epsg()
    32748
    """
    lon, lat = _centre_lonlat(gdf)
    if -180 < lon < 180 and (lon + 180) % 6 != 0 and -80 < lat < 84 and lat != 0:
        return CRS.from_epsg((32600 if lat > 0 else 32700) + int((lon + 180) // 6) + 1)
    return CRS.from_user_input(gdf.estimate_utm_crs(datum_name="WGS 84"))


def assign_crs(gdf: gpd.GeoDataFrame, path: Path, assume_crs: Any, report: LayerReport) -> gpd.GeoDataFrame:
    """The layer with its declared CRS, or ``assume_crs`` when it declares none (never guessed).

    Refuses a layer without a CRS and without ``assume_crs``, and one that declares degrees
    while its coordinates are metres.
    """
    if gdf.crs is None:
        if assume_crs is None:
            report.usable = False
            raise CRSError(
                f"{path}: lapisan tidak punya CRS (shapefile tanpa .prj). kawasan_gis tidak menebak: jalankan ulang dengan "
                "--assume-crs EPSG:XXXX (di konfigurasi: assume_crs) atau tambahkan berkas .prj / "
                "the layer has no CRS (a shapefile without its .prj, or a file saved without one). "
                "kawasan_gis never guesses: re-run with --assume-crs EPSG:XXXX (for example EPSG:4326 for "
                "longitude/latitude degrees, or the UTM zone the data was made in; in a config file: "
                'assume_crs = "EPSG:XXXX" in the layer\'s entry), or add the .prj file.'
            )
        gdf = gdf.set_crs(parse_crs(assume_crs))
        report.crs_assumed = True
        report.notes.append(message("note_assume_crs", crs=assume_crs))
    elif assume_crs is not None and CRS.from_user_input(gdf.crs) != parse_crs(assume_crs):
        report.notes.append(message("note_assume_crs_ignored", crs=assume_crs, declared=gdf.crs.to_string()))
    report.crs_source = gdf.crs.to_string()
    if gdf.crs.is_geographic and not gdf.empty:
        minx, miny, maxx, maxy = gdf.total_bounds
        if not (-180 <= minx <= 180 and -90 <= miny <= 90 and -180 <= maxx <= 180 and -90 <= maxy <= 90):
            raise CRSError(
                f"{path}: lapisan menyatakan derajat ({gdf.crs.to_string()}) tetapi koordinatnya meter; CRS yang dinyatakan salah / "
                f"the layer says it is in degrees ({gdf.crs.to_string()}) but its coordinates "
                f"({minx:.0f}, {miny:.0f} ... {maxx:.0f}, {maxy:.0f}) are metres. The declared CRS is wrong: "
                "fix the .prj or pass the right one with --assume-crs after removing it."
            )
    return gdf


def to_working_crs(gdf: gpd.GeoDataFrame, working_crs: Any, report: LayerReport) -> gpd.GeoDataFrame:
    """Reproject to the working CRS, which must be projected in metres."""
    target = parse_crs(working_crs)
    if not is_metric(target):
        raise CRSError(
            f"CRS kerja {target.to_string()} tidak terproyeksi dalam meter; pakai zona UTM seperti EPSG:32748 / "
            f"working CRS {target.to_string()} is not projected in metres: areas and distances need metres. "
            "Use a UTM zone such as EPSG:32748 (or leave it unset to use the data's UTM zone)."
        )
    report.working_crs = target.to_string()
    if CRS.from_user_input(gdf.crs) != target:
        gdf = gdf.to_crs(target)
    return gdf
