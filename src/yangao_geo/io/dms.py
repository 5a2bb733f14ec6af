"""Angles as Chinese corner-point tables write them: DMS, dashed, packed, decimal.

Examples
--------
>>> parse_angle("113°45′30.123″")
113.7583675
>>> parse_angle("113-45-30.123") == parse_angle("1134530.123") == parse_angle("113°45'30.123\\"")
True
>>> parse_angle("40°01′", kind="lat")
40.016666666666666
>>> format_dms(113.7583675)
'113°45′30.123″'
"""

from __future__ import annotations

import math
import re

from ..i18n import t

__all__ = ["format_dms", "parse_angle"]

_DMS = re.compile(
    r"""^\s*(?P<sign>[-+]?)\s*(?P<d>\d+(?:\.\d+)?)\s*(?:°|度|d)\s*
        (?:(?P<m>\d+(?:\.\d+)?)\s*(?:′|'|分|m)\s*)?
        (?:(?P<s>\d+(?:\.\d+)?)\s*(?:″|"|''|秒|s)?\s*)?$""",
    re.VERBOSE,
)
_DASHED = re.compile(r"^\s*(?P<d>\d{1,3})-(?P<m>\d{1,2})-(?P<s>\d{1,2}(?:\.\d+)?)\s*$")
_PACKED = re.compile(r"^\s*(?P<d>\d{2,3})(?P<m>\d{2})(?P<s>\d{2}(?:\.\d+)?)\s*$")


def _compose(d: float, m: float, s: float, text: str) -> float:
    if m >= 60 or s >= 60:
        raise ValueError(t("{text}: minutes and seconds must be below 60", text=repr(text)))
    return d + m / 60.0 + s / 3600.0


def parse_angle(value, *, kind: str = "lon") -> float:
    """Degrees from a decimal number, ``D°M′S″``, ``D-M-S`` or packed ``DDDMMSS.sss`` (``DDMMSS.sss`` for lat).

    Raises
    ------
    ValueError
        For anything else, naming the text.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
        if math.isnan(number):
            raise ValueError(t("empty angle"))
        text = repr(value)
        return _from_number(number, text, kind)
    text = str(value).strip()
    if not text:
        raise ValueError(t("empty angle"))
    m = _DMS.match(text)
    if m and any(ch in text for ch in "°度d"):
        sign = -1.0 if m.group("sign") == "-" else 1.0
        return sign * _compose(float(m.group("d")), float(m.group("m") or 0), float(m.group("s") or 0), text)
    m = _DASHED.match(text)
    if m:
        return _compose(float(m.group("d")), float(m.group("m")), float(m.group("s")), text)
    try:
        number = float(text)
    except ValueError:
        raise ValueError(
            t(
                "{text} is not an angle (expected 113.7584, 113°45′30.123″, 113-45-30.123 or 1134530.123)",
                text=repr(text),
            )
        ) from None
    return _from_number(number, text, kind)


def _from_number(number: float, text: str, kind: str) -> float:
    limit = 180.0 if kind == "lon" else 90.0
    if abs(number) <= limit:
        return number
    digits = text.split(".")[0].lstrip("+-")
    if (kind == "lon" and len(digits) == 7) or (kind == "lat" and len(digits) == 6):
        m = _PACKED.match(text)
        if m:
            return _compose(float(m.group("d")), float(m.group("m")), float(m.group("s")), text)
    if kind == "lon":
        raise ValueError(t("{text} is not a longitude (decimal degrees or packed DDDMMSS.sss)", text=repr(text)))
    raise ValueError(t("{text} is not a latitude (decimal degrees or packed DDMMSS.sss)", text=repr(text)))


def format_dms(degrees: float, decimals: int = 3) -> str:
    """``D°M′S.sss″`` with seconds to ``decimals`` places (carry handled)."""
    sign = "-" if degrees < 0 else ""
    total = round(abs(degrees) * 3600.0, decimals)
    d, rest = divmod(total, 3600.0)
    m, s = divmod(rest, 60.0)
    return f"{sign}{int(d)}°{int(m):02d}′{s:0{3 + decimals if decimals else 2}.{decimals}f}″"
