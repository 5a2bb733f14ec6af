"""Number formats shared by rule messages: m² to 2 decimals, km² to 4.

Examples
--------
>>> area_text(1234.5678)
'1234.57 m² (0.0012 km²)'
>>> percent(0.03216)
'3.22%'
"""

__all__ = ["area_text", "km2", "percent"]


def km2(m2: float) -> str:
    """Square metres as km² with 4 decimals, the unit of mining-right areas."""
    return f"{m2 / 1e6:.4f} km²"


def area_text(m2: float) -> str:
    return f"{m2:.2f} m² ({km2(m2)})"


def percent(ratio: float | None) -> str:
    return "n/a" if ratio is None else f"{100 * ratio:.2f}%"
