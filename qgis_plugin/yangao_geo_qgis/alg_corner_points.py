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

from .common import library, tr, write_sink


class _CoordinatesAlgorithm(QgsProcessingAlgorithm):
    """The shared group of the corner-point algorithms."""

    def group(self):
        return tr("Coordinates")

    def groupId(self):
        return "coordinates"


class ImportCornerPointsAlgorithm(_CoordinatesAlgorithm):
    INPUT, CRS, OUTPUT = "INPUT", "CRS", "OUTPUT"

    def name(self):
        return "import_corner_points"

    def displayName(self):
        return tr("Import corner points (coordinate TXT, registration text, corner table)")

    def shortHelpString(self):
        return tr(
            "Reads a land-survey coordinate TXT, a mining-right registration text or a corner-point table "
            "(CSV/XLSX) into a polygon layer, checking rings, zones and axis order."
        )

    def createInstance(self):
        return ImportCornerPointsAlgorithm()

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFile(self.INPUT, tr("Corner-point file")))
        self.addParameter(
            QgsProcessingParameterCrs(self.CRS, tr("CRS when eastings have no zone prefix"), optional=True)
        )
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Blocks")))

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
        feedback.pushInfo(
            tr("{n} blocks read ({encoding}, {notes})", n=len(gdf), encoding=info.encoding, notes="; ".join(info.notes))
        )
        return {self.OUTPUT: write_sink(self, parameters, context, self.OUTPUT, gdf)}


class ExportCornerPointsAlgorithm(_CoordinatesAlgorithm):
    INPUT, OUTPUT, ZONE, PREFIX = "INPUT", "OUTPUT", "ZONE", "PREFIX"

    def name(self):
        return "export_corner_points"

    def displayName(self):
        return tr("Export corner points (coordinate TXT, boundary-point table)")

    def shortHelpString(self):
        return tr(
            "Writes polygons as a land-survey coordinate TXT (.txt) or a boundary-point table (.xlsx/.csv): clockwise, "
            "first point repeated, X/Y to 2 decimals, DMS to 0.001″, in the Gauss-Krüger zone asked for."
        )

    def createInstance(self):
        return ExportCornerPointsAlgorithm()

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFeatureSource(self.INPUT, tr("Blocks")))
        self.addParameter(
            QgsProcessingParameterNumber(
                self.ZONE,
                tr("3° zone (0 = from the layer's longitude)"),
                defaultValue=0,
                minValue=0,
                maxValue=45,
            )
        )
        self.addParameter(QgsProcessingParameterBoolean(self.PREFIX, tr("Zone prefix on eastings"), defaultValue=True))
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.OUTPUT, tr("Output file"), tr("Land-survey TXT (*.txt);;Excel (*.xlsx);;CSV (*.csv)")
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
            raise QgsProcessingException(tr("3° zone {zone} is not a CGCS2000 zone (25–45)", zone=zone))
        far = zone_spread(gdf, zone)
        if far > 1.5:
            feedback.reportError(
                tr(
                    "caution: the data lie up to {far}° from the central meridian {meridian}°E of zone {zone} "
                    "(beyond the ±1.5° of a 3° zone): the plane coordinates are strongly distorted; check the zone",
                    far=f"{far:.2f}",
                    meridian=3 * zone,
                    zone=zone,
                )
            )
        try:
            with use_interface("qgis"):
                n = write_blocks(
                    gdf, out, zone=zone, prefix=self.parameterAsBool(parameters, self.PREFIX, context), overwrite=True
                )
        except yg.YangaoError as exc:
            raise QgsProcessingException(str(exc)) from None
        feedback.pushInfo(tr("zone {zone}", zone=zone))
        feedback.pushInfo(tr("{n} blocks written to {path}", n=n, path=out))
        return {self.OUTPUT: out}
