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
import pyproj
import shapely

from ..area import ellipsoidal_area
from ..errors import CRSError, InputError
from ..i18n import t
from .corner_geometry import Ring, build_polygon, check_points_in_zone, orient_plane_points, zone_crs
from .textfile import line_layout, read_text_lines

__all__ = ["looks_like_land_txt", "read_land_txt", "write_land_txt"]

_CGCS = ("2000", "cgcs")
_LEGACY = {"西安": "Xian 1980", "80": "Xian 1980", "北京": "Beijing 1954", "54": "Beijing 1954"}


def looks_like_land_txt(head: str) -> bool:
    return any(s in head for s in ("[地块坐标]", "【地块坐标】")) or (
        any(s in head for s in ("[属性描述]", "【属性描述】")) and "带号" in head
    )


def _number(text: str, where: str, what: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise InputError(
            t("{where}: {what} {value} is not a number", where=where, what=what, value=repr(text.strip()))
        ) from None
    if not math.isfinite(value):
        raise InputError(
            t("{where}: {what} {value} is not a finite number", where=where, what=what, value=repr(text.strip()))
        )
    return value


def _whole(text: str, where: str, what: str) -> int:
    """A whole number (带号=38, 几度分带=3): ``38.7`` is an error, not zone 38."""
    value = _number(text, where, what)
    if value != int(value):
        raise InputError(
            t("{where}: {what} {value} is not a whole number", where=where, what=what, value=repr(text.strip()))
        )
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
            t(
                "{path}, line {line}: the parcel declares 点数={declared} points but only {have} "
                "coordinate lines follow: the file is truncated or the parcel incomplete",
                path=path,
                line=parcel["line"],
                declared=declared,
                have=have,
            )
        )


def _datum_of(system: str, path) -> str:
    """Datum named by 坐标系=: CGCS2000, or a legacy one (converted only with user parameters)."""
    s = system.lower()
    if not system or any(k in s for k in _CGCS):
        return "CGCS2000"
    for key, label in _LEGACY.items():
        if key in system:
            return label
    raise CRSError(
        t(
            "{path}: 坐标系={system} is not CGCS2000 (2000国家大地坐标系), Xian 1980 or Beijing 1954",
            path=path,
            system=system,
        )
    )


def read_land_txt(path: str | Path, *, encoding: str | None = None) -> tuple[gpd.GeoDataFrame, str]:
    """Read a land-survey TXT into a GeoDataFrame (one row per parcel); returns ``(gdf, encoding)``.

    Columns: ``block_id``, ``name``, ``declared_area_km2`` (公顷 / 100), ``用途``, ``source``
    (``file:line`` of the parcel), geometry in the file's Gauss-Krüger zone.
    """
    path = Path(path)
    lines, used = read_text_lines(path, encoding)
    data = path.read_bytes()
    layout = line_layout(data, data.decode(_codec(used), errors="replace"))
    header: dict[str, str] = {}
    section = None
    parcels: list[dict] = []
    by_number: dict[str, dict] = {}  # 省标 layout without parcel lines: parcels by 地块序号
    for no, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if line[:1] in "[【" and line[-1:] in "]】":  # 【地块坐标】: full-width brackets, as some tools write
            section = line[1:-1].strip()
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
            if parcels:
                parcels[-1]["last"] = no
            if len(fields) >= 6 and fields[3][:1].upper() == "J":  # 省标: 序号,地块序号,圈号,J点号,X,Y
                ring_field, x_field, y_field = fields[2], fields[4], fields[5]
                if parcels and "number" not in parcels[-1]:  # under a parcel line ending in '@'
                    target = parcels[-1]
                else:  # no parcel lines: the 地块序号 column says which parcel
                    if fields[1] not in by_number:
                        by_number[fields[1]] = {"line": no, "fields": [], "rings": {}, "number": fields[1]}
                        parcels.append(by_number[fields[1]])
                    target = by_number[fields[1]]
            else:
                if len(fields) < 4:
                    raise InputError(t("{where}: expected 点号,圈号,X,Y, got {line}", where=where, line=repr(line)))
                ring_field, x_field, y_field = fields[1], fields[2], fields[3]
                target = parcels[-1] if parcels else None
            if target is None:
                raise InputError(t("{where}: a coordinate line before any parcel line ending in '@'", where=where))
            ring_no = _whole(ring_field, where, "圈号")
            x, y = _number(x_field, where, "X"), _number(y_field, where, "Y")
            ring = target["rings"].setdefault(ring_no, Ring(ring_no))
            ring.points.append((x, y))
            ring.lines.append(no)
    if not parcels:
        raise InputError(t("{path}: no parcel in [地块坐标] (a parcel line ends in '@')", path=path))
    datum = _datum_of(header.get("坐标系", ""), path)
    width = _zone_width(header, path)
    zone_text = header.get("带号", "")
    stated_zone = _whole(zone_text, f"{path} [属性描述]", "带号") if zone_text else None
    for parcel in parcels:
        _check_point_count(parcel, path)

    all_pairs = [p for parcel in parcels for r in parcel["rings"].values() for p in r.points]
    swapped, prefix = orient_plane_points(all_pairs, str(path))
    if prefix is not None and stated_zone is not None and prefix != stated_zone:
        raise InputError(
            t(
                "{path}: eastings carry zone prefix {prefix} but 带号={stated_zone}",
                path=path,
                prefix=prefix,
                stated_zone=stated_zone,
            )
        )
    zone = prefix if prefix is not None else stated_zone
    if zone is None:
        raise CRSError(
            t("{path}: eastings have no zone prefix and the header has no 带号; add 带号= or pass --crs", path=path)
        )
    crs = zone_crs(zone, width, prefixed=prefix is not None, datum=datum)

    rows, notes, units = [], [], set()
    for parcel in parcels:
        where = t("{path}, parcel at line {line}", path=path, line=parcel["line"])
        rings = []
        for ring in parcel["rings"].values():
            pts = [(b, a) if not swapped else (a, b) for a, b in ring.points]  # -> (easting, northing)
            check_points_in_zone(pts, ring.lines, crs, str(path))
            rings.append(Ring(ring.number, pts, ring.lines))
        geom = build_polygon(rings, where)
        attrs = parcel_attributes(parcel["fields"])
        area_km2, unit, issue = declared_area(attrs.pop("area_text"), geom.area, where)
        if issue:
            notes.append(issue)
        elif unit is not None:
            units.add(unit)
        rows.append(
            {
                **attrs,
                "declared_area_km2": area_km2,
                "declared_area_unit": unit,
                "declared_area_issue": issue,
                "source": f"{path.name}:{parcel['line']}",
                "geometry": geom,
            }
        )
    if units:
        notes.insert(0, t("declared parcel areas read in {units}", units=", ".join(sorted(units))))
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)
    gdf.attrs["notes"] = notes
    first_parcel = min(p["line"] for p in parcels)
    if all("last" in p and p.get("fields") for p in parcels):  # the 部标 layout: kept as written
        gdf["_land_txt"] = ["\n".join(lines[p["line"] - 1 : p["last"]]) for p in parcels]
        gdf["_land_txt_wkb"] = [_fingerprint(g) for g in gdf.geometry.values]
        gdf.attrs["land_txt"] = {
            "header": lines[: first_parcel - 1],
            "crs": crs.to_wkt(),
            "encoding": used,
            **layout,
        }
    return gdf, used


def _fingerprint(geom) -> str:
    """A digest of a geometry as read: a writer reuses a parcel's text only while its geometry is unchanged."""
    import hashlib

    return hashlib.sha1(shapely.to_wkb(geom, output_dimension=2)).hexdigest()


def _codec(used: str) -> str:
    return {"utf-8-sig": "utf-8-sig", "utf-16-le": "utf-16", "utf-16-be": "utf-16"}.get(used, used)


#: area units a parcel line may use, as m² per unit; the header convention is 公顷
AREA_UNITS = {"m²": 1.0, "公顷": 10_000.0, "亩": 10_000.0 / 15.0, "km²": 1_000_000.0}
_UNIT_SUFFIXES = (
    ("平方公里", "km²"),
    ("平方千米", "km²"),
    ("km²", "km²"),
    ("km2", "km²"),
    ("公顷", "公顷"),
    ("ha", "公顷"),
    ("亩", "亩"),
    ("平方米", "m²"),
    ("m²", "m²"),
    ("m2", "m²"),
)
_SHAPES = ("面", "线", "点")


def parcel_attributes(fields: list[str]) -> dict:
    """The attributes of a parcel line, for the two layouts in use (the ``@`` last).

    * 部标 (9 fields): 点数,面积,地块编号,地块名称,图形属性,图幅号,地块用途,地类编码,@
    * 报省部标 (11 fields): 点数,面积,乡镇代码,行政区名称,地块编号,地块名称,图形属性,图幅号,地块用途,地类编码,@

    The layout is told by where the 图形属性 (面/线/点) stands. Producers that leave the field names in
    (``FID_0,DKMC,面,TFH…``) give those names as values; they are kept as written.

    Examples
    --------
    >>> parcel_attributes("5,1.5,KC01,山羊沟,面,,,,@".split(","))["block_id"]
    'KC01'
    >>> parcel_attributes("5,1.5,140228,阳高县,KC01,山羊沟,面,J50,采矿,0602,@".split(","))["地类编码"]
    '0602'
    """
    f = [x.strip() for x in fields]
    get = lambda i: f[i] if len(f) > i and f[i] else None  # noqa: E731
    if get(6) in _SHAPES and get(4) not in _SHAPES:
        out = {
            "乡镇代码": get(2),
            "行政区名称": get(3),
            "block_id": get(4),
            "name": get(5),
            "图幅号": get(7),
            "用途": get(8),
            "地类编码": get(9),
        }
    else:
        out = {"block_id": get(2), "name": get(3), "图幅号": get(5), "用途": get(6), "地类编码": get(7)}
    out["area_text"] = get(1)
    return {k: v for k, v in out.items() if v is not None or k in ("block_id", "name", "area_text")}


def declared_area(text: str | None, plane_area_m2: float, where: str) -> tuple[float | None, str | None, str | None]:
    """The declared area of a parcel in km², the unit it was read in, and an issue (or None).

    A unit suffix (``700.0000公顷``, ``12亩``, ``m²``) is taken as written. A bare number is read in the
    unit that puts it nearest the parcel's computed area (m², 公顷, 亩 or km²) — several producers write
    m² where the header convention is 公顷 — and the unit is reported. An unreadable value (``DKMC``
    left in the field) is an issue on that parcel, not a refused file: the geometry is the content.

    Examples
    --------
    >>> declared_area("109.43", 109.8, "p")[:2]
    (0.00010943, 'm²')
    >>> declared_area("5.7089", 57_594.9, "p")[:2]
    (0.057089, '公顷')
    >>> declared_area("DKMC", 100.0, "p")[2]
    "p: declared area 'DKMC' is not a number; ignored"
    """
    if text is None or not text.strip():
        return None, None, None
    raw = text.strip()
    unit = None
    for suffix, name in _UNIT_SUFFIXES:
        if raw.lower().endswith(suffix):
            unit, raw = name, raw[: -len(suffix)].strip()
            break
    try:
        value = float(raw)
    except ValueError:
        return (
            None,
            None,
            t("{where}: declared area {value} is not a number; ignored", where=where, value=repr(text.strip())),
        )
    if not math.isfinite(value) or value <= 0:
        return (
            None,
            None,
            t(
                "{where}: declared area {value} is not a positive number; ignored",
                where=where,
                value=repr(text.strip()),
            ),
        )
    if unit is None:
        if plane_area_m2 > 0:
            unit = min(AREA_UNITS, key=lambda u: abs(math.log(value * AREA_UNITS[u] / plane_area_m2)))
        else:
            unit = "公顷"
    return value * AREA_UNITS[unit] / 1e6, unit, None


def _zone_width(header: dict, path) -> int:
    """几度分带=3, or 分带=3度带 / 6度带 as some tools write; 3 when absent."""
    text = header.get("几度分带") or header.get("分带") or "3"
    digits = "".join(ch for ch in text if ch.isdigit() or ch == ".")
    width = _whole(digits or text, f"{path} [属性描述]", "几度分带")
    if width not in (3, 6):
        raise InputError(t("{path} [属性描述]: zone width {text} is not 3 or 6 degrees", path=path, text=repr(text)))
    return width


def _parcel_lines(geom, area_m2: float, block_id, name, row, digits: int) -> list[str]:
    """One parcel in the canonical 部标 layout: clockwise, first point repeated, X (north) first."""
    rings = []
    for part in shapely.get_parts(geom):
        part = shapely.orient_polygons(part, exterior_cw=True)
        rings.append(np.asarray(part.exterior.coords))
        rings.extend(np.asarray(r.coords) for r in part.interiors)
    n_points = sum(len(r) for r in rings)
    extra = [_text(getattr(row, col, None)) for col in ("图幅号", "用途", "地类编码")]
    out = [f"{n_points},{area_m2 / 1e4:.4f},{block_id},{name},面,{extra[0]},{extra[1]},{extra[2]},@"]
    number = 0
    for ring_no, ring in enumerate(rings, start=1):
        first = number + 1
        for k, (east, north) in enumerate(ring):
            label = first if k == len(ring) - 1 else number + 1
            if k < len(ring) - 1:
                number += 1
            out.append(f"J{label},{ring_no},{north:.{digits}f},{east:.{digits}f}")
    return out


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _encode(text: str, codec: str, bom: bool) -> bytes:
    if codec in ("utf-16-le", "utf-16-be"):
        return ("\ufeff" if bom else "").encode(codec) + text.encode(codec)
    if codec == "utf-8" and bom:
        return text.encode("utf-8-sig")
    return text.encode(_codec(codec))


def write_land_txt(
    gdf: gpd.GeoDataFrame,
    path: str | Path,
    *,
    zone: int = 38,
    width: int = 3,
    prefix: bool = True,
    precision: float = 0.01,
    encoding: str | None = None,
    id_column: str = "block_id",
    name_column: str = "name",
) -> None:
    """Write polygons as a land-survey TXT in the given zone (clockwise, first point repeated, X north first).

    Areas in the parcel lines are ellipsoidal areas in 公顷 (4 decimals). The caller makes ``path`` atomic.
    A GeoDataFrame read from a land-survey TXT whose parcels are unchanged and written to the same zone is
    written back as it was read — byte for byte: header, parcel lines (fields, declared area as written),
    point names and coordinates as written, line ends, final newline, BOM and encoding (``encoding``
    None: the source's). Otherwise the parcels are written in the canonical layout above (GBK by default).
    """
    crs = zone_crs(zone, width, prefixed=prefix)
    source = gdf.attrs.get("land_txt")
    same_zone = source is not None and pyproj.CRS.from_wkt(source["crs"]).equals(crs)
    data = gdf.to_crs(crs) if gdf.crs is not None else gdf
    areas = ellipsoidal_area(data.geometry.values, crs)
    digits = max(0, -math.floor(math.log10(precision))) if precision < 1 else 0
    kept = (
        [
            isinstance(t, str) and _fingerprint(g) == h
            for t, g, h in zip(data["_land_txt"], data.geometry.values, data["_land_txt_wkb"])
        ]
        if same_zone and "_land_txt" in data.columns
        else [False] * len(data)
    )
    if same_zone:  # the header as the file wrote it (格式版本号, 数据产生单位, 数据产生日期, 精度 …)
        out = list(source["header"])
    else:
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
        if kept[i]:  # an unchanged parcel: its lines as written
            out.extend(data["_land_txt"].iloc[i].split("\n"))
            continue
        block_id = getattr(row, id_column, None) or str(i + 1)
        name = getattr(row, name_column, None) or ""
        out.extend(_parcel_lines(geom, areas[i], block_id, name, row, digits))
    if same_zone:
        newline = source["newline"]
        text = newline.join(out) + source.get("final", newline if source["final_newline"] else "")
        Path(path).write_bytes(_encode(text, encoding or source["encoding"], source["bom"]))
        return
    text = "\n".join(out) + "\n"
    Path(path).write_bytes(text.encode(encoding or "gbk"))
