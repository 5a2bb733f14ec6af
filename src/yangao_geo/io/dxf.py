"""CAD drawings (DXF), as surveys are often delivered: closed polylines become polygons.

GDAL reads a DXF's entities as lines; a closed polyline (LWPOLYLINE/POLYLINE with the closed flag, or
whose last vertex repeats the first) is a ring, and rings nest by containment like the land-survey
TXT's rings (:func:`~yangao_geo.io.corner_geometry.build_polygon`): a ring inside no other ring is a
block, a ring inside it a hole, a ring inside a hole an island — another block. Hatches GDAL returns as
polygons are taken as they are. An open polyline is refused with its entity handle: a block's boundary
must close. Texts, points and block references (annotation) are ignored, and the note says how many.
``cad_layer`` restricts the drawing to one CAD layer (the ``Layer`` field), so the boundaries can be
picked out of a drawing that also holds roads and labels.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from ..errors import DataSourceError, InputError
from ..i18n import t
from .corner_geometry import Ring, build_polygon

__all__ = ["read_dxf"]


def read_dxf(path: str | Path, *, cad_layer: str | None = None) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Read a DXF's closed polylines into polygons; returns ``(gdf, notes)`` (CRS None: DXF has none).

    Raises
    ------
    InputError
        An open polyline (its entity handle named), no closed polyline at all, or an unknown CAD layer.
    """
    path = Path(path)
    try:
        raw = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:
        raise DataSourceError(
            t("{path}: not a readable DXF drawing ({value})", path=path, value=str(exc).splitlines()[0])
        ) from None
    if cad_layer is not None:
        layers = sorted(set(raw.get("Layer", [])))
        if cad_layer not in layers:
            raise InputError(
                t(
                    "{path}: no CAD layer {cad_layer}; the drawing's layers: {value}",
                    path=path,
                    cad_layer=repr(cad_layer),
                    value=", ".join(layers),
                )
            )
        raw = raw[raw["Layer"] == cad_layer]
    handles = raw.get("EntityHandle", [str(i + 1) for i in range(len(raw))])
    rings, polygons, ignored, open_lines = [], [], 0, []
    for geom, handle in zip(raw.geometry.values, handles):
        if geom is None or geom.is_empty:
            continue
        kind = geom.geom_type
        if kind in ("Polygon", "MultiPolygon"):
            polygons.append((geom, handle))
        elif kind in ("LineString", "LinearRing", "MultiLineString"):
            for line in shapely.get_parts(geom):
                coords = np.asarray(line.coords)[:, :2]
                if len(coords) >= 4 and np.allclose(coords[0], coords[-1]):
                    rings.append((coords, handle))
                else:
                    open_lines.append(handle)
        else:
            ignored += 1
    if open_lines:
        more = t(" and {n} more", n=len(open_lines) - 5) if len(open_lines) > 5 else ""
        raise InputError(
            t(
                "{path}: open polyline(s) {value}{more} (entity handle): a block's boundary must be a "
                "closed polyline; close them in CAD, or pick the boundary layer (--layer)",
                path=path,
                value=", ".join(map(str, open_lines[:5])),
                more=more,
            )
        )
    if not rings and not polygons:
        raise InputError(t("{path}: no closed polyline or polygon in the drawing", path=path))
    features = _nest(rings, path) + [(g, h) for g, h in polygons]
    notes = [
        t(
            "DXF: {rings} closed polyline(s) and {polygons} polygon(s) read as {n} block(s)",
            rings=len(rings),
            polygons=len(polygons),
            n=len(features),
        )
    ]
    if ignored:
        notes.append(t("DXF: {n} text/point/insert entities ignored (annotation)", n=ignored))
    gdf = gpd.GeoDataFrame(
        {
            "block_id": [str(h) for _, h in features],
            "source": [f"{path.name}#handle {h}" for _, h in features],
        },
        geometry=[g for g, _ in features],
        crs=None,
    )
    return gdf, notes


def _nest(rings: list, path: Path) -> list:
    """Blocks from closed rings by containment depth: each even-depth ring with the odd-depth rings in it."""
    if not rings:
        return []
    polys = [shapely.Polygon(c) for c, _ in rings]
    for p in polys:
        shapely.prepare(p)
    inside = [[j for j, q in enumerate(polys) if j != i and q.contains(p)] for i, p in enumerate(polys)]
    depth = [len(c) for c in inside]
    out = []
    for i in [k for k in range(len(rings)) if depth[k] % 2 == 0]:
        members = [i] + [j for j in range(len(rings)) if depth[j] == depth[i] + 1 and i in inside[j]]
        ring_objs = [Ring(n + 1, [tuple(p) for p in rings[k][0]], [rings[k][1]]) for n, k in enumerate(members)]
        geom = build_polygon(ring_objs, f"{path}, entity {rings[i][1]}")
        out.append((geom, rings[i][1]))
    return out
