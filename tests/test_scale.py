"""National runs on Dask (kawasan_gis.scale) on the bundled 20-kabupaten real set.

Real local clusters and real ``dask scheduler`` / ``dask worker`` processes, no mocks. The
class layers are the synthetic ones of kawasan_gis.datasets (deterministic by seed) at a low
density, and maps are off, to keep the runs short; one small run makes maps to test the
overview's links. Every figure compared between runs is compared whole (files, tables).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import warnings
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from kawasan_gis._atomic import OWNED, STAMP
from kawasan_gis.config import TableInput, load_config
from kawasan_gis.datasets import SyntheticOptions, build_synthetic, synthetic_layers, write_run_config
from kawasan_gis.indicators import UnmatchedRowsWarning
from kawasan_gis.pipeline import run, write_outputs
from kawasan_gis.scale import KabupatenFailed, run_national
from kawasan_gis.scale import national
from kawasan_gis.scale.national import idm_status, overview_map
from kawasan_gis.scale.partition import Partition, partition_inputs
from kawasan_gis.scale.records import settings_checksums
from kawasan_gis.scale.runner import run_kabupaten, submission_order

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
DESA = ROOT / "data" / "desa_lampung_gorontalo" / "desa_lampung_gorontalo.parquet"
IDM = ROOT / "data" / "idm2024" / "idm2024_lampung_gorontalo.csv"
PYTHON_ENV = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
KAWASAN = str(Path(sys.executable).with_name("kawasan"))
SMALL = ["1872", "7571"]  # 22 and 50 villages
# The cluster runs take the four smallest kabupaten/kota of the set (272 villages, both provinces,
# two kota) to keep `make test` short; KAWASAN_TEST_ALL_KABUPATEN=1 runs all 20 (~15 CPU-minutes).
ALL = os.environ.get("KAWASAN_TEST_ALL_KABUPATEN") == "1"
RUN = None if ALL else ["1872", "7571", "1812", "7504"]
LIGHT = SyntheticOptions(seed=7, landuse_per_village=4, rtrw_per_village=2, vertices=16)


@pytest.fixture(scope="module")
def layers(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return build_synthetic(DESA, tmp_path_factory.mktemp("sintetis"), options=LIGHT)


def write_config(folder: Path, *, villages: Path = DESA, layers: tuple[Path, Path]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return write_run_config(folder / "nasional.toml", villages, layers, IDM, name="Uji Nasional")


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory, layers: tuple[Path, Path]) -> Path:
    """The 20 kabupaten on a local cluster of 2 workers."""
    folder = tmp_path_factory.mktemp("dua")
    cfg = load_config(write_config(folder, layers=layers))
    result = run_national(cfg, folder / "hasil", workers=2, maps=False, only=RUN)
    assert len(result.finished) == (20 if ALL else len(RUN)) and not result.failed
    return folder / "hasil"


def national_tables(out: Path) -> dict[str, pd.DataFrame]:
    """Everything a run's figures live in, read back (timings and worker names dropped)."""
    tables = {"nasional": pd.read_csv(out / "nasional.csv", dtype=str).drop(columns=["detik"])}
    for layer in ("desa", "kawasan"):
        frame = gpd.read_parquet(out / layer)
        frame = frame.sort_values(["kode_kab", "kode_desa" if layer == "desa" else "kawasan_id"]).reset_index(drop=True)
        frame["wkb"] = shapely.to_wkb(frame.geometry.values, hex=True)
        tables[layer] = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    for folder in sorted((out / "kabupaten").iterdir()):
        for name in ("desa.csv", "kawasan.csv"):
            tables[f"{folder.name}/{name}"] = pd.read_csv(folder / name, dtype=str)
    return tables


def numeric(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns that hold numbers as numbers, the others as read."""
    out = frame.copy()
    for col in out.columns:
        try:
            out[col] = pd.to_numeric(out[col])
        except ValueError:
            pass
    return out


def assert_same_tables(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert sorted(a) == sorted(b)
    for key in a:
        pd.testing.assert_frame_equal(a[key], b[key], check_exact=True, obj=key)


# --------------------------------------------------------------------------- no cluster


def test_idm_status_follows_the_published_status() -> None:
    """Statuses from the Permendesa thresholds equal the ones Kemendesa published, desa by desa."""
    idm = pd.read_csv(IDM, dtype={"kode_desa": str})
    scored = idm.dropna(subset=["idm_2024"])
    ours = idm_status(scored["idm_2024"]).str.replace("_", " ").str.upper()
    assert len(scored) >= 3000
    assert (ours.to_numpy() == scored["status_2024"].to_numpy()).all()


def test_synthetic_layers_are_deterministic_and_cover_the_villages() -> None:
    desa = gpd.read_parquet(DESA)
    small = desa[desa["kode_desa_10"].str[:4].isin(SMALL)]
    lu1, rtrw1 = synthetic_layers(small, options=LIGHT)
    lu2, _ = synthetic_layers(small, options=LIGHT)
    assert shapely.equals_exact(lu1.geometry.values, lu2.geometry.values, tolerance=0).all()
    assert (lu1["penggunaan_lahan"].to_numpy() == lu2["penggunaan_lahan"].to_numpy()).all()
    # about the asked number of polygons per village (seeds are drawn inside the villages)
    assert 3.5 <= len(lu1) / len(small) <= 5
    assert 1.5 <= len(rtrw1) / len(small) <= 2.5
    # the cells tile the land: measured in metres, every village is covered (no gaps)
    utm = small.estimate_utm_crs()
    union = shapely.union_all(lu1.to_crs(utm).geometry.values)
    villages = small.to_crs(utm).geometry.values
    covered = shapely.area(shapely.intersection(villages, union)) / shapely.area(villages)
    assert covered.min() > 0.999
    # and do not overlap: the cells' areas add up to the area of their union
    assert abs(float(shapely.area(lu1.to_crs(utm).geometry.values).sum()) - union.area) < 1e-6 * union.area


def test_partition_splits_by_kabupaten(tmp_path: Path, layers: tuple[Path, Path]) -> None:
    cfg = load_config(write_config(tmp_path, layers=layers))
    cfg = replace(cfg, inputs=replace(cfg.inputs, idm=TableInput(path=IDM)))  # read whole by every kabupaten
    parts = partition_inputs(cfg, tmp_path / "masukan")
    counts = {p.kode_kab: p.n_desa for p in parts}
    # inputs that are not split reach every kabupaten as given, and their checksums decide a rerun
    assert all(p.config.inputs.idm == cfg.inputs.idm for p in parts)
    assert settings_checksums(cfg, maps=False)[str(IDM)] == hashlib.sha256(IDM.read_bytes()).hexdigest()
    # SOURCE.md: 3,287 villages in 20 kabupaten/kota, 22 to 311 each, Lampung Timur 264
    assert len(parts) == 20 and sum(counts.values()) == 3287
    assert min(counts.values()) == 22 and max(counts.values()) == 311 and counts["1807"] == 264
    desa = gpd.read_parquet(DESA)
    landuse = gpd.read_parquet(layers[0])
    # independently of the splitter: the land-use polygons meeting a kabupaten's villages (sjoin)
    hits = gpd.sjoin(landuse, desa.assign(kab=desa["kode_desa_10"].str[:4])[["kab", "geometry"]], predicate="intersects")
    for p in parts:
        part = gpd.read_parquet(p.folder / "landuse.parquet")
        expected = landuse.loc[sorted(set(hits.index[hits["kab"] == p.kode_kab]))]
        assert shapely.equals_exact(part.geometry.values, expected.geometry.values, tolerance=0).all(), p.kode_kab
        table = pd.read_csv(p.folder / "tabel.csv", dtype=str)
        assert table["kode_desa"].str[:4].eq(p.kode_kab).all()
    # each part's size, for the submission order
    for p in parts[:3]:
        assert p.nbytes == sum(os.path.getsize(f) for f in p.folder.iterdir())
    # a second split with the same inputs reads nothing and rewrites nothing
    stamp = {f: f.stat().st_mtime_ns for f in (tmp_path / "masukan").rglob("*.parquet")}
    again = partition_inputs(cfg, tmp_path / "masukan")
    assert [p.checksums for p in again] == [p.checksums for p in parts]
    assert stamp == {f: f.stat().st_mtime_ns for f in (tmp_path / "masukan").rglob("*.parquet")}



def test_split_is_redone_only_when_the_parts_would_change(tmp_path: Path, layers: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings that shape each kabupaten's run, a moved input or a touched file keep the split; new bytes or a filter redo it."""
    import kawasan_gis.scale.partition as partition

    cfg = load_config(write_config(tmp_path, layers=layers))
    folder = tmp_path / "masukan"
    first = partition_inputs(cfg, folder)
    (tmp_path / "metro_landuse.parquet").write_bytes((folder / "1872" / "landuse.parquet").read_bytes())
    stamps = {f: f.stat().st_mtime_ns for f in folder.rglob("*.parquet")}

    def untouched() -> bool:
        return stamps == {f: f.stat().st_mtime_ns for f in folder.rglob("*.parquet")}

    hashed: list[Path] = []
    real_sha = partition.sha256_file
    monkeypatch.setattr(partition, "sha256_file", lambda p: hashed.append(Path(p)) or real_sha(p))
    # the same inputs again: nothing re-read, not even to hash the 2.5 GB of a national land use
    partition_inputs(cfg, folder)
    assert untouched() and hashed == []

    # class column, mapping, method, zone size and outputs shape the runs (restart records), not the parts
    moved = tmp_path / "lain" / "penggunaan_lahan.parquet"
    moved.parent.mkdir()
    moved.write_bytes(layers[0].read_bytes())
    inputs = replace(cfg.inputs, landuse=replace(cfg.inputs.landuse, path=moved, column="tema", mapping=tmp_path / "peta.toml"))
    other = replace(
        cfg,
        inputs=inputs,
        proposal=replace(cfg.proposal, max_villages=7),
        outputs=replace(cfg.outputs, xlsx=True),
    )
    again = partition_inputs(other, folder)
    assert untouched() and [p.checksums for p in again] == [p.checksums for p in first]
    assert all(p.config.inputs.landuse.path == folder / p.kode_kab / "landuse.parquet" for p in again)
    # a touched file (same bytes, new time) is hashed again and still keeps the split
    hashed.clear()
    os.utime(moved, ns=(time.time_ns(), time.time_ns()))
    partition_inputs(other, folder)
    assert untouched() and hashed == [moved]

    # new bytes in the land use: split again, and only the parts that hold the changed polygon change
    landuse = gpd.read_parquet(layers[0])
    changed = tmp_path / "berubah.parquet"
    landuse.iloc[1:].to_parquet(changed)
    desa = gpd.read_parquet(DESA)
    touched = set(desa.loc[desa.intersects(landuse.geometry.iloc[0]), "kode_desa_10"].str[:4])
    redone = partition_inputs(replace(cfg, inputs=replace(cfg.inputs, landuse=replace(cfg.inputs.landuse, path=changed))), folder)
    assert not untouched()
    assert {p.kode_kab for p, q in zip(redone, first, strict=True) if p.checksums != q.checksums} == touched and touched

    # a village filter changes which kabupaten there are; a land use read through GDAL (GeoPackage,
    # filtered) is split like the GeoParquet one
    metro = replace(cfg.inputs.villages, where="kode_kab == '18.72'")
    gpkg = tmp_path / "penggunaan_lahan.gpkg"
    landuse.to_file(gpkg, driver="GPKG")
    filtered = replace(cfg.inputs.landuse, path=gpkg, where="penggunaan_lahan <> 'tidak ada'")
    only = partition_inputs(replace(cfg, inputs=replace(cfg.inputs, villages=metro, landuse=filtered)), folder)
    assert [(p.kode_kab, p.n_desa) for p in only] == [("1872", 22)]
    from_gpkg = gpd.read_parquet(folder / "1872" / "landuse.parquet")
    from_parquet = gpd.read_parquet(tmp_path / "metro_landuse.parquet")
    assert from_gpkg.crs == from_parquet.crs and len(from_gpkg) == len(from_parquet) > 0
    assert shapely.equals_exact(from_gpkg.geometry.values, from_parquet.geometry.values, tolerance=0).all()
    assert (from_gpkg["penggunaan_lahan"].to_numpy() == from_parquet["penggunaan_lahan"].to_numpy()).all()

def test_a_job_uses_its_share_of_the_cores_and_no_more(tmp_path: Path, layers: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """The job of Kota Metro, run in this process as if 2 jobs shared the machine: no pool of
    kawasan_gis larger than its share (spied on ThreadPoolExecutor), and its record says so."""
    import concurrent.futures

    cores = len(os.sched_getaffinity(0))
    share = max(1, cores // 2)
    made: list[int] = []
    real = concurrent.futures.ThreadPoolExecutor.__init__

    def spy(self, max_workers=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        if kwargs.get("thread_name_prefix", "").startswith("kawasan_gis") or "kawasan_gis" in sys._getframe(1).f_code.co_filename:
            made.append(max_workers)
        real(self, max_workers, *args, **kwargs)

    cfg = load_config(write_config(tmp_path, layers=layers))
    part = next(p for p in partition_inputs(cfg, tmp_path / "masukan") if p.kode_kab == "1872")
    monkeypatch.setattr(concurrent.futures.ThreadPoolExecutor, "__init__", spy)
    record = run_kabupaten(part, tmp_path / "hasil", settings=settings_checksums(cfg, maps=True), maps=True, slots={"127.0.0.1": 2})
    assert record["status"] == "selesai" and record["utas"] == share
    assert made and max(made) <= share, made
    # told of no other job, the job takes every core
    assert run_kabupaten(part, tmp_path / "lagi", settings=settings_checksums(cfg, maps=True), maps=False)["utas"] == cores


def test_jobs_of_two_local_workers_share_the_cores(two_workers: Path) -> None:
    cores = len(os.sched_getaffinity(0))
    used = {json.loads(p.read_text(encoding="utf-8"))["utas"] for p in (two_workers / "selesai").glob("*.json")}
    assert used == {max(1, cores // 2)}


def test_largest_parts_are_submitted_first(tmp_path: Path, layers: tuple[Path, Path]) -> None:
    """Longest-processing-time first by the bytes of the parts, which follow the run time better than villages."""
    cfg = load_config(write_config(tmp_path, layers=layers))
    sizes = {"1872": (22, 9_000), "1813": (118, 900_000), "1802": (311, 700_000), "7571": (50, 9_000)}
    parts = [Partition(k, k, k[:2], "", n, tmp_path, cfg, {}, b) for k, (n, b) in sizes.items()]
    assert [p.kode_kab for p in submission_order(parts)] == ["1813", "1802", "7571", "1872"]


def test_overview_escapes_names_and_links_to_kabupaten() -> None:
    kab = gpd.GeoDataFrame(
        {
            "kode_kab": ["1872"],
            "nama_kab": ['<img src=x onerror="alert(1)">'],
            "status": ["selesai"],
            "n_desa": [22],
            "n_kawasan": [3],
            "pct_desa_dalam_kawasan": [50.0],
            "peta": ["kabupaten/1872_kota_metro/peta_kawasan.html"],
            "laporan": ["kabupaten/1872_kota_metro/laporan.html"],
        },
        geometry=[shapely.box(105.2, -5.2, 105.4, -5.0)],
        crs=4326,
    )
    kawasan = gpd.GeoDataFrame({"nama": ["<b>K01</b>"], "nama_kab": ["Metro"], "potensi": ["permukiman"]}, geometry=[shapely.box(105.25, -5.15, 105.3, -5.1)], crs=4326)
    page = overview_map(kab, kawasan).get_root().render()
    # names reach the page as HTML entities (inside JSON), so the browser shows them as text
    assert "<img src=x" not in page and "<b>K01</b>" not in page
    assert "\\u0026lt;img src=x" in page and "\\u0026lt;b\\u0026gt;K01" in page
    # the links are properties of the kabupaten; the popup makes them (tests/test_scale_browser.py)
    assert '"peta":"kabupaten/1872_kota_metro/peta_kawasan.html","laporan":"kabupaten/1872_kota_metro/laporan.html"' in page


def test_overview_draws_an_outline_that_crosses_itself() -> None:
    # found on the whole country: kabupaten 7104's outline crosses itself and GEOS refused to
    # snap it to the overview's grid, ending the national run after every kabupaten was done
    bowtie = shapely.Polygon([(105.0, -5.0), (105.2, -4.8), (105.2, -5.0), (105.0, -4.8)])
    kab = gpd.GeoDataFrame({"kode_kab": ["7104"], "nama_kab": ["Kepulauan Talaud"], "status": ["selesai"], "n_desa": [153],
                            "n_kawasan": [2], "pct_desa_dalam_kawasan": [40.0], "peta": [""], "laporan": [""]},
                           geometry=[bowtie], crs=4326)
    kawasan = gpd.GeoDataFrame({"nama": ["K01"], "nama_kab": ["Kepulauan Talaud"], "potensi": ["perikanan"]},
                               geometry=[shapely.box(105.05, -4.95, 105.1, -4.9)], crs=4326)
    page = overview_map(kab, kawasan).get_root().render()
    assert "Kepulauan Talaud" in page
    # both triangles of the bow tie are drawn: 0.02 square degrees in all
    drawn = json.loads(national._geojson(kab, national.OVERVIEW_KAB_TOLERANCE_DEG, [{}]))["features"]
    assert shapely.area(shapely.from_geojson(json.dumps(drawn[0]["geometry"]))) == pytest.approx(0.02, rel=1e-3)


def test_national_outlines_are_valid_and_without_sliver_holes() -> None:
    """Found on the whole country: 507 of 514 record outlines were invalid (their WKT rounded to
    5 decimals) and 78 % of their vertices were sliver holes between villages."""
    from types import SimpleNamespace

    # four 2 km villages around a 4 m x 4 m gap (a sliver the union keeps as a hole), one with a
    # 500 m enclave (a kota inside its kabupaten: kept)
    x0, y0 = 500_000.0, 9_400_000.0
    cells = [shapely.box(x0 + i * 2000, y0 + j * 2000, x0 + (i + 1) * 2000, y0 + (j + 1) * 2000) for i in range(2) for j in range(2)]
    gap = shapely.box(x0 + 1998, y0 + 1998, x0 + 2002, y0 + 2002)
    enclave = shapely.box(x0 + 500, y0 + 500, x0 + 1000, y0 + 1000)
    villages = gpd.GeoDataFrame(geometry=[c.difference(gap) for c in cells[1:]] + [cells[0].difference(gap).difference(enclave)],
                                crs=32748)
    assert shapely.get_num_interior_rings(shapely.union_all(villages.geometry.values)) == 2  # the sliver and the enclave
    wkt = national.outline_wkt(SimpleNamespace(villages=villages))
    outline = shapely.from_wkt(wkt)
    assert outline.is_valid and not re.search(r"\.\d{6,}", wkt)
    assert shapely.get_num_interior_rings(shapely.get_parts(outline)).tolist() == [1]  # the enclave alone
    expected = shapely.area(gpd.GeoSeries([enclave], crs=32748).to_crs(4326).iloc[0])  # square degrees, as the outline
    assert shapely.polygons(shapely.get_interior_ring(shapely.get_parts(outline)[0], 0)).area == pytest.approx(expected, rel=0.02)
    # records written before: a bow tie (invalid) is mended into its two triangles, a missing
    # outline (a kabupaten not done) stays missing
    bowtie = "POLYGON ((105 -5, 105.2 -4.8, 105.2 -5, 105 -4.8, 105 -5))"
    mended = national.record_outlines([bowtie, None])
    assert mended[1] is None and mended[0].is_valid and mended[0].area == pytest.approx(0.02, rel=1e-9)


def test_overview_keeps_a_kawasan_smaller_than_its_tolerance() -> None:
    """A 50 m kawasan (under the 0.002-degree simplification) is drawn as the 0.001-degree cell it lies in."""
    tiny = shapely.box(105.1234, -5.0016, 105.1238, -5.0012)
    frame = gpd.GeoDataFrame({"nama": ["K01", "K02"]}, geometry=[tiny, shapely.box(105.2, -5.1, 105.3, -5.0)], crs=4326)
    drawn = json.loads(national._geojson(frame, national.OVERVIEW_KAWASAN_TOLERANCE_DEG, [{"nama": "K01"}, {"nama": "K02"}]))["features"]
    assert [f["properties"]["nama"] for f in drawn] == ["K01", "K02"]
    cell = shapely.from_geojson(json.dumps(drawn[0]["geometry"]))
    assert cell.bounds == pytest.approx((105.123, -5.002, 105.124, -5.001)) and cell.covers(tiny)


# --------------------------------------------------------------------------- local cluster


def test_two_workers_equal_plain_single_runs(two_workers: Path, tmp_path: Path, layers: tuple[Path, Path]) -> None:
    """A kabupaten of the national run = `kawasan run` of that kabupaten alone on the whole layers."""
    out = two_workers
    table = pd.read_csv(out / "nasional.csv", dtype={"kode_kab": str})
    villages = gpd.read_parquet(DESA)
    expected = villages if ALL else villages[villages["kode_desa_10"].str[:4].isin(RUN)]
    assert (table["status"] == "selesai").all() and table["n_desa"].sum() == len(expected)
    # villages placed = rows of the national desa layer with a kawasan, per kabupaten
    desa = gpd.read_parquet(out / "desa")
    assert sorted(desa["kode_desa"]) == sorted(expected["kode_desa_10"]) and desa.crs.to_epsg() == 4326
    placed = desa.groupby("kode_kab")["kawasan_id"].count()
    assert (table.set_index("kode_kab")["desa_dalam_kawasan"] == placed.reindex(table["kode_kab"]).to_numpy()).all()
    # the IDM mix counts the desa of the bundled IDM table, status by status
    idm = pd.read_csv(IDM, dtype={"kode_desa": str})
    idm = idm[idm["kode_desa"].isin(set(villages["kode_desa_10"]))]  # IDM also lists desa the boundaries lack
    idm["kode_kab"] = idm["kode_desa"].str[:4]
    tuba = idm[idm["kode_kab"] == "1812"]["status_2024"].str.lower().str.replace(" ", "_").value_counts()
    row = table.set_index("kode_kab").loc["1812"]
    for status in ("mandiri", "maju", "berkembang", "tertinggal", "sangat_tertinggal"):
        assert row[f"idm_{status}"] == tuba.get(status, 0), status
    # the GeoPackage summary holds every kabupaten and every kawasan
    kab_layer = gpd.read_file(out / "nasional.gpkg", layer="kabupaten")
    assert len(kab_layer) == len(table) and len(gpd.read_file(out / "nasional.gpkg", layer="kawasan")) == table["n_kawasan"].sum()
    html = (out / "peta_nasional.html").read_text(encoding="utf-8")
    assert (out / "peta_nasional.html").stat().st_size < 20e6 and "Tulang Bawang Barat".upper() in html.upper()

    for kode in ("1872", "7571", "1812"):
        cfg = load_config(write_config(tmp_path, layers=layers))
        villages = replace(cfg.inputs.villages, where=f"kode_kab == '{kode[:2]}.{kode[2:]}'")
        cfg = replace(cfg, inputs=replace(cfg.inputs, villages=villages))
        with warnings.catch_warnings():
            # the whole IDM table has rows of the other kabupaten, and says so
            warnings.simplefilter("ignore", UnmatchedRowsWarning)
            single = run(cfg)
        plain = write_outputs(single, tmp_path / kode, maps=False)
        folder = next((out / "kabupaten").glob(f"{kode}_*"))
        for name in ("desa.csv", "kawasan.csv"):
            whole = pd.read_csv(plain / name, dtype=str, keep_default_na=False)
            split = pd.read_csv(folder / name, dtype=str, keep_default_na=False)
            # the whole layers have classes this kabupaten lacks: the plain run lists them as 0 ha
            extra = [c for c in whole.columns if c not in split.columns]
            assert set(split.columns) <= set(whole.columns)
            assert whole[extra].isin(["0.0", "0", ""]).all().all(), f"{kode} {name}: {extra}"
            # figures agree to the last bits of a double: sums over more columns or more polygons
            # round differently (the largest difference seen: 2e-12 ha of 'unmapped' sliver area)
            pd.testing.assert_frame_equal(
                numeric(whole[list(split.columns)]),
                numeric(split),
                check_exact=False, rtol=1e-12, atol=1e-9, obj=f"{kode} {name}",
            )  # fmt: skip


def overview_layers(page: str) -> list[tuple[dict, str]]:
    """The data of each GeoJSON layer of an overview page, parsed and as written."""
    found = []
    for match in re.finditer(r"L\.geoJson\(", page):
        data, end = json.JSONDecoder().raw_decode(page, match.end())
        found.append((data, page[match.end() : end]))
    return found


def test_overview_is_compact_and_follows_the_outlines(two_workers: Path) -> None:
    """The overview of the bundled kabupaten: JSON without spaces, a 0.001-degree grid, a few
    properties per feature, each kabupaten drawn close to its outline (nasional.gpkg)."""
    page = (two_workers / "peta_nasional.html").read_text(encoding="utf-8")
    (kab, kab_text), (kaw, kaw_text) = overview_layers(page)
    table = pd.read_csv(two_workers / "nasional.csv", dtype={"kode_kab": str})
    assert len(kab["features"]) == len(table) and len(kaw["features"]) == table["n_kawasan"].sum()
    assert {k for f in kab["features"] for k in f["properties"]} == {"nama", "kode", "status", "desa", "kawasan", "pct", "peta", "laporan", "warna"}
    assert {k for f in kaw["features"] for k in f["properties"]} == {"nama", "kab", "potensi"}
    for text in (kab_text, kaw_text):
        assert ", " not in text and ": " not in text
    for layer in (kab, kaw):
        xy = np.concatenate([shapely.get_coordinates(shapely.from_geojson(json.dumps(f["geometry"]))) for f in layer["features"]])
        assert np.abs(xy * 1000 - np.round(xy * 1000)).max() < 1e-6  # on the 0.001-degree grid
    outlines = gpd.read_file(two_workers / "nasional.gpkg", layer="kabupaten").set_index("kode_kab").geometry
    for feature in kab["features"]:
        drawn = shapely.from_geojson(json.dumps(feature["geometry"]))
        outline = outlines[feature["properties"]["kode"]]
        # within the simplification tolerance (0.005) and the grid (half a diagonal) of the outline
        assert drawn.buffer(0.006).covers(outline.buffer(-0.006)) and outline.buffer(0.006).covers(drawn), feature["properties"]["nama"]
        assert drawn.area == pytest.approx(outline.area, rel=0.03)
    # about 17 bytes a vertex ("[105.123,-5.123],"): the data is what the page weighs
    vertices = sum(len(shapely.get_coordinates(shapely.from_geojson(json.dumps(f["geometry"])))) for f in kab["features"] + kaw["features"])
    assert (len(kab_text) + len(kaw_text)) / vertices < 20


def test_killed_run_restarts_with_one_worker_and_equal_output(two_workers: Path, tmp_path: Path, layers: tuple[Path, Path]) -> None:
    """Kill a 1-worker run midway, run it again: finished kabupaten are kept, the output equals 2 workers'."""
    villages = DESA
    if not ALL:  # the command line runs every kabupaten of its villages: give it those of RUN
        villages = tmp_path / "desa.parquet"
        desa = gpd.read_parquet(DESA)
        desa[desa["kode_desa_10"].str[:4].isin(RUN)].to_parquet(villages)
    config = write_config(tmp_path, villages=villages, layers=layers)
    out = tmp_path / "hasil"
    cmd = [KAWASAN, "run", str(config), "--out", str(out), "--workers", "1", "--no-maps"]
    proc = subprocess.Popen(cmd, env=PYTHON_ENV, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while len(list((out / "selesai").glob("*.json"))) < 2:
            assert proc.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, "no kabupaten finished in 300 s"
            time.sleep(0.5)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the client, the scheduler and the worker, at once
        proc.wait(timeout=30)
    kept = {p.stem: p.read_text(encoding="utf-8") for p in (out / "selesai").glob("*.json")}
    total = 20 if ALL else len(RUN)
    # one worker alone: its jobs use every core of the machine
    assert {json.loads(text)["utas"] for text in kept.values()} == {len(os.sched_getaffinity(0))}
    assert 2 <= len(kept) < total

    cfg = load_config(config)
    result = run_national(cfg, out, workers=1, maps=False)
    assert sorted(result.skipped) == sorted(kept)
    assert len(result.finished) == total - len(kept)
    assert {k: (out / "selesai" / f"{k}.json").read_text(encoding="utf-8") for k in kept} == kept
    leftovers = [p for p in out.rglob(".*") if p.name not in (STAMP, OWNED)]
    assert not leftovers, "a temporary of the killed run was left behind"
    assert_same_tables(national_tables(out), national_tables(two_workers))


def test_broken_kabupaten_fails_alone(tmp_path: Path, layers: tuple[Path, Path]) -> None:
    desa = gpd.read_parquet(DESA)
    two = desa[desa["kode_desa_10"].str[:4].isin(SMALL)].reset_index(drop=True)
    broken = two.copy()
    first = broken.index[broken["kode_desa_10"].str[:4] == "7571"][0]
    # one village of Kota Gorontalo carries its neighbour's code: a duplicate code in that kabupaten only
    broken.loc[first + 1, ["kode_desa", "kode_desa_10"]] = broken.loc[first, ["kode_desa", "kode_desa_10"]].to_numpy()
    villages = tmp_path / "desa.parquet"
    broken.to_parquet(villages)
    config = write_config(tmp_path, villages=villages, layers=layers)
    out = tmp_path / "hasil"
    cmd = [KAWASAN, "run", str(config), "--out", str(out), "--workers", "1", "--no-maps"]
    done = subprocess.run(cmd, env=PYTHON_ENV, capture_output=True, text=True, timeout=300)
    assert done.returncode == 4, done.stderr
    message = done.stderr
    assert "1 dari 2 kabupaten gagal" in message and "1 of 2 kabupaten failed" in message
    assert message.index("gagal") < message.index("failed")  # Indonesian first
    assert "7571" in message and str(broken.loc[first, "kode_desa_10"]) in message and "Traceback" not in message
    table = pd.read_csv(out / "nasional.csv", dtype=str).set_index("kode_kab")
    assert table.loc["7571", "status"] == "gagal" and (table.drop("7571")["status"] == "selesai").all()
    assert pd.read_csv(out / "gagal.csv", dtype=str)["kode_kab"].tolist() == ["7571"]

    # fixing the input reruns the failed kabupaten only
    two.to_parquet(villages)
    result = run_national(load_config(config), out, workers=1, maps=False)
    assert result.finished == ["7571"] and result.skipped == ["1872"]
    assert not (out / "gagal.csv").exists()


# --------------------------------------------------------------------------- external cluster


@pytest.fixture
def external_cluster(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A `dask scheduler` and a `dask worker`, each its own process (group), stopped afterwards."""
    dask = Path(sys.executable).with_name("dask")
    info = tmp_path / "scheduler.json"
    procs = [
        subprocess.Popen(
            [str(dask), "scheduler", "--scheduler-file", str(info), "--host", "127.0.0.1", "--port", "0", "--dashboard-address", ":0"],
            env=PYTHON_ENV, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ),
    ]  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not info.exists():
            assert time.monotonic() < deadline and procs[0].poll() is None, "dask scheduler did not start"
            time.sleep(0.2)
        procs.append(
            subprocess.Popen(
                [str(dask), "worker", "--scheduler-file", str(info), "--nworkers", "1", "--nthreads", "1", "--no-dashboard", "--name", "pekerja-uji"],
                env=PYTHON_ENV, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
        )  # fmt: skip
        address = json.loads(info.read_text())["address"]
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(1, timeout=60)
        yield address, procs[1]
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def test_external_scheduler(external_cluster, two_workers: Path, tmp_path: Path, layers: tuple[Path, Path]) -> None:  # type: ignore[no-untyped-def]
    import psutil

    address, worker = external_cluster
    cfg = load_config(write_config(tmp_path, layers=layers))
    out = tmp_path / "hasil"
    result = run_national(cfg, out, scheduler=address, maps=True, only=SMALL)
    assert sorted(result.finished) == SMALL
    # the jobs ran in the external worker's processes
    worker_pids = {worker.pid} | {c.pid for c in psutil.Process(worker.pid).children(recursive=True)}
    for kode in SMALL:
        record = json.loads((out / "selesai" / f"{kode}.json").read_text(encoding="utf-8"))
        assert int(record["pekerja"].rsplit(":", 1)[1]) in worker_pids
        ours = gpd.read_parquet(out / "desa" / f"provinsi={kode[:2]}" / f"kabupaten={kode}" / "desa.parquet")
        theirs = gpd.read_parquet(two_workers / "desa" / f"provinsi={kode[:2]}" / f"kabupaten={kode}" / "desa.parquet")
        pd.testing.assert_frame_equal(ours, theirs, check_exact=True)
    # the overview links to each kabupaten's own map and report, which exist
    table = pd.read_csv(out / "nasional.csv", dtype=str)
    html = (out / "peta_nasional.html").read_text(encoding="utf-8")
    for link in [*table["peta"], *table["laporan"]]:
        assert (out / link).exists() and link in html
