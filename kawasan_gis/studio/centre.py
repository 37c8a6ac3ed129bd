"""Distances from the members of a kawasan to its chosen centre, for the live figures.

Owns :class:`CentreDistances`: along the road network when the run had a road layer (the
network of :func:`kawasan_gis.centres.road_network`, villages attached at their representative
point as :func:`kawasan_gis.centres.choose_centres` does), else in a straight line between the
representative points; the basis is named in every answer. Built once per result; each answer
is one shortest-path search from the centre.

Imports :mod:`kawasan_gis.centres`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from kawasan_gis.centres import road_network

__all__ = ["BEYOND_KM", "CentreDistances"]

BEYOND_KM = 10.0
"""A member farther than this from its centre counts as far (the default of ``[centres] beyond_km``)."""


class CentreDistances:
    """Distances from a centre village to the other villages of its kawasan.

    Parameters
    ----------
    villages : GeoDataFrame
        The village layer (working CRS in metres) with ``kode_desa``.
    roads : GeoDataFrame, optional
        Road lines in the same CRS; without them distances are straight lines.
    beyond_km : float
    """

    def __init__(self, villages: gpd.GeoDataFrame, roads: gpd.GeoDataFrame | None = None, *, beyond_km: float = BEYOND_KM) -> None:
        self.pos = {c: i for i, c in enumerate(villages["kode_desa"].astype(str))}
        self.points = shapely.point_on_surface(np.asarray(villages.geometry.array, dtype=object))
        self.xy = shapely.get_coordinates(self.points)
        self.beyond_km = beyond_km
        self.basis = "jalan" if roads is not None and len(roads) else "garis_lurus"
        self.attached = road_network(roads).attach(self.points) if self.basis == "jalan" else None

    def distances(self, centre: str, members: Sequence[str]) -> np.ndarray:
        """Kilometres from ``centre`` to each of ``members`` (0 for the centre itself; inf where
        the road network does not connect them)."""
        c = self.pos[centre]
        idx = np.array([self.pos[m] for m in members], dtype=np.int64)
        if len(idx) == 0:
            return np.empty(0)
        if self.attached is not None:
            d = self.attached.distances([c], idx)[0] / 1000.0
        else:
            d = np.hypot(*(self.xy[idx] - self.xy[c]).T) / 1000.0
        return np.where(idx == c, 0.0, d)

    def stats(self, centre: str, members: Sequence[str]) -> dict[str, Any]:
        """``jarak_pusat_rata_km``, ``jarak_pusat_maks_km``, ``n_desa_jauh`` (beyond ``beyond_km``,
        given as ``batas_jauh_km``) over the members other than the centre, and ``dasar_jarak``
        (``jalan`` / ``garis_lurus``)."""
        others = [m for m in members if m != centre]
        if not others:
            return {"jarak_pusat_rata_km": 0.0, "jarak_pusat_maks_km": 0.0, "n_desa_jauh": 0, "batas_jauh_km": self.beyond_km,
                    "dasar_jarak": self.basis}
        d = self.distances(centre, others)
        finite = d[np.isfinite(d)]
        return {
            "jarak_pusat_rata_km": float(finite.mean()) if len(finite) else None,
            "jarak_pusat_maks_km": float(d.max()) if np.isfinite(d).all() else None,
            "n_desa_jauh": int((d > self.beyond_km).sum()),
            "batas_jauh_km": self.beyond_km,
            "dasar_jarak": self.basis,
        }
