"""Corner-point tables (拐点坐标表 / 界址点成果表) in CSV or XLSX: read and write.

Reading: one row per vertex, columns found by name (case-insensitive):

==========  ===================================================
block id    block_id, 区块编号, 编号, 地块编号, 拐点所属区块, id
point       点号, 拐点号, 拐点编号, 序号, point
ring        圈号, ring (optional, default 1)
X (north)   x, x坐标, 北坐标, 纵坐标
Y (east)    y, y坐标, 东坐标, 横坐标
longitude   经度, lon, longitude (decimal, 113°45′30.123″, 113-45-30.123, 1134530.123)
latitude    纬度, lat, latitude
==========  ===================================================

Any other column (名称, 类型, 矿种 …) is taken from the block's first row. Writing produces the
界址点成果表: point number, X and Y to 2 decimals, longitude/latitude in DMS with seconds to 3 decimals,
clockwise, first point repeated.
"""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from ..errors import DataSourceError, InputError
from ..i18n import t
from .cells import csv_text, keep_text
from .corner_geometry import (
    MIN_RING_AREA_DEG2,
    MIN_RING_AREA_M2,
    Ring,
    build_polygon,
    check_points_in_zone,
    orient_plane_points,
    zone_crs,
)
from .dms import format_dms, parse_angle
from .textfile import decode_text

__all__ = ["corner_rows", "looks_like_corner_table", "read_corner_table", "write_corner_table"]

_COLUMNS = {
    "block": ("block_id", "区块编号", "编号", "地块编号", "拐点所属区块", "id"),
    "point": ("点号", "拐点号", "拐点编号", "界址点号", "序号", "point"),
    "ring": ("圈号", "ring"),
    "x": ("x", "x坐标", "北坐标", "纵坐标", "x(北)"),
    "y": ("y", "y坐标", "东坐标", "横坐标", "y(东)"),
    "lon": ("经度", "lon", "longitude"),
    "lat": ("纬度", "lat", "latitude"),
}


def _sheets(path: Path) -> tuple[list[tuple[str, list[list]]], str]:
    """Every sheet's non-empty rows (a CSV is one sheet), and the encoding."""
    if path.suffix.lower() == ".xlsx":
        try:
            import openpyxl

            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:
            raise DataSourceError(t("{path}: not a readable XLSX workbook ({exc})", path=path, exc=exc)) from None
        sheets = []
        for sheet in book.worksheets:
            rows = [list(r) for r in sheet.iter_rows(values_only=True)]
            sheets.append((sheet.title, [r for r in rows if any(v not in (None, "") for v in r)]))
        return sheets, "xlsx"
    text, used = decode_text(path.read_bytes())
    rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    return [(path.stem, rows)], used


def _squash(value) -> str:
    """A header cell as compared: spaces removed (``序 号`` → ``序号``), lower case."""
    return re.sub(r"\s+", "", str(value or "")).lower()


_X_SUB = ("x(m)", "x（m）", "x", "x坐标")
_Y_SUB = ("y(m)", "y（m）", "y", "y坐标")


def _official_layout(sheets, path: Path):
    """The 界址点成果表 layout (title rows, "第 1 页", a two-row header ``点 号 | 坐 标(…) [X(m) | Y(m)]``,
    point rows between edge-length rows, pages repeated in one sheet or one per sheet), or None.

    Returns ``(header, rows, note)``: a header the column finder understands (``block_id``, ``点号``,
    ``x``, ``y`` plus the datum the title names), the point rows of every page, and which rows were read.
    One table is one parcel; its id is the file's stem.
    """
    found = []
    for title, rows in sheets:
        for k in range(len(rows) - 1):
            top = [_squash(v) for v in rows[k]]
            below = [_squash(v) for v in rows[k + 1]]
            point_col = next((c for c, v in enumerate(top) if v in ("点号", "界址点号")), None)
            x_col = next((c for c, v in enumerate(below) if v in _X_SUB), None)
            y_col = next((c for c, v in enumerate(below) if v in _Y_SUB), None)
            if point_col is not None and x_col is not None and y_col is not None:
                found.append((title, k, point_col, x_col, y_col, " ".join(str(v or "") for v in rows[k])))
    if not found:
        return None
    data, read = [], []
    # one table per sheet when the workbook has several: the sheet's name is the parcel's id
    per_sheet = len({f[0] for f in found}) > 1
    ring_of: dict[str, list] = {}  # block -> [ring number, first point of the ring]
    for title, k, point_col, x_col, y_col, _ in found:
        rows = dict(sheets)[title]
        block = title if per_sheet else path.stem
        for r in range(k + 2, len(rows)):
            row = rows[r]
            if any(_squash(v) in ("点号", "界址点号") for v in row):  # the next page's header: done here
                break
            try:
                x, y = float(row[x_col]), float(row[y_col])
            except (TypeError, ValueError, IndexError):
                continue  # title lines, edge-length rows between points, page footers
            state = ring_of.setdefault(block, [1, None, 0])  # ring number, its first point, points so far
            if state[1] is None:
                state[1] = (x, y)
            state[2] += 1
            data.append([block, row[point_col], state[0], x, y])
            read.append(f"{title}!{r + 1}")
            if state[1] == (x, y) and state[2] > 1:  # the ring closed: the next point starts another
                state[0], state[1], state[2] = state[0] + 1, None, 0
    datum_text = " ".join(f[5] for f in found)
    header = ["block_id", "点号", "圈号", "x", "y", datum_text]
    pages = len(found)
    note = (
        t(
            "official corner-point table layout: {pages} page(s), {n} corner points read ({first} … {last})",
            pages=pages,
            n=len(data),
            first=read[0],
            last=read[-1],
        )
        if data
        else t("official corner-point table layout: {pages} page(s), no corner points", pages=pages)
    )
    return header, [[*r, None] for r in data], note


def _table(path: Path) -> tuple[list[str], list[list], str, str | None]:
    """(header, rows, encoding, note) of a CSV or an XLSX: a plain table (header in the first row, first
    sheet) or the official 界址点成果表 layout (see :func:`_official_layout`; the note says what was read)."""
    sheets, used = _sheets(path)
    official = _official_layout(sheets, path)
    if official is not None:
        header, rows, note = official
        return header, rows, used, note
    rows = sheets[0][1] if sheets else []
    if not rows:
        if path.suffix.lower() == ".xlsx":
            raise InputError(t("{path}: the first sheet is empty", path=path))
        raise InputError(t("{path}: the table is empty", path=path))
    return [str(h or "").strip() for h in rows[0]], rows[1:], used, None


def _find(header: list[str]) -> dict[str, int]:
    """Column roles by header name; a parenthesised note (``X坐标(西安80)``, ``Y（m）``) and spaces are ignored."""
    lower = [h.lower() for h in header]
    bare = [re.sub(r"\s+", "", re.sub(r"[(（][^)）]*[)）]$", "", h)) for h in lower]
    found = {}
    for role, names in _COLUMNS.items():
        for name in names:
            if name in lower:
                found[role] = lower.index(name)
                break
            if name in bare:
                found[role] = bare.index(name)
                break
    return found


def looks_like_corner_table(path: Path) -> bool:
    try:
        header = _table(path)[0]
    except Exception:
        return False
    cols = _find(header)
    return "block" in cols and (("x" in cols and "y" in cols) or ("lon" in cols and "lat" in cols))


#: geographic CRS of each datum a table header may name
_GEOGRAPHIC = {"CGCS2000": 4490, "Xian 1980": 4610, "Beijing 1954": 4214}
_HEADER_DATUMS = (
    ("西安", "Xian 1980"),
    ("1980", "Xian 1980"),
    ("80坐标", "Xian 1980"),
    ("北京", "Beijing 1954"),
    ("1954", "Beijing 1954"),
    ("54坐标", "Beijing 1954"),
)


def _header_datum(header) -> str:
    """The datum a header cell names (``坐 标(西安80坐标系)``): a legacy one goes through the datum path."""
    text = " ".join(str(h) for h in header if h)
    if "2000" in text or "cgcs" in text.lower():
        return "CGCS2000"
    return next((label for key, label in _HEADER_DATUMS if key in text), "CGCS2000")


def read_corner_table(path: str | Path, *, crs=None):
    """Read a corner-point table into a GeoDataFrame (one row per block); returns ``(gdf, encoding)``.

    Lon/lat tables are CGCS2000 geographic (EPSG:4490); X/Y tables take the zone from the eastings' prefix,
    else from ``crs``.
    """
    path = Path(path)
    header, rows, used, note = _table(path)
    cols = _find(header)
    if "block" not in cols:
        raise InputError(
            t("{path}: no block id column (expected one of {value})", path=path, value=", ".join(_COLUMNS["block"]))
        )
    # plane X/Y (2 decimals = 1 cm) win over DMS (0.001″ ≈ 3 cm) when a table has both
    geographic = not ("x" in cols and "y" in cols) and "lon" in cols and "lat" in cols
    if not geographic and not ("x" in cols and "y" in cols):
        raise InputError(t("{path}: no coordinate columns (expected X and Y, or 经度 and 纬度)", path=path))
    used_cols = {cols[k] for k in cols}
    blocks: dict[str, dict] = {}
    for i, row in enumerate(rows, start=2):
        row = list(row) + [None] * (len(header) - len(row))
        bid = row[cols["block"]]
        if bid in (None, ""):
            raise InputError(t("{path}, row {i}: empty block id", path=path, i=i))
        bid = str(int(bid)) if isinstance(bid, float) and bid.is_integer() else str(bid).strip()
        where = f"{path}, row {i}"
        try:
            if geographic:
                pt = (parse_angle(row[cols["lon"]], kind="lon"), parse_angle(row[cols["lat"]], kind="lat"))
            else:
                pt = (float(row[cols["x"]]), float(row[cols["y"]]))
        except (TypeError, ValueError) as exc:
            raise InputError(t("{where}: {exc}", where=where, exc=exc)) from None
        ring_no = int(float(row[cols["ring"]])) if "ring" in cols and row[cols["ring"]] not in (None, "") else 1
        block = blocks.setdefault(
            bid,
            {
                "rings": {},
                "attrs": {
                    header[j]: row[j]
                    for j in range(len(header))
                    if j not in used_cols and header[j] and row[j] not in (None, "")
                },
                "row": i,
            },
        )
        ring = block["rings"].setdefault(ring_no, Ring(ring_no))
        ring.points.append(pt)
        ring.lines.append(i)
    if not blocks:
        raise InputError(
            t("{path}: no corner points ({note})", path=path, note=note)
            if note
            else t("{path}: no corner points", path=path)
        )
    datum = _header_datum(header)
    if geographic:
        out_crs = pyproj.CRS.from_epsg(_GEOGRAPHIC[datum])
        swapped, zone_for_check = False, None
    else:
        pairs = [p for b in blocks.values() for r in b["rings"].values() for p in r.points]
        swapped, prefix = orient_plane_points(pairs, str(path))
        if prefix is not None:
            out_crs = zone_crs(prefix, 3 if prefix >= 25 else 6, prefixed=True, datum=datum)
        elif crs is not None:
            out_crs = pyproj.CRS.from_user_input(crs)
        else:
            raise InputError(t("{path}: eastings have no zone prefix; pass --crs (e.g. --crs 4547)", path=path))
        zone_for_check = out_crs
    records = []
    for bid, block in blocks.items():
        rings = []
        for ring in block["rings"].values():
            if not geographic:
                ring.points = [(b, a) if not swapped else (a, b) for a, b in ring.points]
                check_points_in_zone(ring.points, ring.lines, zone_for_check, str(path))
            rings.append(ring)
        geom = build_polygon(
            rings, f"{path}, block {bid}", min_area=MIN_RING_AREA_DEG2 if geographic else MIN_RING_AREA_M2
        )
        records.append({"block_id": bid, **block["attrs"], "source": f"{path.name}:{block['row']}", "geometry": geom})
    gdf = gpd.GeoDataFrame(records, geometry="geometry", crs=out_crs)
    gdf.attrs["notes"] = [note] if note else []
    return gdf, used


def corner_rows(gdf: gpd.GeoDataFrame, *, crs, id_column: str = "block_id", name_column: str = "name") -> list[dict]:
    """界址点成果表 rows: per block and ring, clockwise, first point repeated; X/Y 2 dp, DMS 3-decimal seconds."""
    data = gdf.to_crs(crs)
    to_ll = pyproj.Transformer.from_crs(crs, 4490, always_xy=True)
    out = []
    for i, (row, geom) in enumerate(zip(data.itertuples(), data.geometry.values)):
        if geom is None or geom.is_empty:
            continue
        bid = getattr(row, id_column, None) or str(i + 1)
        name = getattr(row, name_column, None) or ""
        ring_no, number = 0, 0
        for part in shapely.get_parts(geom):
            part = shapely.orient_polygons(part, exterior_cw=True)
            for ring in [part.exterior, *part.interiors]:
                ring_no += 1
                coords = np.asarray(ring.coords)
                lon, lat = to_ll.transform(coords[:, 0], coords[:, 1])
                first = number + 1
                for k, (east, north) in enumerate(coords):
                    label = first if k == len(coords) - 1 else number + 1
                    number += k < len(coords) - 1
                    out.append(
                        {
                            "区块编号": bid,
                            "区块名称": name,
                            "圈号": ring_no,
                            "点号": f"J{label}",
                            "X(北)": round(float(north), 2),
                            "Y(东)": round(float(east), 2),
                            "经度": format_dms(lon[k]),
                            "纬度": format_dms(lat[k]),
                        }
                    )
    return out


_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")


def write_official_table(gdf: gpd.GeoDataFrame, path: str | Path, *, crs, **kwargs) -> None:
    """Write the 界址点成果表 in the official layout, one sheet per block (XLSX).

    Title 界址点成果表 with 第 1 页 / 共 1 页, 权利人 (the block's name) and 宗地面积(公顷) (ellipsoidal), a
    two-row header ``序 号 | 点 号 | 坐 标(2000国家大地坐标系) [X(m) | Y(m)] | 边 长(m)``, each corner point
    followed by the length of the edge to the next, clockwise, each ring closed by its first point —
    the layout CCTool and the 勘测定界 tools print, which :func:`read_corner_table` reads back.
    """
    import openpyxl
    from openpyxl.styles import Alignment, Font

    from ..area import ellipsoidal_area

    rows = corner_rows(gdf, crs=crs, **kwargs)
    data = gdf.to_crs(crs)
    areas = dict(
        zip(
            [str(getattr(r, "block_id", None) or i + 1) for i, r in enumerate(data.itertuples())],
            ellipsoidal_area(data.geometry.values, crs),
        )
    )
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    by_block: dict[str, list] = {}
    for r in rows:
        by_block.setdefault(r["区块编号"], []).append(r)
    bold = Font(bold=True)
    used_titles = set()
    for bid, points in by_block.items():
        title = _SHEET_UNSAFE.sub("_", str(bid))[:31] or "block"
        while title in used_titles:
            title = (title[:28] + f"_{len(used_titles)}")[:31]
        used_titles.add(title)
        ws = wb.create_sheet(title)
        ws.append(["界 址 点 成 果 表", None, None, None, "第 1 页"])
        ws.append([None, None, None, None, "共 1 页"])
        ws.append([f"    权利人:{points[0]['区块名称']}"])
        ws.append([f"    宗地面积(公顷):{areas.get(str(bid), float('nan')) / 1e4:.4f}"])
        ws.append(["                         界  址  点  坐  标"])
        ws.append(["序 号", "点 号", "坐 标(2000国家大地坐标系)", None, "边 长(m)"])
        ws.append([None, None, "X(m)", "Y(m)", None])
        for cell in (*ws[6], *ws[7]):
            cell.font = bold
            cell.alignment = Alignment(horizontal="center")
        ws.merge_cells("C6:D6")
        row_no = 7
        for k, p in enumerate(points):
            ws.append([k + 1, p["点号"], p["X(北)"], p["Y(东)"], None])
            row_no += 1
            keep_text([ws.cell(row=row_no, column=2)])
            nxt = points[k + 1] if k + 1 < len(points) else None
            if nxt is not None and nxt["圈号"] == p["圈号"]:
                edge = math.hypot(nxt["X(北)"] - p["X(北)"], nxt["Y(东)"] - p["Y(东)"])
                ws.append([None, None, None, None, round(edge, 2)])
                row_no += 1
        for row in ws.iter_rows(min_row=8, min_col=3, max_col=5):
            for cell in row:
                cell.number_format = "0.00"
        for col, width in zip("ABCDE", (8, 10, 16, 16, 12)):
            ws.column_dimensions[col].width = width
    wb.save(path)


def write_corner_table(gdf: gpd.GeoDataFrame, path: str | Path, *, crs, layout: str = "flat", **kwargs) -> None:
    """Write the 界址点成果表 as XLSX (number formats, frozen header) or CSV (UTF-8 with BOM).

    ``layout="official"`` (XLSX only) writes the official printed layout (:func:`write_official_table`).
    """
    path = Path(path)
    if layout == "official":
        if path.suffix.lower() != ".xlsx":
            raise InputError(t("{path}: the official 界址点成果表 layout is written as .xlsx only", path=path))
        write_official_table(gdf, path, crs=crs, **kwargs)
        return
    if layout != "flat":
        raise InputError(t("unknown corner-table layout {layout}; expected flat or official", layout=repr(layout)))
    rows = corner_rows(gdf, crs=crs, **kwargs)
    header = ["区块编号", "区块名称", "圈号", "点号", "X(北)", "Y(东)", "经度", "纬度"]
    if path.suffix.lower() == ".xlsx":
        import openpyxl
        from openpyxl.styles import Font

        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "界址点成果表"
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for i, r in enumerate(rows, start=2):
            ws.append([r[h] for h in header])
            keep_text([ws.cell(row=i, column=1), ws.cell(row=i, column=2)])
        for row in ws.iter_rows(min_row=2, min_col=5, max_col=6):
            for cell in row:
                cell.number_format = "0.00"
        for col, width in zip("ABCDEFGH", (14, 40, 6, 8, 14, 14, 18, 16)):
            ws.column_dimensions[col].width = width
        ws.freeze_panes = "A2"
        wb.save(path)
    else:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=header)
        writer.writeheader()
        for r in rows:
            writer.writerow(
                {
                    **r,
                    "区块编号": csv_text(r["区块编号"]),
                    "区块名称": csv_text(r["区块名称"]),
                    "X(北)": f"{r['X(北)']:.2f}",
                    "Y(东)": f"{r['Y(东)']:.2f}",
                }
            )
        path.write_text(buffer.getvalue(), encoding="utf-8-sig")
