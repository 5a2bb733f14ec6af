"""CGCS2000 coordinate reference systems: identification, inference, reprojection.

Every input is brought into the analysis CRS :data:`ANALYSIS_CRS`
(EPSG:4547, CGCS2000 / 3-degree Gauss-Krüger CM 114°E, no zone prefix),
which covers the whole of Yanggao County (113°28′–114°06′E).

Identification goes by *parameters*, not names, so ESRI ``.prj`` files such
as ``CGCS2000_3_Degree_GK_Zone_38`` resolve to their EPSG code. When the
file's CRS is missing or contradicted by the coordinates (eastings of eight
digits carry the zone number as prefix), the coordinates win and the caller
gets a note for finding D103. Other datums (Beijing 1954, Xian 1980) are an
error: there are no official public parameters to shift them, and a silent
shift would be off by about 100 m. WGS84 is accepted as CGCS2000 (the two
differ by centimetres).

Examples
--------
>>> resolve_crs(None, (113.6, 40.1, 113.7, 40.2)).crs.to_epsg()
4490
>>> resolve_crs(None, (38_478_000, 4_469_000, 38_479_000, 4_470_000)).crs.to_epsg()
4526
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pyproj
import shapely

from .area import DENSIFY_M
from .errors import CRSError
from .geometry import segmentize_exact
from .i18n import N_, t

__all__ = [
    "ANALYSIS_CRS",
    "ANALYSIS_EPSG",
    "EDGE_CONVENTIONS",
    "ResolvedCRS",
    "identify_crs",
    "infer_crs",
    "resolve_crs",
    "to_analysis_crs",
    "to_lonlat_vertices",
]

ANALYSIS_EPSG = 4547
ANALYSIS_CRS = pyproj.CRS.from_epsg(ANALYSIS_EPSG)
GEOGRAPHIC_EPSG = 4490
_GRS80_RF = 298.257222101
_CGCS2000_NAMES = ("china 2000", "china_2000", "cgcs2000", "cgcs_2000", "china geodetic coordinate system 2000")
_WGS84_NAMES = ("world geodetic system 1984", "wgs_1984", "wgs 1984", "wgs84")
_LEGACY_NAMES = {
    "beijing 1954": "Beijing 1954",
    "beijing_1954": "Beijing 1954",
    "xian 1980": "Xian 1980",
    "xian_1980": "Xian 1980",
    "xi'an 1980": "Xian 1980",
}
#: degrees; at most 50 m (the TD/T 1055 bound), the densification step for lon/lat sources
_DENSIFY_DEG = 4.5e-4
_CHUNK = 20_000
#: how an edge between two corner points runs when data change CRS:
#: "source" — straight in the file's own CRS (densified there before reprojection: the TD/T 1055 reading,
#: and what 三调 area practice does); "vertices" — only the vertices are projected and the edge is straight
#: in the analysis plane (what ArcGIS "Project" and QGIS "Reproject layer" do). The texts are templates:
#: reports state them in the run's language (``t(EDGE_CONVENTIONS[edges])``)
EDGE_CONVENTIONS = {
    "source": N_(
        "edges straight in each file's own CRS (densified there before reprojection; a lon/lat edge whose "
        "course in EPSG:4547 provably departs less than 1 mm from its chord, bounded from its length and latitude, "
        "is not densified)"
    ),
    "vertices": N_("vertices projected only; edges straight in the analysis plane EPSG:4547 (as ArcGIS/QGIS)"),
}


@dataclass(frozen=True)
class ResolvedCRS:
    """The CRS an input is read in, and how it was decided.

    Attributes
    ----------
    crs : pyproj.CRS
        An EPSG CGCS2000 CRS (4490 or a Gauss-Krüger code 4491–4554).
    inferred : bool
        True when the file's own CRS was missing or overruled.
    note : str
        Human-readable reason (empty when nothing was inferred).
    """

    crs: pyproj.CRS
    inferred: bool = False
    note: str = ""
    #: set when ``crs`` is a legacy datum converted with user parameters
    datum: object = None


def _datum_kind(crs: pyproj.CRS) -> str:
    names = " ".join(
        str(x).lower()
        for x in (crs.datum.name if crs.datum else "", crs.ellipsoid.name if crs.ellipsoid else "", crs.name)
    )
    for key, label in _LEGACY_NAMES.items():
        if key in names:
            return label
    if any(n in names for n in _CGCS2000_NAMES):
        return "CGCS2000"
    if any(n in names for n in _WGS84_NAMES):
        return "WGS84"
    ell = crs.ellipsoid
    if (
        ell is not None
        and math.isclose(ell.semi_major_metre, 6378137.0)
        and math.isclose(ell.inverse_flattening, _GRS80_RF, rel_tol=1e-9)
    ):
        return "CGCS2000"
    return crs.datum.name if crs.datum else "unknown"


def _tm_params(crs: pyproj.CRS) -> dict[str, float] | None:
    op = crs.coordinate_operation
    if op is None or "transverse mercator" not in op.method_name.lower():
        return None
    out: dict[str, float] = {}
    for p in op.params:
        name = p.name.lower()
        if "longitude of natural origin" in name or "central meridian" in name:
            out["lon_0"] = p.value
        elif "latitude of natural origin" in name:
            out["lat_0"] = p.value
        elif "scale factor" in name:
            out["k"] = p.value
        elif "false easting" in name:
            out["x_0"] = p.value
        elif "false northing" in name:
            out["y_0"] = p.value
    return out


def _gk_epsg(lon_0: float, x_0: float) -> int | None:
    """EPSG code of the CGCS2000 GK CRS with this central meridian and false easting."""
    if abs(lon_0 - round(lon_0)) > 1e-9:
        return None
    lon = round(lon_0)
    if math.isclose(x_0, 500_000.0):
        if lon % 3 == 0 and 75 <= lon <= 135:
            return 4534 + (lon - 75) // 3
        return None
    zone, rest = divmod(x_0, 1_000_000.0)
    if not math.isclose(rest, 500_000.0):
        return None
    zone = int(zone)
    if 25 <= zone <= 45 and lon == 3 * zone:
        return 4488 + zone
    if 13 <= zone <= 23 and lon == 6 * zone - 3:
        return 4491 + zone - 13
    return None


def identify_crs(crs_input, *, datum=None) -> pyproj.CRS:
    """Return the EPSG CGCS2000 CRS equal to ``crs_input``, by parameters.

    Raises
    ------
    CRSError
        For other datums or projections, with what was seen and expected.

    Examples
    --------
    >>> identify_crs("EPSG:4526").to_epsg()
    4526
    >>> identify_crs("+proj=tmerc +lon_0=114 +k=1 +x_0=500000 +ellps=GRS80 +units=m").to_epsg()
    4547
    """
    try:
        crs = pyproj.CRS.from_user_input(crs_input)
    except pyproj.exceptions.CRSError as exc:
        raise CRSError(t("cannot understand the CRS {crs_input}: {exc}", crs_input=repr(crs_input), exc=exc)) from None
    kind = _datum_kind(crs)
    if kind in ("Beijing 1954", "Xian 1980") and datum is not None:
        if not crs.is_geographic and _tm_params(crs) is None:
            raise CRSError(
                t("{name}: only Gauss-Krüger or geographic {kind} CRSs can be converted", name=crs.name, kind=kind)
            )
        return crs
    if kind in ("Beijing 1954", "Xian 1980"):
        raise CRSError(
            t(
                "the data are in the {kind} datum ({name}); converting to CGCS2000 needs official "
                "transformation parameters that PROJ does not ship, and a silent shift would be off by "
                "about 100 m. Convert the data to CGCS2000 first, or give your parameters in a [datum] "
                "table of --config.",
                kind=kind,
                name=crs.name,
            )
        )
    if kind not in ("CGCS2000", "WGS84"):
        raise CRSError(
            t(
                "unsupported CRS {name} (datum {kind}); expected CGCS2000: EPSG:4490 or a Gauss-Krüger "
                "CRS EPSG:4491–4554",
                name=repr(crs.name),
                kind=kind,
            )
        )
    if crs.is_geographic:
        return pyproj.CRS.from_epsg(GEOGRAPHIC_EPSG)
    epsg = crs.to_epsg(min_confidence=100)
    if epsg is not None and 4491 <= epsg <= 4554:
        return pyproj.CRS.from_epsg(epsg)
    params = _tm_params(crs)
    if params is None:
        raise CRSError(
            t(
                "unsupported projection in {name}; expected CGCS2000 Gauss-Krüger (Transverse Mercator)",
                name=repr(crs.name),
            )
        )
    if not (
        math.isclose(params.get("k", 1.0), 1.0)
        and abs(params.get("lat_0", 0.0)) < 1e-12
        and abs(params.get("y_0", 0.0)) < 1e-6
    ):
        raise CRSError(
            t("{name} is Transverse Mercator but not Gauss-Krüger (k=1, no false northing)", name=repr(crs.name))
        )
    code = _gk_epsg(params.get("lon_0", float("nan")), params.get("x_0", float("nan")))
    if code is None:
        raise CRSError(
            t(
                "{name}: central meridian {value} with false easting {value2} is not a CGCS2000 3° or 6° "
                "Gauss-Krüger zone",
                name=repr(crs.name),
                value=params.get("lon_0"),
                value2=params.get("x_0"),
            )
        )
    return pyproj.CRS.from_epsg(code)


def _looks_lonlat(b) -> bool:
    return 73 <= b[0] <= b[2] <= 136 and 3 <= b[1] <= b[3] <= 54


def _prefixed_zone(b) -> int | None:
    zmin, zmax = int(b[0] // 1_000_000), int(b[2] // 1_000_000)
    if zmin != zmax or not (13 <= zmin <= 23 or 25 <= zmin <= 45):
        return None
    if not (1_000_000 <= b[1] <= b[3] <= 6_500_000):
        return None
    return zmin


def _zone_crs(zone: int) -> pyproj.CRS:
    return pyproj.CRS.from_epsg(4488 + zone if zone >= 25 else 4491 + zone - 13)


def _unprefixed(b) -> bool:
    return 0 < b[0] <= b[2] < 1_000_000 and 1_000_000 <= b[1] <= b[3] <= 6_500_000


def infer_crs(bounds) -> pyproj.CRS:
    """Infer the CGCS2000 CRS from coordinate bounds ``(minx, miny, maxx, maxy)``.

    Raises
    ------
    CRSError
        When the coordinates do not decide it (e.g. Gauss-Krüger eastings
        without the zone prefix).
    """
    b = tuple(float(v) for v in bounds)
    if _looks_lonlat(b):
        return pyproj.CRS.from_epsg(GEOGRAPHIC_EPSG)
    zone = _prefixed_zone(b)
    if zone is not None:
        return _zone_crs(zone)
    if _unprefixed(b):
        fitting = county_zones(b)
        if len(fitting) == 1:
            return fitting[0]
        names = ", ".join(f"EPSG:{c.to_epsg()}" for c in fitting)
        raise CRSError(
            t(
                "Gauss-Krüger coordinates without a zone prefix and no CRS: several zones put them in Yanggao "
                "County ({names}); pass --crs (e.g. --crs 4547 for CGCS2000 3° zone CM 114°E)",
                names=names,
            )
            if fitting
            else t(
                "Gauss-Krüger coordinates without a zone prefix and no CRS: no CGCS2000 zone (3° or 6°) puts them "
                "in Yanggao County; pass --crs (e.g. --crs 4547 for CGCS2000 3° zone CM 114°E)"
            )
        )
    _refuse_swapped(b)
    raise CRSError(t("cannot infer a CGCS2000 CRS from coordinates with bounds {b}; pass --crs", b=b))


def _refuse_swapped(b) -> None:
    """A CRSError when the bounds read as CGCS2000 coordinates with the two axes exchanged."""
    swapped = (b[1], b[0], b[3], b[2])
    if _looks_lonlat(swapped):
        raise CRSError(
            t(
                "the coordinates look like latitude/longitude swapped (written in the wrong order; "
                "bounds {value}: the first axis holds values like a latitude, the second like a "
                "longitude); write longitude (X, east) first, or fix the column order — no --crs fixes "
                "this",
                value=tuple(round(v, 6) for v in b),
            )
        )
    if _prefixed_zone(swapped) is not None or (
        0 < swapped[0] <= swapped[2] < 1_000_000 and 1_000_000 <= swapped[1] <= swapped[3] <= 6_500_000
    ):
        raise CRSError(
            t(
                "the coordinates look like Gauss-Krüger northing and easting swapped (bounds {value}); "
                "expected the easting first",
                value=tuple(round(v, 3) for v in b),
            )
        )


#: candidate CGCS2000 zones for coordinates without a zone prefix near Yanggao County (113°28′–114°06′E)
_COUNTY_ZONE_EPSG = (4546, 4547, 4548, 4499, 4500)  # 3° CM 111/114/117, 6° CM 111/117


def county_zones(bounds) -> list:
    """The CGCS2000 zones (without prefix) that put these coordinates inside the county's stated extent.

    Examples
    --------
    >>> [c.to_epsg() for c in county_zones((474_000, 4_436_000, 478_000, 4_440_000))]
    [4547]
    """
    from .planning_area import planning_area

    area = planning_area()
    xs = np.array([bounds[0], bounds[2], bounds[0], bounds[2]], dtype=float)
    ys = np.array([bounds[1], bounds[1], bounds[3], bounds[3]], dtype=float)
    out = []
    for code in _COUNTY_ZONE_EPSG:
        crs = pyproj.CRS.from_epsg(code)
        lon, lat = pyproj.Transformer.from_crs(crs, GEOGRAPHIC_EPSG, always_xy=True).transform(xs, ys)
        inside = (
            np.isfinite(lon).all()
            and (area.west <= lon).all()
            and (lon <= area.east).all()
            and (area.south <= lat).all()
            and (lat <= area.north).all()
        )
        if inside:
            out.append(crs)
    return out


def _fits(crs: pyproj.CRS, b) -> bool:
    if crs.is_geographic:
        return _looks_lonlat(b)
    x_0 = _tm_params(crs)["x_0"]
    if math.isclose(x_0, 500_000.0):
        return _unprefixed(b)
    return _prefixed_zone(b) == int(x_0 // 1_000_000)


def resolve_crs(declared, bounds, *, user_crs=None, datum=None) -> ResolvedCRS:
    """Decide the CRS of an input from its declared CRS, its coordinates and the user.

    Parameters
    ----------
    declared : CRS-like or None
        What the file says (``.prj``, GeoPackage SRS).
    bounds : tuple of float
        Coordinate bounds of the data, ``(minx, miny, maxx, maxy)``.
    user_crs : CRS-like, optional
        What the user says (``--crs``). It wins over the file, but must fit the
        coordinates.
    datum : DatumShift, optional
        User parameters that make a Beijing 1954 / Xian 1980 input acceptable.

    Returns
    -------
    ResolvedCRS
    """
    b = tuple(float(v) for v in bounds)
    if user_crs is not None:
        crs = identify_crs(user_crs, datum=datum)
        if not any(math.isnan(v) for v in b) and not _fits(crs, b):
            _refuse_swapped(b)
            raise CRSError(
                t(
                    "the coordinates (bounds {value}) do not fit the CRS given, EPSG:{value2} ({name})",
                    value=tuple(round(v, 3) for v in b),
                    value2=crs.to_epsg(),
                    name=crs.name,
                )
            )
        return ResolvedCRS(crs, datum=datum if _legacy(crs) else None)
    if declared is None:
        crs = infer_crs(b)
        if _unprefixed(b):
            note = t(
                "no CRS in the file; the only CGCS2000 zone that puts these unprefixed coordinates in Yanggao "
                "County: EPSG:{epsg} ({name})",
                epsg=crs.to_epsg(),
                name=crs.name,
            )
        else:
            note = t("no CRS in the file; the coordinates say: EPSG:{epsg} ({name})", epsg=crs.to_epsg(), name=crs.name)
        return ResolvedCRS(crs, True, note)
    crs = identify_crs(declared, datum=datum)
    if _legacy(crs):
        if not any(math.isnan(v) for v in b) and not _fits(crs, b):
            raise CRSError(t("the coordinates (bounds {b}) do not fit the file's CRS {name}", b=b, name=crs.name))
        note = t("{name} converted to CGCS2000 with the user's {method} parameters", name=crs.name, method=datum.method)
        return ResolvedCRS(crs, False, note, datum=datum)
    if any(math.isnan(v) for v in b) or _fits(crs, b):
        return ResolvedCRS(crs)
    try:
        from_coords = infer_crs(b)
    except CRSError:
        _refuse_swapped(b)
        if crs.is_projected and _unprefixed(b) and not _fits(crs, b):
            # declared prefixed zone, coordinates without prefix: same central meridian
            lon_0 = _tm_params(crs)["lon_0"]
            alt = pyproj.CRS.from_epsg(_gk_epsg(lon_0, 500_000.0))
            return ResolvedCRS(
                alt,
                True,
                t(
                    "file says EPSG:{declared} but eastings have no zone prefix; using EPSG:{epsg} ({name})",
                    declared=crs.to_epsg(),
                    epsg=alt.to_epsg(),
                    name=alt.name,
                ),
            )
        raise CRSError(
            t(
                "the coordinates (bounds {b}) do not fit the file's CRS EPSG:{value} ({name}) and do not "
                "tell their own; pass --crs (e.g. --crs 4547 for CGCS2000 3° zone CM 114°E without zone "
                "prefix)",
                b=b,
                value=crs.to_epsg(),
                name=crs.name,
            )
        ) from None
    template = (
        N_(
            "file says EPSG:{declared} ({declared_name}) but the only CGCS2000 zone that puts these unprefixed "
            "coordinates in Yanggao County is EPSG:{epsg} ({name}); trusting the coordinates"
        )
        if _unprefixed(b)
        else N_(
            "file says EPSG:{declared} ({declared_name}) but the coordinates say EPSG:{epsg} ({name}); trusting "
            "the coordinates"
        )
    )
    return ResolvedCRS(
        from_coords,
        True,
        t(template, declared=crs.to_epsg(), declared_name=crs.name, epsg=from_coords.to_epsg(), name=from_coords.name),
    )


def _legacy(crs: pyproj.CRS) -> bool:
    return _datum_kind(crs) in ("Beijing 1954", "Xian 1980")


def _same_projection_shift(src: pyproj.CRS) -> float | None:
    """False-easting difference when ``src`` is the analysis projection with a zone prefix."""
    if src.is_geographic:
        return None
    p = _tm_params(src)
    if p and math.isclose(p["lon_0"], 114.0):
        return p["x_0"] - 500_000.0
    return None


def to_analysis_crs(geometries, src_crs, *, datum=None, edges: str = "source") -> np.ndarray:
    """Bring geometries into :data:`ANALYSIS_CRS` (EPSG:4547), keeping their edges' shape.

    Edges are densified in the source plane first (10 m, or 4.5e-4° ≤ 50 m for
    lon/lat), so a boundary drawn straight in lon/lat or in another zone keeps
    its true course; the same central meridian with a zone prefix is an exact
    shift of the easting. ``edges="vertices"`` projects the vertices only (see
    :data:`EDGE_CONVENTIONS`). Nothing is repaired here: an invalid polygon stays
    invalid (validity is judged and repaired before, on the data as stated).
    """
    if edges not in EDGE_CONVENTIONS:
        raise ValueError(
            t(
                "edges must be one of {EDGE_CONVENTIONS}, got {edges}",
                EDGE_CONVENTIONS=sorted(EDGE_CONVENTIONS),
                edges=repr(edges),
            )
        )
    geoms = np.asarray(geometries, dtype=object)
    src = pyproj.CRS.from_user_input(src_crs)
    if datum is not None:
        return _densified_transform(
            geoms, src, datum.transformer(src, ANALYSIS_CRS), densify=edges == "source", bounded=False
        )
    if src.equals(ANALYSIS_CRS):
        return geoms
    shift = _same_projection_shift(src)
    if shift is not None:
        return shapely.transform(geoms, lambda xy: xy - np.array([shift, 0.0]))
    transformer = pyproj.Transformer.from_crs(src, ANALYSIS_CRS, always_xy=True)
    return _densified_transform(geoms, src, transformer, densify=edges == "source")


#: a lon/lat edge is left undensified when its course in EPSG:4547 provably departs less than this from its chord
EDGE_DEVIATION_M = 1e-3
#: the bound is derived for edges this close to the analysis central meridian (114°E), in degrees
_BOUND_MAX_OFFSET_DEG = 6.0


def edge_deviation_bound(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Upper bound (m) of how far each lon/lat edge, drawn straight in lon/lat, runs from its chord in EPSG:4547.

    The edge is ``c(t) = f(p + tΔ)``, ``t ∈ [0, 1]``, with ``f`` the Gauss-Krüger map (central meridian
    114°E) and ``Δ = (Δλ, Δφ)`` in radians; its distance from the chord is at most ``max‖c''‖ / 8`` (the
    error of linear interpolation), and ``c'' = D²f[Δ, Δ]``. From the series ``x = N cosφ·l + …``,
    ``y = m(φ) + ½N sinφ cosφ·l² + …`` (``l = λ − 114°``): ``|x_λλ|, |x_φφ|, |y_λφ| ≤ N|l|``,
    ``|x_λφ| ≤ N sinφ``, ``|y_λλ| ≤ N/2``, ``|y_φφ| = |dM/dφ| ≤ 0.012 N``. With ``N ≤ a/(1−e²)``, 10 % for
    the neglected orders in ``l`` (|l| ≤ 6°) and a margin of 25 %::

        dev ≤ 1.25 · a/(1−e²)/8 · [Δλ²(1.1|l| + 0.5) + 2|ΔλΔφ|(1.02 sinφ + 1.1|l|) + Δφ²(1.1|l| + 0.012)]

    (``l`` and ``sinφ`` taken at the endpoint where they are larger). At 40°N an east-west edge of 150 m is
    bounded by 0.8 mm; a tested sample of 20 000 random edges (0–60°N, |l| ≤ 6°, 1 m–5 km) departs by at most
    0.8 of the bound (``tests/test_edge_bound.py``). Edges farther than 6° from the central meridian get
    ``inf`` (the series is not relied on there).

    Examples
    --------
    >>> b = edge_deviation_bound(np.array([113.9]), np.array([40.2]), np.array([113.9 + 0.0018]), np.array([40.2]))
    >>> bool(b[0] < 1e-3)        # about 150 m east-west, near the county
    True
    """
    lon1, lat1, lon2, lat2 = (np.asarray(v, dtype=float) for v in (lon1, lat1, lon2, lat2))
    dl, dp = np.radians(lon2 - lon1), np.radians(lat2 - lat1)
    offset = np.maximum(np.abs(lon1 - 114.0), np.abs(lon2 - 114.0))
    sin_phi = np.maximum(np.abs(np.sin(np.radians(lat1))), np.abs(np.sin(np.radians(lat2))))
    bound = _chord_error(np.abs(dl), np.abs(dp), np.radians(offset), sin_phi)
    return np.where(offset <= _BOUND_MAX_OFFSET_DEG, bound, np.inf)


def _chord_error(dl, dp, l_rad, sin_phi):
    """The bound of :func:`edge_deviation_bound` in metres, from ``|Δλ|``, ``|Δφ|`` (radians), ``|l|`` and ``sinφ``."""
    f = 1 / _GRS80_RF
    radius = 6_378_137.0 / (1 - f * (2 - f))  # ≥ N and M everywhere
    second = dl * (dl * (1.1 * l_rad + 0.5) + 2 * dp * (1.02 * sin_phi + 1.1 * l_rad)) + dp * dp * (1.1 * l_rad + 0.012)
    return 1.25 * radius * second / 8.0


def _edges_and_owners(geoms: np.ndarray):
    """Coordinates of ``geoms``, which consecutive pairs are edges (not a jump to the next ring), and whose.

    For polygons the ring structure comes from :func:`shapely.to_ragged_array`; anything else falls back
    to every consecutive pair of a geometry's coordinates (jumps between rings then count as edges: an
    over-estimate, never an under-estimate).
    """
    types = shapely.get_type_id(geoms[~shapely.is_missing(geoms)])
    if len(types) and np.isin(types, (3, 6)).all():
        kind, coords, offsets = shapely.to_ragged_array(geoms)
        ring_offsets = offsets[0]
        if kind == shapely.GeometryType.MULTIPOLYGON:
            ring_owner = np.repeat(np.repeat(np.arange(len(geoms)), np.diff(offsets[2])), np.diff(offsets[1]))
        else:
            ring_owner = np.repeat(np.arange(len(geoms)), np.diff(offsets[1]))
        owner = np.repeat(ring_owner, np.diff(ring_offsets))
        is_edge = np.ones(max(len(coords) - 1, 0), dtype=bool)
        is_edge[ring_offsets[1:-1] - 1] = False
        return coords, is_edge, owner
    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    return coords, owner[1:] == owner[:-1], owner


def short_edged(geoms: np.ndarray) -> np.ndarray:
    """True for lon/lat geometries every edge of which stays within :data:`EDGE_DEVIATION_M` of its chord in EPSG:4547.

    First on each geometry's bounding box: no edge is longer in λ or in φ than the box, and the bound grows
    with ``|Δλ|``, ``|Δφ|``, ``|l|`` and ``sinφ``, so a box within the bound proves every edge of its geometry
    within it (a parcel of a hundred metres: no edge need be looked at). The other geometries get
    :func:`edge_deviation_bound` on every edge of every ring, with ``|l|`` and ``sinφ`` taken at their
    largest over the edge's own geometry (so the bound only grows, and a geometry's answer does not depend
    on the others judged with it).
    """
    geoms = np.asarray(geoms, dtype=object)
    box = shapely.bounds(geoms)
    with np.errstate(invalid="ignore"):
        box_offset = np.maximum(np.abs(box[:, 0] - 114.0), np.abs(box[:, 2] - 114.0))
        box_sin = np.sin(np.radians(np.minimum(90.0, np.maximum(np.abs(box[:, 1]), np.abs(box[:, 3])))))
        within = (box_offset <= _BOUND_MAX_OFFSET_DEG) & (
            _chord_error(
                np.radians(box[:, 2] - box[:, 0]), np.radians(box[:, 3] - box[:, 1]), np.radians(box_offset), box_sin
            )
            < EDGE_DEVIATION_M
        )  # False for NaN (missing or empty geometries): judged edge by edge below
    if within.all():
        return within
    out = within.copy()
    rest = np.flatnonzero(~within)
    out[rest] = _short_edged_by_edge(geoms[rest])
    return out


def _short_edged_by_edge(geoms: np.ndarray) -> np.ndarray:
    """:func:`edge_deviation_bound` on every edge, ``|l|`` and ``sinφ`` at their largest over the edge's own
    geometry: each geometry is judged on itself alone, so the answer is the same whatever other geometries
    are judged with it (a layer cut into chunks for threads gives the same vertices on 1 or 16 cores)."""
    out = np.ones(len(geoms), dtype=bool)
    coords, is_edge, owner = _edges_and_owners(geoms)
    if len(coords) < 2:
        return out
    lon, lat = coords[:, 0], coords[:, 1]
    # owner is sorted (the coordinates run geometry by geometry): the largest of each geometry's run
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    present = owner[starts]
    edge_owner = owner[1:]
    dl, dp = np.radians(np.abs(np.diff(lon))), np.radians(np.abs(np.diff(lat)))
    with np.errstate(invalid="ignore"):  # NaN coordinates: never within the bound
        offset = np.full(len(geoms), np.nan)
        offset[present] = np.maximum.reduceat(np.abs(lon - 114.0), starts)
        top = np.full(len(geoms), np.nan)
        top[present] = np.maximum.reduceat(np.abs(lat), starts)
        sin_phi = np.sin(np.radians(np.minimum(90.0, top)))
        within = offset <= _BOUND_MAX_OFFSET_DEG
        chord = _chord_error(dl, dp, np.radians(offset[edge_owner]), sin_phi[edge_owner])
        long_edge = ~(chord < EDGE_DEVIATION_M) & is_edge
    out[edge_owner[long_edge]] = False
    out[present[~within[present]]] = False
    return out


def _densified_transform(
    geoms: np.ndarray,
    src: pyproj.CRS,
    transformer: pyproj.Transformer,
    *,
    densify: bool = True,
    bounded: bool = True,
) -> np.ndarray:
    """Densify (in the source plane) and transform; ``bounded``: lon/lat edges shown short stay as they are.

    Lon/lat edges short enough (see :func:`edge_deviation_bound`) keep their course within 1 mm without
    densification; a datum shift (``bounded=False``) densifies every edge, as the bound is derived for
    the CGCS2000 ellipsoid alone.
    """
    step = _DENSIFY_DEG if src.is_geographic else DENSIFY_M
    bounded = bounded and src.is_geographic

    def _fwd(xy):
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    out = np.empty(len(geoms), dtype=object)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        # in chunks, so that only one chunk's densified copy exists at a time (memory on large layers)
        for start in range(0, len(geoms), _CHUNK):
            part = geoms[start : start + _CHUNK]
            dense = part
            if densify:
                need = ~short_edged(part) if bounded else np.ones(len(part), dtype=bool)
                if need.all():
                    dense = segmentize_exact(part, step)
                elif need.any():
                    dense = part.copy()
                    dense[need] = segmentize_exact(part[need], step)
            out[start : start + len(part)] = shapely.transform(dense, _fwd)
    return out


def to_lonlat_vertices(geometries, src_crs, *, datum=None) -> np.ndarray:
    """The same geometries with their vertices (only) in CGCS2000 lon/lat, EPSG:4490.

    No densification: this keeps the corner points as delivered, for checks
    on the corner points themselves (grid alignment).
    """
    geoms = np.asarray(geometries, dtype=object)
    src = pyproj.CRS.from_user_input(src_crs)
    if datum is not None:
        transformer = datum.transformer(src, GEOGRAPHIC_EPSG)
    elif src.is_geographic:
        return geoms
    else:
        transformer = pyproj.Transformer.from_crs(src, GEOGRAPHIC_EPSG, always_xy=True)
    return shapely.transform(geoms, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))
