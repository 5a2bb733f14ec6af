"""Variants of the exchange formats the real-sample corpus lacks, written the way producers' code writes them."""

import pytest

import yangao_geo
from yangao_geo.errors import InputError
from yangao_geo.io.vector import read_vector

HEADER = (
    "[属性描述]\n格式版本号=1.0\n数据产生单位=示例单位\n数据产生日期=2024-5-20\n坐标系=2000国家大地坐标系\n"
    "几度分带=3\n投影类型=高斯克吕格\n计量单位=米\n带号=38\n精度=0.01\n转换参数=,,,,,,\n"
)


def _square(x0, y0, size, ring=1, start=1, closing=True):
    pts = [(y0, x0), (y0 + size, x0), (y0 + size, x0 + size), (y0, x0 + size)]
    if closing:
        pts.append(pts[0])
    return [f"J{start + i},{ring},{n:.2f},{e:.2f}" for i, (n, e) in enumerate(pts)]


def _write(tmp_path, name, text, encoding="gbk", newline="\n"):
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def _parcel(lines_after, head="5,{area},KC01,示例地块,面,,,,@", area="100.0000"):
    return head.format(area=area) + "\n" + "\n".join(lines_after) + "\n"


@pytest.mark.parametrize(
    ("encoding", "newline"),
    [
        ("utf-16-le", "\r\n"),
        ("utf-16-be", "\n"),
        ("utf-8-sig", "\r\n"),
        ("utf-8", "\r"),
        ("gbk", "\n"),
        ("gb18030", "\r\n"),
    ],
)
def test_encodings_and_line_ends(tmp_path, encoding, newline):
    body = HEADER + "[地块坐标]\n" + _parcel(_square(38_478_000, 4_469_000, 1000))
    data = body.replace("\n", newline).encode(encoding)
    if encoding.startswith("utf-16") and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        data = ("\ufeff" + body.replace("\n", newline)).encode(encoding)
    path = tmp_path / "p.txt"
    path.write_bytes(data)
    gdf, _info = read_vector(path)
    assert len(gdf) == 1 and gdf.name.iloc[0] == "示例地块"
    assert gdf.geometry.iloc[0].area == pytest.approx(1_000_000)


def test_encoding_option_reaches_the_sniffer(tmp_path):
    body = HEADER + "[地块坐标]\n" + _parcel(_square(38_478_000, 4_469_000, 1000))
    path = tmp_path / "nobom.txt"
    path.write_bytes(body.encode("utf-16-le"))  # no BOM: only --encoding can tell
    gdf, info = read_vector(path, encoding="utf-16-le")
    assert len(gdf) == 1 and info.encoding == "utf-16-le"


def test_eleven_field_parcel_line_and_full_width_brackets(tmp_path):
    head = "5,{area},140228,阳高县,KC09,十一字段地块,面,J50,采矿用地,0602,@"
    text = (
        HEADER.replace("[属性描述]", "【属性描述】")
        + "【地块坐标】\n"
        + _parcel(_square(38_478_000, 4_469_000, 1000), head=head)
    )
    gdf, _ = read_vector(_write(tmp_path, "eleven.txt", text))
    row = gdf.iloc[0]
    assert row.block_id == "KC09" and row["name"] == "十一字段地块" and row["地类编码"] == "0602"
    assert row.declared_area_km2 == pytest.approx(1.0)  # 100 公顷


def test_six_column_point_lines_parcels_by_number(tmp_path):
    lines = []
    for parcel, x0 in ((1, 38_478_000), (2, 38_480_000)):
        for _i, p in enumerate(_square(x0, 4_469_000, 500)):
            number, ring, n, e = p.split(",")
            lines.append(f"{len(lines) + 1},{parcel},{ring},{number},{n},{e}")
        lines.append("")
    text = HEADER + "[地块坐标]\n" + "\n".join(lines)
    gdf, _ = read_vector(_write(tmp_path, "six.txt", text))
    assert len(gdf) == 2 and list(gdf.geometry.area.round()) == [250_000, 250_000]


def test_zone_width_written_as_words_and_empty_zone(tmp_path):
    text = HEADER.replace("几度分带=3", "分带=6度带").replace("带号=38", "带号=")
    text += "[地块坐标]\n" + _parcel(_square(20_478_000, 4_469_000, 1000))
    gdf, _ = read_vector(_write(tmp_path, "six_degree.txt", text))
    assert gdf.crs.to_epsg() == 4498  # CGCS2000 6° zone 20, prefixed


def test_islands_nest_four_deep(tmp_path):
    rings = []
    for k, (offset, size) in enumerate(((0, 1000), (100, 800), (200, 600), (300, 400), (400, 200)), start=1):
        rings += _square(38_478_000 + offset, 4_469_000 + offset, size, ring=k, start=len(rings) + 1)
    text = HEADER + "[地块坐标]\n" + _parcel(rings, head=f"{len(rings)},,KC01,岛中岛,面,,,,@")
    gdf, _ = read_vector(_write(tmp_path, "deep.txt", text))
    geom = gdf.geometry.iloc[0]
    expected = 1000**2 - 800**2 + 600**2 - 400**2 + 200**2
    assert geom.geom_type == "MultiPolygon" and geom.area == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "km2", "unit"),
    [("700.0000公顷", 7.0, "公顷"), ("1500亩", 1.0, "亩"), ("1000000m²", 1.0, "m²"), ("1平方公里", 1.0, "km²")],
)
def test_area_unit_suffixes(tmp_path, text, km2, unit):
    body = HEADER + "[地块坐标]\n" + _parcel(_square(38_478_000, 4_469_000, 1000), area=text)
    gdf, info = read_vector(_write(tmp_path, "unit.txt", body, encoding="utf-8"))
    assert gdf.declared_area_km2.iloc[0] == pytest.approx(km2)
    assert any(unit in n for n in info.notes)


def test_empty_area_is_no_declared_area(tmp_path):
    body = HEADER + "[地块坐标]\n" + _parcel(_square(38_478_000, 4_469_000, 1000), area="")
    gdf, _ = read_vector(_write(tmp_path, "empty.txt", body))
    assert gdf.declared_area_km2.isna().all()


def test_near_collinear_ring_is_refused_with_its_lines(tmp_path):
    pts = [
        "J1,1,4469000.00,38478000.00",
        "J2,1,4470000.00,38479000.00",
        "J3,1,4469500.00,38478500.00",
        "J4,1,4469000.00,38478000.00",
    ]
    body = HEADER + "[地块坐标]\n" + _parcel(pts, head="4,,KC01,线,面,,,,@")
    with pytest.raises(InputError, match=r"ring 1 \(lines 14–17\).*collinear"):
        read_vector(_write(tmp_path, "flat.txt", body))


def test_registration_text_with_empty_elevations(tmp_path):
    text = (
        "[登记项目]\n许可证号=C1402282020017130000999\n矿山名称=示例\n开采矿种=铁\n"
        "矿区范围拐点坐标总数应小于1000个\n矿区范围拐点坐标与标高的总行数=5\n"
        "XY001=1,4469000.00,38478000.00\nXY002=2,4470000.00,38478000.00\nXY003=3,4470000.00,38479000.00\n"
        "XY004=4,4469000.00,38479000.00\nXY005=标高,,,,\n"
    )
    gdf, _ = read_vector(_write(tmp_path, "empty_elev.txt", text))
    assert len(gdf) == 1 and gdf.elev_top.isna().all() and gdf.geometry.iloc[0].area == pytest.approx(1e6)


def test_official_corner_table_layout_two_pages_one_sheet(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    pts = [
        (4469000.0, 38478000.0),
        (4470000.0, 38478000.0),
        (4470000.0, 38479000.0),
        (4469000.0, 38479000.0),
        (4469000.0, 38478000.0),
    ]

    def page(no, points, start):
        ws.append(["界 址 点 成 果 表", None, None, None, f"第 {no} 页"])
        ws.append([None, None, None, None, "共 2 页"])
        ws.append(["    权利人:阳高县示例矿业"])
        ws.append(["    宗地面积(公顷):100.0000"])
        ws.append(["序 号", "点 号", "坐 标(2000国家大地坐标系)", None, "边 长(m)"])
        ws.append([None, None, "X(m)", "Y(m)", None])
        for i, (x, y) in enumerate(points, start=start):
            ws.append([i, f"J{i}", x, y, None])
            ws.append([None, None, None, None, 1000.0])

    page(1, pts[:3], 1)
    page(2, pts[3:], 4)
    path = tmp_path / "界址点成果表.xlsx"
    wb.save(path)
    table, loaded = yangao_geo.read_blocks(path, kind="mining")
    assert len(table) == 1 and table.geometry.iloc[0].area == pytest.approx(1e6, rel=1e-3)
    assert any("2 page(s), 5 corner points" in n for n in loaded.info.notes)


def test_batch_discovers_text_formats_by_content_and_lists_what_it_skipped(tmp_path, capsys):
    import json

    from yangao_geo.cli.main import main

    subs = tmp_path / "subs"
    subs.mkdir()
    _write(subs, "parcel.dat", HEADER + "[地块坐标]\n" + _parcel(_square(38_478_000, 4_469_000, 1000)))
    (subs / "notes.txt").write_text("meeting notes, not coordinates", encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(SystemExit):
        main(["check", "-q", str(subs), str(subs / "parcel.dat"), "-o", str(out), "--kind", "exploration"])
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    assert [r["input"].rsplit("/", 1)[-1] for r in index["inputs"]] == ["parcel.dat"]
    assert [s["path"].rsplit("/", 1)[-1] for s in index["skipped"]] == ["notes.txt"]


def _dxf(tmp_path, lines, layers=None):
    import warnings

    import geopandas as gpd

    gdf = gpd.GeoDataFrame({"Layer": layers or ["blocks"] * len(lines)}, geometry=lines, crs=None)
    path = tmp_path / "survey.dxf"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gdf.to_file(path, driver="DXF")
    return path


def test_dxf_closed_polylines_become_blocks_with_holes_and_islands(tmp_path):
    import shapely

    def ring(x, y, s):
        return shapely.box(38_478_000 + x, 4_469_000 + y, 38_478_000 + x + s, 4_469_000 + y + s).exterior

    path = _dxf(
        tmp_path,
        [
            ring(0, 0, 1000),
            ring(100, 100, 800),
            ring(300, 300, 400),
            ring(3000, 0, 500),
            shapely.LineString([(38_470_000, 4_460_000), (38_470_100, 4_460_100)]),
        ],
        ["blocks", "blocks", "blocks", "blocks", "roads"],
    )
    table, loaded = yangao_geo.read_blocks(path, kind="exploration", layer="blocks")
    assert len(table) == 3  # the outer block with its hole, the island in the hole, the separate square
    assert sorted(round(a) for a in table.geometry.area) == sorted([1000**2 - 800**2, 400**2, 500**2])
    assert loaded.info.crs == "EPSG:4526" and loaded.info.crs_inferred  # zone 38 from the prefix, D103
    with pytest.raises(InputError, match=r"open polyline\(s\) .*entity handle"):
        yangao_geo.read_blocks(path, kind="exploration")  # the roads layer holds an open line
    with pytest.raises(InputError, match="no CAD layer 'nope'"):
        yangao_geo.read_blocks(path, kind="exploration", layer="nope")


def test_official_corner_table_written_and_read_back(tmp_path):
    import openpyxl

    from yangao_geo.convert import convert

    fixtures = __import__("pathlib").Path(__file__).parent / "fixtures"
    out = tmp_path / "jzd.xlsx"
    convert(fixtures / "mining_gbk.txt", out, table_layout="official")
    wb = openpyxl.load_workbook(out)
    ws = wb.worksheets[0]
    cells = [c for row in ws.iter_rows(max_row=7, values_only=True) for c in row if c]
    assert "界 址 点 成 果 表" in cells and "第 1 页" in cells and "X(m)" in cells and "边 长(m)" in cells
    back, _ = read_vector(out)
    source, _ = read_vector(fixtures / "mining_gbk.txt")
    assert len(back) == len(wb.worksheets) == len(source)
    assert sorted(round(g.area, 2) for g in back.geometry) == sorted(round(g.area, 2) for g in source.geometry)
    with pytest.raises(InputError, match=r"official .* written as \.xlsx only"):
        convert(fixtures / "mining_gbk.txt", tmp_path / "jzd.csv", table_layout="official")
