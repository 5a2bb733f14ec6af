"""Shared fixtures: build blocks and constraint layers from the geometry catalogue."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pytest

# most tests assert on the English texts; the Chinese ones ask for lang="zh" (the product's default)
os.environ.setdefault("YANGAO_GEO_LANG", "en")

import yangao_geo
from yangao_geo.layers import REQUIRED_LAYERS

#: the QGIS tests run in QGIS's own Python, started by test_qgis.py (see tests/qgis_inside/conftest.py)
collect_ignore = [] if os.environ.get("YANGAO_QGIS_INSIDE") else ["qgis_inside"]

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
#: screenshots and other artefacts the tests produce for people to look at (printed at the end of the run)
SCREENSHOTS = HERE.parent / "test-output" / "screenshots"
SCREENSHOTS.mkdir(parents=True, exist_ok=True)


def pytest_terminal_summary(terminalreporter):
    shots = sorted(SCREENSHOTS.glob("*.png"))
    if shots:
        terminalreporter.write_line(f"screenshots written to {SCREENSHOTS}: {', '.join(p.name for p in shots)}")


def frame(geoms, crs=4547, **cols) -> gpd.GeoDataFrame:
    """A GeoDataFrame of ``geoms`` with attribute columns ``cols``."""
    return gpd.GeoDataFrame(dict(cols), geometry=list(geoms), crs=crs)


def blocks(geoms, kind="exploration", **cols) -> gpd.GeoDataFrame:
    n = len(geoms)
    data = {"block_id": [f"B{i + 1}" for i in range(n)], "kind": [kind] * n}
    data.update({k: (v if isinstance(v, list) else [v] * n) for k, v in cols.items()})
    return frame(geoms, **data)


def layer(geoms, ids=None, **cols) -> gpd.GeoDataFrame:
    ids = ids or [f"F{i + 1}" for i in range(len(geoms))]
    return frame(geoms, feature_id=ids, **cols)


def empty_layer() -> gpd.GeoDataFrame:
    return frame([], feature_id=[])


def present_layer() -> gpd.GeoDataFrame:
    """A layer with data near the catalogue's blocks that overlaps none of them (a 1 m square 1 km SW)."""
    from geoms import box

    return frame([box(-1000, -1000, 1, 1)], feature_id=["FAR"])


def run(block_frame, rules=None, tolerance_m2=None, config=None, **layers) -> yangao_geo.Report:
    """Check ``block_frame`` against the given layers.

    Required layers default to one that has data near the blocks and overlaps none (an empty layer
    would be a D108 data-coverage finding: no overlap cannot be shown against no data).
    """
    constraints = {name: present_layer() for name in REQUIRED_LAYERS}
    constraints.update(layers)
    return yangao_geo.check(block_frame, constraints, rules=rules, tolerance_m2=tolerance_m2, config=config)


def findings(report, rule_id):
    return report.findings[report.findings.rule_id == rule_id]


@pytest.fixture(scope="session")
def default_report():
    """The plan's own blocks against the bundled layers (computed once), in English."""
    return yangao_geo.check()


@pytest.fixture(scope="session")
def default_report_zh():
    """The same run in Chinese, the product's default language (computed once)."""
    return yangao_geo.check(lang="zh")
