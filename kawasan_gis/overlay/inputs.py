"""What every overlay checks at the door, and the names the overlays share.

The villages are checked by :func:`kawasan_gis.io.require_villages` (the one village-layer
contract); a layer must have a CRS (it is reprojected to the villages' CRS, logged), the
columns asked for and geometries of the right type that are valid. Every problem found is
listed in one error. Imports :mod:`kawasan_gis.errors`, :mod:`kawasan_gis.i18n` and
:mod:`kawasan_gis.overlay.engine`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kawasan_gis.errors import (
    CRSError,
    FieldError,
    GeometryError,
    KawasanError,
    LayerError,
)
from kawasan_gis.i18n import format_list
from kawasan_gis.io.geometry import checked
from kawasan_gis.overlay.engine import parallel

log = logging.getLogger(__name__)

__all__ = [
    "CODE",
    "M2_PER_HA",
    "OVERLAP",
    "UNMAPPED",
    "align_layer",
    "crs_problems",
    "problem_error",
    "require_columns",
    "valid_geoms",
]

UNMAPPED = "unmapped"
"""Column of village area the layer does not cover (or covers with nodata)."""

OVERLAP = "overlap"
"""Column of village area where class polygons overlapped (resolved by priority)."""

CODE = "kode_desa"
M2_PER_HA = 10_000.0
_MAX_LISTED = 10


def problem_error(problems: list[tuple[type[KawasanError], str]], what: str) -> None:
    """Raise one error listing every problem; its class is that of the first problem."""
    if problems:
        raise problems[0][0](f"Cannot use {what}:", problems=[p for _, p in problems])


def crs_problems(gdf: gpd.GeoDataFrame, name: str) -> list[tuple[type[KawasanError], str]]:
    if not isinstance(gdf, gpd.GeoDataFrame):
        return [(LayerError, f"{name} is a {type(gdf).__name__}, not a GeoDataFrame")]
    if gdf.crs is None:
        return [(CRSError, f"{name} has no CRS; set it (GeoDataFrame.set_crs) or read it with kawasan_gis.io")]
    return []


def _rows(gdf: pd.DataFrame, mask: np.ndarray) -> str:
    """Name the rows in ``mask``: by kode_desa when there is one, else by index label."""
    labels = gdf[CODE] if CODE in gdf.columns else pd.Series(gdf.index, index=gdf.index)
    return "rows " + format_list(labels[np.asarray(mask)].astype(str).tolist(), lang="en")


def align_layer(villages: gpd.GeoDataFrame, layer: gpd.GeoDataFrame, name: str) -> gpd.GeoDataFrame:
    """Check the layer's CRS and bring it to the villages' CRS (a logged reprojection)."""
    problem_error(crs_problems(layer, name), name)
    if layer.crs != villages.crs:
        log.info("reprojecting %s from %s to the villages' CRS %s", name, layer.crs.to_string(), villages.crs.to_string())
        layer = layer.to_crs(villages.crs)
    return layer


def require_columns(layer: pd.DataFrame, columns: Sequence[str | None], name: str) -> None:
    missing = [c for c in columns if c is not None and c not in layer.columns]
    if missing:
        raise FieldError(
            f"{name} tidak punya kolom / lacks column(s) {', '.join(map(repr, missing))}; "
            f"kolom yang ada / it has: {format_list(list(layer.columns))}"
        )


def valid_geoms(
    layer: gpd.GeoDataFrame, name: str, type_ids: Sequence[int], kind: str, n_jobs: int | None = None
) -> np.ndarray:
    """Non-missing geometries of ``layer`` as an array (None kept for missing), checked once.

    Validity is not tested again for geometries a reader of :mod:`kawasan_gis.io` has
    already found valid (:func:`kawasan_gis.io.geometry.checked`).
    """
    geoms = layer.geometry.values.to_numpy()
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    tid = shapely.get_type_id(geoms)
    bad_type = present & ~np.isin(tid, list(type_ids) + [7])
    if bad_type.any():
        raise LayerError(f"{name} harus berisi {kind}; ada jenis geometri lain / must hold {kind}; found other geometry types "
                         f"at {_rows(layer, bad_type)}")
    if checked(layer, geoms):
        invalid = np.zeros(len(geoms), dtype=bool)
    else:
        invalid = present & ~parallel(shapely.is_valid, geoms, n_jobs)
    if invalid.any():
        reasons = shapely.is_valid_reason(geoms[invalid][:_MAX_LISTED])
        raise GeometryError(
            f"{name} memuat {int(invalid.sum())} geometri tidak sah; perbaiki dulu / has {int(invalid.sum())} invalid geometries; "
            "repair them first (kawasan_gis.io.read_class_layer or shapely.make_valid)",
            problems=[f"row {i}: {why}" for i, why in zip(np.flatnonzero(invalid), reasons)],
        )
    return geoms
