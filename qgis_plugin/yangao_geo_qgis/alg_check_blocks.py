"""``yangao:check_blocks`` — parameters in, ``yangao_geo.check`` called, sinks and files out. No rule logic here."""

from qgis.core import (
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingLayerPostProcessorInterface,
    QgsProcessingOutputHtml,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
)

from .common import Canceled, library, progress_callback, write_sink, zh_word

_REQUIRED = "必需：此处或约束 GeoPackage 中提供 required: here or in the constraint GeoPackage"
_OPTIONAL = "可选 optional"
LAYERS = [
    ("MINING_RIGHTS", "mining_rights", f"现有矿业权 Existing mining rights（{_REQUIRED}）"),
    ("ECO_REDLINE", "eco_redline", f"生态保护红线 Ecological protection red line（{_REQUIRED}）"),
    ("BASIC_FARMLAND", "basic_farmland", f"永久基本农田 Permanent basic farmland（{_REQUIRED}）"),
    ("TOWN_BOUNDARY", "town_boundary", f"城镇开发边界 Town development boundary（{_REQUIRED}）"),
    ("ARABLE_LAND", "arable_land", f"耕地 Arable land（{_OPTIONAL}）"),
    ("DEPOSITS", "deposits", f"矿床 Deposits（{_OPTIONAL}）"),
    ("COUNTY_BOUNDARY", "county_boundary", f"县界 County boundary（{_OPTIONAL}）"),
    ("CONCENTRATED_AREAS", "concentrated_areas", f"砂石土类集中开采区 Concentrated mining areas（{_OPTIONAL}）"),
]
#: Chinese aliases of the output fields (the field names stay the library's, as in its JSON/GPKG)
ALIASES = {
    "block_id": "区块编号",
    "block_name": "区块名称",
    "name": "区块名称",
    "kind": "类型",
    "mineral": "矿种",
    "rule_id": "规则",
    "rule_name": "规则名称",
    "severity": "级别代码",
    "severity_zh": "级别",
    "layer": "图层",
    "feature_id": "要素编号",
    "overlap_m2": "重叠面积(m²)",
    "overlap_km2": "重叠面积(km²)",
    "overlap_ratio": "占区块比例",
    "message": "说明",
    "citation": "规划条款",
    "area_m2": "面积(m²)",
    "area_km2": "面积(km²)",
    "status": "结论代码",
    "status_zh": "结论",
    "source": "来源",
}

KINDS = ["from the layer (类型 field)", "exploration 勘查规划区块", "mining 开采规划区块", "concentrated 集中开采区"]
KIND_VALUES = [None, "exploration", "mining", "concentrated"]
FAIL_ON = ["fail", "warn"]
_STYLES = {
    "severity": {"fail": "#d62728", "warn": "#ff9f1c", "info": "#1f77b4"},
    "status": {"fail": "#d62728", "warn": "#ff9f1c", "pass": "#2ca02c"},
}
_POST = []  # keep post-processors alive until QGIS has run them


class _StyleBy(QgsProcessingLayerPostProcessorInterface):
    """Colours the output layer by severity (findings) or status (blocks), with Chinese field aliases."""

    def __init__(self, field, name):
        super().__init__()
        self.field = field
        self.name = name

    def postProcessLayer(self, layer, context, feedback):
        layer.setName(self.name)
        for index, field in enumerate(layer.fields()):
            if field.name() in ALIASES:
                layer.setFieldAlias(index, ALIASES[field.name()])
        from qgis.core import QgsCategorizedSymbolRenderer, QgsRendererCategory, QgsSymbol
        from qgis.PyQt.QtGui import QColor

        categories = []
        for value, colour in _STYLES[self.field].items():
            symbol = QgsSymbol.defaultSymbol(layer.geometryType())
            symbol.setColor(QColor(colour))
            symbol.setOpacity(0.6)
            categories.append(QgsRendererCategory(value, symbol, zh_word(value)))
        layer.setRenderer(QgsCategorizedSymbolRenderer(self.field, categories))
        layer.triggerRepaint()


class CheckBlocksAlgorithm(QgsProcessingAlgorithm):
    INPUT, CONSTRAINTS, KIND, TOLERANCE, FAIL_ON = "INPUT", "CONSTRAINTS", "KIND", "TOLERANCE", "FAIL_ON"
    FAIL_EXIT = "FAIL_EXIT"
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

    def add_input_parameters(self):
        """The blocks, the constraint GeoPackage, the constraint layers one by one and the block kind."""
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

    def initAlgorithm(self, config=None):
        self.add_input_parameters()
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
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.FAIL_EXIT,
                "有问题时报错（qgis_process 非零退出） Fail the run when findings reach Fail on (non-zero exit)",
                defaultValue=False,
            )
        )
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

    def gather(self, yg, parameters, context):
        """The blocks and the constraint layers of the dialog: (blocks GeoDataFrame, constraints mapping)."""
        from yangao_geo.errors import use_interface
        from yangao_geo.qgis_adapter import layer_to_gdf

        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, self.INPUT))
        blocks, info = layer_to_gdf(source, layer=self.parameterAsVectorLayer(parameters, self.INPUT, context))
        blocks.attrs["yangao_source"] = info
        constraints = {}
        for key, name, _ in LAYERS:
            layer_source = self.parameterAsSource(parameters, key, context)
            if layer_source is not None:
                gdf, linfo = layer_to_gdf(layer_source, layer=self.parameterAsVectorLayer(parameters, key, context))
                gdf.attrs["yangao_source"] = linfo
                constraints[name] = gdf
        path = self.parameterAsFile(parameters, self.CONSTRAINTS, context)
        if path:
            # the GeoPackage fills in the layers not given one by one (the single layers win)
            with use_interface("qgis"):
                try:
                    found = yg.layers.constraint_sources(path)
                except yg.YangaoError as exc:
                    raise QgsProcessingException(str(exc)) from None
            for name, (file, layer_name) in found.items():
                if name not in constraints:
                    constraints[layer_name or name] = str(file) if layer_name is None else _read(yg, file, layer_name)
        return blocks, constraints

    def processAlgorithm(self, parameters, context, feedback):
        yg = library()
        from yangao_geo.errors import use_interface

        blocks, constraints = self.gather(yg, parameters, context)
        kind = KIND_VALUES[self.parameterAsEnum(parameters, self.KIND, context)]
        tolerance = self.parameterAsDouble(parameters, self.TOLERANCE, context)
        fail_on = FAIL_ON[self.parameterAsEnum(parameters, self.FAIL_ON, context)]
        with use_interface("qgis"):  # messages in the dialog's words, not the command line's
            try:
                report = yg.check(
                    blocks, constraints or None, kind=kind, tolerance_m2=tolerance, progress=progress_callback(feedback)
                )
            except Canceled:
                raise QgsProcessingException("已取消 canceled") from None
            except yg.YangaoError as exc:
                raise QgsProcessingException(str(exc)) from None
        findings = report.findings.copy()
        findings["overlap_m2"] = findings["overlap_m2"].astype(float).round(2)
        findings["overlap_km2"] = (findings["overlap_m2"] / 1e6).round(4)
        findings["overlap_ratio"] = findings["overlap_ratio"].astype(float).round(6)
        findings["severity_zh"] = findings["severity"].map(zh_word)
        blocks_out = report.blocks.copy()
        blocks_out["area_m2"] = blocks_out["area_m2"].astype(float).round(2)
        blocks_out["area_km2"] = (blocks_out["area_m2"] / 1e6).round(4)
        blocks_out["status_zh"] = blocks_out["status"].map(zh_word)
        results = {
            # the blocks first, so that the findings (overlap pieces) load above them
            self.BLOCKS: write_sink(self, parameters, context, self.BLOCKS, blocks_out),
            self.FINDINGS: write_sink(self, parameters, context, self.FINDINGS, findings),
        }
        for key, field, name in (
            (self.BLOCKS, "status", "区块结论 Blocks with status"),
            (self.FINDINGS, "severity", "问题 Findings"),
        ):
            if context.willLoadLayerOnCompletion(results[key]):
                post = _StyleBy(field, name)
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
        if results["EXIT_CODE"] and self.parameterAsBool(parameters, self.FAIL_EXIT, context):
            # outputs are written; the run itself fails so that qgis_process (and scripts) exit non-zero
            raise QgsProcessingException(
                f"审查未通过：{results['FAILS']} 项不通过，{results['WARNS']} 项需关注（输出已写出） — "
                f"the check found {results['FAILS']} fail and {results['WARNS']} warn findings (outputs written)"
            )
        return results


def _read(yg, path, layer_name):
    """One layer of the constraint GeoPackage as a GeoDataFrame with its provenance."""
    from yangao_geo.io.vector import read_vector

    gdf, info = read_vector(path, layer=layer_name, role=layer_name, allow_empty=True)
    gdf.attrs["yangao_source"] = info
    return gdf


class FixBlocksAlgorithm(CheckBlocksAlgorithm):
    """``yangao:fix_blocks`` 区块避让调整 — the compliant block inside each block (:func:`yangao_geo.fix`)."""

    MARGIN, MIN_WIDTH, KEEP, MAX_CORNERS, POLICY, OUTPUT = (
        "MARGIN",
        "MIN_WIDTH",
        "KEEP",
        "MAX_CORNERS",
        "POLICY",
        "OUTPUT",
    )
    KEEPS = ("largest 最大一块", "all 全部（不小于最小面积）")
    POLICIES = ("earlier 先列者保留", "larger 面积大者保留", "both 双方均退让")

    def name(self):
        return "fix_blocks"

    def displayName(self):
        return "区块避让调整 Propose compliant blocks"

    def shortHelpString(self):
        return (
            "对每个区块，提出其内部最大的合规区块：扣除须避让的生态保护红线、永久基本农田、"
            "城镇开发边界（地热、矿泉水除外）、现有矿业权（原探矿权除外）及其他规划区块，去除窄条，"
            "按拐点数简化（只缩不扩），坐标按 0.01 m 取整且不会进入约束，并用全部规则复核。 "
            "For each block, the largest compliant block inside it, re-checked with every rule."
        )

    def createInstance(self):
        return FixBlocksAlgorithm()

    def initAlgorithm(self, config=None):
        from qgis.core import QgsProcessingParameterNumber as Number

        self.add_input_parameters()
        self.addParameter(Number(self.MARGIN, "安全距离 Safety margin (m)", Number.Double, 0.0, minValue=0.0))
        self.addParameter(Number(self.MIN_WIDTH, "最小宽度 Minimum width (m)", Number.Double, 1.0, minValue=0.0))
        self.addParameter(QgsProcessingParameterEnum(self.KEEP, "保留 Keep", list(self.KEEPS), defaultValue=0))
        self.addParameter(Number(self.MAX_CORNERS, "最多拐点数 Maximum corner points", Number.Integer, 200, minValue=4))
        self.addParameter(
            QgsProcessingParameterEnum(self.POLICY, "区块互相重叠时 Shared ground", list(self.POLICIES), defaultValue=0)
        )
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, "调整后区块 Proposed compliant blocks"))

    def processAlgorithm(self, parameters, context, feedback):
        yg = library()
        from yangao_geo.errors import use_interface

        blocks, constraints = self.gather(yg, parameters, context)
        with use_interface("qgis"):
            try:
                result = yg.fix(
                    blocks,
                    constraints or None,
                    kind=KIND_VALUES[self.parameterAsEnum(parameters, self.KIND, context)],
                    margin_m=self.parameterAsDouble(parameters, self.MARGIN, context),
                    min_width_m=self.parameterAsDouble(parameters, self.MIN_WIDTH, context),
                    keep=["largest", "all"][self.parameterAsEnum(parameters, self.KEEP, context)],
                    max_corners=self.parameterAsInt(parameters, self.MAX_CORNERS, context),
                    policy=["earlier", "larger", "both"][self.parameterAsEnum(parameters, self.POLICY, context)],
                )
            except yg.YangaoError as exc:
                raise QgsProcessingException(str(exc)) from None
        proposals = result.proposals[result.proposals.geometry.notna()].copy()
        proposals["status_zh"] = proposals["status_after"].map(zh_word, na_action="ignore")
        for r in result.proposals.itertuples():
            feedback.pushInfo(
                f"{r.block_id}: {100 * r.kept_ratio:.2f}% · {r.corners_before}→{r.corners_after} · {r.note}"
            )
        return {self.OUTPUT: write_sink(self, parameters, context, self.OUTPUT, proposals)}
