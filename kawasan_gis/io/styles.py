"""Default layer styles inside a GeoPackage: the ``layer_styles`` table QGIS reads on load.

Owns :class:`LayerStyle` (the QML and SLD of one layer) and :func:`write_layer_styles`, which
writes them with :mod:`sqlite3` into a GeoPackage whose layers are already written, in the
table and columns QGIS itself creates (``f_table_catalog``, ``f_table_schema``,
``f_table_name``, ``f_geometry_column``, ``styleName``, ``styleQML``, ``styleSLD``,
``useAsDefault``, ``description``, ``owner``, ``ui``, ``update_time``) and registered in
``gpkg_contents`` as an attribute table, as QGIS registers it. A layer with a row marked
``useAsDefault`` opens styled in QGIS. What the styles look like is decided by
:mod:`kawasan_gis.maps.qgis`; this module only stores them. Imports nothing of the package.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["STYLE_TABLE", "LayerStyle", "write_layer_styles"]

STYLE_TABLE = "layer_styles"
"""Name of the table QGIS looks for default styles in."""

_CREATE = f"""
CREATE TABLE IF NOT EXISTS {STYLE_TABLE} (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    f_table_catalog TEXT(256),
    f_table_schema TEXT(256),
    f_table_name TEXT(256),
    f_geometry_column TEXT(256),
    styleName TEXT(30),
    styleQML TEXT,
    styleSLD TEXT,
    useAsDefault BOOLEAN,
    description TEXT,
    owner TEXT(30),
    ui TEXT(30),
    update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
)
"""


@dataclass(frozen=True)
class LayerStyle:
    """The default style of one GeoPackage layer.

    Attributes
    ----------
    name : str
        Style name shown in QGIS (``styleName``).
    qml : str
        QGIS style document (``styleQML``).
    sld : str
        OGC Styled Layer Descriptor of the same symbols, for other software (``styleSLD``).
    description : str
        Free text (``description``).
    """

    name: str
    qml: str
    sld: str
    description: str = ""


def write_layer_styles(path: str | Path, styles: Mapping[str, LayerStyle], *, owner: str = "kawasan_gis") -> None:
    """Store ``styles`` (layer name -> style) as the layers' default QGIS styles.

    Layers not in the GeoPackage are skipped; a layer's earlier default style rows written by
    this function are replaced, so writing twice leaves one default per layer. Meant to be
    called on a GeoPackage that is not yet in place (inside an atomic write).

    Parameters
    ----------
    path : str or Path
        A GeoPackage whose layers are written.
    styles : mapping of str to LayerStyle
    owner : str
        Written to ``owner``.
    """
    con = sqlite3.connect(str(path))
    try:
        with con:
            geometry_columns = dict(con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall())
            contents = {row[0] for row in con.execute("SELECT table_name FROM gpkg_contents")}
            con.execute(_CREATE)
            if STYLE_TABLE not in contents:
                con.execute(
                    "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) VALUES (?, 'attributes', ?, '')",
                    (STYLE_TABLE, STYLE_TABLE),
                )
            for layer, style in styles.items():
                if layer not in contents:
                    continue
                con.execute(f"DELETE FROM {STYLE_TABLE} WHERE f_table_name = ? AND owner = ?", (layer, owner))
                con.execute(
                    f"INSERT INTO {STYLE_TABLE} (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName,"
                    " styleQML, styleSLD, useAsDefault, description, owner, ui) VALUES ('', '', ?, ?, ?, ?, ?, 1, ?, ?, '')",
                    (layer, geometry_columns.get(layer, ""), style.name, style.qml, style.sld, style.description, owner),
                )
    finally:
        con.close()
