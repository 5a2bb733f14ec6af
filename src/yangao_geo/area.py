"""Ellipsoidal areas on CGCS2000 (TD/T 1055-2019 附录D method).

Areas that users act on are areas on the CGCS2000 ellipsoid, never planar
Gauss-Krüger areas (in a 6° zone the planar error reaches 1 400 ppm).
CGCS2000's ellipsoid equals GRS80 to the last digit (1/f = 298.257222101),
so :data:`GEOD` is ``pyproj.Geod(ellps="GRS80")``.

The method follows the official one: boundaries are straight lines *in the
plane they were defined in*, so every edge is densified in that plane
(:data:`DENSIFY_M` = 10 m, well below the 50 m the method allows), the
vertices are projected back to latitude/longitude, and the area is summed
ring by ring, sign-safe (holes subtract whatever their orientation) —
with the TD/T 1055 trapezoid series (:func:`ellipsoidal_area`, used for
every reported number) or pyproj's geodesic area (:func:`geodesic_area`,
the independent cross-check).

Examples
--------
>>> round(graticule_cell_area(40.0, 40 + 1 / 60, 1 / 60), 2)
2633482.35
"""

from __future__ import annotations

import itertools
import math
import threading

import numpy as np
import pyproj
import shapely

from .i18n import N_, t
from .threads import map_ordered_later, thread_count

__all__ = [
    "AREA_METHOD",
    "DENSIFY_M",
    "GEOD",
    "INVERSE_FLATTENING",
    "SEMI_MAJOR_M",
    "FeatureAreas",
    "basic_unit_block_area",
    "ellipsoidal_area",
    "ellipsoidal_area_later",
    "geodesic_area",
    "graticule_cell_area",
    "scale_factor_area",
]

SEMI_MAJOR_M = 6_378_137.0
INVERSE_FLATTENING = 298.257222101
GEOD = pyproj.Geod(a=SEMI_MAJOR_M, rf=INVERSE_FLATTENING)
#: Edge densification step in the defining plane, metres.
DENSIFY_M = 10.0
#: geometries are measured in groups of about this many vertices (bounded memory; same results)
_CHUNK_COORDS = 100_000
#: the fewest vertices a thread is given to measure (below it, one thread)
_MIN_GROUP_COORDS = 10_000

#: how the areas of a report are measured, as its settings state it (a template: worded in the run's language).
#: Blocks and the parts of blocks outside an area: :func:`ellipsoidal_area`; overlap pieces and features wholly
#: inside a block: :func:`scale_factor_area`. :func:`geodesic_area` (pyproj ``Geod``) is the tests' cross-check.
AREA_METHOD = N_(
    "ellipsoidal areas on CGCS2000 (TD/T 1055-2019 Appendix D): a block's area, and the part of a block outside "
    "an area, by the Appendix D trapezoid series, edges densified to 10 m in EPSG:4547 and projected to latitude "
    "and longitude; overlap areas by the Gauss-Krüger scale-factor integral over the piece in EPSG:4547 (exact "
    "sums over its edges; within 2e-8 of the Appendix D series, tested)"
)

_TO_LONLAT: dict[tuple, pyproj.Transformer] = {}


def _to_lonlat(crs: pyproj.CRS) -> pyproj.Transformer:
    key = (crs.to_wkt(), threading.get_ident())  # one per thread: a PROJ transformer is not shared between threads
    if key not in _TO_LONLAT:
        _TO_LONLAT[key] = pyproj.Transformer.from_crs(crs, 4490, always_xy=True)
    return _TO_LONLAT[key]


def _segmentize_rings(rings: np.ndarray, step: float) -> np.ndarray:
    """Densify rings; a collapsed ring (all its points equal: no length) stays as it is (GEOS would raise)."""
    rings = np.asarray(rings, dtype=object).copy()
    ok = shapely.length(rings) > 0
    if ok.any():
        rings[ok] = shapely.segmentize(rings[ok], step)
    return rings


def _lonlat_rings(geometries, crs, densify_m):
    """Densify polygons in their plane, split into rings, project to lon/lat.

    Returns (lon, lat, ring_bounds, ring_sign, ring_owner, n) where ring k's
    coordinates are ``lon[ring_bounds[k]:ring_bounds[k + 1]]``, ``ring_sign`` is
    +1 for exteriors and -1 for holes, and ``ring_owner`` the input index.
    """
    crs = pyproj.CRS.from_user_input(crs)
    if not crs.is_projected:
        raise ValueError(t("ellipsoidal areas need a projected CRS, got {name}", name=crs.name))
    geoms = np.asarray(geometries, dtype=object)
    polys, poly_index = shapely.get_parts(geoms, return_index=True)
    keep = shapely.get_type_id(polys) == 3
    polys, poly_index = polys[keep], poly_index[keep]
    rings, ring_poly = shapely.get_rings(polys, return_index=True)
    rings = _segmentize_rings(rings, densify_m)  # ring by ring: GEOS would repair an invalid polygon
    sign = np.where(np.r_[True, ring_poly[1:] != ring_poly[:-1]], 1.0, -1.0) if len(rings) else np.array([])
    coords, ring_of_coord = shapely.get_coordinates(rings, return_index=True)
    lon, lat = _to_lonlat(crs).transform(coords[:, 0], coords[:, 1]) if len(coords) else (np.array([]),) * 2
    bounds = np.searchsorted(ring_of_coord, np.arange(len(rings) + 1))
    return (
        np.asarray(lon),
        np.asarray(lat),
        bounds,
        sign,
        poly_index[ring_poly] if len(rings) else ring_poly,
        len(geoms),
    )


def _series_coefficients():
    f = 1 / INVERSE_FLATTENING
    e2 = f * (2 - f)
    e4, e6, e8 = e2**2, e2**3, e2**4
    a = 1 + 3 / 6 * e2 + 30 / 80 * e4 + 35 / 112 * e6 + 630 / 2304 * e8
    b = 1 / 6 * e2 + 15 / 80 * e4 + 21 / 112 * e6 + 420 / 2304 * e8
    c = 3 / 80 * e4 + 7 / 112 * e6 + 180 / 2304 * e8
    d = 1 / 112 * e6 + 45 / 2304 * e8
    e = 5 / 2304 * e8
    return (a, b, c, d, e), SEMI_MAJOR_M * (1 - f)


_COEF, _SEMI_MINOR_M = _series_coefficients()


def ellipsoidal_area(geometries, crs, *, densify_m: float = DENSIFY_M) -> np.ndarray:
    """Ellipsoidal area in m² per TD/T 1055-2019 附录D (the trapezoid series on CGCS2000).

    Every edge, densified to ``densify_m`` in the plane of ``crs`` and projected
    to (B, L), contributes the signed ellipsoidal trapezoid between its
    parallels B1, B2 with the width of its mean longitude from a reference
    meridian; the sum over a ring is the ring's area. Vectorised over all
    edges. :func:`geodesic_area` is an independent implementation (pyproj's
    geodesic polygon area); the two agree to better than 1e-6.

    Parameters
    ----------
    geometries : array-like of shapely geometries
        Polygons or MultiPolygons (other parts and None count as 0 m²).
    crs : CRS-like
        The projected CGCS2000 CRS the coordinates are in (the plane in which
        edges are straight lines).
    densify_m : float
        Maximum edge length, in metres of that plane, before projecting back.

    Returns
    -------
    numpy.ndarray of float
        Areas in square metres, always >= 0.

    Examples
    --------
    >>> import shapely
    >>> square = shapely.box(500_000, 4_400_000, 501_000, 4_401_000)
    >>> float(ellipsoidal_area([square], 4547)[0].round(1))
    1000000.0
    """
    return ellipsoidal_area_later(geometries, crs, densify_m=densify_m)()


def ellipsoidal_area_later(geometries, crs, *, densify_m: float = DENSIFY_M):
    """:func:`ellipsoidal_area` started on the pool's threads; call the result for the areas.

    The caller goes on meanwhile (the blocks are measured while the constraint layers are read).

    Examples
    --------
    >>> import shapely
    >>> later = ellipsoidal_area_later([shapely.box(500_000, 4_400_000, 501_000, 4_401_000)], 4547)
    >>> float(later()[0].round(1))
    1000000.0
    """
    geoms = np.asarray(geometries, dtype=object)
    counts = shapely.get_num_coordinates(geoms)
    # geometries a group at a time (bounded memory), the groups on every core (numpy, PROJ and GEOS release
    # the GIL): a share of each thread's work, of at least _MIN_GROUP_COORDS; each geometry's area is its
    # own, so the result is one pass's
    # groups in a whole number of rounds of the threads (7 groups on 2 threads would leave one alone at the end)
    total, threads = int(counts.sum()), thread_count()
    rounds = max(2, -(-total // (threads * _CHUNK_COORDS)))
    size = max(_MIN_GROUP_COORDS, total // (rounds * threads) + 1)
    if len(geoms) > 1 and counts.sum() > size:
        group = np.cumsum(counts) // size
        cuts = [0, *(np.flatnonzero(np.diff(group)) + 1).tolist(), len(geoms)]
        ranges = [(a, b) for a, b in itertools.pairwise(cuts) if b > a]
        parts = map_ordered_later(lambda r: _ellipsoidal_area(geoms[r[0] : r[1]], crs, densify_m), ranges)
        return lambda: np.concatenate(parts())
    areas = _ellipsoidal_area(geoms, crs, densify_m)
    return lambda: areas


def _ellipsoidal_area(geometries, crs, densify_m: float) -> np.ndarray:
    lon, lat, bounds, sign, owner, n = _lonlat_rings(geometries, crs, densify_m)
    areas = np.zeros(n, dtype=float)
    if len(lon) < 2:
        return areas
    b_rad, l_rad = np.radians(lat), np.radians(lon)
    # edges: every coordinate to the next one, as views; the "edge" from a ring's last vertex to the next
    # ring's first is given no area below (rings are closed: last == first)
    edges = len(lon) - 1
    ring_size = np.diff(bounds)
    ring_of = np.repeat(np.arange(len(sign)), ring_size)[:edges]
    b1, b2 = b_rad[:-1], b_rad[1:]
    l_ref = np.repeat(l_rad[bounds[:-1]], ring_size)[:edges]  # each ring's first vertex is its reference meridian
    width = (l_rad[:-1] + l_rad[1:]) / 2 - l_ref
    series = _trapezoid_series((b2 - b1) / 2, (b1 + b2) / 2)
    edge_area = 2 * _SEMI_MINOR_M**2 * width * series
    edge_area[bounds[1:-1] - 1] = 0.0  # no edge starts at a ring's last vertex (GEOS rings have 4 or more)
    ring_area = np.abs(np.bincount(ring_of, weights=edge_area, minlength=len(sign)))
    np.add.at(areas, owner, sign * ring_area)
    return np.maximum(areas, 0.0)


def _trapezoid_series(half_db: np.ndarray, bm: np.ndarray) -> np.ndarray:
    """Appendix D's series ``Σₖ ±cₖ·sin((2k+1)·half_db)·cos((2k+1)·bm)``, k = 0…4, from one sine and one cosine.

    The odd multiples come from the Chebyshev recurrences ``sin((m+2)x) = 2cos(2x)·sin(mx) − sin((m−2)x)``
    (likewise for the cosine), with ``cos 2x = 1 − 2sin²x`` (no cancellation for the tiny ``half_db`` of a
    10 m edge) and ``cos 2y = 2cos²y − 1``: the same values as ten sines and cosines to within rounding (the
    areas within 1e-14 of the series written term by term, tested; 3.4e-16 at most measured on 5 616
    geometries), in less than half the time (0.10 s against 0.23 s for 2 million edges).

    Examples
    --------
    >>> x, y = np.array([1e-6, 0.3]), np.array([0.7, 1.1])
    >>> ca, cb, cc, cd, ce = _COEF
    >>> direct = (ca * np.sin(x) * np.cos(y) - cb * np.sin(3 * x) * np.cos(3 * y) + cc * np.sin(5 * x) * np.cos(5 * y)
    ...           - cd * np.sin(7 * x) * np.cos(7 * y) + ce * np.sin(9 * x) * np.cos(9 * y))
    >>> bool(np.allclose(_trapezoid_series(x, y), direct, rtol=1e-14, atol=0))
    True
    """
    ca, cb, cc, cd, ce = _COEF
    s1, c1 = np.sin(half_db), np.cos(bm)
    two_cos_2x = 2.0 - 4.0 * s1 * s1
    two_cos_2y = 4.0 * c1 * c1 - 2.0
    s3, c3 = s1 * (two_cos_2x + 1.0), c1 * (two_cos_2y - 1.0)
    s5, c5 = two_cos_2x * s3 - s1, two_cos_2y * c3 - c1
    s7, c7 = two_cos_2x * s5 - s3, two_cos_2y * c5 - c3
    s9, c9 = two_cos_2x * s7 - s5, two_cos_2y * c7 - c5
    return ca * s1 * c1 - cb * s3 * c3 + cc * s5 * c5 - cd * s7 * c7 + ce * s9 * c9


def geodesic_area(geometries, crs, *, densify_m: float = DENSIFY_M) -> np.ndarray:
    """Ellipsoidal area in m² from pyproj's geodesic polygon area (``Geod(GRS80)``), ring by ring.

    Same inputs and densification as :func:`ellipsoidal_area`; an independent
    implementation used to cross-check it.

    Examples
    --------
    >>> import shapely
    >>> square = shapely.box(500_000, 4_400_000, 501_000, 4_401_000)
    >>> float(geodesic_area([square], 4547)[0].round(1))
    1000000.0
    """
    lon, lat, bounds, sign, owner, n = _lonlat_rings(geometries, crs, densify_m)
    areas = np.zeros(n, dtype=float)
    for k in range(len(sign)):
        lo, hi = bounds[k], bounds[k + 1]
        areas[owner[k]] += sign[k] * abs(GEOD.polygon_area_perimeter(lon[lo:hi], lat[lo:hi])[0])
    return np.maximum(areas, 0.0)


def _gk_false_easting_and_meridian(crs: pyproj.CRS) -> tuple[float, float]:
    op = crs.coordinate_operation
    if op is None or "transverse mercator" not in op.method_name.lower():
        raise ValueError(t("scale_factor_area needs a Gauss-Krüger CRS, got {name}", name=crs.name))
    params = {p.name.lower(): p.value for p in op.params}
    x_0 = next(v for k, v in params.items() if "false easting" in k)
    lon_0 = next(v for k, v in params.items() if "longitude" in k or "central meridian" in k)
    return x_0, lon_0


def scale_factor_area(geometries, crs=4547) -> np.ndarray:
    """Ellipsoidal area in m² of polygons bounded by straight lines in a Gauss-Krüger plane, from the plane itself.

    The ellipsoidal area of a region of the Gauss-Krüger plane is the integral of ``1/k²`` over it, where
    ``k`` is the point scale factor, ``1/k² = 1 - u² + (2/3)u⁴ - …`` with ``u² = x²/(ρν)`` (x: distance
    from the central meridian; ρν: the product of the principal radii of curvature at the region's
    latitude). With Green's theorem ``∬dA``, ``∬x²dA`` and ``∬x⁴dA`` are exact sums over the polygon's
    edges, so no densification and no reprojection of vertices is needed: one latitude per polygon. The
    neglected terms are of order ``η²u⁴`` and ``u⁶`` — below 1e-8 relative within 150 km of the central
    meridian — and the tests hold this function to 2e-8 of :func:`ellipsoidal_area` (the TD/T 1055 path).
    It is the fast path for the thousands of small overlap pieces of a large check.

    Examples
    --------
    >>> import shapely
    >>> square = shapely.box(500_000, 4_400_000, 501_000, 4_401_000)
    >>> a, b = scale_factor_area([square])[0], ellipsoidal_area([square], 4547)[0]
    >>> bool(abs(a / b - 1) < 2e-8)
    True
    """
    crs = pyproj.CRS.from_user_input(crs)
    x_0, _ = _gk_false_easting_and_meridian(crs)
    geoms = np.asarray(geometries, dtype=object)
    out = np.zeros(len(geoms), dtype=float)
    if len(geoms) == 0:
        return out
    parts, part_index = shapely.get_parts(geoms, return_index=True)
    keep = (shapely.get_type_id(parts) == 3) & ~shapely.is_empty(parts)
    parts, part_index = parts[keep], part_index[keep]
    if len(parts) == 0:
        return out
    _, coords, (ring_off, poly_off) = shapely.to_ragged_array(parts)
    x = coords[:, 0] - x_0
    y = coords[:, 1]
    # edge k joins coordinates k and k+1; edges that jump from one ring to the next are zeroed
    dy = y[1:] - y[:-1]
    xi, xj = x[:-1], x[1:]
    m0 = dy * (xi + xj) / 2.0  # ∮ x dy      = ∬ dA
    m2 = dy * (xi * xi + xj * xj) * (xi + xj) / 12.0  # ∮ x³/3 dy = ∬ x² dA
    xi2, xj2 = xi * xi, xj * xj
    m4 = (
        dy
        * (xi2 * xi2 * xi + xi2 * xi2 * xj + xi2 * xi * xj2 + xi2 * xj2 * xj + xi * xj2 * xj2 + xj2 * xj2 * xj)
        / 30.0
    )  # ∮ x⁵/5 dy = ∬ x⁴ dA
    jumps = ring_off[1:-1] - 1
    m0[jumps] = 0.0
    m2[jumps] = 0.0
    m4[jumps] = 0.0
    # each ring's own sum (not differences of one running sum over every ring, which would carry the
    # rounding of all the rings before it into each)
    first = ring_off[:-1]
    ring_m0, ring_m2, ring_m4 = (np.add.reduceat(m, first) for m in (m0, m2, m4))
    sign = np.where(ring_m0 < 0, -1.0, 1.0)  # each ring by its own orientation
    ring_of_poly = np.repeat(np.arange(len(parts)), np.diff(poly_off))
    exterior = np.zeros(len(first), dtype=bool)
    exterior[poly_off[:-1]] = True
    weight = np.where(exterior, 1.0, -1.0) * sign
    poly_m0 = np.bincount(ring_of_poly, weights=weight * ring_m0, minlength=len(parts))
    poly_m2 = np.bincount(ring_of_poly, weights=weight * ring_m2, minlength=len(parts))
    poly_m4 = np.bincount(ring_of_poly, weights=weight * ring_m4, minlength=len(parts))
    # latitude of each polygon at the centre of its exterior ring's box (ρν varies by 1e-7 per km): the same
    # wherever the ring starts and whichever way it runs, so a polygon and an overlay's copy of it (its
    # vertices from another start) measure the same
    start = ring_off[:-1]
    centre_x = (np.minimum.reduceat(coords[:, 0], start) + np.maximum.reduceat(coords[:, 0], start)) / 2.0
    centre_y = (np.minimum.reduceat(coords[:, 1], start) + np.maximum.reduceat(coords[:, 1], start)) / 2.0
    shells = poly_off[:-1]
    _, lat = _to_lonlat(crs).transform(centre_x[shells], centre_y[shells])
    f = 1 / INVERSE_FLATTENING
    e2 = f * (2 - f)
    s2 = np.sin(np.radians(np.asarray(lat))) ** 2
    rho_nu = SEMI_MAJOR_M**2 * (1 - e2) / (1 - e2 * s2) ** 2
    # 1/k² = sech²(x/R) = 1 - u² + (2/3)u⁴ - …, u² = x²/(ρν)
    np.add.at(out, part_index, poly_m0 - poly_m2 / rho_nu + (2.0 / 3.0) * poly_m4 / rho_nu**2)
    return np.maximum(out, 0.0)


def _authalic_q(lat_rad: float, e: float) -> float:
    s = math.sin(lat_rad)
    return (1 - e * e) * (s / (1 - (e * s) ** 2) - math.log((1 - e * s) / (1 + e * s)) / (2 * e))


def graticule_cell_area(lat_south: float, lat_north: float, dlon: float) -> float:
    """Exact ellipsoidal area in m² of a latitude/longitude cell on CGCS2000.

    The cell is bounded by two parallels and two meridians ``dlon`` degrees
    apart (closed-form authalic-latitude integral, equal to the TD/T 1055
    trapezoid series).

    Examples
    --------
    >>> round(graticule_cell_area(39 + 58 / 60, 39 + 59 / 60, 1 / 60), 2)
    2634747.6
    """
    f = 1 / INVERSE_FLATTENING
    e = math.sqrt(f * (2 - f))
    q1 = _authalic_q(math.radians(lat_south), e)
    q2 = _authalic_q(math.radians(lat_north), e)
    return SEMI_MAJOR_M**2 * math.radians(dlon) * (q2 - q1) / 2


def basic_unit_block_area(latitude: float, minutes: float = 1.0) -> float:
    """Area in m² of one basic unit block (1′×1′) centred on ``latitude``.

    Examples
    --------
    >>> round(basic_unit_block_area(40.0), 2)
    2633798.75
    """
    half = minutes / 120.0
    return graticule_cell_area(latitude - half, latitude + half, minutes / 60.0)


class FeatureAreas:
    """Each feature's own area (m², :func:`scale_factor_area`), computed the first time it is asked for.

    A layer's areas are needed only for the features lying wholly inside a block (the overlap *is* the
    feature): a red line of a million vertices, crossed by blocks but inside none, is never measured whole.
    Indexed like an array (positions, a boolean mask or a slice); values once computed are kept (a
    re-check with a held set measures nothing twice). Two threads asking for the same feature at once
    both compute it and write the same number.

    Examples
    --------
    >>> import shapely
    >>> areas = FeatureAreas(np.array([shapely.box(500_000, 4_400_000, 501_000, 4_401_000)] * 3), "EPSG:4547")
    >>> bool(np.isnan(areas.values).all())
    True
    >>> round(float(areas[[1]][0]) / 1e6, 3), int(np.isnan(areas.values).sum())
    (1.0, 2)
    >>> round(float(areas[2]) / 1e6, 3), len(areas[:2]), int(np.isnan(areas.values).sum())
    (1.0, 2, 0)
    """

    def __init__(self, geoms, crs):
        self._geoms = np.asarray(geoms, dtype=object)
        self._crs = crs
        self.values = np.full(len(self._geoms), np.nan)

    def __len__(self) -> int:
        return len(self._geoms)

    def __getitem__(self, index):
        at = np.arange(len(self._geoms))[index]
        if np.ndim(at) == 0:  # one position: one number, as an array would give
            return self[np.array([at])][0]
        got = self.values[at]
        missing = np.isnan(got)
        if missing.any():
            got[missing] = scale_factor_area(self._geoms[at[missing]], self._crs)
            self.values[at[missing]] = got[missing]
        return got

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self[:], dtype=dtype)
