"""The print map: :func:`static_map` draws the kawasan on an A4 page (PNG and PDF) with matplotlib.

Owns the page layout, the scale bar, the north arrow, the legend and the kawasan key.
It draws the same villages, outlines, boundaries, colours and title as the web map,
taken from :func:`kawasan_gis.maps.prepare.prepare_map`. matplotlib is imported when a
map is drawn, not when the package is imported. Imports
:mod:`~kawasan_gis.maps.prepare` and :mod:`~kawasan_gis.maps.styles`.
"""

from __future__ import annotations

import math
import os
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
from pyproj import CRS

from kawasan_gis._atomic import atomic_file
from kawasan_gis._values import is_present, is_truthy
from kawasan_gis.errors import DataSourceError
from kawasan_gis.i18n import check_lang, format_number, t
from kawasan_gis.maps.prepare import MapData, label_point, mostly_lindung, prepare_map, validate_layers
from kawasan_gis.maps.styles import BOUNDARY_SYMBOLS, CENTRE_COLOURS, GREY, ITBX_COLOURS, KONFLIK_STYLE, LineSymbol, centre_radius, lindung_style

__all__ = ["print_pixel_m", "static_map"]

# The A4 landscape page (inches) and the map frame on it (figure fractions: left, bottom, width, height).
_PAGE_IN = (11.69, 8.27)
_MAP_FRAME = (0.03, 0.08, 0.66, 0.82)
_PAD = 0.04  # margin around the villages inside the frame, as a share of their larger extent


def print_pixel_m(bounds: Sequence[float], *, dpi: int = 200) -> float:
    """Ground metres one pixel of the print map covers, for villages with metric ``bounds`` at ``dpi``.

    A simplification under half of it cannot be seen on the page: ``kawasan run`` then
    draws the print map from the web map's villages instead of preparing them again.

    Examples
    --------
    >>> # 70 km x 50 km, 4 % margin each side: 75,600 m over 0.66 x 11.69 in x 200 dpi = 1,543 px
    >>> round(print_pixel_m((0, 0, 70_000, 50_000)), 1)
    49.0
    """
    minx, miny, maxx, maxy = bounds
    pad = _PAD * max(maxx - minx, maxy - miny)
    width_in, height_in = _MAP_FRAME[2] * _PAGE_IN[0], _MAP_FRAME[3] * _PAGE_IN[1]
    return max((maxx - minx + 2 * pad) / width_in, (maxy - miny + 2 * pad) / height_in) / dpi


def _nice_length(span_m: float) -> float:
    """A round scale-bar length (1, 2 or 5 x 10^k metres) of about a fifth of ``span_m``."""
    target = max(span_m / 5.0, 1.0)
    exp = 10 ** math.floor(math.log10(target))
    return max(f * exp for f in (1, 2, 5) if f * exp <= target)


def _pale(colour: str, amount: float = 0.55) -> str:
    """``colour`` mixed with white: mixed-potential villages print pale, without transparency."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    r, g, b = (round(c + (255 - c) * amount) for c in (r, g, b))
    return f"#{r:02x}{g:02x}{b:02x}"


def _draw_scale_bar(ax: Any, length: float, *, lang: str) -> None:
    from matplotlib.patches import Rectangle

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    h = (y1 - y0) * 0.008
    left, bottom = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.04
    for i in range(4):
        ax.add_patch(Rectangle((left + i * length / 4, bottom), length / 4, h, facecolor="black" if i % 2 == 0 else "white",
                               edgecolor="black", linewidth=0.6, zorder=20))
    km = length >= 1000
    unit = 1000.0 if km else 1.0
    for frac in (0.0, 0.5, 1.0):
        value = frac * length / unit
        text = format_number(value, 0 if value == int(value) else 1, lang)
        ax.text(left + frac * length, bottom + h * 1.8, text, ha="center", va="bottom", fontsize=7, zorder=20)
    ax.text(left + length + (x1 - x0) * 0.01, bottom + h / 2, "km" if km else "m", ha="left", va="center", fontsize=7, zorder=20)


def _draw_north_arrow(ax: Any, *, lang: str) -> None:
    ax.annotate("", xy=(0.955, 0.95), xytext=(0.955, 0.87), xycoords="axes fraction",
                arrowprops={"facecolor": "black", "edgecolor": "black", "width": 3, "headwidth": 10, "headlength": 10}, zorder=20)
    ax.text(0.955, 0.955, t("north", lang), transform=ax.transAxes, ha="center", va="bottom", fontsize=11, fontweight="bold",
            zorder=20)


# (columns, font size in points, wrap width in characters), tried in order until the key fits
_KEY_LAYOUTS = ((1, 7.5, 48), (1, 6.5, 56), (2, 6.0, 30), (2, 5.0, 34))


def _draw_key(ax: Any, lines: list[str], *, top: float, height_in: float) -> None:
    """The kawasan id -> name list under the legend, in one or two columns, shrunk to fit."""
    for columns, size, width in _KEY_LAYOUTS:
        entries = [textwrap.fill(line, width, subsequent_indent="      ") for line in lines]
        per_line = size * 1.35 / 72.0 / height_in  # axes fraction taken by one text line
        capacity = int(top / per_line)
        counts = [e.count("\n") + 1 for e in entries]
        split = _split_columns(counts, columns)
        if max(sum(counts[a:b]) for a, b in split) <= capacity:
            break
    else:
        # Even the smallest layout overflows: keep what fits and say how many are left out.
        room = capacity * columns - 1
        kept, used = 0, 0
        while kept < len(entries) and used + counts[kept] <= room:
            used += counts[kept]
            kept += 1
        entries = entries[:kept] + [f"… (+{len(lines) - kept})"]
        counts = counts[:kept] + [1]
        split = _split_columns(counts, columns)
    for i, (a, b) in enumerate(split):
        ax.text(i / columns, top, "\n".join(entries[a:b]), fontsize=size, va="top", linespacing=1.35,
                transform=ax.transAxes)


def _split_columns(counts: list[int], columns: int) -> list[tuple[int, int]]:
    """Entry ranges of ``columns`` columns with about the same number of text lines."""
    if columns == 1 or len(counts) < 2:
        return [(0, len(counts))]
    total, run = sum(counts), 0
    for i, c in enumerate(counts):
        if run + c > total / 2 and i > 0:
            return [(0, i), (i, len(counts))]
        run += c
    return [(0, len(counts))]


def _save_atomic(fig: Any, path: Path, fmt: str, dpi: int) -> None:
    with atomic_file(path) as tmp:
        fig.savefig(tmp, format=fmt, dpi=dpi, metadata={"Title": None} if fmt == "png" else None)


def static_map(
    desa: gpd.GeoDataFrame,
    *,
    kawasan: gpd.GeoDataFrame | None = None,
    pusat: gpd.GeoDataFrame | None = None,
    konflik: gpd.GeoDataFrame | None = None,
    path: str | os.PathLike[str],
    title: str | None = None,
    sources: str | Sequence[str] | None = None,
    title_block: Mapping[str, Any] | None = None,
    lang: str = "id",
    dpi: int = 200,
    pdf: bool = True,
    catalogue: Iterable[Any] | None = None,
    prepared: MapData | None = None,
) -> Path:
    """Print map of the kawasan (PNG, and PDF next to it) for planning documents.

    Villages coloured by dominant potential (pale when mixed), kawasan outlined and
    numbered with a key, kecamatan and kabupaten boundaries, legend, scale bar, north
    arrow, title and a data-sources line, on an A4 landscape page.

    Parameters
    ----------
    desa
        Villages in a metric CRS (``potensi_dominan``, ``campuran``, ``kawasan_id`` when present).
    kawasan
        Proposed zones (``kawasan_id``, ``nama``); outlines are dissolved from the villages
        when ``desa`` has ``kawasan_id``.
    pusat
        Kawasan centres (points with ``peran`` and ``orde``): circles sized by hierarchy
        order, coloured by role, as on the web map.
    konflik
        The ``konflik`` layer of the RTRW check (``status``): prohibited development (X) in
        red, cross-hatched; kawasan lindung kept protected (L) in a calm grey-green, dotted;
        conditional areas (B) are left to the web map (they are often large and would hide
        the potentials).
    path
        The PNG file to write; the PDF goes next to it with the suffix ``.pdf``.
    title
        Page title; default "Usulan Kawasan Perdesaan – <kabupaten>".
    sources
        The data-sources line (a text or a list of texts): the legal and institutional
        sources (``[peta] sumber`` of the run config, e.g. the Perda RTRW), else the input files.
    title_block
        The title block in the bottom-right corner: ``instansi`` (the institution issuing
        the map), ``nomor`` (map number) and ``tahun`` (year), each optional (``[peta]``
        of the run config). None or empty: no block.
    lang
        ``"id"`` or ``"en"``.
    dpi
        PNG resolution (200 is print quality for A4).
    pdf
        Also write the vector PDF.
    catalogue
        Potential catalogue for colours and labels (default :func:`kawasan_gis.vocab.load_potentials`).
    prepared
        The villages and kawasan already prepared by :func:`~kawasan_gis.maps.prepare.prepare_map`
        from the same ``desa`` and ``kawasan`` (``kawasan run`` passes the web map's when their
        simplification is under half a pixel, :func:`print_pixel_m`); its potential styles are
        then used instead of ``catalogue``. Default: prepared here, simplified at 10 m.

    Returns
    -------
    Path
        The PNG file.
    """
    check_lang(lang)
    validate_layers(desa, {"kawasan": (kawasan, ["kawasan_id"]), "pusat": (pusat, ["peran"]), "konflik": (konflik, ["status"])})
    path = Path(path)
    if not path.parent.is_dir():
        raise DataSourceError(f"{path.parent}: folder tidak ada / folder does not exist")
    fig = _draw_page(desa, kawasan=kawasan, pusat=pusat, konflik=konflik, title=title, sources=sources, title_block=title_block,
                     lang=lang, catalogue=catalogue, prepared=prepared)
    _save_atomic(fig, path, "png", dpi)
    if pdf:
        _save_atomic(fig, path.with_suffix(".pdf"), "pdf", dpi)
    return path


def _draw_page(
    desa: gpd.GeoDataFrame,
    *,
    kawasan: gpd.GeoDataFrame | None,
    pusat: gpd.GeoDataFrame | None,
    title: str | None,
    sources: str | Sequence[str] | None,
    title_block: Mapping[str, Any] | None,
    lang: str,
    catalogue: Iterable[Any] | None,
    konflik: gpd.GeoDataFrame | None = None,
    prepared: MapData | None = None,
) -> Any:
    """The A4 page of :func:`static_map` as a matplotlib Figure (checked inputs)."""
    from matplotlib import patheffects
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as MplFigure

    if prepared is None:
        # A print map at A4 needs no vertex closer than ~10 m.
        data = prepare_map(desa, kawasan=kawasan, simplify_m=10.0, decimals=None, lang=lang, catalogue=catalogue, title=title)
    else:
        data = prepared if title is None else replace(prepared, title=title)
    frame, geoms, crs = data.villages.frame, data.villages.geoms, data.villages.crs
    boundaries = data.boundaries

    colours = []
    protected = lindung_style(lang).colour
    for value, mixed, lindung in zip(frame["potensi_dominan"] if "potensi_dominan" in frame.columns else [None] * len(frame),
                                     frame["campuran"] if "campuran" in frame.columns else [False] * len(frame),
                                     mostly_lindung(frame), strict=True):
        st = data.potentials.get(str(value)) if is_present(value) else None
        colour = st.colour if st else (protected if lindung else GREY)
        colours.append(_pale(colour) if is_truthy(mixed) else colour)

    block = _title_block_lines(title_block or {}, lang)
    fig = MplFigure(figsize=_PAGE_IN, layout=None)
    ax = fig.add_axes(_MAP_FRAME)
    # the legend and the kawasan key stop above the title block in the bottom-right corner
    side_bottom = 0.08 + 0.03 * len(block)
    side = fig.add_axes((0.71, side_bottom, 0.27, 0.90 - side_bottom))
    side.axis("off")
    gpd.GeoSeries(geoms, crs=crs).plot(ax=ax, color=colours, edgecolor="white", linewidth=0.25)
    drawn = _draw_konflik(ax, konflik, crs)
    for col in ("kode_kec", "kode_kab"):
        if col in boundaries:
            _plot_lines(ax, gpd.GeoSeries(boundaries[col], crs=crs).boundary, BOUNDARY_SYMBOLS[col])

    key_lines: list[str] = []
    if data.kawasan is not None and data.kawasan_geoms is not None:
        _plot_lines(ax, gpd.GeoSeries(data.kawasan_geoms, crs=crs).boundary, BOUNDARY_SYMBOLS["kawasan"])
        halo = [patheffects.withStroke(linewidth=2.5, foreground="white")]
        for (_, row), g in zip(data.kawasan.iterrows(), data.kawasan_geoms, strict=True):
            if g is None or g.is_empty:
                continue
            pt = label_point(g)
            ax.text(pt.x, pt.y, str(row["kawasan_id"]), ha="center", va="center", fontsize=7.5, fontweight="bold",
                    path_effects=halo, zorder=15)
            name = str(row["nama"]) if is_present(row.get("nama")) else ""
            key_lines.append(f"{row['kawasan_id']}  {name}" if name and name != str(row["kawasan_id"]) else str(row["kawasan_id"]))

    roles: list[str] = []
    if pusat is not None and len(pusat):
        pts = pusat.to_crs(crs)
        for role in ("utama", "kedua"):
            sel = pts.loc[pts["peran"].astype(str) == role]
            if len(sel):
                roles.append(role)
                line, fill = CENTRE_COLOURS[role]
                sizes = [(centre_radius(o) * 1.1) ** 2 for o in (sel["orde"] if "orde" in sel.columns else [None] * len(sel))]
                ax.scatter(sel.geometry.x, sel.geometry.y, s=sizes, c=fill, edgecolors=line, linewidths=1.0, zorder=14)

    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_linewidth(0.6)
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    pad = _PAD * max(maxx - minx, maxy - miny)
    ax.set_xlim(minx - pad, maxx + pad)
    ax.set_ylim(miny - pad, maxy + pad)
    _draw_scale_bar(ax, _nice_length(maxx - minx + 2 * pad), lang=lang)
    _draw_north_arrow(ax, lang=lang)

    legend = side.legend(handles=_legend_handles(data, has_kawasan=bool(key_lines), lang=lang, centres=roles, konflik=drawn), loc="upper left",
                         title=t("legend", lang), fontsize=8, title_fontsize=9.5, frameon=False, alignment="left",
                         borderaxespad=0)
    legend.get_title().set_fontweight("bold")
    if key_lines:
        # The kawasan key goes right under the legend, wherever its last entry ended.
        renderer = FigureCanvasAgg(fig).get_renderer()
        bottom = side.transAxes.inverted().transform(legend.get_window_extent(renderer))[0][1]
        side.text(0, bottom - 0.04, t("lyr_kawasan", lang), fontsize=9.5, fontweight="bold", va="top", transform=side.transAxes)
        height_in = side.get_position().height * fig.get_figheight()
        _draw_key(side, key_lines, top=bottom - 0.075, height_in=height_in)

    fig.suptitle(data.title, x=0.03, y=0.965, ha="left", fontsize=15, fontweight="bold")
    if block:
        fig.text(0.98, 0.03, "\n".join(block), fontsize=7.5, ha="right", va="bottom", linespacing=1.4,
                 bbox={"boxstyle": "square,pad=0.5", "facecolor": "white", "edgecolor": "#333333", "linewidth": 0.6})
    # wrapped within the map's width (~150 characters of 7 pt), clear of the title block on the right
    text = textwrap.fill(_sources_line(sources, crs, lang), 150)
    fig.text(0.03, 0.015, text, fontsize=7, color="#333333", ha="left", va="bottom")
    return fig


# Print symbols of the konflik statuses: X must read as prohibited at a glance, L as protected
# land kept (no conflict); hatches keep them apart in greyscale copies too.
_KONFLIK_PRINT = {
    "X": {"facecolor": ITBX_COLOURS["X"], "edgecolor": KONFLIK_STYLE["X"]["color"], "hatch": "xxx", "linewidth": 0.6, "alpha": 0.85},
    "L": {"facecolor": ITBX_COLOURS["L"], "edgecolor": "#2f5d46", "hatch": "...", "linewidth": 0.4, "alpha": 0.55},
}


def _draw_konflik(ax: Any, konflik: gpd.GeoDataFrame | None, crs: Any) -> list[str]:
    """Draw the X and L pieces of ``konflik``; the statuses drawn, in legend order."""
    if konflik is None or len(konflik) == 0:
        return []
    frame = konflik.to_crs(crs) if konflik.crs is not None and konflik.crs != crs else konflik
    status = frame["status"].astype(str).str.upper()
    drawn = []
    for code in ("X", "L"):
        sel = frame[(status == code).to_numpy()]
        if len(sel):
            sel.geometry.plot(ax=ax, zorder=5 if code == "X" else 4, **_KONFLIK_PRINT[code])
            drawn.append(code)
    return drawn


def _legend_handles(data: MapData, *, has_kawasan: bool, lang: str, centres: Sequence[str] = (), konflik: Sequence[str] = ()) -> list[Any]:
    """Legend entries: the potentials drawn, the two notes, the conflict statuses drawn, then the outlines drawn."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    key = data.key
    handles: list[Any] = [Patch(facecolor=st.colour, edgecolor="#555555", linewidth=0.4, label=st.label) for st in key.styles]
    if key.lindung:
        st = lindung_style(lang)
        handles.append(Patch(facecolor=st.colour, edgecolor="#555555", linewidth=0.4, label=st.label))
    if key.no_score:
        handles.append(Patch(facecolor=GREY, edgecolor="#555555", linewidth=0.4, label=t("no_score", lang)))
    if key.mixed:
        handles.append(Patch(facecolor=_pale("#808080"), edgecolor="#555555", linewidth=0.4, label=t("campuran_note", lang)))
    for code in konflik:
        handles.append(Patch(label=t("konflik_" + code, lang), **_KONFLIK_PRINT[code]))
    if has_kawasan:
        handles.append(_line_handle(BOUNDARY_SYMBOLS["kawasan"], t("kawasan_outline", lang)))
    for role in centres:
        line, fill = CENTRE_COLOURS[role]
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=7, markerfacecolor=fill, markeredgecolor=line,
                              label=t("pusat_" + role, lang)))
    if centres:
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=3, markerfacecolor="#9e9e9e",
                              markeredgecolor="#616161", label=t("pusat_size_note", lang)))
    for col, key in (("kode_kec", "lyr_kecamatan"), ("kode_kab", "lyr_kabupaten")):
        if col in data.boundaries:
            handles.append(_line_handle(BOUNDARY_SYMBOLS[col], t(key, lang)))
    return handles


def _plot_lines(ax: Any, lines: gpd.GeoSeries, sym: LineSymbol) -> None:
    lines.plot(ax=ax, color=sym.colour, linewidth=sym.print_width, linestyle=sym.linestyle)


def _line_handle(sym: LineSymbol, label: str) -> Any:
    """A legend line drawn exactly as the map draws ``sym``."""
    from matplotlib.lines import Line2D

    return Line2D([], [], color=sym.colour, linewidth=sym.print_width, linestyle=sym.linestyle, label=label)


def _title_block_lines(block: Mapping[str, Any], lang: str) -> list[str]:
    """The title block's lines: institution, then map number and year, each only when given."""
    lines = [str(block["instansi"])] if is_present(block.get("instansi")) and str(block["instansi"]) else []
    for key in ("nomor", "tahun"):
        value = block.get(key)
        if is_present(value) and str(value):
            lines.append(f"{t('peta_' + key, lang)}: {value}")
    return lines


def _sources_line(sources: str | Sequence[str] | None, crs: Any, lang: str) -> str:
    """The foot line: data sources, projection, date and software."""
    from datetime import date

    import matplotlib

    if sources is None:
        sources = [t("static_sources_default", lang)]
    elif isinstance(sources, str):
        sources = [sources]
    crs = CRS.from_user_input(crs)
    epsg = crs.to_epsg()
    return (f"{t('sources', lang)}: " + "; ".join(str(s) for s in sources) + f".  {t('projection', lang)}: {crs.name}"
            + (f" (EPSG:{epsg})" if epsg else "") + f".  {t('generated', lang)}: {date.today().isoformat()}, "
            f"kawasan_gis / matplotlib {matplotlib.__version__}.")
