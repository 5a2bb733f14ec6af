"""From fail to fixed: for each block, the largest compliant block inside it, ready to file.

``yangao_geo.fix(blocks, constraints)`` / ``yangao-geo fix BLOCKS -c … -o proposals.gpkg``:

1. **Allowed area** = the block minus every feature it must avoid for its kind and mineral — the
   ecological red line, permanent basic farmland, the town development boundary (unless the mineral is
   exempt: 地热, 矿泉水), existing mineral rights (except the one the block converts, ``source_right``),
   arable land for brick clay, and the other proposed blocks (``policy``: the ``earlier`` block in the
   input keeps shared ground, or the ``larger`` one, or ``both`` are cut) — each widened by ``margin_m``.
   Conditional exceptions of the current regulations are *not* used: a proposal avoids the feature.
2. **Fileable**: parts narrower than ``min_width_m`` are removed (a morphological opening, intersected
   with the allowed area so it never grows); the largest piece is kept, or every piece of at least
   ``min_area_m2`` (``keep="all"``); the outline is simplified to at most ``max_corners`` corner points by
   simplification that only shrinks (the simplified outline intersected with the allowed area).
3. **Rounded as filed**: the outline is pulled 2 cm inward, then its coordinates are rounded to 0.01 m in
   the Gauss-Krüger plane — the rounding (at most 0.71 cm) can never re-enter a constraint.
   **Or on the grid** (``grid="1min"``, ``"30s"`` or ``"15s"``): the proposal is made of the whole cells of
   that lon/lat grid lying within the allowed area (:func:`yangao_geo.grid_cells.cells_inside`, to 1 cm),
   the largest connected group (or every group of at least ``min_area_m2``); its corners are grid nodes
   (exact at 0.001″) and its edges run along meridians and parallels, so these proposals are given in
   EPSG:4490 — the corner points as filed — and no simplification or rounding is needed.
4. **Re-checked** with the full rule set: per block the area kept (km², %), the area removed per layer,
   the corner count before and after, and the proposal's own status; a block with nothing allowed is said
   so, with why.

Examples
--------
>>> import yangao_geo
>>> result = yangao_geo.fix()           # the plan's blocks against the bundled layers
>>> row = result.proposals.set_index("block_id").loc["KQ02"]   # 矿泉水, partly in the town: exempt, unchanged
>>> bool(row.kept_ratio > 0.999)
True
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from .area import ellipsoidal_area
from .config import in_run_language
from .crs import ANALYSIS_CRS, GEOGRAPHIC_EPSG
from .errors import InputError
from .geometry import polygonal
from .i18n import t
from .rules.messages import layer_label
from .vocabulary import normalise

__all__ = ["FixResult", "fix"]

_INWARD_M = 0.02  # pulled in before rounding to 0.01 m: rounding moves a vertex by at most 0.0071 m
_LIGHT_M = 0.05  # the simplification that drops densification points (costs a 5 cm strip along the outline)
_MAX_SIMPLIFY_M = 5.0  # never simplify further than this to meet max_corners (the note says when it did not)


@dataclass
class FixResult:
    """The proposals (one row per input block) and the re-check of the proposals."""

    proposals: gpd.GeoDataFrame
    recheck: object  # the Report of checking the proposals
    #: the blocks as given, in EPSG:4547 (one per proposal), for the before/after maps
    originals: list | None = None
    #: per block, layer -> the part of the block taken out for that layer (EPSG:4547)
    removed: list | None = None

    def to_file(self, path, *, overwrite: bool = False, **kwargs) -> int:
        """Write the proposals: ``.gpkg``/``.shp``/``.geojson``/``.fgb`` (with the figures), ``.txt``
        (land-survey corner TXT), ``.xlsx``/``.csv`` (界址点成果表). Returns the number written."""
        from .convert import write_blocks

        ok = self.proposals[self.proposals.geometry.notna() & ~self.proposals.geometry.is_empty]
        from pathlib import Path

        suffix = Path(path).suffix.lower()
        if suffix in (".html", ".docx"):  # the proposals as a section to read: table and before/after maps
            from .io.output import atomic_path
            from .reports.fix_section import write_fix_docx, write_fix_html

            with atomic_path(path, overwrite=overwrite) as tmp:
                (write_fix_html if suffix == ".html" else write_fix_docx)(self, tmp)
            return len(ok)
        return write_blocks(ok, path, overwrite=overwrite, **kwargs)


@in_run_language  # the notes speak the run's language, as the re-check does
def fix(
    blocks=None,
    constraints=None,
    *,
    margin_m: float = 0.0,
    min_width_m: float = 1.0,
    min_area_m2: float | None = None,
    keep: str = "largest",
    max_corners: int = 200,
    policy: str = "earlier",
    kind=None,
    crs=None,
    lang=None,
    attributes=None,
    grid: str | None = None,
) -> FixResult:
    """Propose, for every block, the largest compliant block inside it (see the module's description).

    Parameters
    ----------
    blocks, constraints, kind, crs, lang, attributes
        As for :func:`yangao_geo.check`.
    margin_m : float
        Safety margin kept from every feature to avoid (m), so a proposal is not a sliver from a fail.
    min_width_m : float
        Parts narrower than this are dropped (m).
    min_area_m2 : float, optional
        With ``keep="all"``: pieces smaller than this are dropped (default: 1 basic unit for exploration
        blocks is not imposed; 1 000 m²).
    keep : {"largest", "all"}
    max_corners : int
        At most this many corner points per proposal (报盘 allows fewer than 1 000).
    policy : {"earlier", "larger", "both"}
        Who keeps ground two proposed blocks share.
    grid : {"1min", "30s", "15s"}, optional
        Snap inward to this lon/lat grid: only whole cells that are fully allowed (proposals in EPSG:4490).
    """
    from .checker import check, read_blocks
    from .layers import OPTIONAL_LAYERS, REQUIRED_LAYERS, load_constraints

    keep = normalise("keep", keep)
    policy = normalise("policy", policy)
    grid = None if grid is None else normalise("grid", grid)
    for name, value in (("margin_m", margin_m), ("min_width_m", min_width_m)):
        if not np.isfinite(value) or value < 0:
            raise InputError(t("{name} must be a finite number >= 0, got {value}", name=name, value=repr(value)))
    if not isinstance(max_corners, int) or max_corners < 4:
        raise InputError(t("max_corners must be a whole number >= 4, got {max_corners}", max_corners=repr(max_corners)))
    min_area = 1000.0 if min_area_m2 is None else float(min_area_m2)

    if isinstance(blocks, tuple):  # a report's blocks as its check read them (Report.propose_fixes)
        table, lonlat_vertices, source_crs = blocks
        table = table.copy()
        if "source_right" not in table.columns:
            table["source_right"] = None
    else:
        table, loaded = read_blocks(blocks, kind=kind, crs=crs, attributes=attributes)
        lonlat_vertices, source_crs = loaded.lonlat_vertices, loaded.info.crs
    delivered = list(lonlat_vertices) if lonlat_vertices is not None else list(table.geometry)
    geoms = np.asarray(table.geometry.values, dtype=object)
    usable = np.array([g is not None and not g.is_empty and g.geom_type in ("Polygon", "MultiPolygon") for g in geoms])
    geoms = np.array(
        [shapely.make_valid(g) if u and not g.is_valid else g for g, u in zip(geoms, usable)], dtype=object
    )
    near = (
        shapely.union_all([shapely.envelope(g).buffer(margin_m + 10) for g in geoms[usable]]) if usable.any() else None
    )
    needed = {*REQUIRED_LAYERS, *OPTIONAL_LAYERS}  # the re-check runs every rule, on every layer
    cset = (
        constraints
        if hasattr(constraints, "layers")
        else load_constraints(constraints, layers_needed=needed, near=near)
    )
    from .minerals import MineralTable

    minerals = MineralTable.bundled()
    areas_before = ellipsoidal_area(geoms, ANALYSIS_CRS)

    # the blocks' own order of precedence for shared ground
    order = np.arange(len(geoms))
    if policy == "larger":
        order = np.argsort(-np.nan_to_num(areas_before), kind="stable")
    rank = np.empty(len(geoms), dtype=int)
    rank[order] = np.arange(len(geoms))

    rows = []
    removed_geoms: dict = {}
    for i, geom in enumerate(geoms):
        row = table.iloc[i]
        base = {
            "block_id": row["block_id"],
            "name": row["name"],
            "kind": row["kind"],
            "mineral": row["mineral"],
            "source_right": row["source_right"],
        }
        if not usable[i]:
            rows.append({**base, "geometry": None, "note": t("no usable polygon to fix")})
            continue
        mineral = minerals.lookup(row["mineral"])
        avoid = _to_avoid(cset, geom, row, mineral, margin_m)
        others = [
            geoms[j]
            for j in range(len(geoms))
            if j != i and usable[j] and (policy == "both" or rank[j] < rank[i]) and geoms[j].intersects(geom)
        ]
        if others:
            avoid.append(("blocks", shapely.union_all(others)))
        allowed = geom
        removed = {}
        for layer, feature in avoid:
            cut = feature.buffer(margin_m, join_style="mitre") if margin_m > 0 else feature
            before = allowed
            allowed = polygonal([shapely.difference(allowed, cut)])[0]
            lost = polygonal([shapely.difference(before, allowed)])[0]
            removed[layer] = removed.get(layer, 0.0) + float(ellipsoidal_area([lost], ANALYSIS_CRS)[0])
            if not lost.is_empty:
                pieces = removed_geoms.setdefault(i, {})
                pieces[layer] = shapely.union(pieces[layer], lost) if layer in pieces else lost
        if grid is not None:
            rows.append({**base, **_on_grid(allowed, grid, keep, min_area), "removed": removed})
            continue
        if not any(v > 0 for v in removed.values()):  # nothing to avoid: the block as delivered, unchanged
            proposal = geom if source_crs == "EPSG:4547" else _as_delivered(delivered[i])
            rows.append({**base, "geometry": proposal, "removed": removed, "note": t("unchanged: nothing to avoid")})
            continue
        proposal = _fileable(allowed, min_width_m, keep, min_area, max_corners)
        rows.append({**base, "geometry": proposal, "removed": removed, "allowed_geometry": allowed})

    out = gpd.GeoDataFrame(
        [{k: v for k, v in r.items() if k not in ("removed", "allowed_geometry", "lonlat")} for r in rows],
        geometry="geometry",
        crs=ANALYSIS_CRS,
    )
    after = ellipsoidal_area(np.asarray(out.geometry.values, dtype=object), ANALYSIS_CRS)
    out["area_before_m2"] = np.round(areas_before, 2)
    out["area_after_m2"] = np.round(np.nan_to_num(after), 2)
    out["kept_ratio"] = np.round(np.where(areas_before > 0, np.nan_to_num(after) / areas_before, 0.0), 6)
    out["corners_before"] = [_corners(g) for g in delivered]
    out["corners_after"] = [
        _corners(r["lonlat"]) if "lonlat" in r else _corners(g) for r, g in zip(rows, out.geometry.values)
    ]
    for layer in ("mining_rights", "eco_redline", "basic_farmland", "town_boundary", "arable_land", "blocks"):
        out[f"removed_{layer}_m2"] = [round(r.get("removed", {}).get(layer, 0.0), 2) for r in rows]
    notes = []
    for r, g in zip(rows, out.geometry.values):
        if "note" in r:
            notes.append(r["note"])
        elif g is None or g.is_empty:
            lost = "、".join(layer_label(k) for k, v in r["removed"].items() if v > 0) or t(
                "the fileable-geometry steps"
            )
            notes.append(t("no compliant block exists inside this one: everything is removed by {lost}", lost=lost))
        else:
            notes.append("")
    out["note"] = notes
    if grid is not None:
        # the proposals as filed: lon/lat corners on the grid, edges along meridians and parallels
        out["grid_cells"] = [r.get("cells", 0) for r in rows]
        out = gpd.GeoDataFrame(
            out.drop(columns=out.geometry.name), geometry=[r.get("lonlat") for r in rows], crs=GEOGRAPHIC_EPSG
        )
    # re-check the proposals with the full rule set
    ok = out[out.geometry.notna() & ~out.geometry.is_empty]
    recheck = None
    statuses = {}
    if len(ok):
        frame = ok[["block_id", "name", "kind", "mineral", "source_right", "geometry"]].copy()
        recheck = check(frame, cset, lang=lang)
        statuses = dict(zip(recheck.blocks.block_id, recheck.blocks.status))
    out["status_after"] = [statuses.get(b) for b in out.block_id]
    if recheck is not None:  # say which rules a proposal still fails (cutting cannot make a block larger)
        f = recheck.findings
        failing = f[f.severity == "fail"].groupby("block_id")["rule_id"].apply(lambda s: ", ".join(sorted(set(s))))
        out["note"] = [
            n
            or (
                t("the proposal still fails {rules} (rules cutting cannot satisfy)", rules=failing[b])
                if b in failing.index
                else ""
            )
            for b, n in zip(out.block_id, out.note)
        ]
    return FixResult(out, recheck, list(geoms), [removed_geoms.get(i, {}) for i in range(len(geoms))])


def _to_avoid(cset, geom, row, mineral, margin_m: float = 0.0) -> list:
    """(layer, union of the features near ``geom``) the block must avoid, for its kind and mineral.

    "Near" is within ``margin_m`` of the block, not only meeting it: a feature just outside the block's edge
    still widens, by the margin, into it.
    """
    out = []

    def near(name, keep=None):
        gdf = cset.get(name)
        if gdf is None or len(gdf) == 0:
            return None
        if margin_m > 0:
            idx = cset.tree(name).query(geom, predicate="dwithin", distance=margin_m)
        else:
            idx = cset.tree(name).query(geom, predicate="intersects")
        if keep is not None:
            idx = idx[keep(gdf.iloc[idx])]
        if len(idx) == 0:
            return None
        return shapely.union_all(np.asarray(gdf.geometry.values, dtype=object)[idx])

    for name in ("eco_redline", "basic_farmland"):
        g = near(name)
        if g is not None:
            out.append((name, g))
    if not (mineral is not None and mineral.town_exempt):
        g = near("town_boundary")
        if g is not None:
            out.append(("town_boundary", g))
    source = row["source_right"]
    g = near("mining_rights", keep=lambda rights: (rights["feature_id"] != source).to_numpy())
    if g is not None:
        out.append(("mining_rights", g))
    if mineral is not None and mineral.name == "砖瓦用粘土":
        g = near("arable_land")
        if g is not None:
            out.append(("arable_land", g))
    return out


def _on_grid(allowed, grid: str, keep: str, min_area: float) -> dict:
    """The whole cells of ``grid`` within ``allowed``: their plane outline (for areas), lon/lat outline, count."""
    from .grid_cells import GRID_LABELS, cells_inside, grid_step, outline, to_plane

    cells = cells_inside(allowed, grid_step(grid))
    if len(cells.lonlat) == 0:
        return {
            "geometry": None,
            "note": t("no whole cell of the {grid} grid lies within the allowed area", grid=GRID_LABELS[grid]),
        }
    parts = [p for p in shapely.get_parts(outline(cells.lonlat)) if not p.is_empty]
    plane = to_plane(parts)
    areas = ellipsoidal_area(plane, ANALYSIS_CRS)
    if keep == "largest":
        chosen = [int(np.argmax(areas))]
    else:
        chosen = [i for i, a in enumerate(areas) if a >= min_area] or [int(np.argmax(areas))]
    lonlat = shapely.union_all([parts[i] for i in chosen])
    n = int(shapely.covered_by(cells.lonlat, lonlat.buffer(1e-12)).sum())
    return {"geometry": shapely.union_all(plane[chosen]), "lonlat": lonlat, "cells": n}


def _fileable(allowed, min_width_m, keep, min_area, max_corners):
    if allowed is None or allowed.is_empty:
        return None
    shape = allowed
    if min_width_m > 0:
        opened = allowed.buffer(-min_width_m / 2, join_style="mitre").buffer(min_width_m / 2, join_style="mitre")
        shape = polygonal([shapely.intersection(opened, allowed)])[0]
    parts = [p for p in shapely.get_parts(shape) if p.geom_type == "Polygon" and not p.is_empty]
    if not parts:
        return None
    if keep == "largest":
        parts = [max(parts, key=lambda p: p.area)]
    else:
        parts = [p for p in parts if p.area >= min_area] or [max(parts, key=lambda p: p.area)]
    shape = shapely.union_all(parts)
    # the analysis outline is densified (edges straight in the file's CRS bend slightly in the plane): drop
    # those points by simplifying a 5 cm inward copy by 5 cm — within the shape by construction
    light = shape.buffer(-_LIGHT_M, join_style="mitre").simplify(_LIGHT_M, preserve_topology=True)
    light = polygonal([shapely.intersection(light, allowed)])[0]
    if not light.is_empty and _corners(light) <= _corners(shape):
        shape = light
    tolerance = 0.1
    base = shape
    while _corners(shape) > max_corners and tolerance <= _MAX_SIMPLIFY_M:
        # simplify an inward copy by as much as it was pulled in: the result stays within the shape
        simple = base.buffer(-tolerance, join_style="mitre").simplify(tolerance, preserve_topology=True)
        simple = polygonal([shapely.intersection(simple, allowed)])[0]
        if not simple.is_empty:
            shape = simple
        tolerance *= 2
    inward = shape.buffer(-_INWARD_M, join_style="mitre")
    rounded = shapely.set_precision(inward, 0.01)
    rounded = polygonal([rounded])[0]
    if rounded.is_empty:
        return None
    return rounded if rounded.is_valid else polygonal([shapely.make_valid(rounded)])[0]


def _as_delivered(lonlat_geom):
    """The block's own corner points (lon/lat as delivered) in the analysis plane, vertex by vertex."""
    import pyproj

    to_plane = pyproj.Transformer.from_crs(4490, ANALYSIS_CRS, always_xy=True)
    return shapely.transform(lonlat_geom, lambda xy: np.column_stack(to_plane.transform(xy[:, 0], xy[:, 1])))


def _corners(geom) -> int:
    if geom is None or geom.is_empty:
        return 0
    return int(sum(len(r.coords) - 1 for r in shapely.get_rings(shapely.get_parts(geom))))
