"""The report as a GeoPackage: layer ``blocks`` (with ``area_km2``) and layer ``findings`` (EPSG:4547)."""

from __future__ import annotations

__all__ = ["write_gpkg"]


def write_gpkg(report, path) -> None:
    """Write both layers to ``path`` (the caller makes it atomic).

    GeoPackage 1.2, so that the older GDAL of QGIS LTR installations reads it.
    """
    blocks = report.blocks.copy()
    blocks["area_km2"] = (blocks["area_m2"] / 1e6).round(4)
    blocks.to_file(path, layer="blocks", driver="GPKG", engine="pyogrio", VERSION="1.2")
    findings = report.findings.copy()
    findings["overlap_km2"] = (findings["overlap_m2"].astype(float) / 1e6).round(4)
    findings.to_file(path, layer="findings", driver="GPKG", engine="pyogrio", append=True, VERSION="1.2")
