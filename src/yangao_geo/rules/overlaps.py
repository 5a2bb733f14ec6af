"""O2xx: overlaps with existing mining rights and the three control lines.

Every overlap is measured as the ellipsoidal area of the intersection. An
overlap above the tolerance (``tolerance_m2``, default 1 m²) is a violation;
a smaller positive one is a ``warn`` sliver (digitising noise between
layers), never a fail; a shared edge or point is no overlap at all.
"""

from __future__ import annotations

import numpy as np

from ..findings import RepeatedValues, text_array
from ..i18n import N_, t
from .messages import WordedLater, layer_label
from .registry import rule

_EXPLORATION_RIGHTS = "第三章第三节 二(二)1(1) 勘查规划区块不得与现有矿业权重叠"
_MINING_RIGHTS = "第三章第三节 三(二)1(1) 开采规划区块不得与现有采矿权重叠"
_EXPLORATION_PRIORITY = "第三章第三节 三(二)1(4) 现有探矿权优先划定开采规划区块"
_THREE_LINES = (
    "第三章第三节 二(二)1(7)、三(二)1(5) 避让生态保护红线、永久基本农田、城镇开发边界；第三章第一节 二 严守三条控制线"
)
_TOWN = "第三章第一节 二 除地热、矿泉水外，城镇开发边界内不得新设置矿业权；第三章第三节 二(二)1(7)、三(二)1(5)"
_CLAY = "第三章第一节 一、二 禁止开采可耕地内砖瓦粘土"
_PRIORITY_NOTE = N_(
    "exploration rights have priority to become mining blocks; name the right in source_right if this block converts it"
)
_PROFILE_WORDS = {"current": N_("the regulations in force"), "plan-2022": N_("the regulations of the plan (2022)")}
#: overlap findings whose messages are worded at a time (a chunk of the store)
_MESSAGE_CHUNK = 20_000
_RIGHT_NAMES = {
    "exploration": N_("existing exploration right"),
    "mining": N_("existing mining right"),
    None: N_("existing mineral right of unknown type"),
}


def _overlap_findings(ctx, layer: str, what, *, decide=None, citation=None) -> None:
    """One finding per block × feature overlap, built column-wise (there may be millions).

    A piece narrower than the width tolerance everywhere (a shared edge drawn in two CRSs: 1 mm wide,
    1 km long, 1 m²) is an ``info``, whatever its area; a piece at or below the area tolerance a
    ``warn`` sliver; only real overlaps fail. ``what`` names the feature's layer (a string, or an array
    with one label per overlap). ``decide(ov)``
    may return ``(keep, severity, note, citation)`` arrays (one entry per overlap) to drop overlaps or
    change their severity; by default every overlap fails. An overlap at or below the tolerance that
    would fail is a ``warn`` sliver instead.
    """
    ov = ctx.overlaps(layer)
    n = len(ov)
    if n == 0:
        return
    # severity, note and citation as codes over their few distinct texts (RepeatedValues): one text object
    # each, whatever the number of overlaps, and no text looked at per overlap (there may be millions)
    if decide is None:
        keep = np.ones(n, dtype=bool)
        severity, note = RepeatedValues.filled(n, "fail"), RepeatedValues.filled(n, "")
        cites = RepeatedValues.filled(n, citation or ctx.current_rule.citation)
    else:
        keep, severity, note, cites = decide(ov)
        severity, note, cites = (RepeatedValues.coded(v) for v in (severity, note, cites))
    would_fail = severity.equals("fail")
    hair = ov.hairline & (would_fail | severity.equals("warn"))
    sliver = (ov.area_m2 <= ctx.tolerance_m2) & would_fail & ~hair
    severity = severity.where(sliver, "warn").where(hair, "info")
    note = note.where(sliver, t("sliver at or below the {tolerance} m² tolerance", tolerance=f"{ctx.tolerance_m2:g}"))
    note = note.where(
        hair,
        t(
            "narrower than {width} m everywhere: a shared edge within coordinate precision, not an overlap",
            width=f"{ctx.width_tolerance_m:g}",
        ),
    )
    has_note = ~note.equals("")
    feature_ids = ov.feature_id
    # the template translated once; each chunk's messages worded when a report reads them (there may be
    # millions: held as their numbers, not as texts), column-wise in C, the same text as area_text() and
    # percent() give, digit for digit (fixed_texts)
    template = t("overlaps {what} {feature} by {area}, {ratio} of the block")
    joined = t("{message}; {note}")
    block_area = ctx.block_areas[ov.block]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.where(block_area > 0, ov.area_m2 / block_area, np.nan)
    labels = np.asarray(what, dtype=object)
    kept = np.flatnonzero(keep)
    for start in range(0, len(kept), _MESSAGE_CHUNK):
        k = kept[start : start + _MESSAGE_CHUNK]
        area = ov.area_m2[k]
        ids = text_array(feature_ids[k])  # one copy, for the feature_id column and the messages
        messages = WordedLater(
            template,
            {
                "what": labels.item() if labels.ndim == 0 else labels[k],
                "feature": ids,
                "area": ("area", area),
                "ratio": ("percent", ratios[k]),
            },
            notes=note[k] if has_note[k].any() else None,
            joined=joined,
        )
        ctx.add_many(
            ov.block[k],
            severity.take(k),
            messages,
            layer=layer,
            feature_ids=ids,
            overlap_m2=area,
            geometries=ov.geometry[k],
            citation=cites.take(k),
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
    types = rights["right_type"].to_numpy(dtype=object)
    ids = rights["feature_id"].to_numpy(dtype=object)
    kinds = ctx.block_kinds
    sources = ctx.blocks["source_right"].to_numpy(dtype=object)

    def decide(ov):
        kind, rtype = kinds[ov.block], types[ov.feature]
        exploration_block = kind == "exploration"
        over_exploration_right = ~exploration_block & (rtype == "exploration")
        converts = over_exploration_right & (sources[ov.block] == ids[ov.feature])
        severity = np.where(over_exploration_right, "warn", "fail")
        note = np.where(over_exploration_right, t(_PRIORITY_NOTE), "")
        cites = np.where(
            exploration_block,
            _EXPLORATION_RIGHTS,
            np.where(over_exploration_right, _EXPLORATION_PRIORITY, _MINING_RIGHTS),
        ).astype(object)
        law = ctx.regulations.law("rights_overlap")
        if law:
            cites = np.where(severity == "fail", np.char.add(cites.astype(str), "；" + law), cites).astype(object)
        return ~converts, severity, note, cites

    names = {k: t(v) for k, v in _RIGHT_NAMES.items()}
    labels = np.array([names[kind] for kind in types], dtype=object)
    ov = ctx.overlaps("mining_rights")
    _overlap_findings(ctx, "mining_rights", labels[ov.feature] if len(ov) else "", decide=decide)


def _conditional(ctx, rule_code: str):
    """A ``decide`` for an overlap rule with the conditional exceptions of the regulations in force.

    A block whose mineral and kind an exception names gets ``warn`` ("conditionally allowed") with the
    condition and the exception's source; the plan's own wording (避让) stays in the message. Others fail.
    """
    minerals = ctx.block_minerals()
    kinds = ctx.block_kinds
    sources = ctx.blocks["source_right"].to_numpy(dtype=object)
    found = [
        ctx.regulations.exception(rule_code, m.name if m is not None else None, k, source_right=None if s != s else s)
        for m, k, s in zip(minerals, kinds, sources)
    ]

    # what an exception says is the block's: worded once per block, then spread over its overlaps
    allowed = np.array([e is not None for e in found], dtype=bool)
    block_note = np.full(len(found), "", dtype=object)
    block_cite = np.full(len(found), ctx.current_rule.citation, dtype=object)
    for b in np.flatnonzero(allowed):
        e = found[b]
        block_note[b] = t(
            "conditionally allowed under {regulations}: {condition}{flag}; the plan itself requires avoidance",
            regulations=t(_PROFILE_WORDS.get(ctx.regulations.profile, ctx.regulations.profile)),
            condition=e.condition_text(),
            flag="" if e.verified else t(" (text not verified in the gazette)"),
        )
        block_cite[b] = f"{e.citation}；{ctx.current_rule.citation}"

    block_severity = RepeatedValues.of(np.where(allowed, "warn", "fail"))
    block_note, block_cite = RepeatedValues.of(block_note), RepeatedValues.of(block_cite)

    def decide(ov):
        block = np.asarray(ov.block, dtype=int)
        keep = np.ones(len(ov), dtype=bool)
        return keep, block_severity.take(block), block_note.take(block), block_cite.take(block)

    return decide


@rule(code="O202", name="redline.overlap", severity="fail", layers=("eco_redline",), citation=_THREE_LINES)
def redline_overlap(ctx, params):
    """A block overlaps the ecological protection red line (生态保护红线).

    Fail: overlap above the tolerance. Warn: a sliver; or, under the current regulations, a
    conditionally allowed block (自然资发〔2022〕142号 item 7: exploration for 铬、铜、镍、锂、钴、锆、
    钾盐、稀土; existing 地热/矿泉水 rights continuing without enlargement) — the condition and source
    are stated. New gold, iron and aggregate blocks stay fails. Pass: shared edge only.
    """
    _overlap_findings(ctx, "eco_redline", layer_label("eco_redline"), decide=_conditional(ctx, "O202"))


@rule(code="O203", name="farmland.overlap", severity="fail", layers=("basic_farmland",), citation=_THREE_LINES)
def farmland_overlap(ctx, params):
    """A block overlaps permanent basic farmland (永久基本农田).

    Fail: overlap above the tolerance. Warn: a sliver; or, under the current regulations
    (《永久基本农田保护红线管理办法》 第二十二条, in force 2025-10-01), a block for 地热, 矿泉水 or a
    strategic mineral of the national plan (金、铁、钼 …), conditionally allowed — the condition and
    source are stated, and the plan's stricter 避让 stays in the message. Pass: shared edge only.
    """
    _overlap_findings(ctx, "basic_farmland", t("permanent basic farmland parcel"), decide=_conditional(ctx, "O203"))


@rule(code="O204", name="town.inside", severity="fail", layers=("town_boundary",), citation=_TOWN)
def town_inside(ctx, params):
    """A block overlaps the town development boundary (城镇开发边界).

    Fail: overlap above the tolerance, unless the mineral is 地热 or 矿泉水.
    Info: the same overlap for 地热/矿泉水, which the plan exempts.
    """

    minerals = ctx.block_minerals()
    exempt = np.array([m is not None and m.town_exempt for m in minerals], dtype=bool)
    names = np.array([m.name if m is not None else "" for m in minerals], dtype=object)

    def decide(ov):
        ex = exempt[ov.block]
        severity = np.where(ex, "info", "fail")
        note = np.array(
            [
                t("allowed: {mineral} is exempt inside the town boundary", mineral=m) if x else ""
                for m, x in zip(names[ov.block], ex)
            ],
            dtype=object,
        )
        return np.ones(len(ov), dtype=bool), severity, note, np.full(len(ov), _TOWN, dtype=object)

    _overlap_findings(ctx, "town_boundary", layer_label("town_boundary"), decide=decide)


@rule(code="O205", name="arable.clay", severity="fail", layers=("arable_land",), citation=_CLAY)
def arable_clay(ctx, params):
    """A brick-clay (砖瓦用粘土) block overlaps arable land (耕地).

    Fail: overlap above the tolerance for a block whose mineral is 砖瓦用粘土.
    Pass: any other mineral, or a clay block off arable land.
    """

    clay = np.array([m is not None and m.name == "砖瓦用粘土" for m in ctx.block_minerals()], dtype=bool)

    def decide(ov):
        n = len(ov)
        return clay[ov.block], np.full(n, "fail"), np.full(n, ""), np.full(n, _CLAY, dtype=object)

    _overlap_findings(ctx, "arable_land", t("arable land parcel"), decide=decide)
