"""The command line: exit codes, messages, outputs, bad inputs."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import shapely
import shapely.affinity

from conftest import blocks
from geoms import SQUARE
from yangao_geo.cli.main import main
from yangao_geo.layers import bundled_blocks_path


def cli(*args, capsys=None):
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out = capsys.readouterr() if capsys else None
    return exc.value.code, out


def test_default_run_finds_the_plan_violations_and_exits_1(capsys):
    code, out = cli("check", capsys=capsys)
    assert code == 1
    assert "KC03" in out.out and "B301" in out.out and "fail" in out.out


def test_fail_on_warn_and_selected_rules(capsys):
    assert cli("check", "--rules", "O202,O203", "-q", capsys=capsys)[0] == 0
    assert cli("check", "--rules", "A402", "-q", capsys=capsys)[0] == 0
    assert cli("check", "--rules", "A402", "--fail-on", "warn", "-q", capsys=capsys)[0] == 1


@pytest.mark.parametrize("suffix", [".json", ".csv", ".gpkg"])
def test_outputs_are_written_and_never_clobbered(tmp_path, capsys, suffix):
    out = tmp_path / f"report{suffix}"
    assert cli("check", "-q", "-o", str(out), capsys=capsys)[0] == 1
    first = out.read_bytes()
    code, captured = cli("check", "-q", "-o", str(out), capsys=capsys)
    assert code == 2 and "already exists" in captured.err and "Traceback" not in captured.err
    assert out.read_bytes() == first
    assert cli("check", "-q", "-o", str(out), "--overwrite", capsys=capsys)[0] == 1


def test_json_report_follows_the_contract(tmp_path, capsys):
    out = tmp_path / "r.json"
    cli("check", "-q", "-o", str(out), capsys=capsys)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert set(doc) == {"tool", "settings", "inputs", "skipped_rules", "blocks", "findings"}
    assert {"name", "version"} <= set(doc["tool"])
    assert all(
        {"path", "layer", "crs", "crs_inferred", "encoding", "features", "sha256", "notes"} == set(i)
        for i in doc["inputs"]
    )
    assert all({"block_id", "name", "kind", "mineral", "area_m2", "status"} <= set(b) for b in doc["blocks"])
    keys = {
        "block_id",
        "rule_id",
        "severity",
        "layer",
        "feature_id",
        "overlap_m2",
        "overlap_ratio",
        "message",
        "citation",
    }
    assert all(set(f) == keys for f in doc["findings"])
    assert all(isinstance(b["block_id"], str) for b in doc["blocks"])
    assert all(b["area_km2"] == round(b["area_m2"] / 1e6, 4) for b in doc["blocks"])  # km² to 4 decimals
    assert all(f["overlap_m2"] is None or f["overlap_m2"] == round(f["overlap_m2"], 2) for f in doc["findings"])
    assert all(f["feature_id"] is None or isinstance(f["feature_id"], str) for f in doc["findings"])
    assert all(len(i["sha256"]) == 64 for i in doc["inputs"])


def test_csv_has_km2_to_four_decimals_and_a_bom(tmp_path, capsys):
    out = tmp_path / "r.csv"
    cli("check", "-q", "-o", str(out), capsys=capsys)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    import pandas as pd

    table = pd.read_csv(out, encoding="utf-8-sig")
    assert "overlap_km2" in table.columns and "citation" in table.columns
    km2 = table.overlap_km2.dropna()
    assert ((km2 * 1e4).round(6) % 1 == 0).all()


def test_unknown_output_format(tmp_path, capsys):
    code, out = cli("check", "-q", "-o", str(tmp_path / "r.pdf"), capsys=capsys)
    assert code == 2 and "unknown report format" in out.err


def _bad(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("this is not a vector file\n")
    trunc = tmp_path / "trunc.gpkg"
    trunc.write_bytes(bundled_blocks_path().read_bytes()[:40_000])
    empty = tmp_path / "empty.gpkg"
    blocks([SQUARE]).iloc[:0].to_file(empty, layer="blocks")
    badkind = tmp_path / "badkind.geojson"
    blocks([SQUARE], kind="quarry").to_file(badkind)
    baddegree = tmp_path / "baddegree.geojson"
    blocks([SQUARE], kind="mining", degree="很详细").to_file(baddegree)
    nokind = tmp_path / "nokind.geojson"
    blocks([SQUARE]).drop(columns="kind").to_file(nokind)
    webmerc = tmp_path / "webmerc.geojson"
    blocks([SQUARE]).to_crs(3857).to_file(webmerc)
    bj54 = tmp_path / "bj54.gpkg"
    blocks([SQUARE]).set_crs(2435, allow_override=True).to_file(bj54)
    # unprefixed Gauss-Krüger far from the county: no zone puts it there, so the zone cannot be told
    far = shapely.affinity.translate(SQUARE, -300_000)
    unprefixed = tmp_path / "unprefixed.shp"
    blocks([far]).set_crs(None, allow_override=True).to_file(unprefixed)
    unprefixed_json = tmp_path / "unprefixed.geojson"
    blocks([far]).set_crs(None, allow_override=True).to_file(unprefixed_json)
    badunit = tmp_path / "badunit.geojson"
    blocks([SQUARE], kind="mining", capacity=5, capacity_unit="bananas").to_file(badunit)
    return {
        "missing": ([str(tmp_path / "nope.shp")], "no such file"),
        "not vector": ([str(notes)], "not a readable vector data source"),
        "truncated": ([str(trunc)], "not a readable vector data source"),
        "no features": ([str(empty)], "has no features"),
        "no layer": ([str(bundled_blocks_path()), "--layer", "nope"], "no layer named 'nope'"),
        "bad kind": ([str(badkind)], "row 1: unknown block kind 'quarry'"),
        "bad degree": ([str(baddegree)], "row 1: unknown exploration degree"),
        "no kind": ([str(nokind)], "pass --kind"),
        "web mercator": ([str(webmerc)], "unsupported projection"),
        "beijing 54": ([str(bj54)], "Beijing 1954"),
        "unprefixed": ([str(unprefixed)], "pass --crs"),
        "unprefixed geojson": ([str(unprefixed_json)], "pass --crs"),
        "bad unit": ([str(badunit)], "row 1: capacity unit 'bananas'"),
        "bad constraints": ([str(bundled_blocks_path()), "-c", str(tmp_path)], "required layer(s) missing"),
        "bad crs option": ([str(unprefixed), "--crs", "4490"], "do not fit"),
    }


CASES = [
    "missing",
    "not vector",
    "truncated",
    "no features",
    "no layer",
    "bad kind",
    "bad degree",
    "no kind",
    "web mercator",
    "beijing 54",
    "unprefixed",
    "unprefixed geojson",
    "bad unit",
    "bad constraints",
    "bad crs option",
]


@pytest.mark.parametrize("case", CASES)
def test_bad_input_exits_2_with_a_specific_one_line_message(tmp_path, capsys, case):
    args, expected = _bad(tmp_path)[case]
    code, out = cli("check", "-q", *args, capsys=capsys)
    assert code == 2
    assert expected in out.err
    assert "Traceback" not in out.err and len(out.err.strip().splitlines()) == 1


def test_verbose_shows_the_traceback(tmp_path, capsys):
    code, out = cli("check", "-q", "-v", str(tmp_path / "nope.shp"), capsys=capsys)
    assert code == 2 and "Traceback" in out.err


def test_unprefixed_in_the_county_uses_the_only_fitting_zone_with_d103(tmp_path, capsys):
    path = tmp_path / "unprefixed.geojson"
    blocks([SQUARE], mineral="铁").set_crs(None, allow_override=True).to_file(path)
    out = tmp_path / "r.json"
    cli("check", "-q", str(path), "--rules", "D103,B301", "-o", str(out), capsys=capsys)
    doc = json.loads(out.read_text(encoding="utf-8"))
    d103 = [f for f in doc["findings"] if f["rule_id"] == "D103"]
    assert len(d103) == 1 and "EPSG:4547" in d103[0]["message"] and "only" in d103[0]["message"]
    assert doc["inputs"][0]["crs"] == "EPSG:4547" and doc["inputs"][0]["crs_inferred"] is True


def test_unprefixed_with_crs_option_works(tmp_path, capsys):
    path = tmp_path / "unprefixed.shp"
    blocks([SQUARE], mineral="铁").set_crs(None, allow_override=True).to_file(path)
    assert cli("check", "-q", str(path), "--crs", "4547", "--rules", "B301", capsys=capsys)[0] == 0


def test_rules_command_lists_every_rule(capsys):
    code, out = cli("rules", "--json", capsys=capsys)
    assert code == 0
    codes = [r["code"] for r in json.loads(out.out)]
    for expected in [
        "D101",
        "D102",
        "D103",
        "D104",
        "D105",
        "D106",
        "O201",
        "O202",
        "O203",
        "O204",
        "O205",
        "B301",
        "B302",
        "B303",
        "B304",
        "A401",
        "A402",
        "A403",
    ]:
        assert expected in codes


def test_python_dash_m_runs_the_same_cli():
    proc = subprocess.run(
        [sys.executable, "-m", "yangao_geo", "check", "-q", "--rules", "B301"], capture_output=True, text=True
    )
    assert proc.returncode == 1, proc.stderr


def test_the_process_exit_keeps_every_byte_and_the_exit_status(tmp_path, capsys):
    """``run`` leaves with os._exit after main (issue 20): nothing it printed or wrote may be lost."""
    out = tmp_path / "r.json"
    proc = subprocess.run(
        [sys.executable, "-m", "yangao_geo", "check", "--json", "-o", str(out), "-q"], capture_output=True, text=True
    )
    assert proc.returncode == 1, proc.stderr
    code, in_process = cli("check", "--json", capsys=capsys)
    printed, expected = json.loads(proc.stdout), json.loads(in_process.out)
    assert code == 1 and len(printed["findings"]) == len(expected["findings"]) > 0
    assert [f["rule_id"] for f in printed["findings"]] == [f["rule_id"] for f in expected["findings"]]
    assert json.loads(out.read_text(encoding="utf-8"))["findings"] == printed["findings"]


@pytest.mark.parametrize(("args", "status"), [(["--version"], 0), (["check", "--rules", "NOPE"], 2)])
def test_the_process_exit_runs_the_exit_handlers(args, status):
    script = (
        "import atexit, sys\n"
        "from yangao_geo.cli.main import run\n"
        "atexit.register(lambda: print('handler ran', flush=True))\n"
        f"sys.argv = ['yangao-geo', *{args!r}]\n"
        "run()\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == status, proc.stderr
    assert proc.stdout.rstrip().endswith("handler ran")


def test_the_process_tunes_its_cycle_collector_and_main_alone_does_not():
    """``run`` (the command's process) looks for cycles every 10 000 allocations (issue 20); ``main`` called
    from a notebook or QGIS leaves the caller's interpreter as it was."""
    from yangao_geo.cli.main import GC_YOUNG_THRESHOLD

    script = (
        "import atexit, gc, sys\n"
        "from yangao_geo.cli.main import main, run\n"
        "before = gc.get_threshold()\n"
        "try:\n"
        "    main(['--version'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('main', gc.get_threshold() == before, flush=True)\n"
        "atexit.register(lambda: print('run', gc.get_threshold()[0], gc.isenabled(), flush=True))\n"
        "sys.argv = ['yangao-geo', '--version']\n"
        "run()\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "main True" in lines and f"run {GC_YOUNG_THRESHOLD} True" in lines


def test_the_process_exit_waits_for_a_thread_still_working(tmp_path):
    done = tmp_path / "done.txt"
    script = (
        "import sys, threading, time\n"
        "from pathlib import Path\n"
        "from yangao_geo.cli.main import run\n"
        f"threading.Thread(target=lambda: (time.sleep(0.5), Path({str(done)!r}).write_text('x'))).start()\n"
        "sys.argv = ['yangao-geo', '--version']\n"
        "run()\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert done.read_text() == "x"


def test_convert_command_writes_and_refuses_to_clobber(tmp_path, capsys):
    from conftest import FIXTURES

    out = tmp_path / "blocks.xlsx"
    code, captured = cli("convert", str(FIXTURES / "land_gbk.txt"), str(out), capsys=capsys)
    assert code == 0 and "2 features written" in captured.out and out.exists()
    code, captured = cli("convert", str(FIXTURES / "land_gbk.txt"), str(out), capsys=capsys)
    assert code == 2 and "already exists" in captured.err
    code, captured = cli("convert", str(FIXTURES / "land_gbk.txt"), str(tmp_path / "x.pdf"), capsys=capsys)
    assert code == 2 and "unknown output format '.pdf'" in captured.err


def test_batch_rejects_unknown_report_formats(tmp_path, capsys):
    code, captured = cli(
        "check", str(tmp_path), str(tmp_path), "-o", str(tmp_path / "out"), "--format", "pdf", capsys=capsys
    )
    assert code == 2 and "unknown format(s) ['pdf']" in captured.err


def test_rules_table_and_dask_option(capsys):
    code, captured = cli("rules", capsys=capsys)
    assert code == 0 and "B305" in captured.out and "grid.alignment" in captured.out
    code, captured = cli("check", "-q", "--dask", "tcp://127.0.0.1:9", capsys=capsys)
    assert code == 2 and "cannot reach the Dask scheduler" in captured.err


def test_kind_option_accepts_the_same_names_as_the_kind_column(capsys):
    code_zh, _ = cli("check", "-q", "--kind", "勘查", "--rules", "B301", capsys=capsys)
    code_en, _ = cli("check", "-q", "--kind", "exploration", "--rules", "B301", capsys=capsys)
    assert code_zh == code_en == 1
    code, out = cli("check", "-q", "--kind", "quarry", capsys=capsys)
    assert code == 2 and "unknown value 'quarry'" in out.err and "勘查规划区块" in out.err


def test_file_wide_block_attributes_for_text_inputs(tmp_path, capsys):
    from conftest import FIXTURES

    out = tmp_path / "r.json"
    cli(
        "check",
        "-q",
        str(FIXTURES / "land_gbk.txt"),
        "--kind",
        "开采",
        "--mineral",
        "铁",
        "--degree",
        "勘探",
        "--capacity",
        "100万吨/年",
        "-o",
        str(out),
        capsys=capsys,
    )
    doc = json.loads(out.read_text(encoding="utf-8"))
    rules = {f["rule_id"] for f in doc["findings"]}
    assert not rules & {"D107", "A401", "A402"}  # mineral, degree and capacity were given
    assert {b["mineral"] for b in doc["blocks"]} == {"铁"}


def test_report_writers_follow_one_pattern(tmp_path, default_report):
    assert default_report.to_html().startswith("<!DOCTYPE html>")
    default_report.to_html(tmp_path / "r.html")
    assert (tmp_path / "r.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert default_report.to_csv().splitlines()[0].startswith("block_id,")
    default_report.to_excel(tmp_path / "r.xlsx")
    assert (tmp_path / "r.xlsx").stat().st_size > 5000
    # every to_<format> takes an optional path; without one it returns the content (like pandas)
    for method, suffix in (("to_json", ".json"), ("to_csv", ".csv"), ("to_html", ".html")):
        text = getattr(default_report, method)()
        assert isinstance(text, str) and getattr(default_report, method)(tmp_path / f"x{suffix}") is None
        assert (tmp_path / f"x{suffix}").exists()
    import yangao_geo

    one_block = yangao_geo.check(default_report.blocks.iloc[[0]].drop(columns=["status", "area_m2"]))  # quick docx
    for method, suffix in (("to_excel", ".xlsx"), ("to_docx", ".docx")):
        data = getattr(one_block, method)()
        assert isinstance(data, bytes) and data[:2] == b"PK"  # a zip container, as both formats are
        getattr(one_block, method)(tmp_path / f"x{suffix}")
        assert (tmp_path / f"x{suffix}").read_bytes()[:2] == b"PK"
    from yangao_geo.errors import OutputError

    with pytest.raises(OutputError, match=r"expected a \.xlsx file name"):
        default_report.to_excel(tmp_path / "x.csv")


def test_check_json_prints_the_report(capsys):
    code, out = cli("check", "--json", "--rules", "B301", capsys=capsys)
    doc = json.loads(out.out)
    assert code == 1 and {f["rule_id"] for f in doc["findings"]} == {"B301"}


def test_every_command_that_prints_a_table_prints_json_on_request(tmp_path, capsys):
    import shutil

    from yangao_geo.layers import bundled_blocks_path

    a, b = tmp_path / "a.gpkg", tmp_path / "b.gpkg"
    for p in (a, b):
        shutil.copy(bundled_blocks_path(), p)
    runs = {
        "check": ["check", "--json"],
        "rules": ["rules", "--json"],
        "fix": ["fix", "--json"],
        "batch": ["check", str(a), str(b), "--json"],
    }
    for name, args in runs.items():
        code, out = cli(*args, capsys=capsys)
        assert code in (0, 1), (name, out.err)
        doc = json.loads(out.out)  # the whole of stdout is one JSON document: no table around it
        assert "━" not in out.out and "┃" not in out.out, name
        if name == "batch":
            assert [Path(r["input"]).name for r in doc["inputs"]] == ["a.gpkg", "b.gpkg"]
        if name == "fix":
            assert {p["block_id"] for p in doc["proposals"]} >= {"KC01", "KC03"}
