"""GeoDataFrames built in one step, from columns and a geometry array.

``geopandas.GeoDataFrame(dict, geometry=list, crs=...)`` infers and converts every column and the
geometry list on each call: about a millisecond even for one row, which is most of a one-block
re-check (see ``benchmarks/recheck.py``). :func:`geoframe` takes the columns as they are and the
geometries as a :class:`geopandas.array.GeometryArray` with its CRS, which is three times faster
and gives an equal frame.

Examples
--------
>>> import shapely
>>> f = geoframe({"block_id": ["B1"]}, [shapely.box(0, 0, 1, 1)], 4547)
>>> f.crs.to_epsg(), f.geometry.name, list(f.columns)
(4547, 'geometry', ['block_id', 'geometry'])
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

__all__ = ["geoframe"]


def geoframe(columns, geometry, crs, *, index=None) -> gpd.GeoDataFrame:
    """A GeoDataFrame of ``columns`` (a mapping of name to values) and ``geometry`` (shapely objects) in ``crs``."""
    geoms = gpd.array.GeometryArray(np.asarray(geometry, dtype=object), crs=crs)
    data = dict(columns)
    data["geometry"] = geoms
    return gpd.GeoDataFrame(pd.DataFrame(data, index=index), geometry="geometry")
