"""Chinese coordinate formats: land-survey TXT, registration text, corner tables; DMS; round trips."""

import shutil

import pytest
import shapely

import yangao_geo
from conftest import FIXTURES, empty_layer, findings
from yangao_geo.convert import convert
from yangao_geo.errors import CRSError, InputError
from yangao_geo.io.dms import format_dms, parse_angle
from yangao_geo.io.formats import sniff_text_format
from yangao_geo.io.land_txt import read_land_txt
from yangao_geo.io.mining_txt import read_mining_txt
from yangao_geo.layers import REQUIRED_LAYERS

NO_CONSTRAINTS = {name: empty_layer() for name in REQUIRED_LAYERS}


@pytest.mark.parametrize(
    ("text", "kind", "degrees"),
    [
        ("113°45′30.123″", "lon", 113.7583675),
        ("113-45-30.123", "lon", 113.7583675),
        ("1134530.123", "lon", 113.7583675),
        ("113.7583675", "lon", 113.7583675),
        ("400130.5", "lat", 40.025138888),
        ("40°01′30.5″", "lat", 40.025138888),
        ("113度45分30.123秒", "lon", 113.7583675),
    ],
)
def test_angles_in_every_notation(text, kind, degrees):
    assert parse_angle(text, kind=kind) == pytest.approx(degrees, abs=1e-8)


@pytest.mark.parametrize("text", ["abc", "113-61-00", "1134561.0", "", "200"])
def test_bad_angles_are_errors(text):
    with pytest.raises(ValueError):
        parse_angle(text, kind="lon")


def test_dms_formatting_carries_seconds_to_minutes():
    assert format_dms(40 + 59 / 60 + 59.9999 / 3600) == "41°00′00.000″"
    assert format_dms(parse_angle("113°45′30.123″")) == "113°45′30.123″"


def test_land_txt_gbk_with_hole_and_multipart():
    gdf, encoding = read_land_txt(FIXTURES / "land_gbk.txt")
    assert encoding == "gb18030" and gdf.crs.to_epsg() == 4526
    assert list(gdf.block_id) == ["DK01", "DK02"] and list(gdf.name) == ["带孔地块", "两块地"]
    hole, multi = gdf.geometry
    assert len(hole.interiors) == 1 and hole.area == pytest.approx(1_000_000 - 40_000)
    assert multi.geom_type == "MultiPolygon" and multi.area == pytest.approx(1_250_000)
    assert list(gdf.declared_area_km2) == [0.96, 1.25]
    assert list(gdf.source) == ["land_gbk.txt:13", "land_gbk.txt:24"]
    assert hole.exterior.coords[0] == (38478000.0, 4469000.0)  # (easting, northing)


def test_land_txt_easting_first_without_prefix_utf8_bom():
    gdf, encoding = read_land_txt(FIXTURES / "land_swapped_utf8bom.txt")
    assert encoding == "utf-8-sig" and gdf.crs.to_epsg() == 4547
    assert gdf.geometry.iloc[0].bounds == (478000.0, 4469000.0, 479000.0, 4470000.0)


@pytest.mark.parametrize(
    ("name", "error", "match"),
    [
        ("land_bad_number.txt", InputError, r"line 8: X '4470000.OO' is not a number"),
        ("land_bowtie.txt", InputError, r"parcel at line 6, ring 1 \(lines 7–10\): the ring crosses itself"),
        ("land_two_points.txt", InputError, "2 distinct points; a ring needs at least 3"),
        ("land_outside_zone.txt", InputError, r"line 8: point \(4470000.00, 38778000.00\) lies outside zone"),
        ("land_zone_mismatch.txt", InputError, "zone prefix 38 but 带号=39"),
        ("land_xian80.txt", CRSError, "Xian 1980"),
        ("mining_bad_flag.txt", InputError, r"line 21: ring flag 2 is neither 1 \(include\) nor -1"),
        ("mining_unclosed.txt", InputError, "the last ring has no 标高 line"),
    ],
)
def test_broken_text_files_name_file_line_and_expectation(name, error, match):
    with pytest.raises(error, match=match) as exc:
        yangao_geo.check(FIXTURES / name, NO_CONSTRAINTS, kind="exploration")
    assert name in str(exc.value)


def test_mining_registration_text_holes_parts_and_elevations():
    gdf, encoding = read_mining_txt(FIXTURES / "mining_gbk.txt")
    assert encoding == "gb18030" and gdf.crs.to_epsg() == 4526
    assert list(gdf.block_id) == ["C1402282020017130000999-1", "C1402282020017130000999-2"]
    first, second = gdf.geometry
    assert first.area == pytest.approx(1_000_000 - 40_000) and len(first.interiors) == 1
    assert second.area == pytest.approx(250_000)
    assert list(gdf.elev_top) == [1500, 1300] and list(gdf.elev_bottom) == [1200, 1100]
    assert set(gdf.mineral) == {"铁"} and set(gdf.name) == {"阳高县示例铁矿"}


def test_corner_table_lonlat_in_mixed_notations():
    report = yangao_geo.check(FIXTURES / "corners_lonlat.csv", NO_CONSTRAINTS)
    assert list(report.blocks.block_id) == ["G1", "G2"] and list(report.blocks.mineral) == ["铁", "金"]
    b305 = findings(report, "B305")
    assert "touches 4 and covers 4 whole" in b305.message.iloc[0]  # a 2′×2′ block on the grid
    assert report.inputs[0].crs == "EPSG:4490"


def test_corner_table_xy_gbk_with_prefix():
    report = yangao_geo.check(FIXTURES / "corners_xy_gbk.csv", NO_CONSTRAINTS, kind="mining")
    assert report.inputs[0].crs == "EPSG:4526" and report.inputs[0].encoding == "gb18030"
    assert report.blocks.area_m2.iloc[0] == pytest.approx(1e6, rel=2e-4)


def test_corner_table_xlsx(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["区块编号", "点号", "经度", "纬度", "类型"])
    for i, (lon, lat) in enumerate(
        [
            ("113°45′00″", "40°00′00″"),
            ("113°46′00″", "40°00′00″"),
            ("113°46′00″", "40°01′00″"),
            ("113°45′00″", "40°01′00″"),
        ],
        start=1,
    ):
        ws.append(["X1", i, lon, lat, "勘查"])
    wb.save(tmp_path / "corners.xlsx")
    report = yangao_geo.check(tmp_path / "corners.xlsx", NO_CONSTRAINTS)
    assert report.blocks.area_m2.iloc[0] == pytest.approx(2_633_482.35, abs=0.05)
    assert findings(report, "B301").empty  # exactly one basic unit block: not below it


def test_formats_are_detected_by_content_not_suffix(tmp_path):
    for src, kind in [("land_gbk.txt", "land_txt"), ("mining_gbk.txt", "mining_txt")]:
        disguised = tmp_path / f"{src}.dat"
        shutil.copy(FIXTURES / src, disguised)
        assert sniff_text_format(disguised) == kind
    assert sniff_text_format(FIXTURES / "corners_lonlat.csv") == "corner_table"


def test_check_on_a_txt_file_names_the_source_line(tmp_path, capsys):
    from test_cli import cli

    out = tmp_path / "r.json"
    code, _ = cli("check", str(FIXTURES / "land_gbk.txt"), "--kind", "exploration", "-q", "-o", str(out), capsys=capsys)
    assert code == 1  # both parcels are below one basic unit block
    import json

    doc = json.loads(out.read_text(encoding="utf-8"))
    assert [b["source"] for b in doc["blocks"]] == ["land_gbk.txt:13", "land_gbk.txt:24"]
    assert doc["inputs"][0]["encoding"] == "gb18030"


def test_land_txt_round_trip_reproduces_coordinates_to_the_stated_precision(tmp_path):
    first = tmp_path / "a.txt"
    convert(FIXTURES / "land_gbk.txt", first)
    second = tmp_path / "b.txt"
    convert(first, second)
    assert first.read_bytes() == second.read_bytes()
    original, _ = read_land_txt(FIXTURES / "land_gbk.txt")
    again, _ = read_land_txt(second)
    for a, b in zip(original.geometry, again.geometry):
        assert a.normalize().equals_exact(b.normalize(), tolerance=0.005)
    text = second.read_bytes().decode("gbk")
    assert "带号=38" in text and "J1,1,4469000.00,38478000.00" in text


def test_written_txt_is_clockwise_with_first_point_repeated(tmp_path):
    from yangao_geo.convert import write_blocks
    from yangao_geo.io.vector import read_vector

    out = tmp_path / "o.txt"
    # polygons that do not come from a TXT as read are written in the canonical layout
    gdf, _ = read_vector(FIXTURES / "land_swapped_utf8bom.txt")
    gdf = gdf.drop(columns=["_land_txt", "_land_txt_wkb"])
    gdf.attrs.clear()
    write_blocks(gdf, out, encoding="gbk")
    lines = out.read_bytes().decode("gbk").splitlines()
    pts = [tuple(map(float, ln.split(",")[2:4])) for ln in lines if ln.startswith("J")]
    assert pts[0] == pts[-1] and lines[-1].startswith("J1,")
    ring = shapely.LinearRing([(e, n) for n, e in pts])
    assert not ring.is_ccw


def test_corner_xlsx_output_has_two_decimal_xy_and_three_decimal_seconds(tmp_path):
    import openpyxl

    out = tmp_path / "jzd.xlsx"
    convert(FIXTURES / "land_gbk.txt", out)
    ws = openpyxl.load_workbook(out).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("区块编号", "区块名称", "圈号", "点号", "X(北)", "Y(东)", "经度", "纬度")
    assert rows[1][:6] == ("DK01", "带孔地块", 1, "J1", 4469000.0, 38478000.0)
    assert rows[1][6].endswith("″") and len(rows[1][6].split("′")[1]) == len("00.000″")
    assert ws["E2"].number_format == "0.00"
    # reading the table back gives the same polygons
    back = yangao_geo.check(out, NO_CONSTRAINTS, kind="exploration")
    assert list(back.blocks.block_id) == ["DK01", "DK02"]


def test_zone_and_prefix_on_output(tmp_path):
    out = tmp_path / "z.txt"
    convert(FIXTURES / "land_gbk.txt", out, prefix=False)
    text = out.read_bytes().decode("gbk")
    assert "J1,1,4469000.00,478000.00" in text
    out6 = tmp_path / "z6.txt"
    convert(FIXTURES / "land_gbk.txt", out6, zone=19, zone_width=6)
    assert "带号=19" in out6.read_bytes().decode("gbk") and ",19" in out6.read_bytes().decode("gbk")


def test_report_overlaps_convert_to_txt(tmp_path):
    report = yangao_geo.check()
    path = tmp_path / "r.gpkg"
    report.to_file(path)
    out = tmp_path / "overlaps.txt"
    n = convert(path, out, layer="findings")
    f = report.findings
    pieces = f[f.overlap_m2.notna() & f.layer.notna()]  # overlap pieces only, not whole-block findings
    assert 0 < n == len(pieces) < len(f)
    text = out.read_bytes().decode("gbk")
    assert "KC03-B304-JZ05" in text and "B301" not in text
