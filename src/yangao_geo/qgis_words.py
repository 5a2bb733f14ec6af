"""CLI options as the QGIS dialog names them, for messages shown in QGIS (see :mod:`yangao_geo.errors`)."""

QGIS_WORDS = {
    "--overwrite": "a new output file name",
    "--crs": "a layer CRS (Layer Properties → Source → Assigned CRS)",
    "--kind": "the Block kind parameter",
    "--layer": "one layer of the file",
    "--config": "the Settings file parameter",
    "--constraints": "the constraint layer parameters",
    "--rules": "the Rules parameter",
    "--encoding": "the layer's data source encoding (Layer Properties → Source)",
}
