"""The area unit reports show besides m²: km² (the default, 4 decimals), 公顷 or 亩 (``--area-unit``).

The JSON report keeps its contract (m² and km²); the terminal, Excel, HTML and the review opinion show the
unit chosen, named in the plan's words.

Examples
--------
>>> area_in(2_633_482.35, "ha"), area_in(2_633_482.35, "mu"), area_in(2_633_482.35, "km2")
(263.3482, 3950.2235, 2.6335)
>>> unit_label("mu")
'亩'
"""

from __future__ import annotations

__all__ = ["AREA_UNITS", "area_in", "unit_label"]

#: code -> (m² per unit, label, decimals)
AREA_UNITS = {"km2": (1_000_000.0, "km²", 4), "ha": (10_000.0, "公顷", 4), "mu": (10_000.0 / 15.0, "亩", 4)}


def area_in(m2: float, unit: str = "km2") -> float:
    """``m2`` in ``unit``, rounded to the unit's decimals."""
    factor, _, decimals = AREA_UNITS[unit]
    return round(m2 / factor, decimals)


def unit_label(unit: str = "km2") -> str:
    return AREA_UNITS[unit][1]
