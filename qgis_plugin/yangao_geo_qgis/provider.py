"""The ``yangao`` Processing provider."""

from qgis.core import QgsProcessingProvider

from .alg_check_blocks import CheckBlocksAlgorithm, FixBlocksAlgorithm, ProposeBlocksAlgorithm
from .alg_corner_points import ExportCornerPointsAlgorithm, ImportCornerPointsAlgorithm
from .common import tr


class YangaoProvider(QgsProcessingProvider):
    def id(self):
        return "yangao"

    def name(self):
        return tr("yangao_geo Yanggao mineral plan")

    def icon(self):
        from pathlib import Path

        from qgis.PyQt.QtGui import QIcon

        return QIcon(str(Path(__file__).with_name("icon.svg")))

    def svgIconPath(self):
        from pathlib import Path

        return str(Path(__file__).with_name("icon.svg"))

    def longName(self):
        return tr("yangao_geo — Yanggao mineral plan 2021–2025 block checker")

    def loadAlgorithms(self):
        for alg in (
            CheckBlocksAlgorithm(),
            FixBlocksAlgorithm(),
            ProposeBlocksAlgorithm(),
            ImportCornerPointsAlgorithm(),
            ExportCornerPointsAlgorithm(),
        ):
            self.addAlgorithm(alg)
