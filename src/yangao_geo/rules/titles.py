"""Rule titles and the words for severities and statuses, as the reports show them (translated)."""

from __future__ import annotations

from ..i18n import N_, t

__all__ = [
    "KIND_WORDS",
    "SEVERITY_WORDS",
    "SKIP_REASONS",
    "STATUS_WORDS",
    "TITLES",
    "description",
    "kind_word",
    "left_out",
    "severity_word",
    "skip_reason",
    "skipped_rule",
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
#: code -> one-line description (what the rule checks), for ``yangao-geo rules`` and the reports
DESCRIPTIONS = {
    "D101": N_("Invalid geometry, judged as the file states it, was repaired (make_valid, structure method)."),
    "D102": N_("A block has no usable polygon: null, empty or not a polygon."),
    "D103": N_("An input's CRS was missing or contradicted by its coordinates; what was assumed."),
    "D104": N_("The block lies wholly or partly outside the county (the planning area)."),
    "D105": N_("The declared area differs from the computed ellipsoidal area by more than 0.5 %."),
    "D106": N_("The block id is used by more than one block."),
    "D107": N_("The block's mineral is missing or not in the mineral table."),
    "D108": N_("A required constraint layer has no data where the block is: no overlap would not be a result."),
    "O201": N_("A block overlaps an existing exploration or mining right."),
    "O202": N_("A block overlaps the ecological protection red line."),
    "O203": N_("A block overlaps permanent basic farmland."),
    "O204": N_("A block overlaps the town development boundary."),
    "O205": N_("A brick-clay block overlaps arable land."),
    "B301": N_("An exploration block is smaller than one basic unit block (1′×1′)."),
    "B302": N_("A deposit is split across two or more blocks of the same family."),
    "B303": N_("A mining block covers only part of a deposit it overlaps (a large deposit mined small)."),
    "B304": N_("Two proposed blocks overlap each other."),
    "B305": N_("How an exploration block sits on the 1′×1′ basic-unit grid."),
    "A401": N_("The exploration degree of a mining block is too low."),
    "A402": N_("The design capacity is below the minimum mining scale for the mineral."),
    "A403": N_("A sand, stone and clay mining block is not inside a designated concentrated mining area."),
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


def description(code: str) -> str:
    """What the rule checks, one line, in the current language."""
    return t(DESCRIPTIONS[code]) if code in DESCRIPTIONS else code


def severity_word(severity: str) -> str:
    return t(SEVERITY_WORDS[severity]) if severity in SEVERITY_WORDS else str(severity)


def status_word(status: str) -> str:
    return t(STATUS_WORDS[status]) if status in STATUS_WORDS else str(status)


def kind_word(kind: str) -> str:
    """A block kind as the plan names it (勘查规划区块, 开采规划区块, 砂石土类集中开采区)."""
    return t(KIND_WORDS[kind]) if kind in KIND_WORDS else str(kind)


#: why a rule did not run (a report's ``skipped_rules``: ``cause`` is the key, ``reason`` the worded text)
SKIP_REASONS = {
    "disabled": N_("disabled in config"),
    "not_selected": N_("not selected"),
    "missing_layers": N_("layer {layers} not provided"),
}


def skipped_rule(code: str, cause: str, layers=()) -> dict:
    """A ``skipped_rules`` entry: the rule, why (a key of :data:`SKIP_REASONS`), and why in the current language.

    Examples
    --------
    >>> from yangao_geo.i18n import use_lang
    >>> with use_lang("zh"):
    ...     skipped_rule("O205", "missing_layers", ["arable_land"])
    {'rule_id': 'O205', 'cause': 'missing_layers', 'layers': ['arable_land'], 'reason': '未提供图层 arable_land'}
    >>> with use_lang("en"):
    ...     skipped_rule("B301", "disabled")["reason"]
    'disabled in config'
    """
    entry = {"rule_id": code, "cause": cause}
    if layers:
        entry["layers"] = list(layers)
    entry["reason"] = skip_reason(entry)
    return entry


def left_out(entry: dict) -> bool:
    """True for a rule the run's selection left out (reports list only the rules that could not run)."""
    return entry["cause"] == "not_selected"


def skip_reason(entry: dict) -> str:
    """Why a rule did not run (a :func:`skipped_rule` entry), worded in the current language."""
    return t(SKIP_REASONS[entry["cause"]], layers=", ".join(entry.get("layers", ())))
