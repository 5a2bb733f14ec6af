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

from .i18n import t
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


#: CRSs QGIS may hand over that are not CGCS2000: reprojected by QGIS to EPSG:4490, and said so (D103)
_WEB_MAP = ("EPSG:3857", "EPSG:900913", "EPSG:3785")


def layer_to_gdf(obj, *, selected_only: bool | None = False, layer=None) -> tuple[gpd.GeoDataFrame, SourceInfo]:
    """A QgsVectorLayer (or feature source) as a GeoDataFrame, and where it came from.

    ``selected_only``: True — only the selected features; None — the selection when the layer has one,
    else every feature. ``layer``: the QgsVectorLayer behind a Processing feature source, for its name and
    path. Each feature's QGIS id is kept (``qgis_fid``, and the block's ``source`` ``layer#fid``). A layer
    in a CRS that is not CGCS2000 (EPSG:3857, a local CRS …) is reprojected by QGIS to EPSG:4490 and the
    note says so (finding D103), with the GCJ-02 caution for web-map CRSs; WGS84 is read as CGCS2000.
    """
    names = [f.name() for f in obj.fields()]
    if selected_only is None:
        selected_only = hasattr(obj, "selectedFeatureCount") and obj.selectedFeatureCount() > 0
    if selected_only and hasattr(obj, "getSelectedFeatures"):
        features = obj.getSelectedFeatures()
    else:
        features = obj.getFeatures()
    transform, note = _to_cgcs2000(obj)
    rows, geoms, fids = [], [], []
    for feat in features:
        rows.append({n: _plain(feat[n]) for n in names})
        fids.append(int(feat.id()))
        g = feat.geometry()
        if g is not None and not g.isNull() and transform is not None:
            g = type(g)(g)
            g.transform(transform)
        geoms.append(None if g is None or g.isNull() else shapely.from_wkb(bytes(g.asWkb())))
    crs = pyproj.CRS.from_epsg(4490) if transform is not None else _crs(obj)
    gdf = gpd.GeoDataFrame(rows, columns=names, geometry=geoms, crs=crs)
    path, layer_name = _source_path(layer if layer is not None else obj)
    named = layer if layer is not None else obj
    label = path if not path.startswith("<") else (named.name() if hasattr(named, "name") else path)
    gdf["qgis_fid"] = fids
    if "source" not in gdf.columns:
        gdf["source"] = [f"{label.rsplit('/', 1)[-1]}#{fid}" for fid in fids]
    if note:
        gdf.attrs["yangao_crs_note"] = note
    if selected_only:
        gdf.attrs["yangao_selection_note"] = t("only the {n} selected features of the layer were checked", n=len(gdf))
    info = SourceInfo(
        path=path,
        layer=layer_name,
        features=len(gdf),
        encoding="qgis",
        sha256=file_sha256(path) if path and not path.startswith("<") else None,
    )
    return gdf, info


def _to_cgcs2000(obj):
    """(QgsCoordinateTransform to EPSG:4490, note) for a layer QGIS must reproject; (None, "") otherwise."""
    crs = obj.sourceCrs() if hasattr(obj, "sourceCrs") else obj.crs()
    if crs is None or not crs.isValid():
        return None, ""
    try:
        from .crs import identify_crs

        identify_crs(_crs(obj))
        return None, ""  # CGCS2000 (or WGS84): the library reads it as it is
    except Exception:
        pass
    from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsProject

    target = QgsCoordinateReferenceSystem("EPSG:4490")
    transform = QgsCoordinateTransform(crs, target, QgsProject.instance())
    note = t(
        "the layer's CRS {crs} was reprojected by QGIS to EPSG:4490 (CGCS2000)", crs=crs.authid() or crs.description()
    )
    if crs.authid().upper() in _WEB_MAP:
        note += t(
            "; web-map data in China may carry the GCJ-02 offset (up to several hundred metres), which no "
            "reprojection removes: check the source of the coordinates"
        )
    return transform, note


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
