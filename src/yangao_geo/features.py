"""What a constraint feature is, whether it is held in memory or read in a batch: its id, its land class, its geometry
in the analysis plane.

The in-memory loader (:mod:`yangao_geo.layers`) and the batch reader (:mod:`yangao_geo.streaming`) both take
these steps, feature by feature, so a layer gives the same findings however it is read.

Examples
--------
>>> id_columns(["Name", "BSM", "objectid"])
['BSM', 'objectid']
>>> format_id(12.0)
'12'
"""

from __future__ import annotations

import numpy as np
import shapely

from .area import ellipsoidal_area
from .crs import ANALYSIS_CRS, to_analysis_crs
from .errors import InputError
from .geometry import repair_polygons
from .i18n import t
from .threads import Later, map_ordered_later, weighted_chunks

__all__ = [
    "arable_mask",
    "dlbm_column",
    "format_id",
    "id_columns",
    "is_dltb",
    "validated_analysis_geometries",
    "validated_analysis_geometries_later",
]

#: id columns, by preference: also the keys PostGIS loaders add (shp2pgsql ``gid``, ogr2ogr ``ogc_fid``), since a
#: table fetched in part has no row numbers to fall back on
_ID_FIELDS = ("feature_id", "bsm", "id", "fid", "objectid", "编号", "gid", "ogc_fid")


def id_columns(columns, fields=_ID_FIELDS) -> list:
    """The columns that may carry feature ids, in order of preference (case-insensitive match)."""
    lower = {str(c).lower(): c for c in columns}
    return [lower[f.lower()] for f in fields if f.lower() in lower]


def format_id(value) -> str:
    """A feature id as text: ``12.0`` (a float column) is ``"12"``."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def is_dltb(source_name: str) -> bool:
    """True for a 三调 地类图斑 layer, of which only 耕地 (DLBM 01xx) is arable land."""
    return source_name.lower() == "dltb"


def dlbm_column(columns, path) -> str:
    """The DLBM (地类编码) column of a DLTB layer, or an error naming the file."""
    lower = {str(c).lower(): c for c in columns}
    if "dlbm" not in lower:
        raise InputError(t("{path}: DLTB layer has no DLBM field; cannot select 耕地 (DLBM 01xx)", path=path))
    return lower["dlbm"]


def arable_mask(gdf, path) -> np.ndarray:
    """Which features of a DLTB layer are 耕地 (DLBM 01xx)."""
    return gdf[dlbm_column(gdf.columns, path)].astype(str).str.startswith("01").to_numpy()


#: the smallest share of vertices a thread validates and reprojects (below it, one thread)
_MIN_VERTICES_PER_TASK = 20_000


def validated_analysis_geometries(geoms: np.ndarray, resolved, edges: str) -> tuple[np.ndarray, dict]:
    """Judge validity on the geometry as the file states it, repair explicitly, then reproject.

    Returns the geometries in EPSG:4547 and, per repaired position, GEOS's reason and the area before
    (the rings as drawn, summed) and after the repair. A geometry that only becomes invalid through
    reprojection (curvature pinching two near rings) is repaired there and reported the same way.

    Each feature is judged on its own, so a large layer is cut into chunks run on every core
    (:mod:`yangao_geo.threads`) and put back in order: the same geometries and repairs as one pass.
    """
    return validated_analysis_geometries_later(geoms, resolved, edges)()


def validated_analysis_geometries_later(geoms: np.ndarray, resolved, edges: str) -> Later:
    """:func:`validated_analysis_geometries` started now on the pool's threads; call the result for it.

    A layer of one chunk's worth of vertices is done at once, on the calling thread (as
    :func:`~yangao_geo.threads.map_ordered_later` does with one item).
    """
    geoms = np.asarray(geoms, dtype=object)
    ranges = weighted_chunks(shapely.get_num_coordinates(geoms), minimum=_MIN_VERTICES_PER_TASK, maximum_items=20_000)
    parts = map_ordered_later(lambda r: _validated(geoms[r[0] : r[1]], resolved, edges), ranges)

    def joined() -> tuple[np.ndarray, dict]:
        analysis = np.empty(len(geoms), dtype=object)
        repairs = {}
        for (start, stop), (chunk, chunk_repairs) in zip(ranges, parts()):
            analysis[start:stop] = chunk
            repairs.update({start + i: repair for i, repair in chunk_repairs.items()})
        return analysis, repairs

    return Later(joined, parts.cancel)


def _validated(geoms: np.ndarray, resolved, edges: str) -> tuple[np.ndarray, dict]:
    polygonal_type = np.isin(shapely.get_type_id(geoms), (3, 6))
    repaired = geoms.copy()
    reasons: list = [None] * len(geoms)
    if polygonal_type.any():
        idx = np.flatnonzero(polygonal_type)
        fixed, why = repair_polygons(geoms[idx])
        repaired[idx] = fixed
        for i, r in zip(idx, why):
            reasons[i] = r
    analysis = to_analysis_crs(repaired, resolved.crs, datum=resolved.datum, edges=edges)
    stage = {i: "as stated in the file" for i, r in enumerate(reasons) if r is not None}
    post_bad = np.flatnonzero(polygonal_type & ~shapely.is_valid(analysis) & ~shapely.is_missing(analysis))
    before_src = {}
    for i in post_bad:
        before_src[i] = analysis[i]
        fixed, why = repair_polygons([analysis[i]])
        analysis[i] = fixed[0]
        reasons[i] = why[0]
        stage[int(i)] = "after reprojection to EPSG:4547"
    if not stage:
        return analysis, {}
    positions = sorted(stage)
    stated = [
        before_src[i]
        if i in before_src
        else to_analysis_crs([geoms[i]], resolved.crs, datum=resolved.datum, edges=edges)[0]
        for i in positions
    ]
    before = ellipsoidal_area(stated, ANALYSIS_CRS)
    after = ellipsoidal_area([analysis[i] for i in positions], ANALYSIS_CRS)
    repairs = {
        int(i): {"reason": reasons[i], "area_before_m2": float(b), "area_after_m2": float(a), "stage": stage[i]}
        for i, b, a in zip(positions, before, after)
    }
    return analysis, repairs
