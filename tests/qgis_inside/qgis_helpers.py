"""Paths and helpers shared by the tests that run inside QGIS."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PLUGIN_DIR = REPO / "qgis_plugin"
DATA = REPO / "src" / "yangao_geo" / "data"
BLOCKS = DATA / "boundaries" / "plan_blocks.gpkg"
BOUNDARIES = DATA / "boundaries" / "boundaries.gpkg"
REDLINES = DATA / "redlines" / "redlines.gpkg"


def gpkg_layer(path, name):
    from qgis.core import QgsVectorLayer

    layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
    assert layer.isValid(), f"{path}:{name}"
    return layer
