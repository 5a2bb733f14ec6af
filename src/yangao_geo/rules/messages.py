"""Number formats shared by rule messages: m² to 2 decimals, km² to 4.

Examples
--------
>>> area_text(1234.5678)
'1234.57 m² (0.0012 km²)'
>>> percent(0.03216)
'3.22%'
"""

__all__ = ["LAYER_LABELS", "area_text", "km2", "layer_label", "percent"]

from ..i18n import N_, t

#: constraint layers as the plan names them
LAYER_LABELS = {
    "mining_rights": N_("existing mining rights"),
    "eco_redline": N_("the ecological protection red line"),
    "basic_farmland": N_("permanent basic farmland"),
    "town_boundary": N_("the town development boundary"),
    "county_boundary": N_("the county boundary"),
    "arable_land": N_("arable land"),
    "deposits": N_("deposits"),
    "concentrated_areas": N_("the sand, stone and clay concentrated mining areas"),
    "blocks": N_("proposed planning blocks"),
}


def km2(m2: float) -> str:
    """Square metres as km² with 4 decimals, the unit of mining-right areas."""
    return f"{m2 / 1e6:.4f} km²"


def area_text(m2: float) -> str:
    return f"{m2:.2f} m² ({km2(m2)})"


def percent(ratio: float | None) -> str:
    return "n/a" if ratio is None else f"{100 * ratio:.2f}%"


def layer_label(name: str | None) -> str:
    """A constraint layer's name in the current language (the plan's term)."""
    if name is None:
        return ""
    return t(LAYER_LABELS[name]) if name in LAYER_LABELS else str(name)
