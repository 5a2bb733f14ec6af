"""yangao_geo — check proposed mineral-planning blocks against the Yanggao County
Mineral Resources Master Plan 2021–2025 (阳高县矿产资源总体规划).

>>> import yangao_geo
>>> report = yangao_geo.check()          # the plan's blocks against the bundled layers
>>> report.exit_code()
1
"""

__version__ = "0.1.0"

from .area import basic_unit_block_area, ellipsoidal_area
from .batch import check_many
from .checker import Checker, check, read_blocks
from .errors import CRSError, DataSourceError, InputError, OutputError, YangaoError
from .fix import FixResult, fix
from .layers import load_constraints
from .report import Report
from .rules import RULES

__all__ = [
    "RULES",
    "CRSError",
    "Checker",
    "DataSourceError",
    "FixResult",
    "InputError",
    "OutputError",
    "Report",
    "YangaoError",
    "__version__",
    "basic_unit_block_area",
    "check",
    "check_many",
    "ellipsoidal_area",
    "fix",
    "load_constraints",
    "read_blocks",
]
