"""Shared plumbing: importing the library with a clear message, sinks from GeoDataFrames, cancel/progress."""

from qgis.core import QgsCoordinateReferenceSystem, QgsFeatureSink, QgsProcessingException


def library():
    """The yangao_geo module, or a QgsProcessingException that says how to install it."""
    try:
        import yangao_geo
    except ImportError as exc:
        missing = getattr(exc, "name", None) or str(exc)
        # the library (and its catalog) is what is missing: this message is in both languages
        raise QgsProcessingException(
            f"无法在 QGIS 的 Python 中导入 yangao_geo：缺少模块 {missing!r}（{exc}）。请在 OSGeo4W Shell 中"
            "安装：python -m pip install --no-deps yangao-geo openpyxl xlsxwriter rich click filelock babel "
            "pyarrow（见 README 的 QGIS 一节） — "
            f"yangao_geo cannot be imported in QGIS's Python: the module {missing!r} is missing ({exc}). Install "
            "the library and the dependencies QGIS does not ship, in the OSGeo4W Shell: python -m pip install "
            "--no-deps yangao-geo openpyxl xlsxwriter rich click filelock babel pyarrow (see the README, QGIS)"
        ) from None
    pinned = _pinned_version()
    if pinned and pinned != yangao_geo.__version__:
        raise QgsProcessingException(
            tr(
                "this plugin was built for yangao_geo {pinned}, but QGIS's Python has {installed}: install "
                "yangao-geo {pinned} (see the README, QGIS) or the plugin built for {installed}",
                pinned=pinned,
                installed=yangao_geo.__version__,
            )
        )
    return yangao_geo


def _pinned_version() -> str | None:
    """The library version the plugin's zip pins in metadata.txt (``yangao_geo=``); None in a checkout."""
    from pathlib import Path

    try:
        text = Path(__file__).with_name("metadata.txt").read_text(encoding="utf-8")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("yangao_geo="):
            return line.split("=", 1)[1].strip()
    return None


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
    """A rule code as the progress shows it, in the plugin's language: ``O203 与永久基本农田重叠``."""
    from yangao_geo.i18n import use_lang
    from yangao_geo.rules.titles import TITLES, title

    if code in TITLES:
        with use_lang(plugin_lang()):
            return f"{code} {title(code)}"
    return {"rules": tr("rules"), "reading": tr("reading")}.get(code, code)


def zh_word(code):
    """A severity or status code in the plan's Chinese (不通过, 需关注, 提示, 通过), from the library's catalog."""
    from yangao_geo.i18n import use_lang
    from yangao_geo.rules.titles import severity_word, status_word

    with use_lang("zh"):
        return status_word(code) if code == "pass" else severity_word(code)


def N_(text: str) -> str:
    """Mark ``text`` for the catalog (translated later with :func:`tr`); as :func:`yangao_geo.i18n.N_`."""
    return text


def plugin_lang() -> str:
    """The language of the dialogs and runs: ``YANGAO_GEO_LANG`` if set, else QGIS's own interface language
    (Settings → Options → General → User interface translation): English for an ``en`` locale, else
    Chinese (the product's default)."""
    import os

    env = os.environ.get("YANGAO_GEO_LANG")
    if env:
        try:
            from yangao_geo.i18n import normalise_lang

            return normalise_lang(env)
        except (ImportError, ValueError):
            pass
    try:
        from qgis.core import QgsApplication

        locale = QgsApplication.locale() or ""
    except Exception:  # outside a QGIS application: the product's default
        locale = ""
    return "en" if locale.lower().startswith("en") else "zh"


def tr(text: str, /, **fields) -> str:
    """``text`` (an English template from the library's catalog) in the plugin's language, fields filled.

    Before the library is installed, the English text: the dialog still opens and says what is missing.
    """
    try:
        from yangao_geo.i18n import t, use_lang
    except ImportError:
        return text.format(**fields) if fields else text
    with use_lang(plugin_lang()):
        return t(text, **fields)
