"""Class mappings and their files: the result of matching a column, templates, user mappings.

Owns :class:`ClassMapping` (every distinct raw value of a class column with its code),
:func:`write_template` (the ready-to-edit mapping TOML for the values not matched with
confidence) and :func:`read_mapping` (a filled-in template read back and checked, with line
numbers). Imports :mod:`.text`, :mod:`.reading`, :mod:`.classes`, :mod:`.matching`,
:mod:`kawasan_gis._atomic` and :mod:`kawasan_gis.errors`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import tomli_w

from kawasan_gis._atomic import write_text
from kawasan_gis.errors import ClassMappingError, ConfigError
from kawasan_gis.vocab.classes import Kind, Vocabulary, load_vocabulary, vocab_key
from kawasan_gis.vocab.matching import FUZZY_MARGIN, PREFILL_SCORE, ClassMatch, describe_suggestions, rank_fuzzy
from kawasan_gis.vocab.reading import check_keys, read_toml
from kawasan_gis.vocab.text import raw_text

NO_SIMILAR = "tidak ada kelas yang mirip / no similar class"

__all__ = ["ClassMapping", "read_mapping", "write_template"]


@dataclass(frozen=True)
class ClassMapping:
    """The mapping of every distinct raw value of a class column to a standard code.

    Iterating gives :class:`ClassMatch` records in order of first appearance.

    Examples
    --------
    >>> from kawasan_gis.vocab import match_classes
    >>> m = match_classes(["Sawah", "Air Tambak", "Sawah"], kind="landuse")
    >>> m.as_dict()
    {'Sawah': 'sawah', 'Air Tambak': 'tambak'}
    >>> m.to_frame()[["raw", "code", "method", "n"]].values.tolist()
    [['Sawah', 'sawah', 'exact', 2], ['Air Tambak', 'tambak', 'exact', 1]]
    """

    kind: str
    records: tuple[ClassMatch, ...]
    vocabulary: Vocabulary = field(repr=False, compare=False)

    def __iter__(self) -> Iterator[ClassMatch]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)

    @property
    def unmatched(self) -> tuple[ClassMatch, ...]:
        """Records without a standard code."""
        return tuple(r for r in self.records if r.code is None)

    @property
    def fuzzy(self) -> tuple[ClassMatch, ...]:
        """Records matched by spelling similarity alone (method ``fuzzy``): to be reviewed."""
        return tuple(r for r in self.records if r.method == "fuzzy")

    def as_dict(self) -> dict[object, str]:
        """``{raw value: code}`` for the matched values."""
        return {r.raw: r.code for r in self.records if r.code is not None}

    def to_frame(self) -> pd.DataFrame:
        """One row per distinct raw value: raw, normalised, code, nama, name, method, score, n."""
        rows = [
            {
                "raw": r.raw,
                "normalised": r.normalised,
                "code": r.code,
                "nama": self.vocabulary[r.code].nama if r.code else None,
                "name": self.vocabulary[r.code].name if r.code else None,
                "method": r.method,
                "score": r.score,
                "n": r.n,
            }
            for r in self.records
        ]
        columns = ["raw", "normalised", "code", "nama", "name", "method", "score", "n"]
        return pd.DataFrame(rows, columns=columns)

    def raise_for_unmatched(self, *, column: str | None = None, template_path: str | Path | None = None) -> None:
        """Raise :class:`ClassMappingError` if any value is unmatched, after writing the template.

        The message lists every unmatched raw value with its count and best suggestions. With
        ``template_path`` a ready-to-edit mapping file is written first (:func:`write_template`).
        """
        if not self.unmatched:
            return
        if template_path is not None:
            write_template(self, template_path, column=column)
        where_id, where_en = (f" di kolom {column!r}", f" in column {column!r}") if column else ("", "")
        problems = []
        for r in self.unmatched:
            count = f"{r.n} fitur / feature{'s' if r.n != 1 else ''}"
            hint = describe_suggestions(r) or NO_SIMILAR
            problems.append(f"{raw_text(r.raw)!r} ({count}): {hint}")
        n = len(self.unmatched)
        message = (
            f"{n} nilai kelas {self.kind}{where_id} tidak dapat dicocokkan dengan yakin ke kelas standar / "
            f"{n} {self.kind} class value{'s' if n != 1 else ''}{where_en} could not be matched "
            "to a standard class with confidence."
        )
        if template_path is not None:
            fix = (f"Isi templat pemetaan yang ditulis ke {template_path} dan berikan kembali dengan --mapping / "
                   f"Fill the mapping template written to {template_path} and pass it back with --mapping.")
        else:
            fix = ("Tulis templat pemetaan dengan --write-template BERKAS, isi, lalu berikan kembali dengan --mapping / "
                   "Write a mapping template with --write-template FILE, fill it and pass it back with --mapping.")
        problems.append(fix)
        raise ClassMappingError(message, problems=problems, template=str(template_path) if template_path else None)




def write_template(mapping: ClassMapping, path: str | Path, *, column: str | None = None) -> Path:
    """Write a ready-to-edit mapping TOML for a :class:`ClassMapping` (atomically).

    Unmatched values come first in ``[mapping]``: with the best suggestion filled in when it is
    close (score >= 70 and clearly ahead of the next class), else ``""``; a comment gives the
    feature count and the alternatives. Automatically matched values follow as comments (uncomment
    one to override it), then the list of valid codes.

    Parameters
    ----------
    mapping : ClassMapping
    path : str or Path
    column : str, optional
        Recorded in the header for the reader.

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from kawasan_gis.vocab import match_classes
    >>> m = match_classes(["Kawasan Strategis Nasional"], kind="rtrw")
    >>> p = write_template(m, pathlib.Path(tempfile.mkdtemp()) / "mapping.toml")
    >>> '"Kawasan Strategis Nasional" = ""' in p.read_text()
    True
    """
    path = Path(path)
    vocab = mapping.vocabulary
    where = f' (column "{column}")' if column else ""
    lines = [
        f'# kawasan_gis class mapping for kind "{mapping.kind}"{where}.',
        "# Give each raw value a standard code from the list at the end, then pass this file back",
        '# with --mapping FILE (Python: mapping="FILE"). Values left "" stay unmatched.',
        "# Filled-in suggestions are the closest names found: check them before use.",
        tomli_w.dumps({"kind": mapping.kind}).strip(),
        "",
        "[mapping]",
    ]
    for r in mapping.unmatched:
        best = r.suggestions[0] if r.suggestions else None
        clear = best is not None and (len(r.suggestions) < 2 or best[1] - r.suggestions[1][1] >= FUZZY_MARGIN)
        value = best[0] if best is not None and best[1] >= PREFILL_SCORE and clear else ""
        note = f"{r.n} feature{'s' if r.n != 1 else ''}"
        hint = describe_suggestions(r)
        lines.append(_toml_pair(r.raw, value) + f"  # {note}" + f"; {hint or NO_SIMILAR}")
    matched = [r for r in mapping if r.matched]
    if matched:
        lines += ["", "# Matched automatically; uncomment a line to override it."]
        for r in matched:
            score = f" {r.score:.1f}" if r.method == "fuzzy" else ""
            count = f"{r.n} feature{'s' if r.n != 1 else ''}"
            lines.append(f"# {_toml_pair(r.raw, r.code or '')}  # {r.method}{score}, {count}")
    lines += ["", f'# Valid codes for kind "{mapping.kind}":']
    width = max((len(c.code) for c in vocab), default=0)
    lines += [f"#   {c.code:<{width}}  {c.nama} / {c.name}" for c in vocab]
    text = "\n".join(lines) + "\n"
    return write_text(path, text)


def _toml_pair(raw: object, value: str) -> str:
    """``"raw" = "value"`` with the key always quoted (numbers too), escaped as TOML needs."""

    def quoted(text: str) -> str:
        return tomli_w.dumps({"k": text}).strip()[len("k = ") :]

    return f"{quoted(raw_text(raw))} = {quoted(value)}"


def _mapping_lines(text: str) -> dict[str, int]:
    """Line number of each key of the ``[mapping]`` table, for error messages."""
    lines: dict[str, int] = {}
    in_mapping = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_mapping = stripped.split("#")[0].strip() == "[mapping]"
            continue
        if not in_mapping or not stripped or stripped.startswith("#"):
            continue
        try:
            parsed = tomllib.loads(line)
        except tomllib.TOMLDecodeError:
            continue
        for key in parsed:
            lines.setdefault(key, number)
    return lines


def read_mapping(
    path: str | Path, *, kind: Kind | str | None = None, vocabulary: Vocabulary | None = None
) -> dict[str, str]:
    """Read a user mapping file (the template of :func:`write_template`, filled in).

    Parameters
    ----------
    path : str or Path
        TOML with a ``[mapping]`` table ``"raw value" = "code"`` and optionally ``kind``.
    kind : {"rtrw", "landuse", "landcover"}, optional
        Checked against the file's ``kind``; needed to validate the codes when the file has none.
    vocabulary : Vocabulary, optional
        Vocabulary to validate the codes against (default: the built-in one of the kind).

    Returns
    -------
    dict
        ``{raw value: code}`` for the entries filled in; entries left ``""`` are left out (they stay
        unmatched).

    Raises
    ------
    ConfigError
        Missing or invalid file, unknown keys, a kind that differs, unknown codes (with line numbers).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "m.toml"
    >>> _ = p.write_text('kind = "rtrw"\\n[mapping]\\n"Kws Strategis" = "industri"\\n"Lainnya" = ""\\n')
    >>> read_mapping(p)
    {'Kws Strategis': 'industri'}
    """
    path = Path(path)
    text, data = read_toml(path, "Mapping file")
    problems: list[str] = []
    check_keys(data, ("kind", "column", "mapping"), str(path), problems)
    file_kind = data.get("kind")
    if file_kind is not None:
        file_key = vocab_key(str(file_kind))
        if kind is not None and vocab_key(kind) != file_key:
            problems.append(f"berkas ini untuk kind {file_kind!r}, bukan {kind!r} / the file is for kind {file_kind!r}, not {kind!r}")
        kind = kind or str(file_kind)
    table = data.get("mapping", {})
    if not isinstance(table, Mapping):
        problems.append('mapping harus tabel: [mapping] diikuti baris "nilai asli" = "kode" / '
                        'mapping must be a table: [mapping] followed by "raw value" = "code" lines')
        table = {}
    line_of = _mapping_lines(text)
    vocab = vocabulary if vocabulary is not None else (load_vocabulary(kind) if kind is not None else None)
    out: dict[str, str] = {}
    for raw, code in table.items():
        line = f"{path.name}:{line_of[raw]}" if raw in line_of else str(path.name)
        if not isinstance(code, str):
            problems.append(f"{line}: {raw!r} = {code!r}: kode harus teks / the code must be a string")
            continue
        if not code:
            continue
        if vocab is not None and code not in vocab:
            close = [(c, s) for c, s in rank_fuzzy(code.replace("_", " "), vocab)[:2] if s >= PREFILL_SCORE]
            hint = f" (maksud Anda / did you mean {' atau / or '.join(c for c, _ in close)}?)" if close else ""
            problems.append(f"{line}: {raw!r} = {code!r}: kode {vocab.kind} tidak dikenal / unknown {vocab.kind} code{hint}")
            continue
        out[raw] = code
    if problems:
        raise ConfigError(f"Berkas pemetaan {path} tidak sah / Invalid mapping file {path}.", problems=problems)
    return out
