"""The shared engine: village measures from an STRtree of layer parts, split by village over threads.

How the class areas (and line lengths) are computed (the hot path, see ``docs/indicators.md``):

1. an STRtree of the layer's parts gives every (village, part) pair whose bounding boxes meet;
2. a part that the village *covers* (prepared-geometry test) contributes its own area or
   length, with no intersection at all; on tessellated land use that is most pairs;
3. only the remaining pairs that really intersect are cut with ``shapely.intersection``,
   in batches that bound the memory of the results;
4. the measures are summed into a (village x key) matrix with ``numpy.bincount``.

The work is split by village over ``n_jobs`` threads (shapely releases the GIL). Each thread
prepares its own copies of its villages: a prepared geometry is never shared between
threads, which is not safe in GEOS. :func:`map_chunks` is the same split for the raster
histogram; :func:`parallel_pairs` (and :func:`kawasan_gis.io.geometry.parallel`, re-exported)
run read-only vectorised shapely functions in threads. Imports :mod:`kawasan_gis.io` (polygon
parts, :func:`~kawasan_gis.io.geometry.parallel`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

import numpy as np
import shapely

from kawasan_gis.io import polygon_parts
from kawasan_gis.io.geometry import default_jobs, parallel

__all__ = ["map_chunks", "measure_matrix", "parallel", "parallel_pairs"]

_BATCH = 20_000  # pairs cut per shapely call: bounds the memory of intersection results


def parallel_pairs(
    func: Callable[[np.ndarray, np.ndarray], np.ndarray], a: np.ndarray, b: np.ndarray, n_jobs: int | None = None
) -> np.ndarray:
    """Apply a read-only binary shapely function to pairs, in ``n_jobs`` threads.

    The pairs are dealt out in turn (pair ``k`` to thread ``k % n_jobs``), not in blocks: the
    costly pairs of a zoning layer (its few huge polygons) tend to sit together.
    """
    n_jobs = default_jobs() if n_jobs is None else n_jobs
    if n_jobs < 2 or len(a) < 4 * n_jobs:
        return func(a, b)
    with ThreadPoolExecutor(n_jobs) as ex:
        parts = list(ex.map(lambda i: func(a[i::n_jobs], b[i::n_jobs]), range(n_jobs)))
    out = np.empty(len(a), dtype=parts[0].dtype)
    for i, part in enumerate(parts):
        out[i::n_jobs] = part
    return out


def _chunks(n: int, n_jobs: int, per_job: int = 4, most: int = 500) -> list[np.ndarray]:
    """Village index groups: interleaved so every group gets a fair share of the work, and
    at most ``most`` villages each, which bounds the memory of the work in flight."""
    k = max(n_jobs * per_job if n_jobs > 1 else 1, -(-n // most))
    k = max(1, min(n, k))
    return [np.arange(i, n, k) for i in range(k)]


def map_chunks(
    work: Callable[[np.ndarray], Any], n: int, n_jobs: int | None, progress: Callable[[int], None] | None = None
) -> Iterator[Any]:
    n_jobs = default_jobs() if n_jobs is None else n_jobs
    chunks = _chunks(n, n_jobs)
    if n_jobs <= 1 or len(chunks) == 1:
        for c in chunks:
            yield work(c)
            if progress:
                progress(len(c))
        return
    with ThreadPoolExecutor(n_jobs) as ex:
        futures = [ex.submit(work, c) for c in chunks]
        for c, f in zip(chunks, futures):
            yield f.result()
            if progress:
                progress(len(c))


def _private_prepared(geoms: np.ndarray) -> np.ndarray:
    """Copies of ``geoms`` prepared for repeated predicates, owned by the calling thread only."""
    copies = shapely.from_wkb(shapely.to_wkb(geoms))
    shapely.prepare(copies)
    return copies


def measure_matrix(
    vgeoms: np.ndarray,
    geoms: np.ndarray,
    keys: np.ndarray,
    n_keys: int,
    *,
    measure: Literal["area", "length"],
    n_jobs: int | None,
    progress: Callable[[int], None] | None = None,
) -> np.ndarray:
    """Sum ``measure`` of every geometry's part inside every village, by key.

    Returns an array (n_villages, n_keys). ``keys`` (ints in [0, n_keys)) labels each of
    ``geoms``; features with a negative key are ignored.
    """
    n_jobs = default_jobs() if n_jobs is None else n_jobs
    measure_fn = shapely.area if measure == "area" else shapely.length
    use = np.flatnonzero(keys >= 0)
    out = np.zeros((len(vgeoms), n_keys))
    # Parts, not features: cutting a MultiPolygon of a thousand parts with a village costs
    # far more than cutting the few parts near it (the STRtree finds those).
    geoms, src = polygon_parts(geoms[use], (3,) if measure == "area" else (1, 2))
    keys = keys[use][src]
    if len(geoms) == 0 or len(vgeoms) == 0:
        return out
    full = measure_fn(geoms)
    tree = shapely.STRtree(geoms)
    # GEOS builds the tree lazily on the first query: build it here, before threads share it.
    tree.query(shapely.box(0, 0, 0, 0))

    def work(vidx: np.ndarray) -> np.ndarray:
        villages = _private_prepared(vgeoms[vidx])
        qv, qg = tree.query(villages)
        value = np.zeros(len(qv))
        inside = shapely.covers(villages[qv], geoms[qg])
        value[inside] = full[qg[inside]]
        cut = np.flatnonzero(~inside)
        cut = cut[shapely.intersects(villages[qv[cut]], geoms[qg[cut]])]
        for start in range(0, len(cut), _BATCH):
            b = cut[start : start + _BATCH]
            value[b] = measure_fn(shapely.intersection(villages[qv[b]], geoms[qg[b]]))
        return np.bincount(qv * n_keys + keys[qg], weights=value, minlength=len(vidx) * n_keys).reshape(-1, n_keys)

    for vidx, part in zip(_chunks(len(vgeoms), n_jobs), map_chunks(work, len(vgeoms), n_jobs, progress)):
        out[vidx] = part
    return out
