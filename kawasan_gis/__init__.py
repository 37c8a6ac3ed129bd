"""kawasan_gis: rural area (kawasan perdesaan) planning toolkit for Indonesia.

Reads village, land-use and RTRW layers as planners have them, computes per-village
indicators, scores each village's dominant potential, proposes contiguous kawasan
within one kabupaten, checks plans against RTRW pola ruang, and exports maps.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kawasan_gis")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
