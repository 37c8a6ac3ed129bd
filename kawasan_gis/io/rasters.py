"""Land-cover rasters checked at the door: one band of integer classes with a CRS. The
pixels are read later, by window, by the overlay step."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kawasan_gis.errors import CRSError, DataSourceError, LayerError
from kawasan_gis.io.crs import parse_crs
from kawasan_gis.io.report import LayerReport
from kawasan_gis.io.sources import existing_file


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

    path = existing_file(path)
    try:
        with rasterio.open(path) as src:
            crs = src.crs
            info = dict(width=src.width, height=src.height, res=src.res, nodata=src.nodata, dtype=src.dtypes[0], bounds=tuple(src.bounds))
            count = src.count
    except RasterioIOError as exc:
        raise DataSourceError(f"{path}: tidak dapat dibuka sebagai raster; mungkin terpotong, ekspor ulang / cannot be opened as a raster ({exc}). It may be truncated; export it again.") from None
    if count < 1:
        raise LayerError(f"{path}: raster tidak punya band / the raster has no band.")
    if not np.issubdtype(np.dtype(info["dtype"]), np.integer):
        raise LayerError(
            f"{path}: band 1 bertipe {info['dtype']}; raster tutupan lahan berisi kode kelas bilangan bulat / "
            f"band 1 is {info['dtype']}; a land-cover raster holds integer class codes. "
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
