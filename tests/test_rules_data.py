"""D1xx: geometry, extent, declared area, ids, minerals; rule crashes; skipped rules."""

import pytest

import yangao_geo
from conftest import blocks, findings, layer, run
from geoms import BIG, BOWTIE, EMPTY, SQUARE, box
from yangao_geo.rules import RULES


def test_invalid_geometry_is_repaired_and_reported():
    report = run(blocks([BOWTIE], mineral="铁"), eco_redline=layer([box(1500, 900, 100, 200)]))
    f = findings(report, "D101")
    assert list(f.severity) == ["warn"] and "Self-intersection" in f.message.iloc[0]
    assert report.blocks.area_m2.iloc[0] == pytest.approx(2_000_000, rel=1e-3)  # two triangles
    assert not findings(report, "O202").empty  # and the repaired block is still checked


def test_empty_geometry_fails_and_is_skipped_by_spatial_rules():
    report = run(blocks([EMPTY, SQUARE], mineral="铁"), eco_redline=layer([BIG]))
    assert list(findings(report, "D102").block_id) == ["B1"]
    assert list(findings(report, "O202").block_id) == ["B2"]


def test_outside_county_reports_the_area_outside():
    county = layer([box(0, 0, 1000, 2000)])
    f = findings(run(blocks([SQUARE], mineral="铁"), county_boundary=county), "D104")
    assert list(f.severity) == ["warn"] and f.overlap_m2.iloc[0] == pytest.approx(2_000_000, rel=1e-3)
    assert findings(run(blocks([SQUARE], mineral="铁"), county_boundary=layer([BIG])), "D104").empty


def test_declared_area_mismatch():
    area_km2 = run(blocks([SQUARE], mineral="铁")).blocks.area_m2.iloc[0] / 1e6
    ok = run(blocks([SQUARE], mineral="铁", declared_area_km2=area_km2 * 1.004))
    assert findings(ok, "D105").empty
    off = run(blocks([SQUARE], mineral="铁", declared_area_km2=area_km2 * 1.006))
    assert list(findings(off, "D105").severity) == ["warn"]


def test_duplicate_ids_fail_on_every_copy():
    gdf = blocks([SQUARE, box(5000, 0, 2000, 2000), box(9000, 0, 2000, 2000)], mineral="铁")
    gdf["block_id"] = ["A", "A", "B"]
    f = findings(run(gdf), "D106")
    assert list(f.block_id) == ["A", "A"] and "rows 1, 2" in f.message.iloc[0]


def test_unknown_and_missing_minerals_warn():
    gdf = blocks([SQUARE, box(5000, 0, 2000, 2000), box(9000, 0, 2000, 2000)], mineral=["金", "unobtainium", None])
    f = findings(run(gdf), "D107")
    assert list(f.block_id) == ["B2", "B3"]


def test_missing_optional_layer_skips_its_rules_and_says_so():
    report = run(blocks([SQUARE], mineral="铁"))
    skipped = {s["rule_id"]: s["reason"] for s in report.skipped_rules}
    assert skipped["O205"] == "layer arable_land not provided"
    assert skipped["B302"] == "layer deposits not provided"
    assert "O203" not in skipped


def test_why_a_rule_did_not_run_is_said_in_the_runs_language_and_the_opinion_says_it_in_chinese(tmp_path):
    pytest.importorskip("docx")
    import docx

    zh = run(blocks([SQUARE], mineral="铁"), config={"lang": "zh"})
    skipped = {s["rule_id"]: s for s in zh.skipped_rules}
    assert skipped["O205"]["reason"] == "未提供图层 arable_land" and skipped["O205"]["cause"] == "missing_layers"
    assert skipped["O205"]["layers"] == ["arable_land"]
    en = run(blocks([SQUARE], mineral="铁"), config={"lang": "en"})
    path = tmp_path / "opinion.docx"
    en.to_file(path)
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    line = next(p for p in text.splitlines() if p.startswith("未运行的规则"))
    assert "O205（未提供图层 arable_land）" in line and "not provided" not in line


def test_a_crashing_rule_becomes_a_finding_and_the_run_goes_on(monkeypatch):
    def boom(ctx, params):
        raise RuntimeError("kaboom")

    monkeypatch.setitem(RULES, "B301", RULES["B301"].__class__(**{**RULES["B301"].__dict__, "func": boom}))
    report = run(blocks([box(0, 0, 100, 100)], mineral="铁"), eco_redline=layer([BIG]))
    crash = findings(report, "B301")
    assert list(crash.severity) == ["fail"] and "kaboom" in crash.message.iloc[0]
    assert not findings(report, "O202").empty


def test_rule_selection_and_disabling():
    report = run(
        blocks([box(0, 0, 100, 100)], mineral="铁"), rules=["B301", "redline.overlap"], eco_redline=layer([BIG])
    )
    assert set(report.findings.rule_id) == {"B301", "O202"}
    report = run(blocks([box(0, 0, 100, 100)], mineral="铁"), config={"rule": {"B301": {"enabled": False}}})
    assert findings(report, "B301").empty
    assert {"rule_id": "B301", "cause": "disabled", "reason": "disabled in config"} in report.skipped_rules


@pytest.mark.parametrize(
    ("config", "match"),
    [
        ({"rule": {"B999": {}}}, "unknown rule"),
        ({"rule": {"B301": {"cells": 2}}}, "no parameter"),
        ({"tolerance": 1}, "unknown key"),
        ({"tolerance_m2": -1}, ">= 0"),
    ],
)
def test_bad_config_is_an_input_error(config, match):
    with pytest.raises(yangao_geo.InputError, match=match):
        run(blocks([SQUARE], mineral="铁"), config=config)


def test_every_rule_has_code_name_citation_and_docstring():
    for code, r in RULES.items():
        assert r.code == code and r.name and r.citation and r.doc
        assert r.severity in ("fail", "warn", "info")


def test_status_is_worst_severity_and_info_does_not_count():
    gdf = blocks([SQUARE], kind="mining", mineral="矿泉水", degree="详查", capacity=1, capacity_unit="万吨/年")
    report = run(
        gdf,
        town_boundary=layer([box(100, 100, 10, 10)]),
        config={"mineral": [{"name": "矿泉水", "min_scale": 0.5, "min_scale_unit": "万吨/年"}]},
    )
    assert set(report.findings.severity) == {"info"}
    assert report.blocks.status.iloc[0] == "pass" and report.exit_code() == 0
