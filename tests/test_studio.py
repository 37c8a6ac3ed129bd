"""kawasan studio without a browser: plan edits, the live check against check_plan, history,
weights, versions, exports and the safety rules of the web application.

The result is a real ``kawasan run`` on the 6 x 6 grid of :mod:`studio_fixture`; expected
figures are worked out by hand from its layout (each village 100 ha; the north-east 2 x 2 villages
29, 30, 35, 36 are hutan lindung) and cross-checked with :func:`kawasan_gis.check.check_plan`,
which the studio does not call for its live figures.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from studio_fixture import XSS, N, code, grid_result  # noqa: F401 (fixture)

from kawasan_gis.check import check_plan, read_plan
from kawasan_gis.cli import cli
from kawasan_gis.errors import DataSourceError, PlanError
from kawasan_gis.studio import PlanState, Session, StudioServer, inside, open_run, open_studio
from kawasan_gis.studio import plan as edits
from kawasan_gis.studio.plan import Kawasan
from kawasan_gis.studio.record import export_plan, list_versions, read_version, save_version


@pytest.fixture(scope="module")
def session(grid_result: Path) -> Session:
    return open_studio(grid_result)


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()}


def _library_check(session: Session, state: PlanState) -> pd.DataFrame:
    """check_plan on the plan ``state``, the way `kawasan check` would run it on a plan table."""
    run = session.run
    plan = read_plan(state.table(), run.desa, potentials=run.catalogue)
    return check_plan(plan, run.pola_ruang, itbx=run.itbx, bridges=run.sambungan, config=run.check_config).kawasan.set_index("kawasan_id")


# ---------------------------------------------------------------------- plan edits (pure)

KAB = {c: "1807" for c in ("a", "b", "c", "d")} | {"z": "1808"}


def _state() -> PlanState:
    return PlanState(member={"a": "K01", "b": "K01", "c": "K02"}, kawasan=(Kawasan("K01", "Satu", "permukiman", "a"), Kawasan("K02", "", "peternakan")))


def test_move_create_merge_split() -> None:
    s, touched = edits.move_villages(_state(), ["a"], "K02", kab=KAB)
    assert dict(s.member) == {"a": "K02", "b": "K01", "c": "K02"} and touched == {"K01", "K02"}
    assert s.get("K01").pusat is None  # the centre left its kawasan
    s, touched = edits.move_villages(s, ["b"], None, kab=KAB)
    assert s.ids() == ["K02"] and touched == {"K01"}  # emptied kawasan disappears
    s, touched = edits.create_kawasan(_state(), ["d", "c"], potensi="permukiman", nama=" Baru ", kab=KAB, potentials=["permukiman"])
    assert s.get("K03") == Kawasan("K03", "Baru", "permukiman") and s.villages_of("K03") == ["c", "d"] and "K02" not in s.ids()
    s, touched = edits.merge_kawasan(_state(), ["K02", "K01"], kab=KAB)
    assert s.ids() == ["K02"] and sorted(s.villages_of("K02")) == ["a", "b", "c"] and s.get("K02").potensi == "peternakan"
    s, _ = edits.split_kawasan(_state(), "K01", ["b"], kab=KAB)
    assert s.villages_of("K03") == ["b"] and s.get("K03").potensi == "permukiman"
    assert _state().member == {"a": "K01", "b": "K01", "c": "K02"}  # never changed in place


def test_edits_refused_with_the_reason() -> None:
    with pytest.raises(PlanError, match="Pasal 83"):
        edits.move_villages(_state(), ["z"], "K01", kab=KAB)
    with pytest.raises(PlanError, match="unknown village"):
        edits.move_villages(_state(), ["nope"], "K01", kab=KAB)
    with pytest.raises(PlanError, match="does not exist"):
        edits.move_villages(_state(), ["a"], "K09", kab=KAB)
    with pytest.raises(PlanError, match="unknown potential"):
        edits.set_potential(_state(), "K01", "tambang", potentials=["permukiman"])
    with pytest.raises(PlanError, match="centre must be a village of K01"):
        edits.set_centre(_state(), "K01", "c")
    with pytest.raises(PlanError, match="leave at least one"):
        edits.split_kawasan(_state(), "K01", ["a", "b"], kab=KAB)
    with pytest.raises(PlanError, match="at least two"):
        edits.merge_kawasan(_state(), ["K01"], kab=KAB)


def test_next_id_keeps_the_width() -> None:
    s = PlanState(member={"a": "K009"}, kawasan=(Kawasan("K009", "", "permukiman"), Kawasan("lain", "", "permukiman")))
    assert edits.next_id(s) == "K010"


# ---------------------------------------------------------------------- paths


def test_inside_refuses_every_way_out(tmp_path: Path) -> None:
    root = tmp_path / "hasil"
    (root / "studio").mkdir(parents=True)
    (tmp_path / "rahasia.txt").write_text("x")
    os.symlink(tmp_path / "rahasia.txt", root / "studio" / "tautan.txt")
    assert inside(root, "studio", "a.csv") == (root / "studio" / "a.csv").resolve()
    for bad in (["..", "rahasia.txt"], ["studio/../../rahasia.txt"], ["/etc/passwd"], ["studio", "tautan.txt"], ["a\0b"], ["C:\\x"]):
        with pytest.raises(DataSourceError, match="refused"):
            inside(root, *bad)


def test_open_run_explains_a_wrong_folder(tmp_path: Path) -> None:
    with pytest.raises(DataSourceError, match="result folder not found"):
        open_run(tmp_path / "tidak_ada")
    with pytest.raises(DataSourceError, match="kawasan.gpkg, run.json missing"):
        open_run(tmp_path)


# ---------------------------------------------------------------------- live check


def test_start_figures_match_the_run_and_the_hand(session: Session, grid_result: Path) -> None:
    run_kawasan = session.run.kawasan.set_index("kawasan_id")
    for k, f in session.figures.items():
        for col in ("ha_I", "ha_T", "ha_B", "ha_X", "ha_outside"):
            assert f.row[col] == pytest.approx(run_kawasan.loc[k, col], abs=1e-6), (k, col)
        assert f.row["verdict"] == run_kawasan.loc[k, "verdict"]
        assert f.row["alasan_verdict"] == run_kawasan.loc[k, "alasan_verdict"]
    # the four hutan lindung villages have no development potential: outside every kawasan,
    # so the proposal has no prohibited area
    assert not {code(k) for k in (29, 30, 35, 36)} & set(session.proposal.member)
    assert session.summary()["usulan"]["ha_X"] == 0.0


def test_edit_undo_redo_match_check_plan(session: Session) -> None:
    start = session.state
    target = session.state.member[code(24)]
    n = len(session.state.villages_of(target))
    update = session.apply("move", {"villages": [code(30)], "to": target})
    assert set(update.touched) == {target}
    # by hand: a 100 ha hutan lindung village joins a permukiman kawasan of n villages of 100 ha: a studio
    # kawasan is made of whole villages, so its protected land is kept (L), not prohibited development (X)
    row = session.figures[target].row
    assert (row["ha_L"], row["ha_X"]) == (pytest.approx(100.0), pytest.approx(0.0))
    assert row["pct_L"] == pytest.approx(100 * 100 / (100 * (n + 1)), abs=0.05)
    assert row["ha_ruang_kembang"] == pytest.approx(100.0 * n)
    assert row["alasan_verdict"].endswith(f"kawasan lindung dipertahankan {row['pct_L']:.1f} % dari luas kawasan".replace(".", ","))
    expected = _library_check(session, session.state)
    for k, f in session.figures.items():
        for col in ("luas_ha", "ha_I", "ha_T", "ha_B", "ha_X", "ha_L", "ha_outside", "pct_X", "pct_L", "ha_ruang_kembang"):
            assert f.row[col] == pytest.approx(expected.loc[k, col], abs=1e-6), (k, col)
        assert f.row["verdict"] == expected.loc[k, "verdict"]
        assert f.row["alasan_verdict_en"] == expected.loc[k, "alasan_verdict_en"]
    assert session.summary()["rencana"]["ha_X"] == pytest.approx(0.0)
    assert session.summary()["desa_pindah"] == 1
    session.undo()
    assert session.state is start and session.figures[target].row["ha_L"] == pytest.approx(0.0)
    assert session.figures[target].row["verdict"] == "sesuai" and session.can_redo()
    session.redo()
    assert session.figures[target].row["ha_L"] == pytest.approx(100.0)
    session.undo()


def test_broken_contiguity_and_size_are_flagged(session: Session) -> None:
    far = session.state.member[code(31)]  # north-west kawasan
    session.apply("move", {"villages": [code(7)], "to": far})  # village 7 lies two rows south of it
    rules = {r["rule"] for r in session.figures[far].rules}
    assert "bersambung" in rules
    assert any(r["level"] == "error" for r in session.figures[far].rules if r["rule"] == "bersambung")
    session.undo()
    session.apply("merge", {"ids": session.state.ids()[:3]})  # 20 villages > max_villages 9 of the run
    merged = session.state.ids()[0]
    assert [r for r in session.figures[merged].rules if r["rule"] == "batas_ukuran"]
    session.undo()
    assert not any(r["rule"] in ("bersambung", "batas_ukuran") for f in session.figures.values() for r in f.rules)


def test_other_kabupaten_refused_and_plan_unchanged(session: Session) -> None:
    before = session.state
    with pytest.raises(PlanError):
        session.apply("move", {"villages": ["0000000000"], "to": before.ids()[0]})
    with pytest.raises(PlanError, match="unknown operation"):
        session.apply("drop_table", {})
    assert session.state is before


def test_weights_rescore_with_the_library(session: Session) -> None:
    same = session.rescore({}, session.run.mixed_margin)
    assert same["berubah"] == [] and same["jumlah"]["pertanian_unggulan"] == 18 and same["jumlah"]["permukiman"] == 14
    # without its two computable indicators permukiman has no weight with data, so it is scored
    # nowhere: the 18 - 4 (lindung) eastern villages lose their dominant potential
    res = session.rescore({"permukiman": {"lahan_terbangun": 0.0, "zonasi_permukiman": 0.0}}, session.run.mixed_margin)
    assert len(res["berubah"]) == 14 and res["jumlah"]["permukiman"] == 0 and res["jumlah"]["pertanian_unggulan"] == 18
    with pytest.raises(PlanError, match="unknown indicator"):
        session.rescore({"permukiman": {"tidak_ada": 1.0}}, 0.05)
    session.rescore({}, session.run.mixed_margin)


def test_potential_priorities_choose_the_dominant_by_hand(session: Session) -> None:
    desa = session.run.desa.set_index("kode_desa")
    col3 = [code(k) for k in range(3, N * N + 1, N)]  # 30 % sawah, 70 % permukiman
    west = [code(k) for k in range(1, N * N + 1) if (k - 1) % N < 2]  # all sawah
    # the run's scores: column 3 is pertanian by less than double, columns 1-2 have no permukiman
    pert, perm = desa.loc[col3, "skor_pertanian_unggulan"], desa.loc[col3, "skor_permukiman"]
    assert ((pert > perm) & (0.5 * pert < perm)).all()
    assert (desa.loc[west, "skor_permukiman"] == 0).all()
    # pertanian counting half: the six villages of column 3 turn permukiman, the west stays
    res = session.rescore({}, session.run.mixed_margin, {"pertanian_unggulan": 0.5})
    assert sorted(res["berubah"]) == sorted(col3)
    assert res["jumlah"]["pertanian_unggulan"] == 18 - 6 and res["jumlah"]["permukiman"] == 14 + 6
    # the scores themselves are the evidence and do not move
    assert session.dominant.loc[col3, "skor_pertanian_unggulan"].tolist() == pert.tolist()
    with pytest.raises(PlanError, match="above 0"):
        session.rescore({}, 0.05, {"pertanian_unggulan": 0})
    with pytest.raises(PlanError, match="unknown potential"):
        session.rescore({}, 0.05, {"tidak_ada": 1.0})
    assert session.rescore({}, session.run.mixed_margin)["berubah"] == []


# ---------------------------------------------------------------------- versions and exports


def test_versions_and_export_never_touch_the_run(session: Session, grid_result: Path) -> None:
    before = _digest(grid_result)
    session.apply("move", {"villages": [code(30)], "to": session.state.member[code(24)]})
    saved = save_version(session, name="Musyawarah 1", who="Kades <b>Satu</b>", note="disepakati: desa 30 pindah")
    assert (grid_result / "studio" / "versi" / saved["id"] / "rencana.csv").exists()
    again = save_version(session, name="Musyawarah 1", who="", note="")
    assert again["id"] != saved["id"]  # never overwritten
    assert [v["id"] for v in list_versions(session)][:2] == [again["id"], saved["id"]]
    assert read_version(session, saved["id"]).same_as(session.state)
    with pytest.raises(DataSourceError):
        read_version(session, "../../kawasan.gpkg")

    out = export_plan(session, name="Final", who="Tim", note="catatan")
    folder = grid_result / "studio" / out["folder"]
    assert {"rencana.csv", "check.gpkg", "check.csv", "check.xlsx", "peta_rencana.html", "lampiran.html", "catatan.json"} <= set(out["files"])
    assert not [f for f in out["files"] if f.startswith(".")]  # the output stamps are not the planner's files
    assert out["selisih"] == []  # live sums and the full check agree
    annex = (folder / "lampiran.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in annex and XSS not in annex
    assert "Kepala Desa" in annex and "kawasan lindung dipertahankan" in annex  # village 30 (hutan lindung) kept as L
    assert _digest(grid_result) == before

    # the plan table goes through `kawasan check` with the same figures as the studio showed
    proj = grid_result.parent
    res = CliRunner().invoke(cli, ["check", str(folder / "rencana.csv"), "--villages", str(proj / "desa.gpkg"), "--rtrw",
                                   str(proj / "pola_ruang.gpkg"), "--rtrw-column", "kelas", "--out", str(proj / "cek")], obj={})
    assert res.exit_code == 0, res.output
    checked = pd.read_csv(proj / "cek" / "check.csv", dtype={"kawasan_id": str}).set_index("kawasan_id")
    for k, f in session.figures.items():
        assert checked.loc[k, "ha_X"] == pytest.approx(f.row["ha_X"], abs=1e-6)
        assert checked.loc[k, "verdict"] == f.row["verdict"]
    session.undo()


# ---------------------------------------------------------------------- the web application


@pytest.fixture(scope="module")
def server(session: Session) -> Iterator[StudioServer]:
    srv = StudioServer(session, port=0)
    srv.start()
    yield srv
    srv.stop()


def _request(srv: StudioServer, method: str, path: str, *, body: object = None, headers: dict[str, str] | None = None) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=60)
    data = json.dumps(body).encode() if body is not None else None
    conn.request(method, path, body=data, headers=headers or {})
    resp = conn.getresponse()
    text = resp.read().decode("utf-8", "replace")
    conn.close()
    return resp.status, text


def test_server_listens_on_localhost_only(server: StudioServer) -> None:
    assert server.host == "127.0.0.1" and server.url == f"http://127.0.0.1:{server.port}/"


def test_page_has_a_strict_policy_and_no_remote_assets(server: StudioServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request("GET", "/")
    resp = conn.getresponse()
    page = resp.read().decode()
    conn.close()
    assert resp.status == 200
    assert "default-src 'none'" in resp.getheader("Content-Security-Policy") and "connect-src 'self'" in resp.getheader("Content-Security-Policy")
    assert "http://" not in page.replace(server.url, "") and "https://" not in page
    status, js = _request(server, "GET", "/static/leaflet.js")
    assert status == 200 and "Leaflet" in js[:500]


def test_requests_from_elsewhere_are_refused(server: StudioServer) -> None:
    token = server.app.state.token
    ok_headers = {"Content-Type": "application/json", "X-Studio-Token": token}
    assert _request(server, "GET", "/api/versions", headers={"Host": "evil.example:80"})[0] == 403  # DNS rebinding
    assert _request(server, "POST", "/api/undo", body={})[0] == 403  # no token: another site's form
    assert _request(server, "POST", "/api/undo", body={}, headers={**ok_headers, "X-Studio-Token": "x"})[0] == 403
    assert _request(server, "POST", "/api/undo", body={}, headers={"X-Studio-Token": token, "Content-Type": "text/plain"})[0] == 415
    status, text = _request(server, "POST", "/api/edit", body={"op": "move", "villages": ["x"], "to": "K01"}, headers=ok_headers)
    assert status == 400 and "unknown village" in json.loads(text)["error"]
    status, text = _request(server, "POST", "/api/edit", body=["not", "an", "object"], headers=ok_headers)
    assert status == 400 and "Traceback" not in text


@pytest.mark.parametrize("path", ["/files/../kawasan.gpkg", "/files/..%2f..%2fetc%2fpasswd", "/files/%2e%2e/run.json",
                                  "/files/versi/..%2f..%2frun.json", "/static/..%2fsession.py", "/files//etc/passwd"])
def test_path_traversal_refused(server: StudioServer, path: str) -> None:
    status, text = _request(server, "GET", path)
    assert status in (400, 403, 404)
    assert "kawasan_gis" not in text and "root:" not in text and '"config"' not in text


def test_a_new_run_keeps_the_studio_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kawasan_gis import outputs, pipeline
    from kawasan_gis._atomic import atomic_folder

    out = tmp_path / "hasil"
    with atomic_folder(out) as tmp:  # an earlier run's folder (stamped)
        (tmp / "kawasan.csv").write_text("lama", encoding="utf-8")
    (out / "studio" / "versi" / "v1").mkdir(parents=True)
    (out / "studio" / "versi" / "v1" / "catatan.json").write_text('{"nama": "Musyawarah"}', encoding="utf-8")
    (out / "studio" / ".cache").mkdir()
    (out / "studio" / ".cache" / "potongan-x.npz").write_bytes(b"x")
    monkeypatch.setattr(outputs, "_write_all", lambda result, folder, maps, helper=None: (folder / "kawasan.csv").write_text("baru", encoding="utf-8"))
    pipeline.write_outputs(None, out)  # type: ignore[arg-type]
    assert (out / "kawasan.csv").read_text(encoding="utf-8") == "baru"
    assert (out / "studio" / "versi" / "v1" / "catatan.json").read_text(encoding="utf-8") == '{"nama": "Musyawarah"}'
    assert not (out / "studio" / ".cache").exists()  # the cut geometry belongs to the old run


def test_every_label_of_the_page_exists_in_both_languages() -> None:
    import re
    from importlib import resources

    from kawasan_gis.studio.views import labels

    static = resources.files("kawasan_gis.studio") / "static"
    js, html = (static / "studio.js").read_text(encoding="utf-8"), (static / "studio.html").read_text(encoding="utf-8")
    used = set(re.findall(r'L_\("([a-z_]+[a-z])"', js)) | set(re.findall(r'data-(?:l|ph)="([a-z_]+)"', html))
    used |= set(re.findall(r'\["[a-z_]+", "((?:ui|lyr)_[a-z_]+)"\]', js))
    used |= {f"verdict_{v}" for v in ("sesuai", "sesuai_bersyarat", "tidak_sesuai")}
    ind, eng = labels("id"), labels("en")
    assert used and used <= set(ind) and used <= set(eng), sorted(used - set(ind))
    assert ind["ui_undo"] == "Urungkan" and eng["ui_undo"] == "Undo"
    assert all(ind[k] and eng[k] for k in used)


def test_cli_studio_refuses_a_folder_that_is_not_a_result(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["studio", str(tmp_path), "--no-browser", "--port", "0"], obj={})
    assert res.exit_code == 2
    assert "bukan folder hasil" in res.output and "not a result folder" in res.output and "Traceback" not in res.output
    res = CliRunner().invoke(cli, ["studio", "--help"], obj={})
    assert res.exit_code == 0 and "--no-browser" in res.output and "127.0.0.1" in res.output


def test_centre_distances_by_hand(session: Session) -> None:
    import math

    k01 = session.state.member[code(1)]
    assert sorted(session.state.villages_of(k01)) == sorted(code(k) for k in (1, 2, 7, 8, 13, 14, 19, 20))
    session.apply("centre", {"kawasan": k01, "pusat": code(8)})
    row = session.figures[k01].row
    # the grid run has no roads: straight lines between village centres (1 km apart), from
    # village 8 to 1 and 13 (diagonal), 2, 7 and 14 (1 km), 19 (sqrt 5) and 20 (2 km)
    assert row["dasar_jarak"] == "garis_lurus"
    assert row["jarak_pusat_rata_km"] == pytest.approx((2 * math.sqrt(2) + 3 + math.sqrt(5) + 2) / 7)
    assert row["jarak_pusat_maks_km"] == pytest.approx(math.sqrt(5))
    assert row["n_desa_jauh"] == 0
    session.apply("move", {"villages": [code(8)], "to": session.state.member[code(3)]})
    assert session.state.get(k01).pusat is None and "dasar_jarak" not in session.figures[k01].row
    session.undo()
    session.undo()


def test_without_an_rtrw_the_rules_still_run(session: Session) -> None:
    from kawasan_gis.studio import LiveCheck

    run = session.run
    live = LiveCheck(run.desa, None, itbx=run.itbx, config=run.check_config, limits=run.limits)
    k = session.state.member[code(7)]
    figs = live.evaluate(session.state, [k])[k]
    assert "verdict" not in figs.row and "ha_X" not in figs.row and len(figs.conflicts) == 0
    assert figs.row["luas_ha"] == pytest.approx(100.0 * figs.row["n_desa"])
    assert [r["rule"] for r in figs.rules] == ["kecamatan"]


def test_cut_once_then_from_the_cache(session: Session, tmp_path: Path) -> None:
    from kawasan_gis.studio import LiveCheck

    run = session.run
    options = dict(itbx=run.itbx, config=run.check_config, limits=run.limits, bridges=run.sambungan, cache_dir=tmp_path)
    first = LiveCheck(run.desa, run.pola_ruang, **options)
    second = LiveCheck(run.desa, run.pola_ruang, **options)
    assert not first.from_cache and second.from_cache and len(list(tmp_path.glob("potongan-*.npz"))) == 1
    ids = session.state.ids()
    a, b = first.evaluate(session.state, ids), second.evaluate(session.state, ids)
    assert all(a[k].row == b[k].row for k in ids)
    # another RTRW (one zone less) is another cache file, never the old one
    third = LiveCheck(run.desa, run.pola_ruang.iloc[1:], **options)
    assert not third.from_cache and len(list(tmp_path.glob("potongan-*.npz"))) == 2


def test_size_rule_reads_in_the_studio_language(session: Session) -> None:
    """The size limits of the rule message were Indonesian ("maks 9 desa") whatever the language."""
    from kawasan_gis.studio import LiveCheck

    run = session.run
    ids = session.state.ids()[:3]
    n = sum(1 for k in session.state.member.values() if k in ids)  # villages of 1 km2 (100 ha): > max_villages 9 of the run
    assert 10 <= n <= 99
    merged, _ = edits.merge_kawasan(session.state, ids, kab=session.kab)
    k = merged.ids()[0]
    for lang, expected in (
        ("en", f"kawasan {k}: {n} villages, {n // 10},{n % 10}00 ha, outside the run's size limits (at most 9 villages)"),
        ("id", f"kawasan {k}: {n} desa, {n // 10}.{n % 10}00 ha, di luar batas ukuran run (maks 9 desa)"),
    ):
        live = LiveCheck(run.desa, None, itbx=run.itbx, config=run.check_config, limits=run.limits, lang=lang)
        rules = [r["message"] for r in live.evaluate(merged, [k])[k].rules if r["rule"] == "batas_ukuran"]
        assert rules == [expected]
