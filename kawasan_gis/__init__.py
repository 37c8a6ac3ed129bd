"""kawasan_gis: rural area (kawasan perdesaan) planning toolkit for Indonesia.

Reads village, land-use and RTRW layers as planners have them, computes per-village
indicators, scores each village's dominant potential, proposes contiguous kawasan
within one kabupaten, checks plans against RTRW pola ruang, and exports maps.

The public API is flat: every step is importable from here, the way ``osmnx`` does it,
while each function lives in the module of its step (``kawasan_gis.io``,
``kawasan_gis.regionalize``, ...). Names resolve lazily (PEP 562) so that importing the
package, and with it ``kawasan --help``, does not import geopandas, folium or matplotlib.

Examples
--------
>>> import kawasan_gis as kg
>>> villages = kg.read_villages("data/rtrw_lampung_timur/desa_lampung_timur.gpkg")
>>> len(villages)
264
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("kawasan_gis")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"

# public name -> module that owns it
_EXPORTS: dict[str, str] = {
    # reading and validating layers
    "read_villages": "kawasan_gis.io",
    "read_layer": "kawasan_gis.io",
    "read_class_layer": "kawasan_gis.io",
    "read_lines": "kawasan_gis.io",
    "read_points": "kawasan_gis.io",
    "read_raster": "kawasan_gis.io",
    "read_table": "kawasan_gis.io",
    "validate_layer": "kawasan_gis.io",
    "require_villages": "kawasan_gis.io",
    # class vocabularies, potentials catalogue, ITBX matrix
    "match_classes": "kawasan_gis.vocab",
    "apply_mapping": "kawasan_gis.vocab",
    "load_vocabulary": "kawasan_gis.vocab",
    "load_potentials": "kawasan_gis.vocab",
    "load_itbx": "kawasan_gis.vocab",
    # measuring villages
    "tabulate_classes": "kawasan_gis.overlay",
    "raster_histogram": "kawasan_gis.overlay",
    "line_density": "kawasan_gis.overlay",
    "point_stats": "kawasan_gis.overlay",
    "build_indicators": "kawasan_gis.indicators",
    "join_table": "kawasan_gis.indicators",
    # judging and grouping
    "score_potentials": "kawasan_gis.potential",
    "contiguity": "kawasan_gis.regionalize",
    "propose_kawasan": "kawasan_gis.regionalize",
    # settlement hierarchy, growth centres, four-pillar profile
    "facility_counts": "kawasan_gis.centres",
    "settlement_hierarchy": "kawasan_gis.centres",
    "road_network": "kawasan_gis.centres",
    "designated_centres": "kawasan_gis.centres",
    "choose_centres": "kawasan_gis.centres",
    "join_idm": "kawasan_gis.profile",
    "profile_kawasan": "kawasan_gis.profile",
    # checking plans
    "read_plan": "kawasan_gis.check",
    "check_plan": "kawasan_gis.check",
    "write_check": "kawasan_gis.check",
    # showing results
    "map_kawasan": "kawasan_gis.maps",
    "compare_maps": "kawasan_gis.maps",
    "static_map": "kawasan_gis.maps",
    "save_map": "kawasan_gis.maps",
    "write_report": "kawasan_gis.report",
    # the whole run
    "load_config": "kawasan_gis.config",
    "run": "kawasan_gis.pipeline",
    "write_outputs": "kawasan_gis.pipeline",
}

__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:  # static type checkers and IDEs see the real objects
    from kawasan_gis.centres import choose_centres, designated_centres, facility_counts, road_network, settlement_hierarchy
    from kawasan_gis.check import check_plan, read_plan, write_check
    from kawasan_gis.config import load_config
    from kawasan_gis.indicators import build_indicators, join_table
    from kawasan_gis.io import (
        read_class_layer,
        read_layer,
        read_lines,
        read_points,
        read_raster,
        read_table,
        read_villages,
        require_villages,
        validate_layer,
    )
    from kawasan_gis.maps import compare_maps, map_kawasan, save_map, static_map
    from kawasan_gis.overlay import line_density, point_stats, raster_histogram, tabulate_classes
    from kawasan_gis.pipeline import run, write_outputs
    from kawasan_gis.potential import score_potentials
    from kawasan_gis.profile import join_idm, profile_kawasan
    from kawasan_gis.regionalize import contiguity, propose_kawasan
    from kawasan_gis.report import write_report
    from kawasan_gis.vocab import apply_mapping, load_itbx, load_potentials, load_vocabulary, match_classes


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kawasan_gis' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # resolve once
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
