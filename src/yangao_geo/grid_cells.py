"""Whole cells of the longitude/latitude grid (1′, 30″, 15″) lying inside an area, and their outlines.

The plan delineates exploration blocks on the graticule: a basic unit block (基本单位区块) is 1′×1′, and
blocks are made of whole cells (二(二)1). :func:`cells_inside` finds the cells of a grid that lie wholly
within an area in the analysis plane (EPSG:4547), the cell's edges running along meridians and parallels
(densified before projection), to 1 cm. Filed as lon/lat corner points the cells are exact; drawn as straight
lines between Gauss-Krüger corners, an edge along a parallel is a chord that departs from the parallel by
L²/(8R) — about 3 cm over a 1′ edge at 40°N (R ≈ N·cot B ≈ 7 600 km) — which is why proposals on the grid
are given in lon/lat.

Examples
--------
>>> import shapely
>>> area = shapely.box(113.70, 40.10, 113.75, 40.14)            # 3′ × 2.4′ in lon/lat
>>> plane = to_plane([area])[0]                                   # its edges straight in lon/lat
>>> cells = cells_inside(plane, 60.0)                            # whole 1′ cells: 3 × 2
>>> len(cells.lonlat)
6
>>> outline(cells.lonlat).bounds == (113.7, 40.1, 113.75, 40.13333333333333)
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyproj
import shapely

from .crs import ANALYSIS_CRS, GEOGRAPHIC_EPSG

__all__ = ["GRID_LABELS", "GRID_STEPS", "Cells", "cells_inside", "grid_step", "outline", "to_plane"]

#: grid name (vocabulary value) -> cell size in arc-seconds
GRID_STEPS = {"1min": 60.0, "30s": 30.0, "15s": 15.0}
#: grid name -> how the plan writes the cell size
GRID_LABELS = {"1min": "1′", "30s": "30″", "15s": "15″"}

_TO_PLANE = pyproj.Transformer.from_crs(GEOGRAPHIC_EPSG, ANALYSIS_CRS, always_xy=True)
_TO_LONLAT = pyproj.Transformer.from_crs(ANALYSIS_CRS, GEOGRAPHIC_EPSG, always_xy=True)
#: points per cell edge when the lon/lat-straight edge is drawn in the plane
_EDGE_POINTS = 16


@dataclass
class Cells:
    """Grid cells: their lon/lat boxes and integer indexes (column, row) on a grid of ``step`` arc-seconds."""

    lonlat: np.ndarray  # shapely boxes in EPSG:4490
    index: np.ndarray  # (n, 2) ints: column and row, lon = col·step, lat = row·step
    step: float


def grid_step(grid: str) -> float:
    """Arc-seconds of a grid named by the vocabulary (``"1min"``, ``"30s"``, ``"15s"``)."""
    return GRID_STEPS[grid]


def to_plane(lonlat_geoms, *, densify: bool = True) -> np.ndarray:
    """Lon/lat polygons in EPSG:4547: edges straight in lon/lat (densified), or corners only."""
    geoms = np.asarray(lonlat_geoms, dtype=object)
    if densify and len(geoms):
        size = max(b[2] - b[0] for b in shapely.bounds(geoms)) / _EDGE_POINTS
        geoms = shapely.segmentize(geoms, size)
    return shapely.transform(geoms, lambda xy: np.column_stack(_TO_PLANE.transform(xy[:, 0], xy[:, 1])))


def _grid_over(plane_area, step: float) -> Cells:
    """Every cell of the grid over the area's lon/lat extent."""
    lon, lat = _TO_LONLAT.transform(*shapely.get_coordinates(plane_area).T)
    deg = step / 3600.0
    cols = np.arange(int(np.floor(lon.min() / deg)), int(np.ceil(lon.max() / deg)))
    rows = np.arange(int(np.floor(lat.min() / deg)), int(np.ceil(lat.max() / deg)))
    gc, gr = np.meshgrid(cols, rows)
    gc, gr = gc.ravel(), gr.ravel()
    boxes = shapely.box(gc * deg, gr * deg, (gc + 1) * deg, (gr + 1) * deg)
    return Cells(boxes, np.column_stack([gc, gr]), step)


def cells_inside(plane_area, step: float, *, tolerance_m: float = 0.01) -> Cells:
    """The cells of the ``step`` grid lying wholly within ``plane_area`` (EPSG:4547), to ``tolerance_m``.

    A cell counts when its outline — edges along the meridians and parallels, as the lon/lat corner points
    define it — lies within the area widened by ``tolerance_m`` (default 1 cm, the precision coordinates
    are filed to): a cell
    whose edge runs along the area's boundary — a block drawn on the grid, a constraint's edge — counts
    as inside, and its contact with what lies beyond is a hairline (a shared edge the overlap rules report
    as such, never an overlap). Corners of the grid are multiples of the step: rounding them to 0.001″
    leaves them where they are.
    """
    empty = Cells(np.empty(0, dtype=object), np.empty((0, 2), dtype=int), step)
    if plane_area is None or plane_area.is_empty:
        return empty
    grid = _grid_over(plane_area, step)
    outer = plane_area.buffer(tolerance_m, join_style="mitre") if tolerance_m > 0 else plane_area
    shapely.prepare(outer)
    keep = shapely.covered_by(to_plane(grid.lonlat, densify=True), outer)
    return Cells(grid.lonlat[keep], grid.index[keep], step)


def outline(lonlat_cells) -> shapely.Geometry:
    """The union of lon/lat cells, with the collinear points along shared edges removed (corners only)."""
    union = shapely.union_all(np.asarray(lonlat_cells, dtype=object))
    return shapely.simplify(union, 0.0) if not union.is_empty else union
