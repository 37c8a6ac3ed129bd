"""Coverage of a village layer: gaps between villages and overlaps of villages, measured
and reported (never changed)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from kawasan_gis.io.geometry import polygon_parts, polygonal
from kawasan_gis.io.winding import winding_faces


GAP_OVERLAP_MIN_M2 = 1.0  # below a square metre, slivers are numerical noise of simplified layers


def coverage_problems(villages: gpd.GeoDataFrame, *, min_area_m2: float = GAP_OVERLAP_MIN_M2) -> gpd.GeoDataFrame:
    """Gaps and overlaps between the villages of a layer, as geometries with their hectares.

    Overlaps are the pairwise intersections of villages (found with an STRtree; only the
    villages meeting the overlap zones of :func:`~kawasan_gis.io.winding.winding_faces` are
    cut); gaps are the holes in the union of all villages (areas enclosed by villages but in
    none), taken from the same faces when the winding pass succeeds.
    Slivers under ``min_area_m2`` are ignored.

    Returns
    -------
    GeoDataFrame
        Columns ``masalah`` (``celah`` gap / ``tumpang_tindih`` overlap), ``luas_ha``,
        ``desa`` (the codes involved), geometry; in the villages' CRS.

    Examples
    --------
    >>> from kawasan_gis.io import read_villages, coverage_problems
    >>> desa = read_villages("data/rtrw_lampung_timur/desa_lampung_timur.gpkg", check_coverage=False)
    >>> sorted(coverage_problems(desa).masalah.unique())
    ['celah', 'tumpang_tindih']
    """
    geoms = villages.geometry.values
    codes = villages["kode_desa"].to_numpy() if "kode_desa" in villages.columns else np.arange(len(villages)).astype(str)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    # The exact winding pass (when the outline is small enough) finds the overlap zones and
    # the gaps at once: villages whose interiors overlap both meet an overlap zone, the other
    # neighbours only share a border (no area to report) and are not cut; the gaps are its
    # faces covered by no village, so the villages need no union.
    parts, owner = polygon_parts(np.asarray(geoms, dtype=object))
    found = winding_faces(parts) if len(parts) else None
    if found is not None:
        faces, winding = found
        near = np.zeros(len(geoms), dtype=bool)
        near[owner[shapely.STRtree(parts).query(faces[winding > 1], predicate="intersects")[1]]] = True
        keep &= near[left] & near[right]
    left, right = left[keep], right[keep]
    inter = shapely.intersection(geoms[left], geoms[right])
    inter = polygonal(inter)
    area = shapely.area(inter)
    big = area >= min_area_m2
    rows_geom = list(inter[big])
    rows = [
        {"masalah": "tumpang_tindih", "luas_ha": a / 10_000, "desa": f"{codes[i]},{codes[j]}"}
        for i, j, a in zip(left[big], right[big], area[big], strict=True)
    ]
    if found is not None:
        # a gap is measured to its outer ring, as a hole of the union is (villages inside it included)
        holes = list(shapely.polygons(shapely.get_exterior_ring(faces[winding == 0])))
    else:
        union = shapely.union_all(geoms)
        holes = [shapely.Polygon(ring) for poly in shapely.get_parts(union) for ring in poly.interiors]
    if holes:
        hole_geoms = np.array(holes, dtype=object)
        hole_area = shapely.area(hole_geoms)
        h_left, h_right = tree.query(hole_geoms, predicate="intersects")
        around: dict[int, list[str]] = {}
        for h, v in zip(h_left, h_right, strict=True):
            around.setdefault(int(h), []).append(str(codes[v]))
        for k in np.flatnonzero(hole_area >= min_area_m2):
            rows.append({"masalah": "celah", "luas_ha": hole_area[k] / 10_000, "desa": ",".join(sorted(around.get(int(k), [])))})
            rows_geom.append(hole_geoms[k])
    return gpd.GeoDataFrame(rows, geometry=rows_geom, crs=villages.crs, columns=["masalah", "luas_ha", "desa"])
