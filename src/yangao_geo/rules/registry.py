"""The rule registry: every rule's code, name, severity, scope and citation.

A rule is a function ``fn(ctx, params) -> None`` that adds findings through
``ctx.add(...)``; the decorator :func:`rule` registers it with its metadata.
Codes are stable: D1xx data, O2xx overlaps with constraint layers, B3xx block
delineation, A4xx admission (准入) rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..i18n import t

__all__ = ["ALL_KINDS", "RULES", "SEVERITIES", "Rule", "get_rule", "rule"]

ALL_KINDS = frozenset({"exploration", "mining", "concentrated"})
SEVERITIES = ("fail", "warn", "info")


@dataclass(frozen=True)
class Rule:
    """Metadata and implementation of one rule.

    Attributes
    ----------
    code, name : str
        Stable code (``O203``) and dotted name (``farmland.overlap``).
    severity : str
        Severity of a violation (slivers and missing data may be milder).
    kinds : frozenset of str
        Block kinds the rule applies to.
    layers : tuple of str
        Constraint layers it needs; without them it is skipped, and says so.
    citation : str
        The plan article (阳高县矿产资源总体规划 2021–2025) it enforces.
    params : dict
        Parameters and their defaults, settable from a config file.
    """

    code: str
    name: str
    severity: str
    kinds: frozenset
    layers: tuple
    citation: str
    func: Callable = field(repr=False, compare=False)
    params: dict = field(default_factory=dict)
    scope: str = "block"

    @property
    def title(self) -> str:
        """The rule's title in the current language (see :mod:`yangao_geo.rules.titles`)."""
        from .titles import title

        return title(self.code)

    @property
    def summary(self) -> str:
        """What the rule checks, one line, in the current language."""
        from .titles import description

        return description(self.code)

    @property
    def doc(self) -> str:
        return (self.func.__doc__ or "").strip()


RULES: dict[str, Rule] = {}


def rule(
    *, code: str, name: str, severity: str, citation: str, kinds=ALL_KINDS, layers=(), params=None, scope: str = "block"
):
    """Register the decorated function as a rule."""

    def register(fn):
        if code in RULES:
            raise ValueError(t("duplicate rule code {code}", code=code))
        RULES[code] = Rule(
            code=code,
            name=name,
            severity=severity,
            kinds=frozenset(kinds),
            layers=tuple(layers),
            citation=citation,
            func=fn,
            params=dict(params or {}),
            scope=scope,
        )
        return fn

    return register


def get_rule(key: str) -> Rule | None:
    """Rule by code (``"O203"``, case-insensitive) or dotted name (``"farmland.overlap"``)."""
    k = str(key).strip()
    if k.upper() in RULES:
        return RULES[k.upper()]
    return next((r for r in RULES.values() if r.name == k), None)
