"""QGIS ↔ GeoDataFrame, for the QGIS console and the Processing plugin.

This module imports ``qgis`` only inside its functions, and the rest of yangao_geo imports this module
only when it is handed a QGIS object, so the core runs without QGIS. With QGIS present,
``yangao_geo.check(iface.activeLayer())`` works: the layer (or a Processing feature source, honouring
"selected features only") is converted through WKB, with its CRS.
"""

from __future__ import annotations

import geopandas as gpd
import pyproj
import shapely

from .io.vector import SourceInfo, file_sha256

__all__ = ["gdf_to_features", "is_qgis_layer", "layer_to_gdf", "qgis_fields"]


def is_qgis_layer(obj) -> bool:
    """True for a QgsVectorLayer or a QgsProcessingFeatureSource/QgsFeatureSource (without importing qgis)."""
    return any(
        cls.__name__ in ("QgsVectorLayer", "QgsProcessingFeatureSource", "QgsFeatureSource")
        for cls in type(obj).__mro__
    )


def _crs(obj) -> pyproj.CRS | None:
    crs = obj.sourceCrs() if hasattr(obj, "sourceCrs") else obj.crs()
    if crs is None or not crs.isValid():
        return None
    authid = crs.authid()
    if authid.upper().startswith("EPSG:"):
        return pyproj.CRS.from_user_input(authid)
    return pyproj.CRS.from_wkt(crs.toWkt())


def layer_to_gdf(obj, *, selected_only: bool = False) -> tuple[gpd.GeoDataFrame, SourceInfo]:
    """A QgsVectorLayer (or feature source) as a GeoDataFrame, and where it came from."""
    names = [f.name() for f in obj.fields()]
    if selected_only and hasattr(obj, "getSelectedFeatures"):
        features = obj.getSelectedFeatures()
    else:
        features = obj.getFeatures()
    rows, geoms = [], []
    for feat in features:
        rows.append({n: _plain(feat[n]) for n in names})
        g = feat.geometry()
        geoms.append(None if g is None or g.isNull() else shapely.from_wkb(bytes(g.asWkb())))
    gdf = gpd.GeoDataFrame(rows, columns=names, geometry=geoms, crs=_crs(obj))
    path, layer = _source_path(obj)
    info = SourceInfo(
        path=path,
        layer=layer,
        features=len(gdf),
        encoding="qgis",
        sha256=file_sha256(path) if path and not path.startswith("<") else None,
    )
    return gdf, info


def _plain(value):
    """QVariant NULLs and Qt types as plain Python values."""
    if value is None:
        return None
    if type(value).__name__ == "QVariant":
        return None if value.isNull() else value.value()
    if hasattr(value, "toPyDateTime"):
        return value.toPyDateTime()
    if hasattr(value, "toPyDate"):
        return value.toPyDate()
    return value


def _source_path(obj) -> tuple[str, str | None]:
    import os

    source = obj.source() if hasattr(obj, "source") and callable(obj.source) else ""
    path, _, rest = str(source).partition("|")
    layer = rest.split("layername=")[1].split("|")[0] if "layername=" in rest else None
    if path and os.path.isfile(path):
        return path, layer
    name = obj.name() if hasattr(obj, "name") else type(obj).__name__
    return f"<QGIS layer {name}>", None


def qgis_fields(gdf: gpd.GeoDataFrame):
    """QgsFields for the non-geometry columns (numbers as double, the rest as text)."""
    from qgis.core import QgsField, QgsFields
    from qgis.PyQt.QtCore import QVariant

    fields = QgsFields()
    for col in gdf.columns:
        if col == gdf.geometry.name:
            continue
        numeric = gdf[col].dtype.kind in "fi"
        fields.append(QgsField(str(col), QVariant.Double if numeric else QVariant.String))
    return fields


def gdf_to_features(gdf: gpd.GeoDataFrame, fields):
    """QgsFeatures for a GeoDataFrame (geometry through WKB), in the frame's order."""
    from qgis.core import QgsFeature, QgsGeometry

    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    out = []
    for row, geom in zip(gdf[cols].itertuples(index=False), gdf.geometry.values):
        feat = QgsFeature(fields)
        values = []
        for v in row:
            if v is None or (isinstance(v, float) and v != v):
                values.append(None)
            elif isinstance(v, (int, float)):
                values.append(float(v))
            else:
                values.append(str(v))
        feat.setAttributes(values)
        if geom is not None and not geom.is_empty:
            qg = QgsGeometry()
            qg.fromWkb(shapely.to_wkb(geom))
            feat.setGeometry(qg)
        out.append(feat)
    return out
