"""Shared plumbing: importing the library with a clear message, sinks from GeoDataFrames, cancel/progress."""

from qgis.core import QgsCoordinateReferenceSystem, QgsFeatureSink, QgsProcessingException


def library():
    """The yangao_geo module, or a QgsProcessingException that says how to install it."""
    try:
        import yangao_geo
    except ImportError as exc:
        missing = getattr(exc, "name", None) or str(exc)
        raise QgsProcessingException(
            f"yangao_geo cannot be imported in QGIS's Python: the module {missing!r} is missing ({exc}). Install "
            "the library and the dependencies QGIS does not ship, in the OSGeo4W Shell: python -m pip install "
            "--no-deps yangao-geo openpyxl xlsxwriter rich click filelock babel pyarrow (see the README, QGIS)"
        ) from None
    return yangao_geo


def write_sink(alg, parameters, context, name, gdf):
    """Create the feature sink ``name`` and fill it from ``gdf`` (EPSG:4547 unless the frame says otherwise)."""
    from qgis.core import QgsWkbTypes

    from yangao_geo.qgis_adapter import gdf_to_features, qgis_fields

    fields = qgis_fields(gdf)
    crs = QgsCoordinateReferenceSystem(f"EPSG:{gdf.crs.to_epsg() or 4547}")
    sink, dest_id = alg.parameterAsSink(parameters, name, context, fields, QgsWkbTypes.MultiPolygon, crs)
    if sink is None:
        raise QgsProcessingException(alg.invalidSinkError(parameters, name))
    for feat in gdf_to_features(gdf, fields):
        sink.addFeature(feat, QgsFeatureSink.FastInsert)
    return dest_id


class Canceled(Exception):
    """Raised from the progress callback when the user cancels."""


def progress_callback(feedback):
    def update(done, total, label):
        if feedback.isCanceled():
            raise Canceled()
        if total:
            feedback.setProgress(100.0 * done / total)
        feedback.setProgressText(f"yangao_geo: {_label(label)}")

    return update


def _label(code: str) -> str:
    """A rule code as the progress shows it: ``O203 与永久基本农田重叠``."""
    try:
        from yangao_geo.i18n import use_lang
        from yangao_geo.rules.titles import TITLES, title

        if code in TITLES:
            with use_lang("zh"):
                return f"{code} {title(code)}"
    except ImportError:
        pass
    return {"rules": "规则 rules", "reading": "读取 reading"}.get(code, code)


def zh_word(code):
    """A severity or status code in the plan's Chinese (不通过, 需关注, 提示, 通过), from the library's catalog."""
    from yangao_geo.i18n import use_lang
    from yangao_geo.rules.titles import severity_word, status_word

    with use_lang("zh"):
        return status_word(code) if code == "pass" else severity_word(code)
