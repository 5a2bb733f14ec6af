"""The colours every map of the reports uses (HTML, notebook, folium, matplotlib, the opinion, the fix section)."""

from __future__ import annotations

__all__ = ["DRAW_ORDER", "LAYER_FILL", "LAYER_STROKE", "STATUS_COLOURS"]

#: block status -> colour (不通过 red, 需关注 orange, 通过 green)
STATUS_COLOURS = {"fail": "#d62728", "warn": "#ff9f1c", "pass": "#2ca02c"}
#: constraint layer -> (fill, stroke)
_LAYER_STYLE = {
    "eco_redline": ("#e377c2", "#a0307d"),
    "basic_farmland": ("#bcd96b", "#7f9f2a"),
    "town_boundary": ("#9e9e9e", "#555555"),
    "mining_rights": ("#9467bd", "#5b3b85"),
    "arable_land": ("#f3e6a3", "#c9b458"),
    "deposits": ("#8c564b", "#5e362f"),
    "concentrated_areas": ("#17becf", "#0f7f8a"),
    "county_boundary": ("none", "#000000"),
}
#: the constraint layers in the order maps draw them, bottom to top
DRAW_ORDER = (
    "county_boundary",
    "arable_land",
    "basic_farmland",
    "town_boundary",
    "eco_redline",
    "deposits",
    "concentrated_areas",
    "mining_rights",
)
LAYER_FILL = {name: fill for name, (fill, _) in _LAYER_STYLE.items()}
LAYER_STROKE = {name: stroke for name, (_, stroke) in _LAYER_STYLE.items()}
