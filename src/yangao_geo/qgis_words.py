"""CLI options as the QGIS dialog names them, for messages shown in QGIS (see :mod:`yangao_geo.errors`).

The names are templates, said in the message's language (``t(QGIS_WORDS[option])``): a Chinese message
shown in a Chinese QGIS names the dialog's parameters and QGIS's menus as the Chinese dialog shows them.
"""

from .i18n import N_

QGIS_WORDS = {
    "--overwrite": N_("a new output file name"),
    "--crs": N_("a layer CRS (Layer Properties → Source → Assigned CRS)"),
    "--kind": N_("the Block kind parameter"),
    "--layer": N_("one layer of the file"),
    "--config": N_("the Settings file parameter"),
    "--constraints": N_("the constraint layer parameters"),
    "--rules": N_("the Rules parameter"),
    "--encoding": N_("the layer's data source encoding (Layer Properties → Source)"),
}
