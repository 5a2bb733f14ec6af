"""Geometry hygiene: polygonal parts, validity reasons, repair.

Invalid geometry is data, not an exception: :func:`repair_polygons` returns
the repaired geometry together with GEOS's reason, so the D101 finding can
say what was wrong.

Examples
--------
>>> import shapely
>>> bowtie = shapely.Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])
>>> fixed, reasons = repair_polygons([bowtie])
>>> reasons[0].startswith("Self-intersection")
True
>>> round(fixed[0].area, 6)
2.0
"""

from __future__ import annotations

import numpy as np
import shapely

__all__ = ["is_polygonal", "polygonal", "repair_polygons"]

_POLYGONAL = (3, 6)  # Polygon, MultiPolygon


def is_polygonal(geoms) -> np.ndarray:
    """True where a geometry is a non-empty Polygon or MultiPolygon."""
    geoms = np.asarray(geoms, dtype=object)
    return np.isin(shapely.get_type_id(geoms), _POLYGONAL) & ~shapely.is_empty(geoms)


def polygonal(geoms) -> np.ndarray:
    """Keep only the polygonal parts of each geometry (lines and points of an overlay dropped).

    Returns a Polygon/MultiPolygon per input, or an empty Polygon.
    """
    geoms = np.asarray(geoms, dtype=object)
    out = np.empty(len(geoms), dtype=object)
    simple = np.isin(shapely.get_type_id(geoms), _POLYGONAL)
    out[simple] = geoms[simple]
    rest = np.flatnonzero(~simple)
    if len(rest):
        parts, idx = shapely.get_parts(geoms[rest], return_index=True)
        keep = shapely.get_type_id(parts) == 3
        for i in range(len(rest)):
            out[rest[i]] = shapely.Polygon()
        if keep.any():
            grouped: dict[int, list] = {}
            for part, j in zip(parts[keep], idx[keep]):
                grouped.setdefault(int(j), []).append(part)
            for j, ps in grouped.items():
                out[rest[j]] = ps[0] if len(ps) == 1 else shapely.MultiPolygon(ps)
    return out


def repair_polygons(geoms) -> tuple[np.ndarray, list[str | None]]:
    """Repair invalid polygons with ``make_valid(method="structure")``, keeping polygons.

    Returns
    -------
    (geometries, reasons)
        ``reasons[i]`` is GEOS's ``is_valid_reason`` for an invalid input, else None.
    """
    geoms = np.asarray(geoms, dtype=object)
    valid = shapely.is_valid(geoms) | shapely.is_missing(geoms)
    out = geoms.copy()
    reasons: list[str | None] = [None] * len(geoms)
    bad = np.flatnonzero(~valid)
    if len(bad):
        for i in bad:
            reasons[i] = shapely.is_valid_reason(geoms[i])
        fixed = shapely.make_valid(geoms[bad], method="structure", keep_collapsed=False)
        out[bad] = polygonal(fixed)
    return out, reasons
