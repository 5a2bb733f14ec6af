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


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(redline=st.lists(feature, max_size=3), farmland=st.lists(feature, max_size=3))
def test_grid_proposals_are_whole_allowed_cells_with_corners_on_grid_nodes(redline, farmland):
    from yangao_geo.grid_cells import to_plane

    red = [box(*f) for f in redline] or [box(-3000, -3000, 1, 1)]
    farm = [box(*f) for f in farmland] or [box(-3000, -3000, 1, 1)]
    cons = _constraints(eco_redline=layer(red), basic_farmland=layer(farm))
    result = yangao_geo.fix(blocks([SQUARE], mineral="铁"), cons, grid="15s")
    p = result.proposals
    assert p.crs.to_epsg() == 4490  # as filed: lon/lat corner points
    row = p.iloc[0]
    if row.geometry is None or row.geometry.is_empty:
        assert "no whole cell of the 15″ grid" in row.note
        return
    seconds = shapely.get_coordinates(row.geometry) * 3600 / 15
    assert abs(seconds - seconds.round()).max() < 1e-6  # every corner a node of the 15″ grid
    plane = to_plane([row.geometry])[0]  # edges along meridians and parallels
    assert plane.difference(SQUARE).area < 0.01 * plane.length  # inside the block, to 1 cm
    for f in red + farm:
        assert plane.intersection(f).area < 0.01 * plane.length + 1e-6  # never more than a 1 cm hairline
    findings = result.recheck.findings
    assert findings[findings.rule_id.isin(list(OVERLAP_RULES)) & (findings.severity == "fail")].empty
    assert row.grid_cells >= 1 and row.corners_after >= 4


def test_a_block_drawn_on_the_grid_keeps_every_cell_and_the_cell_count_is_its_area():
    import geopandas as gpd
    import numpy as np
    import pyproj

    from yangao_geo.area import graticule_cell_area
    from yangao_geo.grid_cells import GRID_STEPS

    step = GRID_STEPS["30s"] / 3600
    lon, lat = pyproj.Transformer.from_crs(4547, 4490, always_xy=True).transform(X0 + 200, Y0 + 200)
    west, south = np.ceil(lon / step) * step, np.ceil(lat / step) * step  # near the catalogue's layers
    lonlat = shapely.box(west, south, west + 4 * step, south + 3 * step)  # 4 × 3 whole 30″ cells
    gdf = gpd.GeoDataFrame(
        {"block_id": ["G1"], "kind": ["exploration"], "mineral": ["铁"]}, geometry=[lonlat], crs=4490
    )
    result = yangao_geo.fix(gdf, _constraints(), grid="30″")
    row = result.proposals.iloc[0]
    assert row.grid_cells == 12 and row.corners_after == 4
    assert shapely.equals_exact(shapely.normalize(row.geometry), shapely.normalize(lonlat), 1e-12)
    cells = sum(graticule_cell_area(south + k * step, south + (k + 1) * step, 4 * step) for k in range(3))
    assert row.area_after_m2 == pytest.approx(cells, rel=1e-6)


def test_report_propose_fixes_gives_what_fix_gives_on_the_same_files():
    report = yangao_geo.check(lang="en")
    columns = ["block_id", "area_before_m2", "area_after_m2", "corners_before", "corners_after", "status_after", "note"]
    for options in ({}, {"grid": "15s"}):
        from_report = report.propose_fixes(**options).proposals[columns]
        fresh = yangao_geo.fix(lang="en", **options).proposals[columns]
        assert from_report.equals(fresh), options


def test_a_mapping_to_multi_layer_geopackages_reads_each_layer_and_its_own_extent():
    """{layer: GeoPackage path}: the layer of that name is read, and D108 judges its own extent (not the first
    layer's)."""
    from yangao_geo.layers import bundled_constraint_paths

    boundaries, redlines = bundled_constraint_paths()
    mapping = {
        "mining_rights": boundaries,
        "eco_redline": redlines,
        "basic_farmland": redlines,
        "town_boundary": redlines,
        "county_boundary": boundaries,
    }
    by_map = yangao_geo.check(constraints=mapping, rules=["D108", "O202", "O203", "O204", "O201"])
    by_files = yangao_geo.check(constraints=[boundaries, redlines], rules=["D108", "O202", "O203", "O204", "O201"])
    key = ["block_id", "rule_id", "feature_id", "overlap_m2"]
    assert by_map.findings[key].astype(str).values.tolist() == by_files.findings[key].astype(str).values.tolist()
    assert "D108" not in set(by_map.findings.rule_id)


def test_the_proposals_read_as_a_section_with_before_and_after_maps(tmp_path, capsys):
    import docx

    from browser import console_errors, dump_dom, screenshot
    from conftest import SCREENSHOTS
    from test_cli import cli

    result = yangao_geo.fix(lang="zh")
    html_path, docx_path = tmp_path / "fix.html", tmp_path / "fix.docx"
    result.to_file(html_path)
    text = html_path.read_text(encoding="utf-8")
    n = len(result.proposals)
    assert text.count("<figure>") == n and text.count('class="yg-fix"') == n
    assert "区块避让调整方案" in text and "原区块" in text and "扣除：其他规划区块" in text
    assert 'stroke-dasharray="6 4"' in text  # the block as given, dashed
    dom, log = dump_dom(html_path)
    assert f'data-ready="{n}"' in dom and console_errors(log) == []
    screenshot(html_path, SCREENSHOTS / "fix_section.png")
    result.to_file(docx_path)
    document = docx.Document(str(docx_path))
    assert len(document.tables[0].rows) == n + 1 and len(document.inline_shapes) == n
    assert document.paragraphs[0].text == "区块避让调整方案"
    code, _ = cli("fix", "-q", "-o", str(tmp_path / "cli.html"), capsys=capsys)
    assert code == 1 and (tmp_path / "cli.html").exists()  # 1: some proposals still fail their re-check


def test_the_margin_keeps_clear_of_a_feature_just_outside_the_block():
    # found by the property test above: a farmland parcel 1 m beyond the block's edge, margin 5 m
    parcel = box(0.0, 2001.0, 1.0, 1.0)
    cons = _constraints(basic_farmland=layer([parcel]))
    p = yangao_geo.fix(blocks([SQUARE], mineral="铁"), cons, margin_m=5).proposals.iloc[0]
    assert p.geometry.distance(parcel) >= 5 - 0.05
    assert p.geometry.area > 0.99 * SQUARE.area
