"""Ellipsoidal areas (TD/T 1055-2019 附录D method) against closed-form and reference values."""

import numpy as np
import pyproj
import pytest
import shapely

from geoms import MULTIPART, SQUARE, WITH_HOLE, box
from yangao_geo.area import GEOD, basic_unit_block_area, ellipsoidal_area, graticule_cell_area
from yangao_geo.crs import to_analysis_crs


@pytest.mark.parametrize(
    ("south", "north", "expected"),
    [
        (39 + 58 / 60, 39 + 59 / 60, 2_634_747.60),
        (40.0, 40 + 1 / 60, 2_633_482.35),
        (40 + 26 / 60, 40 + 27 / 60, 2_616_951.72),
    ],
)
def test_graticule_cell_matches_reference_table(south, north, expected):
    assert graticule_cell_area(south, north, 1 / 60) == pytest.approx(expected, abs=0.05)


def test_basic_unit_block_centred_on_40n():
    assert basic_unit_block_area(40.0) == pytest.approx(2_633_798.75, abs=0.05)


def test_sub_unit_cells_starting_at_40n():
    assert graticule_cell_area(40.0, 40 + 30 / 3600, 30 / 3600) == pytest.approx(658_410.14, abs=0.05)
    assert graticule_cell_area(40.0, 40 + 15 / 3600, 15 / 3600) == pytest.approx(164_607.48, abs=0.05)


def test_cgcs2000_ellipsoid_is_grs80():
    assert GEOD.a == pyproj.Geod(ellps="GRS80").a
    assert 1 / GEOD.f == pytest.approx(298.257222101, rel=1e-12)


def test_lonlat_cell_area_through_the_pipeline_equals_closed_form():
    cell = shapely.box(113 + 45 / 60, 40.0, 113 + 46 / 60, 40 + 1 / 60)
    area = ellipsoidal_area(to_analysis_crs([cell], 4490), 4547)[0]
    assert area == pytest.approx(2_633_482.35, rel=1e-6)


def test_hole_is_subtracted_whatever_its_orientation():
    outer, hole = 4_000_000, 1_000_000
    ratio = ellipsoidal_area([WITH_HOLE], 4547)[0] / ellipsoidal_area([SQUARE], 4547)[0]
    assert ratio == pytest.approx((outer - hole) / outer, rel=1e-6)
    flipped = shapely.Polygon(WITH_HOLE.exterior.coords[::-1], [WITH_HOLE.interiors[0].coords[::-1]])
    assert ellipsoidal_area([flipped], 4547)[0] == pytest.approx(ellipsoidal_area([WITH_HOLE], 4547)[0], rel=1e-12)


def test_multipart_is_the_sum_of_its_parts():
    parts = ellipsoidal_area(list(MULTIPART.geoms), 4547)
    assert ellipsoidal_area([MULTIPART], 4547)[0] == pytest.approx(parts.sum(), rel=1e-12)


def test_planar_area_differs_from_ellipsoidal_off_the_central_meridian():
    # 6° zone 19 (CM 111E) at 113.7E: planar area is ~1 366 ppm too large
    cell = shapely.box(113.75, 40.0, 113.75 + 1 / 60, 40 + 1 / 60)
    zone19 = pyproj.Transformer.from_crs(4490, 4508, always_xy=True)
    planar = shapely.transform(
        shapely.segmentize(cell, 1e-4), lambda c: np.column_stack(zone19.transform(c[:, 0], c[:, 1]))
    ).area
    ellipsoidal = ellipsoidal_area(to_analysis_crs([cell], 4490), 4547)[0]
    assert (planar - ellipsoidal) / ellipsoidal == pytest.approx(1366e-6, rel=0.05)


def test_non_polygons_and_none_count_zero():
    line = shapely.LineString([(0, 0), (1, 1)])
    assert list(ellipsoidal_area([None, line, shapely.Polygon()], 4547)) == [0.0, 0.0, 0.0]


def test_needs_a_projected_crs():
    with pytest.raises(ValueError, match="projected CRS"):
        ellipsoidal_area([box(0, 0, 1, 1)], 4490)


def test_tdt_series_and_pyproj_geodesic_agree_on_the_bundled_blocks(default_report):
    from yangao_geo.area import geodesic_area

    geoms = default_report.blocks.geometry.values
    tdt, geo = ellipsoidal_area(geoms, 4547), geodesic_area(geoms, 4547)
    assert np.abs(tdt / geo - 1).max() < 1e-6


@pytest.mark.parametrize("lat", [39.85, 40.0, 40.25, 40.5])
def test_tdt_series_and_pyproj_geodesic_agree_on_cells(lat):
    from yangao_geo.area import geodesic_area

    cell = to_analysis_crs([shapely.box(113.6, lat, 113.6 + 1 / 60, lat + 1 / 60)], 4490)
    exact = graticule_cell_area(lat, lat + 1 / 60, 1 / 60)
    assert ellipsoidal_area(cell, 4547)[0] == pytest.approx(exact, rel=1e-7)
    assert geodesic_area(cell, 4547)[0] == pytest.approx(exact, rel=1e-7)


def test_vertex_only_pentagon_in_zone_38_matches_the_reference_comparison():
    # a 7 km² pentagon given in zone 38 with its prefix (the shape of a typical 采矿权 boundary)
    from yangao_geo.area import geodesic_area

    pts = [
        (38_478_000, 4_468_000),
        (38_481_200, 4_468_300),
        (38_481_900, 4_470_600),
        (38_479_600, 4_471_000),
        (38_477_700, 4_469_800),
    ]
    pentagon = shapely.Polygon(pts)
    a, g = ellipsoidal_area([pentagon], 4526)[0], geodesic_area([pentagon], 4526)[0]
    assert a == pytest.approx(g, rel=1e-7)
    assert pentagon.area != pytest.approx(a, rel=1e-5)  # the planar area is off by ~10 ppm in zone 38


def test_measuring_in_groups_changes_no_area(monkeypatch):
    from yangao_geo import area

    geoms = np.array([SQUARE, None, WITH_HOLE, shapely.Polygon(), MULTIPART, SQUARE] * 5, dtype=object)
    whole = ellipsoidal_area(geoms, 4547)
    monkeypatch.setattr(area, "_CHUNK_COORDS", 12)  # a group every few polygons
    grouped = ellipsoidal_area(geoms, 4547)
    assert len(grouped) == len(geoms) and (whole > 0).sum() == 20
    np.testing.assert_array_equal(grouped, whole)


def _series_term_by_term(geometries, crs):
    """Appendix D as written: ten sines and cosines an edge, edge by edge within each ring (the reference)."""
    from yangao_geo.area import _COEF, _SEMI_MINOR_M, DENSIFY_M, _lonlat_rings

    lon, lat, bounds, sign, owner, n = _lonlat_rings(geometries, crs, DENSIFY_M)
    areas = np.zeros(n)
    ca, cb, cc, cd, ce = _COEF
    for k in range(len(sign)):
        b, lam = np.radians(lat[bounds[k] : bounds[k + 1]]), np.radians(lon[bounds[k] : bounds[k + 1]])
        if len(b) < 2:
            continue
        db, bm = b[1:] - b[:-1], (b[1:] + b[:-1]) / 2
        width = (lam[1:] + lam[:-1]) / 2 - lam[0]
        series = sum(
            (-1) ** j * c * np.sin((2 * j + 1) * db / 2) * np.cos((2 * j + 1) * bm)
            for j, c in enumerate((ca, cb, cc, cd, ce))
        )
        areas[owner[k]] += sign[k] * abs((2 * _SEMI_MINOR_M**2 * width * series).sum())
    return np.maximum(areas, 0.0)


def test_series_from_one_sine_and_cosine_equals_the_series_term_by_term(default_report):
    geoms = np.asarray(default_report.blocks.geometry.values, dtype=object)
    got, reference = ellipsoidal_area(geoms, 4547), _series_term_by_term(geoms, 4547)
    assert np.abs(got / reference - 1).max() < 1e-14


def test_empty_and_collapsed_rings_next_to_real_ones_take_no_area_from_them():
    """An empty polygon first or last in a batch, or a ring of one repeated point, measures 0 m² and leaves the
    areas of the geometries beside it exactly as they are alone (no edge is taken from a neighbour's ring)."""
    collapsed = shapely.Polygon([(500_000, 4_400_000)] * 4)
    batch = [shapely.Polygon(), WITH_HOLE, collapsed, MULTIPART, SQUARE, shapely.Polygon()]
    alone = [ellipsoidal_area([g], 4547)[0] for g in batch]
    assert ellipsoidal_area(batch, 4547).tolist() == alone
    assert alone[0] == alone[2] == alone[5] == 0.0
    assert alone[1] > 0 and alone[3] > 0 and alone[4] > 0
