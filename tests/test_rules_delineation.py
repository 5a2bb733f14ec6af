"""B3xx: basic unit block, deposit split/partial, overlapping blocks."""

import pytest

from conftest import blocks, findings, layer, run
from geoms import BIG, CORNER_OVERLAP, EAST_NEIGHBOUR, SLIVER_NEIGHBOUR, SQUARE, box
from yangao_geo.area import basic_unit_block_area


def test_exploration_block_below_one_unit_fails_and_cites_the_article():
    report = run(blocks([SQUARE], mineral="铁"))  # 2 km × 2 km = 4 km² > 2.63 km²
    assert findings(report, "B301").empty
    small = run(blocks([box(0, 0, 1500, 1500)], mineral="铁"))  # 2.25 km² < 2.63 km²
    f = findings(small, "B301")
    assert list(f.severity) == ["fail"]
    assert "二(二)1(5)" in f.citation.iloc[0]


def test_min_unit_threshold_is_the_cell_area_at_the_block_latitude():
    report = run(blocks([box(0, 0, 1500, 1500)], mineral="铁"))
    lat = float(report.findings.message[report.findings.rule_id == "B301"].iloc[0].split(" at ")[1].split("°")[0])
    unit_km2 = basic_unit_block_area(lat) / 1e6
    assert f"{unit_km2:.4f} km²" in findings(report, "B301").message.iloc[0]


def test_min_unit_applies_to_exploration_blocks_only():
    assert findings(run(blocks([box(0, 0, 100, 100)], kind="mining", mineral="铁")), "B301").empty


def test_min_unit_cell_size_is_a_parameter():
    report = run(blocks([box(0, 0, 1000, 1000)], mineral="铁"), config={"rule": {"B301": {"cell_minutes": 0.5}}})
    assert findings(report, "B301").empty  # 1 km² > one 30″×30″ cell (0.66 km²)


def test_deposit_split_across_two_exploration_blocks_fails_on_both():
    deposit = layer([box(1500, 0, 1000, 500)], ids=["D1"])
    report = run(blocks([SQUARE, EAST_NEIGHBOUR], mineral="铁"), deposits=deposit)
    f = findings(report, "B302")
    assert list(f.block_id) == ["B1", "B2"] and set(f.severity) == {"fail"}
    assert "split across 2 exploration blocks" in f.message.iloc[0]


def test_deposit_touching_a_second_block_by_a_sliver_is_not_split():
    deposit = layer([box(1500, 0, 500.1, 500)], ids=["D1"])  # 0.1 m × 500 m = 50 m² into B2
    report = run(blocks([SQUARE, EAST_NEIGHBOUR], mineral="铁"), deposits=deposit, tolerance_m2=60)
    assert findings(report, "B302").empty


def test_exploration_and_mining_block_over_one_deposit_is_not_a_split():
    deposit = layer([box(1500, 0, 1000, 500)])
    gdf = blocks([SQUARE, EAST_NEIGHBOUR], mineral="铁")
    gdf["kind"] = ["exploration", "mining"]
    assert findings(run(gdf, deposits=deposit), "B302").empty


def test_mining_block_covering_part_of_a_deposit_warns():
    deposit = layer([box(1500, 0, 1000, 500)], ids=["D9"])
    report = run(blocks([SQUARE], kind="mining", mineral="铁"), deposits=deposit)
    f = findings(report, "B303")
    assert list(f.severity) == ["warn"] and "covers only 50.00% of deposit D9" in f.message.iloc[0]


def test_mining_block_covering_the_whole_deposit_passes():
    report = run(blocks([BIG], kind="mining", mineral="铁"), deposits=layer([box(100, 100, 500, 500)]))
    assert findings(report, "B303").empty


def test_overlapping_blocks_fail_on_both_shared_edge_and_sliver_do_not():
    report = run(blocks([SQUARE, CORNER_OVERLAP, EAST_NEIGHBOUR, SLIVER_NEIGHBOUR], mineral="铁"))
    f = findings(report, "B304")
    pairs = {(a, b, s) for a, b, s in zip(f.block_id, f.feature_id, f.severity)}
    assert ("B1", "B2", "fail") in pairs and ("B2", "B1", "fail") in pairs
    assert ("B1", "B3", "fail") not in pairs and ("B1", "B3", "warn") not in pairs  # shared edge
    assert ("B1", "B4", "warn") in pairs  # 0.3 m² sliver
    assert f[(f.block_id == "B1") & (f.feature_id == "B2")].overlap_m2.iloc[0] == pytest.approx(10_000, rel=1e-4)


def _lonlat_block(minx, miny, maxx, maxy):
    import geopandas as gpd
    import shapely

    return gpd.GeoDataFrame(
        {"block_id": ["G1"], "kind": ["exploration"], "mineral": ["铁"]},
        geometry=[shapely.box(minx, miny, maxx, maxy)],
        crs=4490,
    )


def test_grid_alignment_counts_cells_and_corners_on_the_grid():
    aligned = _lonlat_block(113 + 45 / 60, 40.0, 113 + 47 / 60, 40 + 2 / 60)
    f = findings(run(aligned), "B305")
    assert list(f.severity) == ["info"]
    assert "touches 4 and covers 4 whole" in f.message.iloc[0]
    assert "4 of 4 corner points on the 1′ grid, 4 on the 30″ grid" in f.message.iloc[0]
    half = _lonlat_block(113 + 45.5 / 60, 40.0, 113 + 47 / 60, 40 + 2 / 60)
    f = findings(run(half), "B305")
    assert "touches 4 and covers 2 whole" in f.message.iloc[0]
    assert "2 of 4 corner points on the 1′ grid, 4 on the 30″ grid" in f.message.iloc[0]
    assert "not aligned" in f.message.iloc[0]


def test_grid_alignment_severity_is_configurable():
    off = _lonlat_block(113.7501, 40.0, 113.78, 40.03)
    report = run(off, config={"rule": {"B305": {"severity": "warn"}}})
    assert list(findings(report, "B305").severity) == ["warn"]


def test_grid_alignment_tolerance_is_three_decimal_seconds():
    nearly = _lonlat_block(113.75 + 0.0004 / 3600, 40.0, 113 + 47 / 60, 40 + 2 / 60)  # 0.0004″ off
    assert "4 of 4 corner points on the 1′ grid" in findings(run(nearly), "B305").message.iloc[0]
    off = _lonlat_block(113.75 + 0.002 / 3600, 40.0, 113 + 47 / 60, 40 + 2 / 60)  # 0.002″ off
    assert "2 of 4 corner points on the 1′ grid" in findings(run(off), "B305").message.iloc[0]
