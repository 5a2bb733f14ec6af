"""Legacy datums (Beijing 1954, Xian 1980) → CGCS2000, only with parameters the user supplies.

There are no official public transformation parameters for these datums, and PROJ ships none; a
silent shift would be off by about 100 m. So a legacy input is an error unless the configuration
says how to convert it::

    [datum]                         # seven-parameter Bursa-Wolf (spatial, via geocentric coordinates)
    method = "bursa-wolf"
    convention = "coordinate_frame" # or "position_vector" (as PROJ's +towgs84); required, no default
    dx = -12.3                      # metres
    dy = 105.6
    dz = 38.1
    rx = 0.123                      # arc-seconds
    ry = -0.456
    rz = 0.789
    ds = 1.234                      # ppm

    [datum]                         # four-parameter plane transformation in the file's own plane
    method = "plane-4"
    dx = 12.5                       # metres, added to the easting
    dy = -40.2                      # metres, added to the northing
    rotation = 1.5                  # arc-seconds, counter-clockwise
    scale = 2.0                     # ppm

The plane transformation is applied to the coordinates exactly as the file has them (with the zone
prefix if the file has one) and yields CGCS2000 Gauss-Krüger coordinates on the same central
meridian and false easting.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import pyproj

from .errors import CRSError, InputError
from .i18n import t

__all__ = ["DatumShift", "legacy_datum", "parse_datum"]

_BURSA = ("dx", "dy", "dz", "rx", "ry", "rz", "ds")
_PLANE = ("dx", "dy", "rotation", "scale")
_CGCS_GK = "+proj=tmerc +lat_0=0 +lon_0={lon_0} +k=1 +x_0={x_0} +y_0=0 +ellps=GRS80"


def _proj_dict(crs: pyproj.CRS) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return {k: v for k, v in crs.to_dict().items() if v is not None}


def legacy_datum(crs: pyproj.CRS) -> str | None:
    """``"Beijing 1954"``, ``"Xian 1980"`` or None."""
    name = f"{crs.datum.name if crs.datum else ''} {crs.name}".lower()
    if "beijing" in name and "1954" in name:
        return "Beijing 1954"
    if "xian" in name.replace("'", "") and "1980" in name:
        return "Xian 1980"
    return None


@dataclass(frozen=True)
class DatumShift:
    """User-supplied parameters from a legacy datum to CGCS2000."""

    method: str
    params: dict
    convention: str | None = None

    def _source_steps(self, src: pyproj.CRS) -> tuple[list[str], dict]:
        p = _proj_dict(src)
        ellps = p.get("ellps")
        if not ellps:
            raise CRSError(t("{name}: cannot tell the ellipsoid of the legacy datum", name=src.name))
        if src.is_geographic:
            return ["+step +proj=unitconvert +xy_in=deg +xy_out=rad", f"+step +proj=cart +ellps={ellps}"], p
        if p.get("proj") != "tmerc":
            raise CRSError(t("{name}: only Gauss-Krüger (tmerc) legacy CRSs are supported", name=src.name))
        tm = f"+proj=tmerc +lat_0=0 +lon_0={p['lon_0']} +k={p.get('k', 1)} +x_0={p['x_0']} +y_0={p.get('y_0', 0)}"
        return [f"+step +inv {tm} +ellps={ellps}", f"+step +proj=cart +ellps={ellps}"], p

    def pipeline(self, src: pyproj.CRS, dst: pyproj.CRS) -> str:
        """PROJ pipeline from ``src`` (legacy) to ``dst`` (a CGCS2000 CRS)."""
        dst_def = _proj_dict(dst)
        if dst.is_geographic:
            tail = ["+step +inv +proj=cart +ellps=GRS80", "+step +proj=unitconvert +xy_in=rad +xy_out=deg"]
        else:
            tail = [
                "+step +inv +proj=cart +ellps=GRS80",
                "+step " + _CGCS_GK.format(lon_0=dst_def["lon_0"], x_0=dst_def["x_0"]),
            ]
        if self.method == "bursa-wolf":
            steps, _ = self._source_steps(src)
            q = self.params
            helmert = (
                f"+step +proj=helmert +x={q['dx']} +y={q['dy']} +z={q['dz']} +rx={q['rx']} +ry={q['ry']} "
                f"+rz={q['rz']} +s={q['ds']} +convention={self.convention}"
            )
            return " ".join(["+proj=pipeline", *steps, helmert, *tail])
        # plane-4: affine in the source plane, then read as CGCS2000 GK on the same meridian and false easting
        if src.is_geographic:
            raise CRSError(t("the four-parameter plane transformation needs Gauss-Krüger input, not lon/lat"))
        p = _proj_dict(src)
        q = self.params
        theta = math.radians(q["rotation"] / 3600.0)
        m = 1 + q["scale"] * 1e-6
        affine = (
            f"+step +proj=affine +xoff={q['dx']} +yoff={q['dy']} +s11={m * math.cos(theta)!r} "
            f"+s12={-m * math.sin(theta)!r} +s21={m * math.sin(theta)!r} +s22={m * math.cos(theta)!r}"
        )
        as_cgcs = "+step +inv " + _CGCS_GK.format(lon_0=p["lon_0"], x_0=p["x_0"])
        return " ".join(["+proj=pipeline", affine, as_cgcs, "+step +proj=cart +ellps=GRS80", *tail])

    def transformer(self, src: pyproj.CRS, dst) -> pyproj.Transformer:
        return pyproj.Transformer.from_pipeline(self.pipeline(src, pyproj.CRS.from_user_input(dst)))


def _numbers(raw: dict, names, where: str) -> dict:
    out = {}
    for n in names:
        if n not in raw:
            raise InputError(t("{where}: [datum] needs {n} (all of {value})", where=where, n=n, value=", ".join(names)))
        value = raw[n]
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            raise InputError(
                t("{where}: [datum] {n} must be a number, got {value}", where=where, n=n, value=repr(value))
            )
        out[n] = float(value)
    return out


def parse_datum(raw: dict | None, where: str = "config") -> DatumShift | None:
    """Validate a ``[datum]`` table (see the module docs)."""
    if not raw:
        return None
    method = raw.get("method")
    if method == "bursa-wolf":
        convention = raw.get("convention")
        if convention not in ("coordinate_frame", "position_vector"):
            raise InputError(
                t(
                    "{where}: [datum] convention must be 'coordinate_frame' or 'position_vector' (the sign "
                    "of the rotations differs between them), got {convention}",
                    where=where,
                    convention=repr(convention),
                )
            )
        extra = set(raw) - {"method", "convention", *_BURSA}
        if extra:
            raise InputError(t("{where}: [datum] unknown key(s) {extra}", where=where, extra=sorted(extra)))
        return DatumShift(method, _numbers(raw, _BURSA, where), convention)
    if method == "plane-4":
        extra = set(raw) - {"method", *_PLANE}
        if extra:
            raise InputError(t("{where}: [datum] unknown key(s) {extra}", where=where, extra=sorted(extra)))
        return DatumShift(method, _numbers(raw, _PLANE, where))
    raise InputError(
        t("{where}: [datum] method must be 'bursa-wolf' or 'plane-4', got {method}", where=where, method=repr(method))
    )
