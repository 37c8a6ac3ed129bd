"""Standard class vocabularies and the recognition of raw class values.

The vocabularies are package data (``kawasan_gis/data/*.toml``), editable and extensible by
users with an override file of the same structure:

- pola ruang classes of RTRW/RDTR plans (:func:`load_vocabulary` with ``kind="rtrw"``),
- land use / land cover classes (``kind="landuse"`` or ``"landcover"``: one list),
- potentials and the indicators that feed them (:func:`load_potentials`),
- the ITBX zoning matrix, potential x pola ruang class (:func:`load_itbx`).

Raw class values as real layers spell them ("Kws. Peruntukan Pertanian", "Pemukiman Perdesaan",
"HL Gunung Balak", 20093) are mapped to standard codes by :func:`match_classes`; every mapping
says how it was made. A value naming two classes at once ("Kawasan Ekosistem Mangrove/Kawasan Tanaman Pangan") is
a combined class: its code is the protected part, and the ITBX check gives each potential the
stricter status of the parts (see :mod:`.matching`). A value matched by spelling similarity
alone is kept with method ``fuzzy`` and its score; for pola ruang, a legal designation, a
:class:`~kawasan_gis.errors.ReviewWarning` lists each such match for review. Values that cannot
be mapped with confidence are not guessed: :func:`apply_mapping` stops with a :class:`~kawasan_gis.errors.ClassMappingError` and can write a
ready-to-edit mapping template (:func:`write_template`) that the user fills and passes back.

The rooms, lowest first (each imports only the ones above it, plus :mod:`kawasan_gis.errors`
and :mod:`kawasan_gis._atomic`; nothing in ``vocab`` imports a step, the pipeline or the CLI):

- :mod:`.text`: :func:`normalise` and the readers of raw values,
- :mod:`.reading`: package data, user TOML files, field checks, merging of overrides,
- :mod:`.classes`: :class:`Vocabulary` and :func:`load_vocabulary`,
- :mod:`.matching`: one raw value to a code (exact, synonyms, numeric codes, fuzzy),
- :mod:`.mapping`: :class:`ClassMapping`, mapping templates and user mapping files,
- :mod:`.layers`: :func:`match_classes`, :func:`find_class_column`, :func:`apply_mapping`,
- :mod:`.potentials`: the potentials catalogue; :mod:`.itbx`: the ITBX matrix,
- :mod:`.roles`: the roles a line, point or table input plays for the catalogue (:func:`input_roles`).

Examples
--------
>>> from kawasan_gis.vocab import load_vocabulary, match_classes
>>> load_vocabulary("rtrw").label("hutan_lindung", lang="en")
'Protection forest'
>>> m = match_classes(["Pemukiman Perdesaan", "HL Gunung Balak"], kind="rtrw")
>>> [(r.code, r.method) for r in m]
[('permukiman_perdesaan', 'synonym'), ('hutan_lindung', 'synonym')]
"""

from __future__ import annotations

# Kind, Method, OverrideSource and Status are the type aliases the single module had; they stay
# importable from here, outside __all__ as before.
from kawasan_gis.vocab.classes import Kind, StandardClass, Synonyms, Vocabulary, load_vocabulary
from kawasan_gis.vocab.itbx import STATUSES, ItbxMatrix, Status, load_itbx
from kawasan_gis.vocab.layers import ITBX_KEY, apply_mapping, find_class_column, match_classes, review_message
from kawasan_gis.vocab.mapping import ClassMapping, read_mapping, write_template
from kawasan_gis.vocab.matching import COMBINED_SEP, METHODS, ClassMatch, Method
from kawasan_gis.vocab.potentials import IndicatorSpec, Potential, PotentialCatalogue, load_potentials
from kawasan_gis.vocab.reading import OverrideSource
from kawasan_gis.vocab.roles import InputRole, describe_roles, input_roles
from kawasan_gis.vocab.text import normalise

__all__ = [
    "COMBINED_SEP",
    "ITBX_KEY",
    "METHODS",
    "STATUSES",
    "ClassMapping",
    "ClassMatch",
    "IndicatorSpec",
    "InputRole",
    "ItbxMatrix",
    "Potential",
    "PotentialCatalogue",
    "StandardClass",
    "Synonyms",
    "Vocabulary",
    "apply_mapping",
    "describe_roles",
    "find_class_column",
    "input_roles",
    "load_itbx",
    "load_potentials",
    "load_vocabulary",
    "match_classes",
    "normalise",
    "read_mapping",
    "review_message",
    "write_template",
]
