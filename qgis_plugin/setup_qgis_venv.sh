#!/usr/bin/env bash
# Make a Python environment in which QGIS (Debian's qgis + python3-qgis) and yangao_geo run together.
#
#   bash qgis_plugin/setup_qgis_venv.sh [VENV_DIR]        (default: .venv-qgis)
#
# A venv of Debian's python3 with --system-site-packages sees QGIS's bindings. Inside QGIS's own processes
# (the desktop application, qgis_process) QGIS has already loaded the system GEOS, GDAL and PROJ, so the
# geospatial packages must use those same libraries: shapely and pyogrio are built from source against them
# (needs libgeos-dev and libgdal-dev) and pyproj is Debian's python3-pyproj. numpy stays below 2, like
# Debian's, so pyarrow is held below 21 (20 works with numpy 1.26; 26 needs numpy 2). yangao_geo itself
# is installed from this checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${1:-.venv-qgis}"
python=/usr/bin/python3
"$python" -c "import qgis.core" 2>/dev/null || { echo "Debian's python3-qgis is not installed" >&2; exit 3; }
"$python" -m venv --system-site-packages "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet "numpy<2" "pandas>=2,<3" "geopandas>=1.0,<1.2" "pyarrow>=14,<21" "openpyxl>=3.1" "xlsxwriter>=3.1" "click>=8.1" \
  "rich>=13" "filelock>=3.12" "babel>=2.12" "pytest>=8"
"$venv/bin/python" -m pip install --quiet --force-reinstall --no-deps --no-binary shapely,pyogrio \
  "shapely>=2.1" "pyogrio>=0.9"
"$venv/bin/python" -m pip uninstall --quiet -y pyproj || true   # use Debian's, built on the system PROJ
"$venv/bin/python" -m pip install --quiet --no-deps .
"$venv/bin/python" - <<'PY'
import qgis.core, shapely, pyogrio, pyproj, yangao_geo
print("QGIS", qgis.core.Qgis.QGIS_VERSION, "| GEOS", shapely.geos_version, "| GDAL", pyogrio.__gdal_version_string__,
      "| PROJ", pyproj.proj_version_str, "| yangao_geo", yangao_geo.__version__)
PY
touch "$venv/.yangao-ready-4"
