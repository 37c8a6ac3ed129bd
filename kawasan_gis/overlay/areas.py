"""Hectares of each class of a polygon layer in each village (:func:`tabulate_classes`).

Overlaps are resolved first (:mod:`kawasan_gis.overlay.overlaps`) so that the classes plus
``unmapped`` add up to the village area; the areas come from the shared engine
(:mod:`kawasan_gis.overlay.engine`). Imports the overlay's ``inputs``, ``engine`` and
``overlaps``, :mod:`kawasan_gis.io` (the village contract) and :mod:`kawasan_gis.errors`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kawasan_gis.errors import FieldError
from kawasan_gis.io import require_villages
from kawasan_gis.overlay.engine import measure_matrix
from kawasan_gis.overlay.inputs import (
    CODE,
    M2_PER_HA,
    OVERLAP,
    UNMAPPED,
    align_layer,
    require_columns,
    valid_geoms,
)
from kawasan_gis.overlay.overlaps import resolve_overlaps

__all__ = ["tabulate_classes"]


def tabulate_classes(
    villages: gpd.GeoDataFrame,
    classes: gpd.GeoDataFrame,
    *,
    class_column: str = "kelas",
    priority: Mapping[str, int] | None = None,
    overlaps: Literal["resolve", "keep"] = "resolve",
    n_jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
    partition: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Hectares of each class in each village, plus the unmapped and overlapped area.

    Parameters
    ----------
    villages : GeoDataFrame
        Villages in the internal schema (projected CRS, unique ``kode_desa``).
    classes : GeoDataFrame
        Class polygons with ``class_column`` (the standard class code). Reprojected to the
        villages' CRS if needed (logged). Rows without a class are ignored (their area is
        unmapped).
    class_column : str
        Column with the class code.
    priority : mapping of str to int, optional
        Overlap priority per class (see :func:`resolve_overlaps`, :func:`default_priority`).
    overlaps : {"resolve", "keep"}
        ``"resolve"`` (default) first makes the layer a planar partition with
        :func:`resolve_overlaps`, so that classes plus ``unmapped`` add up to the village area.
        ``"keep"`` counts every polygon in full, as ``geopandas.overlay`` followed by a
        group-by does; shares may then exceed 100 % and there are no ``unmapped`` or
        ``overlap`` columns.
    n_jobs : int, optional
        Threads (default :func:`~kawasan_gis.io.geometry.default_jobs`); the work is split by village.
    progress : callable, optional
        Called with the number of villages finished, for a progress bar.
    partition : GeoDataFrame, optional
        ``classes`` already resolved: the output of :func:`resolve_overlaps` for this layer and
        ``priority`` (``kawasan run`` resolves the RTRW once for these areas and the plan check).
        Its pieces are measured instead of resolving again; the columns still come from
        ``classes``, so a class every piece of which lost an overlap keeps its column of zeros.

    Returns
    -------
    DataFrame
        Indexed by ``kode_desa`` in the villages' order; one column per class code (sorted),
        in **hectares**; with ``overlaps="resolve"`` also ``unmapped`` (village area no class
        covers) and ``overlap`` (village area where the layer's polygons overlapped; it is
        already inside the class columns, counted once for the winning class).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from kawasan_gis.overlay import tabulate_classes
    >>> desa = gpd.read_file("data/rtrw_lampung_timur/desa_lampung_timur.gpkg").to_crs(32748)
    >>> desa = desa.rename(columns={"kode_desa": "dotted", "kode_desa_10": "kode_desa"})
    >>> zones = gpd.read_file("data/rtrw_lampung_timur/rtrw_lampung_timur.gpkg").to_crs(32748)
    >>> zones["geometry"] = zones.make_valid()
    >>> table = tabulate_classes(desa, zones)  # raw class names in "kelas" here
    >>> round(float(table.sum(axis=1).sub(table["overlap"]).sum()) / 100)  # km2 of the villages
    3858
    """
    require_villages(villages, step="overlay")
    classes = align_layer(villages, classes, "class layer")
    require_columns(classes, [class_column], "class layer")
    if overlaps not in ("resolve", "keep"):
        raise ValueError(f"overlaps must be 'resolve' or 'keep', not {overlaps!r}")
    names = sorted(pd.unique(classes[class_column].dropna().astype(str)))
    clash = {UNMAPPED, OVERLAP} & set(names)
    if clash and overlaps == "resolve":
        raise FieldError(f"class codes {sorted(clash)} are reserved for the unmapped and overlap columns")
    if partition is not None and overlaps != "resolve":
        raise ValueError("a partition is the resolution of the overlaps: give it with overlaps='resolve'")
    if overlaps == "resolve":
        if partition is None:
            classes = resolve_overlaps(classes, class_column=class_column, priority=priority, n_jobs=n_jobs)
        else:
            classes = align_layer(villages, partition, "class layer (resolved)")
            require_columns(classes, [class_column, OVERLAP], "class layer (resolved)")
        geoms = classes.geometry.values.to_numpy()
        flag = classes["overlap"].to_numpy(dtype=bool)
    else:
        geoms = valid_geoms(classes, "class layer", (3, 6), "polygons", n_jobs)
        flag = np.zeros(len(geoms), dtype=bool)
    raw = classes[class_column]
    codes = pd.Index(names, dtype=object).get_indexer(raw.astype(str).where(raw.notna(), None).astype(object))
    n = len(names)
    keys = np.where(codes >= 0, codes + n * flag, -1)
    vgeoms = villages.geometry.values.to_numpy()
    # complete: on villages drawn as a partition, a class polygon a border crosses is cut
    # once less (its last piece is its area less the others; equal up to rounding)
    m2 = measure_matrix(vgeoms, geoms, keys, 2 * n, measure="area", n_jobs=n_jobs, progress=progress, complete=True)
    ha = (m2[:, :n] + m2[:, n:]) / M2_PER_HA
    out = pd.DataFrame(ha, index=pd.Index(villages[CODE].astype(str), name=CODE), columns=names)
    out.columns.name = class_column
    if overlaps == "resolve":
        luas = shapely.area(vgeoms) / M2_PER_HA
        out[UNMAPPED] = np.maximum(luas - ha.sum(axis=1), 0.0)
        out[OVERLAP] = m2[:, n:].sum(axis=1) / M2_PER_HA
    return out
