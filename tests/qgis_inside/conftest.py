"""Tests that run *inside* QGIS's Python (Debian's python3 + python3-qgis, a venv with system site packages).

They are started by ``tests/test_qgis.py`` in a subprocess; run them by hand with
``.venv-qgis/bin/python -m pytest tests/qgis_inside``.
"""

import os
import sys

import pytest
from qgis_helpers import PLUGIN_DIR

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session")
def qgis_app():
    from qgis.core import QgsApplication

    app = QgsApplication([], True)  # GUI enabled (offscreen): the dialog screenshots need widgets
    app.initQgis()
    yield app
    app.exitQgis()


@pytest.fixture(scope="session")
def processing_ready(qgis_app):
    sys.path.insert(0, "/usr/share/qgis/python/plugins")
    sys.path.insert(0, str(PLUGIN_DIR))
    from processing.core.Processing import Processing
    from qgis.core import QgsApplication
    from yangao_geo_qgis.provider import YangaoProvider

    Processing.initialize()
    provider = YangaoProvider()
    QgsApplication.processingRegistry().addProvider(provider)
    yield provider
    QgsApplication.processingRegistry().removeProvider(provider)
