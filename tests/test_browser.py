"""The offline map in a real browser: headless Chromium (Debian's ``chromium``) via Playwright.

The map is saved with every asset inlined and opened from ``file://``: the test machines
have no internet, so any request to http(s) is a failure, as is any console error. The
screenshot goes to ``test-artifacts/peta.png`` (git-ignored) for a person to look at.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_maps import XSS, XSS2, scenario

from kawasan_gis import maps

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]

# Screen position of a point of a village: fx, fy are fractions of its bounding box from the south-west.
FIND_VILLAGE = """([code, fx, fy]) => {
    const map = Object.values(window).find(v => v instanceof L.Map && v.getContainer().querySelector('.kg-legend'));
    const layers = [];
    map.eachLayer(l => { if (l.feature && l.feature.properties && l.feature.properties.cari !== undefined) layers.push(l); });
    const b = layers.find(l => l.feature.id === code).getBounds();
    const p = map.latLngToContainerPoint([b.getSouth() + fy * (b.getNorth() - b.getSouth()), b.getWest() + fx * (b.getEast() - b.getWest())]);
    const box = map.getContainer().getBoundingClientRect();
    return [p.x + box.left, p.y + box.top];
}"""


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail("Chromium is required for the browser tests (Debian package 'chromium'; .ci/run installs it)")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        yield b
        b.close()


class Page:
    """A page with every console message, page error, dialog and network request recorded."""

    def __init__(self, browser: Any, path: Path, size: tuple[int, int] = (1280, 800)) -> None:
        self.page = browser.new_page(viewport={"width": size[0], "height": size[1]})
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.as_uri())
        self.page.wait_for_selector(".kg-legend")

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def remote_requests(self) -> list[str]:
        return [u for u in self.requests if u.split(":", 1)[0] not in ("file", "data", "about", "blob")]


@pytest.fixture(scope="module")
def offline_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("peta") / "peta_kawasan.html"
    return maps.save_map(maps.map_kawasan(**scenario(), offline=True), path)


def test_offline_map_in_chromium(browser, offline_map):
    view = Page(browser, offline_map)
    page = view.page

    # layer control: every layer of the result, basemap "none" selected
    control = page.inner_text(".leaflet-control-layers")
    for name in ["Tanpa peta dasar", "OpenStreetMap", "Citra satelit (Esri)", "Desa menurut potensi dominan",
                 "Kawasan usulan", "Konflik dengan RTRW", "Sambungan antarpulau", "Pola ruang RTRW", "Penggunaan lahan",
                 "Batas kecamatan", "Batas kabupaten"]:
        assert name in control, name
    checked = page.eval_on_selector(".leaflet-control-layers-base input:checked", "e => e.nextSibling.textContent.trim()")
    assert checked == "Tanpa peta dasar"

    # legend visible, with the potentials; RTRW section appears when its layer is switched on
    legend = page.locator(".kg-legend")
    assert legend.is_visible()
    assert "Peternakan" in legend.inner_text() and "Dilarang (X)" in legend.inner_text()
    assert "Hutan Lindung" not in legend.inner_text()
    page.locator(".leaflet-control-layers").get_by_text("Pola ruang RTRW", exact=True).click()
    assert "Hutan Lindung" in legend.inner_text()
    page.locator(".leaflet-control-layers").get_by_text("Pola ruang RTRW", exact=True).click()

    # hover: tooltip of village 6 (kawasan K01)
    x, y = page.evaluate(FIND_VILLAGE, ["1807012006", 0.5, 0.5])
    page.mouse.move(x, y)
    tooltip = page.locator(".leaflet-tooltip.kg-tt")
    tooltip.wait_for(state="visible")
    assert "Desa 6" in tooltip.inner_text() and "Kawasan <b>Satu</b>" in tooltip.inner_text()

    # click: the popup with the scores per potential and the shares
    page.mouse.click(x, y)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(state="visible")
    text = popup.inner_text()
    assert "Desa 6" in text and "SKOR PER POTENSI" in text.upper()
    assert "0,90" in text and "Hutan Tanaman Industri" in text and "Sawah" in text and "60,0%" in text
    ARTIFACTS.mkdir(exist_ok=True)
    page.mouse.move(5, 400)
    page.wait_for_timeout(300)  # let the hover style and tooltip fade settle
    page.screenshot(path=str(ARTIFACTS / "peta.png"))
    page.locator(".leaflet-popup-close-button").click()

    assert view.errors == []
    assert view.remote_requests() == []
    page.close()


def test_xss_village_name_is_text(browser, offline_map):
    view = Page(browser, offline_map)
    page = view.page
    # village 1 (south-west corner), north-east of the conflict patch that covers its centre
    x, y = page.evaluate(FIND_VILLAGE, ["1807012001", 0.9, 0.9])
    page.mouse.move(x, y)
    tooltip = page.locator(".leaflet-tooltip.kg-tt")
    tooltip.wait_for(state="visible")
    assert XSS in tooltip.inner_text()
    page.mouse.click(x, y)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(state="visible")
    assert XSS in popup.inner_text() and XSS2 in popup.inner_text()
    # search box: the name is listed as text too
    page.locator(".leaflet-control-search input").press_sequentially("<img")
    page.wait_for_selector(".search-tip")
    assert XSS in page.inner_text(".search-tooltip")
    page.wait_for_timeout(200)
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"], img[src=\"y\"], svg[onload]').length") == 0
    assert view.dialogs == []
    assert view.errors == []
    assert view.remote_requests() == []
    page.close()


def test_search_finds_a_village(browser, offline_map):
    view = Page(browser, offline_map)
    page = view.page
    page.locator(".leaflet-control-search input").press_sequentially("Desa 1")
    page.wait_for_selector(".search-tip")
    tips = page.locator(".search-tip").all_inner_texts()
    assert "Desa 11 (Kecamatan 2)" in tips
    page.locator(".search-tip", has_text="Desa 11 (Kecamatan 2)").click()
    page.locator(".leaflet-popup-content").wait_for(state="visible")
    assert "Desa 11" in page.inner_text(".leaflet-popup-content")
    assert view.errors == [] and view.remote_requests() == []
    page.close()


def test_kawasan_label_opens_compliance(browser, offline_map):
    from playwright.sync_api import expect

    view = Page(browser, offline_map)
    page = view.page
    label = page.locator(".kg-label > span", has_text="K02")
    expect(label).to_contain_text("Kawasan Dua")  # 2 km wide on screen: room for the name
    label.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(state="visible")
    text = popup.inner_text()
    assert "KESESUAIAN DENGAN RTRW" in text.upper() and "Diizinkan (I)" in text and "80,0%" in text and "sesuai" in text
    assert view.errors == [] and view.remote_requests() == []
    page.close()


def test_dual_map_offline(browser, tmp_path):
    layers = scenario()
    right = {"desa": layers["desa"].assign(kawasan_id=["P1" if i < 4 else None for i in range(16)])}
    dm = maps.compare_maps({"desa": layers["desa"], "kawasan": layers["kawasan"]}, right,
                           titles=("Usulan", "Rencana"), offline=True, lang="en")
    path = maps.save_map(dm, tmp_path / "banding.html")
    view = Page(browser, path)
    page = view.page
    assert page.locator(".leaflet-container.folium-map").count() == 2
    assert page.locator(".kg-title").all_inner_texts() == ["Usulan", "Rencana"]
    assert page.locator(".kg-legend").count() == 2
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "peta_banding.png"))
    # panning the left map moves the right one (Leaflet.Sync)
    centres = page.evaluate("""() => { const maps = Object.values(window).filter(v => v instanceof L.Map && v.getContainer().querySelector('.kg-legend'));
        maps[0].panBy([200, 0], {animate: false});
        return maps.map(m => [m.getCenter().lat, m.getCenter().lng]); }""")
    assert centres[0] == pytest.approx(centres[1], abs=1e-9)
    assert view.errors == [] and view.remote_requests() == []
    page.close()
