"""End to end: `kawasan run`, `init`, `propose` and `demo` on the bundled data (and the grid for fail_on), every output checked."""

from __future__ import annotations

import hashlib
import html
import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from shapely.geometry import box

from conftest import X0, Y0
from kawasan_gis import outputs, pipeline
from kawasan_gis.cli import cli
from kawasan_gis.config import load_config
from kawasan_gis.io import read_villages

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lamtim_run(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> tuple[pipeline.RunResult, Path]:
    out = tmp_path_factory.mktemp("run") / "hasil"
    result = pipeline.run(load_config(data_dir / "lampung_timur.toml"))
    pipeline.write_outputs(result, out)
    return result, out


def test_every_output_written(lamtim_run: tuple[pipeline.RunResult, Path]) -> None:
    _, out = lamtim_run
    expected = {
        "kawasan.gpkg", "kawasan.csv", "desa.csv", "kawasan.xlsx", "desa.geojson", "kawasan.geojson", "kawasan.kml",
        "peta_kawasan.html", "peta_kawasan.png", "laporan.html", "run.json",  # peta_kawasan.pdf only on request
        ".kawasan_gis",  # the stamp that lets a later run replace this folder
    }
    assert expected == {p.name for p in out.iterdir()}
    assert not list(out.parent.glob(".hasil-*"))  # no temporary folder left behind
    layers = {str(r[0]) for r in __import__("pyogrio").list_layers(out / "kawasan.gpkg")}
    assert layers == {"desa", "kawasan", "sambungan", "masalah", "konflik", "pusat", "pola_ruang", "bukti_pilar", "layer_styles"}
    # Lampung Timur's villages touch each other: no island bridge, and the empty layer still has
    # its line type (GDAL would write Unknown, which QGIS lists oddly)
    sambungan = __import__("pyogrio").read_info(out / "kawasan.gpkg", layer="sambungan")
    assert (sambungan["features"], sambungan["geometry_type"]) == (0, "LineString")
    # the profile evidence the studio re-profiles edited plans from: one row per village, the
    # IDM indices as the desa layer carries them
    bukti = __import__("pyogrio").read_dataframe(out / "kawasan.gpkg", layer="bukti_pilar").set_index("kode_desa")
    desa = gpd.read_file(out / "kawasan.gpkg", layer="desa").set_index("kode_desa")
    assert sorted(bukti.index) == sorted(desa.index)
    assert bukti["iks"].reindex(desa.index).equals(desa["iks"])


def test_demo_kawasan_carry_centres_and_pillars_from_idm(lamtim_run: tuple[pipeline.RunResult, Path], data_dir: Path) -> None:
    result, out = lamtim_run
    desa = gpd.read_file(out / "kawasan.gpkg", layer="desa")
    kawasan = gpd.read_file(out / "kawasan.gpkg", layer="kawasan").set_index("kawasan_id")
    pusat = gpd.read_file(out / "kawasan.gpkg", layer="pusat")
    # one primary centre per kawasan, a member village, its point inside the kawasan
    primary = pusat[pusat.peran == "utama"].set_index("kawasan_id")
    assert set(primary.index) == set(kawasan.index)
    member_of = desa.set_index("kode_desa").kawasan_id
    for kid, row in primary.iterrows():
        assert member_of[row.kode_desa] == kid and kawasan.loc[kid, "pusat_kode"] == row.kode_desa
        assert kawasan.geometry[kid].buffer(1).contains(row.geometry)
    assert kawasan.pusat_alasan.str.len().gt(20).all() and kawasan.pusat_alasan_en.str.contains("centre score").all()
    assert (kawasan.dasar_jarak == "jalan").all() and (kawasan.jarak_maks_pusat_km >= kawasan.jarak_rata_pusat_km).all()
    # pillars in [0, 1] or missing; IDM is given, so the IDM pillars are never missing
    for p in ("pemberdayaan", "infrastruktur", "sosial_ekonomi", "lingkungan_budaya"):
        v = kawasan[f"pilar_{p}"]
        assert v.dropna().between(0, 1).all()
    assert kawasan.pilar_pemberdayaan.notna().all() and kawasan.pilar_lingkungan_budaya.notna().all()
    # the IKS component equals the mean IKS of the members, read from the IDM file directly
    idm = pd.read_csv(data_dir / "idm2024" / "idm2024_lampung_timur_gorontalo.csv", dtype={"kode_desa": str}).set_index("kode_desa")
    profil = pd.read_excel(out / "kawasan.xlsx", sheet_name="profil").set_index("kawasan_id")
    iks = desa.dropna(subset=["kawasan_id"]).assign(iks_file=lambda d: d.kode_desa.map(idm.iks_2024)).groupby("kawasan_id").iks_file.mean()
    np.testing.assert_allclose(profil.komp_iks.sort_index(), iks.sort_index(), rtol=1e-9)
    # the status mix counts the members' official IDM status
    k1 = kawasan.index[0]
    official = desa.loc[desa.kawasan_id == k1, "kode_desa"].map(idm.status_2024).str.title().value_counts()
    assert all(f"{s} {n}" in kawasan.loc[k1, "status_idm"] for s, n in official.items())
    assert kawasan.pilar_terlemah.notna().all() and kawasan.fokus_program.str.contains(":").all()


def test_scalogram_tables_and_report(lamtim_run: tuple[pipeline.RunResult, Path]) -> None:
    result, out = lamtim_run
    sheets = pd.read_excel(out / "kawasan.xlsx", sheet_name=None)
    assert {"skalogram", "sentralitas", "pusat", "profil"} <= set(sheets)
    sc = sheets["skalogram"]
    h = result.centres.hierarchies["1807"]
    rows = sc[sc.kode_desa.notna()]
    assert len(rows) == 264
    # sorted as a scalogram: types present never increase down the table
    assert rows.jumlah_jenis.is_monotonic_decreasing
    # COR recomputed from the table's own 0/1 cells and error column: 1 - e / (N x K)
    types = list(h.scalogram.table.columns[: h.scalogram.n_types])
    cor_row = sc.loc[sc.nama_desa.astype(str).str.startswith("COR = "), "kesalahan"].iloc[0]
    assert cor_row == pytest.approx(1 - rows.kesalahan.sum() / (len(rows) * len(types)))
    # centrality: the weight row is 100 / (total units of the type)
    cen = sheets["sentralitas"]
    weights = cen.iloc[0]
    units = cen.iloc[1:]
    for t in types:
        assert weights[t] == pytest.approx(100 / units[t].sum())
    report = (out / "laporan.html").read_text(encoding="utf-8")
    assert report.count('<svg class="pillars"') == len(result.kawasan)
    assert "Skalogram: COR" in report and "tidak ada data" in report
    info = json.loads((out / "run.json").read_text(encoding="utf-8"))["pusat_dan_profil"]
    assert info["pilar"]["pemberdayaan"]["iks"] == "IDM: IKS"
    assert info["hierarki"]["1807"]["cor"] == pytest.approx(h.scalogram.cor)
    peta = (out / "peta_kawasan.html").read_text(encoding="utf-8")
    assert "kawasanGis.centre" in peta and "Pusat kawasan" in peta


def test_farm_villages_are_not_settlement_villages(lamtim_run: tuple[pipeline.RunResult, Path]) -> None:
    """Issue 12: in an agrarian kabupaten a village whose development room is mostly farm zoning is not
    dominated by settlement, and the reverse; shares summed here from the RTRW columns of the overlay."""
    result, _ = lamtim_run
    d = result.villages.set_index("kode_desa")

    def pct(*classes: str) -> pd.Series:
        return d[[f"pct_rtrw_{c}" for c in classes]].fillna(0.0).sum(axis=1)

    room = 100.0 - pct("unmapped", "hutan_lindung", "perlindungan_setempat", "taman_nasional")
    farm = pct("pertanian", "perkebunan") / room
    settlement = pct("permukiman", "permukiman_perdesaan") / room
    scored = d.status_potensi == "dinilai"
    agrarian = scored & (farm >= 0.6) & (settlement < 0.1)
    assert agrarian.sum() >= 50
    assert not (d.loc[agrarian, "potensi_dominan"] == "permukiman").any()
    assert (d.loc[agrarian, "potensi_dominan"] == "pertanian_unggulan").mean() >= 0.9
    settled = scored & (settlement >= 0.5)
    assert settled.sum() >= 10 and not (d.loc[settled, "potensi_dominan"] == "pertanian_unggulan").any()
    # peternakan: the bundled data hold no livestock evidence (no livestock zone in the RTRW, no land
    # cover, no livestock table): never scored, each indicator listed with its reason
    assert result.scores.skor_peternakan.isna().all()
    assert result.missing["peternakan.zonasi_peternakan"].text("en") == "not in the layer anywhere in 1807: not informative"


def test_every_village_accounted_for(lamtim_run: tuple[pipeline.RunResult, Path]) -> None:
    result, out = lamtim_run
    desa = gpd.read_file(out / "kawasan.gpkg", layer="desa")
    assert len(desa) == 264 and desa.kode_desa.is_unique
    # every village is in a kawasan, or says why not
    outside = desa[desa.kawasan_id.isna()]
    assert outside.alasan_tidak_masuk.notna().all()
    # the villages more than half kawasan lindung (hutan lindung, sempadan, Taman Nasional Way Kambas
    # in the bundled RTRW), summed here from the RTRW shares, get no development potential and stay out
    lindung = desa[["pct_rtrw_hutan_lindung", "pct_rtrw_perlindungan_setempat", "pct_rtrw_taman_nasional"]].fillna(0).sum(axis=1) > 50
    assert int(lindung.sum()) == 21
    assert (desa.status_potensi == "lindung").tolist() == lindung.tolist()
    assert desa.loc[lindung, "potensi_dominan"].isna().all() and desa.loc[lindung, "kawasan_id"].isna().all()
    assert desa.loc[lindung, "alasan_tidak_masuk"].str.startswith("sebagian besar kawasan lindung (").all()
    assert desa.kawasan_id.notna().sum() >= 250 - 21
    kawasan = gpd.read_file(out / "kawasan.gpkg", layer="kawasan")
    # n_desa and luas_ha of each kawasan recomputed independently from its villages
    members = desa.dropna(subset=["kawasan_id"]).groupby("kawasan_id")
    pd.testing.assert_series_equal(kawasan.set_index("kawasan_id").n_desa.sort_index(), members.size().rename("n_desa").sort_index(), check_dtype=False)
    # a kawasan's area is the union of its villages (overlaps counted once), as kawasan check measures it
    union = desa.dropna(subset=["kawasan_id"]).dissolve("kawasan_id").geometry.area / 1e4
    np.testing.assert_allclose(kawasan.set_index("kawasan_id").luas_ha.sort_index(), union.sort_index(), rtol=1e-9)
    assert (members.kode_kab.nunique() == 1).all()  # UU 6/2014 Pasal 83: one kabupaten per kawasan
    assert (kawasan.n_desa >= 2).all() and (kawasan.n_desa <= 25).all()


def test_check_columns_and_conflicts_agree(lamtim_run: tuple[pipeline.RunResult, Path]) -> None:
    result, out = lamtim_run
    kawasan = gpd.read_file(out / "kawasan.gpkg", layer="kawasan")
    # the shares, as stored and shown (one decimal), add up to exactly 100.0; the hectares to luas_ha
    pct = kawasan[["pct_I", "pct_T", "pct_B", "pct_X", "pct_L", "pct_outside"]].sum(axis=1)
    assert (pct.round(9) == 100.0).all()
    ha = kawasan[["ha_I", "ha_T", "ha_B", "ha_X", "ha_L", "ha_outside"]].sum(axis=1)
    np.testing.assert_allclose(ha, kawasan.luas_ha, rtol=1e-12)
    assert set(kawasan.verdict) <= {"sesuai", "sesuai bersyarat", "tidak sesuai"}
    konflik = gpd.read_file(out / "kawasan.gpkg", layer="konflik")
    x = konflik[konflik.status == "X"].groupby("kawasan_id").luas_ha.sum()
    ha_x = kawasan.set_index("kawasan_id").ha_X
    np.testing.assert_allclose(x.reindex(ha_x.index, fill_value=0.0), ha_x, rtol=1e-6, atol=1e-6)
    # the conflict geometries carry the hectares they claim
    np.testing.assert_allclose(konflik.geometry.area / 1e4, konflik.luas_ha, rtol=1e-6)


def test_run_geopackage_opens_styled_in_qgis(lamtim_run: tuple[pipeline.RunResult, Path]) -> None:
    """Every layer of the real run's kawasan.gpkg loads its embedded default style in QGIS itself."""
    from qgis_probe import qgis_styles_seen, require_qgis

    from kawasan_gis.maps.styles import class_styles, potential_styles

    result, out = lamtim_run
    require_qgis()
    names = [str(r[0]) for r in __import__("pyogrio").list_layers(out / "kawasan.gpkg") if r[1] is not None]  # feature layers
    seen = qgis_styles_seen(out / "kawasan.gpkg", names)
    assert all(seen[n]["valid"] and seen[n]["loaded"] for n in names), seen
    # the villages by their dominant potential, or else as mostly kawasan lindung (Way Kambas)
    by_potential_or_lindung = """coalesce("potensi_dominan", if("status_potensi" = 'lindung', 'lindung', NULL))"""
    categorised = {"desa": by_potential_or_lindung, "kawasan": "potensi", "pola_ruang": "kelas", "konflik": "status", "pusat": "peran"}
    assert {n: (seen[n]["renderer"], seen[n].get("attr")) for n in categorised} == {n: ("categorizedSymbol", a) for n, a in categorised.items()}
    pola = {c["value"]: c["fill"][:3] for c in seen["pola_ruang"]["categories"]}
    assert pola["taman_nasional"] == [155, 135, 255]  # official colour (DOMAIN.md table)
    assert set(pola) == set(result.layers["pola_ruang"]["kelas"])
    want = class_styles("rtrw", pola)
    assert pola == {k: [int(want[k].colour[i : i + 2], 16) for i in (1, 3, 5)] for k in pola}
    pots = potential_styles(result.config.project.lang, catalogue=result.catalogue)
    desa = {c["value"]: c["fill"][:3] for c in seen["desa"]["categories"] if c["value"] not in ("", "lindung")}
    assert set(desa) == set(result.villages["potensi_dominan"].dropna())
    fills = seen["desa"]["feature_fills"]  # in the layer's row order, as result.villages
    lindung = (result.villages["status_potensi"] == "lindung").to_numpy()
    assert lindung.sum() == 21 and {tuple(f[:3]) for f, on in zip(fills, lindung, strict=True) if on} == {(107, 144, 128)}
    assert desa == {k: [int(pots[k].colour[i : i + 2], 16) for i in (1, 3, 5)] for k in desa}
    assert seen["kawasan"]["label_field"] == "nama" and seen["kawasan"]["labels"]


def test_tables_match_layers(lamtim_run: tuple[pipeline.RunResult, Path]) -> None:
    _, out = lamtim_run
    csv = pd.read_csv(out / "kawasan.csv", dtype={"kawasan_id": str})
    gpkg = gpd.read_file(out / "kawasan.gpkg", layer="kawasan")
    assert csv.kawasan_id.tolist() == gpkg.kawasan_id.tolist()
    xlsx = pd.read_excel(out / "kawasan.xlsx", sheet_name=None)
    assert {"kawasan", "desa", "konflik", "aturan", "masalah", "kelas_pola_ruang"} <= set(xlsx)
    assert len(xlsx["desa"]) == 264
    # numbers stay numbers with a display format; the spreadsheet's locale sets the separators
    from openpyxl import load_workbook

    sheet = load_workbook(out / "kawasan.xlsx")["kawasan"]
    header = [c.value for c in sheet[1]]
    luas = sheet.cell(row=2, column=header.index("luas_ha") + 1)
    assert isinstance(luas.value, float) and luas.number_format == "#,##0.0"
    assert sheet.cell(row=2, column=header.index("n_desa") + 1).number_format == "#,##0"
    assert sheet.cell(row=2, column=header.index("nama") + 1).number_format == "General"
    geo = gpd.read_file(out / "kawasan.geojson")
    assert geo.crs.to_epsg() == 4326 and len(geo) == len(gpkg)
    kml = gpd.read_file(out / "kawasan.kml")
    assert len(kml) == len(gpkg) and kml.Name.tolist() == gpkg.nama.tolist()
    # the KML description in the run's number style: "permukiman; 7 desa; 5.216 ha" (thousands with a dot)
    import re

    for desc, (_, row) in zip(kml.description, gpkg.iterrows(), strict=True):
        assert re.fullmatch(rf"{row.potensi}; {row.n_desa} desa; \d{{1,3}}(\.\d{{3}})* ha", desc), desc
        assert int(desc.split("; ")[2][:-3].replace(".", "")) == round(row.luas_ha)


def test_run_json(lamtim_run: tuple[pipeline.RunResult, Path], data_dir: Path) -> None:
    _, out = lamtim_run
    info = json.loads((out / "run.json").read_text())
    assert {"kawasan_gis", "shapely", "geos", "gdal", "proj"} <= set(info["versions"])
    villages = data_dir / "rtrw_lampung_timur" / "desa_lampung_timur.gpkg"
    assert info["input_sha256"][str(villages.resolve())] == hashlib.sha256(villages.read_bytes()).hexdigest()
    # the IDM table and the RTRW centres layer feed the pillars and centres: a change to them shows here
    for extra in (data_dir / "idm2024" / "idm2024_lampung_timur_gorontalo.csv", data_dir / "rtrw_lampung_timur" / "konteks_lampung_timur.gpkg"):
        assert info["input_sha256"][str(extra.resolve())] == hashlib.sha256(extra.read_bytes()).hexdigest()
    assert info["config"]["proposal"]["method"] == "dominant"
    assert info["counts"]["desa"] == 264
    assert any("invalid geometries repaired" in w for w in info["perbaikan"])
    assert set(info["timings_s"]) >= {"menghitung indikator / computing indicators", "peta dan laporan / maps and report"}
    # no land use given: its indicators are listed as missing, not silently zero
    assert info["indikator_hilang"]["masukan.landuse"].startswith("tidak diberikan")


def test_repeatable_bit_for_bit(lamtim_run: tuple[pipeline.RunResult, Path], data_dir: Path) -> None:
    first, _ = lamtim_run
    again = pipeline.run(load_config(data_dir / "lampung_timur.toml"))
    cols = [c for c in first.villages.columns if c != "geometry"]
    pd.testing.assert_frame_equal(pd.DataFrame(first.villages[cols]), pd.DataFrame(again.villages[cols]))
    assert first.kawasan.geometry.geom_equals_exact(again.kawasan.geometry, tolerance=0).all()


def test_interrupted_write_leaves_nothing(lamtim_run: tuple[pipeline.RunResult, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result, _ = lamtim_run
    previous = tmp_path / "hasil"
    previous.mkdir()
    (previous / "lama.txt").write_text("hasil lama")
    (previous / ".kawasan_gis").write_text("{}")  # a folder an earlier run wrote

    def boom(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(outputs, "write_maps", boom)
    with pytest.raises(KeyboardInterrupt):
        pipeline.write_outputs(result, previous)
    assert [p.name for p in tmp_path.iterdir()] == ["hasil"]  # no temporary folder left
    assert sorted(p.name for p in previous.iterdir()) == [".kawasan_gis", "lama.txt"]  # previous results untouched
    monkeypatch.undo()

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    # a failure in the thread writing the tables (beside the maps) stops the run the same way
    monkeypatch.setattr(outputs, "write_xlsx", disk_full)
    with pytest.raises(OSError, match="disk penuh.*hasil sebelumnya .* tetap utuh"):
        pipeline.write_outputs(result, previous)
    assert [p.name for p in tmp_path.iterdir()] == ["hasil"]
    assert sorted(p.name for p in previous.iterdir()) == [".kawasan_gis", "lama.txt"]


def test_shapefile_export_has_documented_short_names(lamtim_run: tuple[pipeline.RunResult, Path], tmp_path: Path) -> None:
    result, _ = lamtim_run
    cfg = result.config
    from dataclasses import replace

    shp_result = replace(result, config=replace(cfg, outputs=replace(cfg.outputs, shapefile=True, kml=False, geojson=False)))
    out = pipeline.write_outputs(shp_result, tmp_path / "shp_out", maps=False)
    fields = pd.read_csv(out / "shp" / "FIELDS.csv")
    assert (fields.shapefile.str.len() <= 10).all()
    assert not fields.groupby("lapisan").shapefile.apply(lambda s: s.duplicated().any()).any()
    desa = gpd.read_file(out / "shp" / "desa.shp")
    assert {"KODE_DESA", "KAWASAN", "POTENSI"} <= set(desa.columns)
    assert desa.KODE_DESA.tolist() == result.villages.kode_desa.tolist()
    # long village lists are cut visibly, counted in FIELDS.csv, and kept whole in the CSV
    kawasan = gpd.read_file(out / "shp" / "kawasan.shp")
    long = result.kawasan.daftar_desa.str.encode("utf-8").str.len() > 254
    assert long.any()
    assert kawasan.loc[long.to_numpy(), "DAFTAR_DES"].str.endswith(" ...").all()
    note = fields.loc[(fields.lapisan == "kawasan") & (fields.kolom == "daftar_desa"), "catatan"].iloc[0]
    assert note.startswith(f"{int(long.sum())} nilai dipotong")


def _small_project(tmp_path: Path, data_dir: Path) -> Path:
    """Two kecamatan of Lampung Timur copied into a fresh folder, as a new user's own files."""
    desa = gpd.read_file(data_dir / "rtrw_lampung_timur" / "desa_lampung_timur.gpkg", layer="desa")
    small = desa[desa.nama_kec.isin(["Sukadana", "Labuhan Ratu"])]
    folder = tmp_path / "proyek"
    folder.mkdir()
    small[["kode_desa", "nama_desa", "nama_kec", "nama_kab", "geometry"]].to_file(folder / "desa.shp", engine="pyogrio")
    rtrw = gpd.read_file(data_dir / "rtrw_lampung_timur" / "rtrw_lampung_timur.gpkg")
    rtrw = rtrw[rtrw.intersects(small.union_all().buffer(0.01))]
    rtrw[["kelas", "geometry"]].to_file(folder / "pola_ruang.gpkg")
    return folder


def test_init_then_run_as_a_new_user(tmp_path: Path, data_dir: Path) -> None:
    folder = _small_project(tmp_path, data_dir)
    runner = CliRunner()
    konteks = data_dir / "rtrw_lampung_timur" / "konteks_lampung_timur.gpkg"
    res = runner.invoke(
        cli,
        ["init", str(folder), "--villages", str(folder / "desa.shp"), "--rtrw", str(folder / "pola_ruang.gpkg"),
         "--lines", f"jalan={konteks}:jalan", "--name", "Uji",
         "--idm", str(data_dir / "idm2024" / "idm2024_lampung_timur_gorontalo.csv"),
         "--centres", f"{konteks}:pusat_kegiatan", "--roads", "jalan", "--facility", "jalan=prasarana"],
        obj={},
    )
    assert res.exit_code == 0, res.output
    text = (folder / "kawasan.toml").read_text()
    assert 'villages = { path = "desa.shp" }' in text and 'rtrw = { path = "pola_ruang.gpkg" }' in text
    # data outside the project folder: a path relative to the config too (../..), never an absolute one
    assert 'path = "/' not in text and str(tmp_path) not in text
    jalan = text.split('jalan = { path = "')[1].split('"')[0]
    assert jalan.startswith("../") and (folder / jalan).resolve() == konteks.resolve()
    assert f'jalan = {{ path = "{jalan}", layer = "jalan" }}' in text
    assert 'roads = "jalan"' in text and 'facilities = { jalan = "prasarana" }' in text
    assert f'centres = {{ path = "{jalan}", layer = "pusat_kegiatan", column = "Fungsi" }}' in text
    res = runner.invoke(cli, ["-q", "run", str(folder / "kawasan.toml")], obj={})
    assert res.exit_code == 0, res.output
    out = folder / "hasil"
    assert (out / "peta_kawasan.html").exists() and (out / "laporan.html").exists()
    assert f"Peta: {out / 'peta_kawasan.html'}" in res.output
    desa = gpd.read_file(out / "kawasan.gpkg", layer="desa")
    assert len(desa) == len(read_villages(folder / "desa.shp", check_coverage=False))
    kawasan = gpd.read_file(out / "kawasan.gpkg", layer="kawasan")
    assert kawasan.pusat_nama.notna().all() and kawasan.pilar_pemberdayaan.notna().all()
    # init refuses to overwrite the user's config
    again = runner.invoke(cli, ["init", str(folder)], obj={})
    assert again.exit_code == 2 and "use --force" in again.output


def test_config_errors_listed_by_the_cli(tmp_path: Path) -> None:
    cfg = tmp_path / "k.toml"
    cfg.write_text("[inputs]\nvillages = 'nope.shp'\nrtrw = 'nope2.gpkg'\n[proposal]\nmethod = 'x'\n")
    res = CliRunner().invoke(cli, ["run", str(cfg)], obj={})
    assert res.exit_code == 2
    assert "3 problem(s)" in res.output and "nope.shp" in res.output and "nope2.gpkg" in res.output
    assert "Traceback" not in res.output
    assert not (tmp_path / "hasil").exists()


def _grid_project(folder: Path, grid: gpd.GeoDataFrame, *, planted: str | None, check: str) -> Path:
    """The 4 x 4 grid of 100 ha villages, all pola ruang pertanian; ``planted``: a zone of that class
    of 250 m x 400 m = 10 ha inside village 6 (pertahanan_keamanan: farming prohibited, X;
    taman_nasional: kawasan lindung, kept protected, L)."""
    folder.mkdir()
    grid.to_file(folder / "desa.gpkg", layer="desa")
    zones = [("pertanian", box(X0, Y0, X0 + 4000, Y0 + 4000))]
    if planted:
        zones.append((planted, box(X0 + 1200, Y0 + 1300, X0 + 1450, Y0 + 1700)))
    gpd.GeoDataFrame({"kelas": [k for k, _ in zones]}, geometry=[g for _, g in zones], crs=grid.crs).to_file(folder / "pola_ruang.gpkg")
    config = folder / "kawasan.toml"
    config.write_text(
        '[inputs]\nvillages = "desa.gpkg"\nrtrw = { path = "pola_ruang.gpkg", column = "kelas" }\n'
        f"[check]\n{check}\n[outputs]\nstatic_map = false\nkml = false\noffline_map = false\n",
        encoding="utf-8",
    )
    return config


@pytest.mark.parametrize(
    ("planted", "check", "lang", "code", "message"),
    [
        ("pertahanan_keamanan", 'fail_on = "prohibited"', "id", 3,
         "1 kawasan dengan luas dilarang (X) di atas toleransi 0,01 ha atau tidak tercakup RTRW: {k} (X 10,00 ha)"),
        (None, 'fail_on = "prohibited"', "id", 0, None),
        ("pertahanan_keamanan", 'fail_on = "prohibited"\ntoleransi_ha = 10.5', "id", 0, None),  # 10 ha at or below the tolerance
        ("pertahanan_keamanan", 'fail_on = "conditional"\ntoleransi_ha = 9.5', "en", 3,
         "1 kawasan with conditional (B) or prohibited (X) area above the 9.5 ha tolerance or not covered by the RTRW: {k} (X 10.00 ha)"),
        ("taman_nasional", 'fail_on = "conditional"', "id", 0, None),  # protected land kept (L) is no conflict
    ],
)
def test_run_fail_on(tmp_path: Path, grid: gpd.GeoDataFrame, planted: str | None, check: str, lang: str, code: int, message: str | None) -> None:
    config = _grid_project(tmp_path / "proyek", grid, planted=planted, check=check)
    out = tmp_path / "hasil"
    res = CliRunner().invoke(cli, ["-q", "run", str(config), "--out", str(out), "--lang", lang], obj={})
    assert res.exit_code == code, res.output
    desa = gpd.read_file(out / "kawasan.gpkg", layer="desa")  # outputs are written either way
    kawasan_of_village_6 = desa.set_index("kode_desa").loc["1807012006", "kawasan_id"]
    assert isinstance(kawasan_of_village_6, str)
    kawasan = gpd.read_file(out / "kawasan.gpkg", layer="kawasan").set_index("kawasan_id")
    # the hand figure: 10 ha of the planted zone in the kawasan of village 6, 0 elsewhere: X, or L for the park
    for status in ("X", "L"):
        here = planted is not None and (status == "L") == (planted == "taman_nasional")
        assert kawasan[f"ha_{status}"].to_dict() == pytest.approx({k: 10.0 if here and k == kawasan_of_village_6 else 0.0 for k in kawasan.index})
    text = " ".join(res.output.split())  # click may wrap the line
    if message:
        assert message.format(k=kawasan_of_village_6) in text
        assert str(out) in text  # where the outputs are
    else:
        assert "[check] fail_on" not in text


def test_print_map_pdf_only_on_request(tmp_path: Path, grid: gpd.GeoDataFrame) -> None:
    """The print map is a PNG; its PDF only with --pdf or [outputs] pdf = true, and the same page then."""
    config = _grid_project(tmp_path / "proyek", grid, planted=None, check='fail_on = "never"')
    config.write_text(config.read_text(encoding="utf-8").replace("static_map = false", "static_map = true"), encoding="utf-8")
    runs = {"plain": ([], ""), "flag": (["--pdf"], ""), "config": ([], "pdf = true\n")}
    for name, (flags, extra) in runs.items():
        if extra:
            config.write_text(config.read_text(encoding="utf-8") + extra, encoding="utf-8")
        res = CliRunner().invoke(cli, ["-q", "run", str(config), "--out", str(tmp_path / name), *flags], obj={})
        assert res.exit_code == 0, res.output
        assert (tmp_path / name / "peta_kawasan.png").read_bytes().startswith(b"\x89PNG")
        assert b'<img src="data:image/png;base64,' in (tmp_path / name / "laporan.html").read_bytes()  # the report embeds the PNG either way
    assert not (tmp_path / "plain" / "peta_kawasan.pdf").exists()
    for name in ("flag", "config"):
        pdf = (tmp_path / name / "peta_kawasan.pdf").read_bytes()
        assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 1  # one A4 page
    assert json.loads((tmp_path / "config" / "run.json").read_text(encoding="utf-8"))["config"]["outputs"]["pdf"] is True


def test_propose_command(tmp_path: Path, data_dir: Path) -> None:
    folder = _small_project(tmp_path, data_dir)
    out = tmp_path / "usulan"
    res = CliRunner().invoke(
        cli,
        ["propose", "--villages", str(folder / "desa.shp"), "--rtrw", str(folder / "pola_ruang.gpkg"), "--method", "ward", "--n-zones", "2", "--out", str(out)],
        obj={},
    )
    assert res.exit_code == 0, res.output
    layers = {str(r[0]) for r in __import__("pyogrio").list_layers(out / "kawasan.gpkg")}
    assert layers == {"desa", "kawasan", "sambungan", "layer_styles"}
    kawasan = gpd.read_file(out / "kawasan.gpkg", layer="kawasan")
    assert len(kawasan) == 2
    assert pd.read_csv(out / "kawasan.csv").kawasan_id.tolist() == kawasan.kawasan_id.tolist()
    desa = gpd.read_file(out / "kawasan.gpkg", layer="desa")
    assert {"skor_pertanian_unggulan", "potensi_dominan", "kawasan_id", "dasar"} <= set(desa.columns)


def test_demo_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    monkeypatch.chdir(data_dir.parent)
    res = CliRunner().invoke(cli, ["-q", "demo", "--out", str(tmp_path / "demo")], obj={})
    assert res.exit_code == 0, res.output
    for name in ("lampung_timur", "gorontalo"):
        assert (tmp_path / "demo" / name / "peta_kawasan.html").exists()
    assert str((tmp_path / "demo" / "lampung_timur" / "peta_kawasan.html").resolve()) in res.output
    gor_kawasan = gpd.read_file(tmp_path / "demo" / "gorontalo" / "kawasan.gpkg", layer="kawasan")
    # Gorontalo has IDM and SMA but no roads: centres by straight-line distance, pillars from IDM
    assert gor_kawasan.pusat_kode.notna().all() and (gor_kawasan.dasar_jarak == "garis_lurus").all()
    assert gor_kawasan.pilar_pemberdayaan.notna().all() and gor_kawasan.pilar_pemberdayaan.between(0, 1).all()
    gor = gpd.read_file(tmp_path / "demo" / "gorontalo" / "kawasan.gpkg", layer="desa")
    # kelurahan are excluded in the Gorontalo config and say so
    assert (gor.loc[gor.jenis == "kelurahan", "kawasan_id"].isna()).all()
    # (a kelurahan with too little evidence for any potential says that first)
    kel = gor[gor.jenis == "kelurahan"]
    assert (kel.alasan_tidak_masuk.str.contains("kelurahan") | (kel.status_potensi != "dinilai")).all()
    # Gorontalo's land use covers ~8 %: the run warns that its evidence is thin and names what carried it
    info = json.loads((tmp_path / "demo" / "gorontalo" / "run.json").read_text(encoding="utf-8"))
    # run.json keeps both languages; the terminal of an Indonesian run shows Indonesian only
    # Gorontalo has no RTRW layer: the zoning was not checked, and that is said first
    assert info["peringatan"][0].startswith("Zonasi RTRW TIDAK diperiksa (tidak ada lapisan RTRW)")
    thin = [w for w in info["peringatan"] if w.startswith("bukti tipis: ")]
    assert len(thin) == 1 and " / thin evidence: " in thin[0]
    assert "tambak (" in thin[0] and "Peringatan: bukti tipis: " in res.output and "thin evidence" not in res.output


def test_landcover_raster_run(tmp_path: Path) -> None:
    """A WorldCover-coded raster over the grid: class shares exact, potentials scored from them."""
    import rasterio
    from conftest import X0, Y0, grid_villages
    from rasterio.transform import from_origin

    from kawasan_gis.config import parse_config
    from kawasan_gis.errors import ConfigError

    grid_villages(4).to_file(tmp_path / "desa.gpkg")
    # 100 m cells: left half cropland (40), right half built-up (50), one nodata row at the top
    data = np.where(np.arange(40)[None, :] < 20, 40, 50).astype("uint8").repeat(40, axis=0)
    data[0, :] = 0
    with rasterio.open(
        tmp_path / "lc.tif", "w", driver="GTiff", width=40, height=40, count=1, dtype="uint8",
        crs="EPSG:32748", transform=from_origin(X0, Y0 + 4000, 100, 100), nodata=0,
    ) as dst:
        dst.write(data, 1)
    raw = {"inputs": {"villages": "desa.gpkg", "landcover_raster": {"path": "lc.tif"}}}
    with pytest.raises(ConfigError, match="codes = 'klhk' or 'worldcover'"):
        parse_config(raw, base=tmp_path)
    raw["inputs"]["landcover_raster"]["codes"] = "worldcover"
    result = pipeline.run(parse_config(raw, base=tmp_path))
    ind = result.indicators
    # village 1 (south-west): all cropland; village 16 (north-east): built-up with its top 100 m row nodata
    assert ind.loc["1807012001", "ha_landcover_pertanian"] == pytest.approx(100.0)
    assert ind.loc["1807022016", "ha_landcover_permukiman"] == pytest.approx(90.0)
    assert ind.loc["1807022016", "ha_landcover_unmapped"] == pytest.approx(10.0)
    dom = result.scores.potensi_dominan
    assert dom.loc["1807012001"] == "pertanian_unggulan" and dom.loc["1807022016"] == "permukiman"
    kaw = result.kawasan.set_index("potensi")
    assert set(kaw.index) == {"pertanian_unggulan", "permukiman"} and (kaw.n_desa == 8).all()


def test_unknown_class_stops_with_a_template_then_runs(tmp_path: Path) -> None:
    """A local class name: the run stops (writing a mapping template only when given a folder);
    filled and named, it runs."""
    from conftest import X0, Y0, grid_villages
    from shapely.geometry import box

    from kawasan_gis.errors import ClassMappingError

    grid_villages(4).to_file(tmp_path / "desa.gpkg")
    zones = gpd.GeoDataFrame(
        {"NAMOBJ": ["Kawasan Peruntukan Pertanian", "Zona Misterius Lokal"]},
        geometry=[box(X0, Y0, X0 + 2000, Y0 + 4000), box(X0 + 2000, Y0, X0 + 4000, Y0 + 4000)],
        crs="EPSG:32748",
    )
    zones.to_file(tmp_path / "rtrw.gpkg")
    gpd.GeoDataFrame(geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000)], crs="EPSG:32748").to_file(tmp_path / "lp2b.gpkg")
    cfg = tmp_path / "kawasan.toml"
    cfg.write_text('[inputs]\nvillages = "desa.gpkg"\nrtrw = { path = "rtrw.gpkg" }\nlp2b = "lp2b.gpkg"\n[outputs]\nstatic_map = false\n')
    # the library call writes nothing: the folder is as it was, the error says how to make the template
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(ClassMappingError, match=r"Zona Misterius Lokal[\s\S]*--write-template pemetaan_pola_ruang.toml") as info:
        pipeline.run(load_config(cfg))
    assert sorted(p.name for p in tmp_path.iterdir()) == before and info.value.template is None
    # given a folder (as `kawasan run` gives the config's), the template is written there
    with pytest.raises(ClassMappingError, match=r"Zona Misterius Lokal[\s\S]*pemetaan_pola_ruang.toml[\s\S]*mapping = \"pemetaan_pola_ruang.toml\""):
        pipeline.run(load_config(cfg), template_dir=tmp_path)
    template = tmp_path / "pemetaan_pola_ruang.toml"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*before, template.name])
    assert template.exists()
    text = template.read_text()
    assert '"Zona Misterius Lokal" = ""' in text
    template.write_text(text.replace('"Zona Misterius Lokal" = ""', '"Zona Misterius Lokal" = "permukiman_perdesaan"'))
    cfg.write_text(cfg.read_text().replace('rtrw = { path = "rtrw.gpkg" }', 'rtrw = { path = "rtrw.gpkg", mapping = "pemetaan_pola_ruang.toml" }'))
    result = pipeline.run(load_config(cfg))
    ind = result.indicators
    assert ind.loc["1807012001", "pct_rtrw_pertanian"] == pytest.approx(100.0)
    assert ind.loc["1807012004", "pct_rtrw_permukiman_perdesaan"] == pytest.approx(100.0)
    assert result.mappings["pola_ruang"].set_index("raw").loc["Zona Misterius Lokal", "method"] == "user"
    assert result.check is not None and len(result.kawasan) >= 2


def test_a_fuzzy_zoning_match_runs_with_a_warning_naming_the_file_and_the_match(tmp_path: Path) -> None:
    """A misspelt pola ruang class is kept (matched by similarity) and listed in the run's warnings
    with the file, the raw value, the class and the score; `kawasan run` prints it."""
    from conftest import X0, Y0, grid_villages
    from shapely.geometry import box

    grid_villages(4).to_file(tmp_path / "desa.gpkg")
    zones = gpd.GeoDataFrame(
        {"NAMOBJ": ["Kawasan Peruntukan Pertanian", "Perkebunan Rakyatt"]},
        geometry=[box(X0, Y0, X0 + 2000, Y0 + 4000), box(X0 + 2000, Y0, X0 + 4000, Y0 + 4000)],
        crs="EPSG:32748",
    )
    zones.to_file(tmp_path / "rtrw.gpkg")
    cfg = tmp_path / "kawasan.toml"
    cfg.write_text('[inputs]\nvillages = "desa.gpkg"\nrtrw = { path = "rtrw.gpkg" }\n[outputs]\nstatic_map = false\n')
    result = pipeline.run(load_config(cfg))
    review = [a for a in result.alerts if "kemiripan ejaan" in a]
    path = tmp_path / "rtrw.gpkg"
    assert review == [
        f"{path}: 1 kelas pola ruang dicocokkan menurut kemiripan ejaan, periksa: 'Perkebunan Rakyatt' -> perkebunan_rakyat (97,1) / "
        f"{path}: 1 pola ruang class matched by spelling similarity, review: 'Perkebunan Rakyatt' -> perkebunan_rakyat (97.1)"
    ]
    # the report and the terminal show it in the run's language, the match in either
    assert review[0].text("id") == f"{path}: 1 kelas pola ruang dicocokkan menurut kemiripan ejaan, periksa: 'Perkebunan Rakyatt' -> perkebunan_rakyat (97,1)"
    # the east half (villages in columns 3 and 4) is perkebunan rakyat: 100 % of each such village
    assert result.indicators.loc["1807012004", "pct_rtrw_perkebunan_rakyat"] == pytest.approx(100.0)
    assert result.mappings["pola_ruang"].set_index("raw").loc["Perkebunan Rakyatt", "method"] == "fuzzy"


def test_run_stops_when_the_rtrw_covers_too_little(tmp_path: Path, grid: gpd.GeoDataFrame) -> None:
    """An RTRW of four 4 km strips 300, 350, 450 and 500 m wide, one across each row of 1 km villages:
    they cover 30-50 % of a village (so the villages' zoning differs and they can be scored) and
    40 % of the 16 together, below the 50 % default: exit 2 with the figure, no output."""
    folder = tmp_path / "proyek"
    folder.mkdir()
    grid.to_file(folder / "desa.gpkg", layer="desa")
    strips = [box(X0, Y0 + j * 1000, X0 + 4000, Y0 + j * 1000 + h) for j, h in enumerate((300, 350, 450, 500))]
    gpd.GeoDataFrame({"kelas": ["pertanian"] * 4}, geometry=strips, crs=grid.crs).to_file(folder / "pola_ruang.gpkg")
    config = folder / "kawasan.toml"
    config.write_text(
        '[inputs]\nvillages = "desa.gpkg"\nrtrw = { path = "pola_ruang.gpkg", column = "kelas" }\n'
        # zoning is the only evidence here: let it score, so the run reaches the RTRW check
        "[potentials]\nmin_weight_share = 0.0\nmin_evidence = 0.0\n"
        "[outputs]\nstatic_map = false\nkml = false\noffline_map = false\n",
        encoding="utf-8",
    )
    out = tmp_path / "hasil"
    res = CliRunner().invoke(cli, ["-q", "run", str(config), "--out", str(out)], obj={})
    assert res.exit_code == 2, res.output
    text = " ".join(res.output.split())
    assert "Lapisan RTRW hanya menutupi 40,0 % luas desa rencana" in text and "ambang 50 %" in text
    assert "covers only 40.0 %" in text and "pola_ruang.gpkg" in text
    assert not out.exists()
    # the same layer with the threshold lowered in the run config: the run goes on and warns with the figure
    config.write_text(config.read_text(encoding="utf-8") + "[check]\nmin_cakupan_rtrw_pct = 30\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["-q", "run", str(config), "--out", str(out)], obj={})
    assert res.exit_code == 0, res.output
    assert "Peringatan: Lapisan RTRW hanya menutupi 40,0 %" in res.output and "covers only" not in res.output
    assert any("40,0 %" in w for w in json.loads((out / "run.json").read_text(encoding="utf-8"))["peringatan"])


def test_every_verdict_other_than_sesuai_has_its_reason(lamtim_run: tuple[pipeline.RunResult, Path]) -> None:
    _, out = lamtim_run
    kawasan = gpd.read_file(out / "kawasan.gpkg", layer="kawasan")
    shown = kawasan[kawasan["verdict"] != "sesuai"]
    assert len(shown) > 0
    for row in shown.itertuples():
        assert row.alasan_verdict.startswith(f"{row.verdict}: ") and "> ambang" in row.alasan_verdict
        assert "> threshold" in row.alasan_verdict_en
    # each reason quotes the kawasan's own share: X above 5 % of its development room (the area
    # outside kawasan lindung kept) for "tidak sesuai", recomputed here from the hectares
    # or more than 50 % of the room outside the RTRW (the zoning cannot judge it)
    for row in kawasan[kawasan["verdict"] == "tidak sesuai"].itertuples():
        room = row.luas_ha - row.ha_L
        x = re.search(r"dilarang \(X\) (\d+,\d) %", row.alasan_verdict)
        luar = re.search(r"di luar RTRW (\d+,\d) % > ambang 50 %: zonasi RTRW tidak mencakup", row.alasan_verdict)
        assert x is not None or luar is not None, row.alasan_verdict
        if x is not None:
            assert float(x.group(1).replace(",", ".")) == pytest.approx(100 * row.ha_X / room, abs=0.051)
        if luar is not None:
            assert float(luar.group(1).replace(",", ".")) == pytest.approx(100 * row.ha_outside / room, abs=0.051)
            assert row.ha_outside / room > 0.5
    # no kawasan mostly protected land is sesuai, and it says why
    mostly = kawasan[kawasan["pct_L"] > 50]
    assert (mostly["verdict"] != "sesuai").all() and mostly["alasan_verdict"].str.contains("ruang kembang").all()
    report = (out / "laporan.html").read_text(encoding="utf-8")
    assert "Alasan putusan" in report and html.escape(shown["alasan_verdict"].iloc[0]) in report
    assert "Alasan putusan" in (out / "peta_kawasan.html").read_text(encoding="utf-8")


def _villages_and_one_point_layer(folder: Path, data_dir: Path, proposal: str, *, every_village: bool = False) -> Path:
    """The issue's case: only the Lampung Timur villages and one point layer (activity centres above
    village level, in 24 of 264 villages; ``every_village``: with the 'Ibukota Desa' point every village has)."""
    folder.mkdir()
    src = data_dir / "rtrw_lampung_timur"
    config = folder / "kawasan.toml"
    where = "" if every_village else ", where = \"KETERANGAN <> 'Ibukota Desa'\""
    config.write_text(
        f'[inputs]\nvillages = {{ path = "{src / "desa_lampung_timur.gpkg"}", layer = "desa" }}\n'
        f'[inputs.points]\npusat_kegiatan = {{ path = "{src / "konteks_lampung_timur.gpkg"}", layer = "pusat_kegiatan"{where} }}\n'
        f"[proposal]\n{proposal}\n[outputs]\nstatic_map = false\nkml = false\noffline_map = false\n",
        encoding="utf-8",
    )
    return config


def test_one_point_layer_no_longer_makes_one_giant_kawasan_silently(tmp_path: Path, data_dir: Path) -> None:
    # the case, without a limit: a point layer found in 24 of 264 villages is a sign where it is
    # and no evidence elsewhere, so the other villages are data kurang and no giant kawasan forms
    sparse = pipeline.run(load_config(_villages_and_one_point_layer(tmp_path / "jarang", data_dir, "max_villages = 0")))
    assert (sparse.scores.status_potensi == "dinilai").sum() == 24
    assert sparse.kawasan["n_desa"].max() <= 24
    # a point in every village (the 'Ibukota Desa' points too), without a limit (max_villages = 0): the
    # giant kawasan of the issue comes back, now with a warning
    config = _villages_and_one_point_layer(tmp_path / "tanpa_batas", data_dir, "max_villages = 0", every_village=True)
    result = pipeline.run(load_config(config))
    n_kab = len(result.villages)
    biggest = result.kawasan.sort_values("n_desa").iloc[-1]
    assert biggest["n_desa"] > 0.25 * n_kab
    assert any(f"kawasan {biggest['kawasan_id']} mencakup {biggest['n_desa']} dari {n_kab} desa" in w for w in result.alerts)
    pipeline.write_outputs(result, tmp_path / "hasil")
    assert json.loads((tmp_path / "hasil" / "run.json").read_text(encoding="utf-8"))["peringatan"] == result.alerts
    # the report of an Indonesian run shows the warning in Indonesian only
    page = (tmp_path / "hasil" / "laporan.html").read_text(encoding="utf-8")
    assert html.escape(result.alerts[0].text("id")) in page and html.escape(result.alerts[0].text("en")) not in page
    # the default limit: no kawasan above 25 villages; the warnings left are for kawasan with more
    # than a quarter of the kabupaten's 385,838 ha (the Way Kambas villages) or half its 24 kecamatan
    result = pipeline.run(load_config(_villages_and_one_point_layer(tmp_path / "bawaan", data_dir, "", every_village=True)))
    assert result.kawasan["n_desa"].max() <= 25
    k = result.kawasan
    wide = set(k.loc[(k["luas_ha"] > 0.25 * result.villages["luas_ha"].sum()) | (k["n_kecamatan"] > 12), "kawasan_id"])
    assert {w.split()[1] for w in result.alerts if "mencakup" in w} == wide
