"""The land-survey coordinate TXT (国土 "坐标TXT", 勘测定界/报批 exchange format).

::

    [属性描述]
    坐标系=2000国家大地坐标系
    几度分带=3
    投影类型=高斯克吕格
    计量单位=米
    带号=38
    精度=0.01
    [地块坐标]
    5,0.4506,KC01,山羊沟铁矿,面,,,,@
    J1,1,4469532.75,38478764.06
    ...

A line ending in ``@`` opens a parcel (点数, 面积 in 公顷, 地块编号, 地块名称, 图形属性, 图幅号, 用途,
地类编码 …); each following line is ``点号,圈号,X,Y`` with X the northing and Y the easting (with or
without the zone prefix; the axis order is checked by magnitude, so files that write the easting first
are read too). 圈号 1 is an outer ring; a higher 圈号 is a hole when it lies inside an outer ring, else
another part. GBK by default; UTF-8 (with or without BOM) is detected.
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from ..area import ellipsoidal_area
from ..errors import CRSError, InputError
from .corner_geometry import Ring, build_polygon, check_points_in_zone, orient_plane_points, zone_crs
from .textfile import read_text_lines

__all__ = ["looks_like_land_txt", "read_land_txt", "write_land_txt"]

_CGCS = ("2000", "cgcs")
_LEGACY = {"西安": "Xian 1980", "80": "Xian 1980", "北京": "Beijing 1954", "54": "Beijing 1954"}


def looks_like_land_txt(head: str) -> bool:
    return "[地块坐标]" in head or ("[属性描述]" in head and "带号" in head)


def _number(text: str, where: str, what: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise InputError(f"{where}: {what} {text.strip()!r} is not a number") from None
    if not math.isfinite(value):
        raise InputError(f"{where}: {what} {text.strip()!r} is not a finite number")
    return value


def _whole(text: str, where: str, what: str) -> int:
    """A whole number (带号=38, 几度分带=3): ``38.7`` is an error, not zone 38."""
    value = _number(text, where, what)
    if value != int(value):
        raise InputError(f"{where}: {what} {text.strip()!r} is not a whole number")
    return int(value)


def _check_point_count(parcel: dict, path) -> None:
    """The parcel line's 点数 (界址点数) against the coordinate lines that follow: fewer means truncated.

    Producers count every coordinate line of the parcel, the closing point included (checked against
    the real files of six producers); a file that lost its last lines would otherwise give part of a
    polygon that still closes.
    """
    text = parcel["fields"][0] if parcel["fields"] else ""
    try:
        declared = int(text)
    except ValueError:
        return  # no count given (or a literal field name): nothing to check against
    have = sum(len(r.points) for r in parcel["rings"].values())
    if have < declared:
        raise InputError(
            f"{path}, line {parcel['line']}: the parcel declares {declared} points (点数) but only {have} "
            "coordinate lines follow: the file is truncated or the parcel incomplete"
        )


def _datum_of(system: str, path) -> str:
    """Datum named by 坐标系=: CGCS2000, or a legacy one (converted only with user parameters)."""
    s = system.lower()
    if not system or any(k in s for k in _CGCS):
        return "CGCS2000"
    for key, label in _LEGACY.items():
        if key in system:
            return label
    raise CRSError(f"{path}: 坐标系={system} is not CGCS2000 (2000国家大地坐标系), Xian 1980 or Beijing 1954")


def read_land_txt(path: str | Path, *, encoding: str | None = None) -> tuple[gpd.GeoDataFrame, str]:
    """Read a land-survey TXT into a GeoDataFrame (one row per parcel); returns ``(gdf, encoding)``.

    Columns: ``block_id``, ``name``, ``declared_area_km2`` (公顷 / 100), ``用途``, ``source``
    (``file:line`` of the parcel), geometry in the file's Gauss-Krüger zone.
    """
    path = Path(path)
    lines, used = read_text_lines(path, encoding)
    header: dict[str, str] = {}
    section = None
    parcels: list[dict] = []
    for no, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        where = f"{path}, line {no}"
        if section == "属性描述":
            key, _, value = line.partition("=")
            header[key.strip()] = value.strip()
        elif section == "地块坐标":
            fields = [f.strip() for f in line.split(",")]
            if fields[-1] == "@":
                parcels.append({"line": no, "fields": fields, "rings": {}})
                continue
            if not parcels:
                raise InputError(f"{where}: a coordinate line before any parcel line ending in '@'")
            if len(fields) < 4:
                raise InputError(f"{where}: expected 点号,圈号,X,Y, got {line!r}")
            ring_no = int(_number(fields[1], where, "圈号"))
            x, y = _number(fields[2], where, "X"), _number(fields[3], where, "Y")
            ring = parcels[-1]["rings"].setdefault(ring_no, Ring(ring_no))
            ring.points.append((x, y))
            ring.lines.append(no)
    if not parcels:
        raise InputError(f"{path}: no parcel in [地块坐标] (a parcel line ends in '@')")
    datum = _datum_of(header.get("坐标系", ""), path)
    width = _whole(header.get("几度分带", "3") or "3", f"{path} [属性描述]", "几度分带")
    zone_text = header.get("带号", "")
    stated_zone = _whole(zone_text, f"{path} [属性描述]", "带号") if zone_text else None
    for parcel in parcels:
        _check_point_count(parcel, path)

    all_pairs = [p for parcel in parcels for r in parcel["rings"].values() for p in r.points]
    swapped, prefix = orient_plane_points(all_pairs, str(path))
    if prefix is not None and stated_zone is not None and prefix != stated_zone:
        raise InputError(f"{path}: eastings carry zone prefix {prefix} but 带号={stated_zone}")
    zone = prefix if prefix is not None else stated_zone
    if zone is None:
        raise CRSError(f"{path}: eastings have no zone prefix and the header has no 带号; add 带号= or pass --crs")
    crs = zone_crs(zone, width, prefixed=prefix is not None, datum=datum)

    rows = []
    for parcel in parcels:
        where = f"{path}, parcel at line {parcel['line']}"
        rings = []
        for ring in parcel["rings"].values():
            pts = [(b, a) if not swapped else (a, b) for a, b in ring.points]  # -> (easting, northing)
            check_points_in_zone(pts, ring.lines, crs, str(path))
            rings.append(Ring(ring.number, pts, ring.lines))
        geom = build_polygon(rings, where)
        f = parcel["fields"]
        area_ha = f[1] if len(f) > 1 and f[1] else None
        rows.append(
            {
                "block_id": f[2] if len(f) > 2 and f[2] else None,
                "name": f[3] if len(f) > 3 and f[3] else None,
                "declared_area_km2": _number(area_ha, where, "面积") / 100.0 if area_ha else None,
                "用途": f[6] if len(f) > 6 and f[6] else None,
                "source": f"{path.name}:{parcel['line']}",
                "geometry": geom,
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=crs), used


def write_land_txt(
    gdf: gpd.GeoDataFrame,
    path: str | Path,
    *,
    zone: int = 38,
    width: int = 3,
    prefix: bool = True,
    precision: float = 0.01,
    encoding: str = "gbk",
    id_column: str = "block_id",
    name_column: str = "name",
) -> None:
    """Write polygons as a land-survey TXT in the given zone (clockwise, first point repeated, X north first).

    Areas in the parcel lines are ellipsoidal areas in 公顷 (4 decimals). The caller makes ``path`` atomic.
    """
    crs = zone_crs(zone, width, prefixed=prefix)
    data = gdf.to_crs(crs) if gdf.crs is not None else gdf
    areas = ellipsoidal_area(data.geometry.values, crs)
    digits = max(0, -math.floor(math.log10(precision))) if precision < 1 else 0
    out = [
        "[属性描述]",
        "格式版本号=",
        "数据产生单位=",
        "数据产生日期=",
        "坐标系=2000国家大地坐标系",
        f"几度分带={width}",
        "投影类型=高斯克吕格",
        "计量单位=米",
        f"带号={zone}",
        f"精度={precision:g}",
        "转换参数=,,,,,,",
        "[地块坐标]",
    ]
    for i, (row, geom) in enumerate(zip(data.itertuples(), data.geometry.values)):
        if geom is None or geom.is_empty:
            continue
        rings = []
        for part in shapely.get_parts(geom):
            part = shapely.orient_polygons(part, exterior_cw=True)
            rings.append(np.asarray(part.exterior.coords))
            rings.extend(np.asarray(r.coords) for r in part.interiors)
        n_points = sum(len(r) for r in rings)
        block_id = getattr(row, id_column, None) or str(i + 1)
        name = getattr(row, name_column, None) or ""
        out.append(f"{n_points},{areas[i] / 1e4:.4f},{block_id},{name},面,,,,@")
        number = 0
        for ring_no, ring in enumerate(rings, start=1):
            first = number + 1
            for k, (east, north) in enumerate(ring):
                label = first if k == len(ring) - 1 else number + 1
                if k < len(ring) - 1:
                    number += 1
                out.append(f"J{label},{ring_no},{north:.{digits}f},{east:.{digits}f}")
    text = "\n".join(out) + "\n"
    Path(path).write_bytes(text.encode(encoding))
