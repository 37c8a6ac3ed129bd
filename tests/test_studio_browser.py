"""kawasan studio in a real browser: headless Chromium (Debian's ``chromium``) via Playwright.

The studio runs in-process on a free port of 127.0.0.1 in a thread. The test edits the plan as a
planner would (click, lasso, move, undo, save, export) and compares what the page shows with what
the library computes for the edited plan (:func:`kawasan_gis.check.check_plan` on a plan table the
test builds itself), and the exported plan table with what `kawasan check` computes from it. Any
request that does not go to the studio, any console error and any dialog is a failure.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from studio_fixture import XSS, code, grid_result  # noqa: F401 (fixture)

from kawasan_gis.check import check_plan, read_plan
from kawasan_gis.cli import cli
from kawasan_gis.studio import Session, StudioServer, open_studio

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu",
                 "--no-first-run", "--disable-sync"]
TIMEOUT = 60_000


@pytest.fixture(scope="module")
def studio(grid_result: Path) -> Iterator[tuple[StudioServer, Session]]:  # noqa: F811
    session = open_studio(grid_result)
    server = StudioServer(session, port=0)
    server.start()
    yield server, session
    server.stop()


@pytest.fixture(scope="module")
def page(studio: tuple[StudioServer, Session]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.fail("Chromium is required for the browser tests (Debian package 'chromium'; .ci/run installs it)")
    server, _ = studio
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        pg = browser.new_page(viewport={"width": 1400, "height": 900})
        pg.set_default_timeout(TIMEOUT)
        pg.errors, pg.requests, pg.dialogs = [], [], []
        pg.on("console", lambda m: pg.errors.append(m.text) if m.type in ("error", "warning") else None)
        pg.on("pageerror", lambda e: pg.errors.append(str(e)))
        pg.on("request", lambda r: pg.requests.append(r.url))
        pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
        pg.goto(server.url)
        pg.wait_for_selector("body[data-ready='1']", state="attached")
        yield pg
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / "studio.png"))
        browser.close()


def _expected(session: Session, moves: dict[str, str]) -> pd.DataFrame:
    """check_plan on the run's proposal with ``moves`` (village code -> kawasan) applied."""
    run = session.run
    member = dict(zip(run.desa["kode_desa"], run.desa["kawasan_id"], strict=True)) | moves
    table = pd.DataFrame({"kode_desa": list(member), "kawasan_id": list(member.values())}).dropna()
    table["potensi"] = table["kawasan_id"].map(run.kawasan.set_index("kawasan_id")["potensi"])
    plan = read_plan(table, run.desa, potentials=run.catalogue)
    return check_plan(plan, run.pola_ruang, itbx=run.itbx, bridges=run.sambungan).kawasan.set_index("kawasan_id")


def _value(pg: Any, selector: str) -> str:
    return pg.get_attribute(selector, "data-value")


def _wait_value(pg: Any, selector: str, expected: str) -> None:
    pg.wait_for_function("([s, v]) => { const e = document.querySelector(s); return e && e.dataset.value === v; }", arg=[selector, expected])


def _weights(pg: Any, button: str, *, changed: str) -> None:
    """Click a weights button, wait for the server's answer and for the count of villages that changed."""
    with pg.expect_response(lambda r: r.url.endswith("/api/weights")):
        pg.click(button)
    _wait_value(pg, "#weight-changed", changed)


def _show(pg: Any, kawasan: str) -> None:
    pg.select_option("#active", kawasan)


def _move(pg: Any, village: str, to: str) -> None:
    pg.click(f'path[data-kode="{village}"]')
    pg.wait_for_function("() => document.querySelector('#selection').textContent.startsWith('1 ')")
    pg.select_option("#move-to", to)
    with pg.expect_response(lambda r: r.url.endswith("/api/edit")):
        pg.click("#move")


def test_edit_check_undo_save_export(page: Any, studio: tuple[StudioServer, Session], grid_result: Path) -> None:  # noqa: F811
    pg = page
    server, session = studio
    target = session.proposal.member[code(24)]
    before = _expected(session, {})
    after = _expected(session, {code(30): target})
    # the edit matters: village 30 is hutan lindung, which a kawasan of whole villages keeps protected (L)
    assert after.loc[target, "ha_L"] == pytest.approx(before.loc[target, "ha_L"] + 100.0)
    assert after.loc[target, "alasan_verdict"] != before.loc[target, "alasan_verdict"]

    _show(pg, target)
    _wait_value(pg, "#k-verdict", before.loc[target, "verdict"])
    assert float(_value(pg, "#sum-ha-x")) == pytest.approx(before["ha_X"].sum())

    # move village 30 (hutan lindung, outside every kawasan) into the neighbouring kawasan
    _move(pg, code(30), target)
    pg.wait_for_function("() => document.querySelector('#status').dataset.ms !== undefined")
    _show(pg, target)
    _wait_value(pg, "#k-n-desa", str(after.loc[target, "n_desa"]))
    assert _value(pg, "#k-verdict") == after.loc[target, "verdict"]
    assert float(_value(pg, "#k-ha-x")) == pytest.approx(after.loc[target, "ha_X"], abs=1e-6)
    assert float(_value(pg, "#k-n-desa")) == after.loc[target, "n_desa"]
    # the development room: the kawasan outside the kept lindung, as check_plan measures it
    assert float(_value(pg, "#k-ruang")) == pytest.approx(after.loc[target, "ha_ruang_kembang"], abs=1e-6)
    assert pg.inner_text("#k-reason") == after.loc[target, "alasan_verdict"]
    assert float(_value(pg, "#sum-ha-x")) == pytest.approx(after["ha_X"].sum(), abs=1e-6)
    assert "1" in pg.inner_text("#sum-moved")
    ms = float(pg.get_attribute("#status", "data-ms"))
    assert 0 < ms < 5000

    # save a version, then export it and check the exported plan table with `kawasan check`
    pg.fill("#v-name", "Musyawarah antar desa 1")
    pg.fill("#v-who", XSS)
    pg.fill("#v-note", "Desa 30 masuk kawasan tetangga")
    with pg.expect_response(lambda r: r.url.endswith("/api/versions/save")):
        pg.click("#save-version")
    pg.wait_for_selector("#version-list li")
    assert "Musyawarah antar desa 1" in pg.inner_text("#version-list") and XSS in pg.inner_text("#version-list")
    assert len(list((grid_result / "studio" / "versi").iterdir())) >= 1
    with pg.expect_response(lambda r: r.url.endswith("/api/export"), timeout=180_000):
        pg.click("#export")
    pg.wait_for_selector("#export-files a[href$='rencana.csv']")
    href = pg.get_attribute("#export-files a[href$='rencana.csv']", "href")
    exported = grid_result / "studio" / href.removeprefix("/files/")
    assert exported.exists()
    proj = grid_result.parent
    res = CliRunner().invoke(cli, ["check", str(exported), "--villages", str(proj / "desa.gpkg"), "--rtrw", str(proj / "pola_ruang.gpkg"),
                                   "--rtrw-column", "kelas", "--out", str(proj / "cek_browser")], obj={})
    assert res.exit_code == 0, res.output
    checked = pd.read_csv(proj / "cek_browser" / "check.csv", dtype={"kawasan_id": str}).set_index("kawasan_id")
    assert checked.loc[target, "verdict"] == after.loc[target, "verdict"]
    assert checked.loc[target, "ha_X"] == pytest.approx(float(_value(pg, "#k-ha-x")), abs=1e-6)
    assert checked.loc[target, "ha_L"] == pytest.approx(after.loc[target, "ha_L"], abs=1e-6)

    # undo: back to the proposal's figures
    with pg.expect_response(lambda r: r.url.endswith("/api/undo")):
        pg.click("#undo")
    pg.wait_for_function("v => Math.abs(Number(document.querySelector('#sum-ha-x').dataset.value) - v) < 1e-6",
                         arg=float(before["ha_X"].sum()))
    _show(pg, target)
    _wait_value(pg, "#k-n-desa", str(before.loc[target, "n_desa"]))
    assert pg.inner_text("#k-reason") == before.loc[target, "alasan_verdict"]
    assert not pg.is_disabled("#redo")


def test_broken_contiguity_is_flagged(page: Any, studio: tuple[StudioServer, Session]) -> None:
    pg = page
    _, session = studio
    far = session.proposal.member[code(31)]
    _move(pg, code(7), far)
    _show(pg, far)
    pg.wait_for_selector('#k-rules li.error[data-rule="bersambung"]')
    with pg.expect_response(lambda r: r.url.endswith("/api/undo")):
        pg.click("#undo")
    pg.wait_for_selector('#k-rules li[data-rule="bersambung"]', state="detached")


def test_lasso_weights_and_hostile_names(page: Any, studio: tuple[StudioServer, Session]) -> None:
    pg = page
    # lasso around the centres of villages 1 and 2 (south-west corner)
    a = pg.locator(f'path[data-kode="{code(1)}"]').bounding_box()
    b = pg.locator(f'path[data-kode="{code(2)}"]').bounding_box()
    pg.click("#mode-lasso")
    left, right = a["x"] + 0.2 * a["width"], b["x"] + 0.8 * b["width"]
    top, bottom = a["y"] + 0.2 * a["height"], a["y"] + 0.8 * a["height"]
    pg.mouse.move(left, top)
    pg.mouse.down()
    for x, y in [(right, top), (right, bottom), (left, bottom), (left, top + 1)]:
        pg.mouse.move(x, y, steps=4)
    with pg.expect_response(lambda r: r.url.endswith("/api/lasso")):
        pg.mouse.up()
    pg.wait_for_function("() => document.querySelector('#selection').textContent.startsWith('2 ')")
    pg.click("#mode-click")

    # the hostile village name is shown as text: in the tooltip and in the centre list
    pg.hover(f'path[data-kode="{code(1)}"]')
    pg.wait_for_selector(".leaflet-tooltip")
    assert XSS in pg.inner_text(".leaflet-tooltip")
    assert pg.locator(".leaflet-tooltip img").count() == 0 and pg.locator("#panel img").count() == 0

    # the RTRW layer and its legend
    assert pg.locator("#legend-rtrw").is_hidden()
    pg.check("#layer-pola_ruang")
    pg.wait_for_selector("#legend-rtrw", state="visible")
    assert "Hutan Lindung" in pg.inner_text("#legend-rtrw")
    pg.uncheck("#layer-pola_ruang")

    # weights in the open: with no weight on its two computable indicators, permukiman is scored
    # nowhere and its 14 villages lose their dominant potential (test_studio has the reasoning)
    pg.evaluate("() => document.querySelectorAll('#weight-list details').forEach(d => d.open = true)")
    for indicator in ("lahan_terbangun", "zonasi_permukiman"):
        pg.fill(f'input[data-potential="permukiman"][data-indicator="{indicator}"]', "0")
    _weights(pg, "#apply-weights", changed="14")
    # back to the run's weights, then pertanian counting half: the six villages of column 3 turn
    # permukiman (test_studio has the scores by hand)
    _weights(pg, "#reset-weights", changed="0")
    pg.fill('#priority-list input[data-potential="pertanian_unggulan"]', "0.5")
    _weights(pg, "#apply-weights", changed="6")
    _weights(pg, "#reset-weights", changed="0")


def test_offline_and_clean(page: Any, studio: tuple[StudioServer, Session]) -> None:
    server, _ = studio
    remote = [u for u in page.requests if not u.startswith(server.url) and not u.startswith("data:")]
    assert remote == []
    assert page.errors == []
    assert page.dialogs == []
