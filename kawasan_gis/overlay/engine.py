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
from contextlib import ExitStack
from typing import Any, Literal

import numpy as np
import shapely

from kawasan_gis.io import polygon_parts
from kawasan_gis.io.winding import partition_outline
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


def _derived_pairs(vgeoms: np.ndarray, geoms: np.ndarray, qv: np.ndarray, qg: np.ndarray, cut: np.ndarray, n_jobs: int) -> np.ndarray:
    """Among the ``cut`` pairs (positions into ``qv``/``qg``), one per part that need not be cut.

    When the villages are proven to have no overlaps and a part touches none of the edges of
    their outline, the part lies inside their union: its pieces in the villages it meets add
    up to its own area, so the last piece is that area less the others (one intersection
    fewer for each part a village border crosses, half of them on a tessellated layer).
    """
    parts, _ = polygon_parts(vgeoms)
    outline = partition_outline(parts, n_jobs=n_jobs) if len(parts) else None
    if outline is None or len(cut) == 0:
        return np.empty(0, dtype=np.intp)
    crossed = np.unique(qg[cut])  # parts a village border crosses (or touches)
    inner = np.zeros(len(geoms), dtype=bool)
    inner[crossed] = True
    if len(outline):
        edges = shapely.linestrings(outline.reshape(-1, 2, 2))
        inner[crossed[shapely.STRtree(edges).query(geoms[crossed], predicate="intersects")[0]]] = False
    candidates = cut[inner[qg[cut]]]
    # the last cut pair of each such part (pairs in village order)
    candidates = candidates[np.lexsort((candidates, qg[candidates]))]
    part = qg[candidates]
    return candidates[np.r_[part[1:] != part[:-1], True]] if len(candidates) else candidates


def measure_matrix(
    vgeoms: np.ndarray,
    geoms: np.ndarray,
    keys: np.ndarray,
    n_keys: int,
    *,
    measure: Literal["area", "length"],
    n_jobs: int | None,
    progress: Callable[[int], None] | None = None,
    complete: bool = False,
) -> np.ndarray:
    """Sum ``measure`` of every geometry's part inside every village, by key.

    Returns an array (n_villages, n_keys). ``keys`` (ints in [0, n_keys)) labels each of
    ``geoms``; features with a negative key are ignored. With ``complete`` (areas only), a
    part inside the union of villages proven free of overlaps has one piece taken as its
    area less its other pieces instead of cut (:func:`_derived_pairs`); the sums then
    differ from cutting every piece by rounding only (~1e-9 m2 per piece).
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
    chunks = _chunks(len(vgeoms), n_jobs)
    # Each chunk of villages gets its own prepared copies, used by one thread at a time.
    private = [np.empty(0, dtype=object)] * len(chunks)

    def pairs(k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The (village, part) pairs of chunk k: whether the village covers the part, which to cut."""
        villages = private[k] = _private_prepared(vgeoms[chunks[k]])
        qv, qg = tree.query(villages)
        inside = shapely.covers(villages[qv], geoms[qg])
        cut = np.flatnonzero(~inside)
        cut = cut[shapely.intersects(villages[qv[cut]], geoms[qg[cut]])]
        return qv, qg, inside, cut

    found = _each(pairs, len(chunks), n_jobs)
    sizes = [len(f[0]) for f in found]
    start = np.r_[0, np.cumsum(sizes)[:-1]].astype(np.intp)
    qv = np.concatenate([chunks[k][f[0]] for k, f in enumerate(found)])  # village positions
    qg = np.concatenate([f[1] for f in found])
    inside = np.concatenate([f[2] for f in found])
    cut = np.concatenate([f[3] + start[k] for k, f in enumerate(found)])
    value = np.where(inside, full[qg], 0.0)
    derived = (_derived_pairs(vgeoms, geoms, qv, qg, cut, n_jobs) if complete and measure == "area"
               else np.empty(0, dtype=np.intp))
    cut = np.setdiff1d(cut, derived, assume_unique=True)

    def pieces(k: int) -> np.ndarray:
        """The measure of the pairs of chunk k that are cut."""
        mine = cut[(cut >= start[k]) & (cut < start[k] + sizes[k])]
        local = found[k][0][mine - start[k]]
        for first in range(0, len(mine), _BATCH):
            b = slice(first, first + _BATCH)
            value[mine[b]] = measure_fn(shapely.intersection(private[k][local[b]], geoms[qg[mine[b]]]))
        return mine

    _each(pieces, len(chunks), n_jobs, done=(lambda k: progress(len(chunks[k]))) if progress else None)
    if len(derived):
        # the part's area less its other pieces (covered or cut), never below zero
        others = np.bincount(qg, weights=value, minlength=len(geoms))
        value[derived] = np.maximum(full[qg[derived]] - others[qg[derived]], 0.0)
    return np.bincount(qv * n_keys + keys[qg], weights=value, minlength=len(vgeoms) * n_keys).reshape(-1, n_keys)


def _each(work: Callable[[int], Any], n: int, n_jobs: int, done: Callable[[int], None] | None = None) -> list[Any]:
    """``work(k)`` for k in range(n), in ``n_jobs`` threads; the results in order.

    ``done(k)`` is called in the calling thread as each result arrives (for a progress bar).
    """
    results = []
    with ExitStack() as stack:
        pool = stack.enter_context(ThreadPoolExecutor(min(n_jobs, n))) if n_jobs > 1 and n > 1 else None
        for k, result in enumerate(pool.map(work, range(n)) if pool else map(work, range(n))):
            results.append(result)
            if done:
                done(k)
    return results
