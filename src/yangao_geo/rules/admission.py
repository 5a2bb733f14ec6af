"""A4xx: admission rules for mining blocks (开采规划区块 划定原则, 第四章第三节 准入)."""

from __future__ import annotations

import numpy as np
import shapely

from ..area import ellipsoidal_area
from ..attributes import DEGREES
from ..crs import ANALYSIS_CRS
from ..geometry import polygonal
from ..i18n import N_, t
from ..units import parse_capacity
from .messages import area_text
from .registry import rule

_DEGREE = (
    "第三章第三节 三(二)1(2) 煤矿和资源储量规模为大型的非煤矿山勘查程度需达到勘探，其他矿山（第三类矿产除外）"
    "原则上应达到详查及以上；第四章第三节"
)
_SCALE = (
    "第三章第三节 三(二)1(3) 设计开采规模须符合最低开采规模标准；第四章第三节 二 开采规模；"
    "附表9 阳高县重点矿种矿山最低开采规模规划表"
)
_CONCENTRATED = "第一章第四节 三(三) 引导砂石开采向集中开采区集聚；第三章第三节 三(一) 砂石土类集中开采区"


@rule(code="A401", name="degree.insufficient", severity="fail", kinds={"mining"}, citation=_DEGREE)
def degree_insufficient(ctx, params):
    """The exploration degree (勘查程度) of a mining block is too low.

    Fail: below 勘探 for coal or a 大型 non-coal deposit, below 详查 otherwise.
    Third-class minerals (sand, stone, clay) are exempt. Warn: degree missing,
    or the mineral is unknown so the requirement cannot be decided.
    """
    for pos in ctx.block_positions({"mining"}):
        mineral = ctx.mineral(pos)
        degree = ctx.attr(pos, "degree")
        scale = ctx.attr(pos, "reserve_scale")
        if mineral is None:
            ctx.add(pos, "warn", t("exploration degree requirement cannot be decided: mineral missing or unknown"))
            continue
        if mineral.third_class:
            continue
        required = "勘探" if mineral.is_coal or scale == "大型" else "详查"
        why = (
            t(N_("coal"))
            if mineral.is_coal
            else t(N_("a large deposit"))
            if scale == "大型"
            else t(N_("a non-coal deposit that is not large"))
        )
        if degree is None:
            extra = (
                "" if scale else t(" (reserve scale not given; a large deposit would need {level})", level=_deg("勘探"))
            )
            ctx.add(
                pos,
                "warn",
                t(
                    "exploration degree not given; {mineral}: {why} needs {required} or better{extra}",
                    mineral=mineral.name,
                    why=why,
                    required=_deg(required),
                    extra=extra,
                ),
            )
        elif DEGREES.index(degree) < DEGREES.index(required):
            ctx.add(
                pos,
                "fail",
                t(
                    "exploration degree {degree} is below {required}, required for {mineral} ({why})",
                    degree=_deg(degree),
                    required=_deg(required),
                    mineral=mineral.name,
                    why=why,
                ),
            )


@rule(code="A402", name="scale.minimum", severity="fail", kinds={"mining", "concentrated"}, citation=_SCALE)
def scale_minimum(ctx, params):
    """The design capacity (生产规模) is below the minimum mining scale for the mineral.

    Fail: capacity below the minimum of the mineral table (values flagged
    unverified say so). Warn: capacity missing; mineral unknown; no minimum on
    file for the mineral; capacity unit of another kind (mass vs volume) than the
    minimum — never compared silently.
    """
    for pos in ctx.block_positions({"mining", "concentrated"}):
        mineral = ctx.mineral(pos)
        capacity = parse_capacity(ctx.attr(pos, "capacity"), ctx.attr(pos, "capacity_unit"))
        if mineral is None:
            ctx.add(pos, "warn", t("minimum mining scale cannot be checked: mineral missing or unknown"))
            continue
        minimum = mineral.minimum
        if minimum is None:
            ctx.add(
                pos,
                "warn",
                t(
                    "no minimum mining scale on file for {mineral} (the plan's annex table 9 is not in its text); "
                    "add one with --config",
                    mineral=mineral.name,
                ),
            )
            continue
        source = mineral.min_scale_source_text()
        basis = "" if mineral.min_scale_verified else t(" [minimum unverified: {source}]", source=source)
        minimum_text = f"{mineral.min_scale:g} {mineral.min_scale_unit}"
        if capacity is None:
            ctx.add(
                pos,
                "warn",
                t(
                    "design capacity not given; minimum for {mineral} is {minimum}{basis}",
                    mineral=mineral.name,
                    minimum=minimum_text,
                    basis=basis,
                ),
            )
        elif capacity.kind != minimum.kind:
            ctx.add(
                pos,
                "warn",
                t(
                    "capacity is a {kind} rate ({capacity}) but the minimum for {mineral} is a {minimum_kind} rate "
                    "({minimum}); not compared",
                    kind=t(_KIND_LABEL.get(capacity.kind, capacity.kind)),
                    capacity=capacity.describe(),
                    mineral=mineral.name,
                    minimum_kind=t(_KIND_LABEL.get(minimum.kind, minimum.kind)),
                    minimum=minimum_text,
                ),
            )
        elif capacity.value < minimum.value:
            ctx.add(
                pos,
                "fail",
                t(
                    "design capacity {capacity} is below the minimum mining scale {minimum} for {mineral}{basis}",
                    capacity=capacity.describe(),
                    minimum=minimum_text,
                    mineral=mineral.name,
                    basis=basis,
                ),
            )


@rule(
    code="A403",
    name="concentrated.outside",
    severity="warn",
    kinds={"mining"},
    layers=("concentrated_areas",),
    citation=_CONCENTRATED,
)
def concentrated_outside(ctx, params):
    """A sand/stone/clay mining block is not inside a designated concentrated mining area.

    Warn: part of a third-class (砂石土) mining block lies outside every
    砂石土类集中开采区 by more than the tolerance.
    """
    areas = ctx.layer("concentrated_areas")
    union = shapely.union_all(np.asarray(areas.geometry.values, dtype=object)) if len(areas) else shapely.Polygon()
    for pos in ctx.block_positions({"mining"}, spatial=True):
        mineral = ctx.mineral(pos)
        if mineral is None or not mineral.third_class:
            continue
        outside = polygonal([shapely.difference(ctx.blocks.geometry.iloc[pos], union)])
        area = float(ellipsoidal_area(outside, ANALYSIS_CRS)[0])
        if ctx.significant(area):
            ctx.add(
                pos,
                "warn",
                t(
                    "{area} of this {mineral} block lies outside every designated sand, stone and clay "
                    "concentrated mining area",
                    area=area_text(area),
                    mineral=mineral.name,
                ),
                layer="concentrated_areas",
                overlap_m2=area,
                geometry=outside[0],
            )


#: exploration degrees in English (the plan's terms in Chinese)
_DEGREE_EN = {
    "预查": N_("reconnaissance"),
    "普查": N_("general exploration"),
    "详查": N_("detailed exploration"),
    "勘探": N_("advanced exploration"),
}
_KIND_LABEL = {"mass": N_("mass"), "volume": N_("volume")}


def _deg(degree: str) -> str:
    """An exploration degree as the current language names it (zh: the plan's term)."""
    from ..i18n import current_lang

    return degree if current_lang() == "zh" else t(_DEGREE_EN[degree])
