"""Legacy datums: refused without parameters; converted exactly as PROJ would with them."""

import math

import geopandas as gpd
import numpy as np
import pyproj
import pytest

import yangao_geo
from conftest import FIXTURES, empty_layer
from geoms import SQUARE
from yangao_geo.datum import parse_datum
from yangao_geo.layers import REQUIRED_LAYERS

NO_CONSTRAINTS = {name: empty_layer() for name in REQUIRED_LAYERS}
PARAMS = {"dx": -15.8, "dy": 120.4, "dz": 30.2, "rx": 0.5, "ry": -0.3, "rz": 0.8, "ds": 1.2}
POINTS = (np.array([478764.06, 470000.0, 495000.0]), np.array([4469532.75, 4440000.0, 4480000.0]))


def _reference(ellps, towgs84):
    src = pyproj.CRS.from_proj4(
        f"+proj=tmerc +lat_0=0 +lon_0=114 +k=1 +x_0=500000 +y_0=0 +ellps={ellps} "
        f"+towgs84={','.join(map(str, towgs84))} +units=m +type=crs"
    )
    dst = pyproj.CRS.from_proj4(
        "+proj=tmerc +lat_0=0 +lon_0=114 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +type=crs"
    )
    return pyproj.Transformer.from_crs(src, dst, always_xy=True)


@pytest.mark.parametrize(("epsg", "ellps"), [(2383, "IAU76"), (2435, "krass")])
def test_bursa_wolf_position_vector_matches_pyprojs_towgs84_pipeline(epsg, ellps):
    shift = parse_datum({"method": "bursa-wolf", "convention": "position_vector", **PARAMS})
    ours = shift.transformer(pyproj.CRS.from_epsg(epsg), 4547).transform(*POINTS)
    ref = _reference(ellps, PARAMS.values()).transform(*POINTS)
    assert np.allclose(ours, ref, atol=1e-6)


def test_coordinate_frame_is_position_vector_with_rotations_negated():
    frame = parse_datum({"method": "bursa-wolf", "convention": "coordinate_frame", **PARAMS})
    negated = {**PARAMS, "rx": -PARAMS["rx"], "ry": -PARAMS["ry"], "rz": -PARAMS["rz"]}
    ref = _reference("IAU76", negated.values()).transform(*POINTS)
    assert np.allclose(frame.transformer(pyproj.CRS.from_epsg(2383), 4547).transform(*POINTS), ref, atol=1e-6)


def test_plane_four_parameters_by_hand():
    q = {"dx": 12.5, "dy": -40.2, "rotation": 1.5, "scale": 2.0}
    shift = parse_datum({"method": "plane-4", **q})
    e, n = 478764.06, 4469532.75
    t, m = math.radians(1.5 / 3600), 1 + 2e-6
    expected = (12.5 + m * (e * math.cos(t) - n * math.sin(t)), -40.2 + m * (e * math.sin(t) + n * math.cos(t)))
    got = shift.transformer(pyproj.CRS.from_epsg(2383), 4547).transform(e, n)
    assert got == pytest.approx(expected, abs=1e-6)


def test_legacy_input_without_parameters_is_refused_with_the_way_out():
    gdf = gpd.GeoDataFrame({"kind": ["mining"]}, geometry=[SQUARE], crs=2383)
    with pytest.raises(yangao_geo.CRSError, match=r"Xian 1980.*\[datum\] table"):
        yangao_geo.check(gdf, NO_CONSTRAINTS)


def test_legacy_block_is_converted_with_the_users_parameters():
    config = {"datum": {"method": "bursa-wolf", "convention": "position_vector", **PARAMS}}
    gdf = gpd.GeoDataFrame({"kind": ["mining"], "mineral": ["铁"]}, geometry=[SQUARE], crs=2383)
    report = yangao_geo.check(gdf, NO_CONSTRAINTS, config=config)
    corner = np.array(SQUARE.exterior.coords[0])
    expected = _reference("IAU76", PARAMS.values()).transform(*corner)
    got = np.array(report.blocks.geometry.iloc[0].exterior.coords)
    assert np.min(np.hypot(got[:, 0] - expected[0], got[:, 1] - expected[1])) < 1e-6
    assert report.settings["datum"]["method"] == "bursa-wolf"
    assert report.inputs[0].crs == "EPSG:2383"


def test_xian80_txt_with_parameters(tmp_path):
    config = tmp_path / "datum.toml"
    config.write_text(
        '[datum]\nmethod = "plane-4"\ndx = 0.0\ndy = 0.0\nrotation = 0.0\nscale = 0.0\n', encoding="utf-8"
    )
    report = yangao_geo.check(FIXTURES / "land_xian80.txt", NO_CONSTRAINTS, kind="exploration", config=config)
    assert report.inputs[0].crs == "EPSG:2362"
    assert len(report.blocks) == 1


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        ({"method": "bursa-wolf", **PARAMS}, "convention must be"),
        ({"method": "plane-4", "dx": 1}, "needs dy"),
        ({"method": "molodensky"}, "method must be"),
        ({"method": "plane-4", "dx": 1, "dy": 1, "rotation": "a", "scale": 1}, "rotation must be a number"),
    ],
)
def test_bad_datum_tables(raw, match):
    with pytest.raises(yangao_geo.InputError, match=match):
        parse_datum(raw)
