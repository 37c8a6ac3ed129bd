"""Restart records: which kabupaten are finished, and from what.

A kabupaten is finished when ``selesai/<kode_kab>.json`` exists and says it was computed
from the same input checksums (its parts, see :mod:`kawasan_gis.scale.partition`) and the
same settings (every configuration section except the input paths and the threads, the
files they name, whether maps were made, the package version). The record is written last and atomically,
after every output of the kabupaten is in place, so a record always means complete
outputs; a crash before it only costs that kabupaten's recomputation.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from kawasan_gis import __version__
from kawasan_gis._atomic import write_text
from kawasan_gis.config import RunConfig
from kawasan_gis.io import sha256_file
from kawasan_gis.scale.partition import Partition

RECORDS = "selesai"


def settings_checksums(config: RunConfig, *, maps: bool) -> dict[str, str]:
    """Checksums of everything besides the split inputs that shapes a kabupaten's outputs."""
    settings = asdict(config)
    settings.pop("inputs")
    settings.pop("source")
    settings["project"].pop("threads")  # how many threads computed it never changes a result
    out = {
        "pengaturan": hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest(),
        "peta": "ya" if maps else "tidak",
        "kawasan_gis": __version__,
    }
    inp = config.inputs
    extra = [spec.mapping for spec in (inp.rtrw, inp.landuse) if spec is not None and spec.mapping is not None]
    extra += [p for p in (config.potentials.catalogue, config.check.matrix) if p is not None]
    # inputs every kabupaten reads whole (not split by partition_inputs)
    extra += [spec.path for spec in (inp.landcover_raster, inp.centres) if spec is not None]
    if inp.idm is not None:
        extra += [p for p in (inp.idm.path, inp.idm.crosswalk) if p is not None]
    if inp.table is not None and inp.table.crosswalk is not None:
        extra += [inp.table.path, inp.table.crosswalk]
    for path in extra:
        out[str(path)] = sha256_file(path) if Path(path).exists() else "hilang"
    return out


def expected(partition: Partition, settings: dict[str, str]) -> dict[str, str]:
    """What a finished record of ``partition`` must say to be reused."""
    return {**partition.checksums, **settings}


def record_path(out: Path, kode_kab: str) -> Path:
    return Path(out) / RECORDS / f"{kode_kab}.json"


def read_record(out: Path, kode_kab: str) -> dict[str, Any] | None:
    path = record_path(out, kode_kab)
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # unreadable: treated as not finished, recomputed


def is_finished(out: Path, partition: Partition, settings: dict[str, str]) -> bool:
    """True when the kabupaten's record matches its current inputs and settings and its files exist."""
    record = read_record(out, partition.kode_kab)
    if record is None or record.get("checksums") != expected(partition, settings):
        return False
    names = [*record.get("files", []), record.get("folder", "")]
    return all(name and (Path(out) / name).exists() for name in names)


def write_record(out: Path, kode_kab: str, record: dict[str, Any]) -> Path:
    return write_text(record_path(out, kode_kab), json.dumps(record, indent=1, ensure_ascii=False, default=str))
