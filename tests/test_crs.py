"""CRS identification by parameters, inference from coordinates, reprojection equivalence."""

import pyproj
import pytest

import yangao_geo
from conftest import blocks, layer, run
from geoms import BIG, CORNER_OVERLAP, SQUARE
from yangao_geo.crs import identify_crs, infer_crs, resolve_crs
from yangao_geo.errors import CRSError

ESRI_ZONE38 = (
    'PROJCS["CGCS2000_3_Degree_GK_Zone_38",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",'
    'DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],'
    'UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",38500000.0],'
    'PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",114.0],PARAMETER["Scale_Factor",1.0],'
    'PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]'
)
ESRI_CM114 = ESRI_ZONE38.replace("38500000.0", "500000.0").replace("Zone_38", "CM_114E")


@pytest.mark.parametrize(
    ("crs", "epsg"),
    [
        (ESRI_ZONE38, 4526),
        (ESRI_CM114, 4547),
        ("EPSG:4326", 4490),
        ("EPSG:4497", 4497),
        ("EPSG:4508", 4508),
        ("EPSG:4513", 4513),
        ("EPSG:4554", 4554),
        ("EPSG:4490", 4490),
    ],
)
def test_identify_by_parameters(crs, epsg):
    assert identify_crs(crs).to_epsg() == epsg


def test_identify_proj_string_without_name():
    assert identify_crs("+proj=tmerc +lon_0=111 +k=1 +x_0=19500000 +ellps=GRS80 +units=m").to_epsg() == 4497


@pytest.mark.parametrize(
    ("crs", "match"),
    [
        ("EPSG:2435", "Beijing 1954"),
        ("EPSG:2383", "Xian 1980"),
        ("EPSG:3857", "unsupported projection"),
        ("EPSG:32650", "Gauss-Kr"),
        ("not a crs", "cannot understand"),
    ],
)
def test_unsupported_crs_is_an_error(crs, match):
    with pytest.raises(CRSError, match=match):
        identify_crs(crs)


@pytest.mark.parametrize(
    ("bounds", "epsg"),
    [
        ((113.5, 40.0, 113.9, 40.3), 4490),
        ((38_470_000, 4_440_000, 38_480_000, 4_460_000), 4526),
        ((19_640_000, 4_440_000, 19_650_000, 4_460_000), 4497),
    ],
)
def test_infer_from_coordinates(bounds, epsg):
    assert infer_crs(bounds).to_epsg() == epsg


def test_unprefixed_without_crs_asks_for_crs_unless_one_zone_fits_the_county():
    # in the county only CM 114°E (3°) fits: taken, and resolve_crs says why
    assert infer_crs((470_000, 4_440_000, 480_000, 4_460_000)).to_epsg() == 4547
    assert "only CGCS2000 zone" in resolve_crs(None, (470_000, 4_440_000, 480_000, 4_460_000)).note
    # far from it no zone fits: refused
    with pytest.raises(CRSError, match=r"no CGCS2000 zone .* puts them in Yanggao County.*pass (--crs|crs=)"):
        infer_crs((170_000, 4_440_000, 180_000, 4_460_000))


def test_lonlat_swapped_is_named_not_answered_with_a_crs_suggestion():
    for declared in (None, "EPSG:4490"):
        with pytest.raises(CRSError, match="latitude/longitude swapped") as err:
            resolve_crs(declared, (40.1, 113.6, 40.2, 113.7))
        assert "4547" not in str(err.value)


def test_swapped_axes_are_detected():
    with pytest.raises(CRSError, match="swapped"):
        infer_crs((4_440_000, 38_470_000, 4_460_000, 38_480_000))


def test_prj_contradicted_by_coordinates_trusts_coordinates():
    got = resolve_crs("EPSG:4547", (38_470_000, 4_440_000, 38_480_000, 4_460_000))
    assert got.crs.to_epsg() == 4526 and got.inferred and "trusting the coordinates" in got.note


def test_prefixed_prj_with_unprefixed_coordinates_keeps_the_meridian():
    got = resolve_crs("EPSG:4526", (470_000, 4_440_000, 480_000, 4_460_000))
    assert got.crs.to_epsg() == 4547 and got.inferred


def test_user_crs_must_fit_the_coordinates():
    with pytest.raises(CRSError, match="do not fit"):
        resolve_crs(None, (470_000, 4_440_000, 480_000, 4_460_000), user_crs="EPSG:4490")


def _same_blocks_in(epsg):
    base = blocks([SQUARE, BIG.difference(SQUARE)], kind="mining", mineral="金")
    if epsg == 4547:
        return base
    if epsg == 4490:
        # densify in the source plane first so the lon/lat version has the same (GK-straight) edges
        dense = base.copy()
        dense["geometry"] = dense.geometry.segmentize(1.0)
        return dense.to_crs(4490)
    return base.to_crs(epsg)


@pytest.mark.parametrize("epsg", [4490, 4526])
def test_same_blocks_in_any_crs_give_same_findings_and_areas(epsg):
    farmland = layer([CORNER_OVERLAP])
    reference = run(_same_blocks_in(4547), basic_farmland=farmland)
    other = run(_same_blocks_in(epsg), basic_farmland=farmland)
    assert list(other.blocks.area_m2) == pytest.approx(list(reference.blocks.area_m2), abs=0.01)
    cols = ["block_id", "rule_id", "severity", "feature_id"]
    assert other.findings[cols].equals(reference.findings[cols])
    assert list(other.findings.overlap_m2.fillna(0)) == pytest.approx(
        list(reference.findings.overlap_m2.fillna(0)), abs=0.01
    )


def test_missing_crs_is_inferred_and_reported_as_d103():
    gdf = _same_blocks_in(4526)
    gdf = gdf.set_crs(None, allow_override=True)
    report = run(gdf, basic_farmland=layer([CORNER_OVERLAP]))
    d103 = report.findings[report.findings.rule_id == "D103"]
    assert len(d103) == 1 and d103.block_id.isna().all()
    assert "EPSG:4526" in d103.message.iloc[0]
    assert report.inputs[0].crs == "EPSG:4526" and report.inputs[0].crs_inferred


def test_analysis_crs_is_4547():
    assert yangao_geo.crs.ANALYSIS_CRS == pyproj.CRS.from_epsg(4547)
