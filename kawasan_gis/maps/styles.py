"""Colours and labels of what the maps draw: potentials, standard classes, ITBX statuses.

Owns :class:`ClassStyle`, :func:`potential_styles`, :func:`class_styles` and the fixed
colours (:data:`GREY`, :data:`ITBX_COLOURS`, :data:`KONFLIK_STYLE`). The web map, the
print map and the report all take their colours from here. Colours come from
user-editable catalogues and end up in ``style`` attributes, so :func:`hex_colour` lets
only ``#rrggbb`` and ``[r, g, b]`` through.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from kawasan_gis import vocab
from kawasan_gis._values import is_present
from kawasan_gis.centres import ORDER_NAMES
from kawasan_gis.i18n import check_lang, t

log = logging.getLogger(__name__)

__all__ = ["BOUNDARY_SYMBOLS", "CENTRE_COLOURS", "LINDUNG_STATUS", "LineSymbol", "GREY", "ITBX_COLOURS", "KONFLIK_STYLE", "ClassStyle",
           "catalogue_order", "centre_radius", "class_styles", "hex_colour", "lindung_style", "potential_styles"]

GREY = "#bdbdbd"
# Prohibited (X) is a dark crimson, not the usual #d7191c: that red sat at CIEDE2000 14 from the
# orange-red of the permukiman potential and 7 from the official Transportasi red, so X areas
# drawn over settlement villages or beside roads could not be told apart (issue 15).
# tests/test_maps.py::test_colour_pairs_are_apart keeps these distances above a threshold.
# L (kawasan lindung kept protected inside a kawasan) is a calm grey-green: protected land is
# not a conflict and must not read as the X red, nor as the bright green of allowed (I) land.
X_COLOUR = "#9e0142"
ITBX_COLOURS = {"I": "#1a9850", "T": "#a6d96a", "B": "#f59e0b", "X": X_COLOUR, "L": "#6b9080", "outside": "#bdbdbd"}
# Conflicts sit on top of the potential colours (orange permukiman among them): prohibited
# areas get a strong fill and a dark outline; conditional ones, often large, a light fill and
# a dashed outline so the potentials below stay readable.
KONFLIK_STYLE = {
    "X": {"fillColor": X_COLOUR, "color": "#3d0019", "weight": 2, "opacity": 1, "fillOpacity": 0.8},
    "B": {"fillColor": "#f59e0b", "color": "#d97706", "weight": 2, "opacity": 1, "fillOpacity": 0.12, "dashArray": "5 3"},
    "L": {"fillColor": "#6b9080", "color": "#2f5d46", "weight": 1.5, "opacity": 1, "fillOpacity": 0.35, "dashArray": "1 4"},
}
"""Web-map style of the ``konflik`` layer by status: X prohibited, B conditional, L protected land kept."""


@dataclass(frozen=True)
class LineSymbol:
    """How one kind of boundary is drawn, on the web map (pixels) and the print map (points)."""

    colour: str
    web_width: float
    print_width: float
    dash: tuple[float, ...] = ()  # on/off lengths in line widths; () is a solid line

    @property
    def dash_array(self) -> str | None:
        """Leaflet ``dashArray`` (pixels), None for a solid line."""
        return " ".join(f"{d * self.web_width:g}" for d in self.dash) or None

    @property
    def linestyle(self) -> Any:
        """matplotlib ``linestyle``: ``"solid"`` or ``(0, dashes)`` (dashes in line widths, as matplotlib scales them)."""
        return (0, self.dash) if self.dash else "solid"


# Three boundaries, three symbols (issue 15: kawasan and kabupaten were the same solid black):
# the proposed kawasan, the subject of the map, solid black on top; the kabupaten a thick
# dark-grey dash-dot, the convention of Indonesian administrative maps; the kecamatan thin dashes.
BOUNDARY_SYMBOLS = {
    "kawasan": LineSymbol("#111111", 2.8, 1.6),
    "kode_kab": LineSymbol("#4d4d4d", 3.0, 2.2, (5.0, 1.5, 1.0, 1.5)),
    "kode_kec": LineSymbol("#37474f", 1.2, 0.6, (5.0, 4.0)),
}


CENTRE_COLOURS = {"utama": ("#7f0000", "#d32f2f"), "kedua": ("#8a4b00", "#fb8c00")}
"""Outline and fill of the centre symbols by role (primary, secondary)."""


def centre_radius(orde: Any) -> float:
    """Symbol radius (pixels) of a centre by its hierarchy order (roman): order I largest, none smallest."""
    text = str(orde) if is_present(orde) else ""
    rank = ORDER_NAMES.index(text) + 1 if text in ORDER_NAMES else None
    return 5.0 if rank is None else max(5.0, 12.0 - 1.0 * (rank - 1))


@dataclass(frozen=True)
class ClassStyle:
    """Colour and label of one potential or class code on a map."""

    code: str
    label: str
    colour: str


def lindung_style(lang: str = "id") -> ClassStyle:
    """The villages left unscored because most of their land is kawasan lindung (a national park...).

    Drawn in the grey-green of protected land (:data:`ITBX_COLOURS` ``L``) under their own
    legend entry, not in the grey of villages without a score: they are not missing data.
    """
    return ClassStyle(LINDUNG_STATUS, t("desa_lindung", lang), ITBX_COLOURS["L"])


LINDUNG_STATUS = "lindung"
"""``status_potensi`` of a village that is mostly kawasan lindung (``potential.STATUS_LINDUNG``)."""


def hex_colour(colour: Any) -> str:
    """``#rrggbb`` from ``[r, g, b]`` or a hex string; grey for anything else.

    Examples
    --------
    >>> hex_colour([26, 152, 80]), hex_colour("#A6611A"), hex_colour("red")
    ('#1a9850', '#a6611a', '#bdbdbd')
    """
    if isinstance(colour, str) and re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
        return colour.lower()
    if isinstance(colour, (list, tuple)) and len(colour) == 3:
        try:
            rgb = [int(c) for c in colour]
        except (TypeError, ValueError):
            return GREY
        if all(0 <= c <= 255 for c in rgb):
            return "#{:02x}{:02x}{:02x}".format(*rgb)
    log.warning("colour %r is not [r, g, b] or #rrggbb; drawn grey", colour)
    return GREY


def potential_styles(lang: str = "id", *, catalogue: Iterable[Any] | None = None) -> dict[str, ClassStyle]:
    """Colour and label of every potential, in catalogue order.

    ``catalogue`` defaults to :func:`kawasan_gis.vocab.load_potentials` (disabled
    potentials included: a result may use them); pass a user catalogue to draw its own
    potentials in their own colours.
    """
    check_lang(lang)
    if catalogue is None:
        catalogue = _builtin_potentials()
    return {str(p.code): ClassStyle(str(p.code), str(p.nama if lang == "id" else p.name), hex_colour(p.colour))
            for p in catalogue}


@cache
def _builtin_potentials() -> tuple[Any, ...]:
    return tuple(vocab.load_potentials())


def class_styles(kind: str, codes: Iterable[Any], *, lang: str = "id") -> dict[str, ClassStyle]:
    """Colour and label of the standard class ``codes`` of ``kind`` (``rtrw``, ``landuse``).

    Codes the vocabulary (:func:`kawasan_gis.vocab.load_vocabulary`) does not know are
    drawn grey and labelled with the code itself.
    """
    check_lang(lang)
    voc = vocab.load_vocabulary(kind)
    out: dict[str, ClassStyle] = {}
    for code in dict.fromkeys(str(c) for c in codes if is_present(c)):
        out[code] = ClassStyle(code, voc.label(code, lang), hex_colour(voc.colour(code))) if code in voc else ClassStyle(code, code, GREY)
    return out


def catalogue_order(kind: str) -> dict[str, int]:
    """Legend order: the vocabulary's order (kawasan lindung first, then budidaya)."""
    return {code: i for i, code in enumerate(vocab.load_vocabulary(kind).codes)}
