"""Polygons from corner points (拐点/界址点): axis order, zones, rings, holes and parts.

Shared by the text readers. A corner list is trusted only after every check
passes: no partial block is ever returned.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pyproj
import shapely
from shapely.geometry import LinearRing, MultiPolygon, Polygon

from ..errors import InputError
from ..i18n import t

__all__ = ["Ring", "build_polygon", "check_points_in_zone", "gk_zone", "orient_plane_points", "zone_crs"]


@dataclass
class Ring:
    """One ring as read: its number (圈号 or order), points (easting, northing), source lines."""

    number: int
    points: list = field(default_factory=list)
    lines: list = field(default_factory=list)


def _digits(v: float) -> int:
    return len(str(int(abs(v))))


def orient_plane_points(pairs: list[tuple[float, float]], where: str) -> tuple[bool, int | None]:
    """Decide from magnitudes whether written pairs are (X north, Y east) and whether Y carries a zone prefix.

    Returns ``(swapped, zone_prefix)``: ``swapped`` is True when the file writes
    the easting first; ``zone_prefix`` the zone number in the easting, or None.
    """
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    da, db = {_digits(v) for v in a}, {_digits(v) for v in b}
    if da == {7} and db == {8}:
        swapped, east = False, b
    elif da == {8} and db == {7}:
        swapped, east = True, a
    elif da == {7} and db == {6}:
        swapped, east = False, b
    elif da == {6} and db == {7}:
        swapped, east = True, a
    else:
        raise InputError(
            t(
                "{where}: cannot tell northing from easting: expected 7-digit northings (X) and 6-digit "
                "or zone-prefixed 8-digit eastings (Y), got {da}- and {db}-digit values",
                where=where,
                da=sorted(da),
                db=sorted(db),
            )
        )
    zones = {int(v // 1_000_000) for v in east} if _digits(east[0]) == 8 else {None}
    if len(zones) > 1:
        raise InputError(t("{where}: eastings carry different zone prefixes {zones}", where=where, zones=sorted(zones)))
    return swapped, zones.pop()


_ZONE_CODES = {  # datum: (3° prefixed zone 25, 3° CM 75E, 6° prefixed zone 13, 6° CM 75E)
    "CGCS2000": (4513, 4534, 4491, 4502),
    "Xian 1980": (2349, 2370, 2327, 2338),
    "Beijing 1954": (2401, 2422, 21413, 21473),
}


def gk_zone(crs) -> tuple[int, int, bool] | None:
    """``(zone, width, prefixed)`` of a CGCS2000 Gauss-Krüger CRS, or None (lon/lat, other CRSs).

    Examples
    --------
    >>> gk_zone(pyproj.CRS.from_epsg(4523)), gk_zone(pyproj.CRS.from_epsg(4547)), gk_zone(pyproj.CRS.from_epsg(4490))
    ((35, 3, True), (38, 3, False), None)
    """
    code = pyproj.CRS.from_user_input(crs).to_epsg()
    if code is None:
        return None
    z3, c3, z6, c6 = _ZONE_CODES["CGCS2000"]
    if z3 <= code <= z3 + 20:
        return code - z3 + 25, 3, True
    if c3 <= code <= c3 + 20:
        return code - c3 + 25, 3, False
    if z6 <= code <= z6 + 10:
        return code - z6 + 13, 6, True
    if c6 <= code <= c6 + 10:
        return code - c6 + 13, 6, False
    return None


def _lonlat_range(gdf) -> tuple[float, float]:
    ll = gdf.to_crs(4490) if gdf.crs is not None else gdf
    minx, _, maxx, _ = ll.total_bounds
    return float(minx), float(maxx)


def zone_for(gdf) -> int:
    """The CGCS2000 3° zone whose central meridian is nearest the data's mean longitude.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> zone_for(gpd.GeoDataFrame(geometry=[shapely.box(113.6, 40.1, 113.7, 40.2)], crs=4490))
    38
    """
    minx, maxx = _lonlat_range(gdf)
    return round((minx + maxx) / 2 / 3)


def zone_spread(gdf, zone: int) -> float:
    """How far (degrees of longitude) the data reach from the 3° zone's central meridian."""
    minx, maxx = _lonlat_range(gdf)
    return max(abs(minx - 3 * zone), abs(maxx - 3 * zone))


def zone_crs(zone: int, width: int, prefixed: bool, datum: str = "CGCS2000") -> pyproj.CRS:
    """The Gauss-Krüger CRS of a zone (3° or 6°), with or without the zone prefix, on CGCS2000 (or a legacy datum)."""
    z3, c3, z6, c6 = _ZONE_CODES[datum]
    if width == 3:
        if not 25 <= zone <= 45:
            raise InputError(t("3° zone {zone} is not a CGCS2000 zone (25–45)", zone=zone))
        return pyproj.CRS.from_epsg(z3 + zone - 25 if prefixed else c3 + zone - 25)
    if width == 6:
        if not 13 <= zone <= 23:
            raise InputError(t("6° zone {zone} is not a CGCS2000 zone (13–23)", zone=zone))
        return pyproj.CRS.from_epsg(z6 + zone - 13 if prefixed else c6 + zone - 13)
    raise InputError(t("zone width {width}° is not 3 or 6", width=width))


def check_points_in_zone(points, lines, crs: pyproj.CRS, where: str) -> None:
    """InputError naming the line of the first point that falls outside its zone (longitude beyond the zone edge)."""
    op = crs.coordinate_operation
    lon_0 = next(p.value for p in op.params if "longitude" in p.name.lower() or "meridian" in p.name.lower())
    half = 1.5 if "3-degree" in crs.name else 3.0
    to_ll = pyproj.Transformer.from_crs(crs, 4490, always_xy=True)
    xs, ys = np.array([p[0] for p in points]), np.array([p[1] for p in points])
    lon, _ = to_ll.transform(xs, ys)
    bad = np.flatnonzero(~np.isfinite(lon) | (np.abs(np.asarray(lon) - lon_0) > half + 0.05))
    if len(bad):
        i = bad[0]
        raise InputError(
            t(
                "{where}, line {value}: point ({value2:.2f}, {value3:.2f}) lies outside zone {name} "
                "(longitude {value4:.4f}°, zone {value5:g}–{value6:g}°E)",
                where=where,
                value=lines[i],
                value2=ys[i],
                value3=xs[i],
                name=crs.name,
                value4=lon[i],
                value5=lon_0 - half,
                value6=lon_0 + half,
            )
        )


def _ring_coords(ring: Ring, where: str, min_area: float = 0.0) -> list:
    pts = list(ring.points)
    if len(pts) > 1 and pts[0] == pts[-1]:
        pts = pts[:-1]
    distinct = []
    for p in pts:
        if not distinct or p != distinct[-1]:
            distinct.append(p)
    if len({tuple(p) for p in distinct}) < 3:
        raise InputError(
            t(
                "{where}, ring {number} (line {value}): {n_value} distinct points; a ring needs at least 3",
                where=where,
                number=ring.number,
                value=ring.lines[0] if ring.lines else "?",
                n_value=len(set(map(tuple, distinct))),
            )
        )
    enclosed = shapely.MultiPoint(distinct).convex_hull.area  # a bow-tie's rings cancel; its hull does not
    if enclosed < min_area:  # collinear (or nearly): before the self-crossing test, which would misname it
        lines = f"lines {ring.lines[0]}–{ring.lines[-1]}" if ring.lines else "no lines"
        raise InputError(
            t(
                "{where}, ring {number} ({lines}): the ring encloses {enclosed:.3g} (less than "
                "{min_area:g}): its points are (nearly) collinear, so it has no area",
                where=where,
                number=ring.number,
                lines=lines,
                enclosed=enclosed,
                min_area=min_area,
            )
        )
    lr = LinearRing(distinct)
    if not lr.is_simple:
        reason = shapely.is_valid_reason(Polygon(lr))
        raise InputError(
            t(
                "{where}, ring {number} (lines {value}–{value2}): the ring crosses itself ({reason})",
                where=where,
                number=ring.number,
                value=ring.lines[0],
                value2=ring.lines[-1],
                reason=reason,
            )
        )
    return distinct


#: a ring enclosing less than this (plane units², m²) is degenerate: its points are (nearly) collinear.
#: Coordinates are filed to 0.01 m, so 0.01 m² is far below any real parcel and far above round-off
MIN_RING_AREA_M2 = 0.01
#: the same for rings in lon/lat degrees (≈ 0.01 m² at 40° N)
MIN_RING_AREA_DEG2 = 1e-12


def build_polygon(rings: list[Ring], where: str, *, min_area: float = MIN_RING_AREA_M2) -> Polygon | MultiPolygon:
    """Assemble rings by containment depth: even depth is a shell, odd depth a hole of the ring around it.

    A ring inside no other ring is an outer ring (depth 0); a ring inside one ring is a hole in it
    (depth 1); a ring inside a hole is an island, another part (depth 2), and so on, for any number of
    parts and any numbering — the land-survey TXT's 圈号 does not say which rings are holes.

    Raises
    ------
    InputError
        A ring with fewer than 3 distinct points, crossing itself, or enclosing no area (collinear
        points: less than ``min_area``), naming the ring and its lines; rings that overlap without
        nesting.

    Examples
    --------
    >>> sq = lambda n, x, s: Ring(n, [(x, x), (x + s, x), (x + s, x + s), (x, x + s)], [n])
    >>> g = build_polygon([sq(1, 0, 100), sq(2, 10, 80), sq(3, 20, 60), sq(4, 30, 40)], "demo")
    >>> g.geom_type, round(g.area)
    ('MultiPolygon', 5600)
    """
    if not rings:
        raise InputError(t("{where}: no corner points", where=where))
    ordered = sorted(rings, key=lambda r: r.number)
    coords = [_ring_coords(r, where, min_area) for r in ordered]
    polys = [Polygon(c) for c in coords]
    for p in polys:
        shapely.prepare(p)
    inside = [[j for j, q in enumerate(polys) if j != i and q.contains(p)] for i, p in enumerate(polys)]
    depth = [len(c) for c in inside]
    shells: dict[int, list] = {}
    for i in sorted(range(len(polys)), key=lambda k: depth[k]):
        if depth[i] % 2 == 0:
            shells[i] = []
        else:  # a hole of the innermost ring around it (the one of depth d - 1)
            host = next(j for j in inside[i] if depth[j] == depth[i] - 1)
            shells[host].append(coords[i])
    parts = [Polygon(coords[i], holes) for i, holes in shells.items()]
    geom = parts[0] if len(parts) == 1 else MultiPolygon(parts)
    if not geom.is_valid:
        raise InputError(
            t(
                "{where}: the rings do not form a valid polygon ({value})",
                where=where,
                value=shapely.is_valid_reason(geom),
            )
        )
    if math.isclose(geom.area, 0.0):
        raise InputError(t("{where}: the polygon has no area", where=where))
    return geom
