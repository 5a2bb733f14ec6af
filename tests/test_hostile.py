"""Hostile inputs, faults and races (issue 12): never lose data, never crash, always a clear one-line error.

Every test snapshots the SHA-256 of every file under its folder before and after, and asserts that no
input and no existing file changed — whatever the exit code.
"""

import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import shapely

from conftest import blocks
from geoms import SQUARE, box
from yangao_geo.cli.main import main
from yangao_geo.io.output import PARTIAL_PREFIX

MARKUP_NAMES = ["[red]x[/red]", "[/]", "a[b]c", '=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)"]


def snapshot(root: Path) -> dict:
    """Path -> SHA-256 of every regular file below ``root`` (FIFOs and devices by their kind)."""
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_symlink() and not p.exists():
            out[str(p)] = "broken-link"
        elif p.is_file():
            out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
        elif p.exists() and not p.is_dir():
            out[str(p)] = "special"
    return out


def cli(*args, capsys):
    with pytest.raises(SystemExit) as exc:
        main([str(a) for a in args])
    out = capsys.readouterr()
    return exc.value.code, out


def assert_clean_error(code, out, *expected):
    assert code == 2, out.err
    assert "Traceback" not in out.err and "internal error" not in out.err
    lines = out.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("yangao-geo: error:"), out.err
    for text in expected:
        assert text in lines[0], lines[0]


@pytest.fixture
def blocks_gpkg(tmp_path):
    path = tmp_path / "blocks.gpkg"
    blocks([SQUARE, box(3000, 0, 1000, 1000)], mineral="铁").to_file(path, layer="blocks")
    return path


# ------------------------------------------------------------------------------ data loss
@pytest.mark.parametrize("suffix", [".gpkg", ".json", ".csv", ".xlsx"])
def test_output_onto_the_input_is_refused_even_with_overwrite(tmp_path, capsys, suffix):
    src = tmp_path / f"blocks{suffix}"
    if suffix == ".gpkg":
        blocks([SQUARE], mineral="铁").to_file(src, layer="blocks")
    elif suffix == ".json":
        blocks([SQUARE], mineral="铁").to_file(src, driver="GeoJSON")
    else:  # corner-point tables are inputs in .csv and .xlsx
        land = tmp_path / "land.txt"
        land.write_bytes((Path(__file__).parent / "fixtures" / "land_gbk.txt").read_bytes())
        assert cli("convert", land, src, capsys=capsys)[0] == 0
    before = snapshot(tmp_path)
    code, out = cli("check", "-q", src, "--kind", "exploration", "-o", src, "--overwrite", capsys=capsys)
    assert_clean_error(code, out, "is an input of this run")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("how", ["same", "hardlink", "symlink"])
def test_a_report_never_replaces_an_input_under_another_name(tmp_path, capsys, how):
    src = tmp_path / "blocks.json"  # a GeoJSON input that happens to end in .json
    blocks([SQUARE], mineral="铁").to_file(src, driver="GeoJSON")
    target = tmp_path / "report.json"
    if how == "same":
        target = src
    elif how == "hardlink":
        os.link(src, target)
    else:
        target.symlink_to(src)
    before = snapshot(tmp_path)
    code, out = cli("check", "-q", src, "-o", target, "--overwrite", capsys=capsys)
    assert_clean_error(code, out, "is an input of this run")
    assert snapshot(tmp_path) == before


def test_a_constraint_file_is_an_input_too(tmp_path, capsys):
    from yangao_geo.layers import bundled_constraint_paths

    layers = tmp_path / "layers.gpkg"
    layers.write_bytes(bundled_constraint_paths()[1].read_bytes())
    extra = tmp_path / "boundaries.gpkg"
    extra.write_bytes(bundled_constraint_paths()[0].read_bytes())
    before = snapshot(tmp_path)
    code, out = cli("check", "-q", "-c", layers, "-c", extra, "-o", layers, "--overwrite", capsys=capsys)
    assert_clean_error(code, out, "is an input of this run")
    assert snapshot(tmp_path) == before


def test_convert_onto_its_own_input_is_refused(tmp_path, capsys):
    src = tmp_path / "land.txt"
    src.write_bytes((Path(__file__).parent / "fixtures" / "land_gbk.txt").read_bytes())
    before = snapshot(tmp_path)
    code, out = cli("convert", src, src, "--overwrite", capsys=capsys)
    assert_clean_error(code, out, "is an input of this run")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_non_regular_targets_are_refused(tmp_path, capsys, kind):
    target = tmp_path / "r.json"
    if kind == "fifo":
        os.mkfifo(target)
    else:
        target.mkdir()
    before = snapshot(tmp_path)
    code, out = cli("check", "-q", "-o", target, "--overwrite", capsys=capsys)
    assert_clean_error(code, out, "not a regular file" if kind == "fifo" else "is a folder")
    assert snapshot(tmp_path) == before
    assert target.is_fifo() if kind == "fifo" else target.is_dir()


def test_the_destination_is_checked_before_the_work(tmp_path, capsys):
    code, out = cli("check", "-q", "-o", tmp_path / "missing" / "r.json", capsys=capsys)
    assert_clean_error(code, out, "output folder does not exist")
    existing = tmp_path / "r.json"
    existing.write_text("keep me")
    code, out = cli("check", "-q", "-o", existing, capsys=capsys)
    assert_clean_error(code, out, "already exists; pass --overwrite")
    assert existing.read_text() == "keep me"


def test_a_killed_run_leaves_partials_that_the_next_run_removes(tmp_path, capsys):
    stale = tmp_path / f"{PARTIAL_PREFIX}999999-deadbeef-r.json"  # pid 999999: no such process
    stale.write_text("half")
    code, _ = cli("check", "-q", "-o", tmp_path / "r.json", capsys=capsys)
    assert code == 1
    assert not stale.exists() and (tmp_path / "r.json").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(PARTIAL_PREFIX)]


def test_a_partial_of_a_running_process_is_left_alone(tmp_path, capsys):
    alive = tmp_path / f"{PARTIAL_PREFIX}{os.getppid()}-cafebabe-x.json"
    alive.write_text("being written")
    cli("check", "-q", "-o", tmp_path / "r.json", capsys=capsys)
    assert alive.exists()


# ------------------------------------------------------------------------------ batches
def _submissions(root: Path, names):
    root.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(names):
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        blocks([box(3000 * i, 0, 1000, 1000)], mineral="铁").to_file(p)
    return root


def test_a_batch_into_its_input_folder_is_refused(tmp_path, capsys):
    subs = _submissions(tmp_path / "subs", ["a.gpkg", "b.geojson"])
    before = snapshot(tmp_path)
    for flags in ([], ["--overwrite"], ["--skip-unchanged"]):
        code, out = cli("check", "-q", subs, "-o", subs, *flags, capsys=capsys)
        assert_clean_error(code, out, "input folder")
        code, out = cli("check", "-q", subs, "-o", subs / "reports", *flags, capsys=capsys)
        assert_clean_error(code, out, "inside the input folder")
    assert snapshot(tmp_path) == before


def test_batch_report_names_never_collide(tmp_path, capsys):
    subs = _submissions(tmp_path / "subs", ["x.gpkg", "x.geojson", "a b.gpkg", "a_b.gpkg", "p/q.gpkg", "p__q.gpkg"])
    out_dir = tmp_path / "out"
    _code, _ = cli("check", "-q", subs, "-o", out_dir, "--jobs", "1", capsys=capsys)
    index = json.loads((out_dir / "index.json").read_text(encoding="utf-8"))
    reports = [r["report"] for r in index["inputs"]]
    assert len(reports) == 6 and len(set(reports)) == 6 and all(reports)
    for row in index["inputs"]:  # each report is about its own input
        doc = json.loads((out_dir / row["report"]).read_text(encoding="utf-8"))
        assert doc["inputs"][0]["path"] == row["input"]


def test_two_batches_into_one_folder_at_once_the_second_is_refused(tmp_path):
    subs = _submissions(tmp_path / "subs", ["a.gpkg"])
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    from filelock import FileLock

    from yangao_geo.cli.batch import LOCK_NAME

    with FileLock(str(out_dir / LOCK_NAME)):  # another batch holds the folder
        proc = subprocess.run(
            [sys.executable, "-m", "yangao_geo", "check", "-q", str(subs), str(subs / "a.gpkg"), "-o", str(out_dir)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert proc.returncode == 2 and "another yangao-geo batch is writing into this folder" in proc.stderr
    assert not (out_dir / "index.json").exists()


def test_a_symlink_loop_and_a_fifo_in_a_batch_folder_are_error_rows(tmp_path, capsys):
    subs = _submissions(tmp_path / "subs", ["a.gpkg"])
    (subs / "loop.shp").symlink_to(subs / "loop.shp")
    os.mkfifo(subs / "pipe.gpkg")
    out_dir = tmp_path / "out"
    done = {}

    def run():
        done["result"] = cli("check", "-q", subs, "-o", out_dir, "--jobs", "1", capsys=capsys)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(120)
    assert not t.is_alive(), "the batch hung on a FIFO"
    code, _ = done["result"]
    assert code == 2  # some inputs could not be checked; the others were
    index = json.loads((out_dir / "index.json").read_text(encoding="utf-8"))
    status = {Path(r["input"]).name: (r["status"], r["error"] or "") for r in index["inputs"]}
    assert status["a.gpkg"][0] in ("pass", "warn", "fail")
    assert status["loop.shp"][0] == "error" and status["pipe.gpkg"][0] == "error"
    assert "not a regular file" in status["pipe.gpkg"][1]


_ORIGINAL: list = []


def _deadly(item):
    """Checks like the real thing, except that the worker checking b.gpkg dies (kill -9, the OOM killer)."""
    if item.path.endswith("b.gpkg"):
        os._exit(9)
    return _ORIGINAL[-1](item)


def test_a_dead_worker_is_an_error_row_and_the_batch_goes_on(tmp_path, monkeypatch):
    import yangao_geo.batch as batch

    subs = _submissions(tmp_path / "subs", ["a.gpkg", "b.gpkg", "c.gpkg"])
    _ORIGINAL.append(batch._check_one)
    monkeypatch.setattr(batch, "_check_one", _deadly)
    results = list(batch.check_many([subs], jobs=2))
    by_name = {Path(r.source.path).name: r for r in results}
    assert [Path(r.source.path).name for r in results] == ["a.gpkg", "b.gpkg", "c.gpkg"]
    assert by_name["b.gpkg"].status == "error" and "worker process" in by_name["b.gpkg"].error
    assert by_name["a.gpkg"].report is not None and by_name["c.gpkg"].report is not None


# ------------------------------------------------------------------------------ what users hand on
def _markup_blocks(path):
    """Blocks whose ids and names are terminal markup and spreadsheet formulas."""
    gdf = blocks([box(3000 * i, 0, 1000, 1000) for i in range(len(MARKUP_NAMES))], mineral="铁")
    gdf["block_id"] = MARKUP_NAMES
    gdf["name"] = MARKUP_NAMES
    gdf.to_file(path)
    return path


def test_user_text_is_printed_literally_and_the_exit_code_is_the_verdict(tmp_path, capsys):
    path = _markup_blocks(tmp_path / "markup.gpkg")
    code, out = cli("check", path, capsys=capsys)
    assert code in (0, 1) and "Traceback" not in out.err and out.err.strip() == ""
    for name in MARKUP_NAMES:
        assert name in out.out


def test_formulas_are_written_as_text_in_xlsx_and_guarded_in_csv(tmp_path, capsys):
    import csv

    import openpyxl

    path = _markup_blocks(tmp_path / "f.gpkg")
    cli("check", "-q", path, "-o", tmp_path / "r.xlsx", "--lang", "zh", capsys=capsys)
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    ids = [c.value for c in wb["汇总"]["A"][1 : 1 + len(MARKUP_NAMES)]]
    assert sorted(ids) == sorted(MARKUP_NAMES)
    assert all(c.data_type == "s" for c in wb["汇总"]["A"][1 : 1 + len(MARKUP_NAMES)])
    assert all(c.data_type == "s" for c in wb["明细"]["A"][1:] if c.value is not None)
    cli("check", "-q", path, "-o", tmp_path / "r.csv", capsys=capsys)
    with open(tmp_path / "r.csv", encoding="utf-8-sig", newline="") as fh:
        cells = [row["block_id"] for row in csv.DictReader(fh)]
    assert cells and not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    assert '\'=HYPERLINK("http://x")' in cells


def test_json_reports_are_strict_json_even_with_nan_settings(tmp_path, capsys):
    from yangao_geo.reports.json_document import _finite

    assert _finite({"a": float("nan"), "b": [1.0, float("inf")]}) == {"a": None, "b": [1.0, None]}
    _code, _ = cli("check", "-q", "-o", tmp_path / "r.json", capsys=capsys)
    text = (tmp_path / "r.json").read_text(encoding="utf-8")

    def refuse(token):
        raise ValueError(f"non-standard JSON constant {token}")

    json.loads(text, parse_constant=refuse)


def _dbf_with_text(tmp_path, values, cpg=None, name="t"):
    gdf = blocks([box(3000 * i, 0, 1000, 1000) for i in range(len(values))], mineral="铁")
    gdf["name"] = [f"N{i}" for i in range(len(values))]
    shp = tmp_path / f"{name}.shp"
    gdf.to_file(shp, encoding="latin1")
    # rewrite the name field's bytes in place: the DBF holds exactly the bytes given
    dbf = shp.with_suffix(".dbf")
    data = bytearray(dbf.read_bytes())
    for i, raw in enumerate(values):
        pos = data.find(f"N{i}".encode())
        field_len = 80
        data[pos : pos + field_len] = raw.ljust(field_len, b" ")[:field_len]
    dbf.write_bytes(bytes(data))
    shp.with_suffix(".cpg").unlink(missing_ok=True)
    if cpg:
        shp.with_suffix(".cpg").write_text(cpg)
    return shp


def test_mixed_encodings_and_lying_cpg_files_are_detected(tmp_path):
    from yangao_geo.errors import DataSourceError
    from yangao_geo.io.encoding import detect_shapefile_encoding

    mixed = _dbf_with_text(tmp_path, ["阳高县".encode(), "阳高县".encode("gbk")], name="mixed")
    with pytest.raises(DataSourceError, match="mixes encodings"):
        detect_shapefile_encoding(mixed)
    lying = _dbf_with_text(tmp_path, ["阳高县堡子湾".encode("gbk")], cpg="1252", name="lying")
    codec, how = detect_shapefile_encoding(lying)
    assert codec == "gb18030" and "says cp1252" in how
    four_byte = _dbf_with_text(tmp_path, ["𠀀阳高".encode("gb18030")], cpg="GBK", name="four")
    codec, how = detect_shapefile_encoding(four_byte)
    assert codec == "gb18030"


def test_utf8_shapefiles_with_long_chinese_field_names_read(tmp_path):
    import warnings

    import geopandas as gpd

    import yangao_geo

    gdf = gpd.GeoDataFrame(
        {"区块编号": ["A1"], "区块类型": ["勘查"], "设计生产规模": [5.0], "规模单位": ["万吨/年"]},
        geometry=[SQUARE],
        crs=4547,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gdf.to_file(tmp_path / "u.shp", encoding="UTF-8")
    table, loaded = yangao_geo.read_blocks(tmp_path / "u.shp")
    assert list(table.block_id) == ["A1"] and list(table.kind) == ["exploration"]
    assert any("cut mid-character" in n for n in loaded.info.notes)
    from yangao_geo.i18n import use_lang

    with use_lang("zh"):  # the step that decided the encoding in words too, not its code ("cpg")
        _table, loaded = yangao_geo.read_blocks(tmp_path / "u.shp")
    note = next(n for n in loaded.info.notes if "DBF 10 字节" in n)
    assert note.startswith("编码 utf-8（.cpg 文件；已修复"), note


# ------------------------------------------------------------------------------ crashes become errors
def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("identical points", "no area left"),
        ("infinite coordinate", "NaN or infinite"),
        ("config wrong type", "must be a number"),
        ("config deep", "config"),
        ("config bom", None),
        ("precision 0", "precision must be > 0"),
        ("precision -1", "precision must be > 0"),
        ("encoding klingon", "unknown encoding"),
        ("encoding ascii", "cannot write Chinese"),
        ("check encoding klingon", "unknown encoding"),
        ("output is a folder", "is a folder"),
        ("negative capacity", "positive finite"),
        ("infinite capacity", "positive finite"),
        ("zone 38.7", "not a whole number"),
        ("fifo input", "not a regular file"),
    ],
)
def test_hostile_input_is_a_one_line_error_and_nothing_changes(tmp_path, capsys, case, expected):
    gj = lambda coords, **props: json.dumps(  # noqa: E731
        {
            "type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4547"}},
            "features": [
                {
                    "type": "Feature",
                    "properties": {"kind": "mining", "mineral": "铁", **props},
                    "geometry": {"type": "Polygon", "coordinates": [coords]},
                }
            ],
        }
    )
    land = (Path(__file__).parent / "fixtures" / "land_gbk.txt").read_bytes().decode("gbk")
    args = None
    if case == "identical points":
        p = _write(tmp_path, "same.geojson", gj([[470000, 4450000]] * 4))
        args = ["check", "-q", p, "-o", tmp_path / "r.json"]
    elif case == "infinite coordinate":
        coords = list(SQUARE.exterior.coords)
        coords[2] = (coords[2][0], float("inf"))
        p = tmp_path / "inf.gpkg"
        blocks([shapely.Polygon(coords)], mineral="铁").to_file(p)
        args = ["check", "-q", p]
    elif case.startswith("config"):
        text = {
            "config wrong type": 'tolerance_m2 = "lots"\n',
            "config deep": "a = " + "[" * 5000 + "]" * 5000 + "\n",
            "config bom": "\ufefftolerance_m2 = 2.0\n",
        }[case]
        cfg = tmp_path / "c.toml"
        cfg.write_text(text, encoding="utf-8")
        args = ["check", "-q", "--config", cfg]
    elif case.startswith("precision"):
        src = _write(tmp_path, "land.txt", land)
        args = ["convert", src, tmp_path / "out.txt", "--precision", case.split()[1]]
    elif case.startswith("encoding"):
        src = _write(tmp_path, "land.txt", land)
        args = ["convert", src, tmp_path / "out.txt", "--encoding", case.split()[1]]
    elif case == "check encoding klingon":
        args = ["check", "-q", "--encoding", "klingon"]
    elif case == "output is a folder":
        (tmp_path / "out.json").mkdir()
        args = ["check", "-q", "-o", tmp_path / "out.json"]
    elif case in ("negative capacity", "infinite capacity"):
        value = -5 if case.startswith("negative") else float("inf")
        gdf = blocks([SQUARE], kind="mining", mineral="铁", capacity=value, capacity_unit="万吨/年")
        p = tmp_path / "cap.gpkg"
        gdf.to_file(p)
        args = ["check", "-q", p]
    elif case == "zone 38.7":
        p = tmp_path / "z.txt"
        p.write_bytes(land.replace("带号=38", "带号=38.7").encode("gbk"))
        args = ["check", "-q", p, "--kind", "exploration"]
    elif case == "fifo input":
        os.mkfifo(tmp_path / "pipe.geojson")
        args = ["check", "-q", tmp_path / "pipe.geojson"]
    before = snapshot(tmp_path)
    started = time.monotonic()
    code, out = cli(*args, capsys=capsys)
    assert time.monotonic() - started < 120
    if case == "config bom":
        assert code in (0, 1) and "Traceback" not in out.err
    elif case == "identical points":
        # a block whose polygon has no area is a D102 finding (a fail), not a crash
        assert code == 1 and "Traceback" not in out.err
        doc = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
        assert any(f["rule_id"] == "D102" and expected in f["message"] for f in doc["findings"])
        return
    else:
        assert_clean_error(code, out, expected)
    assert snapshot(tmp_path) == before


def test_disk_full_and_read_only_say_what_failed_and_where(tmp_path, monkeypatch):
    from yangao_geo.errors import OutputError
    from yangao_geo.io.output import atomic_path

    target = tmp_path / "r.xlsx"
    with pytest.raises(OutputError, match=r"r\.xlsx: cannot be written \(No space left on device\)"):
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"x")
            raise OSError(28, "No space left on device")
    assert not target.exists() and not [p for p in tmp_path.iterdir()]
    import zipfile

    with pytest.raises(OutputError, match=r"r\.xlsx: cannot be written \(.*\)"):
        with atomic_path(target) as tmp:
            raise zipfile.LargeZipFile("zip error")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        if os.access(ro, os.W_OK):  # running as root, permissions do not bind: a folder that says so
            real_access = os.access
            monkeypatch.setattr(os, "access", lambda p, mode: False if str(p) == str(ro) else real_access(p, mode))
        with pytest.raises(OutputError, match="not writable"):
            with atomic_path(ro / "r.json"):
                pass
    finally:
        ro.chmod(0o700)


def test_python_callers_read_python_words(tmp_path):
    import yangao_geo
    from yangao_geo.errors import OutputError

    report = yangao_geo.check()
    out = tmp_path / "r.json"
    report.to_file(out)
    with pytest.raises(OutputError) as err:
        report.to_file(out)
    assert "overwrite=True" in str(err.value) and "--overwrite" not in str(err.value)


def test_qgis_users_read_the_dialogs_words_in_their_language():
    """In QGIS, an option of the command line is named as the dialog and QGIS's menus name it — in Chinese in a
    Chinese message (it was English inside the Chinese sentence)."""
    from yangao_geo.crs import infer_crs
    from yangao_geo.errors import CRSError, use_interface
    from yangao_geo.i18n import use_lang

    unprefixed_nowhere = (100_000.0, 1_500_000.0, 101_000.0, 1_501_000.0)  # no zone puts these in the county
    cases = (("zh", "图层属性 → 源", "Layer Properties"), ("en", "Layer Properties", "图层属性"))
    for lang, expected, foreign in cases:
        with use_lang(lang), use_interface("qgis"), pytest.raises(CRSError) as err:
            infer_crs(unprefixed_nowhere)
        with use_lang(lang), use_interface("qgis"):
            text = str(err.value)
        assert expected in text and foreign not in text and "--crs" not in text, text


def test_writer_warnings_become_one_sentence(tmp_path, capsys):
    src = tmp_path / "land.txt"
    src.write_bytes((Path(__file__).parent / "fixtures" / "land_gbk.txt").read_bytes())
    code, out = cli("convert", src, tmp_path / "a.shp", capsys=capsys)
    assert code == 0
    assert "Warning" not in out.err and "warnings.warn" not in out.err


def test_shapely_geometry_sanity():
    assert shapely.box(0, 0, 1, 1).area == 1


def test_an_excel_sheet_too_large_is_refused_not_cut(tmp_path, monkeypatch):
    import yangao_geo
    import yangao_geo.reports.excel as excel
    from yangao_geo.errors import OutputError

    report = yangao_geo.check()
    monkeypatch.setattr(excel, "_EXCEL_ROWS", report.n_findings)  # as if the run had a million findings
    with pytest.raises(OutputError, match=r"findings do not fit one Excel sheet.*write \.csv or \.json"):
        report.to_file(tmp_path / "r.xlsx")
    assert not (tmp_path / "r.xlsx").exists()
