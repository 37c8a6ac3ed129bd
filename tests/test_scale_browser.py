"""The national overview map (peta_nasional.html) in headless Chromium: it draws, and its popups
link to each kabupaten's own map and report.

Saved with every asset inlined and opened from ``file://`` (no internet here): any console
error or request to http(s) fails the test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from test_browser import browser  # noqa: F401 (fixture: one Chromium per module, as the map tests launch it)

from kawasan_gis.maps import save_map
from kawasan_gis.scale.national import overview_map

pytestmark = pytest.mark.browser

LINKS = {"1872": "kabupaten/1872_kota_metro/", "7571": "kabupaten/7571_kota_gorontalo/"}


@pytest.fixture(scope="module")
def page_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    kab = gpd.GeoDataFrame(
        {
            "kode_kab": ["1872", "7571", "7504"],
            "nama_kab": ["Kota Metro", '<img src=x onerror="alert(1)">', "Pohuwato"],
            "status": ["selesai", "selesai", "gagal"],
            "n_desa": [22, 50, 104],
            "n_kawasan": [3, 5, None],
            "pct_desa_dalam_kawasan": [50.0, 90.0, None],
            "peta": [LINKS["1872"] + "peta_kawasan.html", LINKS["7571"] + "peta_kawasan.html", ""],
            "laporan": [LINKS["1872"] + "laporan.html", LINKS["7571"] + "laporan.html", ""],
        },
        geometry=[shapely.box(105.2, -5.2, 105.4, -5.0), shapely.box(123.0, 0.5, 123.2, 0.7), shapely.box(121.5, 0.4, 122.0, 0.8)],
        crs=4326,
    )
    kawasan = gpd.GeoDataFrame({"nama": ["K01"], "nama_kab": ["Kota Metro"], "potensi": ["perikanan"]},
                               geometry=[shapely.box(105.25, -5.15, 105.3, -5.1)], crs=4326)
    path = tmp_path_factory.mktemp("nasional") / "peta_nasional.html"
    save_map(overview_map(kab, kawasan, title="Uji", offline=True), path, offline=True)
    return path


def test_overview_draws_and_links_to_each_kabupaten(browser: Any, page_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    errors: list[str] = []
    requests: list[str] = []
    dialogs: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(page_path.as_uri())
    page.wait_for_selector("#legenda")
    found = page.evaluate("""() => {
        const map = Object.values(window).find(v => v instanceof L.Map);
        const out = {};
        map.eachLayer(l => {
            if (!l.feature) return;
            const p = l.feature.properties;
            if (p.kode) {
                l.openPopup();
                out[p.kode] = {popup: l.getPopup().getElement().querySelector(".leaflet-popup-content").innerHTML,
                               links: [...l.getPopup().getElement().querySelectorAll(".leaflet-popup-content a")].map(a => a.getAttribute("href")),
                               fill: l.options.fillColor, tooltip: l.getTooltip().getContent()};
                l.closePopup();
            } else {
                out["kawasan:" + p.nama] = {colour: l.options.color, tooltip: l.getTooltip().getContent()};
            }
        });
        out.controls = [...document.querySelectorAll(".leaflet-control-layers-overlays label")].map(s => s.textContent.trim());
        return out;
    }""")
    assert not errors and not dialogs
    assert [u for u in requests if u.split(":", 1)[0] not in ("file", "data", "about", "blob")] == []
    for kode, folder in LINKS.items():
        assert found[kode]["links"] == [folder + "peta_kawasan.html", folder + "laporan.html"]
    # a kabupaten without outputs says so; the name that looks like HTML is shown as text
    assert found["7504"]["links"] == [] and "tanpa peta dan laporan" in found["7504"]["popup"]
    assert "&lt;img src=x" in found["7571"]["popup"] and "<img" not in found["7571"]["popup"]
    # shades: 50 % in the 40-60 bin, 90 % in the 80-100 bin, a failed kabupaten grey (the legend's colours)
    assert (found["1872"]["fill"], found["7571"]["fill"], found["7504"]["fill"]) == ("#74a9cf", "#045a8d", "#bbbbbb")
    # figures in the Indonesian style (i18n.format_number), a missing one as a dash
    assert "Kota Metro" in found["1872"]["tooltip"] and "% desa dalam kawasan: 50,0" in found["1872"]["tooltip"]
    assert "kawasan: –" in found["7504"]["tooltip"]
    # the kawasan outline in its potential's colour (potentials.toml: perikanan)
    from kawasan_gis.vocab import load_potentials

    perikanan = next(p for p in load_potentials() if p.code == "perikanan")
    assert found["kawasan:K01"]["colour"] == "#%02x%02x%02x" % perikanan.colour
    assert "Kota Metro" in found["kawasan:K01"]["tooltip"]
    assert found["controls"] == ["Kabupaten/kota", "Kawasan"]
    page.close()
