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

from .datum import DatumShift, parse_datum
from .errors import InputError
from .minerals import MineralTable
from .rules import RULES, get_rule

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["DEFAULT_TOLERANCE_M2", "Settings", "build_settings"]

DEFAULT_TOLERANCE_M2 = 1.0
_TOP_KEYS = {"tolerance_m2", "rules", "rule", "mineral", "datum"}


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
            "area_method": "CGCS2000 ellipsoid (TD/T 1055-2019 附录D): edges densified to 10 m in the defining "
            "plane, pyproj Geod(GRS80)",
        }


def _load(config) -> tuple[dict, str | None]:
    if config is None:
        return {}, None
    if isinstance(config, dict):
        return config, "<dict>"
    path = Path(config)
    if not path.is_file():
        raise InputError(f"config: {path}: no such file")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")), str(path)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"config: {path}: not valid TOML ({exc})") from None


def _resolve_codes(keys, where: str) -> list[str]:
    codes = []
    for key in keys:
        r = get_rule(key)
        if r is None:
            raise InputError(f"{where}: unknown rule {key!r}; `yangao-geo rules` lists them")
        codes.append(r.code)
    return codes


def _tolerance(value, where: str) -> float:
    try:
        tol = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{where}: tolerance_m2 must be a number of m², got {value!r}") from None
    if not math.isfinite(tol) or tol < 0:
        raise InputError(f"{where}: tolerance_m2 must be >= 0, got {value!r}")
    return tol


def build_settings(config=None, *, tolerance_m2=None, rules=None) -> Settings:
    """Resolve settings from a config (path or dict) and explicit arguments."""
    raw, where = _load(config)
    label = f"config {where}" if where else "settings"
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        raise InputError(f"{label}: unknown key(s) {sorted(unknown)}; expected {sorted(_TOP_KEYS)}")
    settings = Settings(config_path=where)
    if "tolerance_m2" in raw:
        settings.tolerance_m2 = _tolerance(raw["tolerance_m2"], label)
    if tolerance_m2 is not None:
        settings.tolerance_m2 = _tolerance(tolerance_m2, "tolerance")
    selection = rules if rules is not None else raw.get("rules")
    if selection is not None:
        if isinstance(selection, str):
            selection = [s for s in selection.replace(" ", "").split(",") if s]
        chosen = set(_resolve_codes(selection, label))
        settings.selected = [c for c in RULES if c in chosen]
    for key, values in (raw.get("rule") or {}).items():
        (code,) = _resolve_codes([key], label)
        if not isinstance(values, dict):
            raise InputError(f"{label}: [rule.{key}] must be a table of parameters")
        values = dict(values)
        if values.pop("enabled", True) is False:
            settings.disabled.append(code)
        extra = set(values) - set(RULES[code].params)
        if extra:
            known = ", ".join(RULES[code].params) or "none"
            raise InputError(f"{label}: rule {code} has no parameter(s) {sorted(extra)}; its parameters: {known}")
        for name, value in values.items():
            default = RULES[code].params[name]
            if isinstance(default, (int, float)) and not isinstance(value, (int, float)):
                raise InputError(f"{label}: rule {code} parameter {name} must be a number, got {value!r}")
        settings.params[code] = values
    settings.selected = [c for c in settings.selected if c not in settings.disabled]
    settings.datum = parse_datum(raw.get("datum"), label)
    if "mineral" in raw:
        settings.minerals = settings.minerals.with_overrides(list(raw["mineral"]), label)
    return settings
