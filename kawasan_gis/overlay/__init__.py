"""Village x layer overlays: class areas, raster class histograms, line density, point counts.

Every function here takes the villages (the internal schema of :mod:`kawasan_gis.io`: a
GeoDataFrame in a projected working CRS with a unique ``kode_desa``) and one other layer,
and returns a DataFrame indexed by ``kode_desa`` in the villages' order. Inputs are never
modified. A vector layer in another CRS is reprojected to the villages' CRS (logged); a
raster is never resampled: the villages are reprojected to the raster instead.

The rooms, from the bottom up:

- :mod:`~kawasan_gis.overlay.engine`: the STRtree engine (village x key measure matrix, pair
  batching, villages split over threads);
- :mod:`~kawasan_gis.overlay.inputs`: the checks of the other layer at the door and the shared
  column names (the villages: :func:`kawasan_gis.io.require_villages`);
- :mod:`~kawasan_gis.overlay.overlaps`: overlap priorities and :func:`resolve_overlaps`;
- :mod:`~kawasan_gis.overlay.areas`: :func:`tabulate_classes`;
- :mod:`~kawasan_gis.overlay.raster`: :func:`raster_histogram` (exact cell weights);
- :mod:`~kawasan_gis.overlay.lines_points`: :func:`line_density`, :func:`point_stats`, :func:`slug`.

This package may import :mod:`kawasan_gis.io`, :mod:`kawasan_gis.vocab`,
:mod:`kawasan_gis.i18n` and :mod:`kawasan_gis.errors`; the steps above it (indicators,
compliance, centres) import it, never the other way round. :func:`polygonal` lives in
:mod:`kawasan_gis.io` and is re-exported here under its old name.
"""

from kawasan_gis.io import polygonal
from kawasan_gis.overlay.areas import tabulate_classes
from kawasan_gis.overlay.inputs import CODE, M2_PER_HA, OVERLAP, UNMAPPED
from kawasan_gis.overlay.lines_points import NO_CLASS, line_density, point_stats, slug
from kawasan_gis.overlay.overlaps import default_priority, resolve_overlaps
from kawasan_gis.overlay.raster import raster_histogram

__all__ = [
    "CODE",
    "M2_PER_HA",
    "NO_CLASS",
    "OVERLAP",
    "UNMAPPED",
    "default_priority",
    "line_density",
    "point_stats",
    "polygonal",
    "raster_histogram",
    "resolve_overlaps",
    "slug",
    "tabulate_classes",
]
