"""Proposing the compliant block inside a failing one: correct by construction, proven on random layouts."""

import json

import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import yangao_geo
from conftest import blocks, layer, present_layer
from geoms import SQUARE, X0, Y0, box
from yangao_geo.layers import REQUIRED_LAYERS

OVERLAP_RULES = {"O201", "O202", "O203", "O204"}


def _constraints(**layers):
    out = {name: present_layer() for name in REQUIRED_LAYERS}
    out.update(layers)
    return out


def test_a_block_cut_by_the_red_line_and_farmland_keeps_its_largest_compliant_part():
    cons = _constraints(
        basic_farmland=layer([box(1500, 1500, 1000, 1000)]), eco_redline=layer([box(800, -100, 50, 2500)])
    )
    result = yangao_geo.fix(blocks([SQUARE], mineral="铁"), cons)
    p = result.proposals.iloc[0]
    geom = p.geometry
    assert geom.within(SQUARE)
    for feature in (box(1500, 1500, 1000, 1000), box(800, -100, 50, 2500)):
        assert geom.intersection(feature).area < 1e-6
    assert p.area_after_m2 == pytest.approx(1150 * 2000 - 500 * 500, rel=1e-3)  # the larger side, minus the corner
    assert p.removed_eco_redline_m2 > 0 and p.removed_basic_farmland_m2 > 0
    assert {f for f in result.recheck.findings.rule_id} & OVERLAP_RULES == set()
    coords = shapely.get_coordinates(geom)
    assert (abs(coords * 100 - (coords * 100).round()) < 1e-6).all()  # rounded to 0.01 m as filed


def test_nothing_allowed_is_said_so():
    cons = _constraints(eco_redline=layer([box(-100, -100, 2200, 2200)]))
    p = yangao_geo.fix(blocks([SQUARE], mineral="铁"), cons).proposals.iloc[0]
    assert p.geometry is None or p.geometry.is_empty
    assert "no compliant block" in p.note and "ecological protection red line" in p.note


def test_the_town_exemption_and_the_converted_right_are_not_cut():
    water = blocks([SQUARE], kind="mining", mineral="矿泉水", source_right="T1")
    cons = _constraints(
        town_boundary=layer([box(1500, 0, 1000, 2000)]),
        mining_rights=layer([box(-500, 0, 700, 2000)], ids=["T1"], right_type=["探矿权"]),
    )
    p = yangao_geo.fix(water, cons).proposals.iloc[0]
    assert p.area_after_m2 == pytest.approx(p.area_before_m2, rel=1e-6) and "unchanged" in p.note


def test_policies_for_overlapping_proposed_blocks():
    two = blocks([SQUARE, box(1000, 0, 3000, 2000)], mineral="铁")
    earlier = yangao_geo.fix(two, _constraints(), policy="earlier").proposals
    assert earlier.kept_ratio.iloc[0] == pytest.approx(1.0) and earlier.kept_ratio.iloc[1] < 0.7
    larger = yangao_geo.fix(two, _constraints(), policy="larger").proposals
    assert larger.kept_ratio.iloc[1] == pytest.approx(1.0) and larger.kept_ratio.iloc[0] < 0.6
    both = yangao_geo.fix(two, _constraints(), policy="both").proposals
    assert (both.kept_ratio < 0.7).all()
    with pytest.raises(yangao_geo.InputError, match="policy: unknown value"):
        yangao_geo.fix(two, _constraints(), policy="random")
    with pytest.raises(yangao_geo.InputError, match="keep: unknown value"):
        yangao_geo.fix(two, _constraints(), keep="some")
    with pytest.raises(yangao_geo.InputError, match="max_corners must be a whole number >= 4"):
        yangao_geo.fix(two, _constraints(), max_corners=3)
    with pytest.raises(yangao_geo.InputError, match="margin_m must be a finite number >= 0"):
        yangao_geo.fix(two, _constraints(), margin_m=-1)


def test_cli_fix_writes_fileable_corner_points(tmp_path, capsys):
    from yangao_geo.cli.main import main

    out = tmp_path / "proposals.txt"
    with pytest.raises(SystemExit) as exc:
        main(["fix", "-o", str(out)])
    assert exc.value.code in (0, 1)
    text = out.read_bytes().decode("gbk")
    assert "[地块坐标]" in text and "KC01" in text
    gpkg = tmp_path / "proposals.gpkg"
    with pytest.raises(SystemExit):
        main(["fix", "-q", "-o", str(gpkg)])
    import geopandas as gpd

    written = gpd.read_file(gpkg)
    assert {"kept_ratio", "status_after", "corners_after"} <= set(written.columns)
    assert json
    capsys.readouterr()


coordinate = st.floats(min_value=-500, max_value=2500, allow_nan=False, allow_infinity=False)
size = st.floats(min_value=1, max_value=1500, allow_nan=False, allow_infinity=False)
feature = st.tuples(coordinate, coordinate, size, size)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(redline=st.lists(feature, max_size=3), farmland=st.lists(feature, max_size=4), margin=st.sampled_from([0, 5]))
def test_proposals_are_inside_the_block_and_clear_of_every_feature(redline, farmland, margin):
    red = [box(*f) for f in redline] or [box(-3000, -3000, 1, 1)]
    farm = [box(*f) for f in farmland] or [box(-3000, -3000, 1, 1)]
    cons = _constraints(eco_redline=layer(red), basic_farmland=layer(farm))
    result = yangao_geo.fix(blocks([SQUARE], mineral="铁"), cons, margin_m=margin)
    p = result.proposals.iloc[0]
    if p.geometry is None or p.geometry.is_empty:
        assert "no compliant block" in p.note
        return
    g = p.geometry
    assert g.is_valid and g.difference(SQUARE).area < 1e-6
    for f in red + farm:
        assert g.intersection(f).area < 1e-6
        if margin:
            assert g.distance(f) >= margin - 0.05 or g.intersection(f.buffer(margin - 0.05)).area < 1e-3
    overlap_fails = result.recheck.findings[
        result.recheck.findings.rule_id.isin(list(OVERLAP_RULES)) & (result.recheck.findings.severity == "fail")
    ]
    assert overlap_fails.empty
    assert X0 <= g.bounds[0] and Y0 <= g.bounds[1]
