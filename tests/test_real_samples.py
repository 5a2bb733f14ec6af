"""Every file in ``../shared/real-samples/`` (written by other producers' tools) reads as its README says.

The folder lies beside the repository (CI lays it there); a missing folder fails these tests rather than
skipping them. Areas are ellipsoidal (TD/T 1055) and compared with the producer's own figure where the
file gives one.
"""

import warnings
from pathlib import Path

import pytest
import shapely.affinity  # noqa: F401

import yangao_geo
from yangao_geo.area import ellipsoidal_area
from yangao_geo.errors import CRSError, InputError
from yangao_geo.io.vector import read_vector

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "real-samples"


@pytest.fixture(scope="module", autouse=True)
def _corpus():
    assert SAMPLES.is_dir(), f"the real-sample corpus is missing: expected {SAMPLES}"


def _read(relative, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return yangao_geo.read_blocks(SAMPLES / relative, kind="exploration", **kwargs)


def _area(relative):
    gdf, _ = read_vector(SAMPLES / relative)
    return ellipsoidal_area(gdf.geometry.values, gdf.crs)


def test_longjie_one_parcel_63_points_zone_35_from_the_prefix():
    gdf, info = read_vector(SAMPLES / "longjie_testfile/testfile.txt")
    assert len(gdf) == 1 and gdf.crs.to_epsg() == 4523  # CGCS2000 3° zone 35, prefixed
    poly = gdf.geometry.iloc[0]
    assert poly.geom_type == "Polygon" and not poly.interiors
    assert len(poly.exterior.coords) - 1 == 63  # 63 points, the ring closed by the reader
    assert info.encoding.startswith("utf-8")


def test_windr07_five_parcels_with_an_island_inside_a_hole_and_areas_in_m2():
    gdf, info = read_vector(SAMPLES / "windr07_sampledata/SampleData.txt")
    assert len(gdf) == 5 and info.encoding == "gb18030"
    parcel4 = gdf.geometry.iloc[3]
    assert parcel4.geom_type == "MultiPolygon"  # ring 3 ⊃ hole 4 ⊃ islands 5, 6
    ours = ellipsoidal_area([parcel4], gdf.crs)[0]
    assert ours == pytest.approx(989.2, abs=0.1)
    producer = _area("windr07_sampledata/SampleData.shp")[3]  # the producer's own shapefile
    assert ours == pytest.approx(producer, rel=1e-6)
    assert any("declared parcel areas read in m²" in n for n in info.notes)
    assert list(gdf.declared_area_km2 * 1e6) == pytest.approx([109.43, 14969.76, 459.73, 989.25, 165.20])


def test_windr07_shapefile_gbk_without_cpg():
    table, loaded = _read("windr07_sampledata/SampleData.shp")
    assert len(table) == 5 and loaded.info.encoding == "gb18030"
    raw, _ = read_vector(SAMPLES / "windr07_sampledata/SampleData.shp")
    assert set(raw["JHLX"]) == {"面"}  # Chinese decoded
    assert list(table.declared_area_km2 * 1e6) == pytest.approx([109.43, 14969.76, 459.73, 989.25, 165.20])


def test_windr07_derived_declared_areas_in_m2_give_no_false_d105():
    report = yangao_geo.check(
        SAMPLES / "windr07_derived/SampleData_without_parcel4.txt", kind="exploration", rules=["D105"]
    )
    assert len(report.blocks) == 4
    assert report.findings.empty


@pytest.mark.parametrize(
    "path",
    sorted(p for p in (SAMPLES / "edcfoshan_polygon_txt").glob("*.txt") if p.name != "SOURCE.txt"),
    ids=lambda p: p.name,
)
def test_edcfoshan_every_file_reads(path):
    table, loaded = yangao_geo.read_blocks(path, kind="exploration")
    assert len(table) == 1 and loaded.info.crs == "EPSG:4526"


def test_edcfoshan_unreadable_area_is_a_warning_on_the_parcel():
    path = SAMPLES / "edcfoshan_polygon_txt/00__tmp__44120000957.txt"
    report = yangao_geo.check(path, kind="exploration", rules=["D105"])
    d105 = report.findings[report.findings.rule_id == "D105"]
    assert list(d105.severity) == ["warn"] and "'DKMC'" in d105.message.iloc[0]


def test_edcfoshan_readme_example_collinear_points_are_refused():
    with pytest.raises(InputError, match=r"collinear"):
        _read("edcfoshan_readme_example/readme_example.txt")


def test_kanyu_one_block_of_100_m2():
    table, loaded = _read("kanyu_fixture/sample_parcel.txt")
    assert len(table) == 1 and table.declared_area_km2.iloc[0] * 1e6 == pytest.approx(100.0)
    assert any("m²" in n for n in loaded.info.notes)
    assert _area("kanyu_fixture/sample_parcel.txt")[0] == pytest.approx(100, rel=0.01)


def test_qw_pengbu_65_points_and_5_7089_hectares():
    gdf, _info = read_vector(SAMPLES / "qw_pengbu/pengbu.txt")
    poly = gdf.geometry.iloc[0]
    assert len(poly.exterior.coords) - 1 == 65
    area = ellipsoidal_area([poly], gdf.crs)[0]
    assert area / 1e4 == pytest.approx(5.7089, abs=5e-5)  # the producer's figure, to its 4 decimals
    assert gdf.declared_area_km2.iloc[0] == pytest.approx(0.057089)


def test_gispot_a_river_cp936_from_the_ldid_byte():
    _table, loaded = _read("gispot_a_river/a_river.shp")
    assert loaded.info.encoding == "gb18030"  # cp936, read as its superset
    assert any("the DBF's language byte" in n and "cp936" in n for n in loaded.info.notes)
    from yangao_geo.i18n import use_lang

    with use_lang("zh"):  # said in Chinese in a Chinese run, the step included
        _table, loaded = _read("gispot_a_river/a_river.shp")
    assert any(n.startswith("编码 gb18030（DBF 语言字节：cp936 按其超集 gb18030 读取）") for n in loaded.info.notes), (
        loaded.info.notes
    )


@pytest.mark.parametrize("name", ["CJQYDM.shp", "XJQYDM.shp"])
def test_gispot_demo_arbitrary_coordinates_are_refused_clearly(name):
    with pytest.raises(CRSError, match="cannot infer a CGCS2000 CRS"):
        _read(f"gispot_demo/{name}")


def test_macau_utf8_dbf_lonlat_inferred_with_a_warning():
    report = yangao_geo.check(SAMPLES / "garybikini_macau/macau.shp", kind="exploration", rules=["D103"])
    assert report.inputs[0].crs == "EPSG:4490" and report.inputs[0].crs_inferred
    assert list(report.findings.rule_id) == ["D103"]
    raw, _ = read_vector(SAMPLES / "garybikini_macau/macau.shp")
    text = " ".join(str(v) for v in raw.drop(columns="geometry").to_numpy().ravel())
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text)  # Chinese decoded


@pytest.mark.parametrize("name", ["jzdb.xlsx", "jzdb_multi5.xlsx"])
def test_cctool_templates_layout_recognised_no_corner_points(name):
    from yangao_geo.i18n import use_lang

    with pytest.raises(InputError, match=r"no corner points \(official corner-point table layout: 1 page"):
        _read(f"cctool_jzd_templates/{name}")
    with use_lang("zh"), pytest.raises(InputError, match=r"没有界址点（界址点成果表格式：1 页，无界址点）"):
        _read(f"cctool_jzd_templates/{name}")


def test_every_file_in_the_corpus_has_a_test():
    tested = {
        "longjie_testfile",
        "windr07_sampledata",
        "windr07_derived",
        "edcfoshan_polygon_txt",
        "edcfoshan_readme_example",
        "kanyu_fixture",
        "qw_pengbu",
        "gispot_a_river",
        "gispot_demo",
        "garybikini_macau",
        "cctool_jzd_templates",
    }
    assert {p.name for p in SAMPLES.iterdir() if p.is_dir()} <= tested


ROUND_TRIP = sorted(
    p
    for p in SAMPLES.rglob("*.txt")
    if p.name != "SOURCE.txt" and p.parent.name != "edcfoshan_readme_example"  # that one is refused
)


@pytest.mark.parametrize("path", ROUND_TRIP, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_txt_to_txt_is_byte_identical_on_every_real_file(tmp_path, path):
    from yangao_geo.convert import convert

    out = tmp_path / "out.txt"
    convert(path, out)
    assert out.read_bytes() == path.read_bytes()


def test_a_changed_parcel_is_rewritten_and_the_rest_kept_as_written(tmp_path):
    import shapely

    from yangao_geo.io.land_txt import write_land_txt

    path = SAMPLES / "windr07_sampledata/SampleData.txt"
    gdf, _ = read_vector(path)
    gdf.loc[0, "geometry"] = shapely.affinity.translate(gdf.geometry.iloc[0], 1.0, 0.0)  # parcel 1 moved 1 m
    out = tmp_path / "changed.txt"
    write_land_txt(gdf, out, zone=37, width=3, prefix=True, precision=0.001)
    source = path.read_bytes().decode("gbk").split("\r\n")
    written = out.read_bytes().decode("gbk").split("\r\n")  # the file's CRLF kept
    header_end = source.index("[地块坐标]") + 1
    assert written[:header_end] == source[:header_end]  # 格式版本号, 数据产生单位, 精度 … as written
    assert "5,109.43,1,,面,,,,@" not in written  # parcel 1 regenerated (its area recomputed)
    assert written[-10:] == source[-10:]  # the last parcel exactly as written
