"""Overlapping class polygons: priorities, and the planar partition where the stronger polygon wins.

:func:`resolve_overlaps` cuts only the pairs whose interiors really overlap; the class
priorities come from the vocabulary (:func:`default_priority`, lindung before budidaya).
Imports :mod:`kawasan_gis.vocab` (lazily), :mod:`kawasan_gis.io` (polygon parts, the winding pass),
:mod:`kawasan_gis.i18n` and the overlay's ``inputs`` and ``engine``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kawasan_gis.errors import CRSError
from kawasan_gis.i18n import LANGUAGES, Message, format_list, t
from kawasan_gis.io import polygon_parts, polygonal
from kawasan_gis.io.geometry import default_jobs
from kawasan_gis.io.winding import overlap_zones
from kawasan_gis.overlay.engine import parallel_pairs
from kawasan_gis.overlay.inputs import crs_problems, problem_error, require_columns, valid_geoms

log = logging.getLogger(__name__)

__all__ = ["default_priority", "resolve_overlaps"]


def default_priority(kind: str = "rtrw") -> dict[str, int]:
    """Overlap priorities of the standard classes of ``kind`` (higher wins).

    The ``priority`` of each class in the vocabulary (:func:`kawasan_gis.vocab.load_vocabulary`,
    ``kawasan_gis/data/pola_ruang.toml``): every kawasan lindung class outranks every kawasan
    budidaya class.

    Examples
    --------
    >>> from kawasan_gis.overlay import default_priority
    >>> p = default_priority("rtrw")
    >>> p["hutan_lindung"] > p["permukiman_perdesaan"]
    True
    """
    from kawasan_gis.vocab import load_vocabulary

    return {cls.code: int(cls.priority) for cls in load_vocabulary(kind)}


def _ranks(geoms: np.ndarray, classes: pd.Series, priority: Mapping[str, int] | None) -> np.ndarray:
    """Rank of each feature, 0 strongest: priority (high first), then area (small first), then row.

    Features without a class are the weakest.
    """
    if priority is None:
        prio = np.zeros(len(geoms))
    else:
        known = classes.isin(list(priority))
        unknown = classes[classes.notna() & ~known].astype(str).unique()
        if len(unknown):
            log.warning("%s", Message(*(t("no_overlap_priority", lang, daftar=format_list(sorted(unknown), lang=lang)) for lang in LANGUAGES)))
        prio = classes.map(dict(priority)).astype(float).fillna(0.0).to_numpy()
    prio = np.where(classes.isna().to_numpy(), -np.inf, prio)
    order = np.lexsort((np.arange(len(geoms)), shapely.area(geoms), -prio))
    rank = np.empty(len(geoms), dtype=np.int64)
    rank[order] = np.arange(len(geoms))
    return rank


def _subtract_groups(base: np.ndarray, target: np.ndarray, sub: np.ndarray, n_jobs: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``base[t] - union(sub[k] for every pair k with target[k] == t)``, and those unions.

    Returns the cut ``base`` and the cutter of each target (``np.unique(target)`` order).

    The partners of a target with several are unioned first, so a large polygon is cut once
    rather than once per partner. The targets are cut in ``n_jobs`` threads (GEOS releases the
    GIL), dealt out by their vertex count so each thread gets a fair share: a zoning layer's
    few huge polygons are most of the work.
    """
    n_jobs = default_jobs() if n_jobs is None else n_jobs
    out = base.copy()
    if len(target) == 0:
        return out, np.empty(0, dtype=object)
    order = np.argsort(target, kind="stable")
    target, sub = target[order], sub[order]
    starts = np.flatnonzero(np.r_[True, target[1:] != target[:-1]])
    ends = np.r_[starts[1:], len(target)]
    t = target[starts]

    cutters = sub[starts].copy()

    def cut(groups: np.ndarray) -> np.ndarray:
        for k in groups:
            if ends[k] - starts[k] > 1:
                # Only the partners' parts near the target matter: clip them to its box first, so
                # that large zoning polygons are not unioned whole again and again.
                near = polygonal(shapely.intersection(sub[starts[k] : ends[k]], shapely.envelope(base[t[k]])))
                cutters[k] = shapely.union_all(near)
        return shapely.difference(base[t[groups]], cutters[groups])

    cost = shapely.get_num_coordinates(base[t]) + np.add.reduceat(shapely.get_num_coordinates(sub), starts)
    if n_jobs < 2 or len(t) < 2 * n_jobs:
        out[t] = cut(np.arange(len(t)))
        return out, cutters
    # largest first, dealt round-robin: the threads finish at about the same time
    by_cost = np.argsort(-cost, kind="stable")
    shares = [np.sort(by_cost[i::n_jobs]) for i in range(n_jobs)]
    with ThreadPoolExecutor(n_jobs) as ex:
        for groups, cut_targets in zip(shares, ex.map(cut, shares)):
            out[t[groups]] = cut_targets
    return out, cutters


def resolve_overlaps(
    classes: gpd.GeoDataFrame,
    *,
    class_column: str = "kelas",
    priority: Mapping[str, int] | None = None,
    n_jobs: int | None = None,
) -> gpd.GeoDataFrame:
    """Make a class layer a planar partition: where polygons overlap, the stronger one wins.

    Strength, in order: the class's ``priority`` (higher wins; see :func:`default_priority`
    for lindung before budidaya), then the smaller polygon (the more specific designation,
    such as a settlement drawn over an agricultural zone), then the earlier row. Without
    ``priority`` all classes are equal and the last two rules decide.

    Only pairs whose interiors really overlap are cut. An exact pass over the polygons' edges
    (:func:`~kawasan_gis.io.winding.overlap_zones`) first proves that a layer drawn as a
    partition has no overlap at all, or finds the zones where polygons may overlap; an
    STRtree query then finds the neighbours in those zones and a DE-9IM test (in ``n_jobs``
    threads) keeps the pairs that overlap. A polygon with several overlapping partners is
    cut once, by their union clipped to its box.

    Parameters
    ----------
    classes : GeoDataFrame
        Polygons in a projected CRS, with ``class_column``.
    class_column : str
        Column with the class code.
    priority : mapping of str to int, optional
        Priority of each class code; classes not listed get 0.
    n_jobs : int, optional
        Threads (default :func:`~kawasan_gis.io.geometry.default_jobs`) for the overlap test.

    Returns
    -------
    GeoDataFrame
        One row per remaining piece, with the columns of the feature it came from, plus
        ``overlap`` (bool: this piece was also covered by weaker polygons, i.e. the layer
        overlapped there) and ``source_row`` (position of that feature). Multi-part features
        are split into their parts, and a part that won an overlap gives two pieces (the
        overlapped area and the rest). Pieces are pairwise disjoint; empty ones are dropped.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from kawasan_gis.overlay import resolve_overlaps
    >>> zones = gpd.GeoDataFrame({"kelas": ["pertanian", "hutan_lindung"]},
    ...                          geometry=[box(0, 0, 100, 100), box(50, 0, 150, 100)], crs="EPSG:32748")
    >>> out = resolve_overlaps(zones, priority={"hutan_lindung": 2, "pertanian": 1})
    >>> out.assign(a=out.area).groupby("kelas").a.sum().to_dict()
    {'hutan_lindung': 10000.0, 'pertanian': 5000.0}
    """
    problem_error(crs_problems(classes, "class layer"), "class layer")
    if not classes.crs.is_projected:
        raise CRSError(f"class layer is in {classes.crs.to_string()}, not projected; reproject it to metres first")
    require_columns(classes, [class_column], "class layer")
    geoms = valid_geoms(classes, "class layer", (3, 6), "polygons", n_jobs)
    rank = _ranks(geoms, classes[class_column].reset_index(drop=True), priority)
    # Work on polygon parts: a zoning MultiPolygon can have thousands of parts, and cutting
    # it whole costs far more than cutting the few parts that really overlap.
    g, owner = polygon_parts(geoms)
    # An exact pass over the edges first: on a layer drawn as a partition it proves that
    # nothing overlaps (and no tree of the parts is needed), elsewhere it narrows the pairs
    # to test to the parts meeting the zones where polygons may overlap.
    zones = overlap_zones(g, n_jobs=n_jobs)
    tree = shapely.STRtree(g) if zones is None or len(zones) else None
    if zones is None:
        i, j = tree.query(g)
    elif tree is None:
        i = j = np.empty(0, dtype=np.intp)
    else:
        near = np.unique(tree.query(zones, predicate="intersects")[1])
        i, j = tree.query(g[near])
        i = near[i]
        inside = np.zeros(len(g), dtype=bool)
        inside[near] = True
        i, j = i[inside[j]], j[inside[j]]
    keep = (i < j) & (owner[i] != owner[j])
    i, j = i[keep], j[keep]
    # Interiors meet: the only pairs that need resolving. Neighbours that share an edge
    # are the costly case for this test, hence the threads.
    real = parallel_pairs(lambda a, b: shapely.relate_pattern(a, b, "T********"), g[i], g[j], n_jobs)
    i, j = i[real], j[real]
    first = rank[owner[i]] < rank[owner[j]]
    strong = np.where(first, i, j)
    weak = np.where(first, j, i)
    won, _ = _subtract_groups(g, weak, g[strong], n_jobs)
    own, weaker = _subtract_groups(won, strong, g[weak], n_jobs)
    lost_to_weaker = np.unique(strong)
    # the overlapped part is what the weaker partners cut off: won & their union. (won - own is
    # the same set, but subtracting two nearly equal polygons is GEOS's slowest case: 2.4 of
    # 5.5 s on a kabupaten of synthetic land use)
    ovl = parallel_pairs(shapely.intersection, won[lost_to_weaker], weaker, n_jobs)
    if len(i):
        log.info("class layer: %d overlapping polygon pairs resolved by priority", len(i))

    pieces = polygonal(np.concatenate([own, ovl]))
    src = np.concatenate([owner, owner[lost_to_weaker]])
    flag = np.r_[np.zeros(len(own), bool), np.ones(len(ovl), bool)]
    ok = ~shapely.is_empty(pieces) & (shapely.area(pieces) > 0)
    order = np.lexsort((flag[ok], src[ok]))
    rows = src[ok][order]
    out = classes.iloc[rows].copy()
    out = out.set_geometry(gpd.GeoSeries(pieces[ok][order], index=out.index, crs=classes.crs), crs=classes.crs)
    out["overlap"] = flag[ok][order]
    out["source_row"] = rows
    return out.reset_index(drop=True)
