"""Mining-right registration text (采矿权/探矿权 "报盘" 矿区范围).

::

    [登记项目]
    许可证号=C1402282009127130000101
    矿山名称=阳高县猴儿路铁矿有限责任公司
    开采矿种=铁
    矿区范围拐点坐标与标高的总行数=6
    XY001=1,4469532.75,38478764.06
    XY002=2,4469532.75,38479764.06
    ...
    XY005=标高,1500,1200,,1

Each ring ends with a ``标高,上限,下限,,标志`` line (``*,上限,下限,,标志`` is read the same); flag
``1`` includes the ring, ``-1`` excludes it (a hole in the ring it lies in). One feature per included
ring, with its holes and its elevations (``elev_top``, ``elev_bottom``); a right is a 3-D body, so rings
with their own elevations stay separate features. ``key=value`` lines become attributes: 许可证号 →
``block_id``, 项目名称/矿山名称 → ``name``, 开采矿种/勘查矿种 → ``mineral``, 生产规模 → ``capacity``.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import Polygon

from ..errors import CRSError, InputError
from ..i18n import t
from .corner_geometry import Ring, build_polygon, check_points_in_zone, orient_plane_points, zone_crs
from .textfile import read_text_lines

__all__ = ["looks_like_mining_txt", "read_mining_txt"]

_XY = re.compile(r"^XY\d+\s*=\s*(.*)$", re.IGNORECASE)
_ATTRS = {
    "许可证号": "block_id",
    "采矿许可证号": "block_id",
    "勘查许可证号": "block_id",
    "项目名称": "name",
    "矿山名称": "name",
    "开采矿种": "mineral",
    "勘查矿种": "mineral",
    "生产规模": "capacity",
    "规模单位": "capacity_unit",
}


def looks_like_mining_txt(head: str) -> bool:
    return any(_XY.match(line.strip()) for line in head.splitlines()[:400])


#: numeric 坐标系统 codes as one producer writes them (domain-facts §10.1): only what is known is mapped
_DATUM_CODES = {"2": "Xian 1980"}
_DATUM_NAMES = {"西安": "Xian 1980", "1980": "Xian 1980", "北京": "Beijing 1954", "1954": "Beijing 1954"}


def _datum(attrs: dict, path) -> str:
    """The datum the header names or codes (坐标系 / 坐标系统): CGCS2000, or a legacy one for the datum path.

    A legacy datum is converted only with the user's parameters (``[datum]`` in --config), else refused
    with a message saying how; a code that cannot be told is refused — never a silent CGCS2000.
    """
    for key in ("坐标系", "坐标系统"):
        value = attrs.get(key, "").strip()
        if not value:
            continue
        low = value.lower()
        if "2000" in low or "cgcs" in low:
            return "CGCS2000"
        if value in _DATUM_CODES:
            return _DATUM_CODES[value]
        for name, label in _DATUM_NAMES.items():
            if name in value:
                return label
        raise CRSError(
            t(
                "{path}: {key}={value} does not name CGCS2000 (2000国家大地坐标系) and is not a known datum "
                "code; convert the coordinates to CGCS2000, or state 坐标系=2000国家大地坐标系 if they already are",
                path=path,
                key=key,
                value=value,
            )
        )
    return "CGCS2000"


def _check_line_count(attrs: dict, have: int, path) -> None:
    """The header's total of XY lines (…拐点坐标与标高的总行数 / 拐点数) against the file: fewer means truncated."""
    key = next((k for k in attrs if "总行数" in k), None)
    if key is None:
        return
    try:
        declared = int(attrs[key].strip())
    except ValueError:
        raise InputError(
            t("{path}: {key}={value} is not a whole number", path=path, key=key, value=repr(attrs[key]))
        ) from None
    # producers differ on whether the total counts the two header lines above the XY lines (total = XY + 2);
    # a truncated file loses a ring's closing 标高 line first (refused above) or whole rings (≥ 4 lines)
    if not (declared - 2 <= have <= declared):
        what = t("the file is truncated") if have < declared else t("the count and the file disagree")
        raise InputError(
            t(
                "{path}: {key}={declared} but the file has {have} XY lines: {what}",
                path=path,
                key=key,
                declared=declared,
                have=have,
                what=what,
            )
        )


def read_mining_txt(path: str | Path, *, encoding: str | None = None, zone_width: int = 3):
    """Read a registration text into a GeoDataFrame (one row per included ring); returns ``(gdf, encoding)``."""
    path = Path(path)
    lines, used = read_text_lines(path, encoding)
    attrs: dict[str, str] = {}
    groups: list[dict] = []  # {"ring": Ring, "flag", "top", "bottom", "line"}
    current = Ring(1)
    xy_lines = 0
    for no, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("["):
            continue
        where = f"{path}, line {no}"
        m = _XY.match(line)
        if not m:
            key, sep, value = line.partition("=")
            if sep:
                attrs[key.strip()] = value.strip()
            continue
        fields = [f.strip() for f in m.group(1).split(",")]
        if fields[0] in ("标高", "*"):
            xy_lines += 1
            if len(fields) < 5:
                raise InputError(t("{where}: expected 标高,上限,下限,,标志, got {line}", where=where, line=repr(line)))
            try:
                # XYnnn=标高,,,, is the writer's default for "no elevation" (and no flag: an included ring)
                top = float(fields[1]) if fields[1] else None
                bottom = float(fields[2]) if fields[2] else None
                flag = int(fields[4]) if fields[4] else 1
            except ValueError:
                raise InputError(
                    t("{where}: elevations and flag must be numbers, got {line}", where=where, line=repr(line))
                ) from None
            if flag not in (1, -1):
                raise InputError(
                    t("{where}: ring flag {flag} is neither 1 (include) nor -1 (exclude)", where=where, flag=flag)
                )
            if not current.points:
                raise InputError(t("{where}: an elevation line closes a ring with no points", where=where))
            groups.append({"ring": current, "flag": flag, "top": top, "bottom": bottom, "line": current.lines[0]})
            current = Ring(len(groups) + 1)
            continue
        if len(fields) < 3:
            raise InputError(t("{where}: expected XYnnn=点号,X,Y, got {line}", where=where, line=repr(line)))
        try:
            x, y = float(fields[1]), float(fields[2])
        except ValueError:
            raise InputError(
                t(
                    "{where}: X and Y must be numbers, got {value}, {value2}",
                    where=where,
                    value=repr(fields[1]),
                    value2=repr(fields[2]),
                )
            ) from None
        current.points.append((x, y))
        current.lines.append(no)
        xy_lines += 1
    if current.points:
        raise InputError(
            t("{path}, line {value}: the last ring has no 标高 line closing it", path=path, value=current.lines[-1])
        )
    if not groups:
        raise InputError(t("{path}: no corner points (XYnnn= lines)", path=path))
    _check_line_count(attrs, xy_lines, path)
    datum = _datum(attrs, path)

    swapped, prefix = orient_plane_points([p for g in groups for p in g["ring"].points], str(path))
    stated = attrs.get("带号", "").strip()
    if stated and not stated.isdigit():
        raise InputError(t("{path}: 带号={stated} is not a whole zone number", path=path, stated=stated))
    zone = prefix if prefix is not None else (int(stated) if stated else None)
    if zone is None:
        raise CRSError(t("{path}: eastings have no zone prefix and there is no 带号=; pass --crs", path=path))
    width_text = str(attrs.get("几度分带", zone_width) or zone_width).strip()
    if width_text not in ("3", "6"):
        raise InputError(t("{path}: 几度分带={width_text} is not 3 or 6", path=path, width_text=width_text))
    crs = zone_crs(zone, int(width_text), prefixed=prefix is not None, datum=datum)

    features = []
    for g in groups:
        ring = g["ring"]
        pts = [(b, a) if not swapped else (a, b) for a, b in ring.points]
        check_points_in_zone(pts, ring.lines, crs, str(path))
        ring.points = pts
        geom = build_polygon([ring], t("{path}, ring at line {line}", path=path, line=g["line"]))
        if g["flag"] == 1:
            features.append({"geom": geom, "holes": [], **g})
            continue
        host = next((f for f in reversed(features) if f["geom"].contains(geom)), None)
        if host is None:
            raise InputError(
                t("{path}, line {line}: an excluded ring (flag -1) lies in no included ring", path=path, line=g["line"])
            )
        host["holes"].append(geom)
    base = {col: attrs[key] for key, col in _ATTRS.items() if attrs.get(key)}
    rows = []
    for i, f in enumerate(features, start=1):
        geom = f["geom"]
        for hole in f["holes"]:
            geom = geom.difference(hole)
        if isinstance(geom, Polygon) and not geom.is_valid:  # pragma: no cover - difference keeps validity
            geom = shapely.make_valid(geom)
        row = dict(base)
        if len(features) > 1:
            row["block_id"] = f"{base.get('block_id', path.stem)}-{i}"
        row.setdefault("block_id", path.stem)
        row.update(elev_top=f["top"], elev_bottom=f["bottom"], source=f"{path.name}:{f['line']}", geometry=geom)
        rows.append(row)
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=crs), used
