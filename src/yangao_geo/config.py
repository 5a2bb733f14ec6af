"""Run settings: tolerance, rule selection, rule parameters, mineral overrides.

Settings come from, in increasing precedence: the defaults, a TOML config
file (or a dict of the same shape), and explicit arguments to
:func:`yangao_geo.check` / the CLI. A config file looks like::

    tolerance_m2 = 1.0                 # overlaps at or below are slivers (warn)
    rules = ["O201", "O202", "B301"]   # optional: run only these (codes or names)

    [rule.B301]
    cell_minutes = 1.0                 # parameters of one rule
    [rule.A403]
    enabled = false                    # switch a rule off (reported as skipped)

    [datum]                            # only for Beijing 1954 / Xian 1980 inputs: see yangao_geo.datum
    method = "bursa-wolf"

    [[mineral]]                        # override or add a row of the mineral table
    name = "建筑用砂"
    min_scale = 5
    min_scale_unit = "万立方米/年"
    min_scale_source = "附表9 (checked 2026-11 against the printed plan)"
    min_scale_verified = true

Unknown keys, rules or parameters are errors, so a typo never silently
leaves a default in force.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .area import AREA_METHOD
from .crs import EDGE_CONVENTIONS
from .datum import DatumShift, parse_datum
from .errors import InputError
from .i18n import t, use_lang
from .minerals import MineralTable
from .rules import RULES, get_rule
from .vocabulary import normalise

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["DEFAULT_TOLERANCE_M2", "Settings", "build_settings"]

DEFAULT_TOLERANCE_M2 = 1.0
_TOP_KEYS = {
    "postgis",
    "tolerance_m2",
    "rules",
    "rule",
    "mineral",
    "datum",
    "edges",
    "width_tolerance_m",
    "regulations",
    "lang",
    "area_unit",
}
#: default width below which an overlap piece is a shared edge, not an overlap: coordinates carry
#: 0.001″ (≈ 3 cm) or 0.01 m, so a piece narrower than 5 cm everywhere is coordinate noise
DEFAULT_WIDTH_TOLERANCE_M = 0.05
#: numeric rule parameters: (lowest, whether the lowest itself is allowed, highest)
_PARAM_RANGES = {
    ("B301", "cell_minutes"): (0.0, False, 60.0),
    ("B305", "tolerance_arcsec"): (0.0, True, 60.0),
    ("D105", "relative_tolerance"): (0.0, True, 1.0),
    ("D108", "margin_m"): (0.0, True, 100_000.0),
}


@dataclass
class Settings:
    """Resolved settings of one run."""

    tolerance_m2: float = DEFAULT_TOLERANCE_M2
    selected: list[str] = field(default_factory=lambda: list(RULES))
    disabled: list[str] = field(default_factory=list)
    params: dict[str, dict] = field(default_factory=dict)
    minerals: MineralTable = field(default_factory=MineralTable.bundled)
    config_path: str | None = None
    datum: DatumShift | None = None
    #: edge convention (see :data:`yangao_geo.crs.EDGE_CONVENTIONS`)
    edges: str = "source"
    #: overlap pieces narrower than this everywhere are shared edges, not overlaps (m)
    width_tolerance_m: float = DEFAULT_WIDTH_TOLERANCE_M
    #: which regulations are applied (see :mod:`yangao_geo.regulations`)
    regulations: str = "current"
    #: the language of messages and reports: zh (简体中文) or en
    lang: str = "zh"
    #: the area unit reports show besides m²: km2, ha (公顷) or mu (亩)
    area_unit: str = "km2"
    #: PostGIS: canonical layer -> table name (``[postgis.tables]``)
    postgis_tables: dict = field(default_factory=dict)

    def _worded(self, template: str) -> str:
        """A settings text in the run's language (the language of its findings), whatever the caller's."""
        with use_lang(self.lang):
            return t(template)

    def as_dict(self) -> dict:
        return {
            "tolerance_m2": self.tolerance_m2,
            "rules": list(self.selected),
            "disabled_rules": list(self.disabled),
            "rule_params": {
                code: {**RULES[code].params, **self.params.get(code, {})}
                for code in self.selected
                if RULES[code].params or code in self.params
            },
            "config": self.config_path,
            "datum": None
            if self.datum is None
            else {"method": self.datum.method, "convention": self.datum.convention, **self.datum.params},
            "analysis_crs": "EPSG:4547",
            "edges": self.edges,
            "edge_convention": self._worded(EDGE_CONVENTIONS[self.edges]),
            "width_tolerance_m": self.width_tolerance_m,
            "regulations": _regulations_dict(self.regulations),
            "lang": self.lang,
            "area_unit": self.area_unit,
            "area_method": self._worded(AREA_METHOD),
        }


def _postgis_tables(raw, label: str) -> dict:
    """``[postgis.tables]``: canonical layer name -> table name (both text)."""
    if raw is None:
        return {}
    from .io.postgis import DEFAULT_TABLES

    if not isinstance(raw, dict) or set(raw) - {"tables"} or not isinstance(raw.get("tables", {}), dict):
        raise InputError(t('{label}: [postgis] takes one table, [postgis.tables] (layer = "table")', label=label))
    tables = raw.get("tables", {})
    unknown = sorted(set(tables) - set(DEFAULT_TABLES))
    if unknown:
        raise InputError(
            t(
                "{label}: [postgis.tables] unknown layer(s) {unknown}; expected {value}",
                label=label,
                unknown=unknown,
                value=", ".join(DEFAULT_TABLES),
            )
        )
    if not all(isinstance(v, str) and v.strip() for v in tables.values()):
        raise InputError(t("{label}: [postgis.tables] values must be table names (text)", label=label))
    return {k: v.strip() for k, v in tables.items()}


def in_run_language(fn):
    """Run ``fn`` in the language its ``lang=`` names (any alias), else the language in force.

    The notes and messages ``fn`` makes speak that language, and ``fn`` receives the canonical code
    (``"zh"`` or ``"en"``); an unknown language is an InputError.
    """
    import functools

    @functools.wraps(fn)
    def run(*args, lang=None, **kwargs):
        from .i18n import use_lang

        lang = _language(lang, "settings")
        with use_lang(lang):
            return fn(*args, lang=lang, **kwargs)

    return run


def _language(value, label: str) -> str:
    """The run's language: the argument, the config's ``lang``, else the language in force
    (an enclosing :func:`~yangao_geo.i18n.use_lang`, ``YANGAO_GEO_LANG``, else zh)."""
    from .i18n import current_lang

    if value is None:
        return current_lang()
    return normalise("lang", value, where=f"{label}: lang")


def _regulations_dict(profile: str) -> dict:
    from .regulations import regulations

    return regulations(profile).as_dict()


def _load(config) -> tuple[dict, str | None]:
    if config is None:
        return {}, None
    if isinstance(config, dict):
        return config, "<dict>"
    path = Path(config)
    if not path.is_file():
        raise InputError(
            t("config: {path}: no such file", path=path)
            if not path.exists()
            else t("config: {path}: not a file", path=path)
        )
    try:
        data = path.read_bytes()
        if len(data) > 1_000_000:
            raise InputError(
                t(
                    "config: {path}: {n_data} bytes; a settings file is expected to be small (< 1 MB)",
                    path=path,
                    n_data=len(data),
                )
            )
        text = data.decode("utf-8-sig")  # a BOM (Windows Notepad) is not part of the TOML
    except UnicodeDecodeError as exc:
        raise InputError(
            t(
                "config: {path}: not UTF-8 text ({reason} at byte {start}); save it as UTF-8",
                path=path,
                reason=exc.reason,
                start=exc.start,
            )
        ) from None
    try:
        return tomllib.loads(text), str(path)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(t("config: {path}: not valid TOML ({exc})", path=path, exc=exc)) from None
    except RecursionError:
        raise InputError(t("config: {path}: nested too deeply to be a settings file", path=path)) from None


def _number(value, what: str, *, low: float = 0.0, low_ok: bool = True, high: float = math.inf) -> float:
    """A finite number in range (booleans and strings refused), or an InputError naming ``what``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(t("{what} must be a number, got {value}", what=what, value=repr(value)))
    number = float(value)
    if not math.isfinite(number):
        raise InputError(t("{what} must be a finite number, got {value}", what=what, value=repr(value)))
    if number < low or (number == low and not low_ok) or number > high:
        bound = ">=" if low_ok else ">"
        raise InputError(
            t(
                "{what} must be {bound} {low:g} and <= {high:g}, got {value}",
                what=what,
                bound=bound,
                low=low,
                high=high,
                value=repr(value),
            )
        )
    return number


def _resolve_codes(keys, where: str) -> list[str]:
    codes = []
    for key in keys:
        r = get_rule(key)
        if r is None:
            raise InputError(
                t("{where}: unknown rule {key}; `yangao-geo rules` lists them", where=where, key=repr(key))
            )
        codes.append(r.code)
    return codes


def _tolerance(value, where: str) -> float:
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise InputError(
                t("{where}: tolerance_m2 must be a number of m², got {value}", where=where, value=repr(value))
            ) from None
    return _number(value, f"{where}: tolerance_m2 (m²)")


def _param(code: str, name: str, value, default, label: str):
    """Validate one rule parameter against its default's type and its range."""
    what = t("{label}: rule {code} parameter {name}", label=label, code=code, name=name)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise InputError(t("{what} must be true or false, got {value}", what=what, value=repr(value)))
        return value
    if isinstance(default, (int, float)):
        low, low_ok, high = _PARAM_RANGES.get((code, name), (0.0, True, math.inf))
        return _number(value, what, low=low, low_ok=low_ok, high=high)
    if isinstance(default, list):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InputError(t("{what} must be a list of names, got {value}", what=what, value=repr(value)))
        return value
    if name == "severity":
        from .rules import SEVERITIES

        if value not in SEVERITIES:
            raise InputError(
                t(
                    "{what} must be one of {value}, got {value2}",
                    what=what,
                    value=", ".join(SEVERITIES),
                    value2=repr(value),
                )
            )
    elif not isinstance(value, str):
        raise InputError(t("{what} must be text, got {value}", what=what, value=repr(value)))
    return value


def build_settings(
    config=None,
    *,
    tolerance_m2=None,
    rules=None,
    edges=None,
    width_tolerance_m=None,
    regulations=None,
    lang=None,
    area_unit=None,
) -> Settings:
    """Resolve settings from a config (path or dict) and explicit arguments, validated before anything runs.

    Every value is checked for type and range (a NaN, a string for a number, ``enabled = "no"``, a
    misspelt severity, a selection of no rule are errors): a setting that quietly switches checks off
    would turn into a false pass.
    """
    raw, where = _load(config)
    label = f"config {where}" if where else "settings"
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        raise InputError(
            t(
                "{label}: unknown key(s) {unknown}; expected {TOP_KEYS}",
                label=label,
                unknown=sorted(unknown),
                TOP_KEYS=sorted(_TOP_KEYS),
            )
        )
    settings = Settings(config_path=where)
    settings.lang = _language(lang if lang is not None else raw.get("lang"), label)
    if area_unit is not None:
        settings.area_unit = normalise("area_unit", area_unit, where="area_unit")
    elif "area_unit" in raw:
        settings.area_unit = normalise("area_unit", raw["area_unit"], where=f"{label}: area_unit")
    if "tolerance_m2" in raw:
        settings.tolerance_m2 = _tolerance(raw["tolerance_m2"], label)
    if tolerance_m2 is not None:
        settings.tolerance_m2 = _tolerance(tolerance_m2, "tolerance")
    selection = rules if rules is not None else raw.get("rules")
    if selection is not None:
        source = "--rules / rules=" if rules is not None else f"{label}: rules"
        if isinstance(selection, str):
            selection = [s for s in selection.replace(" ", "").split(",") if s]
        elif not isinstance(selection, (list, tuple)) or not all(isinstance(s, str) for s in selection):
            raise InputError(
                t(
                    "{source} must be a list of rule codes or names, got {selection}",
                    source=source,
                    selection=repr(selection),
                )
            )
        if not selection:
            raise InputError(
                t(
                    "{source} selects no rule: a run that checks nothing cannot pass a block; give rule "
                    "codes (`yangao-geo rules` lists them) or leave the selection out to run all",
                    source=source,
                )
            )
        chosen = set(_resolve_codes(selection, label))
        settings.selected = [c for c in RULES if c in chosen]
    rule_tables = raw.get("rule") or {}
    if not isinstance(rule_tables, dict):
        raise InputError(t("{label}: [rule] must be tables like [rule.B301]", label=label))
    for key, values in rule_tables.items():
        (code,) = _resolve_codes([key], label)
        if not isinstance(values, dict):
            raise InputError(t("{label}: [rule.{key}] must be a table of parameters", label=label, key=key))
        values = dict(values)
        enabled = values.pop("enabled", True)
        if not isinstance(enabled, bool):
            raise InputError(
                t(
                    "{label}: [rule.{key}] enabled must be true or false, got {enabled}",
                    label=label,
                    key=key,
                    enabled=repr(enabled),
                )
            )
        if enabled is False:
            settings.disabled.append(code)
        extra = set(values) - set(RULES[code].params)
        if extra:
            known = ", ".join(RULES[code].params) or "none"
            raise InputError(
                t(
                    "{label}: rule {code} has no parameter(s) {extra}; its parameters: {known}",
                    label=label,
                    code=code,
                    extra=sorted(extra),
                    known=known,
                )
            )
        settings.params[code] = {
            name: _param(code, name, value, RULES[code].params[name], label) for name, value in values.items()
        }
    if "edges" in raw:
        settings.edges = normalise("edges", raw["edges"], where=f"{label}: edges")
    if "width_tolerance_m" in raw:
        settings.width_tolerance_m = _number(raw["width_tolerance_m"], f"{label}: width_tolerance_m", high=10.0)
    if "regulations" in raw:
        settings.regulations = normalise("regulations", raw["regulations"], where=f"{label}: regulations")
    settings.selected = [c for c in settings.selected if c not in settings.disabled]
    if not settings.selected:
        raise InputError(
            t("{label}: every selected rule is disabled: a run that checks nothing cannot pass a block", label=label)
        )
    settings.datum = parse_datum(raw.get("datum"), label)
    settings.postgis_tables = _postgis_tables(raw.get("postgis"), label)
    if edges is not None:
        settings.edges = normalise("edges", edges, where="edges")
    if width_tolerance_m is not None:
        settings.width_tolerance_m = _number(width_tolerance_m, "width tolerance (m)", high=10.0)
    if regulations is not None:
        settings.regulations = normalise("regulations", regulations, where="regulations")
    if "mineral" in raw:
        if not isinstance(raw["mineral"], list) or not all(isinstance(m, dict) for m in raw["mineral"]):
            raise InputError(t("{label}: mineral entries must be [[mineral]] tables", label=label))
        settings.minerals = settings.minerals.with_overrides(list(raw["mineral"]), label)
    return settings
