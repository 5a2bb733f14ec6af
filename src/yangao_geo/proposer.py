"""Delineate from a deposit: the best compliant block around it (``yangao_geo.propose``, ``yangao-geo propose``).

The planning step before a block exists: a deposit outline (or a point and a target area) and the kind of
block to delineate.

* **Exploration blocks** are built from the lon/lat grid (1′×1′ basic units, or 30″/15″ sub-units,
  ``grid``): the cells the deposit (widened by ``margin_m``) meets — every one of them is needed, so this
  set is the smallest cover — minus any cell that overlaps what the block must avoid (red line, permanent
  basic farmland, the town boundary unless the mineral is exempt; existing rights and the blocks proposed
  before it may not even be touched). A cover smaller than one basic unit block grows by the allowed
  neighbouring cells that keep the fewest corner points; cells are added to join parts into one connected
  block. Corners are grid nodes, listed clockwise from the north-west corner.
* **Mining blocks** are the deposit outline plus the margin, minus what must be avoided, made fileable by
  :func:`yangao_geo.fix`'s steps (narrow parts, corner points, rounding).

When the deposit cannot be covered whole, the proposal says which part is left out, by which layer and by
how much, and proposes the best partial block. Every proposal is re-checked with the full rule set.

Examples
--------
>>> import yangao_geo
>>> deposits = yangao_geo.check().context["deposits"].iloc[[0]]   # a bundled deposit outline
>>> result = yangao_geo.propose(deposits, kind="exploration", mineral="铁")
>>> result.proposals.crs.to_epsg(), int(result.proposals.grid_cells.iloc[0]) >= 1
(4490, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from .area import basic_unit_block_area, ellipsoidal_area
from .config import in_run_language
from .crs import ANALYSIS_CRS, GEOGRAPHIC_EPSG
from .errors import InputError
from .i18n import t
from .rules.messages import layer_label
from .vocabulary import normalise

__all__ = ["ProposeResult", "propose"]

_TOUCH_M = 0.01  # a cell meeting a red line or farmland by less than this (a shared edge) does not overlap it


@dataclass
class ProposeResult:
    """One proposal per deposit (EPSG:4490 for grid blocks, EPSG:4547 for mining blocks) and their re-check."""

    proposals: gpd.GeoDataFrame
    recheck: object

    def to_file(self, path, *, overwrite: bool = False, **kwargs) -> int:
        """Write the proposals (.gpkg/.shp/.geojson/.fgb, .txt corner points, .xlsx/.csv 界址点成果表)."""
        from .convert import write_blocks

        ok = self.proposals[self.proposals.geometry.notna() & ~self.proposals.geometry.is_empty]
        return write_blocks(ok, path, overwrite=overwrite, **kwargs)


@in_run_language  # the notes speak the run's language, as the re-check does
def propose(
    deposits,
    constraints=None,
    *,
    kind: str = "exploration",
    mineral: str | None = None,
    margin_m: float = 0.0,
    grid: str = "1min",
    target_area_km2: float | None = None,
    crs=None,
    lang=None,
) -> ProposeResult:
    """Propose, for every deposit, the best compliant block that contains it (see the module's description).

    Parameters
    ----------
    deposits : path or GeoDataFrame
        Deposit outlines (polygons), or points with ``target_area_km2`` (a circle of that area).
    constraints : as for :func:`yangao_geo.check`
    kind : {"exploration", "mining"}
    mineral : str, optional
        The mineral of every deposit (else the file's mineral column).
    margin_m : float
        Distance the block keeps around the deposit (m).
    grid : {"1min", "30s", "15s"}
        The grid of exploration blocks (basic unit blocks, or their 30″/15″ sub-units).
    """
    from .checker import check, read_blocks
    from .fixer import _to_avoid, fix
    from .layers import OPTIONAL_LAYERS, REQUIRED_LAYERS, load_constraints
    from .minerals import MineralTable

    kind = normalise("kind", kind)
    if kind == "concentrated":
        raise InputError(t("propose delineates exploration or mining blocks, not concentrated mining areas"))
    grid = normalise("grid", grid)
    if not np.isfinite(margin_m) or margin_m < 0:
        raise InputError(t("{name} must be a finite number >= 0, got {value}", name="margin_m", value=repr(margin_m)))
    source = deposits
    if target_area_km2 is not None:
        source = _circles(deposits, float(target_area_km2), crs)
    attributes = {"mineral": mineral} if mineral else None
    table, _ = read_blocks(source, kind=kind, crs=crs, attributes=attributes)
    geoms = np.asarray(table.geometry.values, dtype=object)
    near = shapely.union_all([shapely.envelope(g).buffer(margin_m + 5000) for g in geoms if g is not None])
    cset = (
        constraints
        if hasattr(constraints, "layers")
        else load_constraints(constraints, layers_needed={*REQUIRED_LAYERS, *OPTIONAL_LAYERS}, near=near)
    )
    if kind == "mining":
        widened = table[["block_id", "name", "kind", "mineral", "source_right"]].copy()
        widened = gpd.GeoDataFrame(
            widened, geometry=[g.buffer(margin_m) if margin_m > 0 else g for g in geoms], crs=ANALYSIS_CRS
        )
        fixed = fix(widened, cset, lang=lang)
        out = fixed.proposals.copy()
        out["deposit_area_m2"] = np.round(ellipsoidal_area(geoms, ANALYSIS_CRS), 2)
        left = [
            0.0 if p is None or p.is_empty else float(ellipsoidal_area([shapely.difference(d, p)], ANALYSIS_CRS)[0])
            for d, p in zip(geoms, out.geometry.values)
        ]
        out["deposit_left_out_m2"] = np.round(left, 2)
        return ProposeResult(out, fixed.recheck)

    from .grid_cells import GRID_STEPS, to_plane

    minerals = MineralTable.bundled()
    step = GRID_STEPS[grid]
    rows, taken = [], []  # taken: the plane outlines of the blocks proposed so far (not to be touched)
    for i, deposit in enumerate(geoms):
        row = table.iloc[i]
        base = {"block_id": row["block_id"], "name": row["name"], "kind": kind, "mineral": row["mineral"]}
        if deposit is None or deposit.is_empty:
            rows.append({**base, "geometry": None, "note": t("no usable polygon to fix")})
            continue
        target = deposit.buffer(margin_m) if margin_m > 0 else deposit
        avoid = _to_avoid(cset, target.buffer(6000), row, minerals.lookup(row["mineral"]))
        result = _grid_block(target, deposit, step, avoid, taken)
        if result["lonlat"] is not None:
            taken.append(to_plane([result["lonlat"]])[0])
        rows.append({**base, **result})
    out = gpd.GeoDataFrame(
        [{k: v for k, v in r.items() if k not in ("lonlat",)} for r in rows], geometry="geometry", crs=ANALYSIS_CRS
    )
    plane = np.asarray(out.geometry.values, dtype=object)
    out["area_m2"] = np.round(np.nan_to_num(ellipsoidal_area(plane, ANALYSIS_CRS)), 2)
    out = gpd.GeoDataFrame(out.drop(columns="geometry"), geometry=[r.get("lonlat") for r in rows], crs=GEOGRAPHIC_EPSG)
    ok = out[out.geometry.notna()]
    recheck = None
    statuses = {}
    if len(ok):
        frame = ok[["block_id", "name", "kind", "mineral", "geometry"]].copy()
        recheck = check(frame, cset, lang=lang)
        statuses = dict(zip(recheck.blocks.block_id, recheck.blocks.status))
    out["status"] = [statuses.get(b) for b in out.block_id]
    return ProposeResult(out, recheck)


def _circles(points, area_km2: float, crs):
    """Points as circles of ``area_km2`` (a deposit known by its centre and target area)."""
    if not (area_km2 > 0 and np.isfinite(area_km2)):
        raise InputError(t("target_area_km2 must be a positive number, got {value}", value=repr(area_km2)))
    gdf = points if isinstance(points, gpd.GeoDataFrame) else gpd.read_file(points)
    plane = gdf.to_crs(ANALYSIS_CRS) if gdf.crs is not None else gdf.set_crs(crs or ANALYSIS_CRS).to_crs(ANALYSIS_CRS)
    radius = float(np.sqrt(area_km2 * 1e6 / np.pi))
    return gpd.GeoDataFrame(
        plane.drop(columns=plane.geometry.name),
        geometry=[g.buffer(radius, 64) for g in plane.geometry],
        crs=ANALYSIS_CRS,
    )


def _grid_block(target, deposit, step: float, avoid: list, taken: list) -> dict:
    """The cells of the ``step`` grid that make the block around ``target`` (see the module description)."""
    from .grid_cells import GRID_LABELS, GRID_STEPS, _grid_over, outline, to_plane

    label = {v: GRID_LABELS[k] for k, v in GRID_STEPS.items()}[step]
    deg = step / 3600.0
    # the grid over the target, widened so that a cover smaller than a basic unit can grow
    grow = int(np.ceil(60.0 / step)) + 1
    minx, miny, maxx, maxy = target.bounds
    pad = grow * 1900.0
    area_box = shapely.box(minx - pad, miny - pad, maxx + pad, maxy + pad)
    cells = _grid_over(area_box, step)
    plane = to_plane(cells.lonlat)
    index = {tuple(ix): k for k, ix in enumerate(cells.index)}
    need = shapely.area(shapely.intersection(plane, target)) > 1e-6
    forbidden = np.zeros(len(plane), dtype=bool)
    why = {}
    for layer, feature in avoid:
        if layer == "mining_rights":
            hit = shapely.intersects(plane, feature)  # an existing right may not even be touched
        else:
            hit = shapely.intersects(plane, feature.buffer(-_TOUCH_M))
        for k in np.flatnonzero(hit & ~forbidden):
            why[k] = layer
        forbidden |= hit
    for other in taken:
        hit = shapely.intersects(plane, other)
        for k in np.flatnonzero(hit & ~forbidden):
            why[k] = "blocks"
        forbidden |= hit
    chosen = set(np.flatnonzero(need & ~forbidden).tolist())
    blocked = np.flatnonzero(need & forbidden)
    note = ""
    if len(blocked):
        lost = {}
        for k in blocked:
            piece = shapely.intersection(deposit, plane[k])
            lost[why[k]] = lost.get(why[k], 0.0) + float(ellipsoidal_area([piece], ANALYSIS_CRS)[0])
        parts = "、".join(
            t("{layer} {area} km²", layer=layer_label(layer), area=f"{a / 1e6:.4f}")
            for layer, a in lost.items()
            if a > 0
        )
        note = t("the deposit cannot be covered whole; left out: {parts} (the best partial block)", parts=parts or "-")
    if not chosen:
        return {"geometry": None, "lonlat": None, "grid_cells": 0, "note": note or t("no cell can be used")}

    def area(ks):
        return float(ellipsoidal_area(to_plane([outline(cells.lonlat[list(ks)])]), ANALYSIS_CRS)[0])

    def corners(ks):
        shape = outline(cells.lonlat[list(ks)])
        return int(sum(len(r.coords) - 1 for r in shapely.get_rings(shapely.get_parts(shape))))

    def neighbours(ks):
        out = set()
        for k in ks:
            c, r = cells.index[k]
            for dc, dr in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                j = index.get((c + dc, r + dr))
                if j is not None and j not in ks and not forbidden[j]:
                    out.add(j)
        return out

    # one connected block: join the parts through allowed cells (breadth-first, shortest bridges)
    for _ in range(50):
        parts = list(shapely.get_parts(outline(cells.lonlat[list(chosen)])))
        if len(parts) <= 1:
            break
        main = max(parts, key=lambda p: p.area)
        inside = {k for k in chosen if shapely.covered_by(cells.lonlat[k], main.buffer(1e-12))}
        path = _bridge(inside, chosen - inside, neighbours, index, cells)
        if not path:
            break
        chosen |= path
    basic = basic_unit_block_area(float(np.mean([b[1] for b in shapely.bounds(cells.lonlat[list(chosen)])])) + deg / 2)
    for _ in range(400):  # grow to one basic unit block, keeping the fewest corner points
        if area(chosen) >= basic * (1 - 1e-9):
            break
        options = neighbours(chosen)
        if not options:
            note = note or t("too little allowed ground around the deposit for one basic unit block")
            break
        best = min(options, key=lambda j: (corners(chosen | {j}), -area(chosen | {j})))
        chosen.add(best)
    lonlat = _clockwise_from_north_west(outline(cells.lonlat[sorted(chosen)]))
    return {
        "geometry": to_plane([lonlat])[0],
        "lonlat": lonlat,
        "grid": label,
        "grid_cells": len(chosen),
        "corners": corners(chosen),
        "note": note,
    }


def _bridge(start: set, goal: set, neighbours, index, cells) -> set:
    """The cells of a shortest path of allowed cells from ``start`` to any cell of ``goal``."""
    from collections import deque

    previous = {k: None for k in start}
    queue = deque(start)
    while queue:
        k = queue.popleft()
        if k in goal:
            path = set()
            while k is not None and k not in start:
                path.add(k)
                k = previous[k]
            return path
        for j in neighbours({k}) | ({j for j in goal if _adjacent(cells, j, k)}):
            if j not in previous:
                previous[j] = k
                queue.append(j)
    return set()


def _adjacent(cells, a: int, b: int) -> bool:
    (ca, ra), (cb, rb) = cells.index[a], cells.index[b]
    return abs(ca - cb) + abs(ra - rb) == 1


def _clockwise_from_north_west(geom):
    """Each ring clockwise (the exterior; holes the other way), starting at its north-west corner."""
    out = []
    for poly in shapely.get_parts(geom):
        poly = shapely.geometry.polygon.orient(poly, sign=-1.0)
        ring = list(poly.exterior.coords)[:-1]
        start = max(range(len(ring)), key=lambda k: (round(ring[k][1], 9), -ring[k][0]))
        ring = ring[start:] + ring[:start]
        out.append(shapely.Polygon(ring, [list(h.coords) for h in poly.interiors]))
    return out[0] if len(out) == 1 else shapely.MultiPolygon(out)
