"""``yangao:check_blocks`` — parameters in, ``yangao_geo.check`` called, sinks and files out. No rule logic here."""

from qgis.core import (
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingLayerPostProcessorInterface,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterCrs,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from .common import N_, Canceled, library, plugin_lang, progress_callback, tr, write_sink, zh_word

#: (parameter, layer, required): the constraint layers the dialog offers one by one
LAYERS = [
    ("MINING_RIGHTS", "mining_rights", True),
    ("ECO_REDLINE", "eco_redline", True),
    ("BASIC_FARMLAND", "basic_farmland", True),
    ("TOWN_BOUNDARY", "town_boundary", True),
    ("ARABLE_LAND", "arable_land", False),
    ("DEPOSITS", "deposits", False),
    ("COUNTY_BOUNDARY", "county_boundary", False),
    ("CONCENTRATED_AREAS", "concentrated_areas", False),
]


def _layer_label(name: str, required: bool) -> str:
    from yangao_geo.i18n import use_lang
    from yangao_geo.rules.messages import layer_label

    with use_lang(plugin_lang()):
        label = layer_label(name)
    if required:  # QGIS marks every one [optional]: one of the two places must give it
        return tr("{layer} (give it here or in the constraint GeoPackage)", layer=label)
    return label


#: English templates of the output fields' aliases (the field names stay the library's, as in its JSON/GPKG)
ALIASES = {
    "block_id": N_("block id"),
    "block_name": N_("block name"),
    "name": N_("block name"),
    "kind": N_("kind"),
    "mineral": N_("mineral"),
    "rule_id": N_("rule"),
    "rule_name": N_("rule name"),
    "severity": N_("severity code"),
    "severity_zh": N_("severity"),
    "layer": N_("layer"),
    "feature_id": N_("feature id"),
    "overlap_m2": N_("overlap area (m²)"),
    "overlap_km2": N_("overlap area (km²)"),
    "overlap_ratio": N_("share of the block"),
    "message": N_("finding"),
    "citation": N_("plan article"),
    "area_m2": N_("area (m²)"),
    "area_km2": N_("area (km²)"),
    "status": N_("status code"),
    "status_zh": N_("status"),
    "source": N_("source"),
}

KINDS = [N_("from the layer (kind/类型 field)"), "exploration", "mining", "concentrated"]
KIND_VALUES = [None, "exploration", "mining", "concentrated"]
FAIL_ON = ["fail", "warn"]


def _kind_options() -> list:
    """The block-kind choices in the plugin's language (the plan's names of the kinds)."""
    from yangao_geo.i18n import use_lang
    from yangao_geo.rules.titles import kind_word

    with use_lang(plugin_lang()):
        return [tr(KINDS[0]), *(kind_word(k) for k in KIND_VALUES[1:])]


def _unit_options() -> list:
    from yangao_geo.area_units import unit_label

    return [unit_label(u) for u in CheckBlocksAlgorithm.AREA_UNITS]


#: parameter -> what it is for (shown in the dialog's help panel and as the parameter's help)
_HELP = {
    "INPUT": N_("The proposed blocks: polygons with an id, and a kind column (else choose Block kind)."),
    "CONSTRAINTS": N_(
        "A GeoPackage holding the constraint layers (mining_rights, eco_redline, basic_farmland, town_boundary "
        "…); layers given one by one below win over it."
    ),
    "KIND": N_("The kind of every block, when the layer has no kind column."),
    "TOLERANCE": N_("Overlaps at or below this area are slivers: needs attention, never a fail."),
    "FAIL_ON": N_("The severity from which the run counts as failed (exit code, and Fail the run)."),
    "FAIL_EXIT": N_("Make the run itself fail (qgis_process exits non-zero) when findings reach Fail on."),
    "RULES": N_("Rule codes or names, comma-separated (e.g. O202,O203,B301); empty: every rule."),
    "CONFIG": N_("A TOML settings file: tolerances, rule parameters, the mineral table (see the README)."),
    "CRS": N_("The blocks' CRS when their layer has none or a wrong one (e.g. EPSG:4547)."),
    "AREA_UNIT": N_("The unit the HTML and Excel reports show besides m²."),
}


def _parameter_help(alg) -> str:
    """The parameters and what each is for, as a list under the algorithm's description."""
    lines = []
    for name, text in _HELP.items():
        definition = alg.parameterDefinition(name)
        if definition is not None:
            lines.append(f"<li><b>{definition.description()}</b>: {tr(text)}</li>")
    return f"<ul>{''.join(lines)}</ul>" if lines else ""


def _severity(code: str) -> str:
    from yangao_geo.i18n import use_lang
    from yangao_geo.rules.titles import severity_word

    with use_lang(plugin_lang()):
        return severity_word(code)


_STYLES = {
    "severity": {"fail": "#d62728", "warn": "#ff9f1c", "info": "#1f77b4"},
    "status": {"fail": "#d62728", "warn": "#ff9f1c", "pass": "#2ca02c"},
}
_POST = []  # keep post-processors alive until QGIS has run them
#: the plugin's session: constraint layers read, projected and indexed once (yangao_geo.Checker), by their
#: files' paths, sizes and modification times — a file that changes is read again; at most 2 sets are kept
_CHECKERS: dict = {}


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
                layer.setFieldAlias(index, tr(ALIASES[field.name()]))
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


class _Styled(QgsProcessingLayerPostProcessorInterface):
    """Applies ``style(layer)`` to an output layer when QGIS loads it."""

    def __init__(self, style):
        super().__init__()
        self.style = style

    def postProcessLayer(self, layer, context, feedback):
        self.style(layer)
        layer.triggerRepaint()


def _dashed(layer):
    """The blocks as given: no fill, a dashed black outline."""
    from qgis.core import QgsFillSymbol, QgsSingleSymbolRenderer

    symbol = QgsFillSymbol.createSimple(
        {"color": "0,0,0,0", "outline_color": "0,0,0,255", "outline_style": "dash", "outline_width": "0.6"}
    )
    layer.setRenderer(QgsSingleSymbolRenderer(symbol))


def _by_layer(layer):
    """The parts taken out, in the colour of the layer they were taken out for."""
    from qgis.core import QgsCategorizedSymbolRenderer, QgsRendererCategory, QgsSymbol
    from qgis.PyQt.QtGui import QColor

    from yangao_geo.i18n import use_lang
    from yangao_geo.reports.fix_section import REMOVED_COLOURS
    from yangao_geo.rules.messages import layer_label

    categories = []
    for name, colour in REMOVED_COLOURS.items():
        symbol = QgsSymbol.defaultSymbol(layer.geometryType())
        symbol.setColor(QColor(colour))
        symbol.setOpacity(0.7)
        with use_lang(plugin_lang()):
            categories.append(QgsRendererCategory(name, symbol, layer_label(name)))
    layer.setRenderer(QgsCategorizedSymbolRenderer("layer", categories))


class CheckBlocksAlgorithm(QgsProcessingAlgorithm):
    INPUT, CONSTRAINTS, KIND, TOLERANCE, FAIL_ON = "INPUT", "CONSTRAINTS", "KIND", "TOLERANCE", "FAIL_ON"
    FAIL_EXIT, RULES, CONFIG, CRS, AREA_UNIT = "FAIL_EXIT", "RULES", "CONFIG", "CRS", "AREA_UNIT"
    AREA_UNITS = ("km2", "ha", "mu")
    FINDINGS, BLOCKS, HTML, XLSX = "FINDINGS", "BLOCKS", "HTML", "XLSX"

    def name(self):
        return "check_blocks"

    def displayName(self):
        return tr("Check planning blocks")

    def group(self):
        return tr("Checks")

    def groupId(self):
        return "checks"

    def shortHelpString(self):
        intro = tr(
            "Checks proposed blocks against existing mining rights, the three control lines and the delineation "
            "and admission rules of the Yanggao mineral plan 2021–2025. Constraint layers may be given one by "
            "one, or as a GeoPackage; with none, the bundled illustrative layers are used. Areas are "
            "CGCS2000 ellipsoidal areas; every finding cites the plan article it enforces."
        )
        return intro + _parameter_help(self)

    def createInstance(self):
        return CheckBlocksAlgorithm()

    def add_input_parameters(self):
        """The blocks, the constraint GeoPackage, the constraint layers one by one and the block kind."""
        self.addParameter(
            QgsProcessingParameterFeatureSource(self.INPUT, tr("Proposed blocks"), [QgsProcessing.TypeVectorPolygon])
        )
        self.add_constraint_parameters()
        self.addParameter(QgsProcessingParameterEnum(self.KIND, tr("Block kind"), _kind_options(), defaultValue=0))

    def add_constraint_parameters(self):
        """The constraint GeoPackage and the constraint layers one by one."""
        self.addParameter(
            QgsProcessingParameterFile(
                self.CONSTRAINTS,
                tr("Constraint GeoPackage"),
                behavior=QgsProcessingParameterFile.File,
                optional=True,
            )
        )
        for key, name, required in LAYERS:
            self.addParameter(
                QgsProcessingParameterFeatureSource(
                    key, _layer_label(name, required), [QgsProcessing.TypeVectorPolygon], optional=True
                )
            )

    def initAlgorithm(self, config=None):
        self.add_input_parameters()
        self.addParameter(
            QgsProcessingParameterNumber(
                self.TOLERANCE,
                tr("Overlap tolerance (m²)"),
                QgsProcessingParameterNumber.Double,
                1.0,
                minValue=0.0,
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(self.FAIL_ON, tr("Fail on"), [_severity(s) for s in FAIL_ON], defaultValue=0)
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.FAIL_EXIT,
                tr("Fail the run when findings reach Fail on (qgis_process exits non-zero)"),
                defaultValue=False,
            )
        )
        self.addParameter(QgsProcessingParameterString(self.RULES, tr("Rules to run"), optional=True))
        self.addParameter(
            QgsProcessingParameterFile(self.CONFIG, tr("Settings file (TOML)"), extension="toml", optional=True)
        )
        self.addParameter(QgsProcessingParameterCrs(self.CRS, tr("CRS of the blocks"), optional=True))
        self.addParameter(
            QgsProcessingParameterEnum(self.AREA_UNIT, tr("Area unit of the reports"), _unit_options(), defaultValue=0)
        )
        for name, text in _HELP.items():
            definition = self.parameterDefinition(name)
            if definition is not None and hasattr(definition, "setHelp"):
                definition.setHelp(tr(text))
        self.addParameter(QgsProcessingParameterFeatureSink(self.FINDINGS, tr("Findings")))
        self.addParameter(QgsProcessingParameterFeatureSink(self.BLOCKS, tr("Blocks with status")))
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.HTML, tr("HTML report"), tr("HTML files (*.html)"), optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.XLSX, tr("Excel report"), tr("Excel files (*.xlsx)"), optional=True
            )
        )
        # the HTML destination is itself an HTML output (QGIS lists it in the Results Viewer): no second one
        for key, label in (
            ("FAILS", tr("fail findings")),
            ("WARNS", tr("findings needing attention")),
            ("FAILING_BLOCKS", tr("failing blocks")),
            ("EXIT_CODE", tr("exit code (0/1)")),
        ):
            self.addOutput(QgsProcessingOutputNumber(key, label))

    def gather(self, yg, parameters, context, *, with_constraints: bool = True):
        """The blocks and the constraint layers of the dialog: (blocks GeoDataFrame, constraints mapping)."""
        from yangao_geo.errors import use_interface
        from yangao_geo.qgis_adapter import layer_to_gdf

        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, self.INPUT))
        blocks, info = layer_to_gdf(source, layer=self.parameterAsVectorLayer(parameters, self.INPUT, context))
        blocks.attrs["yangao_source"] = info
        constraints = {}
        if not with_constraints:  # a held Checker has them (the plugin's session)
            return blocks, constraints
        for key, name, _required in LAYERS:
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

    def _session_checker(self, yg, parameters, context, config):
        """A held yangao_geo.Checker for these constraint inputs when they are whole files (or the bundled
        layers), else None (memory layers, selections and filters are read afresh every run)."""
        import os

        from qgis.core import QgsProcessingFeatureSourceDefinition

        sources = {}
        for key, name, _required in LAYERS:
            value = parameters.get(key)
            if value in (None, ""):
                continue
            if isinstance(value, QgsProcessingFeatureSourceDefinition) and value.selectedFeaturesOnly:
                return None
            layer = self.parameterAsVectorLayer(parameters, key, context)
            if layer is None or layer.providerType() != "ogr" or layer.subsetString():
                return None
            path, _, rest = layer.source().partition("|")
            options = dict(p.split("=", 1) for p in rest.split("|") if "=" in p)
            if not os.path.isfile(path) or options.get("layername", name) not in (name, layer.name(), None):
                return None
            if options.get("layername") and yg.layers._canonical_layer_name(options["layername"]) != name:
                return None
            sources[name] = path
        gpkg = self.parameterAsFile(parameters, self.CONSTRAINTS, context) or None
        files = [*sources.values(), *([gpkg] if gpkg else []), *([config] if config else [])]
        stamp = tuple((f, os.stat(f).st_size, os.stat(f).st_mtime_ns) for f in files if os.path.isfile(f))
        key = (tuple(sorted(sources.items())), gpkg, config)
        held = _CHECKERS.get(key)
        if held is not None and held[0] == stamp:
            return held[1]
        _CHECKERS.pop(key, None)  # a file changed (or never read): read the layers again
        constraints = None
        if sources or gpkg:
            constraints = dict(sources)
            if gpkg:
                for name, (file, _layer) in yg.layers.constraint_sources(gpkg).items():
                    constraints.setdefault(name, str(file))
        while len(_CHECKERS) >= 2:
            _CHECKERS.pop(next(iter(_CHECKERS)))
        _CHECKERS[key] = (stamp, yg.Checker(constraints, config=config))
        return _CHECKERS[key][1]

    def processAlgorithm(self, parameters, context, feedback):
        yg = library()
        from yangao_geo.errors import use_interface

        config = self.parameterAsFile(parameters, self.CONFIG, context) or None
        with use_interface("qgis"):
            try:
                checker = self._session_checker(yg, parameters, context, config)
            except yg.YangaoError as exc:
                raise QgsProcessingException(str(exc)) from None
        blocks, constraints = self.gather(yg, parameters, context, with_constraints=checker is None)
        kind = KIND_VALUES[self.parameterAsEnum(parameters, self.KIND, context)]
        tolerance = self.parameterAsDouble(parameters, self.TOLERANCE, context)
        fail_on = FAIL_ON[self.parameterAsEnum(parameters, self.FAIL_ON, context)]
        rules = self.parameterAsString(parameters, self.RULES, context).strip() or None
        crs = self.parameterAsCrs(parameters, self.CRS, context)
        area_unit = self.AREA_UNITS[self.parameterAsEnum(parameters, self.AREA_UNIT, context)]
        with use_interface("qgis"):  # messages in the dialog's words, not the command line's
            try:
                run = yg.check if checker is None else checker.check
                report = run(
                    blocks,
                    **({} if checker is not None else {"constraints": constraints or None}),
                    kind=kind,
                    tolerance_m2=tolerance,
                    rules=rules,
                    config=config,
                    crs=crs.authid() if crs.isValid() else None,
                    area_unit=area_unit,
                    lang=plugin_lang(),
                    progress=progress_callback(feedback),
                )
            except Canceled:
                raise QgsProcessingException(tr("canceled")) from None
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
            (self.BLOCKS, "status", tr("Blocks with status")),
            (self.FINDINGS, "severity", tr("Findings")),
        ):
            if context.willLoadLayerOnCompletion(results[key]):
                post = _StyleBy(field, name)
                _POST.append(post)
                context.layerToLoadOnCompletionDetails(results[key]).setPostProcessor(post)
        html_path = self.parameterAsFileOutput(parameters, self.HTML, context)
        if html_path:
            report.to_file(html_path, overwrite=True)
            results[self.HTML] = html_path
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
        from yangao_geo.i18n import use_lang
        from yangao_geo.reports.totals import summary_line

        with use_lang(plugin_lang()):  # the log in the dialog's language (not the Report's Python repr)
            feedback.pushInfo(summary_line(report))
        if results["EXIT_CODE"] and self.parameterAsBool(parameters, self.FAIL_EXIT, context):
            # outputs are written; the run itself fails so that qgis_process (and scripts) exit non-zero
            raise QgsProcessingException(
                tr(
                    "the check found {fails} fail findings and {warns} needing attention (outputs written)",
                    fails=results["FAILS"],
                    warns=results["WARNS"],
                )
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

    MARGIN, MIN_WIDTH, KEEP, MAX_CORNERS, POLICY, OUTPUT, GRID = (
        "MARGIN",
        "MIN_WIDTH",
        "KEEP",
        "MAX_CORNERS",
        "POLICY",
        "OUTPUT",
        "GRID",
    )
    ORIGINALS, REMOVED = "ORIGINALS", "REMOVED"
    KEEPS = (N_("the largest piece"), N_("every piece (not smaller than the minimum area)"))
    POLICIES = (N_("the block listed first keeps it"), N_("the larger block keeps it"), N_("both give it up"))
    #: what the choices mean: the library's values (yangao_geo.vocabulary), in the choices' order
    KEEP_VALUES = ("largest", "all")
    GRIDS = (N_("no grid"), "1′", "30″", "15″")
    GRID_VALUES = (None, "1min", "30s", "15s")
    POLICY_VALUES = ("earlier", "larger", "both")

    def name(self):
        return "fix_blocks"

    def displayName(self):
        return tr("Propose compliant blocks")

    def shortHelpString(self):
        return tr(
            "For each block, the largest compliant block inside it: the ecological protection red line, "
            "permanent basic farmland, the town development boundary (except for geothermal water and mineral "
            "water), existing mining rights (except the converted exploration right) and the other proposed "
            "blocks are taken out, narrow strips removed, the outline simplified to the corner-point limit "
            "(only ever shrinking), coordinates rounded to 0.01 m without entering a constraint, and the result "
            "re-checked with every rule."
        )

    def createInstance(self):
        return FixBlocksAlgorithm()

    def initAlgorithm(self, config=None):
        from qgis.core import QgsProcessingParameterNumber as Number

        self.add_input_parameters()
        self.addParameter(Number(self.MARGIN, tr("Safety margin (m)"), Number.Double, 0.0, minValue=0.0))
        self.addParameter(Number(self.MIN_WIDTH, tr("Minimum width (m)"), Number.Double, 1.0, minValue=0.0))
        keeps = [tr(k) for k in self.KEEPS]
        self.addParameter(QgsProcessingParameterEnum(self.KEEP, tr("Keep"), keeps, defaultValue=0))
        self.addParameter(Number(self.MAX_CORNERS, tr("Maximum corner points"), Number.Integer, 200, minValue=4))
        policies = [tr(p) for p in self.POLICIES]
        self.addParameter(
            QgsProcessingParameterEnum(self.POLICY, tr("Ground two proposed blocks share"), policies, defaultValue=0)
        )
        grids = [tr(self.GRIDS[0]), *self.GRIDS[1:]]
        self.addParameter(
            QgsProcessingParameterEnum(self.GRID, tr("Snap inward to the lon/lat grid"), grids, defaultValue=0)
        )
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Proposed compliant blocks")))
        # the before/after map: the blocks as given (dashed) and the parts taken out, by layer
        self.addParameter(QgsProcessingParameterFeatureSink(self.ORIGINALS, tr("the block as given"), optional=True))
        self.addParameter(QgsProcessingParameterFeatureSink(self.REMOVED, tr("removed"), optional=True))

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
                    keep=self.KEEP_VALUES[self.parameterAsEnum(parameters, self.KEEP, context)],
                    max_corners=self.parameterAsInt(parameters, self.MAX_CORNERS, context),
                    policy=self.POLICY_VALUES[self.parameterAsEnum(parameters, self.POLICY, context)],
                    grid=self.GRID_VALUES[self.parameterAsEnum(parameters, self.GRID, context)],
                )
            except yg.YangaoError as exc:
                raise QgsProcessingException(str(exc)) from None
        proposals = result.proposals[result.proposals.geometry.notna()].copy()
        proposals["status_zh"] = proposals["status_after"].map(zh_word, na_action="ignore")
        for r in result.proposals.itertuples():
            feedback.pushInfo(
                f"{r.block_id}: {100 * r.kept_ratio:.2f}% · {r.corners_before}→{r.corners_after} · {r.note}"
            )
        results = {self.OUTPUT: write_sink(self, parameters, context, self.OUTPUT, proposals)}
        import geopandas as gpd

        from yangao_geo.i18n import use_lang
        from yangao_geo.rules.messages import layer_label

        ids = list(result.proposals.block_id)
        originals = gpd.GeoDataFrame({"block_id": ids}, geometry=list(result.originals), crs=4547)
        with use_lang(plugin_lang()):
            pieces = [
                {"block_id": b, "layer": layer, "layer_name": layer_label(layer), "geometry": geom}
                for b, parts in zip(ids, result.removed)
                for layer, geom in parts.items()
            ]
        removed = gpd.GeoDataFrame(pieces or None, columns=["block_id", "layer", "layer_name", "geometry"], crs=4547)
        for key, frame, style in ((self.ORIGINALS, originals, _dashed), (self.REMOVED, removed, _by_layer)):
            if parameters.get(key) is None:
                continue
            results[key] = write_sink(self, parameters, context, key, frame)
            if context.willLoadLayerOnCompletion(results[key]):
                post = _Styled(style)
                _POST.append(post)
                context.layerToLoadOnCompletionDetails(results[key]).setPostProcessor(post)
        return results


class ProposeBlocksAlgorithm(CheckBlocksAlgorithm):
    """``yangao:propose_blocks`` 划定建议区块 — the best compliant block around each deposit
    (:func:`yangao_geo.propose`)."""

    MINERAL, MARGIN, GRID, OUTPUT = "MINERAL", "MARGIN", "GRID", "OUTPUT"
    KIND_VALUES = ("exploration", "mining")
    GRID_VALUES = ("1min", "30s", "15s")

    def name(self):
        return "propose_blocks"

    def displayName(self):
        return tr("Propose blocks around deposits")

    def shortHelpString(self):
        return tr(
            "For each deposit outline, the best compliant block that contains it: an exploration block of whole "
            "lon/lat grid cells (the smallest cover, nothing it must avoid, one connected block of at least one "
            "basic unit block, corner points clockwise from the north-west), or a mining block from the outline "
            "plus the margin; re-checked with every rule. A deposit that cannot be covered whole gets the best "
            "partial block, and the note says what is left out."
        )

    def createInstance(self):
        return ProposeBlocksAlgorithm()

    def initAlgorithm(self, config=None):
        from qgis.core import QgsProcessingParameterNumber as Number

        self.addParameter(
            QgsProcessingParameterFeatureSource(self.INPUT, tr("Deposits"), [QgsProcessing.TypeVectorPolygon])
        )
        self.add_constraint_parameters()
        kinds = _kind_options()[1:3]
        self.addParameter(QgsProcessingParameterEnum(self.KIND, tr("Block kind"), kinds, defaultValue=0))
        self.addParameter(QgsProcessingParameterString(self.MINERAL, tr("Mineral"), optional=True))
        self.addParameter(Number(self.MARGIN, tr("Margin around the deposit (m)"), Number.Double, 0.0, minValue=0.0))
        self.addParameter(QgsProcessingParameterEnum(self.GRID, tr("Grid"), ["1′", "30″", "15″"], defaultValue=0))
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Proposed blocks")))

    def processAlgorithm(self, parameters, context, feedback):
        yg = library()
        from yangao_geo.errors import use_interface

        deposits, constraints = self.gather(yg, parameters, context)
        with use_interface("qgis"):
            try:
                result = yg.propose(
                    deposits,
                    constraints or None,
                    kind=self.KIND_VALUES[self.parameterAsEnum(parameters, self.KIND, context)],
                    mineral=self.parameterAsString(parameters, self.MINERAL, context).strip() or None,
                    margin_m=self.parameterAsDouble(parameters, self.MARGIN, context),
                    grid=self.GRID_VALUES[self.parameterAsEnum(parameters, self.GRID, context)],
                    lang=plugin_lang(),
                )
            except yg.YangaoError as exc:
                raise QgsProcessingException(str(exc)) from None
        proposals = result.proposals[result.proposals.geometry.notna()].copy()
        for r in result.proposals.itertuples():
            if r.note:
                feedback.pushInfo(f"{r.block_id}: {r.note}")
        return {self.OUTPUT: write_sink(self, parameters, context, self.OUTPUT, proposals)}
