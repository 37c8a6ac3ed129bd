"""Writing a map as one HTML file, optionally with every script and stylesheet inlined.

Owns :func:`render_html`, :func:`inline_assets`, :func:`save_map` and :func:`offline_resources`
(also the studio's source of Leaflet). ``offline``
inlines the resources from the ``folium-offline`` package, which embeds folium's web
resources under their CDN addresses; nothing is copied by hand, and an address it does
not hold is an error rather than a map that silently needs the internet. Works on any
folium map; imports nothing of :mod:`kawasan_gis.maps`.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path

import folium
import folium.plugins

from kawasan_gis._atomic import write_text
from kawasan_gis.errors import DataSourceError

__all__ = ["inline_assets", "offline_resources", "render_html", "save_map"]


@cache
def offline_resources() -> Mapping[str, str]:
    """folium's web resources (Leaflet and its plugins) by their CDN address, from ``folium-offline``."""
    # folium-offline embeds folium's web resources keyed by their CDN address; this is its only interface.
    from offlinefolium.elements import _res

    return _res


_SCRIPT_LINK = re.compile(r'<script src="(?P<url>[^"]+)"></script>')
_CSS_LINK = re.compile(r'<link rel="stylesheet" href="(?P<url>[^"]+)"/>')
_REMOTE = re.compile(r'<script[^>]+src="https?:|<link[^>]+href="https?:', re.IGNORECASE)


def inline_assets(html_text: str) -> str:
    """Replace every external ``<script src>`` and stylesheet ``<link>`` by the resource itself.

    The resources come from the installed ``folium-offline`` package, which embeds the
    exact files folium links to. An address it does not hold (a folium/folium-offline
    version mismatch) raises :class:`~kawasan_gis.errors.DataSourceError` naming it, rather
    than writing a map that silently needs the internet.
    """
    res = offline_resources()
    missing: list[str] = []

    def inline(tag: str) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            url = html.unescape(match["url"])
            if url not in res:
                missing.append(url)
                return match[0]
            # the asset must not close the element it is inlined into
            body = re.sub(rf"</({tag})", r"<\\/\1", res[url], flags=re.IGNORECASE)
            return f"<{tag}>/* {url} */\n{body}\n</{tag}>"

        return replace

    out = _CSS_LINK.sub(inline("style"), _SCRIPT_LINK.sub(inline("script"), html_text))
    left = _REMOTE.findall(out)
    if missing or left:
        raise DataSourceError(
            "Cannot make the map work offline: folium-offline has no copy of some resources "
            "(install the folium-offline release that matches folium)",
            problems=missing or left,
        )
    return out


def render_html(m: folium.Map | folium.plugins.DualMap, *, offline: bool | None = None) -> str:
    """The complete HTML page of ``m`` (assets inlined when ``offline``; default as built)."""
    if offline is None:
        offline = bool(getattr(m, "_kawasan_offline", False))
    text = m.get_root().render()
    lang = getattr(m, "_kawasan_lang", None)
    if lang in ("id", "en"):
        text = text.replace("<html>", f'<html lang="{lang}">', 1)
    return inline_assets(text) if offline else text


def save_map(m: folium.Map | folium.plugins.DualMap, path: str | os.PathLike[str], *, offline: bool | None = None) -> Path:
    """Write the map as one HTML file, atomically (a temporary file renamed into place).

    Parameters
    ----------
    m
        A map from :func:`map_kawasan` or :func:`compare_maps` (any folium map works).
    path
        The ``.html`` file to write; its folder must exist.
    offline
        Inline every script and stylesheet so the file opens without internet. Default:
        as the map was built (``map_kawasan(..., offline=True)``).

    Returns
    -------
    Path
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise DataSourceError(f"{path.parent}: folder does not exist")
    return write_text(path, render_html(m, offline=offline))
