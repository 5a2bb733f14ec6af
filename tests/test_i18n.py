"""Languages: every text marked in the code has a Chinese translation with the same named fields."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import yangao_geo
from conftest import blocks, findings, layer, run
from geoms import CORNER_OVERLAP, SQUARE
from yangao_geo.i18n import fields_of, t, use_lang

PACKAGE = Path(yangao_geo.__file__).parent


def _marked():
    """Every marked text: what Babel extracts (the package and the QGIS plugin), and the t()/N_()/tr() calls
    inside f-strings it cannot see."""
    import importlib.util

    script = Path(__file__).parents[1] / "scripts" / "update_catalog.py"
    spec = importlib.util.spec_from_file_location("update_catalog", script)
    update_catalog = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(update_catalog)
    return {m.id for m in update_catalog.extract() if m.id}


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


def test_cli_lang_option(capsys, monkeypatch):
    from yangao_geo.cli.main import main

    monkeypatch.setenv("COLUMNS", "300")
    with pytest.raises(SystemExit):
        main(["check", "--lang", "zh", "--rules", "B301"])
    out = capsys.readouterr().out
    assert "面积小于一个基本单位区块" in out and "不通过" in out
    with pytest.raises(SystemExit):
        main(["check", "--lang", "en", "--rules", "B301"])
    out = capsys.readouterr().out
    assert "Smaller than one basic unit block" in out


def test_unknown_language_is_refused():
    with pytest.raises(yangao_geo.errors.InputError, match="unknown value 'fr'"):
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


def _cli(args, monkeypatch, capsys, lang_env=None):
    from yangao_geo.cli.main import main

    if lang_env is None:
        monkeypatch.delenv("YANGAO_GEO_LANG", raising=False)
    else:
        monkeypatch.setenv("YANGAO_GEO_LANG", lang_env)
    with pytest.raises(SystemExit) as exc:
        main(args)
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


def test_cli_help_is_chinese_by_default_and_english_on_request(monkeypatch, capsys):
    code, out, _ = _cli(["check", "--help"], monkeypatch, capsys)
    assert code == 0
    assert "用法：" in out and "选项" in out and "按规划的规则检查 BLOCKS" in out and "显示本帮助并退出" in out
    assert "Show this message" not in out and "Options" not in out
    assert "写出报告；后缀决定格式（.json, .csv" in out  # a help template with a field, filled
    _, out, _ = _cli(["check", "--help", "--lang", "en"], monkeypatch, capsys)
    assert "Usage:" in out and "Options" in out and "Check BLOCKS" in out and "用法" not in out
    _, out, _ = _cli(["--help"], monkeypatch, capsys)
    assert "命令" in out and "列出全部规则" in out  # the group and its commands' short help
    for command in ("rules", "convert", "fix", "partition"):
        code, out, _ = _cli([command, "--help"], monkeypatch, capsys)
        assert code == 0 and "选项" in out and "--lang" in out, command


def test_error_messages_speak_the_run_language(monkeypatch, capsys, tmp_path):
    missing = str(tmp_path / "nowhere.gpkg")
    code, _, err = _cli(["check", missing], monkeypatch, capsys)
    assert code == 2 and err.startswith("yangao-geo：错误：") and "文件或文件夹不存在" in err
    code, _, err = _cli(["check", missing, "--lang", "en"], monkeypatch, capsys)
    assert code == 2 and err.startswith("yangao-geo: error:") and "no such file or directory" in err
    code, _, err = _cli(["check", missing], monkeypatch, capsys, lang_env="en")
    assert "no such file or directory" in err
    # the Python API speaks the environment's language, or zh
    monkeypatch.delenv("YANGAO_GEO_LANG", raising=False)
    with pytest.raises(yangao_geo.errors.YangaoError, match="文件或文件夹不存在"):
        yangao_geo.check(missing)
    with use_lang("en"), pytest.raises(yangao_geo.errors.YangaoError, match="no such file"):
        yangao_geo.check(missing)


def test_every_rule_has_a_title_and_a_description_in_both_languages():
    from yangao_geo.rules import RULES
    from yangao_geo.rules.titles import DESCRIPTIONS, TITLES

    assert set(RULES) == set(TITLES) == set(DESCRIPTIONS)
    for code, rule in RULES.items():
        with use_lang("zh"):
            zh = rule.summary
        with use_lang("en"):
            en = rule.summary
        assert zh != en and any("\u4e00" <= ch <= "\u9fff" for ch in zh), code


def test_rules_table_fits_the_terminal_and_speaks_chinese(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "100")
    code, out, _ = _cli(["rules"], monkeypatch, capsys)
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= 100
    assert "编号" in out and "规则" in out
    monkeypatch.setenv("COLUMNS", "400")
    _, out, _ = _cli(["rules"], monkeypatch, capsys)
    assert "与生态保护红线重叠" in out and "规划条款" in out and "redline.overlap" in out
    monkeypatch.setenv("COLUMNS", "100")
    code, out, _ = _cli(["check", "--rules", "O202,B301"], monkeypatch, capsys)
    assert max(len(line) for line in out.splitlines()) <= 100


def test_html_report_speaks_one_language():
    zh = yangao_geo.check(lang="zh").to_html()
    assert '<html lang="zh-CN">' in zh and "<h2>概况</h2>" in zh and "<h2>审查发现</h2>" in zh and "Summary" not in zh
    assert "各图层重叠面积" in zh and "wheel to zoom" not in zh.lower()
    en = yangao_geo.check(lang="en").to_html()
    assert '<html lang="en">' in en and "<h2>Summary</h2>" in en and "概况" not in en and "审查发现" not in en


def test_the_compiled_catalog_is_cached_and_a_damaged_cache_is_not_trusted(tmp_path, monkeypatch):
    from yangao_geo import i18n

    monkeypatch.setenv("YANGAO_GEO_CACHE", str(tmp_path))
    i18n._translations.cache_clear()
    try:
        with i18n.use_lang("zh"):
            assert i18n.t("needs attention") == "需关注"
        (cached,) = tmp_path.glob("zh_CN-*.mo")
        cached.write_bytes(b"\x00 damaged")
        i18n._translations.cache_clear()
        with i18n.use_lang("zh"):
            assert i18n.t("needs attention") == "需关注"  # compiled again, not read from the damaged file
        assert cached.read_bytes() != b"\x00 damaged"  # and the cache mended
        monkeypatch.setenv("YANGAO_GEO_CACHE", str(tmp_path / "file-not-folder"))
        (tmp_path / "file-not-folder").write_text("x")
        i18n._translations.cache_clear()
        with i18n.use_lang("zh"):
            assert i18n.t("needs attention") == "需关注"  # a cache that cannot be written is not used
    finally:
        i18n._translations.cache_clear()


def test_every_error_the_package_raises_for_users_is_a_translated_text():
    """A YangaoError (InputError, CRSError, DataSourceError, OutputError) is raised with t(...) — or with a text
    made by t() earlier — never with a literal or an f-string: those would reach a Chinese user in English."""
    import ast

    user_errors = {"YangaoError", "InputError", "CRSError", "DataSourceError", "OutputError"}
    untranslated = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args):
                continue
            func = node.exc.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name not in user_errors:
                continue
            translated = {
                id(inner)
                for call in ast.walk(node.exc.args[0])
                if isinstance(call, ast.Call) and getattr(call.func, "id", None) in ("t", "tr", "N_")
                for inner in ast.walk(call)
            }
            literal = [
                n
                for n in ast.walk(node.exc.args[0])
                if (isinstance(n, ast.JoinedStr) or (isinstance(n, ast.Constant) and isinstance(n.value, str)))
                and id(n) not in translated
            ]
            if literal:  # text written here, outside any t()
                untranslated.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not untranslated, untranslated


def test_what_a_reader_notes_about_an_input_is_said_in_the_runs_language():
    """The notes a report lists under its inputs (format, declared areas, columns): Chinese by default."""
    from yangao_geo.io.vector import read_vector

    sample = Path(__file__).parent / "fixtures" / "land_gbk.txt"
    with use_lang("zh"):
        _gdf, zh = read_vector(sample)
    with use_lang("en"):
        _gdf, en = read_vector(sample)
    assert zh.notes[0] == "格式：坐标TXT" and en.notes[0] == "format: land-survey coordinate TXT"
    assert any(n.startswith("地块面积按") for n in zh.notes) and not any("read in" in n for n in zh.notes), zh.notes


@pytest.mark.parametrize(
    ("args", "zh", "en"),
    [
        (["propose"], "缺少参数 DEPOSITS", "missing argument DEPOSITS"),
        (["check", "--tolerence", "1"], "没有选项 --tolerence（是否要用 ", "no such option --tolerence (did you mean"),
        (["check", "--tolerance", "abc"], "--tolerance 的值无效：abc 不是数值", "abc is not a number"),
        (["chek"], "没有命令 chek", "no such command chek"),
        (["check", "--jobs", "0"], "-j / --jobs 的值无效：0 不在范围 x>=1 内", "is not in the range"),
        (["check", "--kind"], "选项 --kind 需要一个值", "option --kind takes a value"),
    ],
)
def test_command_line_mistakes_are_said_in_the_runs_language(capsys, monkeypatch, args, zh, en):
    """Click words a mistyped option, a missing argument or a value that is no number in English only: the CLI
    says them again in the run's language, exit code 2, no traceback."""
    from yangao_geo.cli.main import main

    for lang, expected in (("zh", zh), ("en", en)):
        monkeypatch.setenv("YANGAO_GEO_LANG", lang)
        with pytest.raises(SystemExit) as exit_:
            main(args)
        err = capsys.readouterr().err
        assert exit_.value.code == 2 and expected in err and "Traceback" not in err, err
        if lang == "zh":
            assert "Error" not in err and "Try" not in err and "Missing" not in err, err


def test_no_english_sentence_is_built_outside_the_catalog():
    """An f-string of English words outside t()/N_() is a text a Chinese user would read in English (the input
    notes, batch reasons, config errors that were): each goes through the catalog. Exempt: developers' errors
    (ValueError …), reprs, PROJ pipelines, file names, markup and SQL."""
    import ast
    import re

    developer = ("ValueError", "TypeError", "KeyError", "AttributeError", "RuntimeError", "NotImplementedError")
    english = []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.JoinedStr):
                continue
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            words = re.findall(r"\b[a-z]{3,}\b", text)
            if len(words) < 2 or " " not in text.strip() or text.lstrip().startswith("+") or "<" in text:
                continue
            outer, exempt = node, False
            while outer in parents and not exempt:
                outer = parents[outer]
                exempt = (
                    isinstance(outer, ast.Call) and getattr(outer.func, "id", None) in ("t", "N_", *developer)
                ) or (isinstance(outer, ast.FunctionDef) and outer.name == "__repr__")
            if not exempt:
                english.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {ast.get_source_segment(source, node)}")
    assert not english, english
