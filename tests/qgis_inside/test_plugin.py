"""The Processing provider in a real QGIS: same findings as the library, memory layers, selections,
text formats, qgis_process, and the plugin loaded from its zip."""

import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest
from qgis_helpers import BLOCKS, BOUNDARIES, PLUGIN_DIR, REDLINES, REPO, gpkg_layer

import yangao_geo

KEYS = ["block_id", "rule_id", "severity", "feature_id"]
LAYER_PARAMS = {
    "MINING_RIGHTS": (BOUNDARIES, "mining_rights"),
    "ECO_REDLINE": (REDLINES, "eco_redline"),
    "BASIC_FARMLAND": (REDLINES, "basic_farmland"),
    "TOWN_BOUNDARY": (REDLINES, "town_boundary"),
    "ARABLE_LAND": (BOUNDARIES, "arable_land"),
    "DEPOSITS": (BOUNDARIES, "deposits"),
    "COUNTY_BOUNDARY": (BOUNDARIES, "county_boundary"),
    "CONCENTRATED_AREAS": (BOUNDARIES, "concentrated_areas"),
}


def _value(v):
    """NULLs (QVariant, None, NaN, "") as None, everything else as text."""
    if v is None or v == "" or str(v) == "NULL" or (isinstance(v, float) and v != v):
        return None
    return str(v)


def _key(values, overlap):
    area = _value(overlap)
    return (*(_value(v) for v in values), None if area is None else round(float(area), 2))


def _rows(layer):
    names = [f.name() for f in layer.fields()]
    rows = [dict(zip(names, feat.attributes())) for feat in layer.getFeatures()]
    return sorted((_key([r[k] for k in KEYS], r["overlap_m2"]) for r in rows), key=str)


def _expected(report):
    f = report.findings
    return sorted((_key(vals[:-1], vals[-1]) for vals in zip(*(f[k] for k in KEYS), f["overlap_m2"])), key=str)


def test_check_blocks_with_layer_parameters_equals_the_library(processing_ready, tmp_path):
    import processing

    params = {
        "INPUT": gpkg_layer(BLOCKS, "blocks"),
        "FINDINGS": "memory:",
        "BLOCKS": "memory:",
        "HTML": str(tmp_path / "r.html"),
        "XLSX": str(tmp_path / "r.xlsx"),
    }
    for key, (path, name) in LAYER_PARAMS.items():
        params[key] = gpkg_layer(path, name)
    result = processing.run("yangao:check_blocks", params)
    report = yangao_geo.check(BLOCKS)
    assert _rows(result["FINDINGS"]) == _expected(report)
    assert result["FINDINGS"].crs().authid() == "EPSG:4547"
    statuses = {f["block_id"]: f["status"] for f in result["BLOCKS"].getFeatures()}
    assert statuses == dict(zip(report.blocks.block_id, report.blocks.status))
    assert result["FAILS"] == report.counts()["fail"] and result["EXIT_CODE"] == 1
    assert (tmp_path / "r.html").exists() and (tmp_path / "r.xlsx").exists()


def test_the_log_sums_up_the_check_in_the_dialogs_language(processing_ready, monkeypatch):
    """The Processing log's summary is the sentence the command line prints, in Chinese by default (it was
    the Report's Python repr, in English)."""
    import processing
    from qgis.core import QgsProcessingFeedback

    from yangao_geo.i18n import use_lang
    from yangao_geo.reports.totals import summary_line

    class Log(QgsProcessingFeedback):
        def __init__(self):
            super().__init__()
            self.lines = []

        def pushInfo(self, info):
            self.lines.append(info)
            super().pushInfo(info)

    monkeypatch.setenv("YANGAO_GEO_LANG", "zh")
    log = Log()
    params = {"INPUT": gpkg_layer(BLOCKS, "blocks"), "FINDINGS": "memory:", "BLOCKS": "memory:"}
    for key, (path, name) in LAYER_PARAMS.items():
        params[key] = gpkg_layer(path, name)
    processing.run("yangao:check_blocks", params, feedback=log)
    with use_lang("zh"):
        expected = summary_line(yangao_geo.check(BLOCKS))
    assert expected in log.lines and "个区块" in expected
    assert not any(line.startswith("<Report") for line in log.lines)


def test_check_blocks_with_the_bundled_constraints_and_a_geopackage(processing_ready, tmp_path):
    import processing

    default = processing.run("yangao:check_blocks", {"INPUT": str(BLOCKS), "FINDINGS": "memory:", "BLOCKS": "memory:"})
    assert _rows(default["FINDINGS"]) == _expected(yangao_geo.check(BLOCKS))
    gpkg = tmp_path / "constraints.gpkg"
    shutil.copy(REDLINES, gpkg)  # eco_redline, basic_farmland, town_boundary ...
    import geopandas as gpd

    gpd.read_file(BOUNDARIES, layer="mining_rights").to_file(gpkg, layer="mining_rights", append=True)
    from_gpkg = processing.run(
        "yangao:check_blocks",
        {"INPUT": str(BLOCKS), "CONSTRAINTS": str(gpkg), "FINDINGS": "memory:", "BLOCKS": "memory:"},
    )
    assert _rows(from_gpkg["FINDINGS"]) == _expected(yangao_geo.check(BLOCKS, gpkg))


def test_memory_layer_and_selected_features_only(processing_ready):
    import processing
    from qgis.core import QgsProcessingFeatureSourceDefinition, QgsVectorLayer

    source = gpkg_layer(BLOCKS, "blocks")
    memory = QgsVectorLayer(f"Polygon?crs={source.crs().authid()}", "unsaved", "memory")
    memory.dataProvider().addAttributes(source.fields().toList())
    memory.updateFields()
    memory.dataProvider().addFeatures(list(source.getFeatures()))
    ids = [f.id() for f in memory.getFeatures() if f["区块编号"] in ("KC03", "KC01")]
    memory.selectByIds(ids)
    from qgis.core import QgsProject

    QgsProject.instance().addMapLayer(memory)
    result = processing.run(
        "yangao:check_blocks",
        {
            "INPUT": QgsProcessingFeatureSourceDefinition(memory.id(), selectedFeaturesOnly=True),
            "FINDINGS": "memory:",
            "BLOCKS": "memory:",
        },
    )
    assert sorted(f["block_id"] for f in result["BLOCKS"].getFeatures()) == ["KC01", "KC03"]
    b301 = [f["block_id"] for f in result["FINDINGS"].getFeatures() if f["rule_id"] == "B301"]
    assert b301 == ["KC03"]


def test_library_accepts_a_qgis_layer_directly(qgis_app):
    layer = gpkg_layer(BLOCKS, "blocks")
    report = yangao_geo.check(layer)
    assert _expected(report) == _expected(yangao_geo.check(BLOCKS))
    assert report.inputs[0].path == str(BLOCKS) and report.inputs[0].sha256


def test_errors_become_processing_exceptions(processing_ready, tmp_path):
    import geopandas as gpd
    import processing
    from qgis.core import QgsProcessingException

    partial = tmp_path / "partial.gpkg"
    gpd.read_file(REDLINES, layer="eco_redline").to_file(partial, layer="eco_redline")
    with pytest.raises(QgsProcessingException, match="required layer"):
        processing.run(
            "yangao:check_blocks",
            {"INPUT": str(BLOCKS), "CONSTRAINTS": str(partial), "FINDINGS": "memory:", "BLOCKS": "memory:"},
        )


def test_import_and_export_corner_points(processing_ready, tmp_path):
    import processing

    fixtures = REPO / "tests" / "fixtures"
    imported = processing.run(
        "yangao:import_corner_points", {"INPUT": str(fixtures / "land_gbk.txt"), "OUTPUT": "memory:"}
    )["OUTPUT"]
    assert sorted(f["block_id"] for f in imported.getFeatures()) == ["DK01", "DK02"]
    assert imported.crs().authid() == "EPSG:4526"
    out = tmp_path / "back.txt"
    processing.run("yangao:export_corner_points", {"INPUT": imported, "OUTPUT": str(out)})
    assert "J1,1,4469000.00,38478000.00" in out.read_bytes().decode("gbk")


def _qgis_process():
    exe = shutil.which("qgis_process.bin") or shutil.which("qgis_process")
    if exe is None:
        pytest.skip("qgis_process not installed")
    return exe


def _env(tmp_path, plugin_parent):
    import site
    from pathlib import Path

    env = dict(os.environ)
    # qgis_process embeds the system Python: give it this environment's packages (and yangao_geo's folder,
    # which an editable install only announces through a .pth file that PYTHONPATH does not read)
    package_parent = str(Path(yangao_geo.__file__).resolve().parents[1])
    env.update(
        QT_QPA_PLATFORM="offscreen",
        XDG_DATA_HOME=str(tmp_path / "profile"),
        QGIS_PLUGINPATH=str(plugin_parent),
        PYTHONPATH=os.pathsep.join([package_parent, *site.getsitepackages(), env.get("PYTHONPATH", "")]),
    )
    return env


def _run_check_blocks(tmp_path, *extra, json_output=False):
    """``qgis_process run yangao:check_blocks`` on the bundled blocks (the plugin enabled first)."""
    exe = _qgis_process()
    env = _env(tmp_path, PLUGIN_DIR)
    subprocess.run([exe, "plugins", "enable", "yangao_geo_qgis"], env=env, capture_output=True, timeout=120)
    args = [
        *(["--json"] if json_output else []),
        "run",
        "yangao:check_blocks",
        "--",
        f"INPUT={BLOCKS}",
        f"FINDINGS={tmp_path / 'f.gpkg'}",
        f"BLOCKS={tmp_path / 'b.gpkg'}",
        *extra,
    ]
    return subprocess.run([exe, *args], env=env, capture_output=True, text=True, timeout=300)


def test_qgis_process_runs_the_algorithm_and_returns_json(tmp_path):
    proc = _run_check_blocks(tmp_path, json_output=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    doc = json.loads(proc.stdout)
    report = yangao_geo.check(BLOCKS)
    assert doc["results"]["FAILS"] == report.counts()["fail"]
    assert doc["results"]["FAILING_BLOCKS"] == int((report.blocks.status == "fail").sum())
    import geopandas as gpd

    findings = gpd.read_file(tmp_path / "f.gpkg")
    assert sorted(zip(findings.block_id.fillna(""), findings.rule_id)) == sorted(
        zip(report.findings.block_id.fillna(""), report.findings.rule_id)
    )


def test_plugin_loads_from_its_zip(qgis_app, tmp_path):
    sys.path.insert(0, str(REPO / "qgis_plugin"))
    from build_zip import build

    archive = build(tmp_path / "dist")
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
        assert "yangao_geo_qgis/metadata.txt" in names and "yangao_geo_qgis/__init__.py" in names
        plugins = tmp_path / "plugins"
        zf.extractall(plugins)  # what QGIS's plugin manager does with a zip
    import qgis.utils
    from qgis.core import QgsApplication

    sys.modules.pop("yangao_geo_qgis", None)
    for name in [m for m in sys.modules if m.startswith("yangao_geo_qgis.")]:
        sys.modules.pop(name)
    qgis.utils.plugin_paths.insert(0, str(plugins))
    sys.path.insert(0, str(plugins))
    assert qgis.utils.loadPlugin("yangao_geo_qgis")
    assert qgis.utils.startProcessingPlugin("yangao_geo_qgis")
    assert qgis.utils.plugins["yangao_geo_qgis"].__module__.startswith("yangao_geo_qgis")
    assert str(plugins) in sys.modules["yangao_geo_qgis"].__file__
    provider = QgsApplication.processingRegistry().providerById("yangao")
    assert provider is not None and {a.name() for a in provider.algorithms()} >= {
        "check_blocks",
        "import_corner_points",
        "export_corner_points",
    }
    qgis.utils.unloadPlugin("yangao_geo_qgis")


def test_a_constraint_geopackage_combines_with_single_layers(processing_ready, tmp_path):
    import geopandas as gpd
    import processing

    partial = tmp_path / "partial.gpkg"  # only the red line; the other required layers given one by one
    gpd.read_file(REDLINES, layer="eco_redline").to_file(partial, layer="eco_redline")
    params = {"INPUT": str(BLOCKS), "CONSTRAINTS": str(partial), "FINDINGS": "memory:", "BLOCKS": "memory:"}
    for key in ("MINING_RIGHTS", "BASIC_FARMLAND", "TOWN_BOUNDARY"):
        params[key] = gpkg_layer(*LAYER_PARAMS[key])
    result = processing.run("yangao:check_blocks", params)
    expected = yangao_geo.check(
        BLOCKS,
        {
            "eco_redline": partial,
            "mining_rights": gpd.read_file(BOUNDARIES, layer="mining_rights"),
            "basic_farmland": gpd.read_file(REDLINES, layer="basic_farmland"),
            "town_boundary": gpd.read_file(REDLINES, layer="town_boundary"),
        },
    )
    assert _rows(result["FINDINGS"]) == _expected(expected)
    fields = [f.name() for f in result["BLOCKS"].fields()]
    assert "area_km2" in fields and "status_zh" in fields
    values = {f["status"]: f["status_zh"] for f in result["BLOCKS"].getFeatures()}
    assert values.get("fail") == "不通过"
    ratios = [f["overlap_ratio"] for f in result["FINDINGS"].getFeatures() if f["overlap_ratio"]]
    assert all(round(float(r), 6) == float(r) for r in ratios)


def _memory_copy(source, name="unsaved", crs=None):
    from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsProject, QgsVectorLayer

    target = crs or source.crs().authid()
    memory = QgsVectorLayer(f"Polygon?crs={target}", name, "memory")
    memory.dataProvider().addAttributes(source.fields().toList())
    memory.updateFields()
    features = list(source.getFeatures())
    if crs:
        transform = QgsCoordinateTransform(source.crs(), QgsCoordinateReferenceSystem(crs), QgsProject.instance())
        for f in features:
            g = f.geometry()
            g.transform(transform)
            f.setGeometry(g)
    memory.dataProvider().addFeatures(features)
    return memory


def test_console_selection_source_name_and_feature_ids(qgis_app):
    memory = _memory_copy(gpkg_layer(BLOCKS, "blocks"))
    ids = [f.id() for f in memory.getFeatures() if f["区块编号"] in ("KC03", "KC01")]
    memory.selectByIds(ids)
    report = yangao_geo.check(memory)  # the selection, as the analyst sees it
    assert sorted(report.blocks.block_id) == ["KC01", "KC03"]
    assert report.inputs[0].path == "<QGIS layer unsaved>"
    assert any("selected" in n for n in report.inputs[0].notes)
    assert all(s.startswith("unsaved#") for s in report.blocks.source)
    everything = yangao_geo.check(memory, selected_only=False)
    assert len(everything.blocks) == 12


@pytest.mark.parametrize("epsg", ["EPSG:3857", "EPSG:4326"])
def test_web_map_and_wgs84_layers_are_checked(qgis_app, epsg):
    memory = _memory_copy(gpkg_layer(BLOCKS, "blocks"), name=f"in_{epsg[5:]}", crs=epsg)
    report = yangao_geo.check(memory)
    reference = yangao_geo.check(BLOCKS)
    assert sorted(report.blocks.block_id) == sorted(reference.blocks.block_id)
    b301 = sorted(report.findings.loc[report.findings.rule_id == "B301", "block_id"])
    assert b301 == sorted(reference.findings.loc[reference.findings.rule_id == "B301", "block_id"])
    d103 = report.findings[report.findings.rule_id == "D103"]
    if epsg == "EPSG:3857":
        assert len(d103) == 1 and "GCJ-02" in d103.message.iloc[0] and "reprojected by QGIS" in d103.message.iloc[0]


def test_export_takes_the_zone_from_the_layer_and_warns_when_far(processing_ready, tmp_path):
    import geopandas as gpd
    import processing
    import shapely
    from qgis.core import QgsProcessingFeedback

    east = tmp_path / "east.gpkg"  # a block at 117.2°E: 3° zone 39, far from zone 38's 114°E
    gpd.GeoDataFrame({"block_id": ["E1"]}, geometry=[shapely.box(117.2, 40.1, 117.21, 40.11)], crs=4490).to_file(east)

    class Feedback(QgsProcessingFeedback):
        def __init__(self):
            super().__init__()
            self.errors = []

        def reportError(self, error, fatalError=False):
            self.errors.append(error)

    out = tmp_path / "auto.txt"
    processing.run("yangao:export_corner_points", {"INPUT": str(east), "OUTPUT": str(out)})
    assert "带号=39" in out.read_bytes().decode("gbk")
    feedback = Feedback()
    processing.run(
        "yangao:export_corner_points",
        {"INPUT": str(east), "ZONE": 38, "OUTPUT": str(tmp_path / "z38.txt")},
        feedback=feedback,
    )
    assert any("check the zone" in e for e in feedback.errors)  # the run's language: en in the tests


def test_fix_blocks_algorithm_proposes_what_the_library_proposes(processing_ready):
    import processing

    result = processing.run("yangao:fix_blocks", {"INPUT": str(BLOCKS), "OUTPUT": "memory:"})
    layer = result["OUTPUT"]
    got = {f["block_id"]: round(float(f["area_after_m2"]), 2) for f in layer.getFeatures()}
    expected = yangao_geo.fix(BLOCKS).proposals
    expected = expected[expected.geometry.notna()]
    assert got == dict(zip(expected.block_id, expected.area_after_m2.round(2)))
    assert {"kept_ratio", "status_after", "status_zh", "note"} <= {f.name() for f in layer.fields()}


def test_qgis_process_exits_non_zero_when_asked_and_the_check_fails(tmp_path):
    failing = _run_check_blocks(tmp_path, "FAIL_EXIT=true")
    assert failing.returncode != 0 and (tmp_path / "f.gpkg").exists()
    assert "fail findings" in failing.stdout + failing.stderr


def test_the_dialog_speaks_qgis_language_chinese_by_default(processing_ready, monkeypatch):
    from yangao_geo_qgis.alg_check_blocks import CheckBlocksAlgorithm, FixBlocksAlgorithm

    monkeypatch.setenv("YANGAO_GEO_LANG", "zh")
    alg = CheckBlocksAlgorithm()
    alg.initAlgorithm()
    assert alg.displayName() == "规划区块合规检查" and "规划条款" in alg.shortHelpString()
    assert alg.parameterDefinition("INPUT").description() == "规划区块"
    assert (
        alg.parameterDefinition("ECO_REDLINE").description().startswith("生态保护红线（在此或在约束 GeoPackage 中给出")
    )
    assert alg.parameterDefinition("KIND").options()[1] == "勘查规划区块"
    assert alg.parameterDefinition("FAIL_ON").options() == ["不通过", "需关注"]
    fix = FixBlocksAlgorithm()
    fix.initAlgorithm()
    assert fix.displayName() == "区块避让调整" and fix.parameterDefinition("POLICY").options()[0] == "先列者保留"
    monkeypatch.setenv("YANGAO_GEO_LANG", "en")
    alg = CheckBlocksAlgorithm()
    alg.initAlgorithm()
    assert alg.displayName() == "Check planning blocks"
    assert alg.parameterDefinition("INPUT").description() == "Proposed blocks"
    assert alg.parameterDefinition("KIND").options()[1] == "exploration planning block"
    # no language in the environment: QGIS's interface language decides (en locale → English, else Chinese)
    from qgis.core import QgsApplication
    from yangao_geo_qgis.common import plugin_lang

    monkeypatch.delenv("YANGAO_GEO_LANG")
    assert plugin_lang() == ("en" if QgsApplication.locale().lower().startswith("en") else "zh")


def test_the_dialog_choices_are_the_librarys_vocabulary_and_mean_the_same(processing_ready):
    """Every choice the QGIS dialogs offer is a value of the library's table, in its order, and a kind chosen
    in the dialog finds what check(kind=…) finds."""
    import processing
    from yangao_geo_qgis.alg_check_blocks import FAIL_ON, KIND_VALUES, CheckBlocksAlgorithm, FixBlocksAlgorithm

    from yangao_geo.vocabulary import canonical_values

    assert KIND_VALUES[0] is None and tuple(KIND_VALUES[1:]) == canonical_values("kind")
    assert tuple(FAIL_ON) == canonical_values("fail_on")
    assert FixBlocksAlgorithm.KEEP_VALUES == canonical_values("keep") and len(FixBlocksAlgorithm.KEEPS) == 2
    assert FixBlocksAlgorithm.POLICY_VALUES == canonical_values("policy") and len(FixBlocksAlgorithm.POLICIES) == 3
    alg = CheckBlocksAlgorithm()
    alg.initAlgorithm()
    assert len(alg.parameterDefinition("KIND").options()) == len(KIND_VALUES)
    for index, kind in enumerate(KIND_VALUES):
        result = processing.run(
            "yangao:check_blocks", {"INPUT": str(BLOCKS), "KIND": index, "FINDINGS": "memory:", "BLOCKS": "memory:"}
        )
        assert _rows(result["FINDINGS"]) == _expected(yangao_geo.check(BLOCKS, kind=kind)), kind


def test_screenshots_of_the_dialog_and_of_the_loaded_results(processing_ready, monkeypatch, tmp_path):
    """The dialog (in Chinese, QGIS's default language here) and the results on a map, as an analyst sees
    them: saved to test-output/screenshots for a person to look at."""
    import processing
    from processing.gui.AlgorithmDialog import AlgorithmDialog
    from qgis.core import (
        QgsApplication,
        QgsMapRendererParallelJob,
        QgsMapSettings,
        QgsProcessingContext,
        QgsProcessingFeedback,
    )
    from qgis.PyQt.QtCore import QSize
    from yangao_geo_qgis.alg_check_blocks import _StyleBy

    shots = REPO / "test-output" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("YANGAO_GEO_LANG", "zh")
    alg = QgsApplication.processingRegistry().createAlgorithmById("yangao:check_blocks")
    assert alg.displayName() == "规划区块合规检查"
    assert "规则代码或名称" in alg.shortHelpString() or "规则" in alg.shortHelpString()
    for name in ("RULES", "CONFIG", "CRS", "AREA_UNIT"):
        assert alg.parameterDefinition(name) is not None, name
    dialog = AlgorithmDialog(alg)
    dialog.resize(1000, 900)
    dialog.show()
    QgsApplication.processEvents()
    assert dialog.grab().save(str(shots / "qgis_dialog.png"))
    dialog.close()

    result = processing.run("yangao:check_blocks", {"INPUT": str(BLOCKS), "FINDINGS": "memory:", "BLOCKS": "memory:"})
    blocks, findings = result["BLOCKS"], result["FINDINGS"]
    context, feedback = QgsProcessingContext(), QgsProcessingFeedback()
    _StyleBy("status", "区块结论").postProcessLayer(blocks, context, feedback)
    _StyleBy("severity", "问题").postProcessLayer(findings, context, feedback)
    assert blocks.renderer().type() == "categorizedSymbol" and findings.renderer().type() == "categorizedSymbol"
    assert {blocks.attributeDisplayName(i) for i in range(blocks.fields().count())} >= {"结论", "面积(km²)"}
    settings = QgsMapSettings()
    settings.setLayers([findings, blocks])  # findings drawn above the blocks
    settings.setDestinationCrs(blocks.crs())
    settings.setExtent(blocks.extent().buffered(2000))
    settings.setOutputSize(QSize(900, 900))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    assert image.save(str(shots / "qgis_results.png"))
    colours = {image.pixelColor(x, y).name() for x in range(0, 900, 15) for y in range(0, 900, 15)}
    assert len(colours) > 3, "the map shows styled layers, not a blank canvas"


def test_the_zip_pins_the_library_version_and_the_plugin_refuses_another(tmp_path, monkeypatch):
    import zipfile

    sys.path.insert(0, str(PLUGIN_DIR))
    from build_zip import build, library_version

    archive = build(tmp_path)
    with zipfile.ZipFile(archive) as zf:
        metadata = zf.read("yangao_geo_qgis/metadata.txt").decode("utf-8")
    assert f"yangao_geo={yangao_geo.__version__}" in metadata and f"version={library_version()}" in metadata
    assert library_version() == yangao_geo.__version__
    import yangao_geo_qgis.common as common
    from qgis.core import QgsProcessingException

    monkeypatch.setattr(common, "_pinned_version", lambda: "9.9.9")
    with pytest.raises(QgsProcessingException, match=r"9\.9\.9"):
        common.library()


def test_propose_blocks_algorithm_proposes_what_the_library_proposes(processing_ready):
    import processing

    deposits = gpkg_layer(BOUNDARIES, "deposits")
    result = processing.run("yangao:propose_blocks", {"INPUT": deposits, "MINERAL": "铁", "OUTPUT": "memory:"})
    layer = result["OUTPUT"]
    assert layer.crs().authid() == "EPSG:4490"
    got = sorted(int(f["grid_cells"]) for f in layer.getFeatures())
    import geopandas as gpd

    expected = yangao_geo.propose(gpd.read_file(BOUNDARIES, layer="deposits"), mineral="铁").proposals
    assert got == sorted(int(c) for c in expected.grid_cells[expected.geometry.notna()])


def test_the_html_report_is_one_output_the_results_viewer_lists_once(processing_ready):
    from qgis.core import QgsApplication, QgsProcessingOutputHtml

    alg = QgsApplication.processingRegistry().createAlgorithmById("yangao:check_blocks")
    html_outputs = [o.name() for o in alg.outputDefinitions() if isinstance(o, QgsProcessingOutputHtml)]
    assert html_outputs == ["HTML"]


def test_the_plugin_holds_the_constraint_layers_across_runs_and_rereads_a_changed_file(processing_ready, tmp_path):
    import shutil

    import processing
    from qgis.core import QgsApplication

    # the cache of the algorithm the registry runs (a test above reloads the plugin from its zip)
    registered = type(QgsApplication.processingRegistry().algorithmById("yangao:check_blocks"))
    checkers = registered.processAlgorithm.__globals__["_CHECKERS"]
    checkers.clear()
    gpkg = tmp_path / "constraints.gpkg"
    shutil.copy(REDLINES, gpkg)
    for name in ("mining_rights", "county_boundary", "deposits", "concentrated_areas", "arable_land"):
        import geopandas as gpd

        gpd.read_file(BOUNDARIES, layer=name).to_file(gpkg, layer=name, driver="GPKG")
    params = {"INPUT": str(BLOCKS), "CONSTRAINTS": str(gpkg), "FINDINGS": "memory:", "BLOCKS": "memory:"}
    first = processing.run("yangao:check_blocks", params)
    assert len(checkers) == 1
    held = next(iter(checkers.values()))[1]
    second = processing.run("yangao:check_blocks", params)
    assert next(iter(checkers.values()))[1] is held  # the second run reused the layers
    expected = _expected(yangao_geo.check(BLOCKS, str(gpkg)))
    assert _rows(first["FINDINGS"]) == _rows(second["FINDINGS"]) == expected
    import os

    os.utime(gpkg, ns=(os.stat(gpkg).st_atime_ns, os.stat(gpkg).st_mtime_ns + 10**9))  # the file changed
    processing.run("yangao:check_blocks", params)
    assert len(checkers) == 1 and next(iter(checkers.values()))[1] is not held  # read again, the old set let go


def test_fix_blocks_gives_the_before_and_after_map(processing_ready):
    import processing

    result = processing.run(
        "yangao:fix_blocks", {"INPUT": str(BLOCKS), "OUTPUT": "memory:", "ORIGINALS": "memory:", "REMOVED": "memory:"}
    )
    originals, removed = result["ORIGINALS"], result["REMOVED"]
    assert originals.featureCount() == yangao_geo.fix(BLOCKS).proposals.shape[0]
    layers = {f["layer"] for f in removed.getFeatures()}
    assert "blocks" in layers  # JZ05/JZ06: the ground the plan lists twice, kept by the earlier blocks
    area = sum(f.geometry().area() for f in removed.getFeatures() if f["block_id"] == "JZ06")
    assert abs(area - 1_427_000) / 1_427_000 < 0.01
