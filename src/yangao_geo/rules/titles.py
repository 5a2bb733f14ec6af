"""Rule titles and the words for severities and statuses, as the reports show them (translated)."""

from __future__ import annotations

from ..i18n import N_, t

__all__ = [
    "KIND_WORDS",
    "SEVERITY_WORDS",
    "STATUS_WORDS",
    "TITLES",
    "kind_word",
    "severity_word",
    "status_word",
    "title",
]

#: code -> title (English template; the Chinese follows the plan's wording)
TITLES = {
    "D101": N_("Invalid geometry repaired"),
    "D102": N_("No usable polygon"),
    "D103": N_("Coordinate system inferred"),
    "D104": N_("Outside the county (the planning area)"),
    "D105": N_("Declared area differs from the computed area"),
    "D106": N_("Duplicate block id"),
    "D107": N_("Mineral missing or unknown"),
    "D108": N_("Constraint data do not cover the block"),
    "O201": N_("Overlap with existing mineral rights"),
    "O202": N_("Overlap with the ecological protection red line"),
    "O203": N_("Overlap with permanent basic farmland"),
    "O204": N_("Inside the town development boundary"),
    "O205": N_("Brick clay on arable land"),
    "B301": N_("Smaller than one basic unit block"),
    "B302": N_("Deposit split across blocks"),
    "B303": N_("Block covers only part of a deposit"),
    "B304": N_("Proposed blocks overlap"),
    "B305": N_("Alignment with the longitude/latitude grid"),
    "A401": N_("Exploration degree insufficient"),
    "A402": N_("Below the minimum mining scale"),
    "A403": N_("Outside the concentrated mining areas"),
}
KIND_WORDS = {
    "exploration": N_("exploration planning block"),
    "mining": N_("mining planning block"),
    "concentrated": N_("sand, stone and clay concentrated mining area"),
}
SEVERITY_WORDS = {"fail": N_("fail"), "warn": N_("needs attention"), "info": N_("note")}
STATUS_WORDS = {"fail": N_("fail"), "warn": N_("needs attention"), "pass": N_("pass")}


def title(code: str) -> str:
    """The rule's title in the current language."""
    return t(TITLES[code]) if code in TITLES else code


def severity_word(severity: str) -> str:
    return t(SEVERITY_WORDS[severity]) if severity in SEVERITY_WORDS else str(severity)


def status_word(status: str) -> str:
    return t(STATUS_WORDS[status]) if status in STATUS_WORDS else str(status)


def kind_word(kind: str) -> str:
    """A block kind as the plan names it (勘查规划区块, 开采规划区块, 砂石土类集中开采区)."""
    return t(KIND_WORDS[kind]) if kind in KIND_WORDS else str(kind)
