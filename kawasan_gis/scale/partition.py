"""Read the national inputs once and split them into one input set per kabupaten.

Each kabupaten gets a folder ``masukan/<kode_kab>/`` with GeoParquet parts of every vector
input and a part of the attribute table, and a :class:`Partition` whose ``config`` is the
national configuration with its inputs pointed at those parts. Nothing else changes, so
each kabupaten runs through the same pipeline as a single ``kawasan run``.

What goes into a kabupaten's part:

- villages: those whose code (or ``kode_kab`` column) says that kabupaten, in input order;
- class layers (RTRW, land use, LP2B, hazard): every polygon that meets one of its villages.
  A polygon that meets none adds nothing to any village figure, so the results are those of
  a run on the whole layer;
- lines and points: every feature within :data:`NEAR_M` of the kabupaten's villages, so
  distances to a facility just across the border still count (a nearest facility further
  away than that is measured to the part only);
- the attribute table: the rows whose code belongs to the kabupaten (by the configured
  ``code_column``, else the column that holds the villages' codes); a table joined through
  a BPS crosswalk is given whole;
- a land-cover raster is not split: every kabupaten reads its own window of it.

How: each layer is read once into Arrow (a GeoParquet file as its bytes; other formats
through :func:`~kawasan_gis.io.read_raw`), its geometry decoded in batches only to find with
one STRtree query which kabupaten each feature meets, and each part is the table's rows taken
and written by Arrow, in threads (compression and hashing run outside the GIL). No geometry
is encoded again and no kabupaten scans the whole layer.

The split is cached: ``masukan/manifest.json`` records the checksums of the national inputs
and of every part, and a rerun with the same parts-deciding inputs reads nothing (see
:func:`_inputs_key`: settings of the runs do not count). When an input changes,
parts are rewritten and each keeps its checksum, so only the kabupaten whose part really
changed are recomputed (see :mod:`kawasan_gis.scale.records`).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely
from pyproj import CRS

from kawasan_gis._atomic import atomic_file, write_text
from kawasan_gis.config import LayerInput, RunConfig, TableInput
from kawasan_gis.errors import FieldError
from kawasan_gis.io import parse_crs, read_raw, read_table, sha256_file

log = logging.getLogger(__name__)

NEAR_M = 50_000.0
"""Lines and points within this many metres of a kabupaten's villages go into its part."""

SPLIT_VERSION = 2
"""Version of what a split writes: bump it when the same inputs would give other parts (their
rows, columns, order or format), so that splits made by older code are redone."""

PART_FIELDS = ("layer", "where", "assume_crs")
"""The fields of an input's spec that decide its parts: which layer of the file, which rows, which CRS."""

CLASS_LAYERS = ("rtrw", "landuse", "lp2b", "hazard")

BATCH_ROWS = 500_000
"""Features decoded at a time while splitting (~0.6 GB of shapes for 40-vertex polygons)."""

WRITE_THREADS = 2
CODE_COLUMNS = ("kode_desa_10", "kode_desa", "kdepum", "kode_kemendagri", "kd_desa", "kode_kel", "kodedesa", "kode")
KAB_COLUMNS = ("kode_kab", "kdppum", "kd_kab")
KAB_NAME_COLUMNS = ("nama_kab", "wadmkk", "kabupaten", "kab_kota")
PROV_NAME_COLUMNS = ("nama_prov", "wadmpr", "provinsi")


@dataclass(frozen=True)
class Partition:
    """One kabupaten's inputs: where they are, what they hash to, and its run configuration."""

    kode_kab: str
    nama_kab: str
    kode_prov: str
    nama_prov: str
    n_desa: int
    folder: Path
    config: RunConfig
    checksums: dict[str, str]
    nbytes: int = 0
    """Bytes of its parts: the best cheap guess of its run time (vertices, not villages, cost time)."""

    @property
    def slug(self) -> str:
        """Folder name of the kabupaten's outputs: ``1807_kabupaten_lampung_timur``."""
        name = re.sub(r"[^a-z0-9]+", "_", self.nama_kab.lower()).strip("_")
        return f"{self.kode_kab}_{name}" if name else self.kode_kab


def _column(frame: pd.DataFrame, candidates: tuple[str, ...]) -> str | None:
    lower = {str(c).lower(): c for c in frame.columns}
    return next((lower[c] for c in candidates if c in lower), None)


def _digits(values: pd.Series) -> pd.Series:
    """Code digits only: ``18.07.01.2001`` and ``1807012001`` both give ``1807012001``."""
    lookup = {v: re.sub(r"\D", "", re.sub(r"\.0+$", "", str(v))) for v in pd.unique(values.dropna())}
    return values.map(lookup).fillna("")


def kabupaten_codes(villages: pd.DataFrame, *, path: Path) -> pd.Series:
    """The kabupaten code of every village row, as the pipeline writes it (``1807``, digits only),
    from a ``kode_kab`` column or the village code."""
    kab_col = _column(villages, KAB_COLUMNS)
    if kab_col is not None:
        digits = _digits(villages[kab_col].astype(object))
        ok = digits.str.len() == 4
        if ok.all():
            return digits
    code_col = _column(villages, CODE_COLUMNS)
    if code_col is None:
        raise FieldError(
            f"{path}: pembagian per kabupaten butuh kode desa Kemendagri (kolom kode_kab atau kode_desa) / "
            f"a national run splits villages by kabupaten and needs Kemendagri codes (a kode_kab or kode_desa column); "
            f"columns: {', '.join(map(str, villages.columns))}"
        )
    digits = _digits(villages[code_col].astype(object))
    bad = digits.str.len() < 4
    if bad.any():
        rows = [str(v) for v in villages.loc[bad, code_col].head(5)]
        raise FieldError(
            f"{path}: {int(bad.sum())} desa tanpa kode kabupaten yang terbaca di kolom {code_col} / "
            f"{int(bad.sum())} village(s) have no readable kabupaten code in column {code_col} (e.g. {rows}); "
            "fix the codes or give a kode_kab column"
        )
    return digits.str[:4]


def _names(villages: pd.DataFrame, kab: pd.Series) -> dict[str, tuple[str, str, str]]:
    """kode_kab -> (nama_kab, kode_prov, nama_prov)."""
    kab_name = _column(villages, KAB_NAME_COLUMNS)
    prov_name = _column(villages, PROV_NAME_COLUMNS)
    frame = pd.DataFrame({"kab": kab.to_numpy()})
    frame["nama_kab"] = villages[kab_name].astype(str).to_numpy() if kab_name else frame["kab"]
    frame["nama_prov"] = villages[prov_name].astype(str).to_numpy() if prov_name else frame["kab"].str[:2]
    first = frame.groupby("kab", sort=True).first()
    return {k: (str(r.nama_kab), k[:2], str(r.nama_prov)) for k, r in first.iterrows()}


def _with_crs(frame: gpd.GeoDataFrame, spec: LayerInput) -> gpd.GeoDataFrame:
    if frame.crs is None and spec.assume_crs:
        frame = frame.set_crs(parse_crs(spec.assume_crs))
    return frame


def _split_layers(config: RunConfig) -> dict[str, LayerInput]:
    """Every vector input the split cuts into parts, by part name (``desa``, ``landuse``, ``garis_jalan``, ...)."""
    inp = config.inputs
    layers: dict[str, LayerInput | None] = {"desa": inp.villages} | {name: getattr(inp, name) for name in CLASS_LAYERS}
    layers |= {f"garis_{n}": s for n, s in inp.lines.items()} | {f"titik_{n}": s for n, s in inp.points.items()}
    return {name: spec for name, spec in layers.items() if spec is not None}


def _split_table(config: RunConfig) -> TableInput | None:
    """The attribute table when it is split by code (one joined through a BPS crosswalk is given whole)."""
    table = config.inputs.table
    return table if table is not None and table.crosswalk is None else None


def _files_of(path: Path) -> list[Path]:
    """The file and, for a shapefile, its sidecars (.dbf, .prj, ...), whose bytes make the layer too."""
    if path.suffix.lower() != ".shp":
        return [path]
    return [path, *sorted(p for p in path.parent.glob(path.stem + ".*") if p != path)]


def _data_files(config: RunConfig) -> list[Path]:
    paths = [p for spec in _split_layers(config).values() for p in _files_of(spec.path)]
    table = _split_table(config)
    if table is not None:
        paths.append(table.path)
    return list(dict.fromkeys(paths))


def _checksums(paths: list[Path], known: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Checksum, size and modification time of each existing file.

    A file whose size and modification time are those recorded in ``known`` (the previous
    manifest) keeps its recorded checksum instead of being read again: the national land use
    alone is 2.5 GB, ~25 s of hashing at every start of a run or a restart.
    """
    out: dict[str, dict[str, Any]] = {}
    for path in paths:
        if not path.exists():
            continue  # read_raw names the missing file when the split reads it
        stat = path.stat()
        seen = known.get(str(path))
        if isinstance(seen, dict) and seen.get("size") == stat.st_size and seen.get("mtime_ns") == stat.st_mtime_ns:
            out[str(path)] = seen
        else:
            out[str(path)] = {"sha256": sha256_file(path), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    return out


def _inputs_key(config: RunConfig, checksums: dict[str, dict[str, Any]]) -> str:
    """The split's identity: what decides the parts and nothing else.

    The bytes of every split input, the fields of its spec that choose its rows and CRS
    (:data:`PART_FIELDS`), which column splits the attribute table, the margin of line and
    point parts and :data:`SPLIT_VERSION`. Not the file paths (a moved input is the same
    input) and not the settings that only shape each kabupaten's run (class columns, mapping
    files, methods, weights, maps, report options): those decide the restart records
    (:mod:`kawasan_gis.scale.records`), never a new split.
    """

    def sums(path: Path) -> list[str]:
        return [checksums.get(str(p), {}).get("sha256", "hilang") for p in _files_of(path)]

    table = _split_table(config)
    key = {
        "version": SPLIT_VERSION,
        "near_m": NEAR_M,
        "parts": {
            name: {"files": sums(spec.path), **{f: getattr(spec, f) for f in PART_FIELDS}} for name, spec in sorted(_split_layers(config).items())
        },
        "table": None if table is None else {"files": sums(table.path), "code_column": table.code_column},
    }
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class _Layer:
    """A layer as Arrow: its record batches (attributes and WKB geometry, GeoParquet metadata in
    the schema), where each batch starts, and its CRS."""

    batches: list[pa.RecordBatch]
    starts: np.ndarray
    schema: pa.Schema
    geometry: str
    crs: CRS | None

    @classmethod
    def of(cls, table: pa.Table, column: str, crs: CRS | None) -> _Layer:
        table = _part_schema(table, column, crs)
        batches = table.to_batches()
        starts = np.cumsum([0] + [b.num_rows for b in batches])
        return cls(batches=batches, starts=starts, schema=table.schema, geometry=column, crs=crs)

    @property
    def num_rows(self) -> int:
        return int(self.starts[-1])

    def geometry_column(self) -> pa.ChunkedArray:
        return pa.chunked_array([b.column(self.geometry) for b in self.batches], type=self.schema.field(self.geometry).type)

    def part(self, rows: np.ndarray) -> pa.Table:
        """The rows (ascending positions) of the layer, as a table to write.

        Taken batch by batch: ``Table.take`` concatenates every chunk of a binary column first,
        2.7 s a part for the national pola ruang (23 minutes for 514 kabupaten) against 0.05 s.
        """
        cuts = np.searchsorted(rows, self.starts)
        pieces = [
            self.batches[i].take(pa.array(rows[cuts[i] : cuts[i + 1]] - self.starts[i]))
            for i in range(len(self.batches))
            if cuts[i + 1] > cuts[i]
        ]
        return pa.Table.from_batches(pieces, schema=self.schema)


def _arrow_parquet(path: Path, spec: LayerInput) -> _Layer | None:
    """A GeoParquet file straight from its bytes (no geometry decoded and encoded again), or None
    when it needs the general reader (a filter, no GeoParquet metadata, a non-WKB encoding)."""
    if path.suffix.lower() not in {".parquet", ".geoparquet"} or spec.where:
        return None
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException):
        return None  # read_raw says what is wrong with the file
    try:
        geo = json.loads((table.schema.metadata or {})[b"geo"])
        column = geo["primary_column"]
        info = geo["columns"][column]
    except (KeyError, TypeError, ValueError):
        return None
    if str(info.get("encoding", "")).upper() != "WKB" or column not in table.column_names:
        return None
    # GeoParquet: no "crs" key means OGC:CRS84, a null one an unknown CRS
    crs = CRS.from_user_input(info["crs"]) if info.get("crs") is not None else None if "crs" in info else CRS.from_user_input("OGC:CRS84")
    if crs is None and spec.assume_crs:
        crs = parse_crs(spec.assume_crs)
    return _Layer.of(table, column, crs)


def _part_schema(table: pa.Table, column: str, crs: CRS | None) -> pa.Table:
    """``table`` with the metadata every part keeps: GeoParquet's, with its CRS and without the
    whole layer's bounding box; no pandas index (each part is read with a fresh 0..n-1 index)."""
    geo = json.loads(table.schema.metadata[b"geo"])
    geo["primary_column"] = column
    info = {k: v for k, v in geo["columns"][column].items() if k != "bbox"}
    info["crs"] = crs.to_json_dict() if crs is not None else None
    geo["columns"] = {column: info}
    table = table.drop_columns([c for c in table.column_names if c.startswith("__index_level_")])
    return table.replace_schema_metadata({b"geo": json.dumps(geo).encode()})


def _arrow_frame(frame: gpd.GeoDataFrame) -> _Layer:
    """A layer read by :func:`read_raw` as Arrow, encoded by geopandas' own GeoParquet writer."""
    frame = frame.copy(deep=False)
    frame.attrs = {}
    sink = io.BytesIO()
    frame.to_parquet(sink, index=False)
    table = pq.read_table(pa.BufferReader(sink.getvalue()))
    column = frame.geometry.name
    return _Layer.of(table, column, frame.crs)


def _read_layer(spec: LayerInput, *, kind: str, frame: gpd.GeoDataFrame | None = None) -> _Layer:
    """The layer of ``spec`` as Arrow; ``frame`` is the layer already read by :func:`read_raw`, if it was."""
    layer = _arrow_parquet(spec.path, spec)
    if layer is None:
        if frame is None:
            frame, _ = read_raw(spec.path, layer=spec.layer, kind=kind, where=spec.where)
        layer = _arrow_frame(_with_crs(frame, spec))
    return layer


def _write_part(data: pa.Table | pd.DataFrame, path: Path) -> str:
    """Write one part atomically and return its checksum (of the bytes written, not read back)."""
    if isinstance(data, pa.Table):
        sink = pa.BufferOutputStream()
        pq.write_table(data, sink, compression="zstd")
        payload = sink.getvalue()
    else:
        payload = data.to_csv(index=False).encode("utf-8")
    with atomic_file(path) as tmp:
        tmp.write_bytes(memoryview(payload))
    return hashlib.sha256(payload).hexdigest()


def _groups(owner: np.ndarray, rows: np.ndarray, n_groups: int) -> list[np.ndarray]:
    """Rows of each group 0..n_groups-1, ascending, from (group, row) pairs (duplicates dropped)."""
    if len(owner) == 0:
        return [np.empty(0, dtype=np.int64) for _ in range(n_groups)]
    n = int(rows.max()) + 1
    pairs = np.unique(owner.astype(np.int64) * n + rows)
    cuts = np.searchsorted(pairs // n, np.arange(n_groups + 1))
    return [pairs[cuts[i] : cuts[i + 1]] % n for i in range(n_groups)]


def _meeting(layer: _Layer, villages: gpd.GeoDataFrame, kab: np.ndarray, n_kab: int, *, near_m: float | None) -> list[np.ndarray]:
    """For each kabupaten (index into the sorted codes), the row positions of ``layer`` meeting
    (or, with ``near_m``, near) its villages.

    The layer's geometry is decoded :data:`BATCH_ROWS` rows at a time, each batch queried with
    every village in one STRtree call: memory holds one batch of shapes, not the country's.
    """
    geoms = villages.geometry.to_crs(layer.crs).values if layer.crs is not None and villages.crs is not None else villages.geometry.values
    geoms = np.asarray(geoms, dtype=object)
    if near_m is not None:
        # envelopes grown by near_m, in the layer's units (degrees: ~111 km each)
        pad = near_m / 111_320.0 if (layer.crs is not None and layer.crs.is_geographic) else near_m
        b = shapely.bounds(geoms)
        geoms = shapely.box(b[:, 0] - pad, b[:, 1] - pad, b[:, 2] + pad, b[:, 3] + pad)
    column = layer.geometry_column()
    owners, rows = [], []
    for start in range(0, len(column), BATCH_ROWS):
        tree = shapely.STRtree(shapely.from_wkb(column.slice(start, BATCH_ROWS).to_numpy()))
        try:
            v, f = tree.query(geoms, predicate="intersects")
        except shapely.errors.GEOSException:
            # an invalid feature the pipeline will repair: fall back to envelopes (a superset)
            v, f = tree.query(geoms)
        owners.append(kab[v])
        rows.append(f + start)
    if not owners:
        return _groups(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), n_kab)
    return _groups(np.concatenate(owners), np.concatenate(rows), n_kab)


def _table_column(table: pd.DataFrame, codes: set[str], given: str | None) -> str | None:
    if given is not None:
        return given if given in table.columns else None
    best, hits = None, 0
    for col in table.columns:
        n = len(set(_digits(table[col].astype(object))) & codes)
        if n > hits:
            best, hits = col, n
    return best


def partition_inputs(config: RunConfig, folder: str | Path) -> list[Partition]:
    """Split the inputs of ``config`` by kabupaten into ``folder`` (cached; see the module).

    Parameters
    ----------
    config
        A run configuration whose villages span several kabupaten.
    folder
        Where the parts go (``OUT/masukan`` in a national run).

    Returns
    -------
    list of Partition
        One per kabupaten, sorted by kabupaten code.
    """
    folder = Path(folder)
    manifest_path = folder / "manifest.json"
    manifest: dict[str, Any] = {}
    if manifest_path.exists():
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except ValueError:
            manifest = {}  # a damaged manifest: split again
    files = _checksums(_data_files(config), manifest.get("inputs", {}))
    key = _inputs_key(config, files)
    if manifest:
        if manifest.get("key") == key and all((folder / name).exists() for kab in manifest["kabupaten"].values() for name in kab["files"]):
            log.info("kabupaten parts reused from %s", folder)
            return [_partition(config, folder, k, v) for k, v in sorted(manifest["kabupaten"].items())]

    inp = config.inputs
    villages, _ = read_raw(inp.villages.path, layer=inp.villages.layer, kind="villages", where=inp.villages.where)
    villages = _with_crs(villages, inp.villages)
    kab = kabupaten_codes(villages, path=inp.villages.path).to_numpy()
    names = _names(villages, pd.Series(kab))
    kabs, kab_index = np.unique(kab.astype(str), return_inverse=True)
    kabs = [str(k) for k in kabs]
    entries: dict[str, dict[str, Any]] = {
        k: {"nama_kab": names[k][0], "kode_prov": names[k][1], "nama_prov": names[k][2], "files": {}} for k in kabs
    }
    # the parts are compressed and written by Arrow and hashed by hashlib, both outside the GIL
    with ThreadPoolExecutor(max_workers=WRITE_THREADS) as pool:

        def write_all(name: str, table: _Layer | pd.DataFrame, groups: list[np.ndarray]) -> None:
            def one(i: int) -> str:
                part = table.part(groups[i]) if isinstance(table, _Layer) else table.iloc[groups[i]]
                return _write_part(part, folder / kabs[i] / name)

            for k, checksum in zip(kabs, pool.map(one, range(len(kabs))), strict=True):
                entries[k]["files"][f"{k}/{name}"] = checksum

        village_rows = _groups(kab_index, np.arange(len(kab_index)), len(kabs))
        for k, rows in zip(kabs, village_rows, strict=True):
            entries[k]["n_desa"] = len(rows)
        write_all("desa.parquet", _read_layer(inp.villages, kind="villages", frame=villages), village_rows)

        for name, spec in _split_layers(config).items():
            if name == "desa":
                continue
            kind = "lines" if name.startswith("garis_") else "points" if name.startswith("titik_") else ("rtrw" if name == "rtrw" else "landuse")
            layer = _read_layer(spec, kind=kind)
            near = name.startswith(("garis_", "titik_"))
            write_all(f"{name}.parquet", layer, _meeting(layer, villages, kab_index, len(kabs), near_m=NEAR_M if near else None))
            log.info("split %s: %d features", name, layer.num_rows)
            del layer

        table_spec = _split_table(config)
        if table_spec is not None:
            table = read_table(table_spec.path)
            code_col = _column(villages, CODE_COLUMNS)
            all_codes = set(_digits(villages[code_col].astype(object))) if code_col else set()
            col = _table_column(table, all_codes, table_spec.code_column)
            if col is not None:
                prefix = _digits(table[col].astype(object)).str[:4].to_numpy()
                lookup = {k: i for i, k in enumerate(kabs)}
                owner = np.array([lookup.get(str(p), -1) for p in prefix], dtype=np.int64)
                mine = owner >= 0
                write_all("tabel.csv", table, _groups(owner[mine], np.flatnonzero(mine), len(kabs)))
                for k in kabs:
                    entries[k]["table_column"] = str(col)

    write_text(manifest_path, json.dumps({"key": key, "inputs": files, "kabupaten": entries}, indent=1, ensure_ascii=False))
    return [_partition(config, folder, k, entries[k]) for k in kabs]


def _partition(config: RunConfig, folder: Path, kode: str, entry: dict[str, Any]) -> Partition:
    """The kabupaten's configuration: the national one with every split input pointing at its part."""
    inp = config.inputs
    here = folder / kode

    def part(spec: LayerInput | None, name: str) -> LayerInput | None:
        if spec is None:
            return None
        path = here / f"{name}.parquet"
        # the filter and layer were applied while splitting; CRS, column, mapping stay as given
        return replace(spec, path=path, layer=None, where=None) if path.exists() else spec

    table = inp.table
    if table is not None and (here / "tabel.csv").exists():
        table = TableInput(path=here / "tabel.csv", code_column=entry.get("table_column"), crosswalk=None)
    # replace() rather than a new Inputs: inputs that are not split (the land-cover raster, the IDM
    # table, the designated centres) reach every kabupaten whole, including ones added later
    inputs = replace(
        inp,
        villages=part(inp.villages, "desa"),  # type: ignore[arg-type]
        rtrw=part(inp.rtrw, "rtrw"),
        landuse=part(inp.landuse, "landuse"),
        lp2b=part(inp.lp2b, "lp2b"),
        hazard=part(inp.hazard, "hazard"),
        lines={n: part(s, f"garis_{n}") for n, s in inp.lines.items()},  # type: ignore[misc]
        points={n: part(s, f"titik_{n}") for n, s in inp.points.items()},  # type: ignore[misc]
        table=table,
    )
    project = replace(config.project, name=f"{config.project.name}: {entry['nama_kab']}")
    return Partition(
        kode_kab=kode,
        nama_kab=entry["nama_kab"],
        kode_prov=entry["kode_prov"],
        nama_prov=entry["nama_prov"],
        n_desa=int(entry["n_desa"]),
        folder=here,
        config=replace(config, inputs=inputs, project=project),
        checksums=dict(entry["files"]),
        nbytes=sum((folder / name).stat().st_size for name in entry["files"] if (folder / name).exists()),
    )
