"""Writing a run's results: the output folder of ``kawasan run``.

This module owns everything :func:`write_outputs` puts into a result folder, written
*atomically* (a temporary folder beside the destination, moved into place only when complete):
``kawasan.gpkg`` (layers ``desa``, ``kawasan``, ``sambungan``, ``masalah``, ``konflik``, ``pusat``
and the class layers, each with its default QGIS style from :mod:`kawasan_gis.maps.qgis`), ``kawasan.csv`` / ``desa.csv``, the ``kawasan.xlsx`` sheets (with the
scalogram, centrality, centre and profile tables of :func:`centre_tables`), GeoJSON, KML, the
Shapefile set with its short field names, the web and print maps, ``laporan.html`` and
``run.json`` (versions, config, input checksums, timings, counts, warnings).

Imports the steps it draws with (:mod:`kawasan_gis.maps`, :mod:`kawasan_gis.report`,
:mod:`kawasan_gis.centres` for the acceptance levels), :mod:`kawasan_gis.io`,
:mod:`kawasan_gis._atomic` and :mod:`kawasan_gis.config`; it reads a
:class:`kawasan_gis.pipeline.RunResult` but never imports :mod:`kawasan_gis.pipeline` at run time
(the pipeline imports this module, not the other way round).
"""

from __future__ import annotations

import json
import math
import platform
import shutil
import time
from concurrent.futures import Future, ThreadPoolExecutor
from collections.abc import Mapping
from dataclasses import asdict, fields, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from kawasan_gis import __version__
from kawasan_gis._atomic import atomic_folder, write_text
from kawasan_gis.config import RunConfig
from kawasan_gis.errors import DataSourceError
from kawasan_gis.i18n import column_decimals, excel_number_format, format_number
from kawasan_gis.io import LayerStyle, sha256_file, write_layers
from kawasan_gis.io.geometry import default_jobs

if TYPE_CHECKING:
    from kawasan_gis.helper_process import HelperProcess
    from kawasan_gis.pipeline import RunResult

__all__ = [
    "SHP_FIELDS",
    "STUDIO_RECORD",
    "centre_tables",
    "input_checksums",
    "shapefile_fields",
    "versions",
    "write_maps",
    "write_outputs",
    "write_proposal",
    "write_xlsx",
]

STUDIO_RECORD = "studio"
"""Sub-folder of a result where ``kawasan studio`` keeps versions and exports (kept across runs)."""


def input_checksums(config: RunConfig) -> dict[str, str]:
    """SHA-256 of every input file (shapefile sidecars included).

    Raises
    ------
    DataSourceError
        An input file is gone (deleted or moved while the run was going on).
    """
    paths: list[Path] = []
    inp = config.inputs
    for spec in [inp.villages, inp.rtrw, inp.landuse, inp.landcover_raster, inp.lp2b, inp.hazard, inp.centres, *inp.lines.values(), *inp.points.values()]:
        if spec is not None:
            paths.append(spec.path)
            if spec.path.suffix.lower() == ".shp":
                paths += sorted(p for p in spec.path.parent.glob(spec.path.stem + ".*") if p != spec.path)
    for table in (inp.table, inp.idm):
        if table is not None:
            paths += [p for p in (table.path, table.crosswalk) if p is not None]
    mappings = [spec.mapping for spec in (inp.rtrw, inp.landuse) if spec is not None]
    for extra in (*mappings, config.potentials.catalogue, config.check.matrix, config.source):
        if extra is not None:
            paths.append(extra)
    gone = [str(p) for p in dict.fromkeys(paths) if not p.is_file()]
    if gone:
        # run.json must name every input it was computed from; a file that vanished mid-run cannot be recorded
        raise DataSourceError(
            f"berkas masukan hilang selama proses: {', '.join(gone)}. Hasil tidak ditulis; hasil sebelumnya tetap utuh. "
            f"Kembalikan berkas itu lalu jalankan lagi. / input file(s) disappeared during the run: {', '.join(gone)}. "
            "The results were not written; previous results are intact. Put the file back and run again."
        )
    return {str(p): sha256_file(p) for p in dict.fromkeys(paths)}


def versions() -> dict[str, str]:
    """Versions of kawasan_gis and the libraries that shape its numbers.

    Read from the installed distributions' metadata where the module itself is not needed, so
    that recording them imports nothing heavy (rasterio, folium).
    """
    from importlib.metadata import PackageNotFoundError, version

    import pyogrio
    import pyproj
    import shapely

    def dist(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:  # pragma: no cover - every one is a dependency
            return "-"

    return {
        "kawasan_gis": __version__,
        "python": platform.python_version(),
        "geopandas": gpd.__version__,
        "shapely": shapely.__version__,
        "geos": shapely.geos_version_string,
        "pyogrio": pyogrio.__version__,
        "gdal": pyogrio.__gdal_version_string__,
        "pyproj": pyproj.__version__,
        "proj": pyproj.proj_version_str,
        "rasterio": dist("rasterio"),
        "numpy": dist("numpy"),
        "pandas": pd.__version__,
        "folium": dist("folium"),
    }


def _jsonable(obj: Any) -> Any:
    if is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _jsonable(getattr(obj, f.name)) for f in fields(obj)}
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, Path):
        return str(obj)
    return obj


# Shapefile field names are limited to 10 characters; these are the documented short names.
SHP_FIELDS = {
    "kode_desa": "KODE_DESA",
    "nama_desa": "NAMA_DESA",
    "kode_kec": "KODE_KEC",
    "nama_kec": "NAMA_KEC",
    "kode_kab": "KODE_KAB",
    "nama_kab": "NAMA_KAB",
    "jenis": "JENIS",
    "luas_ha": "LUAS_HA",
    "kawasan_id": "KAWASAN",
    "potensi_dominan": "POTENSI",
    "margin": "MARGIN",
    "campuran": "CAMPURAN",
    "dasar": "DASAR",
    "nama": "NAMA",
    "potensi": "POTENSI",
    "n_desa": "N_DESA",
    "kecamatan": "KECAMATAN",
    "verdict": "VERDIK",
    "pct_I": "PCT_I",
    "pct_T": "PCT_T",
    "pct_B": "PCT_B",
    "pct_X": "PCT_X",
    "pct_L": "PCT_L",
    "pct_outside": "PCT_LUAR",
    "ha_ruang_kembang": "HA_RUANG",
    "pct_ruang_kembang": "PCT_RUANG",
    "kekompakan": "KOMPAK",
    "stabilitas": "STABIL",
}


def shapefile_fields(columns: list[str]) -> dict[str, str]:
    """Map column names to unique ≤10-character Shapefile names (documented ones first)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for col in columns:
        base = SHP_FIELDS.get(col)
        if base is None:
            short = col.replace("skor_", "S_").replace("pct_", "P_").replace("ha_", "H_")
            base = short.upper()[:10]
        name, k = base[:10], 1
        while name in used:
            suffix = str(k)
            name = base[: 10 - len(suffix)] + suffix
            k += 1
        used.add(name)
        out[col] = name
    return out


SHP_TEXT_MAX = 254


def _shapefile_text(gdf: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, dict[str, int]]:
    """Cut text longer than a Shapefile field holds, visibly ("..."), and count the cuts per column."""
    out = gdf.copy()
    cut: dict[str, int] = {}
    for col in out.columns:
        if col == out.geometry.name or not (out[col].dtype == object or pd.api.types.is_string_dtype(out[col])):
            continue
        # the limit is in bytes of UTF-8
        too_long = out[col].map(lambda v: isinstance(v, str) and len(v.encode()) > SHP_TEXT_MAX).to_numpy(dtype=bool)
        if too_long.any():
            cut[col] = int(too_long.sum())
            short = [v.encode()[: SHP_TEXT_MAX - 4].decode(errors="ignore") + " ..." for v in out.loc[too_long, col]]
            out.loc[too_long, col] = short
    return out, cut


GEOMETRY_TYPES = {
    "desa": "MultiPolygon", "kawasan": "MultiPolygon", "sambungan": "LineString", "masalah": "MultiPolygon",
    "konflik": "MultiPolygon", "pusat": "Point", "pola_ruang": "MultiPolygon", "penggunaan_lahan": "MultiPolygon",
}
"""Geometry type of each ``kawasan.gpkg`` layer, for one written empty (a kabupaten without islands
has no ``sambungan``): GDAL would write it as ``Unknown``, which QGIS shows without a symbol."""


def _plain(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A copy fit for file formats: no attrs, no object columns holding lists or None-only."""
    out = gdf.copy()
    out.attrs = {}
    for col in out.columns:
        if col != out.geometry.name and out[col].dtype == object:
            out[col] = out[col].map(lambda v: v if v is None or isinstance(v, (str, int, float, bool)) else str(v))
    return out


def write_outputs(result: RunResult, out_dir: str | Path, *, maps: bool = True, helper: HelperProcess | None = None) -> Path:
    """Write every output of ``result`` into ``out_dir``, atomically.

    All files are written into a temporary folder next to ``out_dir``; only when all are
    written does it replace ``out_dir``. An exception (or Ctrl-C) on the way leaves the
    previous ``out_dir`` untouched and no temporary folder behind. The record the studio keeps
    in ``out_dir/studio/`` (plan versions and exports agreed on) is carried over into the new
    folder: a new run replaces the run's files, never that record.

    ``helper`` (a :class:`kawasan_gis.helper_process.HelperProcess`, started before the run)
    draws the maps and the report in a second process while this one writes the tables; without
    it they are drawn here, in a second thread beside the tables.
    """
    with atomic_folder(out_dir) as tmp:
        _write_all(result, tmp, maps=maps, helper=helper)
        record = Path(out_dir) / STUDIO_RECORD
        if record.is_dir():
            # copied, not moved: until the new folder is in place the old one stays whole
            shutil.copytree(record, tmp / STUDIO_RECORD, symlinks=True, ignore=shutil.ignore_patterns(".cache"))
    return Path(out_dir).resolve()


def write_proposal(result: RunResult, out_dir: str | Path) -> Path:
    """Write the proposal only: ``kawasan.gpkg`` (desa, kawasan, sambungan) and ``kawasan.csv``."""
    with atomic_folder(out_dir) as tmp:
        layers = {"desa": _plain(result.villages), "kawasan": _plain(result.kawasan), "sambungan": _plain(result.bridges)}
        write_layers(tmp / "kawasan.gpkg", layers, styles=_qgis_styles(result, layers), geometry_types=GEOMETRY_TYPES)
        pd.DataFrame(result.kawasan.drop(columns=result.kawasan.geometry.name)).to_csv(tmp / "kawasan.csv", index=False)
    return Path(out_dir).resolve()


def _qgis_styles(result: RunResult, layers: dict[str, gpd.GeoDataFrame]) -> dict[str, LayerStyle]:
    """Default QGIS styles of the GeoPackage layers, in the run's language and potentials."""
    from kawasan_gis.maps.qgis import qgis_styles

    return qgis_styles(layers, lang=result.config.project.lang, catalogue=result.catalogue)


def _write_all(result: RunResult, folder: Path, *, maps: bool, helper: HelperProcess | None = None) -> None:
    timings = dict(result.timings)
    if maps and helper is not None:
        helper.submit("kawasan_gis.outputs:write_maps", result, folder)
        try:
            timings["menulis tabel dan lapisan / writing tables and layers"] = _timed(_write_tables, result, folder)
            helper.wait()
            timings["peta dan laporan / maps and report"] = helper.seconds
        except BaseException:
            helper.close()  # stopped (if still drawing) before the temporary folder is removed under it
            raise
    elif (result.config.project.threads or default_jobs()) < 2:
        # one thread allowed (a Dask job sharing the cores with other jobs): one after the other
        timings["menulis tabel dan lapisan / writing tables and layers"] = _timed(_write_tables, result, folder)
        if maps:
            timings["peta dan laporan / maps and report"] = _timed(write_maps, result, folder)
    else:
        # The tables and layers are written in a second thread while the maps are drawn: GDAL,
        # GEOS, zlib and the PNG encoder release the GIL, so the two share the cores.
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="kawasan_gis-write") as pool:  # tables, print map
            tables = pool.submit(_timed, _write_tables, result, folder)
            if maps:
                timings["peta dan laporan / maps and report"] = _timed(write_maps, result, folder, pool=pool)
            timings["menulis tabel dan lapisan / writing tables and layers"] = tables.result()
        if maps:  # the order of the steps
            timings["peta dan laporan / maps and report"] = timings.pop("peta dan laporan / maps and report")
    write_text(folder / "run.json", json.dumps(_run_info(result, timings), indent=2, ensure_ascii=False, default=str))


def _timed(fn: Any, *args: Any, **kwargs: Any) -> float:
    """Seconds ``fn(*args, **kwargs)`` took (wall), rounded to milliseconds."""
    t0 = time.perf_counter()
    fn(*args, **kwargs)
    return round(time.perf_counter() - t0, 3)


def _write_tables(result: RunResult, folder: Path) -> None:
    """The GeoPackage with its QGIS styles, CSV, XLSX, GeoJSON, KML and Shapefile outputs."""
    from kawasan_gis.vocab import ITBX_KEY

    cfg = result.config
    desa = _plain(result.villages)
    kawasan = _plain(result.kawasan)
    layers: dict[str, gpd.GeoDataFrame] = {"desa": desa, "kawasan": kawasan, "sambungan": _plain(result.bridges), "masalah": _plain(result.problems)}
    if result.check is not None:
        layers["konflik"] = _plain(result.check.conflicts)
    if result.centres is not None:
        layers["pusat"] = _plain(result.centres.points)
        if result.centres.evidence is not None:
            layers["bukti_pilar"] = result.centres.evidence.reset_index()
    for name, gdf in result.layers.items():
        layers[name] = _plain(gdf[[c for c in ("kelas", "kelas_raw", ITBX_KEY) if c in gdf.columns] + [gdf.geometry.name]])
    write_layers(folder / "kawasan.gpkg", layers, styles=_qgis_styles(result, layers), geometry_types=GEOMETRY_TYPES)

    desa_table = pd.DataFrame(desa.drop(columns=desa.geometry.name))
    kawasan_table = pd.DataFrame(kawasan.drop(columns=kawasan.geometry.name))
    kawasan_table.to_csv(folder / "kawasan.csv", index=False)
    desa_table.to_csv(folder / "desa.csv", index=False)
    if cfg.outputs.xlsx:
        sheets = {"kawasan": kawasan_table, "desa": desa_table}
        if result.check is not None:
            sheets["konflik"] = pd.DataFrame(result.check.conflicts.drop(columns="geometry"))
            sheets["aturan"] = result.check.rules
        elif result.structure is not None:  # no RTRW: the rules alone, the zoning said to be unchecked
            sheets["aturan"] = result.structure.rules
        sheets["masalah"] = pd.DataFrame(result.problems.drop(columns="geometry"))
        for name, table in result.mappings.items():
            sheets[f"kelas_{name}"[:31]] = table
        if result.centres is not None:
            sheets.update(centre_tables(result))
        write_xlsx(folder / "kawasan.xlsx", sheets)
    if cfg.outputs.geojson:
        for name in ("desa", "kawasan"):
            layers[name].to_crs(4326).to_file(folder / f"{name}.geojson", driver="GeoJSON", engine="pyogrio")
    if cfg.outputs.kml:
        k = kawasan.to_crs(4326)
        k = k.rename(columns={"nama": "Name"})
        lang = cfg.project.lang
        k["Description"] = [f"{r.potensi}; {format_number(r.n_desa, 0, lang)} {'desa' if lang == 'id' else 'villages'}; "
                            f"{format_number(r.luas_ha, 0, lang)} ha" for r in k.itertuples()]
        k[["Name", "Description", k.geometry.name]].to_file(folder / "kawasan.kml", driver="KML", engine="pyogrio")
    if cfg.outputs.shapefile:
        shp = folder / "shp"
        shp.mkdir()
        rows = []
        for name in ("desa", "kawasan"):
            gdf, cut = _shapefile_text(layers[name])
            names = shapefile_fields([c for c in gdf.columns if c != gdf.geometry.name])
            gdf.rename(columns=names).to_file(shp / f"{name}.shp", engine="pyogrio", encoding="UTF-8")
            rows += [
                {"lapisan": name, "kolom": k, "shapefile": v, "catatan": f"{cut[k]} nilai dipotong di 254 karakter / values cut at 254 characters; lengkap di {name}.csv" if k in cut else ""}
                for k, v in names.items()
            ]
        pd.DataFrame(rows).to_csv(shp / "FIELDS.csv", index=False)


def _run_info(result: RunResult, timings: dict[str, float]) -> dict[str, Any]:
    """What ``run.json`` records: versions, config, input checksums, timings, counts, warnings."""
    cfg = result.config
    return {
        "kawasan_gis": __version__,
        "waktu": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "versions": versions(),
        "config": _jsonable(asdict(cfg)),
        "input_sha256": input_checksums(cfg),
        "timings_s": timings,
        "counts": {
            "desa": int(len(result.villages)),
            "kawasan": int(len(result.kawasan)),
            "desa_dalam_kawasan": int(result.villages["kawasan_id"].notna().sum()),
            "sambungan": int(len(result.bridges)),
            "konflik": int(len(result.check.conflicts)) if result.check is not None else 0,
        },
        "indikator_hilang": result.missing,
        "perbaikan": result.warnings,
        "peringatan": result.alerts,
        "kualitas": _jsonable(getattr(result.proposal, "quality", {})),
        "pusat_dan_profil": _jsonable(result.centres.sources) if result.centres is not None else None,
    }


def write_xlsx(path: str | Path, tables: Mapping[str, pd.DataFrame]) -> Path:
    """Write ``tables`` as the sheets of the spreadsheet ``path`` (one sheet per table, in order).

    The cells hold what :meth:`pandas.DataFrame.to_excel` (``index=False``) would put in them:
    a header row of column names, numbers as numbers, booleans as booleans, missing values as
    empty cells, infinities as ``inf``/``-inf`` and anything else as its text. Number columns
    get a display format (thousands separators, :func:`~kawasan_gis.i18n.column_decimals`
    decimals) so the cells stay numbers and the spreadsheet shows them in its own locale's
    style (``1.234,5`` in Indonesian). Written with xlsxwriter cell by cell, without pandas'
    cell objects: about five times faster than ``to_excel`` through openpyxl.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = write_xlsx(Path(tmp) / "t.xlsx", {"kawasan": pd.DataFrame({"nama": ["A"], "luas_ha": [1234.5]})})
    ...     pd.read_excel(path).to_dict("records")
    [{'nama': 'A', 'luas_ha': 1234.5}]
    """
    import xlsxwriter

    path = Path(path)
    with xlsxwriter.Workbook(str(path)) as book:
        plain = book.add_format()
        formats: dict[int, Any] = {}
        for sheet, table in tables.items():
            cells = book.add_worksheet(sheet)
            for j, column in enumerate(table.columns):
                _write_cell(cells, 0, j, column, plain)
                dtype = table[column].dtype
                values = table[column].tolist()
                if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
                    for i, value in enumerate(values, start=1):
                        _write_cell(cells, i, j, value, None)
                    continue
                decimals = 0 if pd.api.types.is_integer_dtype(dtype) else column_decimals(str(column))
                fmt = formats.get(decimals)
                if fmt is None:
                    fmt = formats[decimals] = book.add_format({"num_format": excel_number_format(decimals)})
                for i, value in enumerate(values, start=1):
                    _write_cell(cells, i, j, value, fmt)
    return path


def _write_cell(cells: Any, row: int, col: int, value: Any, fmt: Any) -> None:
    """One cell as ``DataFrame.to_excel`` writes it (a blank keeps its number format)."""
    if isinstance(value, str):
        if value:  # openpyxl, which pandas wrote with before, leaves empty texts out
            cells.write_string(row, col, value, fmt)
    elif value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        if fmt is not None:
            cells.write_blank(row, col, None, fmt)
    elif isinstance(value, (bool, np.bool_)):
        cells.write_boolean(row, col, bool(value), fmt)
    elif isinstance(value, (int, float, np.integer, np.floating)):
        if math.isinf(value):
            cells.write_string(row, col, "inf" if value > 0 else "-inf", fmt)
        else:
            cells.write_number(row, col, value, fmt)
    else:
        cells.write_string(row, col, str(value), fmt)


def centre_tables(result: RunResult) -> dict[str, pd.DataFrame]:
    """The tables planners present: the sorted scalogram, the centrality table, centres and profile.

    ``skalogram``: per kabupaten, villages sorted by number of facility types and types by
    how common they are (as in an RPKP document), 1/0 per type, the row's errors, then the
    COR/CS rows. ``sentralitas``: units per type, the Marshall weight C_j in the first row,
    the index and the order. ``pusat``: one row per centre. ``profil``: pillars and their
    components per kawasan.
    """
    from kawasan_gis.centres import COR_ACCEPTED, CS_ACCEPTED

    cr = result.centres
    assert cr is not None
    names = result.villages.set_index("kode_desa")["nama_desa"]
    kaw = result.villages.set_index("kode_desa")["kawasan_id"]
    out: dict[str, pd.DataFrame] = {}
    scalo, central = [], []
    for kab, h in cr.hierarchies.items():
        sc = h.scalogram
        t = sc.table.copy()
        t.insert(0, "kode_desa", t.index)
        t.insert(1, "nama_desa", t.index.map(names))
        t.insert(2, "kawasan_id", t.index.map(kaw))
        t.insert(0, "kode_kab", kab)
        t["indeks_sentralitas"] = h.table["indeks_sentralitas"].reindex(t.index).to_numpy()
        t["orde"] = h.table["orde_romawi"].reindex(t.index).to_numpy()
        totals = {"kode_kab": kab, "nama_desa": "jumlah desa yang memiliki / villages having", **{c: int(sc.table[c].sum()) for c in sc.table.columns[: sc.n_types]}}
        summary = [
            totals,
            {"kode_kab": kab, "nama_desa": "kesalahan / errors", "kesalahan": sc.errors},
            {"kode_kab": kab, "nama_desa": f"COR = 1 - e/(N x K) (diterima >= {COR_ACCEPTED})", "kesalahan": sc.cor},
            {"kode_kab": kab, "nama_desa": "COR' = (T - e)/T", "kesalahan": sc.cor_present},
            {"kode_kab": kab, "nama_desa": "MMR", "kesalahan": sc.mmr},
            {"kode_kab": kab, "nama_desa": f"CS = (COR - MMR)/(1 - MMR) (diterima >= {CS_ACCEPTED})", "kesalahan": sc.cs},
            {"kode_kab": kab, "nama_desa": sc.verdict(result.config.project.lang)},
        ]
        scalo.append(pd.concat([t.reset_index(drop=True), pd.DataFrame(summary)], ignore_index=True))
        counts = cr.counts.loc[h.table.index] if cr.counts is not None else pd.DataFrame(index=h.table.index)
        c = counts.copy()
        c.insert(0, "kode_desa", c.index)
        c.insert(1, "nama_desa", c.index.map(names))
        c.insert(0, "kode_kab", kab)
        for col in ("indeks_sentralitas", "orde_romawi", "peringkat"):
            c[col] = h.table[col].to_numpy()
        weights = {"kode_kab": kab, "nama_desa": f"bobot C_j = 100 / T_j ({h.centrality.basis})", **h.centrality.weights.to_dict()}
        central.append(pd.concat([pd.DataFrame([weights]), c.reset_index(drop=True)], ignore_index=True))
    if scalo:
        out["skalogram"] = pd.concat(scalo, ignore_index=True)
        out["sentralitas"] = pd.concat(central, ignore_index=True)
    out["pusat"] = pd.DataFrame(cr.points.drop(columns=cr.points.geometry.name))
    out["profil"] = cr.profile.table.reset_index()
    return out


def write_maps(result: RunResult, folder: Path, *, pool: ThreadPoolExecutor | None = None) -> None:
    """Write the web map, the print map (in ``pool`` when given, beside the web map) and the report of ``result`` into ``folder``."""
    import shapely

    from kawasan_gis.maps import map_kawasan, save_map, static_map
    from kawasan_gis.maps.prepare import prepare_map
    from kawasan_gis.maps.static import print_pixel_m
    from kawasan_gis.maps.web import DECIMALS, SIMPLIFY_M
    from kawasan_gis.report import write_report

    cfg = result.config
    lang = cfg.project.lang
    catalogue = result.catalogue
    konflik = result.check.conflicts if result.check is not None else None
    # the villages simplified, the kawasan and the boundaries dissolved once for both maps
    data = prepare_map(result.villages, kawasan=result.kawasan, simplify_m=SIMPLIFY_M, decimals=DECIMALS, lang=lang,
                       catalogue=catalogue, title=cfg.project.name)
    job = None
    if cfg.outputs.static_map:
        job = (pool.submit if pool is not None else _now)(
            static_map,
            result.villages,
            kawasan=result.kawasan,
            pusat=result.centres.points if result.centres is not None else None,
            konflik=konflik,
            path=folder / "peta_kawasan.png",
            pdf=cfg.outputs.pdf,
            title=cfg.peta.judul or cfg.project.name,
            sources=list(cfg.peta.sumber) or _sources_text(result),
            title_block=cfg.peta.title_block(),
            lang=lang,
            catalogue=catalogue,
            # the web map's villages when their simplification cannot be seen at the print's resolution
            prepared=data if 2 * SIMPLIFY_M <= print_pixel_m(shapely.total_bounds(data.villages.geoms)) else None,
        )
    m = map_kawasan(
        result.villages,
        kawasan=result.kawasan,
        pola_ruang=result.layers.get("pola_ruang"),
        penggunaan_lahan=result.layers.get("penggunaan_lahan"),
        konflik=konflik,
        sambungan=result.bridges,
        pusat=result.centres.points if result.centres is not None else None,
        lang=lang,
        offline=cfg.outputs.offline_map,
        title=cfg.project.name,
        catalogue=catalogue,
        prepared=data,
    )
    save_map(m, folder / "peta_kawasan.html", offline=cfg.outputs.offline_map)
    png = job.result() if job is not None else None
    write_report(
        folder / "laporan.html",
        desa=result.villages,
        kawasan=result.kawasan,
        konflik=konflik,
        layer_reports=result.reports,
        indicator_coverage=_indicator_coverage(catalogue, result.missing),
        params=_jsonable(asdict(cfg)),
        static_map_png=png,
        lang=lang,
        title=cfg.project.name,
        catalogue=catalogue,
        centres=_jsonable(result.centres.sources) if result.centres is not None else None,
        warnings=result.alerts,
    )


def _now(fn: Any, *args: Any, **kwargs: Any) -> Future[Any]:
    """``fn(*args, **kwargs)`` run at once, as a finished future (no thread pool at hand)."""
    done: Future[Any] = Future()
    done.set_result(fn(*args, **kwargs))
    return done


def _indicator_coverage(catalogue: Any, missing: dict[str, str]) -> dict[str, str | bool]:
    """Every indicator of the enabled potentials: True when computed, else why not."""
    out: dict[str, str | bool] = {k: v for k, v in missing.items() if k.startswith("masukan.")}
    for pot in catalogue.enabled:
        for spec in pot.indicators:
            key = f"{pot.code}.{spec.id}"
            out[key] = missing.get(key, True)
    return out


def _sources_text(result: RunResult) -> list[str]:
    """The input files (and layers) for the print map's sources line."""
    names = [Path(r.path).name + (f":{r.layer}" if r.layer else "") for r in result.reports]
    return list(dict.fromkeys(names))
