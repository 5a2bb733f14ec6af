"""What a report must say about how it was made: library versions, run time.

Examples
--------
>>> sorted(environment())[:3]
['gdal', 'geopandas', 'geos']
"""

from __future__ import annotations

import datetime as _dt
import platform

__all__ = ["environment", "now_iso"]


def environment() -> dict[str, str]:
    """Versions of Python, yangao_geo and the geospatial stack (GEOS, PROJ, GDAL …)."""
    import geopandas
    import numpy
    import pyogrio
    import pyproj
    import shapely

    from . import __version__

    return {
        "yangao_geo": __version__,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "shapely": shapely.__version__,
        "geos": ".".join(map(str, shapely.geos_version)),
        "pyproj": pyproj.__version__,
        "proj": pyproj.proj_version_str,
        "geopandas": geopandas.__version__,
        "pyogrio": pyogrio.__version__,
        "gdal": pyogrio.__gdal_version_string__,
    }


def now_iso() -> str:
    """The current time, local, ISO 8601 with offset, to the second."""
    return _dt.datetime.now().astimezone().replace(microsecond=0).isoformat()
