"""The ``yangao`` Processing provider."""

from qgis.core import QgsProcessingProvider

from .alg_check_blocks import CheckBlocksAlgorithm, FixBlocksAlgorithm
from .alg_corner_points import ExportCornerPointsAlgorithm, ImportCornerPointsAlgorithm
from .common import tr


class YangaoProvider(QgsProcessingProvider):
    def id(self):
        return "yangao"

    def name(self):
        return tr("yangao_geo Yanggao mineral plan")

    def longName(self):
        return tr("yangao_geo — Yanggao mineral plan 2021–2025 block checker")

    def loadAlgorithms(self):
        for alg in (
            CheckBlocksAlgorithm(),
            FixBlocksAlgorithm(),
            ImportCornerPointsAlgorithm(),
            ExportCornerPointsAlgorithm(),
        ):
            self.addAlgorithm(alg)
