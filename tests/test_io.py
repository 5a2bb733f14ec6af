"""Reading inputs: encodings, engines, formats, integrity; atomic output."""

import geopandas as gpd
import pytest

import yangao_geo
from conftest import blocks, run
from geoms import SQUARE, box
from yangao_geo.errors import DataSourceError, OutputError
from yangao_geo.io.encoding import detect_shapefile_encoding
from yangao_geo.io.output import atomic_path
from yangao_geo.layers import bundled_blocks_path

NAMES = ["阳高县山口头片麻岩矿", "堡子湾金矿"]


def _chinese_blocks():
    gdf = blocks([SQUARE, box(5000, 0, 2000, 2000)], mineral=["建筑用片麻岩", "金"])
    gdf["名称"] = NAMES
    return gdf


def _write_shp(gdf, path, encoding, keep_cpg=False, ldid=None):
    gdf.to_file(path, encoding=encoding, engine="pyogrio")
    if not keep_cpg:
        path.with_suffix(".cpg").unlink()
    if ldid is not None:
        dbf = path.with_suffix(".dbf")
        data = bytearray(dbf.read_bytes())
        data[29] = ldid
        dbf.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("encoding", "ldid", "expected"),
    [("gbk", None, "gb18030"), ("utf-8", None, "utf-8"), ("gbk", 0x4D, "gb18030"), ("gbk", 0x57, "gb18030")],
)
def test_shapefile_without_cpg_decodes_chinese_names(tmp_path, encoding, ldid, expected):
    path = tmp_path / "blocks.shp"
    _write_shp(_chinese_blocks(), path, encoding, ldid=ldid)
    assert detect_shapefile_encoding(path)[0] == expected
    report = yangao_geo.check(path, rules=["B301"])
    assert list(report.blocks.name) == NAMES
    assert report.inputs[0].encoding == expected
    assert report.to_dict()["inputs"][0]["encoding"] == expected


def test_cpg_wins(tmp_path):
    path = tmp_path / "blocks.shp"
    _write_shp(_chinese_blocks(), path, "gbk", keep_cpg=True)
    assert detect_shapefile_encoding(path) == ("gb18030", "the .cpg file: gbk read as its superset gb18030")
    assert list(yangao_geo.check(path, rules=["B301"]).blocks.name) == NAMES


def test_fiona_engine_gives_the_same_report(tmp_path):
    path = tmp_path / "blocks.shp"
    _write_shp(_chinese_blocks(), path, "gbk")
    a = yangao_geo.check(path, engine="pyogrio")
    b = yangao_geo.check(path, engine="fiona")
    assert a.to_dict()["findings"] == b.to_dict()["findings"]
    assert list(b.blocks.name) == NAMES


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".fgb", ".gml"])
def test_formats_give_the_same_findings(tmp_path, suffix):
    gdf = _chinese_blocks()
    path = tmp_path / f"blocks{suffix}"
    gdf.to_file(path, engine="pyogrio")
    ref = run(gdf)
    got = yangao_geo.check(path, {k: v for k, v in _empty_constraints().items()})
    # FlatGeobuf stores features in spatial-index order: compare independent of row order
    key = lambda f: (f["block_id"], f["rule_id"], f["message"])  # noqa: E731
    assert sorted(got.to_dict()["findings"], key=key) == sorted(ref.to_dict()["findings"], key=key)
    assert sorted(got.blocks.name) == sorted(NAMES)


def _empty_constraints():
    from conftest import present_layer
    from yangao_geo.layers import REQUIRED_LAYERS

    return {name: present_layer() for name in REQUIRED_LAYERS}


def test_geopackage_layer_choice(tmp_path):
    path = tmp_path / "two.gpkg"
    _chinese_blocks().to_file(path, layer="a")
    _chinese_blocks().iloc[:1].to_file(path, layer="b", append=True)
    with pytest.raises(yangao_geo.InputError, match="has 2 layers"):
        yangao_geo.check(path)
    assert len(yangao_geo.check(path, layer="b").blocks) == 1


def test_truncated_shapefile_is_an_error_not_null_blocks(tmp_path):
    path = tmp_path / "blocks.shp"
    _write_shp(_chinese_blocks(), path, "utf-8")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataSourceError, match="truncated"):
        yangao_geo.check(path)


def test_missing_dbf_is_an_error(tmp_path):
    path = tmp_path / "blocks.shp"
    _write_shp(_chinese_blocks(), path, "utf-8")
    path.with_suffix(".dbf").unlink()
    with pytest.raises(DataSourceError, match=r"\.dbf file is missing"):
        yangao_geo.check(path)


def test_inputs_are_never_modified(tmp_path):
    src = bundled_blocks_path()
    before = src.read_bytes()
    yangao_geo.check()
    assert src.read_bytes() == before


def test_atomic_path_refuses_to_clobber_and_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out.json"
    target.write_text("precious")
    with pytest.raises(OutputError, match="already exists"):
        with atomic_path(target):
            pass
    assert target.read_text() == "precious"
    other = tmp_path / "new.json"
    with pytest.raises(OutputError, match=r"new\.json: cannot be written \(writer died\); nothing was written"):
        with atomic_path(other) as tmp:
            tmp.write_text("half")
            raise RuntimeError("writer died")
    assert not other.exists() and list(tmp_path.iterdir()) == [target]


def test_report_round_trips_through_gpkg(tmp_path, default_report):
    path = tmp_path / "r.gpkg"
    default_report.to_file(path)
    findings = gpd.read_file(path, layer="findings")
    blocks_back = gpd.read_file(path, layer="blocks")
    assert len(findings) == len(default_report.findings) and len(blocks_back) == len(default_report.blocks)
    assert findings.crs.to_epsg() == 4547
    assert list(blocks_back.area_km2) == list((default_report.blocks.area_m2 / 1e6).round(4))


def test_file_digest_is_remembered_only_while_the_file_is_unchanged(tmp_path):
    import hashlib

    from yangao_geo.io.vector import file_sha256

    path = tmp_path / "layers.gpkg"
    path.write_bytes(b"first")
    assert file_sha256(path) == file_sha256(path) == hashlib.sha256(b"first").hexdigest()
    path.write_bytes(b"second, longer")
    assert file_sha256(path) == hashlib.sha256(b"second, longer").hexdigest()


def test_digests_computed_ahead_are_the_files_digests(tmp_path):
    """A digest started on its own thread is the file's SHA-256; a file changed since (another size or time)
    is hashed again; a file that vanished fails where the digest is asked for, as it would have."""
    import hashlib
    import os

    from yangao_geo.io.vector import file_sha256, hash_ahead

    a, b = tmp_path / "a.gpkg", tmp_path / "b.gpkg"
    a.write_bytes(os.urandom(3 << 20))
    b.write_bytes(b"first")
    hash_ahead([a, b, tmp_path / "missing.gpkg", tmp_path, "postgresql://x/y"])
    assert file_sha256(a) == hashlib.sha256(a.read_bytes()).hexdigest()
    b.write_bytes(b"second, longer")  # another size: not the digest started ahead
    assert file_sha256(b) == hashlib.sha256(b"second, longer").hexdigest()
    c = tmp_path / "c.gpkg"
    c.write_bytes(b"x" * 100)
    hash_ahead([c])
    c.unlink()
    with pytest.raises(OSError):
        file_sha256(c)
