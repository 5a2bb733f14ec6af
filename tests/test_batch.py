"""Batch validation: folders of submissions, parallel, broken files recorded, identical to one by one."""

import json
import shutil
from pathlib import Path

import geopandas as gpd
import pytest

import yangao_geo
from submissions import make_submissions
from test_cli import cli
from yangao_geo.batch import discover_inputs
from yangao_geo.layers import bundled_blocks_path


@pytest.fixture(scope="module")
def submissions(tmp_path_factory):
    root = tmp_path_factory.mktemp("subs")
    return root, make_submissions(root)


def _strip_timing(doc):
    doc["tool"].pop("elapsed_s", None)
    doc["tool"].pop("started_at", None)
    return doc


def test_folder_of_54_submissions_index_is_right_and_jobs_2_equals_jobs_1(submissions, tmp_path, capsys):
    root, expected = submissions
    assert len(expected) >= 50
    out1, out2 = tmp_path / "one", tmp_path / "two"
    code1, _ = cli("check", str(root), "-o", str(out1), "--jobs", "1", "-q", capsys=capsys)
    code2, _ = cli("check", str(root), "-o", str(out2), "--jobs", "2", "-q", capsys=capsys)
    assert code1 == code2 == 2  # some inputs are broken
    index1 = json.loads((out1 / "index.json").read_text(encoding="utf-8"))
    index2 = json.loads((out2 / "index.json").read_text(encoding="utf-8"))
    assert index1 == index2
    rows = {r["input"]: r for r in index1["inputs"]}
    assert set(rows) == set(expected)
    for path, status in expected.items():
        row = rows[path]
        if status == "error":
            assert row["status"] == "error" and row["error"] and row["report"] == ""
            continue
        single = yangao_geo.check(path)  # the same file checked on its own
        assert row["blocks"] == len(single.blocks)
        assert row["fails"] == single.counts()["fail"] and row["warns"] == single.counts()["warn"]
        assert row["sha256"] == single.inputs[0].sha256
        report1 = _strip_timing(json.loads((out1 / row["report"]).read_text(encoding="utf-8")))
        report2 = _strip_timing(json.loads((out2 / row["report"]).read_text(encoding="utf-8")))
        assert report1 == report2
        assert report1["findings"] == single.to_dict()["findings"]
        assert report1["blocks"] == single.to_dict()["blocks"]
    gbk = [r for p, r in rows.items() if p.endswith(".shp") and r["status"] != "error"]
    assert gbk, "some GBK shapefiles are in the batch"
    csv_text = (out1 / "index.csv").read_text(encoding="utf-8-sig")
    assert csv_text.splitlines()[0] == "input,layer,sha256,blocks,fails,warns,status,report,error,rechecked"


def test_skip_unchanged_rechecks_only_changed_inputs(tmp_path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    for name in ("a", "b", "c"):
        shutil.copy(bundled_blocks_path(), src / f"{name}.gpkg")
    out = tmp_path / "out"
    assert cli("check", str(src), "-o", str(out), "-q", capsys=capsys)[0] == 1
    code, captured = cli("check", str(src), "-o", str(out), "-q", capsys=capsys)
    assert code == 2 and "--skip-unchanged" in captured.err  # never clobbers silently
    gdf = gpd.read_file(src / "b.gpkg")
    (src / "b.gpkg").unlink()
    gdf.iloc[:3].to_file(src / "b.gpkg")
    assert cli("check", str(src), "-o", str(out), "--skip-unchanged", "-q", capsys=capsys)[0] == 1
    rows = {r["input"].rsplit("/", 1)[-1]: r for r in json.loads((out / "index.json").read_text())["inputs"]}
    assert {k: r["rechecked"] for k, r in rows.items()} == {"a.gpkg": False, "b.gpkg": True, "c.gpkg": False}
    assert rows["b.gpkg"]["blocks"] == 3 and rows["a.gpkg"]["blocks"] == 12
    # a change of settings re-checks everything
    cli("check", str(src), "-o", str(out), "--skip-unchanged", "--tolerance", "5", "-q", capsys=capsys)
    rows = json.loads((out / "index.json").read_text())["inputs"]
    assert all(r["rechecked"] for r in rows)


def test_check_many_yields_in_input_order_and_errors_do_not_stop_it(tmp_path):
    good = tmp_path / "good.gpkg"
    shutil.copy(bundled_blocks_path(), good)
    bad = tmp_path / "bad.gpkg"
    bad.write_bytes(b"not a geopackage")
    results = list(yangao_geo.check_many([str(tmp_path)], jobs=2))
    assert [r.source.path for r in results] == [str(bad), str(good)]
    assert [r.input for r in results] == [bad, good]  # found in a folder: the file's Path
    assert results[0].status == "error" and "not a readable vector data source" in results[0].error
    assert results[1].status == "fail" and results[1].report.counts()["fail"] == 6


def test_discovery_expands_globs_folders_and_geopackage_layers(tmp_path):
    gpkg = tmp_path / "multi.gpkg"
    gdf = gpd.read_file(bundled_blocks_path())
    gdf.to_file(gpkg, layer="x")
    gdf.to_file(gpkg, layer="y", append=True)
    (tmp_path / "sub").mkdir()
    shutil.copy(bundled_blocks_path(), tmp_path / "sub" / "one.gpkg")
    (tmp_path / "notes.txt").write_text("not looked at")
    found = [(p.path.rsplit("/", 1)[-1], p.layer) for p in discover_inputs([tmp_path])]
    assert found == [("multi.gpkg", "x"), ("multi.gpkg", "y"), ("one.gpkg", None)]
    assert len(discover_inputs([str(tmp_path / "**" / "*.gpkg")])) == 3
    missing = discover_inputs([tmp_path / "nope.shp"])
    assert [m.path.rsplit("/", 1)[-1] for m in missing] == ["nope.shp"]


def test_check_many_keeps_the_callers_order(tmp_path):
    from conftest import blocks
    from geoms import SQUARE

    a, b = tmp_path / "a.geojson", tmp_path / "b.geojson"
    for p in (a, b):
        blocks([SQUARE], mineral="铁").to_file(p)
    given = [b, str(tmp_path / "nofile.shp"), a]
    results = list(yangao_geo.check_many(given, jobs=1))
    assert [Path(r.source.path).name for r in results] == ["b.geojson", "nofile.shp", "a.geojson"]
    assert [r.input for r in results] == given  # what the caller passed, as passed (Path stays Path)
    assert [type(r.input) for r in results] == [type(g) for g in given]
    assert results[1].status == "error" and "no such file" in results[1].error
