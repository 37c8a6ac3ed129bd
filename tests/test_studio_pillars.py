"""The studio's live four-pillar profile (issue 18): equal to the run's at the start, by hand after an edit.

The result is the 6 x 6 grid of :mod:`studio_fixture` run with an IDM table whose indices are
chosen per village (:func:`studio_fixture.idm_values`: IKS of village k is k/100), so the
pemberdayaan pillar of a kawasan, fed by IKS alone (no facilities in the run), is the mean of
k/100 over its members.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from studio_fixture import N, code, grid_result, grid_result_idm, idm_values  # noqa: F401 (fixtures)

from kawasan_gis.profile import PILLARS
from kawasan_gis.studio.pillars import LiveProfile
from kawasan_gis.studio.server import open_studio
from kawasan_gis.studio.session import Session
from kawasan_gis.studio.views import init_payload

NUMBER = {code(k): k for k in range(1, N * N + 1)}


@pytest.fixture(scope="module")
def session(grid_result_idm: Path) -> Session:
    return open_studio(grid_result_idm)


def test_start_pillars_equal_the_run(session: Session, grid_result_idm: Path) -> None:
    run_kawasan = gpd.read_file(grid_result_idm / "kawasan.gpkg", layer="kawasan", engine="pyogrio").set_index("kawasan_id")
    assert session.figures, "the grid run proposes kawasan"
    for k, f in session.figures.items():
        for p in PILLARS:
            expected = run_kawasan.loc[k, f"pilar_{p}"]
            if expected != expected:  # NaN: no data for this pillar
                assert f.row[f"pilar_{p}"] is None, (k, p)
            else:
                assert f.row[f"pilar_{p}"] == pytest.approx(expected, abs=1e-9), (k, p)
        assert f.row["pilar_terlemah"] == run_kawasan.loc[k, "pilar_terlemah"]
        assert f.row["fokus_program"] == run_kawasan.loc[k, "fokus_program"]
    labels = [p["code"] for p in init_payload(session)["pillars"]]
    assert labels == list(PILLARS)


def test_a_move_reprofiles_both_kawasan_by_hand(session: Session, grid_result_idm: Path) -> None:
    desa = gpd.read_file(grid_result_idm / "kawasan.gpkg", layer="desa", engine="pyogrio").set_index("kode_desa")
    start = {k: dict(f.row) for k, f in session.figures.items()}
    target = session.state.member[code(1)]
    source = next(k for k in session.state.ids() if k != target)
    moved = session.state.villages_of(source)[0]
    session.apply("move", {"villages": [moved], "to": target})
    try:
        for k in (target, source):
            members = session.state.villages_of(k)
            row = session.figures[k].row
            iks = sum(idm_values(NUMBER[c])[0] for c in members) / len(members)
            ike = sum(idm_values(NUMBER[c])[1] for c in members) / len(members)
            # IKS alone feeds pemberdayaan in this run (no facilities)
            assert row["komp_iks"] == pytest.approx(iks)
            assert row["pilar_pemberdayaan"] == pytest.approx(iks)
            assert row["komp_ike"] == pytest.approx(ike)
            # the members' own scores for the kawasan's potential, as the run wrote them
            own = desa.loc[members, f"skor_{session.state.get(k).potensi}"].astype(float)
            assert row["komp_kekuatan_potensi"] == pytest.approx(own.mean())
            # no X in this plan's kawasan except what the check says: tanpa_konflik follows pct_X
            assert row["komp_tanpa_konflik"] == pytest.approx(1 - row["pct_X"] / 100)
        assert session.figures[target].row["n_desa"] == start[target]["n_desa"] + 1
    finally:
        session.undo()
    for k, f in session.figures.items():
        assert {c: v for c, v in f.row.items() if c.startswith("pilar_")} == {c: v for c, v in start[k].items() if c.startswith("pilar_")}


def test_distances_to_the_chosen_centre_feed_the_infrastructure_pillar(session: Session) -> None:
    k = session.state.member[code(1)]
    assert sorted(session.state.villages_of(k)) == sorted(code(i) for i in (1, 2, 7, 8, 13, 14, 19, 20))
    session.apply("centre", {"kawasan": k, "pusat": code(8)})
    try:
        # the whole grid lies within the run's 10 km: every member is within reach
        assert session.figures[k].row["komp_jarak_pusat"] == pytest.approx(1.0)
        # with a reach of 1.5 km, straight lines on the 1 km grid from village 8: 2, 7, 14 (1 km),
        # 1 and 13 (1.41 km) and 8 itself are within it, 19 (2.24 km) and 20 (2 km) are not: 6 of 8
        near = LiveProfile(session.run.evidence, session.profile.scores, session.centres, beyond_km=1.5)
        rows = near.evaluate(session.state, [k], {k: session.figures[k].row})
        assert rows[k]["komp_jarak_pusat"] == pytest.approx(6 / 8)
        assert rows[k]["pilar_infrastruktur"] == pytest.approx(6 / 8)
    finally:
        session.undo()


def test_a_run_without_profile_evidence_shows_no_pillars(grid_result: Path) -> None:
    plain = open_studio(grid_result)
    assert init_payload(plain)["pillars"] == []
    assert not any(c.startswith("pilar_") for f in plain.figures.values() for c in f.row)


@pytest.mark.browser
def test_the_page_shows_the_pillars_live(session: Session) -> None:
    import shutil

    from playwright.sync_api import sync_playwright
    from test_studio_browser import CHROMIUM_ARGS, TIMEOUT, _move, _show, _wait_value

    from kawasan_gis.studio import StudioServer

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    target = session.state.member[code(1)]
    source = next(k for k in session.state.ids() if k != target)
    moved = session.state.villages_of(source)[0]
    server = StudioServer(session, port=0)
    server.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            pg = browser.new_page(viewport={"width": 1400, "height": 900})
            pg.set_default_timeout(TIMEOUT)
            errors: list[str] = []
            pg.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
            pg.on("pageerror", lambda e: errors.append(str(e)))
            pg.goto(server.url)
            pg.wait_for_selector("body[data-ready='1']", state="attached")
            _show(pg, target)
            members = session.state.villages_of(target)
            start = sum(idm_values(NUMBER[c])[0] for c in members) / len(members)
            assert float(pg.get_attribute("#k-pilar-pemberdayaan", "data-value")) == pytest.approx(start)
            _move(pg, moved, target)
            _show(pg, target)
            after = sum(idm_values(NUMBER[c])[0] for c in [*members, moved]) / (len(members) + 1)
            pg.wait_for_function("v => Math.abs(Number(document.querySelector('#k-pilar-pemberdayaan').dataset.value) - v) < 1e-9", arg=after)
            # every pillar has a row; the weakest one is marked and its programme focus is shown
            assert pg.locator("#k-pillars tr").count() == len(PILLARS)
            assert pg.locator("#k-pillars tr.weakest").count() == 1
            assert pg.inner_text("#k-focus").startswith("Fokus program")
            with pg.expect_response(lambda r: r.url.endswith("/api/undo")):
                pg.click("#undo")
            _show(pg, target)
            _wait_value(pg, "#k-n-desa", str(len(members)))
            browser.close()
        assert not errors, errors
    finally:
        server.stop()
