"""The values every option takes, with their Chinese and English aliases: one table for every entry point.

The command line (``--kind 勘查``), Python (``check(kind="勘查")``), config files (``area_unit = "公顷"``),
the block attribute columns (a 类型 column saying 开采规划区块) and the QGIS dialogs all read this table, so
that what one accepts, all accept. Matching ignores case and surrounding spaces.

Examples
--------
>>> normalise("kind", "勘查规划区块"), normalise("area_unit", "公顷"), normalise("edges", "顶点")
('exploration', 'ha', 'vertices')
>>> normalise("fail_on", "需关注")
'warn'
>>> accepted("fail_on")
'fail (fail, 不通过); warn (warn, 需关注)'
>>> normalise("fail_on", "maybe")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
yangao_geo.errors.InputError: fail_on: unknown value 'maybe'; accepted: fail (fail, 不通过); warn (warn, 需关注)
"""

from __future__ import annotations

from .errors import InputError
from .i18n import t

__all__ = ["VOCABULARY", "accepted", "canonical_values", "normalise", "unknown"]

#: option -> canonical value -> every name it is known by (the canonical value first)
VOCABULARY: dict[str, dict[str, tuple[str, ...]]] = {
    "kind": {
        "exploration": ("exploration", "勘查", "勘查规划区块", "勘查区块"),
        "mining": ("mining", "开采", "开采规划区块", "开采区块"),
        "concentrated": ("concentrated", "集中开采区", "砂石土类集中开采区", "砂石土集中开采区"),
    },
    "edges": {
        "source": ("source", "原坐标系", "源坐标系"),
        "vertices": ("vertices", "顶点"),
    },
    "regulations": {
        "current": ("current", "现行", "现行法规"),
        "plan-2022": ("plan-2022", "plan", "规划原文"),
    },
    "area_unit": {
        "km2": ("km2", "km²", "sqkm", "平方公里", "平方千米"),
        "ha": ("ha", "hectare", "hectares", "公顷"),
        "mu": ("mu", "亩"),
    },
    "lang": {
        "zh": ("zh", "zh-cn", "zh_cn", "cn", "chinese", "中文", "简体中文"),
        "en": ("en", "en-us", "en_us", "english", "英文"),
    },
    "fail_on": {
        "fail": ("fail", "不通过"),
        "warn": ("warn", "需关注"),
    },
    "keep": {
        "largest": ("largest", "最大", "最大一块"),
        "all": ("all", "全部"),
    },
    "policy": {
        "earlier": ("earlier", "先列者保留"),
        "larger": ("larger", "面积大者保留"),
        "both": ("both", "双方均退让"),
    },
    "engine": {
        "pyogrio": ("pyogrio",),
        "fiona": ("fiona",),
    },
    "zone_width": {
        "3": ("3", "3°", "三度"),
        "6": ("6", "6°", "六度"),
    },
    "grid": {
        "1min": ("1min", "1'", "1′", "60s", "1分"),
        "30s": ("30s", '30"', "30″", "30秒"),
        "15s": ("15s", '15"', "15″", "15秒"),
    },
    "table_layout": {
        "flat": ("flat", "逐点"),
        "official": ("official", "界址点成果表"),
    },
}


def canonical_values(option: str) -> tuple[str, ...]:
    """The canonical values of ``option``, in order (what the help and the QGIS dialogs list)."""
    return tuple(VOCABULARY[option])


def accepted(option: str) -> str:
    """Every accepted name of ``option``'s values, for messages: ``km2 (km2, km², …); ha (…)``."""
    return "; ".join(f"{value} ({', '.join(names)})" for value, names in VOCABULARY[option].items())


def unknown(option: str, value) -> str:
    """What is wrong with ``value`` and what ``option`` accepts, in the current language."""
    return t("unknown value {value}; accepted: {accepted}", value=repr(value), accepted=accepted(option))


def normalise(option: str, value, *, where: str | None = None) -> str:
    """The canonical value for ``value`` of ``option``; an InputError listing what is accepted otherwise."""
    text = str(value).strip().lower()
    for canonical, names in VOCABULARY[option].items():
        if text in (n.lower() for n in names):
            return canonical
    raise InputError(t("{where}: {problem}", where=where or option, problem=unknown(option, value)))
