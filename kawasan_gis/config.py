"""Run configuration: one TOML file names the inputs, the method and the outputs.

The file is read into frozen dataclasses. Every problem (unknown keys, wrong types,
missing files, bad values) is gathered and reported at once in one
:class:`~kawasan_gis.errors.ConfigError`, before any work starts. Relative paths are
taken from the folder of the config file.

See ``docs/config.md`` for every key; ``kawasan init`` writes a commented starter file.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from kawasan_gis.errors import ConfigError

LANGS = ("id", "en")
THRESHOLD_KEYS = (
    "toleransi_ha", "tidak_sesuai_pct_X", "bersyarat_pct_X", "bersyarat_pct_B", "bersyarat_pct_outside", "min_cakupan_rtrw_pct",
    "tidak_sesuai_pct_outside", "min_pct_ruang_kembang",
)  # fmt: skip
RASTER_CODES = ("klhk", "worldcover")
CENTRE_BASES = ("units", "presence")
CENTRE_ORDERS = ("sturges", "natural_breaks")
FACILITY_CATEGORIES = ("pendidikan", "kesehatan", "ekonomi", "pemerintahan", "prasarana")


@dataclass(frozen=True)
class LayerInput:
    """One input layer: a file, optionally a layer inside it and a column to use."""

    path: Path
    layer: str | None = None
    column: str | None = None
    assume_crs: str | None = None
    by: str | None = None  # lines/points: column that splits the layer into classes
    mapping: Path | None = None  # class layers: mapping TOML for local class names
    where: str | None = None  # OGR SQL attribute filter applied while reading
    codes: str | None = None  # land-cover raster: code scheme of its values (klhk, worldcover)
    role: str | None = None  # lines/points: the catalogue role it plays (default: its name in the config)
    # villages: columns that override detection (code, name, kecamatan name, kabupaten name)
    code_column: str | None = None
    name_column: str | None = None
    kecamatan_column: str | None = None
    kabupaten_column: str | None = None

    def village_columns(self) -> dict[str, str | None]:
        """The column overrides as keyword arguments of :func:`kawasan_gis.io.read_villages`."""
        return {k: getattr(self, k) for k in VILLAGE_COLUMN_KEYS}


@dataclass(frozen=True)
class TableInput:
    path: Path
    code_column: str | None = None
    crosswalk: Path | None = None
    roles: dict[str, str] = field(default_factory=dict)  # catalogue role -> column of the table


@dataclass(frozen=True)
class Inputs:
    villages: LayerInput
    rtrw: LayerInput | None = None
    landuse: LayerInput | None = None
    landcover_raster: LayerInput | None = None
    lp2b: LayerInput | None = None
    hazard: LayerInput | None = None
    lines: dict[str, LayerInput] = field(default_factory=dict)
    points: dict[str, LayerInput] = field(default_factory=dict)
    table: TableInput | None = None
    idm: TableInput | None = None  # Indeks Desa Membangun table (idm, iks, ike, ikl by village code)
    centres: LayerInput | None = None  # RTRW designated centres (PKW, PKL, PPK, PPL); `column` names the function

    def role_of(self, group: str, name: str) -> str:
        """The role line or point input ``name`` of ``group`` plays: its ``role``, else its name."""
        spec = (self.lines if group == "lines" else self.points)[name]
        return spec.role or name


@dataclass(frozen=True)
class ProjectOptions:
    name: str = "Kawasan Perdesaan"
    lang: str = "id"
    working_crs: str | None = None
    threads: int | None = None  # geometry threads of a run (None: 2; a Dask job: its share of the cores)


@dataclass(frozen=True)
class PotentialOptions:
    catalogue: Path | None = None
    mixed_margin: float = 0.05
    max_pct_lindung: float = 50.0  # a village more lindung than this gets no development potential
    min_weight_share: float = 0.3  # share of a potential's weight that must have data
    min_evidence: float = 0.2  # least coverage-weighted evidence for a potential to be scored


@dataclass(frozen=True)
class ProposalOptions:
    method: str = "dominant"
    n_zones: int | None = None
    min_villages: int = 2
    # 25 villages: the size of the kawasan perdesaan in the bundled kabupaten plans, a few
    # kecamatan; without a limit one potential can take most of a kabupaten into one kawasan.
    max_villages: int | None = 25
    max_area_ha: float | None = None
    include_kelurahan: bool = True
    snap_m: float = 30.0
    random_state: int = 0
    n_perturb: int = 20
    # A kawasan holding more than this share (%) of its kabupaten's villages, area or kecamatan
    # is reported as a warning (terminal, report, run.json): it is a region, not a kawasan.
    warn_share_pct: float = 25.0


@dataclass(frozen=True)
class CheckOptions:
    matrix: Path | None = None
    fail_on: str = "never"
    conditional_conflicts: bool = True
    # Verdict thresholds; None keeps the default of [verdict] in kawasan_gis/data/check.toml.
    toleransi_ha: float | None = None
    tidak_sesuai_pct_X: float | None = None
    bersyarat_pct_X: float | None = None
    bersyarat_pct_B: float | None = None
    bersyarat_pct_outside: float | None = None
    min_cakupan_rtrw_pct: float | None = None
    tidak_sesuai_pct_outside: float | None = None
    min_pct_ruang_kembang: float | None = None

    def thresholds(self) -> dict[str, float]:
        """The verdict thresholds this config sets (for ``check_plan(thresholds=...)``)."""
        return {k: v for k in THRESHOLD_KEYS if (v := getattr(self, k)) is not None}


@dataclass(frozen=True)
class CentreOptions:
    """Settlement hierarchy and growth centres (``[centres]``; see docs/config.md)."""

    roads: str | None = None  # a line layer of [inputs.lines]: the road network
    facilities: dict[str, str] = field(default_factory=dict)  # facility -> category
    basis: str = "units"
    orders: str = "sturges"
    n_orders: int | None = None
    beyond_km: float = 10.0
    secondary_min_villages: int = 15
    snap_m: float = 20.0
    weight_hierarchy: float = 0.4
    weight_access: float = 0.35
    weight_designation: float = 0.25

    @property
    def enabled(self) -> bool:
        return bool(self.facilities) or self.roads is not None


@dataclass(frozen=True)
class ProfileOptions:
    """Four-pillar profile (``[profile]``)."""

    access_km: float = 5.0
    irrigation: str | None = None  # a line layer of [inputs.lines]: irrigation canals
    program: Path | None = None


@dataclass(frozen=True)
class OutputOptions:
    shapefile: bool = False
    geojson: bool = True
    kml: bool = True
    xlsx: bool = True
    offline_map: bool = True
    static_map: bool = True
    # the print map's vector PDF beside the PNG: on request, it takes as long to render as the PNG
    pdf: bool = False


@dataclass(frozen=True)
class MapOptions:
    """The print map's title block and sources (``[peta]``; see docs/config.md).

    Keys in Indonesian, as they appear on the map: ``judul`` the title (default: the
    project name), ``instansi`` the institution issuing the map, ``nomor`` the map number,
    ``tahun`` the year, ``sumber`` the legal and institutional sources printed instead of
    the input file names (e.g. the Perda RTRW, BIG, BPS).
    """

    judul: str | None = None
    instansi: str | None = None
    nomor: str | None = None
    tahun: str | None = None
    sumber: tuple[str, ...] = ()

    def title_block(self) -> dict[str, str]:
        """What :func:`kawasan_gis.maps.static_map` prints in its title block."""
        return {k: v for k in ("instansi", "nomor", "tahun") if (v := getattr(self, k))}


@dataclass(frozen=True)
class RunConfig:
    """Everything a ``kawasan run`` needs."""

    inputs: Inputs
    project: ProjectOptions = ProjectOptions()
    potentials: PotentialOptions = PotentialOptions()
    proposal: ProposalOptions = ProposalOptions()
    check: CheckOptions = CheckOptions()
    centres: CentreOptions = CentreOptions()
    profile: ProfileOptions = ProfileOptions()
    outputs: OutputOptions = OutputOptions()
    peta: MapOptions = MapOptions()
    source: Path | None = None

    def with_overrides(self, **sections: Any) -> RunConfig:
        """A copy with some sections replaced (used by the CLI and the demo)."""
        return replace(self, **sections)


SECTIONS = {
    "project": ProjectOptions,
    "potentials": PotentialOptions,
    "proposal": ProposalOptions,
    "check": CheckOptions,
    "centres": CentreOptions,
    "profile": ProfileOptions,
    "outputs": OutputOptions,
    "peta": MapOptions,
}
# Optional numbers whose 0 means "no limit" (None), except these, where 0 is a value of its own.
_ZERO_IS_A_VALUE = set(THRESHOLD_KEYS)
LAYER_KEYS = {f.name for f in fields(LayerInput)}
TABLE_KEYS = {f.name for f in fields(TableInput)}
VILLAGE_COLUMN_KEYS = ("code_column", "name_column", "kecamatan_column", "kabupaten_column")
_TEXT_KEYS = ("layer", "column", "assume_crs", "by", "where", "codes", "role", *VILLAGE_COLUMN_KEYS)
INPUT_LAYERS = ("villages", "rtrw", "landuse", "landcover_raster", "lp2b", "hazard", "centres")


def methods() -> tuple[str, ...]:
    """The regionalization methods ``[proposal] method`` may name: the solvers in
    :data:`kawasan_gis.regionalize.SOLVERS`, so a solver added with
    :func:`~kawasan_gis.regionalize.register_solver` is accepted without editing this module.

    Examples
    --------
    >>> methods()
    ('dominant', 'ward')
    """
    # imported here: the regionalize package pulls in geopandas and scipy, which reading a
    # config (and ``kawasan --help``) should not pay for
    from kawasan_gis.regionalize.solvers import SOLVERS

    return tuple(SOLVERS)


class _Problems:
    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[str] = []

    def add(self, where: str, what: str) -> None:
        self.items.append(f"[{where}] {what}")

    def raise_if_any(self) -> None:
        if self.items:
            raise ConfigError(f"{self.source}: konfigurasi memuat {len(self.items)} masalah / the configuration has {len(self.items)} problem(s):",
                              problems=self.items)


def _unknown_key(key: str, allowed: Iterable[str]) -> str:
    return f"kunci tidak dikenal / unknown key '{key}' (sah / allowed: {', '.join(sorted(allowed))})"


def _not_one_of(value: Any, allowed: Iterable[str], what: str = "") -> str:
    what = f"{what} " if what else ""
    return f"{what}'{value}' tidak dikenal / is not one of: {', '.join(allowed)}"


def _path(value: Any, base: Path, where: str, problems: _Problems, *, must_exist: bool = True) -> Path | None:
    if not isinstance(value, str) or not value.strip():
        problems.add(where, f"harus path berkas (teks), bukan {value!r} / expected a file path (text), got {value!r}")
        return None
    p = Path(value).expanduser()
    p = p if p.is_absolute() else (base / p)
    if must_exist and not p.exists():
        problems.add(where, f"berkas tidak ditemukan / file not found: {p}")
    return p


def _layer(value: Any, base: Path, where: str, problems: _Problems) -> LayerInput | None:
    if isinstance(value, str):
        value = {"path": value}
    if not isinstance(value, dict):
        problems.add(where, f"harus path atau tabel {{ path = ..., layer = ... }}, bukan {value!r} / expected a path or a table {{ path = ..., layer = ... }}, got {value!r}")
        return None
    unknown = set(value) - LAYER_KEYS
    for key in sorted(unknown):
        problems.add(where, _unknown_key(key, LAYER_KEYS))
    if "path" not in value:
        problems.add(where, "'path' tidak ada / missing 'path'")
        return None
    path = _path(value["path"], base, f"{where}.path", problems)
    for key in (*_TEXT_KEYS, "mapping"):
        if key in value and not isinstance(value[key], str):
            problems.add(f"{where}.{key}", f"harus teks, bukan {value[key]!r} / expected text, got {value[key]!r}")
    group = where.split(".")[1] if where.count(".") >= 1 else ""
    if "role" in value and group not in ("lines", "points"):
        problems.add(
            f"{where}.role",
            "peran hanya untuk lapisan [inputs.lines] dan [inputs.points] (kolom tabel: roles = { PERAN = \"KOLOM\" }) / "
            "a role is for [inputs.lines] and [inputs.points] layers only (table columns: roles = { ROLE = \"COLUMN\" })",
        )
    for key in VILLAGE_COLUMN_KEYS:
        if key in value and group != "villages":
            problems.add(f"{where}.{key}", f"'{key}' hanya untuk lapisan desa (villages) / '{key}' is for the villages layer only")
    mapping = _path(value["mapping"], base, f"{where}.mapping", problems) if value.get("mapping") else None
    if path is None:
        return None
    kwargs = {k: value.get(k) for k in _TEXT_KEYS if isinstance(value.get(k), str)}
    return LayerInput(path=path, mapping=mapping, **kwargs)


def _table_roles(value: Any, where: str, problems: _Problems) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) and v for k, v in value.items()):
        problems.add(where, 'harus berupa tabel PERAN = "KOLOM" / expected a table of ROLE = "COLUMN", e.g. { ternak = "JML_TERNAK" }')
        return {}
    return dict(value)


def _check_roles(
    lines: dict[str, LayerInput], points: dict[str, LayerInput], table: TableInput | None, catalogue: Path | None, problems: _Problems
) -> None:
    """Every role named in [inputs] is a role of the potentials catalogue, played by one input only."""
    named = [(g, n, s.role) for g, group in (("lines", lines), ("points", points)) for n, s in group.items() if s.role]
    named += [("table", column, role) for role, column in (table.roles.items() if table is not None else ())]
    if named:
        from kawasan_gis.errors import KawasanError
        from kawasan_gis.vocab import describe_roles, input_roles, load_potentials

        try:
            known = input_roles(load_potentials(overrides=catalogue))
        except KawasanError as exc:  # a broken catalogue file is reported under its own key
            problems.add("potentials.catalogue", str(exc))
            return
        for group, name, role in named:
            where = f"inputs.{group}.roles.{role}" if group == "table" else f"inputs.{group}.{name}.role"
            if not any(r.role == role and r.group == group for r in known):
                listed = describe_roles(known, group=group)
                problems.add(
                    where,
                    f"peran '{role}' tidak dikenal; peran yang dikenal / unknown role '{role}'; the known roles are:\n      "
                    + "\n      ".join(listed or ["(tidak ada / none)"]),
                )
    for group, specs in (("lines", lines), ("points", points)):
        players: dict[str, list[str]] = {}
        for name, spec in specs.items():
            players.setdefault(spec.role or name, []).append(name)
        for role, names in players.items():
            if len(names) > 1:
                problems.add(
                    f"inputs.{group}",
                    f"{', '.join(names)} memainkan peran yang sama '{role}': gabungkan lapisannya atau beri peran lain / "
                    f"{', '.join(names)} play the same role '{role}': merge the layers or give one another role",
                )


def _options(cls: type, raw: Any, base: Path, where: str, problems: _Problems) -> Any:
    if not isinstance(raw, dict):
        problems.add(where, f"harus tabel, bukan {raw!r} / expected a table, got {raw!r}")
        return cls()
    known = {f.name: f for f in fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            problems.add(where, _unknown_key(key, known))
            continue
        default = getattr(cls(), key)
        ftype = str(known[key].type)
        if ftype.startswith("tuple[str"):
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                problems.add(f"{where}.{key}", f"harus daftar teks / expected a list of texts, e.g. [\"...\", \"...\"], got {value!r}")
            else:
                kwargs[key] = tuple(v.strip() for v in value if v.strip())
        elif cls is MapOptions and isinstance(value, int) and not isinstance(value, bool):
            kwargs[key] = str(value)  # a year or map number written as a number: tahun = 2026
        elif "Path" in ftype:
            kwargs[key] = _path(value, base, f"{where}.{key}", problems) if value not in ("", None) else None
        elif isinstance(default, bool) or ftype == "bool":
            if not isinstance(value, bool):
                problems.add(f"{where}.{key}", f"harus true atau false, bukan {value!r} / expected true or false, got {value!r}")
            else:
                kwargs[key] = value
        elif "int" in ftype and "float" not in ftype:
            if isinstance(value, bool) or not isinstance(value, int):
                problems.add(f"{where}.{key}", f"harus bilangan bulat, bukan {value!r} / expected a whole number, got {value!r}")
            else:
                kwargs[key] = value if value != 0 or "None" not in ftype else None
        elif "float" in ftype:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                problems.add(f"{where}.{key}", f"harus angka, bukan {value!r} / expected a number, got {value!r}")
            else:
                kwargs[key] = float(value) if value != 0 or "None" not in ftype or key in _ZERO_IS_A_VALUE else None
        else:
            if not isinstance(value, str):
                problems.add(f"{where}.{key}", f"harus teks, bukan {value!r} / expected text, got {value!r}")
            else:
                kwargs[key] = value or None if "None" in ftype else value
    return cls(**kwargs)


def _facilities(value: Any, problems: _Problems) -> dict[str, str]:
    if not isinstance(value, dict):
        problems.add("centres.facilities", 'harus tabel NAMA = "kategori" / expected a table of NAME = "category", e.g. { sma = "pendidikan" }')
        return {}
    out: dict[str, str] = {}
    for name, category in value.items():
        if category not in FACILITY_CATEGORIES:
            problems.add(f"centres.facilities.{name}", _not_one_of(category, FACILITY_CATEGORIES, "kategori / category"))
        else:
            out[str(name)] = category
    return out


def _check_centres(
    centres: CentreOptions,
    profile: ProfileOptions,
    lines: dict[str, LayerInput],
    points: dict[str, LayerInput],
    table: TableInput | None,
    idm: TableInput | None,
    designated: LayerInput | None,
    problems: _Problems,
) -> None:
    """The names in [centres] and [profile] must point at inputs that exist."""
    if centres.basis not in CENTRE_BASES:
        problems.add("centres.basis", _not_one_of(centres.basis, CENTRE_BASES))
    if centres.orders not in CENTRE_ORDERS:
        problems.add("centres.orders", _not_one_of(centres.orders, CENTRE_ORDERS))
    if centres.n_orders is not None and centres.n_orders < 1:
        problems.add("centres.n_orders", "minimal 1 (0 atau tidak diisi: k Sturges) / must be at least 1 (0 or absent: Sturges' k)")
    for key in ("beyond_km", "snap_m", "weight_hierarchy", "weight_access", "weight_designation"):
        if getattr(centres, key) < 0:
            problems.add(f"centres.{key}", "harus 0 atau lebih / must be 0 or more")
    if centres.weight_hierarchy + centres.weight_access + centres.weight_designation <= 0:
        problems.add("centres", "ketiga bobot bernilai 0 / the three weights are all 0")
    if profile.access_km <= 0:
        problems.add("profile.access_km", "harus lebih dari 0 km / must be more than 0 km")
    for where, name in (("centres.roads", centres.roads), ("profile.irrigation", profile.irrigation)):
        if name is not None and name not in lines:
            problems.add(where, f"'{name}' bukan lapisan garis [inputs.lines] / is not a line layer of [inputs.lines] (ada / there: {', '.join(lines) or '-'})")
    for name in centres.facilities:
        layer, _, value = name.partition(".")
        spec = points.get(layer) or lines.get(layer)
        if spec is not None:
            if value and spec.by is None:
                problems.add(f"centres.facilities.{name}", f"'{layer}' tidak punya kolom `by`, jadi tidak punya kelas '{value}' / has no `by` column, so it has no class '{value}'")
        elif table is None:
            problems.add(
                f"centres.facilities.{name}",
                f"bukan lapisan titik atau garis [inputs] dan tidak ada [inputs] table yang kolomnya bisa dipakai / "
                f"not a point or line layer of [inputs] and there is no [inputs] table whose column it could be "
                f"(lapisan / layers: {', '.join([*points, *lines]) or '-'})",
            )
    if designated is not None and designated.column is None:
        problems.add("inputs.centres", 'sebutkan kolom fungsi pusat (PKW, PKL, PPK...) / say which column holds the function (PKW, PKL, PPK...): column = "Fungsi"')


def parse_config(raw: dict[str, Any], *, base: Path, source: str = "config") -> RunConfig:
    """Build a :class:`RunConfig` from a parsed TOML mapping, listing every problem at once."""
    problems = _Problems(source)
    allowed = set(SECTIONS) | {"inputs"}
    for key in sorted(set(raw) - allowed):
        problems.add(key, f"bagian tidak dikenal / unknown section (sah / allowed: {', '.join(sorted(allowed))})")

    inp = raw.get("inputs")
    villages = None
    layers: dict[str, LayerInput | None] = {}
    lines: dict[str, LayerInput] = {}
    points: dict[str, LayerInput] = {}
    table = None
    tables: dict[str, TableInput] = {}
    if not isinstance(inp, dict):
        problems.add("inputs", "tidak ada: bagian [inputs] minimal menyebut lapisan desa / missing: the [inputs] section must name at least the villages layer")
    else:
        allowed_inputs = set(INPUT_LAYERS) | {"lines", "points", "table", "idm"}
        for key in sorted(set(inp) - allowed_inputs):
            problems.add("inputs", _unknown_key(key, allowed_inputs))
        if "villages" not in inp:
            problems.add("inputs", "'villages' tidak ada: lapisan batas desa wajib / missing 'villages': the village boundary layer is required")
        for key in INPUT_LAYERS:
            if key in inp:
                layers[key] = _layer(inp[key], base, f"inputs.{key}", problems)
        villages = layers.get("villages")
        for group, target in (("lines", lines), ("points", points)):
            entries = inp.get(group, {})
            if not isinstance(entries, dict):
                problems.add(f"inputs.{group}", "harus tabel NAMA = { path = ... } / expected a table of NAME = { path = ... }")
                continue
            for name, value in entries.items():
                if not name.isidentifier():
                    problems.add(f"inputs.{group}.{name}", "nama hanya huruf, angka dan _ (menjadi nama kolom) / names must be letters, digits and _ (they become column names)")
                layer = _layer(value, base, f"inputs.{group}.{name}", problems)
                if layer is not None:
                    target[name] = layer
        for key in ("table", "idm"):
            if key not in inp:
                continue
            t = inp[key]
            t = {"path": t} if isinstance(t, str) else t
            if not isinstance(t, dict) or "path" not in t:
                problems.add(f"inputs.{key}", "harus / expected { path = ..., code_column = ..., crosswalk = ... }")
                continue
            for k in sorted(set(t) - TABLE_KEYS):
                problems.add(f"inputs.{key}", _unknown_key(k, TABLE_KEYS))
            tp = _path(t["path"], base, f"inputs.{key}.path", problems)
            cw = _path(t["crosswalk"], base, f"inputs.{key}.crosswalk", problems) if t.get("crosswalk") else None
            roles = _table_roles(t.get("roles", {}), f"inputs.{key}.roles", problems) if key == "table" else {}
            if key != "table" and "roles" in t:
                problems.add(f"inputs.{key}.roles", "peran kolom hanya untuk [inputs] table / column roles are for the [inputs] table only")
            if tp is not None:
                tables[key] = TableInput(path=tp, code_column=t.get("code_column"), crosswalk=cw, roles=roles)
        table = tables.get("table")

    raw_centres = raw.get("centres", {})
    facilities: dict[str, str] = {}
    if isinstance(raw_centres, dict) and "facilities" in raw_centres:
        raw_centres = dict(raw_centres)
        facilities = _facilities(raw_centres.pop("facilities"), problems)
    sections = {
        name: _options(cls, raw_centres if name == "centres" else raw.get(name, {}), base, name, problems)
        for name, cls in SECTIONS.items()
    }
    sections["centres"] = replace(sections["centres"], facilities=facilities)
    _check_centres(sections["centres"], sections["profile"], lines, points, table, tables.get("idm"), layers.get("centres"), problems)
    _check_roles(lines, points, table, sections["potentials"].catalogue, problems)
    prop: ProposalOptions = sections["proposal"]
    if prop.method not in (names := methods()):
        problems.add("proposal.method", _not_one_of(prop.method, names, "metode / method"))
    if prop.min_villages < 1:
        problems.add("proposal.min_villages", "minimal 1 (kerja sama UU 6/2014 perlu 2; bawaan 2) / must be at least 1 (UU 6/2014 cooperation needs 2; default 2)")
    if prop.max_villages is not None and prop.max_villages < prop.min_villages:
        problems.add("proposal.max_villages", f"{prop.max_villages} di bawah / is below min_villages {prop.min_villages}")
    if prop.snap_m < 0:
        problems.add("proposal.snap_m", "harus 0 meter atau lebih / must be 0 or more metres")
    from kawasan_gis.check import FAIL_LEVELS  # here, not at the top: the check imports the whole geo stack

    if sections["check"].fail_on not in FAIL_LEVELS:
        problems.add("check.fail_on", _not_one_of(sections["check"].fail_on, FAIL_LEVELS))
    from kawasan_gis.check import load_check_config
    from kawasan_gis.check.config import merge_thresholds

    found: list[str] = []
    merge_thresholds(load_check_config().thresholds, sections["check"].thresholds(), "check", found)
    for problem in found:
        key, _, text = problem.partition(": ")
        problems.add(key, text)
    if sections["project"].lang not in LANGS:
        problems.add("project.lang", _not_one_of(sections["project"].lang, LANGS))
    if sections["project"].threads is not None and sections["project"].threads < 1:
        problems.add("project.threads", f"minimal 1, bukan {sections['project'].threads} / must be at least 1, got {sections['project'].threads}")
    if sections["project"].working_crs:
        from kawasan_gis.io import is_metric, parse_crs

        try:
            crs = parse_crs(sections["project"].working_crs)
            if not is_metric(crs):
                problems.add("project.working_crs", f"{sections['project'].working_crs} tidak terproyeksi dalam meter (pakai zona UTM seperti EPSG:32748) / "
                                                   "is not projected in metres (use a UTM zone such as EPSG:32748)")
        except ConfigError:
            raise
        except Exception as exc:  # CRSError from parse_crs
            problems.add("project.working_crs", str(exc))
    raster = layers.get("landcover_raster")
    if raster is not None and raster.codes not in RASTER_CODES:
        problems.add(
            "inputs.landcover_raster.codes",
            f"sebutkan kode nilai raster / say which codes the raster holds: codes = {' or '.join(repr(c) for c in RASTER_CODES)} "
            f"(diberikan / got {raster.codes!r}); kawasan_gis tidak menebak / does not guess",
        )
    if villages is not None and not any(layers.get(k) for k in ("rtrw", "landuse", "landcover_raster")) and not lines and not points and table is None:
        problems.add("inputs", "tidak ada masukan indikator: berikan minimal satu dari / no indicator input: give at least one of "
                                "rtrw, landuse, landcover_raster, lines, points, table")
    problems.raise_if_any()
    assert villages is not None
    inputs = Inputs(
        villages=villages,
        rtrw=layers.get("rtrw"),
        landuse=layers.get("landuse"),
        landcover_raster=layers.get("landcover_raster"),
        lp2b=layers.get("lp2b"),
        hazard=layers.get("hazard"),
        lines=lines,
        points=points,
        table=table,
        idm=tables.get("idm"),
        centres=layers.get("centres"),
    )
    return RunConfig(inputs=inputs, source=None, **sections)


def load_config(path: str | Path) -> RunConfig:
    """Read and check a run configuration file.

    Examples
    --------
    >>> from kawasan_gis.config import load_config
    >>> cfg = load_config("data/lampung_timur.toml")
    >>> cfg.proposal.method, cfg.inputs.villages.path.name
    ('dominant', 'desa_lampung_timur.gpkg')
    """
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"{path}: berkas konfigurasi tidak ditemukan; buat dengan `kawasan init FOLDER` / config file not found; create one with `kawasan init DIR`.")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: bukan TOML yang sah / not valid TOML ({exc}).") from None
    cfg = parse_config(raw, base=path.resolve().parent, source=str(path))
    return replace(cfg, source=path.resolve())
