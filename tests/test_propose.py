"""Delineating from a deposit: coverage, nothing forbidden, one connected block on the grid, minimal."""

import itertools

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import yangao_geo
from conftest import layer, present_layer
from geoms import X0, Y0, box
from yangao_geo.grid_cells import GRID_STEPS, to_plane
from yangao_geo.layers import REQUIRED_LAYERS

OVERLAPS = {"O201", "O202", "O203", "O204", "O205"}
TO_LONLAT = pyproj.Transformer.from_crs(4547, 4490, always_xy=True)


def _constraints(**layers):
    out = {name: present_layer() for name in REQUIRED_LAYERS}
    out.update(layers)
    return out


def _deposits(*geoms):
    return gpd.GeoDataFrame({"block_id": [f"D{i + 1}" for i in range(len(geoms))]}, geometry=list(geoms), crs=4547)


def _check_proposal(row, deposit, step_arcsec, features=(), covered=True):
    assert row.geometry is not None and not row.geometry.is_empty
    assert row.geometry.geom_type == "Polygon"  # one connected block
    seconds = shapely.get_coordinates(row.geometry) * 3600 / step_arcsec
    assert abs(seconds - seconds.round()).max() < 1e-6  # every corner a grid node
    ring = np.asarray(row.geometry.exterior.coords)[:-1]
    assert not shapely.LinearRing(ring).is_ccw  # clockwise
    north = ring[:, 1].max()
    assert ring[0][1] == north and ring[0][0] == ring[ring[:, 1] == north][:, 0].min()  # from the north-west
    plane = to_plane([row.geometry])[0]
    if covered:
        assert deposit.difference(plane).area < 1e-3  # the whole deposit is inside the block
    for f in features:
        assert plane.intersection(f).area < 0.01 * plane.length + 1e-6  # at most a hairline contact


def test_an_exploration_block_covers_the_deposit_with_whole_cells_and_passes(tmp_path):
    deposit = shapely.Point(X0 + 1500, Y0 + 1500).buffer(400)
    result = yangao_geo.propose(_deposits(deposit), _constraints(), mineral="铁", lang="en")
    row = result.proposals.iloc[0]
    _check_proposal(row, deposit, 60.0)
    assert row.status != "fail" and row.note == ""
    assert row.area_m2 >= yangao_geo.basic_unit_block_area(40.19) * 0.99  # at least one basic unit block
    findings = result.recheck.findings
    assert findings[findings.rule_id.isin(list(OVERLAPS)) & (findings.severity == "fail")].empty
    assert result.to_file(tmp_path / "p.txt") == 1
    back = yangao_geo.read_blocks(tmp_path / "p.txt", kind="exploration")[0].geometry.iloc[0]
    filed = to_plane([row.geometry], densify=False)[0]
    assert abs(back.area - filed.area) < 0.01 * filed.length  # the corners as filed, to the 0.01 m of the TXT


def test_a_deposit_in_the_red_line_gets_the_best_partial_block_and_says_what_is_left_out():
    deposit = box(1000, 1000, 1600, 1200)  # 1.2 km × 1.2 km near the catalogue's origin
    red = box(1900, 1000, 700, 1200)  # the deposit's eastern part lies in the red line
    result = yangao_geo.propose(_deposits(deposit), _constraints(eco_redline=layer([red])), mineral="铁", lang="en")
    row = result.proposals.iloc[0]
    assert "cannot be covered whole" in row.note and "ecological protection red line" in row.note
    _check_proposal(row, deposit, 60.0, features=[red], covered=False)


def test_the_block_is_the_smallest_cover_a_brute_force_search_finds():
    """On a small window of 1′ cells, no connected set of allowed cells smaller than the proposal covers the
    deposit (brute force over every subset)."""
    from yangao_geo.grid_cells import _grid_over

    deposit = box(2200, 2200, 1800, 500)  # spans cells east-west
    result = yangao_geo.propose(_deposits(deposit), _constraints(), mineral="铁", grid="1min", lang="en")
    row = result.proposals.iloc[0]
    cells = _grid_over(deposit.buffer(2000), 60.0)
    plane = to_plane(cells.lonlat)
    candidates = [k for k in range(len(plane)) if plane[k].intersects(deposit.buffer(1500))]
    assert len(candidates) <= 12
    best = None
    for size in range(1, len(candidates) + 1):
        for subset in itertools.combinations(candidates, size):
            union = shapely.union_all(plane[list(subset)])
            if union.geom_type == "Polygon" and deposit.difference(union).area < 1e-3:
                best = size
                break
        if best:
            break
    assert row.grid_cells == best


def test_mining_blocks_are_the_outline_plus_margin_minus_what_is_avoided():
    deposit = box(500, 500, 800, 600)
    farm = box(1200, 500, 300, 600)
    result = yangao_geo.propose(
        _deposits(deposit),
        _constraints(basic_farmland=layer([farm])),
        kind="开采",
        mineral="铁",
        margin_m=20,
        lang="en",
    )
    row = result.proposals.iloc[0]
    assert row.geometry.intersection(farm).area < 1e-6
    assert row.geometry.within(deposit.buffer(20.01))
    assert row.deposit_left_out_m2 > 0  # the part of the deposit in the farmland


def test_points_with_a_target_area_and_the_command_line(tmp_path, capsys):
    from test_cli import cli

    points = gpd.GeoDataFrame({"block_id": ["P1"]}, geometry=[shapely.Point(X0 + 1500, Y0 + 1500)], crs=4547)
    path = tmp_path / "points.gpkg"
    points.to_file(path)
    result = yangao_geo.propose(path, _constraints(), mineral="铁", target_area_km2=1.0, lang="en")
    assert result.proposals.grid_cells.iloc[0] >= 1
    code, out = cli("propose", str(path), "--target-area", "1", "--mineral", "铁", "--json", capsys=capsys)
    assert code in (0, 1) and '"grid_cells"' in out.out
    code, out = cli("propose", str(path), "--kind", "concentrated", capsys=capsys)
    assert code == 2 and "concentrated" in out.err


offset = st.floats(min_value=300, max_value=3000, allow_nan=False)
extent = st.floats(min_value=50, max_value=800, allow_nan=False)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    deposit=st.tuples(offset, offset, extent, extent),
    redline=st.lists(st.tuples(offset, offset, extent, extent), max_size=2),
    grid=st.sampled_from(["1min", "30s", "15s"]),
)
def test_random_deposits_and_layouts(deposit, redline, grid):
    d = box(*deposit)
    red = [box(*r) for r in redline] or [box(-3000, -3000, 1, 1)]
    result = yangao_geo.propose(_deposits(d), _constraints(eco_redline=layer(red)), mineral="铁", grid=grid, lang="en")
    row = result.proposals.iloc[0]
    if row.geometry is None:
        assert row.note
        return
    _check_proposal(row, d, GRID_STEPS[grid], features=red, covered=not row.note)
    findings = result.recheck.findings
    assert findings[findings.rule_id.isin(list(OVERLAPS)) & (findings.severity == "fail")].empty
    if not row.note:
        assert row.area_m2 >= yangao_geo.basic_unit_block_area(40.19) * 0.98


def test_propose_refuses_bad_settings():
    with pytest.raises(yangao_geo.InputError, match="margin_m"):
        yangao_geo.propose(_deposits(box(0, 0, 10, 10)), _constraints(), margin_m=-1)
    with pytest.raises(yangao_geo.InputError, match="grid: unknown value"):
        yangao_geo.propose(_deposits(box(0, 0, 10, 10)), _constraints(), grid="7s")


def test_a_target_area_must_be_positive_and_the_language_known():
    points = gpd.GeoDataFrame({"block_id": ["P1"]}, geometry=[shapely.Point(X0 + 1500, Y0 + 1500)], crs=4547)
    with pytest.raises(yangao_geo.InputError, match=r"target_area_km2 must be a positive number, got 0\.0"):
        yangao_geo.propose(points, _constraints(), target_area_km2=0)
    with pytest.raises(yangao_geo.InputError, match="lang: unknown value 'fr'"):
        yangao_geo.propose(points, _constraints(), target_area_km2=1, lang="fr")
    with pytest.raises(yangao_geo.InputError, match="lang: unknown value 'fr'"):
        yangao_geo.fix(lang="fr")
