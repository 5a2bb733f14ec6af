"""Densification is skipped only where an edge provably keeps its course within 1 mm (issue 20)."""

import numpy as np
import pyproj
import shapely

from yangao_geo.crs import EDGE_DEVIATION_M, edge_deviation_bound, short_edged, to_analysis_crs
from yangao_geo.geometry import segmentize_exact

TO_PLANE = pyproj.Transformer.from_crs(4490, 4547, always_xy=True)


def _measured_deviation(lon, lat, lon2, lat2, samples=65):
    """How far each lon/lat edge, sampled densely, runs from its chord in EPSG:4547 (m)."""
    t = np.linspace(0.0, 1.0, samples)
    px = lon[:, None] + t * (lon2 - lon)[:, None]
    py = lat[:, None] + t * (lat2 - lat)[:, None]
    x, y = TO_PLANE.transform(px, py)
    cx = x[:, :1] + t * (x[:, -1:] - x[:, :1])
    cy = y[:, :1] + t * (y[:, -1:] - y[:, :1])
    return np.hypot(x - cx, y - cy).max(axis=1)


def test_the_bound_is_never_below_the_measured_deviation():
    rng = np.random.default_rng(20)
    n = 20_000
    lat = rng.uniform(0.0, 60.0, n)
    lon = 114.0 + rng.uniform(-6.0, 6.0, n)
    length = np.exp(rng.uniform(np.log(1.0), np.log(5_000.0), n))
    azimuth = rng.uniform(0.0, 2 * np.pi, n)
    lat2 = lat + length * np.cos(azimuth) / 111_000.0
    lon2 = lon + length * np.sin(azimuth) / (111_000.0 * np.cos(np.radians(lat)))
    dev = _measured_deviation(lon, lat, lon2, lat2)
    bound = edge_deviation_bound(lon, lat, lon2, lat2)
    # 1e-8 m: the rounding of projected coordinates of 4e6 m (a 1 m edge deviates by nanometres)
    assert (dev <= bound + 1e-8).all(), float((dev / bound).max())
    long = (length > 100.0) & np.isfinite(bound)
    assert float((dev[long] / bound[long]).max()) < 0.9
    # and a useful bound, not a huge one: typically within a factor 5 of the truth (loosest north-south)
    assert float(np.median(dev[long] / bound[long])) > 0.2


def test_edges_far_from_the_central_meridian_are_never_shown_short():
    assert np.isinf(edge_deviation_bound([105.0], [40.0], [105.0001], [40.0]))[0]


def _polygons(rng, n, edge_m):
    """Lon/lat polygons around the county with edges of about ``edge_m``."""
    out = []
    for _ in range(n):
        cx, cy = 113.8 + rng.uniform(-0.3, 0.3), 40.2 + rng.uniform(-0.3, 0.3)
        k = 24
        r = edge_m * k / (2 * np.pi)
        ang = (np.arange(k) + rng.uniform(-0.3, 0.3, k)) * 2 * np.pi / k
        xs = cx + r * np.cos(ang) / (111_000.0 * np.cos(np.radians(cy)))
        ys = cy + r * np.sin(ang) / 111_000.0
        out.append(shapely.Polygon(np.column_stack([xs, ys])))
    return np.array(out, dtype=object)


def test_skipping_keeps_every_edge_within_1_mm_of_the_densified_course():
    rng = np.random.default_rng(7)
    polys = _polygons(rng, 200, 120.0)  # 50–200 m edges: more than the 50 m step, within the bound
    assert short_edged(polys).mean() > 0.5
    fast = to_analysis_crs(polys, 4490)
    dense = np.array(
        [
            shapely.transform(g, lambda c: np.column_stack(TO_PLANE.transform(c[:, 0], c[:, 1])))
            for g in segmentize_exact(polys, 4.5e-4)
        ],
        dtype=object,
    )
    shown = short_edged(polys)
    gap = shapely.hausdorff_distance(fast[shown], dense[shown], densify=0.05)
    assert gap.max() < EDGE_DEVIATION_M
    # a geometry with a longer edge is densified exactly as before
    assert all(shapely.equals_exact(a, b, 0.0) for a, b in zip(fast[~shown], dense[~shown]))


def test_a_long_edge_is_still_densified():
    edge = shapely.Polygon([(113.70, 40.10), (113.80, 40.10), (113.80, 40.11), (113.70, 40.11)])  # 8.5 km edges
    assert not short_edged([edge])[0]
    out = to_analysis_crs([edge], 4490)[0]
    assert shapely.get_num_coordinates(out) > 100


def test_rings_and_parts_are_judged_edge_by_edge_not_across_the_gap():
    outer = shapely.box(113.70, 40.10, 113.71, 40.11).exterior.segmentize(0.0005)
    hole = shapely.box(113.703, 40.103, 113.706, 40.106).exterior.segmentize(0.0005)
    with_hole = shapely.Polygon(outer, [hole])
    far_part = shapely.Polygon(shapely.box(113.80, 40.10, 113.81, 40.11).exterior.segmentize(0.0005))
    two_parts = shapely.MultiPolygon([shapely.Polygon(outer), far_part])
    assert short_edged(np.array([with_hole, two_parts, None], dtype=object)).tolist() == [True, True, True]
    # the same parts with one long edge are not
    long_part = shapely.box(113.80, 40.10, 113.85, 40.11)
    assert not short_edged([shapely.MultiPolygon([shapely.Polygon(outer), long_part])])[0]


def test_every_report_states_the_1_mm_rule_in_its_edge_convention():
    import yangao_geo

    settings = yangao_geo.check(keep_geometry=False).settings
    assert settings["edges"] == "source" and "1 mm" in settings["edge_convention"]


def test_the_bounding_box_shortcut_claims_only_what_every_edge_shows():
    from yangao_geo.crs import _short_edged_by_edge

    rng = np.random.default_rng(5)
    geoms = []
    for _ in range(3000):  # parcels from 5 m to 2 km across, 0-60°N, up to 7° from 114°E
        lon, lat = rng.uniform(107, 121), rng.uniform(0, 60)
        size = 10 ** rng.uniform(-4.3, -1.7)
        geoms.append(shapely.Polygon(np.column_stack([lon, lat]) + rng.uniform(0, size, (6, 2))).convex_hull)
    geoms = np.array([g for g in geoms if g.geom_type == "Polygon"], dtype=object)
    fast = short_edged(geoms)
    one_by_one = np.array([_short_edged_by_edge(np.array([g], dtype=object))[0] for g in geoms])
    assert not (fast & ~one_by_one).any()  # never short where an edge is not
    assert fast.sum() > 500 and (~fast).sum() > 500  # both answers were exercised
    assert (short_edged(np.array([None, shapely.Polygon()], dtype=object)) == [True, True]).all()


def test_the_settings_say_how_areas_are_measured_in_the_runs_language():
    """Both area methods named (blocks: the TD/T 1055 series; overlaps: the scale-factor integral), not a method
    the numbers do not come from, in zh by default and in en on request."""
    import yangao_geo

    zh = yangao_geo.check(keep_geometry=False, lang="zh").settings
    en = yangao_geo.check(keep_geometry=False, lang="en").settings
    assert "梯形级数" in zh["area_method"] and "长度比积分" in zh["area_method"] and "直线" in zh["edge_convention"]
    assert "trapezoid series" in en["area_method"] and "scale-factor integral" in en["area_method"]
    assert "Geod" not in en["area_method"] + zh["area_method"]  # the cross-check, not how reported areas are measured
    assert "own CRS" in en["edge_convention"] and "own CRS" not in zh["edge_convention"]


def test_a_geometry_is_judged_short_edged_on_itself_whatever_is_judged_with_it():
    """Threads cut a layer into chunks by vertex count, and the count of threads sets the cuts: a geometry's
    edges must be judged the same alone as next to a far one (they were judged with the largest ``|l|`` and
    latitude of the whole chunk, so a parcel was densified on one machine and not on another)."""
    far = shapely.box(119.5, 45.0, 119.9, 45.4).segmentize(0.0005)  # 5.5° from 114°E, farther north
    near = shapely.box(114.2, 40.1, 114.24, 40.14).segmentize(0.0025)  # edges of about 210 m and 280 m
    xy = shapely.get_coordinates(near)
    assert 0.9e-3 < edge_deviation_bound(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1]).max() < 1e-3
    alone = short_edged(np.array([near], dtype=object))
    assert alone.tolist() == [True]
    each = {id(g): bool(short_edged(np.array([g], dtype=object))[0]) for g in (near, far)}
    for together in ([near, far], [far, near], [far, near, far]):
        judged = short_edged(np.array(together, dtype=object))
        assert judged.tolist() == [each[id(g)] for g in together]
