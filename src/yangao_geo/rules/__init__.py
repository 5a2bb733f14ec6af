"""Plan rules, one module per family; importing this package registers them all."""

# registration order is report order: data, overlaps, delineation, admission
from . import data_quality, overlaps, delineation, admission  # noqa: F401, I001
from .registry import ALL_KINDS, RULES, SEVERITIES, Rule, get_rule, rule

__all__ = ["ALL_KINDS", "RULES", "SEVERITIES", "Rule", "get_rule", "rule"]
