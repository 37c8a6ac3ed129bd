"""The village-layer contract every step applies at its door (:func:`require_villages`).

One check, one wording: a GeoDataFrame; a CRS set, projected and in metres; ``kode_desa``
(present, unique) and the step's columns; present, polygonal, valid geometries. Every
problem is gathered and raised once, Indonesian first, naming the step.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from kawasan_gis.errors import CRSError, FieldError, GeometryError, KawasanError, LayerError
from kawasan_gis.i18n import format_list
from kawasan_gis.io.crs import is_metric
from kawasan_gis.io.geometry import checked


def require_villages(villages: Any, *, step: str, columns: Iterable[str] = ()) -> None:
    """Check that ``villages`` is a village layer a step can measure on; raise one error listing every problem.

    The contract every step applies at its door (docs/design.md, "Villages: the internal
    schema"): a GeoDataFrame; a CRS that is set, projected and in metres; the columns
    ``kode_desa`` and geometry plus the step's ``columns``; ``kode_desa`` present and unique;
    geometries present, non-empty, polygonal and valid. :func:`read_villages` returns layers
    that pass.

    Parameters
    ----------
    villages
        The village layer.
    step
        The step that asks (``"overlay"``, ``"regionalize"``, ``"check"``, ...), named in the message.
    columns
        Further columns the step needs, besides ``kode_desa``.

    Raises
    ------
    LayerError
        ``villages`` is not a GeoDataFrame.
    CRSError, FieldError, GeometryError
        The most fundamental kind of problem found (CRS, then columns and codes, then
        geometries); its ``problems`` list every problem of every kind.

    Examples
    --------
    >>> from kawasan_gis.io import read_villages
    >>> desa = read_villages("data/rtrw_lampung_timur/desa_lampung_timur.gpkg", check_coverage=False)
    >>> require_villages(desa, step="overlay")
    >>> require_villages(desa.to_crs("EPSG:2227"), step="overlay")
    Traceback (most recent call last):
    ...
    kawasan_gis.errors.CRSError: Lapisan desa tidak dapat dipakai untuk langkah 'overlay' / The village layer cannot be used for step 'overlay':
      - CRS EPSG:2227 tidak dalam meter (US survey foot) / EPSG:2227 does not measure in metres (US survey foot): ...
    """
    header = f"Lapisan desa tidak dapat dipakai untuk langkah '{step}' / The village layer cannot be used for step '{step}':"
    if not isinstance(villages, gpd.GeoDataFrame):
        raise LayerError(
            header,
            problems=[
                f"berupa {type(villages).__name__}, bukan GeoDataFrame / it is a {type(villages).__name__}, "
                "not a GeoDataFrame: read it with kawasan_gis.io.read_villages"
            ],
        )
    found: list[tuple[type[KawasanError], str]] = []
    found += [(CRSError, p) for p in _village_crs_problems(villages.crs)]
    found += [(FieldError, p) for p in _village_field_problems(villages, ["kode_desa", *columns])]
    found += [(GeometryError, p) for p in _village_geometry_problems(villages)]
    if found:
        kind = next(k for k in (CRSError, FieldError, GeometryError) if any(c is k for c, _ in found))
        raise kind(header, problems=[p for _, p in found])


def _village_crs_problems(crs: CRS | None) -> list[str]:
    fix = "proyeksikan ulang ke CRS meter seperti UTM 48S (EPSG:32748) / reproject to a CRS in metres such as UTM 48S (EPSG:32748), e.g. with kawasan_gis.io.read_villages"
    if crs is None:
        return [
            "tidak ada CRS; tetapkan dengan GeoDataFrame.set_crs / the layer has no CRS; set it with "
            "GeoDataFrame.set_crs or read the layer with kawasan_gis.io.read_villages"
        ]
    name = f"EPSG:{crs.to_epsg()}" if crs.to_epsg() else crs.name
    if not crs.is_projected:
        return [f"CRS {name} tidak terproyeksi (derajat) / {name} is not projected (degrees): {fix}"]
    if not is_metric(crs):
        unit = crs.axis_info[0].unit_name if crs.axis_info else "?"
        return [f"CRS {name} tidak dalam meter ({unit}) / {name} does not measure in metres ({unit}): {fix}"]
    return []


def _village_field_problems(villages: gpd.GeoDataFrame, columns: Sequence[str]) -> list[str]:
    problems = []
    missing = [c for c in dict.fromkeys(columns) if c not in villages.columns]
    if villages._geometry_column_name not in villages.columns:
        missing.append("geometry")
    if missing:
        problems.append(
            f"kolom tidak ada / missing column(s): {', '.join(missing)} (docs/design.md, internal schema; "
            "kawasan_gis.io.read_villages gives them)"
        )
    if "kode_desa" in villages.columns:
        codes = villages["kode_desa"]
        if codes.isna().any():
            rows = format_list(np.flatnonzero(codes.isna()).tolist(), lang="en")
            problems.append(f"{int(codes.isna().sum())} desa tanpa kode_desa / village(s) without a kode_desa: rows {rows}")
        dup = sorted(set(codes[codes.duplicated() & codes.notna()].astype(str)))
        if dup:
            problems.append(f"kode_desa ganda / duplicate kode_desa (codes must be unique): {format_list(dup, lang='en')}")
    return problems


def _village_geometry_problems(villages: gpd.GeoDataFrame) -> list[str]:
    if villages._geometry_column_name not in villages.columns:
        return []
    geoms = np.asarray(villages.geometry.array, dtype=object)
    labels = (
        villages["kode_desa"].astype(str).to_numpy()
        if "kode_desa" in villages.columns
        else np.array([f"row {i}" for i in villages.index], dtype=object)
    )
    absent = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    not_polygonal = ~absent & ~np.isin(shapely.get_type_id(geoms), [3, 6])
    invalid = ~absent & ~not_polygonal & ~(np.ones(len(geoms), dtype=bool) if checked(villages, geoms) else shapely.is_valid(geoms))
    problems = []
    if absent.any():
        problems.append(f"geometri kosong / missing or empty geometry: {format_list(labels[absent].tolist(), lang='en')}")
    if not_polygonal.any():
        problems.append(f"bukan poligon / not a polygon: {format_list(labels[not_polygonal].tolist(), lang='en')}")
    if invalid.any():
        why = [f"{k} ({r})" for k, r in zip(labels[invalid], shapely.is_valid_reason(geoms[invalid]), strict=True)]
        problems.append(
            "geometri tidak valid; perbaiki dengan kawasan_gis.io.read_villages atau shapely.make_valid / "
            f"invalid geometry; repair it with kawasan_gis.io.read_villages or shapely.make_valid: {format_list(why, lang='en')}"
        )
    return problems
