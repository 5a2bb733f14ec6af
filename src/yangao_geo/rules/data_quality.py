"""D1xx: data-quality rules (geometry, CRS, extent, declared area, ids, minerals)."""

from __future__ import annotations

import numpy as np
import shapely

from ..area import ellipsoidal_area
from ..crs import ANALYSIS_CRS
from ..geometry import polygonal
from .messages import area_text, km2
from .registry import rule

_DATA = "数据质量前提：规划区块须有有效范围（第三章第三节 勘查开采规划区块）"


@rule(code="D101", name="geometry.invalid", severity="warn", citation=_DATA)
def geometry_invalid(ctx, params):
    """Invalid block geometry was repaired (make_valid, structure method) before checking.

    Warn: the block's polygon is invalid (self-intersection, ring not closed, ...);
    the reason GEOS gives is reported and the repaired polygon is checked.
    """
    for pos, reason in sorted(ctx.geometry_issues.get("invalid", {}).items()):
        ctx.add(pos, "warn", f"invalid geometry repaired before checking: {reason}")


@rule(code="D102", name="geometry.empty", severity="fail", citation=_DATA)
def geometry_empty(ctx, params):
    """A block has no usable polygon: null, empty or not a polygon.

    Fail: the block cannot be checked by any spatial rule (they skip it).
    """
    for pos, reason in sorted(ctx.geometry_issues.get("empty", {}).items()):
        ctx.add(pos, "fail", f"{reason}; spatial rules skipped this block")


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
    severity="warn",
    layers=("county_boundary",),
    citation="第一章第一节 一(一) 地理概况：规划范围为阳高县行政区域",
)
def extent_outside_county(ctx, params):
    """Part of the block lies outside the county boundary.

    Warn: the plan only governs Yanggao County; the area outside is reported.
    Pass: the block lies inside, or only its edge runs along the boundary.
    """
    county = ctx.layer("county_boundary")
    if len(county) == 0:
        return
    union = shapely.union_all(np.asarray(county.geometry.values, dtype=object))
    shapely.prepare(union)
    positions = ctx.block_positions(spatial=True)
    geoms = np.asarray(ctx.blocks.geometry.values, dtype=object)[positions]
    crossing = ~shapely.contains_properly(union, geoms)  # blocks well inside need no difference
    positions, geoms = positions[crossing], geoms[crossing]
    outside = polygonal(shapely.difference(geoms, union))
    areas = ellipsoidal_area(outside, ANALYSIS_CRS)
    for pos, piece, area in zip(positions, outside, areas):
        if ctx.significant(area):
            ctx.add(
                pos,
                "warn",
                f"{area_text(area)} of the block lies outside the county boundary",
                layer="county_boundary",
                overlap_m2=area,
                geometry=piece,
            )


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
                f"declared area {declared:.4f} km² differs from the ellipsoidal area "
                f"{km2(computed)} by {100 * diff:+.2f}% (tolerance {100 * tol:.2f}%)",
            )


@rule(code="D106", name="id.duplicate", severity="fail", citation="数据质量：区块编号唯一（规划区编号 GHQBH）")
def id_duplicate(ctx, params):
    """The block id is used by more than one block.

    Fail: every block sharing the id is reported, with the rows that share it.
    """
    rows = ctx.blocks["row"].to_numpy()
    for block_id, group in ctx.blocks.groupby("block_id", sort=False).indices.items():
        if len(group) > 1:
            row_list = ", ".join(str(int(rows[p])) for p in group)
            for pos in group:
                ctx.add(int(pos), "fail", f"block id {block_id!r} is used by rows {row_list}")


@rule(code="D107", name="mineral.unknown", severity="warn", citation="第三章第一节 勘查开采调控方向（按矿种管理）")
def mineral_unknown(ctx, params):
    """The block's mineral is missing or not in the mineral table.

    Warn: rules that depend on the mineral (town-boundary exemption, brick clay,
    exploration degree, minimum scale, concentrated areas) cannot use it.
    """
    for pos in ctx.block_positions():
        name = ctx.attr(pos, "mineral")
        if name is None:
            ctx.add(pos, "warn", "no mineral (矿种) given")
        elif ctx.minerals.lookup(name) is None:
            ctx.add(pos, "warn", f"unknown mineral {name!r}: not in the mineral table (add it with --config)")
