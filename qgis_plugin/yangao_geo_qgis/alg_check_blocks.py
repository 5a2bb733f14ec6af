"""``yangao:check_blocks`` — parameters in, ``yangao_geo.check`` called, sinks and files out. No rule logic here."""

from qgis.core import (
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingLayerPostProcessorInterface,
    QgsProcessingOutputHtml,
    QgsProcessingOutputNumber,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
)

from .common import Canceled, library, progress_callback, write_sink

LAYERS = [
    ("MINING_RIGHTS", "mining_rights", "现有矿业权 Existing mining rights"),
    ("ECO_REDLINE", "eco_redline", "生态保护红线 Ecological protection red line"),
    ("BASIC_FARMLAND", "basic_farmland", "永久基本农田 Permanent basic farmland"),
    ("TOWN_BOUNDARY", "town_boundary", "城镇开发边界 Town development boundary"),
    ("ARABLE_LAND", "arable_land", "耕地 Arable land"),
    ("DEPOSITS", "deposits", "矿床 Deposits"),
    ("COUNTY_BOUNDARY", "county_boundary", "县界 County boundary"),
    ("CONCENTRATED_AREAS", "concentrated_areas", "砂石土类集中开采区 Concentrated mining areas"),
]
KINDS = ["from the layer (类型 field)", "exploration 勘查规划区块", "mining 开采规划区块", "concentrated 集中开采区"]
KIND_VALUES = [None, "exploration", "mining", "concentrated"]
FAIL_ON = ["fail", "warn"]
_STYLES = {
    "severity": {"fail": "#d62728", "warn": "#ff9f1c", "info": "#1f77b4"},
    "status": {"fail": "#d62728", "warn": "#ff9f1c", "pass": "#2ca02c"},
}
_POST = []  # keep post-processors alive until QGIS has run them


class _StyleBy(QgsProcessingLayerPostProcessorInterface):
    """Colours the output layer by severity (findings) or status (blocks)."""

    def __init__(self, field):
        super().__init__()
        self.field = field

    def postProcessLayer(self, layer, context, feedback):
        from qgis.core import QgsCategorizedSymbolRenderer, QgsRendererCategory, QgsSymbol
        from qgis.PyQt.QtGui import QColor

        categories = []
        for value, colour in _STYLES[self.field].items():
            symbol = QgsSymbol.defaultSymbol(layer.geometryType())
            symbol.setColor(QColor(colour))
            symbol.setOpacity(0.6)
            categories.append(QgsRendererCategory(value, symbol, value))
        layer.setRenderer(QgsCategorizedSymbolRenderer(self.field, categories))
        layer.triggerRepaint()


class CheckBlocksAlgorithm(QgsProcessingAlgorithm):
    INPUT, CONSTRAINTS, KIND, TOLERANCE, FAIL_ON = "INPUT", "CONSTRAINTS", "KIND", "TOLERANCE", "FAIL_ON"
    FINDINGS, BLOCKS, HTML, XLSX = "FINDINGS", "BLOCKS", "HTML", "XLSX"

    def name(self):
        return "check_blocks"

    def displayName(self):
        return "规划区块合规检查 Check planning blocks"

    def group(self):
        return "检查 Checks"

    def groupId(self):
        return "checks"

    def shortHelpString(self):
        return (
            "Checks proposed blocks against existing mining rights, the three control lines and the delineation "
            "and admission rules of the Yanggao mineral plan 2021–2025. Constraint layers may be given one by "
            "one, or as a GeoPackage; with none, the bundled illustrative layers are used. Areas are "
            "CGCS2000 ellipsoidal areas; every finding cites the plan article it enforces."
        )

    def createInstance(self):
        return CheckBlocksAlgorithm()

    def initAlgorithm(self, config=None):
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.INPUT, "规划区块 Proposed blocks", [QgsProcessing.TypeVectorPolygon]
            )
        )
        self.addParameter(
            QgsProcessingParameterFile(
                self.CONSTRAINTS,
                "约束图层 GeoPackage Constraint GeoPackage (optional)",
                behavior=QgsProcessingParameterFile.File,
                optional=True,
            )
        )
        for key, _, label in LAYERS:
            self.addParameter(
                QgsProcessingParameterFeatureSource(key, label, [QgsProcessing.TypeVectorPolygon], optional=True)
            )
        self.addParameter(QgsProcessingParameterEnum(self.KIND, "区块类型 Block kind", KINDS, defaultValue=0))
        self.addParameter(
            QgsProcessingParameterNumber(
                self.TOLERANCE,
                "重叠容差 Overlap tolerance (m²)",
                QgsProcessingParameterNumber.Double,
                1.0,
                minValue=0.0,
            )
        )
        self.addParameter(QgsProcessingParameterEnum(self.FAIL_ON, "不通过阈值 Fail on", FAIL_ON, defaultValue=0))
        self.addParameter(QgsProcessingParameterFeatureSink(self.FINDINGS, "问题 Findings"))
        self.addParameter(QgsProcessingParameterFeatureSink(self.BLOCKS, "区块结论 Blocks with status"))
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.HTML, "HTML 报告 HTML report", "HTML files (*.html)", optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.XLSX, "Excel 报告 Excel report", "Excel files (*.xlsx)", optional=True
            )
        )
        self.addOutput(QgsProcessingOutputHtml("HTML_VIEW", "报告 Report"))
        for key, label in (
            ("FAILS", "不通过项 fail findings"),
            ("WARNS", "需关注项 warn findings"),
            ("FAILING_BLOCKS", "不通过区块 failing blocks"),
            ("EXIT_CODE", "exit code (0/1)"),
        ):
            self.addOutput(QgsProcessingOutputNumber(key, label))

    def processAlgorithm(self, parameters, context, feedback):
        yg = library()
        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, self.INPUT))
        from yangao_geo.qgis_adapter import layer_to_gdf

        blocks, info = layer_to_gdf(source)
        blocks.attrs["yangao_source"] = info
        constraints = {}
        for key, name, _ in LAYERS:
            layer_source = self.parameterAsSource(parameters, key, context)
            if layer_source is not None:
                gdf, linfo = layer_to_gdf(layer_source)
                gdf.attrs["yangao_source"] = linfo
                constraints[name] = gdf
        path = self.parameterAsFile(parameters, self.CONSTRAINTS, context)
        if path:
            try:
                base = yg.load_constraints(path)
            except yg.YangaoError as exc:
                raise QgsProcessingException(str(exc)) from None
            for name, loaded in base.layers.items():
                if name not in constraints:
                    loaded.gdf.attrs["yangao_source"] = loaded.info
                    constraints[name] = loaded.gdf
        kind = KIND_VALUES[self.parameterAsEnum(parameters, self.KIND, context)]
        tolerance = self.parameterAsDouble(parameters, self.TOLERANCE, context)
        fail_on = FAIL_ON[self.parameterAsEnum(parameters, self.FAIL_ON, context)]
        try:
            report = yg.check(
                blocks, constraints or None, kind=kind, tolerance_m2=tolerance, progress=progress_callback(feedback)
            )
        except Canceled:
            raise QgsProcessingException("canceled") from None
        except yg.YangaoError as exc:
            raise QgsProcessingException(str(exc)) from None
        findings = report.findings.copy()
        findings["overlap_km2"] = (findings["overlap_m2"] / 1e6).round(4)
        results = {
            self.FINDINGS: write_sink(self, parameters, context, self.FINDINGS, findings),
            self.BLOCKS: write_sink(self, parameters, context, self.BLOCKS, report.blocks),
        }
        for key, field in ((self.FINDINGS, "severity"), (self.BLOCKS, "status")):
            if context.willLoadLayerOnCompletion(results[key]):
                post = _StyleBy(field)
                _POST.append(post)
                context.layerToLoadOnCompletionDetails(results[key]).setPostProcessor(post)
        html_path = self.parameterAsFileOutput(parameters, self.HTML, context)
        if html_path:
            report.to_file(html_path, overwrite=True)
            results[self.HTML] = results["HTML_VIEW"] = html_path
        xlsx_path = self.parameterAsFileOutput(parameters, self.XLSX, context)
        if xlsx_path:
            report.to_file(xlsx_path, overwrite=True)
            results[self.XLSX] = xlsx_path
        counts = report.counts()
        results.update(
            FAILS=counts["fail"],
            WARNS=counts["warn"],
            FAILING_BLOCKS=int((report.blocks.status == "fail").sum()),
            EXIT_CODE=report.exit_code(fail_on),
        )
        feedback.pushInfo(repr(report))
        return results
