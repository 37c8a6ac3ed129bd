"""Geometry repair and polygon parts.

:func:`clean_geometries` drops null/empty and Z, repairs invalid geometries and keeps the
wanted geometry family, recording each change in the :class:`LayerReport` and warning with
counts and names. :func:`polygon_parts` and :func:`polygonal` take polygons out of GEOS
results, :func:`parallel` runs a vectorised shapely test in threads; the overlay and check
steps use them too.

:func:`threads` is the one knob for how many threads a run's geometry steps may use: every
``n_jobs`` left out (io, overlay, check, the pipeline's road-graph thread, the outputs' writer
thread) is :func:`default_jobs`, which is 2 unless a ``with threads(n):`` block around the
call says otherwise. A Dask worker that shares the cores with other workers sets it so that the
workers together do not ask for more threads than there are cores.
"""

from __future__ import annotations

import operator
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Literal

import geopandas as gpd
import numpy as np
import shapely

from kawasan_gis.errors import GeometryError, RepairWarning
from kawasan_gis.i18n import Message, message
from kawasan_gis.io.report import LayerReport, Repair


DEFAULT_JOBS = 2  # a laptop's run uses both of its cores' worth of GEOS work, not more

# a ContextVar, not a module global: two runs in two threads of one process (a Dask worker with
# several threads, a test) each keep their own setting
_JOBS: ContextVar[int] = ContextVar("kawasan_gis_threads", default=DEFAULT_JOBS)


def default_jobs() -> int:
    """Threads a step uses when its ``n_jobs`` is not given: :data:`DEFAULT_JOBS`, or what
    the innermost :func:`threads` block around the call says."""
    return _JOBS.get()


@contextmanager
def threads(n: int | None) -> Iterator[None]:
    """Inside this block every ``n_jobs`` left out means ``n`` threads (``None``: unchanged).

    The setting belongs to the calling thread's context: the helper threads of the steps do
    not read it (they receive their ``n_jobs`` as an argument).

    Examples
    --------
    >>> with threads(1):
    ...     default_jobs()
    1
    >>> default_jobs()
    2
    """
    if n is None:
        yield
        return
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"threads must be a whole number of at least 1, got {n!r}")
    token = _JOBS.set(n)
    try:
        yield
    finally:
        _JOBS.reset(token)


def parallel(func: Callable[[np.ndarray], np.ndarray], geoms: np.ndarray, n_jobs: int | None = None) -> np.ndarray:
    """Apply a read-only vectorised shapely function over ``n_jobs`` slices in threads (shapely releases the GIL)."""
    n_jobs = default_jobs() if n_jobs is None else n_jobs
    if n_jobs < 2 or len(geoms) < 50_000:
        return func(geoms)
    parts = np.array_split(np.asarray(geoms, dtype=object), n_jobs)
    with ThreadPoolExecutor(n_jobs) as ex:
        return np.concatenate(list(ex.map(func, parts)))


_CHECKED = "kawasan_valid_geometries"


class _Checked:
    """A private copy of the geometry array a reader found valid (``attrs[_CHECKED]``).

    pandas deep-copies ``attrs`` into every frame derived from a layer; this token is
    shared instead (a copy would be as large as the layer), and it holds its own array, so
    a geometry replaced in place in the frame no longer matches it.
    """

    __slots__ = ("geoms",)

    def __init__(self, geoms: np.ndarray) -> None:
        self.geoms = np.array(geoms, dtype=object, copy=True)

    def __deepcopy__(self, memo: dict) -> _Checked:
        return self

    def __reduce__(self) -> tuple:
        # a pickled layer (sent to a worker) is checked again there rather than carry its
        # geometries twice
        return (_Checked, (np.empty(0, dtype=object),))


def mark_checked(gdf: gpd.GeoDataFrame) -> None:
    """Record that every geometry of ``gdf`` is valid (a reader's last step, after repairs)."""
    gdf.attrs[_CHECKED] = _Checked(gdf.geometry.values.to_numpy())


def checked(gdf: gpd.GeoDataFrame, geoms: np.ndarray) -> bool:
    """True when ``geoms`` (the geometries of ``gdf``) are the very objects a reader found valid.

    Shapely geometries are immutable, so the same objects are still valid: the overlays
    skip their own ``is_valid`` pass (0.3 s of CPU per 50,000 land-use polygons) on a layer
    read by :func:`~kawasan_gis.io.read_layer` and only matched, copied or renamed since.
    Any replaced, reprojected or filtered geometry array fails the test and is checked again.
    """
    token = gdf.attrs.get(_CHECKED)
    return isinstance(token, _Checked) and len(token.geoms) == len(geoms) and all(map(operator.is_, token.geoms, geoms))


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
    >>> round(float(clean_geometries(g, geom_kind="polygon").area.sum()), 1)
    2.0
    """
    report = report if report is not None else LayerReport(path=source, layer=None, kind="")
    where = f"{source}: " if source else ""
    geoms = gdf.geometry.values
    changes: list[Repair] = []

    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.any():
        changes.append(Repair(message("repair_missing"), int(missing.sum()), _feature_names(gdf, missing, id_column)))
        gdf = gdf.loc[~missing]
        geoms = gdf.geometry.values

    has_z = shapely.has_z(geoms)
    if has_z.any():
        changes.append(Repair(message("repair_z"), int(has_z.sum()), []))
        geoms = shapely.force_2d(geoms)

    invalid = ~parallel(shapely.is_valid, geoms)  # the costly check of a large layer
    touched = invalid.copy()
    if invalid.any():
        names = _feature_names(gdf, invalid, id_column)
        reasons = shapely.is_valid_reason(geoms[invalid])
        fixed = geoms.copy()
        fixed[invalid] = shapely.make_valid(geoms[invalid], method="structure", keep_collapsed=False)
        geoms = fixed
        detail = [f"{n} ({r})" for n, r in zip(names, reasons, strict=True)]
        changes.append(Repair(message("repair_invalid"), int(invalid.sum()), detail))

    if geom_kind == "polygon":
        geoms, dropped_parts, retyped = _keep_type(geoms, ("Polygon", "MultiPolygon"))
    elif geom_kind == "line":
        geoms, dropped_parts, retyped = _keep_type(geoms, ("LineString", "MultiLineString"))
    else:
        geoms, dropped_parts, retyped = _keep_type(geoms, ("Point", "MultiPoint"))
    touched |= retyped
    if dropped_parts.any():
        changes.append(
            Repair(message(f"repair_parts_{geom_kind}"), int(dropped_parts.sum()), _feature_names(gdf, dropped_parts, id_column))
        )

    if geom_kind == "polygon":
        # GEOS's make_valid can return parts that share an edge (an invalid MultiPolygon,
        # e.g. for rings that retrace a segment); dissolving the parts fixes that. Only the
        # features repaired or retyped above can be invalid now: the rest passed is_valid.
        check = np.flatnonzero(touched)
        shared = check[~shapely.is_valid(geoms[check]) & ~shapely.is_missing(geoms[check])]
        for i in shared:
            geoms[i] = shapely.union_all(shapely.get_parts(geoms[i]))
        unfixable = np.zeros(len(geoms), dtype=bool)
        unfixable[check] = ~shapely.is_valid(geoms[check]) & ~shapely.is_missing(geoms[check])
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
            Repair(message(f"repair_empty_{geom_kind}"), int(empty_after.sum()), _feature_names(out, empty_after, id_column))
        )
        out = out.loc[~empty_after]

    for change in changes:
        report.repairs.append(change)
        # the warning carries both languages; a run shows the one of its report (pipeline.run)
        warnings.warn(RepairWarning(Message(f"{where}{change.text('id')}", f"{where}{change.text('en')}")), stacklevel=3)
    return out


def _keep_type(geoms: np.ndarray, keep: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Keep only geometries (or collection parts) of the wanted types.

    Returns the geometries, the features that lost parts and the features that were rebuilt.
    """
    types = shapely.get_type_id(geoms)
    wanted_ids = {"Point": 0, "LineString": 1, "Polygon": 3, "MultiPoint": 4, "MultiLineString": 5, "MultiPolygon": 6}
    ok_ids = [wanted_ids[k] for k in keep]
    out = geoms.copy()
    lost = np.zeros(len(geoms), dtype=bool)
    rebuilt = ~np.isin(types, ok_ids) & ~shapely.is_missing(geoms)
    for i in np.flatnonzero(rebuilt):
        parts = shapely.get_parts(geoms[i])
        # nested collections from make_valid are flattened once more
        parts = np.concatenate([shapely.get_parts(p) if shapely.get_type_id(p) == 7 else [p] for p in parts]) if len(parts) else parts
        good = [p for p in parts if shapely.get_type_id(p) in ok_ids and not shapely.is_empty(p)]
        lost[i] = len(good) < len(parts)
        out[i] = shapely.union_all(good) if good else shapely.from_wkt("POLYGON EMPTY" if "Polygon" in keep else "GEOMETRYCOLLECTION EMPTY")
    return out, lost, rebuilt
