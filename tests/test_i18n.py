"""Languages: every text marked in the code has a Chinese translation with the same named fields."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import yangao_geo
from conftest import blocks, findings, layer, run
from geoms import CORNER_OVERLAP, SQUARE
from yangao_geo.i18n import fields_of, t, use_lang

PACKAGE = Path(yangao_geo.__file__).parent


def _marked():
    return {
        msg
        for _, _, msg, _, _ in extract_from_dir(
            PACKAGE, keywords={"t": None, "N_": None}, method_map=[("**.py", "python")]
        )
    }


def _catalog():
    with open(PACKAGE / "i18n" / "zh_CN.po", "rb") as fh:
        return read_po(fh, locale="zh_CN")


def test_every_marked_text_has_a_chinese_translation_with_the_same_fields():
    catalog = _catalog()
    marked = _marked()
    assert len(marked) > 100
    missing = [m for m in marked if catalog.get(m) is None or not catalog.get(m).string]
    assert not missing, f"texts without a zh_CN translation (run scripts/update_catalog.py): {missing}"
    wrong = [m for m in marked if fields_of(catalog.get(m).string) != fields_of(m)]
    assert not wrong, f"translations whose named fields differ from the template: {wrong}"
    unused = [m.id for m in catalog if m.id and m.id not in marked]
    assert not unused, f"catalog entries no text in the code uses: {unused}"


def test_english_templates_are_english():
    """No English text with the Chinese term in brackets: the Chinese is the translation's job."""
    import re

    bracketed = [m for m in _marked() if re.search(r"[(（][\u4e00-\u9fff]+[)）]", m)]
    assert not bracketed, bracketed


def test_findings_speak_chinese_by_default_and_english_on_request():
    gdf = blocks([SQUARE], mineral="建筑用砂", kind="concentrated")
    farm = {"basic_farmland": layer([CORNER_OVERLAP])}
    zh = run(gdf, config={"lang": "zh"}, **farm)
    message = findings(zh, "O203").message.iloc[0]
    assert "永久基本农田" in message and "重叠" in message and "overlaps" not in message
    en = run(gdf, config={"lang": "en"}, **farm)
    assert findings(en, "O203").message.iloc[0].startswith("overlaps permanent basic farmland")
    assert zh.settings["lang"] == "zh" and en.settings["lang"] == "en"
    assert yangao_geo.check(lang="zh").settings["lang"] == "zh"


def test_default_language_is_chinese_without_the_environment(monkeypatch):
    monkeypatch.delenv("YANGAO_GEO_LANG", raising=False)
    report = yangao_geo.check(rules=["B301"])
    assert report.settings["lang"] == "zh"
    assert "基本单位区块" in report.findings.message.iloc[0]


def test_cli_lang_option(capsys):
    from yangao_geo.cli.main import main

    with pytest.raises(SystemExit):
        main(["check", "--lang", "zh", "--rules", "B301"])
    out = capsys.readouterr().out
    assert "面积小于一个基本单位区块" in out and "不通过" in out
    with pytest.raises(SystemExit):
        main(["check", "--lang", "en", "--rules", "B301"])
    out = capsys.readouterr().out
    assert "Smaller than one basic unit block" in out


def test_unknown_language_is_refused():
    with pytest.raises(yangao_geo.errors.InputError, match="unknown language 'fr'"):
        yangao_geo.check(lang="fr")


def test_translation_fills_named_fields():
    with use_lang("zh"):
        assert t(
            "{blocks} blocks: {fail} fail, {warn} need attention, {passed} pass — findings: {f_fail} fail, "
            "{f_warn} need attention, {f_info} notes",
            blocks=3,
            fail=1,
            warn=1,
            passed=1,
            f_fail=2,
            f_warn=1,
            f_info=0,
        ).startswith("共 3 个区块")
