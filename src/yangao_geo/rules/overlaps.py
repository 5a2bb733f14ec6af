"""O2xx: overlaps with existing mining rights and the three control lines.

Every overlap is measured as the ellipsoidal area of the intersection. An
overlap above the tolerance (``tolerance_m2``, default 1 m²) is a violation;
a smaller positive one is a ``warn`` sliver (digitising noise between
layers), never a fail; a shared edge or point is no overlap at all.
"""

from __future__ import annotations

from .messages import area_text, percent
from .registry import rule

_EXPLORATION_RIGHTS = "第三章第三节 二(二)1(1) 勘查规划区块不得与现有矿业权重叠"
_MINING_RIGHTS = "第三章第三节 三(二)1(1) 开采规划区块不得与现有采矿权重叠"
_EXPLORATION_PRIORITY = "第三章第三节 三(二)1(4) 现有探矿权优先划定开采规划区块"
_THREE_LINES = (
    "第三章第三节 二(二)1(7)、三(二)1(5) 避让生态保护红线、永久基本农田、城镇开发边界；第三章第一节 二 严守三条控制线"
)
_TOWN = "第三章第一节 二 除地热、矿泉水外，城镇开发边界内不得新设置矿业权；第三章第三节 二(二)1(7)、三(二)1(5)"
_CLAY = "第三章第一节 一、二 禁止开采可耕地内砖瓦粘土"
_RIGHT_NAMES = {
    "exploration": "exploration right (探矿权)",
    "mining": "mining right (采矿权)",
    None: "mining right of unknown type (矿业权)",
}


def _ratio(ctx, pos, area):
    block_area = float(ctx.blocks["area_m2"].iloc[pos])
    return area / block_area if block_area > 0 else None


def _overlap_findings(ctx, layer: str, what, *, severity_for=None, citation=None) -> None:
    """One finding per block × feature overlap.

    ``what`` names the feature's layer (a string, or a function of the feature
    position); ``severity_for(pos, feature)`` may return ``(severity, note,
    citation)`` to change the finding, or None to drop it.
    """
    ov = ctx.overlaps(layer)
    feature_ids = ctx.layer(layer)["feature_id"].to_numpy()
    for pos, feat, geom, area in zip(ov.block, ov.feature, ov.geometry, ov.area_m2):
        severity, note, cite = "fail", "", citation
        if severity_for is not None:
            decided = severity_for(pos, feat)
            if decided is None:
                continue
            severity, note, cite = decided
        if not ctx.significant(area) and severity == "fail":
            severity, note = "warn", f"sliver at or below the {ctx.tolerance_m2:g} m² tolerance"
        label = what(feat) if callable(what) else what
        message = (
            f"overlaps {label} {feature_ids[feat]} by {area_text(area)}, {percent(_ratio(ctx, pos, area))} of the block"
        )
        if note:
            message += f"; {note}"
        ctx.add(
            pos,
            severity,
            message,
            layer=layer,
            feature_id=feature_ids[feat],
            overlap_m2=area,
            geometry=geom,
            citation=cite,
        )


@rule(
    code="O201",
    name="rights.overlap",
    severity="fail",
    layers=("mining_rights",),
    citation=f"{_EXPLORATION_RIGHTS}；{_MINING_RIGHTS}",
)
def rights_overlap(ctx, params):
    """A block overlaps an existing mining right (探矿权/采矿权).

    Fail: an exploration block over any right; a mining or concentrated block
    over a mining right (采矿权) or a right of unknown type.
    Warn: a mining or concentrated block over an exploration right (现有探矿权
    优先转采) — no finding when the block's ``source_right`` names that right.
    Pass: the block only shares an edge with the right.
    """
    rights = ctx.layer("mining_rights")
    types = rights["right_type"].to_numpy()
    ids = rights["feature_id"].to_numpy()

    def decide(pos, feat):
        kind = ctx.blocks["kind"].iloc[pos]
        if kind == "exploration":
            return "fail", "", _EXPLORATION_RIGHTS
        if types[feat] == "exploration":
            if ctx.attr(pos, "source_right") == ids[feat]:
                return None
            return (
                "warn",
                "exploration rights have priority to become mining blocks (转采); name the right in "
                "source_right (原探矿权) if this block converts it",
                _EXPLORATION_PRIORITY,
            )
        return "fail", "", _MINING_RIGHTS

    _overlap_findings(
        ctx,
        "mining_rights",
        lambda feat: f"existing {_RIGHT_NAMES[types[feat]]}",
        severity_for=decide,
        citation=_MINING_RIGHTS,
    )


@rule(code="O202", name="redline.overlap", severity="fail", layers=("eco_redline",), citation=_THREE_LINES)
def redline_overlap(ctx, params):
    """A block overlaps the ecological protection red line (生态保护红线).

    Fail: overlap above the tolerance. Warn: a sliver. Pass: shared edge only.
    """
    _overlap_findings(ctx, "eco_redline", "the ecological protection red line (生态保护红线)")


@rule(code="O203", name="farmland.overlap", severity="fail", layers=("basic_farmland",), citation=_THREE_LINES)
def farmland_overlap(ctx, params):
    """A block overlaps permanent basic farmland (永久基本农田).

    Fail: overlap above the tolerance. Warn: a sliver. Pass: shared edge only.
    """
    _overlap_findings(ctx, "basic_farmland", "permanent basic farmland (永久基本农田) parcel")


@rule(code="O204", name="town.inside", severity="fail", layers=("town_boundary",), citation=_TOWN)
def town_inside(ctx, params):
    """A block overlaps the town development boundary (城镇开发边界).

    Fail: overlap above the tolerance, unless the mineral is 地热 or 矿泉水.
    Info: the same overlap for 地热/矿泉水, which the plan exempts.
    """

    def decide(pos, feat):
        mineral = ctx.mineral(pos)
        if mineral is not None and mineral.town_exempt:
            return "info", f"allowed: {mineral.name} is exempt inside the town boundary", _TOWN
        return "fail", "", _TOWN

    _overlap_findings(ctx, "town_boundary", "the town development boundary (城镇开发边界)", severity_for=decide)


@rule(code="O205", name="arable.clay", severity="fail", layers=("arable_land",), citation=_CLAY)
def arable_clay(ctx, params):
    """A brick-clay (砖瓦用粘土) block overlaps arable land (耕地).

    Fail: overlap above the tolerance for a block whose mineral is 砖瓦用粘土.
    Pass: any other mineral, or a clay block off arable land.
    """

    def decide(pos, feat):
        mineral = ctx.mineral(pos)
        if mineral is None or mineral.name != "砖瓦用粘土":
            return None
        return "fail", "", _CLAY

    _overlap_findings(ctx, "arable_land", "arable land (耕地) parcel", severity_for=decide)
