"""Verdicts a bureau can sign: every case here was a silent false pass or false fail once (issue 11)."""

import json
import math

import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry import Polygon

import yangao_geo
from conftest import FIXTURES, blocks, findings, frame, layer, present_layer, run
from geoms import SQUARE, X0, Y0, box
from yangao_geo.errors import CRSError, DataSourceError, InputError
from yangao_geo.layers import REQUIRED_LAYERS
from yangao_geo.overlap import narrow_pieces

TO_LONLAT = pyproj.Transformer.from_crs(4547, 4490, always_xy=True)


def lonlat(geom):
    """A geometry of the catalogue (EPSG:4547) with its vertices in EPSG:4490."""
    return shapely.transform(geom, lambda xy: np.column_stack(TO_LONLAT.transform(xy[:, 0], xy[:, 1])))


def lonlat_box(west, south, east, north):
    return shapely.box(west, south, east, north)


# ------------------------------------------------------------------------------ outside the county
@pytest.mark.parametrize(
    ("label", "geom"),
    [
        ("10 km west of the county", lonlat_box(113.30, 40.10, 113.33, 40.12)),
        ("Guangzhou", lonlat_box(113.26, 23.12, 113.29, 23.14)),
        ("Urumqi", lonlat_box(87.60, 43.80, 87.63, 43.82)),
    ],
)
def test_a_block_wholly_outside_the_county_fails(label, geom):
    gdf = frame([geom], crs=4490, block_id=["FAR"], kind=["exploration"], mineral=["铁"])
    report = yangao_geo.check(gdf)  # the bundled layers, county boundary included
    d104 = findings(report, "D104")
    assert list(d104.severity) == ["fail"], label
    assert "wholly outside" in d104.message.iloc[0]
    assert report.blocks.status.iloc[0] == "fail" and report.exit_code() == 1


def test_outside_verdict_does_not_depend_on_the_other_blocks():
    far = lonlat_box(113.30, 40.10, 113.33, 40.12)
    inside = lonlat(SQUARE)
    alone = yangao_geo.check(frame([far], crs=4490, block_id=["FAR"], kind=["exploration"], mineral=["铁"]))
    together = yangao_geo.check(
        frame([inside, far], crs=4490, block_id=["IN", "FAR"], kind=["exploration"] * 2, mineral=["铁"] * 2)
    )

    def of(report, block):
        f = report.findings[report.findings.block_id == block]
        return sorted(zip(f.rule_id, f.severity, f.message))

    assert of(alone, "FAR") == of(together, "FAR") and of(alone, "FAR")


def test_without_a_county_layer_the_stated_extent_still_fails_a_far_block():
    guangzhou = lonlat_box(113.26, 23.12, 113.29, 23.14)
    report = run(frame([guangzhou], crs=4490, block_id=["G"], kind=["exploration"], mineral=["铁"]))
    d104 = findings(report, "D104")
    assert list(d104.severity) == ["fail"] and "as the plan states it" in d104.message.iloc[0]


def test_a_block_moved_250_km_by_a_wrong_crs_fails():
    import geopandas as gpd

    from yangao_geo.layers import bundled_blocks_path

    # the bundled blocks' EPSG:4547 numbers declared as CM 117°E: the same numbers, 250 km east
    moved = gpd.read_file(bundled_blocks_path()).to_crs(4547).set_crs(4548, allow_override=True)
    report = yangao_geo.check(moved)
    assert set(findings(report, "D104").severity) == {"fail"}
    assert (report.blocks.status == "fail").all()


# ------------------------------------------------------------------------------ coverage
def test_layers_of_another_county_are_a_finding_not_a_pass():
    elsewhere = frame([box(300_000, 0, 500, 500)], feature_id=["X"])  # 300 km east: another county
    constraints = {name: elsewhere for name in REQUIRED_LAYERS}
    report = yangao_geo.check(blocks([SQUARE], mineral="铁"), constraints)
    d108 = findings(report, "D108")
    assert set(d108.layer) == set(REQUIRED_LAYERS) and set(d108.severity) == {"fail"}
    assert report.blocks.status.iloc[0] == "fail"


def test_farmland_far_from_the_block_is_a_coverage_finding():
    distant = layer([box(-8_000, -8_000, 100, 100)])
    report = run(blocks([SQUARE], mineral="铁"), basic_farmland=distant)
    d108 = findings(report, "D108")
    assert list(d108.layer) == ["basic_farmland"] and "no data within 2000 m" in d108.message.iloc[0]
    near = run(blocks([SQUARE], mineral="铁"), basic_farmland=layer([box(-1500, 0, 100, 100)]))
    assert findings(near, "D108").empty


def test_an_empty_required_layer_is_at_least_a_warning():
    report = run(blocks([SQUARE], mineral="铁"), mining_rights=frame([], feature_id=[]))
    d108 = findings(report, "D108")
    assert list(d108.layer) == ["mining_rights"] and list(d108.severity) == ["warn"]
    assert report.blocks.status.iloc[0] != "pass"


# ------------------------------------------------------------------------------ validity as stated
def _bowtie_4490():
    w, s = 113.70, 40.10
    return Polygon([(w, s), (w + 0.02, s + 0.01), (w + 0.02, s), (w, s + 0.01)])


def test_a_bowtie_in_lonlat_is_reported_with_both_areas_and_keeps_both_lobes():
    bowtie = _bowtie_4490()
    report = run(frame([bowtie], crs=4490, block_id=["BT"], kind=["exploration"], mineral=["铁"]))
    d101 = findings(report, "D101")
    assert len(d101) == 1 and "Self-intersection" in d101.message.iloc[0]
    assert "as stated in the file" in d101.message.iloc[0] and "after repair" in d101.message.iloc[0]
    both_lobes = shapely.make_valid(bowtie, method="structure")
    expected = yangao_geo.area.geodesic_area([yangao_geo.crs.to_analysis_crs([both_lobes], 4490)[0]], 4547)[0]
    assert report.blocks.area_m2.iloc[0] == pytest.approx(expected, rel=1e-6)  # both lobes, not one


def test_an_invalid_red_line_in_lonlat_keeps_the_lobe_that_covers_the_block():
    redline = _bowtie_4490()  # two lobes; a block in the right-hand lobe
    block = lonlat_box(113.716, 40.1035, 113.7195, 40.1065)
    report = run(
        frame([block], crs=4490, block_id=["IN"], kind=["exploration"], mineral=["铁"]),
        eco_redline=frame([redline], crs=4490, feature_id=["R1"]),
    )
    o202 = findings(report, "O202")
    assert list(o202.severity) == ["fail"]
    assert o202.overlap_m2.iloc[0] == pytest.approx(report.blocks.area_m2.iloc[0], rel=1e-6)
    d101 = findings(report, "D101")
    assert list(d101.feature_id) == ["R1"] and d101.block_id.isna().all()


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_a_non_finite_vertex_is_an_input_error_naming_the_feature(bad):
    good = lonlat(SQUARE)
    coords = list(lonlat(box(3000, 0, 1000, 1000)).exterior.coords)
    coords[2] = (coords[2][0], bad)
    gdf = frame([good, Polygon(coords)], crs=4490, block_id=["A", "B"], kind=["exploration"] * 2)
    with pytest.raises(InputError, match=r"feature 2 .*NaN or infinite"):
        run(gdf)


# ------------------------------------------------------------------------------ truncated files
def test_a_truncated_land_txt_is_refused(tmp_path):
    lines = (FIXTURES / "land_gbk.txt").read_bytes().decode("gbk").splitlines()
    cut = tmp_path / "cut.txt"
    cut.write_bytes("\n".join(lines[:-2]).encode("gbk"))
    with pytest.raises(InputError, match=r"declares .* points .*truncated"):
        yangao_geo.read_blocks(cut, kind="exploration")


def test_a_mining_txt_that_lost_a_ring_is_refused(tmp_path):
    text = (FIXTURES / "mining_gbk.txt").read_bytes().decode("gbk")
    lines = text.splitlines()
    cut = tmp_path / "cut.txt"
    cut.write_bytes("\n".join(lines[:-5]).encode("gbk"))  # the last ring (4 points + its 标高 line)
    with pytest.raises(InputError, match="总行数=17 but the file has 10 XY lines: the file is truncated"):
        yangao_geo.read_blocks(cut, kind="mining")


def test_a_shapefile_whose_dbf_has_more_records_than_shapes_is_refused(tmp_path):
    full = tmp_path / "full.shp"
    blocks([SQUARE, box(3000, 0, 500, 500)], mineral="铁").to_file(full)
    short = tmp_path / "short.shp"
    blocks([SQUARE], mineral="铁").to_file(short)
    mixed = tmp_path / "mixed"
    for ext in (".shp", ".shx"):
        (tmp_path / f"mixed{ext}").write_bytes(short.with_suffix(ext).read_bytes())
    for ext in (".dbf", ".prj"):
        (tmp_path / f"mixed{ext}").write_bytes(full.with_suffix(ext).read_bytes())
    with pytest.raises(DataSourceError, match=r"\.dbf has 2 records but the \.shp/\.shx have 1 shapes"):
        yangao_geo.read_blocks(mixed.with_suffix(".shp"))


# ------------------------------------------------------------------------------ settings
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rules": ""}, "selects no rule"),
        ({"config": {"rules": []}}, "selects no rule"),
        ({"config": {"rule": {"B301": {"cell_minutes": 0}}}}, "cell_minutes must be > 0"),
        ({"config": {"rule": {"D105": {"relative_tolerance": math.nan}}}}, "finite"),
        ({"config": {"rule": {"A403": {"enabled": "no"}}}}, "enabled must be true or false"),
        ({"config": {"rule": {"B305": {"severity": "warning"}}}}, "severity must be one of fail, warn, info"),
        ({"config": {"tolerance_m2": True}}, "must be a number"),
        ({"config": {"rule": {"B301": {"cell_minutes": "1"}}}}, "must be a number"),
        ({"config": {"edges": "curved"}}, "edges: unknown value 'curved'"),
        ({"config": {"regulations": "2030"}}, "regulations: unknown value '2030'"),
    ],
)
def test_settings_that_would_switch_checks_off_are_refused(kwargs, message):
    with pytest.raises(InputError, match=message):
        run(blocks([SQUARE], mineral="铁"), **kwargs)


def test_every_rule_disabled_is_refused():
    from yangao_geo.rules import RULES

    config = {"rule": {code: {"enabled": False} for code in RULES}}
    with pytest.raises(InputError, match="every selected rule is disabled"):
        run(blocks([SQUARE], mineral="铁"), config=config)


# ------------------------------------------------------------------------------ datums named by headers
def test_a_registration_text_coding_xian_1980_is_not_read_as_cgcs2000(tmp_path):
    text = (FIXTURES / "mining_gbk.txt").read_bytes().decode("gbk")
    coded = tmp_path / "xian.txt"
    coded.write_bytes(text.replace("[登记项目]", "[登记项目]\n坐标系统=2").encode("gbk"))
    with pytest.raises(CRSError, match="Xian 1980"):
        yangao_geo.read_blocks(coded, kind="mining")
    unknown = tmp_path / "code9.txt"
    unknown.write_bytes(text.replace("[登记项目]", "[登记项目]\n坐标系统=9").encode("gbk"))
    with pytest.raises(CRSError, match="坐标系统=9 does not name CGCS2000"):
        yangao_geo.read_blocks(unknown, kind="mining")


# ------------------------------------------------------------------------------ truncated field names
@pytest.mark.parametrize("encoding", ["gbk", "utf-8"])
def test_field_names_cut_at_10_bytes_are_recognised(tmp_path, encoding):
    from yangao_geo.attributes import truncated_forms

    capacity = sorted(truncated_forms("设计生产规模"), key=len)[1 if encoding == "gbk" else 0]
    scale = sorted(truncated_forms("资源储量规模"), key=len)[1 if encoding == "gbk" else 0]
    gdf = frame(
        [SQUARE],
        **{
            "编号": ["M1"],
            "类型": ["开采"],
            "矿种": ["金"],
            "勘查程度": ["勘探"],
            capacity: [1.0],
            "规模单位": ["万吨/年"],
            scale: ["小型"],
        },
    )
    report = run(gdf)
    a402 = findings(report, "A402")
    assert list(a402.severity) == ["fail"]  # 1 万吨/年 < the minimum: read, not lost
    notes = report.inputs[0].notes
    assert any(f"{capacity!r} read as capacity" in n for n in notes)


# ------------------------------------------------------------------------------ hair-line slivers
def test_width_measure_on_thin_pieces_necks_and_fat_bodies():
    strip = shapely.box(0, 0, 1000, 0.001)
    thin_ring = shapely.box(0, 0, 1000, 1000).difference(shapely.box(0.01, 0.01, 999.99, 999.99))
    neck = shapely.union_all([shapely.box(0, 0, 1000, 0.001), shapely.box(1000, -5, 1010, 5)])
    wide = shapely.box(0, 0, 1000, 0.2)
    two_hairs = shapely.MultiPolygon([shapely.box(0, 0, 500, 0.01), shapely.box(0, 10, 500, 10.02)])
    hair_and_body = shapely.MultiPolygon([shapely.box(0, 0, 500, 0.01), shapely.box(0, 10, 10, 20)])
    got = narrow_pieces(np.array([strip, thin_ring, neck, wide, two_hairs, hair_and_body], dtype=object), 0.05)
    assert got.tolist() == [True, True, False, False, True, False]


def _gk_right_and_lonlat_block():
    """A mining right in zone 38 (prefixed) and a lon/lat block sharing its 5 km east edge at the vertices."""
    to_38 = pyproj.Transformer.from_crs(4547, 4526, always_xy=True)
    right = shapely.transform(box(-1000, 0, 1000, 5000), lambda xy: np.column_stack(to_38.transform(*xy.T)))
    block = lonlat(box(0, -300, 2000, 5600))  # its west edge runs along the right's east edge (x = X0)
    # put the block's west-edge vertices exactly on the right's east-edge vertices
    block_coords = np.array(block.exterior.coords)
    east_edge = [TO_LONLAT.transform(X0, Y0), TO_LONLAT.transform(X0, Y0 + 5000)]
    sw, nw = TO_LONLAT.transform(X0, Y0 - 300), TO_LONLAT.transform(X0, Y0 + 5300)
    block = Polygon([sw, east_edge[0], east_edge[1], nw, *block_coords[[2, 1]].tolist()])
    return right, shapely.make_valid(block) if not block.is_valid else block


def test_a_lonlat_block_along_a_gauss_kruger_right_is_not_a_fail():
    right, block = _gk_right_and_lonlat_block()
    gdf = frame([block], crs=4490, block_id=["LL"], kind=["exploration"], mineral=["铁"])
    report = run(gdf, mining_rights=frame([right], crs=4526, right_id=["C1"], right_type=["采矿权"]))
    o201 = findings(report, "O201")
    assert "fail" not in set(o201.severity)
    assert set(o201.severity) <= {"info"}
    # with no width tolerance the same piece is what it was before: a measurable overlap
    strict = run(
        gdf,
        config={"width_tolerance_m": 0.0},
        mining_rights=frame([right], crs=4526, right_id=["C1"], right_type=["采矿权"]),
    )
    assert list(findings(strict, "O201").severity) == ["fail"]  # > 1 m², a few mm wide


@pytest.mark.parametrize(("block_crs", "layer_crs"), [(4490, 4526), (4526, 4490), (4490, 4547), (4547, 4526)])
def test_shared_edges_between_crs_pairs_never_fail(block_crs, layer_crs):
    """The same pair of neighbouring squares delivered in two CRSs: no fail, whatever the pair."""
    a, b = box(0, 0, 1000, 1000), box(1000, 0, 1000, 1000)  # share the edge x = X0 + 1000

    def to(geom, epsg):
        if epsg == 4547:
            return geom
        t = pyproj.Transformer.from_crs(4547, epsg, always_xy=True)
        return shapely.transform(shapely.segmentize(geom, 500), lambda xy: np.column_stack(t.transform(*xy.T)))

    gdf = frame([to(a, block_crs)], crs=block_crs, block_id=["A"], kind=["exploration"], mineral=["铁"])
    report = run(gdf, eco_redline=frame([to(b, layer_crs)], crs=layer_crs, feature_id=["R"]))
    assert "fail" not in set(findings(report, "O202").severity)


def test_a_real_overlap_with_a_thin_neck_still_fails():
    neck = shapely.union_all([box(1999.99, 0, 0.02, 1000), box(2000, 400, 300, 300)])
    report = run(blocks([box(0, 0, 2300, 2000)], mineral="铁"), eco_redline=layer([neck]))
    assert list(findings(report, "O202").severity) == ["fail"]


# ------------------------------------------------------------------------------ edge convention
def test_the_edge_convention_is_stated_and_settable(tmp_path):
    right, block = _gk_right_and_lonlat_block()
    gdf = frame([block], crs=4490, block_id=["LL"], kind=["exploration"], mineral=["铁"])
    rights = frame([right], crs=4526, right_id=["C1"], right_type=["采矿权"])
    source = run(gdf, mining_rights=rights)
    vertices = run(gdf, config={"edges": "vertices"}, mining_rights=rights)
    assert source.settings["edges"] == "source" and "own CRS" in source.settings["edge_convention"]
    assert vertices.settings["edges"] == "vertices" and "ArcGIS" in vertices.settings["edge_convention"]
    # projected vertex by vertex, the shared edge is the same straight line: not even a hair-line piece
    assert findings(vertices, "O201").empty
    assert source.blocks.area_m2.iloc[0] != pytest.approx(vertices.blocks.area_m2.iloc[0], abs=1e-3)
    out = tmp_path / "r.json"
    source.to_file(out)
    assert json.loads(out.read_text(encoding="utf-8"))["settings"]["edge_convention"]


# ------------------------------------------------------------------------------ regulations
def test_farmland_is_conditionally_allowed_for_strategic_minerals_under_current_rules():
    farm = {"basic_farmland": layer([box(1900, 1900, 500, 500)])}
    gold = run(blocks([SQUARE], mineral="金"), **farm)
    f = findings(gold, "O203")
    assert list(f.severity) == ["warn"] and "conditionally allowed" in f.message.iloc[0]
    assert "the plan itself requires avoidance" in f.message.iloc[0]
    assert "永久基本农田保护红线管理办法" in f.citation.iloc[0]
    zh = findings(run(blocks([SQUARE], mineral="金"), config={"lang": "zh"}, **farm), "O203").message.iloc[0]
    assert "有条件允许" in zh and "规划本身要求避让" in zh
    plan = run(blocks([SQUARE], mineral="金"), config={"regulations": "plan-2022"}, **farm)
    assert list(findings(plan, "O203").severity) == ["fail"]
    sand = run(blocks([SQUARE], kind="concentrated", mineral="建筑用砂"), **farm)
    assert list(findings(sand, "O203").severity) == ["fail"]
    assert gold.settings["regulations"]["profile"] == "current"


def test_red_line_exceptions_follow_142_item_7():
    red = {"eco_redline": layer([box(1900, 1900, 500, 500)])}
    copper = run(blocks([SQUARE], mineral="铜", kind="exploration"), **red)
    assert list(findings(copper, "O202").severity) == ["warn"]
    assert "142号" in findings(copper, "O202").citation.iloc[0]
    for mineral in ("金", "铁", "建筑用砂"):
        report = run(blocks([SQUARE], mineral=mineral, kind="exploration"), **red)
        assert list(findings(report, "O202").severity) == ["fail"], mineral
    water = blocks([SQUARE], kind="mining", mineral="矿泉水")
    assert list(findings(run(water, **red), "O202").severity) == ["fail"]  # a new right: no exception
    existing = blocks([SQUARE], kind="mining", mineral="矿泉水", source_right="C140000000001")
    assert list(findings(run(existing, **red), "O202").severity) == ["warn"]


def test_rights_overlap_cites_the_2024_law():
    rights = frame([box(1900, 1900, 500, 500)], right_id=["C1"], right_type=["采矿权"])
    f = findings(run(blocks([SQUARE], mineral="铁"), mining_rights=rights), "O201")
    assert "矿产资源法" in f.citation.iloc[0] and "第二十三条" in f.citation.iloc[0]


def test_rules_command_shows_the_conditional_exceptions(capsys, monkeypatch):
    from yangao_geo.cli.main import cli

    monkeypatch.setenv("COLUMNS", "400")  # the table wraps to the terminal; wide enough to read whole names
    cli.main(args=["rules"], standalone_mode=False)
    out = capsys.readouterr().out
    assert "永久基本农田保护红线管理办法" in out and "142号" in out


def test_present_layer_helper_overlaps_nothing():
    assert not shapely.intersects(present_layer().geometry.iloc[0], SQUARE)


def test_a_corner_table_whose_header_names_xian_1980_goes_through_the_datum_path(tmp_path):
    text = (FIXTURES / "corners_xy_gbk.csv").read_bytes().decode("gbk")
    legacy = tmp_path / "xian.csv"
    legacy.write_bytes(text.replace("X坐标,Y坐标", "X坐标(西安80),Y坐标(西安80)", 1).encode("gbk"))
    with pytest.raises(CRSError, match="Xian 1980"):
        yangao_geo.read_blocks(legacy, kind="mining")
