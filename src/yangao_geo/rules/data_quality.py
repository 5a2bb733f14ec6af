"""D1xx: data-quality rules (geometry, CRS, extent, declared area, ids, minerals)."""

from __future__ import annotations

import functools

import numpy as np
import shapely

from ..area import ellipsoidal_area
from ..crs import ANALYSIS_CRS, GEOGRAPHIC_EPSG, to_analysis_crs
from ..geometry import distance_between, distances_to, polygonal
from ..i18n import N_, t
from ..planning_area import planning_area
from .messages import area_text, km2, layer_label
from .registry import rule

_DATA = "数据质量前提：规划区块须有有效范围（第三章第三节 勘查开采规划区块）"


@rule(code="D101", name="geometry.invalid", severity="warn", citation=_DATA)
def geometry_invalid(ctx, params):
    """Invalid geometry, judged as the file states it, was repaired (make_valid, structure method).

    Warn: a block's polygon is invalid (self-intersection, ring not closed, ...) in the file's own
    coordinates, before any reprojection; GEOS's reason and the area before (the rings as drawn,
    summed) and after the repair are reported, and the repaired polygon is checked. The same for an
    invalid constraint feature (block_id empty): its repaired form is what blocks are checked against.
    """
    for pos, repair in sorted(ctx.geometry_issues.get("invalid", {}).items()):
        ctx.add(pos, "warn", _repair_text(t("the block's geometry"), repair))
    for layer, repairs in ctx.constraint_repairs.items():
        for r in repairs:
            what = t("{layer} feature {feature}", layer=layer_label(layer), feature=r["feature_id"])
            ctx.add(None, "warn", _repair_text(what, r), layer=layer, feature_id=r["feature_id"])


_STAGES = {
    "as stated in the file": N_("as stated in the file"),
    "after reprojection to EPSG:4547": N_("after reprojection to EPSG:4547"),
}


def _repair_text(what: str, repair) -> str:
    before, after = repair["area_before_m2"], repair["area_after_m2"]
    return t(
        "{what} is invalid {stage} ({reason}); repaired with make_valid (structure): area as drawn {before}, "
        "after repair {after}",
        what=what,
        stage=t(_STAGES.get(repair["stage"], repair["stage"])),
        reason=repair["reason"],
        before=area_text(before),
        after=area_text(after),
    )


@rule(code="D102", name="geometry.empty", severity="fail", citation=_DATA)
def geometry_empty(ctx, params):
    """A block has no usable polygon: null, empty or not a polygon.

    Fail: the block cannot be checked by any spatial rule (they skip it).
    """
    for pos, reason in sorted(ctx.geometry_issues.get("empty", {}).items()):
        ctx.add(pos, "fail", t("{reason}; spatial rules skipped this block", reason=reason))


@rule(
    code="D103",
    name="crs.inferred",
    severity="warn",
    citation="数据质量：CGCS2000 坐标系（EPSG:4490/4491–4554）",
    scope="input",
)
def crs_inferred(ctx, params):
    """An input's CRS was missing or contradicted by its coordinates; what was assumed.

    Warn (about the input, block_id empty): check that the assumption is right,
    or pass --crs.
    """
    for note in ctx.crs_notes:
        ctx.add(None, "warn", note)


@rule(
    code="D104",
    name="extent.outside_county",
    severity="fail",
    citation=(
        "第一章第一节 一(一) 地理概况：规划范围为阳高县行政区域（东经 113°28′36″—114°06′15″，北纬 39°49′50″—40°31′10″）"
    ),
)
def extent_outside_county(ctx, params):
    """The block lies wholly or partly outside the county (the planning area).

    Fail: the block lies wholly outside — the plan cannot admit it. Warn: part of it lies outside;
    the area outside is reported. Judged against the whole county_boundary layer (always read
    whole), or, when no such layer is given, against the county's extent as the plan states it
    (东经 113°28′36″—114°06′15″，北纬 39°49′50″—40°31′10″, ``data/planning_area.toml``), and the
    message says which. Pass: inside, or only the edge runs along the boundary.
    """
    county = ctx.layer("county_boundary")
    if county is not None and len(county):
        area = ctx.constraints.union("county_boundary")
        against = t("the county boundary (county_boundary layer)")
    else:
        area = planning_area_extent()
        against = t(
            "the county's extent as the plan states it (no county_boundary layer given; chapter 1 section 1: "
            "E 113°28′36″–114°06′15″, N 39°49′50″–40°31′10″)"
        )
    positions = ctx.block_positions(spatial=True)
    geoms = np.asarray(ctx.blocks.geometry.values, dtype=object)[positions]
    crossing = ~shapely.contains_properly(area, geoms)  # blocks well inside need no difference
    positions, geoms = positions[crossing], geoms[crossing]
    outside = polygonal(shapely.difference(geoms, area))
    areas = ellipsoidal_area(outside, ANALYSIS_CRS)
    block_areas = ctx.block_areas
    for pos, geom, piece, out_m2 in zip(positions, geoms, outside, areas):
        if not ctx.significant(out_m2):
            continue
        wholly = out_m2 >= block_areas[pos] - max(ctx.tolerance_m2, 1e-6 * block_areas[pos])
        if wholly:
            distance = distance_between(geom, area)
            ctx.add(
                pos,
                "fail",
                t(
                    "the block lies wholly outside {against}, {distance} km from it: the plan cannot admit it "
                    "(check the CRS and the coordinates)",
                    against=against,
                    distance=f"{distance / 1000:.3f}",
                ),
                overlap_m2=out_m2,
                geometry=piece,
            )
        else:
            ctx.add(
                pos,
                "warn",
                t("{area} of the block lies outside {against}", area=area_text(out_m2), against=against),
                layer="county_boundary" if county is not None and len(county) else None,
                overlap_m2=out_m2,
                geometry=piece,
            )


@functools.lru_cache(maxsize=1)
def planning_area_extent():
    """The county's stated extent (``data/planning_area.toml``) as a polygon in EPSG:4547, prepared.

    Its edges are densified: straight in lon/lat, as the plan states the extent.
    """
    area = planning_area()
    box = shapely.box(area.west, area.south, area.east, area.north)
    polygon = to_analysis_crs([box], GEOGRAPHIC_EPSG)[0]
    shapely.prepare(polygon)
    return polygon


@rule(
    code="D105",
    name="area.declared_mismatch",
    severity="warn",
    params={"relative_tolerance": 0.005},
    citation="第三章第三节 区块面积；面积按 TD/T 1055-2019 附录D 椭球面积计算",
)
def area_declared_mismatch(ctx, params):
    """The declared area differs from the computed ellipsoidal area by more than 0.5 %.

    Warn: declared km² (面积/GHQMJ) vs the CGCS2000 ellipsoidal area of the polygon.
    Parameter ``relative_tolerance`` (default 0.005).
    """
    tol = float(params["relative_tolerance"])
    for pos in ctx.block_positions():
        issue = ctx.attr(pos, "declared_area_issue")
        if issue is not None:
            ctx.add(pos, "warn", t("the declared area could not be read: {issue}", issue=issue.split(": ", 1)[-1]))
    for pos in ctx.block_positions(spatial=True):
        declared = ctx.attr(pos, "declared_area_km2")
        if declared is None:
            continue
        computed = float(ctx.blocks["area_m2"].iloc[pos])
        if computed <= 0:
            continue
        diff = (declared * 1e6 - computed) / computed
        if abs(diff) > tol:
            ctx.add(
                pos,
                "warn",
                t(
                    "declared area {declared} km² differs from the ellipsoidal area {computed} by {diff}% "
                    "(tolerance {tolerance}%)",
                    declared=f"{declared:.4f}",
                    computed=km2(computed),
                    diff=f"{100 * diff:+.2f}",
                    tolerance=f"{100 * tol:.2f}",
                ),
            )


@rule(code="D106", name="id.duplicate", severity="fail", citation="数据质量：区块编号唯一（规划区编号 GHQBH）")
def id_duplicate(ctx, params):
    """The block id is used by more than one block.

    Fail: every block sharing the id is reported, with the rows that share it.
    """
    rows = ctx.blocks["row"].to_numpy()
    ids = ctx.block_column("block_id")
    if len(set(ids)) == len(ids):  # the usual case, without grouping
        return
    for block_id, group in ctx.blocks.groupby("block_id", sort=False).indices.items():
        if len(group) > 1:
            row_list = ", ".join(str(int(rows[p])) for p in group)
            for pos in group:
                ctx.add(int(pos), "fail", t("block id {id} is used by rows {rows}", id=repr(block_id), rows=row_list))


@rule(code="D107", name="mineral.unknown", severity="warn", citation="第三章第一节 勘查开采调控方向（按矿种管理）")
def mineral_unknown(ctx, params):
    """The block's mineral is missing or not in the mineral table.

    Warn: rules that depend on the mineral (town-boundary exemption, brick clay,
    exploration degree, minimum scale, concentrated areas) cannot use it.
    """
    for pos in ctx.block_positions():
        name = ctx.attr(pos, "mineral")
        if name is None:
            ctx.add(pos, "warn", t("no mineral given"))
        elif ctx.minerals.lookup(name) is None:
            ctx.add(
                pos,
                "warn",
                t("unknown mineral {name}: not in the mineral table (add it with --config)", name=repr(name)),
            )


@rule(
    code="D108",
    name="data.coverage",
    severity="fail",
    params={"layers": ["basic_farmland"], "margin_m": 2000.0},
    citation=(
        "数据质量前提：审查须以覆盖区块的现状数据为依据"
        "（第三章第三节 二(二)1(7)、三(二)1(5) 避让三条控制线与现有矿业权）"
    ),
)
def data_coverage(ctx, params):
    """A required constraint layer has no data where the block is: "no overlap" would not be a result.

    Warn: a required layer (mining rights, red line, farmland, town boundary) has no feature at
    all. Fail: it lies wholly outside the planning area (another county's data?); or a layer that covers the
    whole county (``layers``: the permanent basic farmland by default — the red line, the town
    boundary and the mining rights are patchy by nature) has its extent — its bounding box, from the
    whole file, widened by ``margin_m`` — nowhere near the block. One finding per block and layer.
    Pass: every required layer has data around the block.
    """
    from ..layers import REQUIRED_LAYERS

    margin = float(params["margin_m"])
    covering = set(params["layers"])
    unknown = covering - set(REQUIRED_LAYERS)
    if unknown:
        raise ValueError(
            t(
                "D108: layers {unknown} are not required layers ({value})",
                unknown=sorted(unknown),
                value=", ".join(REQUIRED_LAYERS),
            )
        )
    county = ctx.layer("county_boundary")
    has_county = county is not None and len(county)
    planning = ctx.constraints.union("county_boundary") if has_county else planning_area_extent()
    positions = ctx.block_positions(spatial=True)
    geoms = np.asarray(ctx.blocks.geometry.values, dtype=object)[positions]
    for name in REQUIRED_LAYERS:
        if name not in ctx.constraints:
            continue
        extent = ctx.constraints.extent(name)
        if extent is None:
            for pos in positions:
                ctx.add(
                    int(pos),
                    "warn",
                    t(
                        "layer {layer} has no features: no overlap with it can be shown; confirm that the area "
                        "really has none",
                        layer=layer_label(name),
                    ),
                    layer=name,
                )
            continue
        if not shapely.intersects(extent, planning):
            for pos in positions:
                ctx.add(
                    int(pos),
                    "fail",
                    t(
                        "layer {layer} lies wholly outside the planning area (its extent does not meet the "
                        "county): it cannot show whether this block avoids it",
                        layer=layer_label(name),
                    ),
                    layer=name,
                )
            continue
        if name not in covering:
            continue
        around = ctx.constraints.derived(
            ("extent_buffer", name, margin), lambda box=extent: shapely.buffer(box, margin, join_style="mitre")
        )
        near = ~shapely.intersects(geoms, around)
        for pos, distance in zip(positions[near], distances_to(geoms[near], extent)):
            ctx.add(
                int(pos),
                "fail",
                t(
                    "layer {layer} has no data within {margin} m of the block (its extent is {distance} km away): "
                    "the layer does not cover the block, so no overlap cannot be shown",
                    layer=layer_label(name),
                    margin=f"{margin:g}",
                    distance=f"{distance / 1000:.3f}",
                ),
                layer=name,
            )
