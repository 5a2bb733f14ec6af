"""Reports people read: HTML (tested in headless Chromium), Excel, notebook display, plots."""

import re

import openpyxl
import pytest

from browser import console_errors, dump_dom, screenshot
from conftest import SCREENSHOTS


@pytest.fixture(scope="module")
def html_file(default_report_zh, tmp_path_factory):
    path = tmp_path_factory.mktemp("html") / "report.html"
    default_report_zh.to_file(path)
    return path


def test_html_is_self_contained_and_offline(html_file):
    text = html_file.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), "no external resource may be loaded"
    assert "<link" not in text
    for needle in (
        "规划条款",
        "KC03",
        "B301",
        "永久基本农田",
        "SHA-256",
        "GEOS",
        "容差",
    ):
        assert needle.lower() in text.lower()


def test_html_loads_in_chromium_without_errors_and_draws_every_block(html_file, default_report_zh):
    default_report = default_report_zh
    dom, log = dump_dom(html_file)
    body = re.search(r"<body[^>]*>", dom).group(0)
    assert f'data-ready="{len(default_report.blocks)}"' in body
    assert "data-error" not in body
    assert console_errors(log) == []
    png = screenshot(html_file, SCREENSHOTS / "html_report.png")
    assert png.exists() and png.stat().st_size > 20_000


def test_html_summary_has_overlap_area_per_layer_in_km2(default_report):
    text = default_report.to_html()
    total = default_report.findings.loc[default_report.findings.layer == "blocks", "overlap_m2"].sum()
    assert f"{total / 2 / 1e6:.4f}" in text  # each pair of overlapping blocks once (reported on both)


def test_tiles_option_adds_a_user_base_map(default_report):
    url = "https://t0.tianditu.gov.cn/vec_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=KEY"
    text = default_report.to_html(tiles=url)
    assert "t0.tianditu.gov.cn" in text and "{z}" not in text.split("yg-tiles")[1].split("</g>")[0]
    assert "t0.tianditu.gov.cn" not in default_report.to_html()


def test_excel_report_reads_back(default_report_zh, tmp_path):
    default_report = default_report_zh
    path = tmp_path / "report.xlsx"
    default_report.to_file(path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["汇总", "明细", "说明"]
    summary, detail, notes = wb["汇总"], wb["明细"], wb["说明"]
    assert summary.freeze_panes == "A2" and detail.freeze_panes == "A2"
    assert [c.value for c in summary[1]][:6] == ["编号", "名称", "类型", "矿种", "面积(km²)", "结论"]
    rows = list(summary.iter_rows(min_row=2, values_only=True))
    assert rows[-1][0] == "合计" and len(rows) == len(default_report.blocks) + 1
    assert summary["E2"].number_format == "0.0000"
    by_id = {r[0]: r for r in rows[:-1]}
    assert by_id["KC03"][5] == "不通过" and by_id["KC01"][5] == "通过"
    fail_row = next(r for r in range(2, summary.max_row) if summary.cell(r, 6).value == "不通过")
    assert summary.cell(fail_row, 6).font.color.rgb.endswith("C00000")
    header = [c.value for c in detail[1]]
    assert "重叠面积(m²)" in header and "重叠面积(km²)" in header and "规划条款" in header
    total_rows = [r for r in detail.iter_rows(min_row=2, values_only=True) if r[4] == "合计"]
    assert detail.max_row == len(default_report.findings) + len(total_rows) + 1
    km2_col = header.index("重叠面积(km²)") + 1
    values = [detail.cell(r, km2_col) for r in range(2, detail.max_row + 1) if detail.cell(r, km2_col).value]
    assert values and all(c.number_format == "0.0000" for c in values)
    assert all(round(c.value, 4) == c.value for c in values)
    note_text = " ".join(str(c.value) for row in notes.iter_rows() for c in row if c.value)
    assert "TD/T 1055" in note_text and "B301" in note_text and "SHA-256" in note_text


def test_report_displays_itself_in_jupyter(default_report, default_report_zh):
    text = default_report._repr_html_()
    assert "yangao_geo" in text and "KC03" in text and "more findings" in text and "blocks:" in text
    text = default_report_zh._repr_html_()
    assert "KC03" in text and "另有" in text and "个区块" in text and "more findings" not in text


def test_map_view_is_an_offline_map(default_report):
    view = default_report.map_view()
    doc = view.to_html()
    assert doc.count('class="yg-block"') == len(default_report.blocks)
    assert view._repr_html_().startswith("<iframe srcdoc=")
    assert "http" not in doc.split("<svg", 1)[0]


def test_explore_returns_a_folium_map_to_add_layers_to(default_report, default_report_zh):
    import folium
    import geopandas as gpd
    import shapely

    m = default_report.explore()
    assert isinstance(m, folium.Map)
    names = [child.layer_name for child in m._children.values() if isinstance(child, folium.GeoJson)]
    assert "planning blocks" in names and "overlaps" in names and "permanent basic farmland" in names
    from yangao_geo.reports.folium_map import _LAYER_COLOURS
    from yangao_geo.rules.messages import layer_label

    shown = {n for n in default_report.context if n in _LAYER_COLOURS and not default_report.context[n].empty}
    assert {layer_label(n) for n in shown} <= set(names) and len(shown) >= 5
    blocks = next(
        c for c in m._children.values() if isinstance(c, folium.GeoJson) and c.layer_name == "planning blocks"
    )
    assert len(blocks.data["features"]) == len(default_report.blocks)
    # a geopandas user adds a layer of their own to it, as with GeoDataFrame.explore
    extra = gpd.GeoDataFrame({"x": [1]}, geometry=[shapely.box(113.7, 40.1, 113.71, 40.11)], crs=4490)
    assert extra.explore(m=m) is m
    html = m.get_root().render()
    assert "KC03" in html and "leaflet" in html.lower()
    zh = default_report_zh.explore()
    assert "规划区块" in [c.layer_name for c in zh._children.values() if isinstance(c, folium.GeoJson)]


def test_plot_draws_every_block(default_report):
    import matplotlib

    matplotlib.use("Agg")
    ax = default_report.plot()
    labels = {t.get_text() for t in ax.texts}
    assert set(default_report.blocks.block_id) <= labels
    ax.figure.savefig(SCREENSHOTS / "plot.png")


def test_a_chinese_workbook_has_no_english_sentences(default_report_zh, tmp_path):
    """The regulations in force, the settings' methods, the minimum's source: Chinese in a Chinese workbook
    (they were English sentences in its 说明 and 明细 sheets). File paths, codes and versions are what they are."""
    import re

    path = tmp_path / "report.xlsx"
    default_report_zh.to_file(path)
    texts = [
        v
        for ws in openpyxl.load_workbook(path).worksheets
        for row in ws.iter_rows(values_only=True)
        for v in row
        if isinstance(v, str) and "/" not in v[:1] and "yangao_geo " not in v
    ]
    english = [v for v in texts if len(re.findall(r"\b[a-z]{4,}\b", v)) >= 3]
    assert not english, english
    assert any(v.startswith("截至 2025-10-01 施行的法规") for v in texts)


def test_excel_totals_carry_values_for_readers_without_excel(default_report_zh, tmp_path):
    import pandas as pd

    default_report = default_report_zh
    path = tmp_path / "r.xlsx"
    default_report.to_file(path)
    summary = pd.read_excel(path, sheet_name="汇总")
    total = summary.iloc[-1]
    assert total["编号"] == "合计"
    assert total["面积(km²)"] == pytest.approx(default_report.summary().area_km2.sum(), abs=1e-4)
    assert total["不通过项"] == default_report.counts()["fail"]


def test_html_overlap_totals_count_each_overlap_once(default_report):
    from yangao_geo.reports.totals import overlap_totals

    f = default_report.findings
    totals = overlap_totals(f).set_index("layer")
    b304 = f[f.rule_id == "B304"]
    assert totals.loc["blocks", "count"] == len(b304) // 2  # each pair once, not on both blocks
    assert totals.loc["blocks", "sum"] == pytest.approx(b304.overlap_m2.sum() / 2)
    assert "concentrated_areas" not in totals.index and "county_boundary" not in totals.index


def test_html_map_has_a_scale_bar_a_north_arrow_and_a_coordinate_readout(default_report, default_report_zh):
    text = default_report_zh.to_html()
    assert 'data-layer="scale"' in text and 'class="yg-north"' in text and 'id="yg-coords"' in text
    assert re.search(r">比例尺 (\d+(?:\.\d+)?) (k?m)</text>", text) is not None
    assert re.search(r">scale (\d+(?:\.\d+)?) (k?m)</text>", default_report.to_html()) is not None


@pytest.mark.parametrize(("unit", "label", "factor"), [("ha", "公顷", 1e4), ("mu", "亩", 1e4 / 15)])
def test_area_unit_in_every_report(tmp_path, unit, label, factor, capsys):
    import pandas as pd

    import yangao_geo
    from yangao_geo.cli.main import main

    report = yangao_geo.check(area_unit=unit, lang="zh")
    assert report.settings["area_unit"] == unit
    path = tmp_path / "r.xlsx"
    report.to_file(path)
    summary = pd.read_excel(path, sheet_name="汇总")
    kc01 = summary[summary["编号"] == "KC01"].iloc[0]
    assert kc01[f"面积({label})"] == pytest.approx(
        report.blocks.set_index("block_id").area_m2["KC01"] / factor, abs=1e-4
    )
    assert f'<th class="num">面积({label})</th>' in report.to_html()
    with pytest.raises(SystemExit):
        main(["check", "--area-unit", unit, "--lang", "zh", "--rules", "B301"])
    assert f"面积({label})" in capsys.readouterr().out
    with pytest.raises(yangao_geo.errors.InputError, match="area_unit: unknown value"):
        yangao_geo.check(area_unit="acre")


def test_the_map_shows_the_features_beside_the_blocks_not_only_those_that_meet_them(default_report):
    rights = default_report.context.get("mining_rights")
    assert rights is not None and len(rights) > 0  # no block meets a right, yet the map shows the nearby ones
    overlapping = default_report.findings[default_report.findings.layer == "mining_rights"]
    assert len(rights) > len(overlapping)
    assert 'data-layer="mining_rights"' in default_report.to_html()
