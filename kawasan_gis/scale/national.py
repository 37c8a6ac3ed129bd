"""The national outputs, assembled from the finished kabupaten.

Each kabupaten job writes its share (:func:`write_kabupaten_parts`): its villages and kawasan
in EPSG:4326 as GeoParquet under ``desa/`` and ``kawasan/``, partitioned
``provinsi=PP/kabupaten=PPKK/`` (hive style: ``geopandas.read_parquet("desa")`` reads the
whole country, and a filter on ``provinsi`` reads one province's files only). The run then
writes (:func:`write_national`):

- ``nasional.csv``: one row per kabupaten (kawasan, villages placed, verdicts, conflicts,
  the IDM status mix when an IDM table was given, time taken, status and error);
- ``nasional.gpkg``: layers ``kabupaten`` (outlines with the same figures) and ``kawasan``;
- ``peta_nasional.html``: the overview map, kabupaten summary and simplified kawasan
  outlines, each kabupaten linking to its own map and report;
- ``gagal.csv``: the kabupaten that failed, with their errors (only when some did).

The national village layer is for lookup and mapping, so it keeps the columns every
kabupaten has (codes, names, potential scores, kawasan); the full indicator table of each
kabupaten stays in its own ``desa.csv``.
"""

from __future__ import annotations

import html
import json
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kawasan_gis._atomic import atomic_file, write_text
from kawasan_gis.io import polygon_parts, polygonal
from kawasan_gis.scale import records

if TYPE_CHECKING:
    from kawasan_gis.pipeline import RunResult
    from kawasan_gis.scale.partition import Partition

log = logging.getLogger(__name__)

OUTLINE_TOLERANCE_DEG = 0.001  # ~110 m: the outline kept in each restart record
# The overview map (peta_nasional.html): at zoom 8, a pixel is ~600 m at the equator
OVERVIEW_KAB_TOLERANCE_DEG = 0.005  # ~550 m: under a pixel of the whole-country view (zoom 5, ~5 km)
OVERVIEW_KAWASAN_TOLERANCE_DEG = 0.002  # ~220 m: under half a pixel up to zoom 8
OVERVIEW_DECIMALS = 3  # a grid of ~110 m, finer than either tolerance

DESA_COLUMNS = (
    "kode_desa", "nama_desa", "jenis", "kode_kec", "nama_kec", "kode_kab", "nama_kab", "luas_ha",
    "potensi_dominan", "margin", "campuran", "dasar", "kawasan_id", "alasan_tidak_masuk",
)  # fmt: skip


def idm_status(scores: pd.Series) -> pd.Series:
    """IDM status as a column-name word (``mandiri`` ... ``sangat_tertinggal``; None without a score).

    The thresholds are :func:`kawasan_gis.profile.idm_status`'s (Permendesa PDTT 2/2016).

    Examples
    --------
    >>> idm_status(pd.Series([0.82, 0.8155, 0.6, 0.2, None])).tolist()
    ['mandiri', 'maju', 'berkembang', 'sangat_tertinggal', None]
    """
    from kawasan_gis.profile import idm_status as status

    words = status(scores)
    return pd.Series([w.lower().replace(" ", "_") if isinstance(w, str) else None for w in words], index=scores.index, dtype=object, name="status_idm")


def _status_words() -> list[str]:
    from kawasan_gis.profile import STATUS_ORDER

    return [w.lower().replace(" ", "_") for w in STATUS_ORDER]


def idm_column(columns: list[str]) -> str | None:
    """The IDM score column of a village table (``tbl_idm_2024``; the latest year when several)."""
    found = sorted((c for c in columns if re.fullmatch(r"tbl_idm(_\d{4})?", str(c))), key=lambda c: (len(c), c))
    return found[-1] if found else None


def _text_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns as strings, so every kabupaten's part has one schema (no all-null columns typed null)."""
    out = frame.copy()
    out.attrs = {}
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)).astype("string")
    return out


def _partition_dir(out: Path, layer: str, partition: Partition) -> Path:
    return out / layer / f"provinsi={partition.kode_prov}" / f"kabupaten={partition.kode_kab}"


def national_desa(result: RunResult, partition: Partition) -> gpd.GeoDataFrame:
    """The kabupaten's villages as they go into the national layer (EPSG:4326)."""
    desa = result.villages
    keep = [c for c in DESA_COLUMNS if c in desa.columns] + [c for c in desa.columns if c.startswith("skor_")]
    idm = idm_column(list(desa.columns))
    frame = desa[keep + [desa.geometry.name]].copy()
    if idm is not None:
        frame["idm"] = desa[idm].astype(float)
        frame["status_idm"] = idm_status(desa[idm])
    frame = frame.assign(kode_prov=partition.kode_prov, nama_prov=partition.nama_prov)
    return _text_columns(frame.to_crs(4326))


def national_kawasan(result: RunResult, partition: Partition) -> gpd.GeoDataFrame:
    """The kabupaten's kawasan as they go into the national layer (EPSG:4326)."""
    kaw = result.kawasan.copy()
    kaw = kaw.assign(kode_kab=partition.kode_kab, nama_kab=partition.nama_kab, kode_prov=partition.kode_prov, nama_prov=partition.nama_prov)
    for col in kaw.columns:
        if col != kaw.geometry.name and kaw[col].dtype == object:
            kaw[col] = kaw[col].map(lambda v: v if v is None or isinstance(v, (str, int, float, bool)) else str(v))
    return _text_columns(kaw.to_crs(4326))


def write_kabupaten_parts(result: RunResult, partition: Partition, out: Path) -> list[str]:
    """Write the kabupaten's share of the national GeoParquet layers; return their paths (relative to ``out``)."""
    out = Path(out).resolve()
    files = []
    for layer, frame in (("desa", national_desa(result, partition)), ("kawasan", national_kawasan(result, partition))):
        path = _partition_dir(out, layer, partition) / f"{layer}.parquet"
        with atomic_file(path) as tmp:
            frame.to_parquet(tmp, compression="zstd", index=False)
        files.append(str(path.relative_to(out)))
    return files


def outline_wkt(result: RunResult) -> str:
    """The kabupaten's outline (union of its villages), simplified, in EPSG:4326, as valid WKT.

    Without the sliver holes between villages (see :func:`record_outlines`), and snapped to the
    5 decimals it is written with by GEOS, which keeps it valid: rounding the text alone made
    507 of the 514 national outlines invalid.
    """
    desa = result.villages
    outline = shapely.union_all(shapely.make_valid(desa.geometry.values))
    outline = gpd.GeoSeries([outline], crs=desa.crs).to_crs(4326).to_numpy()
    outline = _without_slivers(outline)[0]
    outline = shapely.set_precision(shapely.simplify(outline, OUTLINE_TOLERANCE_DEG, preserve_topology=True), 1e-5)
    return shapely.to_wkt(outline, rounding_precision=5)


def record_outlines(outlines: list[str | None]) -> np.ndarray:
    """Kabupaten outlines (the records' WKT; None for a kabupaten not done) as ``nasional.gpkg``
    keeps them (:func:`_without_slivers`).

    Records written before :func:`outline_wkt` dropped the slivers have them, and outlines made
    invalid by rounding; they are mended here when the national outputs are written.
    """
    return _without_slivers(np.array([None if o is None else shapely.from_wkt(o) for o in outlines], dtype=object))


def _without_slivers(outlines: np.ndarray) -> np.ndarray:
    """``outlines`` (EPSG:4326) valid, and without the holes under ``(2 * OUTLINE_TOLERANCE_DEG)²``
    (~220 m across), the slivers between villages that a union of villages is riddled with
    (78 % of the national outlines' vertices); enclaves stay."""
    return _repaired(_without_small_holes(outlines, (2 * OUTLINE_TOLERANCE_DEG) ** 2))


def summary_row(result: RunResult, partition: Partition, *, folder: Path, out: Path) -> dict[str, Any]:
    """One kabupaten's row of the national table."""
    desa, kaw = result.villages, result.kawasan
    placed = int(desa["kawasan_id"].notna().sum())
    row: dict[str, Any] = {
        "kode_prov": partition.kode_prov,
        "nama_prov": partition.nama_prov,
        "kode_kab": partition.kode_kab,
        "nama_kab": partition.nama_kab,
        "n_desa": int(len(desa)),
        "n_kawasan": int(len(kaw)),
        "desa_dalam_kawasan": placed,
        "pct_desa_dalam_kawasan": round(100.0 * placed / len(desa), 2) if len(desa) else 0.0,
        "luas_kawasan_ha": round(float(kaw["luas_ha"].sum()), 2) if "luas_ha" in kaw.columns else 0.0,
        "potensi_kawasan": "; ".join(f"{k}: {v}" for k, v in kaw["potensi"].value_counts().sort_index().items()) if len(kaw) else "",
    }
    if "verdict" in kaw.columns:
        verdicts = kaw["verdict"].value_counts()
        for name in ("sesuai", "sesuai bersyarat", "tidak sesuai"):
            row[f"verdik_{name.replace(' ', '_')}"] = int(verdicts.get(name, 0))
    konflik = result.conflicts
    if konflik is not None:
        row["n_konflik"] = int(len(konflik))
        row["luas_konflik_ha"] = round(float(konflik["luas_ha"].sum()), 2) if len(konflik) else 0.0
    idm = idm_column(list(desa.columns))
    if idm is not None:
        counts = idm_status(desa[idm]).value_counts()
        for name in _status_words():
            row[f"idm_{name}"] = int(counts.get(name, 0))
        row["idm_tanpa_nilai"] = int(desa[idm].isna().sum())
    row["peta"] = str((folder / "peta_kawasan.html").relative_to(out)) if (folder / "peta_kawasan.html").exists() else ""
    row["laporan"] = str((folder / "laporan.html").relative_to(out)) if (folder / "laporan.html").exists() else ""
    return row


# --------------------------------------------------------------------------- assembly


def write_national(partitions: list[Partition], out: Path, *, failed: dict[str, str], lang: str, offline: bool, title: str) -> pd.DataFrame:
    """Write the national table, GeoPackage summary and overview map from the finished records.

    Returns the national table (one row per kabupaten, failed and unfinished ones included
    with their status).
    """
    out = Path(out)
    rows, outlines, kawasan_parts = [], [], []
    for p in partitions:
        record = records.read_record(out, p.kode_kab)
        done = record is not None and p.kode_kab not in failed and record.get("status") == "selesai"
        if done:
            row = dict(record["ringkasan"]) | {"status": "selesai", "pesan": "", "detik": record.get("detik")}
            outlines.append(record["batas_wkt"])
            part = _partition_dir(out, "kawasan", p) / "kawasan.parquet"
            if part.exists():
                kawasan_parts.append(gpd.read_parquet(part))
        else:
            row = {"kode_prov": p.kode_prov, "nama_prov": p.nama_prov, "kode_kab": p.kode_kab, "nama_kab": p.nama_kab, "n_desa": p.n_desa}
            row |= {"status": "gagal" if p.kode_kab in failed else "belum", "pesan": failed.get(p.kode_kab, "")}
            outlines.append(None)
        rows.append(row)
    table = pd.DataFrame(rows)
    front = ["kode_prov", "nama_prov", "kode_kab", "nama_kab", "status"]
    table = table[front + [c for c in table.columns if c not in front]]
    with atomic_file(out / "nasional.csv") as tmp:
        table.to_csv(tmp, index=False)
    if failed:
        with atomic_file(out / "gagal.csv") as tmp:
            table.loc[table["status"] == "gagal", ["kode_kab", "nama_kab", "pesan"]].to_csv(tmp, index=False)
    else:
        (out / "gagal.csv").unlink(missing_ok=True)

    kab = gpd.GeoDataFrame(table.drop(columns=["pesan"]), geometry=record_outlines(outlines), crs=4326)
    kawasan = pd.concat(kawasan_parts, ignore_index=True) if kawasan_parts else gpd.GeoDataFrame({"kawasan_id": []}, geometry=[], crs=4326)
    kawasan = gpd.GeoDataFrame(kawasan, geometry="geometry", crs=4326)
    from kawasan_gis.io import write_layers

    write_layers(out / "nasional.gpkg", {"kabupaten": _plain(kab), "kawasan": _plain(kawasan)})
    write_overview(kab, kawasan, out / "peta_nasional.html", lang=lang, offline=offline, title=title)
    summary = {
        "kabupaten": len(partitions),
        "selesai": int((table["status"] == "selesai").sum()),
        "gagal": sorted(failed),
        "desa": int(table["n_desa"].sum()),
    }
    write_text(out / "nasional.json", json.dumps(summary, indent=1, ensure_ascii=False))
    return table


def _plain(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = frame.copy()
    for col in out.columns:
        if col != out.geometry.name and isinstance(out[col].dtype, pd.StringDtype):
            out[col] = out[col].astype(object)
    return out


# --------------------------------------------------------------------------- overview map

_BINS = (0, 20, 40, 60, 80, 100.01)
_BIN_COLOURS = ("#f1eef6", "#bdc9e1", "#74a9cf", "#2b8cbe", "#045a8d")


def _bin_colour(pct: float | None) -> str:
    if pct is None or pd.isna(pct):
        return "#bbbbbb"
    for k in range(len(_BINS) - 1):
        if _BINS[k] <= pct < _BINS[k + 1]:
            return _BIN_COLOURS[k]
    return _BIN_COLOURS[-1]


def _esc(value: Any) -> str:
    """Attribute text for the map: escaped, because folium puts tooltip values into HTML as they are."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return html.escape(str(value))


def _without_small_holes(geoms: np.ndarray, min_area: float) -> np.ndarray:
    """The polygons of ``geoms`` without their holes smaller than ``min_area`` (None where no polygon)."""
    parts, owner = polygon_parts(np.asarray(geoms, dtype=object))
    order = np.argsort(owner, kind="stable")  # by geometry, as the collection is built
    parts, owner = parts[order], owner[order]
    rings, part_of = shapely.get_rings(parts, return_index=True)
    shell = np.r_[True, part_of[1:] != part_of[:-1]]  # each part's exterior ring comes first
    keep = shell | (shapely.area(shapely.polygons(rings)) >= min_area)
    out = np.full(len(geoms), None, dtype=object)
    shapely.multipolygons(shapely.polygons(rings[keep], indices=part_of[keep]), indices=owner, out=out)
    return out


def _repaired(geoms: np.ndarray) -> np.ndarray:
    bad = ~shapely.is_valid(geoms) & ~shapely.is_missing(geoms)
    if bad.any():
        geoms = geoms.copy()
        geoms[bad] = polygonal(shapely.make_valid(geoms[bad], method="structure", keep_collapsed=False))
    return geoms


def _overview_geometries(geoms: np.ndarray, tolerance: float) -> np.ndarray:
    """``geoms`` as the overview draws them: simplified by ``tolerance`` degrees, on a grid of
    :data:`OVERVIEW_DECIMALS` decimals, valid; holes, islets and necks narrower than about twice
    the tolerance are gone, and a geometry with nothing left is drawn as its grid cell.

    The outlines are unions of villages: on the whole country 78 % of the kabupaten outlines'
    vertices are in 321,000 sliver holes between villages, which keep the topology-preserving
    simplifier from dropping anything near them (it dropped 15 % of the vertices) and make
    ``make_valid`` take minutes. Without the holes under ``(2 * tolerance)²`` (enclaves, such
    as a kota inside its kabupaten, stay) an invalid outline is repaired in a second, and
    Douglas-Peucker keeps ~5 % of the vertices; what it makes invalid is repaired again.
    """
    grid = 10.0**-OVERVIEW_DECIMALS
    given = np.asarray(geoms, dtype=object)
    geoms = _repaired(_without_small_holes(given, (2 * tolerance) ** 2))
    geoms = shapely.set_precision(_repaired(shapely.simplify(geoms, tolerance, preserve_topology=False)), grid)
    # a kawasan smaller than the tolerance stays on the map: as the grid cell it lies in
    lost = (shapely.is_missing(geoms) | shapely.is_empty(geoms)) & ~shapely.is_missing(given) & ~shapely.is_empty(given)
    if lost.any():
        corner = np.floor(shapely.get_coordinates(shapely.point_on_surface(given[lost])) / grid) * grid
        geoms[lost] = shapely.set_precision(shapely.box(corner[:, 0], corner[:, 1], corner[:, 0] + grid, corner[:, 1] + grid), grid)
    return geoms


def _script_json(value: Any) -> str:
    """JSON without spaces, safe inside a ``<script>`` (``<``, ``>``, ``&`` and ``'`` escaped)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("'", "\\u0027")


def _geojson(frame: gpd.GeoDataFrame, tolerance: float, properties: list[dict[str, Any]]) -> str:
    """A FeatureCollection of ``frame`` (:func:`_overview_geometries`) as compact script-safe JSON."""
    geoms = _overview_geometries(frame.geometry.values, tolerance)
    keep = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    shapes = shapely.to_geojson(geoms[keep])  # compact, and numbers as short as the grid makes them
    props = [p for p, k in zip(properties, keep) if k]
    features = ",".join(f'{{"type":"Feature","properties":{_script_json(p)},"geometry":{g}}}' for p, g in zip(props, shapes))
    return f'{{"type":"FeatureCollection","features":[{features}]}}'


def _overview_layer_class() -> type:
    """The overview's GeoJSON layer: the data written once as compact JSON, styles, tooltips and
    popups made in the browser from a few properties per feature (folium's ``GeoJson`` writes
    spaced JSON, a style per feature and, through branca, lexes the page's megabytes again)."""
    import folium
    from folium.template import Template

    from kawasan_gis.maps.elements import RenderOnce

    class OverviewLayer(folium.map.Layer, RenderOnce):
        _template = Template("""
            {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = (function () {
                var t = {{ this.texts|tojson }};
                function row(label, value) { return "<br>" + label + ": " + value; }
                {%- if this.kind == "kabupaten" %}
                return L.geoJson({{ this.data }}, {
                    style: function (f) {
                        return {fillColor: t.colours[f.properties.warna], color: "#555555", weight: 0.6, fillOpacity: 0.6};
                    },
                    onEachFeature: function (f, layer) {
                        var p = f.properties, links = [];
                        layer.bindTooltip("<b>" + p.nama + "</b>" + row(t.kode, p.kode) + row(t.status, p.status)
                            + row(t.desa, p.desa) + row(t.kawasan, p.kawasan) + row(t.pct, p.pct));
                        if (p.peta) links.push('<a href="' + p.peta + '" target="_blank">' + t.peta + "</a>");
                        if (p.laporan) links.push('<a href="' + p.laporan + '" target="_blank">' + t.laporan + "</a>");
                        layer.bindPopup("<b>" + p.nama + "</b><br>" + (links.join(" | ") || t.tanpa));
                    }
                });
                {%- else %}
                return L.geoJson({{ this.data }}, {
                    style: function (f) { return {color: t.colours[f.properties.potensi] || "#333333", weight: 1.2, fill: false}; },
                    onEachFeature: function (f, layer) {
                        var p = f.properties;
                        layer.bindTooltip("<b>" + p.nama + "</b>" + row(t.kab, p.kab) + row(t.potensi, p.potensi));
                    }
                });
                {%- endif %}
            })();
            {% endmacro %}
        """)  # fmt: skip

        def __init__(self, data: str, *, kind: str, texts: dict[str, Any], name: str) -> None:
            super().__init__(name=name, overlay=True, control=True, show=True)
            self._name = "OverviewLayer"
            self.data, self.kind, self.texts = data, kind, texts

    return OverviewLayer


def overview_map(kab: gpd.GeoDataFrame, kawasan: gpd.GeoDataFrame, *, lang: str = "id", title: str = "Kawasan Perdesaan",
                 offline: bool = False) -> Any:
    """The national overview: kabupaten shaded by the share of villages in kawasan, kawasan outlines.

    Each kabupaten's popup links to its own map and report (relative links, so the output
    folder can be moved or served as it is). Kabupaten are drawn simplified by
    :data:`OVERVIEW_KAB_TOLERANCE_DEG`, kawasan by :data:`OVERVIEW_KAWASAN_TOLERANCE_DEG`, both
    on a grid of :data:`OVERVIEW_DECIMALS` decimals; each kabupaten's own map has the exact shapes.
    ``offline``: the OpenStreetMap basemap is off at the start (no tile requests), as on the
    kabupaten maps.
    """
    import folium

    from kawasan_gis.i18n import format_number
    from kawasan_gis.vocab import load_potentials

    en = lang == "en"
    layer_class = _overview_layer_class()
    props = []
    for row in kab.itertuples(index=False):
        r = row._asdict()
        pct = r.get("pct_desa_dalam_kawasan")
        colour = _bin_colour(pct if r["status"] == "selesai" else None)
        props.append({
            "nama": _esc(r["nama_kab"]),
            "kode": _esc(r["kode_kab"]),
            "status": _esc(r["status"]),
            "desa": format_number(r.get("n_desa"), 0, lang),
            "kawasan": format_number(r.get("n_kawasan"), 0, lang),
            "pct": format_number(pct, 1, lang),
            "peta": html.escape(str(r.get("peta") or ""), quote=True),
            "laporan": html.escape(str(r.get("laporan") or ""), quote=True),
            "warna": ([*_BIN_COLOURS, "#bbbbbb"]).index(colour),
        })  # fmt: skip
    bounds = kab.total_bounds if len(kab) and not kab.geometry.isna().all() else np.array([95.0, -11.0, 141.0, 6.0])
    m = folium.Map(tiles=None, control_scale=True, prefer_canvas=True)
    folium.TileLayer("OpenStreetMap", overlay=False, show=not offline).add_to(m)
    m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    labels = ("code", "status", "villages", "kawasan", "% villages in kawasan") if en else ("kode", "status", "desa", "kawasan", "% desa dalam kawasan")
    texts = dict(zip(("kode", "status", "desa", "kawasan", "pct"), labels)) | {
        "peta": "map" if en else "peta", "laporan": "report" if en else "laporan",
        "tanpa": "no map or report" if en else "tanpa peta dan laporan", "colours": [*_BIN_COLOURS, "#bbbbbb"],
    }  # fmt: skip
    layer_class(_geojson(kab, OVERVIEW_KAB_TOLERANCE_DEG, props), kind="kabupaten", texts=texts, name="Kabupaten/kota").add_to(m)
    if len(kawasan):
        colours = {p.code: "#%02x%02x%02x" % p.colour for p in load_potentials()}
        kprops = [{"nama": _esc(r.nama), "kab": _esc(r.nama_kab), "potensi": _esc(r.potensi)}
                  for r in kawasan[["nama", "nama_kab", "potensi"]].itertuples(index=False)]
        ktexts = {"kab": "Kabupaten", "potensi": "potential" if en else "potensi", "colours": colours}
        layer_class(_geojson(kawasan, OVERVIEW_KAWASAN_TOLERANCE_DEG, kprops), kind="kawasan", texts=ktexts, name="Kawasan").add_to(m)
    legend = "".join(
        f'<div><span style="background:{c};width:14px;height:10px;display:inline-block;margin-right:4px"></span>{lo:.0f}-{min(hi, 100):.0f} %</div>'
        for lo, hi, c in zip(_BINS[:-1], _BINS[1:], _BIN_COLOURS)
    )
    heading = "Villages in kawasan" if en else "Desa dalam kawasan"
    m.get_root().html.add_child(folium.Element(
        f'<div id="legenda" style="position:fixed;bottom:24px;left:12px;z-index:9999;background:white;padding:6px 8px;'
        f'font:12px sans-serif;border:1px solid #999"><b>{html.escape(title)}</b><br>{heading}{legend}'
        f'<div><span style="background:#bbbbbb;width:14px;height:10px;display:inline-block;margin-right:4px"></span>'
        f'{"failed / not run" if en else "gagal / belum"}</div></div>'
    ))  # fmt: skip
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def write_overview(kab: gpd.GeoDataFrame, kawasan: gpd.GeoDataFrame, path: Path, *, lang: str, offline: bool, title: str) -> Path:
    """Write :func:`overview_map` as one HTML file (scripts inlined when ``offline``)."""
    from kawasan_gis.maps import save_map

    return save_map(overview_map(kab, kawasan, lang=lang, title=title, offline=offline), path, offline=offline)
