"""A4xx: exploration degree, minimum mining scale, concentrated mining areas."""

import pytest

from conftest import blocks, findings, layer, run
from geoms import BIG, SQUARE, box


def mining(**cols):
    return blocks([SQUARE], kind="mining", **cols)


@pytest.mark.parametrize(
    ("mineral", "scale", "degree", "severity"),
    [
        ("铁", "小型", "普查", "fail"),
        ("铁", "小型", "详查", None),
        ("铁", "大型", "详查", "fail"),
        ("铁", "大型", "勘探", None),
        ("煤", "小型", "详查", "fail"),
        ("煤", None, "勘探", None),
        ("建筑用砂", None, "预查", None),  # 第三类 exempt
        ("金", None, None, "warn"),
    ],
)
def test_exploration_degree(mineral, scale, degree, severity):
    report = run(mining(mineral=mineral, reserve_scale=scale, degree=degree))
    got = list(findings(report, "A401").severity)
    assert got == ([] if severity is None else [severity])


def test_degree_rule_skips_exploration_blocks():
    assert findings(run(blocks([SQUARE], mineral="铁", degree="预查")), "A401").empty


def test_capacity_below_the_minimum_fails_and_says_it_is_unverified():
    report = run(mining(mineral="铁", degree="详查", capacity=10, capacity_unit="万吨/年"))
    f = findings(report, "A402")
    assert list(f.severity) == ["fail"] and "unverified" in f.message.iloc[0]


def test_where_an_unverified_minimum_comes_from_is_said_in_the_runs_language():
    """The table's source of a minimum was English inside Chinese messages ("boundary used as placeholder")."""
    low = mining(mineral="铁", degree="详查", capacity=10, capacity_unit="万吨/年")
    zh = findings(run(low, config={"lang": "zh"}), "A402").message.iloc[0]
    en = findings(run(low, config={"lang": "en"}), "A402").message.iloc[0]
    assert "小型/中型界限，暂作参考值；规划文本未载附表9" in zh and "placeholder" not in zh
    assert "boundary used as placeholder; 附表9 not in the plan text" in en
    # a minimum set in a config replaces the table's number: the table's Chinese source is not kept for it
    config = {"mineral": [{"name": "铁", "min_scale": 20, "min_scale_unit": "万吨/年"}], "lang": "zh"}
    mine = findings(run(low, config=config), "A402").message.iloc[0]
    assert "用户配置" in mine and "暂作参考值" not in mine


def test_capacity_units_are_converted():
    ok = run(mining(mineral="铁", degree="详查", capacity=300_000, capacity_unit="吨/年"))
    assert findings(ok, "A402").empty
    low = run(mining(mineral="铁", degree="详查", capacity="290000吨/年"))
    assert list(findings(low, "A402").severity) == ["fail"]


def test_capacity_of_the_wrong_kind_is_not_compared():
    report = run(mining(mineral="铁", degree="详查", capacity=100, capacity_unit="万立方米/年"))
    f = findings(report, "A402")
    assert list(f.severity) == ["warn"] and "not compared" in f.message.iloc[0]


def test_missing_capacity_and_unknown_minimum_warn():
    assert list(findings(run(mining(mineral="铁", degree="详查")), "A402").severity) == ["warn"]
    f = findings(run(mining(mineral="矿泉水", capacity=1, capacity_unit="万吨/年")), "A402")
    assert "no minimum" in f.message.iloc[0]


def test_minimum_comes_from_config_when_given():
    config = {
        "mineral": [{"name": "建筑用砂", "min_scale": 5, "min_scale_unit": "万立方米/年", "min_scale_verified": True}]
    }
    report = run(
        blocks([SQUARE], kind="concentrated", mineral="建筑用砂", capacity=2, capacity_unit="万立方米/年"),
        config=config,
    )
    f = findings(report, "A402")
    assert list(f.severity) == ["fail"] and "unverified" not in f.message.iloc[0]


def test_sand_mining_block_outside_concentrated_areas_warns():
    inside = layer([BIG])
    assert findings(run(mining(mineral="建筑用砂"), concentrated_areas=inside), "A403").empty
    partly = layer([box(0, 0, 1000, 2000)])
    f = findings(run(mining(mineral="建筑用砂"), concentrated_areas=partly), "A403")
    assert list(f.severity) == ["warn"]
    assert f.overlap_m2.iloc[0] == pytest.approx(2_000_000, rel=1e-3)


def test_concentrated_rule_ignores_metals():
    assert findings(run(mining(mineral="金"), concentrated_areas=layer([box(0, 0, 10, 10)])), "A403").empty
