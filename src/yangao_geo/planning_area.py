"""The planning area: Yanggao County's extent as the plan states it (``data/planning_area.toml``).

Used when no ``county_boundary`` layer is given, so that a block far outside the county never passes
for lack of a layer (D104), and to tell whether a constraint layer covers the county at all (D108).

Examples
--------
>>> area = planning_area()
>>> round(area.west, 4), round(area.north, 4)
(113.4767, 40.5194)
"""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass
from importlib import resources

from .io.dms import parse_angle

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["PlanningArea", "planning_area"]


@dataclass(frozen=True)
class PlanningArea:
    """The county's stated extent in degrees, and where it is stated."""

    west: float
    east: float
    south: float
    north: float
    source: str


@functools.lru_cache(maxsize=1)
def planning_area() -> PlanningArea:
    """Read ``data/planning_area.toml`` (cached)."""
    text = resources.files("yangao_geo").joinpath("data/planning_area.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    lon = {k: parse_angle(raw[k], kind="lon") for k in ("west", "east")}
    lat = {k: parse_angle(raw[k], kind="lat") for k in ("south", "north")}
    return PlanningArea(lon["west"], lon["east"], lat["south"], lat["north"], raw["source"])
