"""Production-capacity units (生产规模): parse, convert, compare by kind.

Capacities are either a mass rate (base unit t/年) or a volume rate (base
unit m³/年). Comparing a mass with a volume is never done silently: the
caller gets :class:`Capacity` objects whose ``kind`` differs.

Examples
--------
>>> parse_capacity(5, "万立方米/年")
Capacity(value=50000.0, kind='volume')
>>> parse_capacity("3万吨/年").kind
'mass'
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .errors import InputError
from .i18n import t

__all__ = ["UNIT_EXAMPLES", "Capacity", "parse_capacity", "parse_unit"]

UNIT_EXAMPLES = "万吨/年, 吨/年, 千吨/年, 万立方米/年, 立方米/年, 立方米/日"
_PER_YEAR = {"年": 1.0, "a": 1.0, "yr": 1.0, "日": 365.0, "天": 365.0, "d": 365.0}
_BASE = {"吨": ("mass", 1.0), "t": ("mass", 1.0), "m3": ("volume", 1.0)}
_PREFIX = {"": 1.0, "万": 1e4, "千": 1e3, "百万": 1e6, "k": 1e3, "10^4": 1e4, "10⁴": 1e4}
_NUMBER_UNIT = re.compile(r"^\s*([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


@dataclass(frozen=True)
class Capacity:
    """A production rate in base units: t/年 for ``mass``, m³/年 for ``volume``."""

    value: float
    kind: str

    def describe(self) -> str:
        unit = "万吨/年" if self.kind == "mass" else "万立方米/年"
        return f"{self.value / 1e4:g} {unit}"


def parse_unit(unit: str) -> tuple[str, float]:
    """Return ``(kind, factor to base unit per year)`` for a unit string.

    Raises
    ------
    InputError
        For a unit that is not a mass or volume per year/day.
    """
    raw = unit
    u = str(unit).strip().lower().replace(" ", "").replace("（", "(").replace("）", ")")
    for old, new in (
        ("m³", "m3"),
        ("立方米", "m3"),
        ("立方", "m3"),
        ("方", "m3"),
        ("每年", "/年"),
        ("每日", "/日"),
        ("/天", "/日"),
    ):
        u = u.replace(old, new)
    if "/" not in u:
        raise InputError(
            t(
                "capacity unit {raw} has no time base; expected one of {UNIT_EXAMPLES}",
                raw=repr(raw),
                UNIT_EXAMPLES=UNIT_EXAMPLES,
            )
        )
    amount, per = u.rsplit("/", 1)
    if per not in _PER_YEAR:
        raise InputError(
            t(
                "capacity unit {raw}: unknown time base {per}; expected one of {UNIT_EXAMPLES}",
                raw=repr(raw),
                per=repr(per),
                UNIT_EXAMPLES=UNIT_EXAMPLES,
            )
        )
    for base, (kind, factor) in _BASE.items():
        if amount.endswith(base):
            prefix = amount[: -len(base)]
            if prefix in _PREFIX:
                return kind, factor * _PREFIX[prefix] * _PER_YEAR[per]
    raise InputError(
        t("unknown capacity unit {raw}; expected one of {UNIT_EXAMPLES}", raw=repr(raw), UNIT_EXAMPLES=UNIT_EXAMPLES)
    )


def parse_capacity(value, unit: str | None = None) -> Capacity | None:
    """Parse a capacity given as a number plus unit, or as one string ``"5万立方米/年"``.

    Returns None for a missing value (None, NaN, empty string).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == "":
        return None
    if isinstance(value, str):
        m = _NUMBER_UNIT.match(value)
        if not m:
            raise InputError(t("capacity {value} is not a number with a unit (e.g. '5万立方米/年')", value=repr(value)))
        number, inline_unit = float(m.group(1)), m.group(2)
        unit = inline_unit or unit
    else:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise InputError(t("capacity {value} is not a number", value=repr(value))) from None
    if not math.isfinite(number) or number <= 0:
        raise InputError(t("capacity {value} must be a positive finite number", value=repr(value)))
    if unit is None or (isinstance(unit, float) and math.isnan(unit)) or str(unit).strip() == "":
        raise InputError(
            t(
                "capacity {value} has no unit; expected one of {UNIT_EXAMPLES}",
                value=repr(value),
                UNIT_EXAMPLES=UNIT_EXAMPLES,
            )
        )
    kind, factor = parse_unit(str(unit))
    return Capacity(number * factor, kind)
