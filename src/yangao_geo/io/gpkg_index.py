"""A GeoPackage's own spatial index, asked box by box: which features can be near the blocks.

GDAL's spatial filter with a mask geometry takes the R-tree entries inside the mask's *envelope* and then
tests every one of them against the mask with GEOS. When the blocks are spread over a county, that
envelope is most of the layer: the read costs four times a full read (measured: 0.22 s against 0.05 s
for 50 000 parcels). Asking the R-tree once per block box instead returns only the features whose
envelope meets a box — a superset of those meeting the mask, read by FID — and the exact test against
the mask is then made on those few (:func:`yangao_geo.io.vector.read_vector`,
:mod:`yangao_geo.streaming`): the features read are exactly the ones GDAL's filter would return.

The file is opened read-only through SQLite; any doubt (not a GeoPackage, no R-tree for the layer, a
file SQLite cannot open read-only) returns None and the caller uses GDAL's filter as before.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

__all__ = ["rtree_fids"]


def _rtree_table(con: sqlite3.Connection, layer: str) -> str | None:
    rows = con.execute(
        "SELECT e.table_name, e.column_name FROM gpkg_extensions e "
        "WHERE e.extension_name = 'gpkg_rtree_index' AND lower(e.table_name) = lower(?)",
        (layer,),
    ).fetchall()
    if len(rows) != 1:
        return None
    name = f"rtree_{rows[0][0]}_{rows[0][1]}"
    found = con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone()
    return name if found else None


def rtree_fids(path, layer: str | None, boxes: np.ndarray) -> np.ndarray | None:
    """The sorted FIDs of ``layer``'s features whose R-tree envelope meets any of ``boxes``.

    Parameters
    ----------
    path : str or Path
        A GeoPackage.
    layer : str
        The layer (table) name.
    boxes : ndarray, shape (k, 4)
        ``minx, miny, maxx, maxy`` in the layer's CRS.

    Returns
    -------
    ndarray of int64, or None
        None when the file is not a GeoPackage with an R-tree index on this layer.

    Examples
    --------
    >>> import numpy as np
    >>> rtree_fids("no-such.gpkg", "basic_farmland", np.zeros((1, 4))) is None
    True
    """
    p = Path(path)
    if layer is None or p.suffix.lower() != ".gpkg" or not p.is_file():
        return None
    try:
        con = sqlite3.connect(f"{p.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        table = _rtree_table(con, layer)
        if table is None:
            return None
        quoted = '"' + table.replace('"', '""') + '"'
        # the boxes in a table of this connection's own (temporary, in memory: the file stays read-only),
        # joined with the R-tree in one statement: SQLite asks the R-tree once per box, as a loop of
        # queries would, without a Python round trip per box
        con.execute("CREATE TEMP TABLE boxes (minx REAL, miny REAL, maxx REAL, maxy REAL)")
        con.executemany("INSERT INTO boxes VALUES (?, ?, ?, ?)", np.asarray(boxes, dtype=float).reshape(-1, 4).tolist())
        rows = con.execute(
            f"SELECT r.id FROM boxes AS b, {quoted} AS r "
            "WHERE r.minx <= b.maxx AND r.maxx >= b.minx AND r.miny <= b.maxy AND r.maxy >= b.miny"
        )
        found = np.fromiter((row[0] for row in rows), dtype=np.int64)
    except sqlite3.Error:
        return None
    finally:
        con.close()
    return np.unique(found)
