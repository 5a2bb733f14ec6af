"""yangao_geo — check proposed mineral-planning blocks against the Yanggao County
Mineral Resources Master Plan 2021–2025 (阳高县矿产资源总体规划).

>>> import yangao_geo
>>> report = yangao_geo.check()          # the plan's blocks against the bundled layers
>>> report.exit_code()
1

The names below are imported on first use (PEP 562), so that ``import yangao_geo`` and the command line's
``--help`` do not wait for geopandas; ``from yangao_geo import check`` works as usual.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: public name -> module that defines it
_EXPORTS = {
    "basic_unit_block_area": "area",
    "ellipsoidal_area": "area",
    "check_many": "batch",
    "Checker": "checker",
    "check": "checker",
    "read_blocks": "checker",
    "CRSError": "errors",
    "DataSourceError": "errors",
    "InputError": "errors",
    "OutputError": "errors",
    "YangaoError": "errors",
    "FixResult": "fixer",
    "fix": "fixer",
    "load_constraints": "layers",
    "ProposeResult": "proposer",
    "propose": "proposer",
    "Report": "report",
    "RULES": "rules",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        if not name.startswith("_"):  # a submodule: yangao_geo.errors, yangao_geo.reports …
            try:
                return importlib.import_module(f".{name}", __name__)
            except ModuleNotFoundError as exc:
                if exc.name != f"{__name__}.{name}":
                    raise
        raise AttributeError(f"module 'yangao_geo' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # the next access is a plain attribute
    return value


def __dir__():
    return __all__
