"""``yangao:import_corner_points`` and ``yangao:export_corner_points`` — the text formats in and out."""

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterCrs,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
)

from .common import library, write_sink


class _CoordinatesAlgorithm(QgsProcessingAlgorithm):
    """The shared group of the corner-point algorithms."""

    def group(self):
        return "坐标 Coordinates"

    def groupId(self):
        return "coordinates"


class ImportCornerPointsAlgorithm(_CoordinatesAlgorithm):
    INPUT, CRS, OUTPUT = "INPUT", "CRS", "OUTPUT"

    def name(self):
        return "import_corner_points"

    def displayName(self):
        return "导入拐点坐标 Import corner points (坐标TXT, 报盘, 拐点表)"

    def shortHelpString(self):
        return (
            "Reads a land-survey coordinate TXT, a mining-right registration text or a corner-point table "
            "(CSV/XLSX) into a polygon layer, checking rings, zones and axis order."
        )

    def createInstance(self):
        return ImportCornerPointsAlgorithm()

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFile(self.INPUT, "拐点文件 Corner-point file"))
        self.addParameter(
            QgsProcessingParameterCrs(self.CRS, "无带号时的坐标系 CRS when eastings have no zone prefix", optional=True)
        )
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, "区块 Blocks"))

    def processAlgorithm(self, parameters, context, feedback):
        yg = library()
        from yangao_geo.io.vector import read_vector

        crs = self.parameterAsCrs(parameters, self.CRS, context)
        try:
            gdf, info = read_vector(
                self.parameterAsFile(parameters, self.INPUT, context),
                role="blocks",
                crs=crs.authid() if crs.isValid() else None,
            )
        except yg.YangaoError as exc:
            raise QgsProcessingException(str(exc)) from None
        feedback.pushInfo(f"{len(gdf)} blocks read ({info.encoding}, {'; '.join(info.notes)})")
        return {self.OUTPUT: write_sink(self, parameters, context, self.OUTPUT, gdf)}


class ExportCornerPointsAlgorithm(_CoordinatesAlgorithm):
    INPUT, OUTPUT, ZONE, PREFIX = "INPUT", "OUTPUT", "ZONE", "PREFIX"

    def name(self):
        return "export_corner_points"

    def displayName(self):
        return "导出拐点坐标 Export corner points (坐标TXT, 界址点成果表)"

    def shortHelpString(self):
        return (
            "Writes polygons as a land-survey coordinate TXT (.txt) or a 界址点成果表 (.xlsx/.csv): clockwise, "
            "first point repeated, X/Y to 2 decimals, DMS to 0.001″, in the Gauss-Krüger zone asked for."
        )

    def createInstance(self):
        return ExportCornerPointsAlgorithm()

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFeatureSource(self.INPUT, "区块 Blocks"))
        self.addParameter(
            QgsProcessingParameterNumber(
                self.ZONE,
                "3° 带号 3° zone（0 = 按图层经度自动 from the layer's longitude）",
                defaultValue=0,
                minValue=0,
                maxValue=45,
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(self.PREFIX, "东坐标加带号 Zone prefix on eastings", defaultValue=True)
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.OUTPUT, "输出文件 Output file", "Land-survey TXT (*.txt);;Excel (*.xlsx);;CSV (*.csv)"
            )
        )

    def processAlgorithm(self, parameters, context, feedback):
        yg = library()
        from yangao_geo.convert import write_blocks
        from yangao_geo.errors import use_interface
        from yangao_geo.io.corner_geometry import zone_for, zone_spread
        from yangao_geo.qgis_adapter import layer_to_gdf

        gdf, _ = layer_to_gdf(
            self.parameterAsSource(parameters, self.INPUT, context),
            layer=self.parameterAsVectorLayer(parameters, self.INPUT, context),
        )
        out = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        zone = self.parameterAsInt(parameters, self.ZONE, context) or zone_for(gdf)
        if not 25 <= zone <= 45:
            raise QgsProcessingException(f"3° 带号 {zone} 不是 CGCS2000 3° 带（25–45） is not a 3° zone")
        far = zone_spread(gdf, zone)
        if far > 1.5:
            feedback.reportError(
                f"注意：数据距第 {zone} 带中央经线 {3 * zone}°E 最远 {far:.2f}°（超出 ±1.5° 带宽），坐标变形大；"
                f"请检查带号 — the data lie up to {far:.2f}° from the zone's central meridian"
            )
        try:
            with use_interface("qgis"):
                n = write_blocks(
                    gdf, out, zone=zone, prefix=self.parameterAsBool(parameters, self.PREFIX, context), overwrite=True
                )
        except yg.YangaoError as exc:
            raise QgsProcessingException(str(exc)) from None
        feedback.pushInfo(f"第 {zone} 带 zone {zone}")
        feedback.pushInfo(f"{n} blocks written to {out}")
        return {self.OUTPUT: out}
