"""Registers the Processing provider; no GUI of its own (the Processing toolbox is the GUI)."""

from qgis.core import QgsApplication

from .provider import YangaoProvider


class YangaoPlugin:
    def __init__(self, iface=None):
        self.iface = iface
        self.provider = None

    def initProcessing(self):
        self.provider = YangaoProvider()
        QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self):
        self.initProcessing()

    def unload(self):
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
