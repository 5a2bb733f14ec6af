"""Regulations newer than the plan, applied as data (``data/regulations.toml``).

The plan (2022) says 避让 for the three control lines without exception. Since then the 2024
Mineral Resources Law, the 2025 permanent-farmland rules and 142号文 item 7 allow some minerals on
permanent basic farmland or inside the ecological red line *under conditions*. A profile chooses
which apply: ``"plan-2022"`` (the plan as written) or ``"current"`` (the default); the report
records it. A conditional exception turns a fail into a ``warn`` that states the condition and
its source, and keeps the plan's own, stricter wording in the message.

Examples
--------
>>> reg = regulations("current")
>>> reg.exception("O203", "矿泉水", "mining").citation.startswith("《永久基本农田保护红线管理办法》")
True
>>> regulations("plan-2022").exception("O203", "矿泉水", "mining") is None
True
"""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass
from importlib import resources

from .i18n import t

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["PROFILES", "ConditionalException", "Regulations", "regulations"]


@functools.lru_cache(maxsize=1)
def _data() -> dict:
    text = resources.files("yangao_geo").joinpath("data/regulations.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


PROFILES = tuple(_data()["profile"])


@dataclass(frozen=True)
class ConditionalException:
    """A conditional exception to an overlap rule."""

    rule: str
    minerals: frozenset
    kinds: frozenset
    condition: str
    citation: str
    verified: bool
    source: str
    requires_source_right: bool = False
    condition_en: str = ""

    def condition_text(self) -> str:
        """The condition in the current language (the regulation's Chinese wording in zh)."""
        from .i18n import current_lang

        return self.condition_en if current_lang() == "en" and self.condition_en else self.condition


@dataclass(frozen=True)
class Regulations:
    """The regulations of one profile."""

    profile: str
    date: str
    description: str
    exceptions: tuple
    laws: dict

    def exception(self, rule: str, mineral: str | None, kind: str | None, *, source_right=None):
        """The exception of ``rule`` for a block of this mineral (canonical name) and kind, or None."""
        for e in self.exceptions:
            if e.rule == rule and mineral in e.minerals and kind in e.kinds:
                if e.requires_source_right and not source_right:
                    continue
                return e
        return None

    def law(self, key: str) -> str | None:
        """The citation of a law article in force under this profile (None when it does not apply)."""
        entry = self.laws.get(key)
        return None if entry is None else entry["citation"]

    description_zh: str = ""

    def as_dict(self) -> dict:
        return {
            "profile": self.profile,
            "date": self.date,
            "description": self.description,
            "description_zh": self.description_zh,
        }


@functools.lru_cache(maxsize=4)
def regulations(profile: str = "current") -> Regulations:
    """The regulations of ``profile`` (see :data:`PROFILES`)."""
    data = _data()
    if profile not in data["profile"]:
        raise ValueError(
            t(
                "unknown regulations profile {profile}; expected one of {value}",
                profile=repr(profile),
                value=", ".join(PROFILES),
            )
        )
    head = data["profile"][profile]
    exceptions = tuple(
        ConditionalException(
            rule=e["rule"],
            minerals=frozenset(e["minerals"]),
            kinds=frozenset(e["kinds"]),
            condition=e["condition"],
            citation=e["citation"],
            verified=bool(e["verified"]),
            source=e["source"],
            requires_source_right=bool(e.get("requires_source_right", False)),
            condition_en=e.get("condition_en", ""),
        )
        for e in data.get("exception", [])
        if profile in e["profiles"]
    )
    laws = {k: v for k, v in data.get("law", {}).items() if profile in v["profiles"]}
    return Regulations(profile, head["date"], head["description"], exceptions, laws, head.get("description_zh", ""))
