"""The bundled data: the plan's names and areas, determinism, and the default run's findings."""

import importlib.util
import re
from pathlib import Path

import geopandas as gpd
import pytest

import yangao_geo
from yangao_geo.crs import to_analysis_crs
from yangao_geo.layers import bundled_blocks_path, bundled_constraint_paths

REPO = Path(__file__).resolve().parents[1]
PLAN_TEXT = REPO.parent / "shared" / "seed" / "yanggao-mineral-plan-2021-2025.txt"


@pytest.fixture(scope="module")
def plan_text():
    if not PLAN_TEXT.exists():
        pytest.skip(f"plan text not found at {PLAN_TEXT}")
    return re.sub(r"\s+", "", PLAN_TEXT.read_text(encoding="utf-8"))


def test_every_bundled_block_has_the_name_and_area_the_plan_states(plan_text, default_report):
    assert len(default_report.blocks) == 12
    for block in default_report.blocks.itertuples():
        m = re.search(re.escape(block.name) + r"，面积([\d.]+)平方公里", plan_text)
        assert m, f"{block.name} not found with an area in the plan text"
        assert block.area_m2 / 1e6 == pytest.approx(float(m.group(1)), abs=0.001)


def test_county_and_key_area_match_the_plan(plan_text):
    boundaries = bundled_constraint_paths()[0]
    county = yangao_geo.load_constraints(
        {"county_boundary": gpd.read_file(boundaries, layer="county_boundary"), **_required()}
    ).get("county_boundary")
    area = yangao_geo.ellipsoidal_area(county.geometry, 4547)[0] / 1e6
    stated = float(re.search(r"总面积([\d.]+)平方千米", plan_text).group(1))
    assert area == pytest.approx(stated, abs=0.001)
    stated_key = float(re.search(r"重点勘查区[（(]阳高段[）)][,，]面积([\d.]+)平方公里", plan_text).group(1))
    key = gpd.read_file(boundaries, layer="key_exploration_area")
    assert len(key) == 1
    key_area = yangao_geo.ellipsoidal_area(to_analysis_crs(key.geometry.values, key.crs), 4547)[0] / 1e6
    assert key_area == pytest.approx(stated_key, abs=0.001)


def _required():
    from conftest import empty_layer
    from yangao_geo.layers import REQUIRED_LAYERS

    return {name: empty_layer() for name in REQUIRED_LAYERS}


def test_bundled_layers_are_exactly_what_the_script_builds(tmp_path):
    spec = importlib.util.spec_from_file_location("make_bundled_data", REPO / "scripts" / "make_bundled_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(tmp_path)
    shipped = {p.name: p for p in [bundled_blocks_path(), *bundled_constraint_paths()]}
    for built in sorted(tmp_path.rglob("*.gpkg")):
        import pyogrio

        for name in pyogrio.list_layers(built)[:, 0]:
            a = gpd.read_file(built, layer=name)
            b = gpd.read_file(shipped[built.name], layer=name)
            assert len(a) == len(b), name
            assert a.drop(columns="geometry").equals(b.drop(columns="geometry")), name
            assert a.geometry.geom_equals_exact(b.geometry, tolerance=1e-9).all(), name


def test_farmland_has_thousands_of_parcels_that_do_not_overlap():
    farmland = gpd.read_file(bundled_constraint_paths()[1], layer="basic_farmland").to_crs(4547)
    assert len(farmland) > 1000
    left, right = farmland.sindex.query(farmland.geometry, predicate="intersects")
    pairs = left < right
    overlap = farmland.geometry.values[left[pairs]].intersection(farmland.geometry.values[right[pairs]]).area
    assert overlap.max() < 1e-3


def test_default_run_reports_the_plans_own_problems(default_report):
    f = default_report.findings
    b301 = f[f.rule_id == "B301"]
    assert sorted(b301.block_name) == ["阳高县山口头片麻岩矿", "阳高县颜家沟建筑用片麻岩"]
    b304 = f[f.rule_id == "B304"]
    assert sorted(zip(b304.block_id, b304.feature_id)) == [
        ("JZ05", "KC03"),
        ("JZ06", "KC04"),
        ("KC03", "JZ05"),
        ("KC04", "JZ06"),
    ]
    status = dict(zip(default_report.blocks.block_id, default_report.blocks.status))
    assert status["KC01"] == "pass" and status["KC02"] == "pass"
    assert default_report.exit_code() == 1
    # 范家窑矿泉水 lies partly inside the town boundary: allowed for mineral water
    o204 = f[f.rule_id == "O204"]
    assert list(o204.block_id) == ["KQ02"] and list(o204.severity) == ["info"]
    # the CRS of every bundled layer is declared: nothing inferred
    assert f[f.rule_id == "D103"].empty
    assert not any(s["reason"].startswith("layer") for s in default_report.skipped_rules)
