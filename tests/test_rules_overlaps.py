"""O2xx: overlaps with mining rights and the three control lines, with slivers, edges, holes, multiparts."""

import pytest

from conftest import blocks, findings, layer, run
from geoms import CORNER_OVERLAP, EAST_NEIGHBOUR, IN_HOLE, MULTIPART, SLIVER_NEIGHBOUR, SQUARE, WITH_HOLE, box

CONTROL_LINES = [("O202", "eco_redline"), ("O203", "basic_farmland"), ("O204", "town_boundary")]


@pytest.mark.parametrize(("rule", "layer_name"), CONTROL_LINES)
def test_overlap_beyond_tolerance_fails_with_area_and_ratio(rule, layer_name):
    report = run(blocks([SQUARE], mineral="建筑用砂"), **{layer_name: layer([CORNER_OVERLAP], ids=["X1"])})
    f = findings(report, rule)
    assert list(f.severity) == ["fail"]
    assert f.feature_id.iloc[0] == "X1" and f.layer.iloc[0] == layer_name
    # 100 m × 100 m in the plane; the ellipsoidal area is a little smaller (scale factor at 30 km from CM)
    assert f.overlap_m2.iloc[0] == pytest.approx(10_000, rel=1e-4)
    assert f.overlap_ratio.iloc[0] == pytest.approx(f.overlap_m2.iloc[0] / report.blocks.area_m2.iloc[0])
    assert f.geometry.iloc[0].area == pytest.approx(10_000, rel=1e-9)
    assert report.blocks.status.iloc[0] == "fail"


@pytest.mark.parametrize(("rule", "layer_name"), CONTROL_LINES)
def test_shared_edge_is_no_overlap(rule, layer_name):
    report = run(blocks([SQUARE], mineral="建筑用砂"), **{layer_name: layer([EAST_NEIGHBOUR])})
    assert findings(report, rule).empty


@pytest.mark.parametrize(("rule", "layer_name"), CONTROL_LINES)
def test_sliver_is_a_warning_not_a_fail(rule, layer_name):
    report = run(blocks([SQUARE], mineral="建筑用砂"), **{layer_name: layer([SLIVER_NEIGHBOUR])})
    f = findings(report, rule)
    assert list(f.severity) == ["warn"] and "sliver" in f.message.iloc[0]
    assert f.overlap_m2.iloc[0] == pytest.approx(0.3, rel=1e-3)


def test_tolerance_is_settable():
    report = run(blocks([SQUARE], mineral="建筑用砂"), tolerance_m2=20_000, basic_farmland=layer([CORNER_OVERLAP]))
    assert list(findings(report, "O203").severity) == ["warn"]
    report = run(blocks([SQUARE], mineral="建筑用砂"), tolerance_m2=0.1, basic_farmland=layer([SLIVER_NEIGHBOUR]))
    assert list(findings(report, "O203").severity) == ["fail"]


def test_feature_in_a_hole_of_the_block_is_no_overlap():
    report = run(blocks([WITH_HOLE], mineral="建筑用砂"), eco_redline=layer([IN_HOLE]))
    assert findings(report, "O202").empty


def test_multipart_block_overlap_counts_every_part():
    second_part = box(2500, 500, 100, 100)  # inside MULTIPART's second square
    report = run(blocks([MULTIPART], mineral="建筑用砂"), eco_redline=layer([second_part]))
    assert findings(report, "O202").overlap_m2.iloc[0] == pytest.approx(10_000, rel=1e-4)


def test_one_finding_per_feature():
    report = run(blocks([SQUARE], mineral="建筑用砂"), basic_farmland=layer([box(0, 0, 10, 10), box(100, 100, 10, 10)]))
    assert list(findings(report, "O203").feature_id) == ["F1", "F2"]


@pytest.mark.parametrize("mineral", ["地热", "矿泉水", "天然矿泉水"])
def test_geothermal_and_mineral_water_are_exempt_inside_the_town_boundary(mineral):
    report = run(blocks([SQUARE], kind="mining", mineral=mineral), town_boundary=layer([CORNER_OVERLAP]))
    f = findings(report, "O204")
    assert list(f.severity) == ["info"] and "exempt" in f.message.iloc[0]


def test_town_boundary_fails_other_minerals():
    report = run(blocks([SQUARE], kind="mining", mineral="建筑用砂"), town_boundary=layer([CORNER_OVERLAP]))
    assert list(findings(report, "O204").severity) == ["fail"]


def rights(*types, ids=None):
    geoms = [CORNER_OVERLAP] * len(types)
    ids = ids or [f"R{i}" for i in range(len(types))]
    return layer(geoms, ids=ids, right_type=list(types))


def test_exploration_block_over_any_right_fails():
    report = run(blocks([SQUARE], mineral="铁"), mining_rights=rights("探矿权", "采矿权"))
    assert list(findings(report, "O201").severity) == ["fail", "fail"]


def test_mining_block_over_mining_right_fails():
    report = run(blocks([SQUARE], kind="mining", mineral="铁"), mining_rights=rights("采矿权"))
    assert list(findings(report, "O201").severity) == ["fail"]


def test_mining_block_over_exploration_right_warns_unless_it_converts_it():
    report = run(blocks([SQUARE], kind="mining", mineral="铁"), mining_rights=rights("探矿权", ids=["T123"]))
    f = findings(report, "O201")
    assert list(f.severity) == ["warn"] and "priority" in f.message.iloc[0]
    converting = blocks([SQUARE], kind="mining", mineral="铁", source_right="T123")
    assert findings(run(converting, mining_rights=rights("探矿权", ids=["T123"])), "O201").empty


def test_right_type_comes_from_permit_prefix_when_missing():
    geoms = [CORNER_OVERLAP, CORNER_OVERLAP]
    mining_rights = layer(geoms, ids=None, 许可证号=["T1400002019", "C1402282010"])
    report = run(blocks([SQUARE], kind="mining", mineral="铁"), mining_rights=mining_rights)
    f = findings(report, "O201")
    assert dict(zip(f.feature_id, f.severity)) == {"T1400002019": "warn", "C1402282010": "fail"}


def test_brick_clay_on_arable_land_fails_other_minerals_pass():
    arable = layer([CORNER_OVERLAP])
    clay = run(blocks([SQUARE], kind="concentrated", mineral="砖瓦用粘土"), arable_land=arable)
    assert list(findings(clay, "O205").severity) == ["fail"]
    sand = run(blocks([SQUARE], kind="concentrated", mineral="建筑用砂"), arable_land=arable)
    assert findings(sand, "O205").empty


def test_dltb_layer_keeps_only_cultivated_land(tmp_path):
    import yangao_geo
    from conftest import empty_layer

    dltb = layer([CORNER_OVERLAP, box(0, 0, 50, 50)], DLBM=["0301", "0103"])
    constraints = {
        "mining_rights": empty_layer(),
        "eco_redline": empty_layer(),
        "basic_farmland": empty_layer(),
        "town_boundary": empty_layer(),
        "DLTB": dltb,
    }
    report = yangao_geo.check(blocks([SQUARE], kind="concentrated", mineral="粘土"), constraints)
    assert list(findings(report, "O205").feature_id) == ["F2"]
