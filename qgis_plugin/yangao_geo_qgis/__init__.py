"""QGIS plugin entry point: a Processing provider around the yangao_geo library."""


def classFactory(iface):
    from .plugin import YangaoPlugin

    return YangaoPlugin(iface)
