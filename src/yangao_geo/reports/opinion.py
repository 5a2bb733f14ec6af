"""The review opinion (审查意见书) as a Word document: what an analyst hands on, signs and files.

``report.to_file("opinion.docx")`` / ``yangao-geo check … -o opinion.docx`` (python-docx and matplotlib:
``pip install "yangao-geo[docx]"``). The document, in Chinese, A4, 仿宋 body and 黑体 headings, page
numbers in the footer:

* 一、审查依据 — the plan, the articles every rule that ran enforces, the regulations in force (profile
  and date);
* 二、总体结论 — blocks that fail / need verification / pass, and the conclusion for the submission;
* 三、逐区块审查意见 — per block: 基本情况 (编号, 名称, 类型, 矿种, 面积 in km² to 4 decimals and 公顷,
  corner points, CRS), a table of results per rule family (符合 / 不符合 / 需核实, with the areas and
  features; per layer one total line above the details), the block's 结论, and 附图 (the block over the
  constraint features around it, scale bar, north arrow, coordinate grid, legend in Chinese);
* 附表 — the corner points of every block: CGCS2000 lon/lat to 0.001″ and plane X/Y (3° zone 38) to 0.01 m;
* 附录 — the run's provenance: inputs with SHA-256, versions, settings, tolerance, edge convention.

A signature block closes the document. Reads only the Report (its findings, blocks and context layers).
"""

from __future__ import annotations

import io

from ..area import AREA_METHOD
from ..crs import EDGE_CONVENTIONS
from ..errors import YangaoError
from ..i18n import either, t
from ..rules.messages import layer_label
from ..rules.titles import kind_word, left_out, skip_reason
from .palette import LAYER_FILL, STATUS_COLOURS

__all__ = ["write_docx"]


class _Chinese(dict):
    """A lookup of the catalog's Chinese for a code (kind, layer): ``_KIND["mining"]`` → 开采规划区块."""

    def __init__(self, word):
        super().__init__()
        self._word = word

    def __missing__(self, key):
        from ..i18n import use_lang

        with use_lang("zh"):
            value = self._word(key)
        self[key] = value
        return value

    def get(self, key, default=None):
        return self[key]


_FAMILIES = (("D", "数据质量"), ("O", "控制线与矿业权"), ("B", "区块划定"), ("A", "准入条件"))
#: the plan's terms for the block kinds and layers: the catalog's Chinese (the document is Chinese)
_KIND = _Chinese(kind_word)
_LAYER = _Chinese(layer_label)
_MAP_COLOURS = {
    name: LAYER_FILL[name]
    for name in (
        "basic_farmland",
        "eco_redline",
        "town_boundary",
        "mining_rights",
        "deposits",
        "arable_land",
        "concentrated_areas",
    )
}
_VERDICT = {"fail": "不符合", "warn": "需核实", "pass": "符合"}
_CONCLUSION = {"fail": "不予通过", "warn": "核实后再定", "pass": "通过"}
_CJK_FONTS = ["WenQuanYi Zen Hei", "Noto Sans CJK SC", "Source Han Sans SC", "SimHei", "Microsoft YaHei"]


def write_docx(report, path) -> None:
    """Write the 审查意见书 of ``report`` to ``path`` (the caller makes it atomic)."""
    try:
        import docx
        from docx.enum.section import WD_ORIENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Cm, Mm, Pt
    except ImportError:
        raise YangaoError(t("the review opinion (.docx) needs python-docx: pip install 'yangao-geo[docx]'")) from None
    from ..i18n import use_lang

    doc = docx.Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Mm(26))
    section.top_margin, section.bottom_margin = Mm(30), Mm(25)
    _fonts(doc, Pt)
    _page_numbers(section, WD_ALIGN_PARAGRAPH)

    with use_lang("zh"):
        title = doc.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = title.add_run("阳高县矿产资源规划区块审查意见书")
        run.bold, run.font.size = True, Pt(20)
        _east_asian(run, "黑体")
        sub = doc.add_paragraph(
            f"依据《阳高县矿产资源总体规划（2021—2025年）》 · yangao_geo {report.tool.get('version')} · "
            f"{str(report.tool.get('started_at', ''))[:10]}"
        )
        sub.alignment = WD_ALIGN_PARAGRAPH.CENTER

        _basis(doc, report)
        _overall(doc, report)
        doc.add_heading("三、逐区块审查意见", level=1)
        if report.settings.get("lang", "zh") != "zh":  # the findings were worded by the check, in its language
            doc.add_paragraph(
                "注：本次审查以英文运行，各项审查发现的说明保留英文原文；如需全中文的意见书，请以中文（默认）重新审查。"
            )
        findings = report.findings
        for n, block in enumerate(report.blocks.itertuples(), start=1):
            _block_section(doc, report, findings, block, n, Cm)
        _corner_tables(doc, report)
        _provenance(doc, report)
        _signature(doc)
    doc.save(str(path))


# ------------------------------------------------------------------------------------------ layout
def _east_asian(run, font: str) -> None:
    from docx.oxml.ns import qn

    run.font.name = font
    rpr = run._element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), font)


def _fonts(doc, Pt) -> None:
    """仿宋 for the body, 黑体 for headings (East Asian font slots set, as Word needs)."""
    from docx.oxml.ns import qn

    for name, font, size in (
        ("Normal", "仿宋", 12),
        ("Heading 1", "黑体", 15),
        ("Heading 2", "黑体", 13),
        ("Heading 3", "黑体", 12),
    ):
        style = doc.styles[name]
        style.font.name = font
        style.font.size = Pt(size)
        rpr = style.element.get_or_add_rPr()
        rpr.get_or_add_rFonts().set(qn("w:eastAsia"), font)
        if name.startswith("Heading"):
            style.font.color.rgb = None


def _page_numbers(section, align) -> None:
    """A centred 第 N 页 in the footer (a PAGE field)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = align.CENTER
    paragraph.add_run("第 ")
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    paragraph.add_run(" 页")


def _table(doc, header, rows, widths=None):
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.autofit = widths is None
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = str(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values):
            cell.text = "" if value is None else str(value)  # user text as text, literally
    if widths:
        for row in table.rows:
            for cell, width in zip(row.cells, widths):
                cell.width = width
    return table


# ----------------------------------------------------------------------------------------- content
def _basis(doc, report) -> None:
    from ..rules import RULES

    doc.add_heading("一、审查依据", level=1)
    doc.add_paragraph("1. 《阳高县矿产资源总体规划（2021—2025年）》及其确定的勘查开采规划区块划定与准入要求；")
    regs = report.settings.get("regulations") or {}
    in_force = either(regs.get("description", ""), regs.get("description_zh"))  # Chinese: the document's language
    doc.add_paragraph(f"2. 现行法规（截至 {regs.get('date', '')}）：{in_force}；")
    doc.add_paragraph("3. 本次审查执行的规则及其依据条款：")
    ran = [c for c in report.settings.get("rules", []) if c in RULES]
    from docx.shared import Cm

    from ..rules.titles import title

    _table(
        doc,
        ["规则", "名称", "依据条款"],
        [(c, title(c), RULES[c].citation) for c in ran],
        widths=[Cm(1.6), Cm(4.4), Cm(10.0)],
    )
    skipped = [s for s in report.skipped_rules if not left_out(s)]
    if skipped:
        doc.add_paragraph("未运行的规则：" + "；".join(f"{s['rule_id']}（{skip_reason(s)}）" for s in skipped))


def _overall(doc, report) -> None:
    doc.add_heading("二、总体结论", level=1)
    status = report.blocks["status"].value_counts()
    fail, warn, ok = (int(status.get(k, 0)) for k in ("fail", "warn", "pass"))
    verdict = "不予通过" if fail else ("核实后再定" if warn else "通过")
    doc.add_paragraph(
        f"本次共审查规划区块 {len(report.blocks)} 个：不符合 {fail} 个，需核实 {warn} 个，符合 {ok} 个。"
        f"审查结论：{verdict}。"
    )
    rows = [
        (
            b.block_id,
            b.name or "",
            _KIND.get(b.kind, b.kind),
            b.mineral or "",
            f"{b.area_m2 / 1e6:.4f}",
            _CONCLUSION[b.status],
        )
        for b in report.blocks.itertuples()
    ]
    _table(doc, ["编号", "名称", "类型", "矿种", "面积(km²)", "结论"], rows)


def _block_section(doc, report, findings, block, n, Cm) -> None:
    doc.add_heading(f"（{_chinese_number(n)}）{block.block_id} {block.name or ''}", level=2)
    doc.add_heading("1. 基本情况", level=3)
    corners = _corner_count(_delivered(report, block))
    crs = next((i.crs for i in report.inputs if i.role == "blocks"), None)
    area = block.area_m2
    _table(
        doc,
        ["项目", "内容"],
        [
            ("编号", block.block_id),
            ("名称", block.name or ""),
            ("类型", _KIND.get(block.kind, block.kind)),
            ("矿种", block.mineral or "未填写"),
            ("面积", _area_line(area, report.settings.get("area_unit", "km2")) if area == area else "无有效图形"),
            ("拐点数", str(corners)),
            ("坐标系", f"{crs}（CGCS2000）" if crs else "CGCS2000"),
        ],
    )
    doc.add_heading("2. 审查结果", level=3)
    mine = findings[findings.block_id == block.block_id]
    rows = []
    for prefix, label in _FAMILIES:
        part = mine[mine.rule_id.str[0] == prefix]
        worst = "fail" if (part.severity == "fail").any() else "warn" if (part.severity == "warn").any() else "pass"
        rows.append((label, _VERDICT[worst], _family_details(part) or "未发现问题"))
    _table(doc, ["审查项", "结果", "说明（面积、要素与依据）"], rows, widths=[Cm(2.6), Cm(1.8), Cm(11.6)])
    doc.add_heading("3. 结论", level=3)
    doc.add_paragraph(f"该区块审查结论：{_CONCLUSION[block.status]}。")
    doc.add_heading("4. 附图", level=3)
    png = _map_png(report, block)
    if png is not None:
        doc.add_picture(png, width=Cm(15))
        caption = doc.add_paragraph(f"图 {n}  {block.block_id} 与周边约束要素（CGCS2000，EPSG:4547）")
        caption.alignment = 1


def _area_line(area: float, unit: str) -> str:
    """km² to 4 decimals and 公顷 — and 亩 when the run asked for it."""
    text = f"{area / 1e6:.4f} km²（{area / 1e4:.4f} 公顷"
    if unit == "mu":
        text += f"，{area / (10_000 / 15):.4f} 亩"
    return text + "）"


def _family_details(part) -> str:
    """Per layer one total line (pieces, km²) above the per-finding messages."""
    lines = []
    overlaps = part[part.layer.notna() & part.overlap_m2.notna()]
    for layer, group in overlaps.groupby("layer", sort=True):
        lines.append(f"【{_LAYER[layer]}合计】{len(group)} 处，{group.overlap_m2.sum() / 1e6:.4f} km²")
    for f in part.itertuples():
        severity = {"fail": "不符合", "warn": "需核实", "info": "提示"}[f.severity]
        lines.append(f"{f.rule_id}［{severity}］{f.message}（依据：{f.citation}）")
    return "\n".join(lines)


def _chinese_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    return str(n)


def _delivered(report, block):
    """The block's polygon with its corner points as delivered (the analysis geometry is densified)."""
    corners = report.context.get("corners")
    if corners is None:
        return block.geometry
    match = corners[corners.block_id == block.block_id]
    return match.geometry.iloc[0] if len(match) else block.geometry


def _corner_count(geom) -> int:
    import shapely

    if geom is None or geom.is_empty:
        return 0
    rings = shapely.get_rings(shapely.get_parts(geom))
    return int(sum(len(r.coords) - 1 for r in rings))


def _map_png(report, block):
    """The block over the constraint features around it: scale bar, north arrow, grid, Chinese legend."""
    if block.geometry is None or block.geometry.is_empty:
        return None
    import logging

    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # "font weight" chatter
    from matplotlib.patches import Patch

    plt.rcParams["font.sans-serif"] = _CJK_FONTS + plt.rcParams.get("font.sans-serif", [])
    plt.rcParams["axes.unicode_minus"] = False
    minx, miny, maxx, maxy = block.geometry.bounds
    pad = max(maxx - minx, maxy - miny) * 0.6 + 200
    box = (minx - pad, miny - pad, maxx + pad, maxy + pad)
    fig, ax = plt.subplots(figsize=(6.4, 6.4), dpi=150)
    handles = []
    for name, colour in _MAP_COLOURS.items():
        gdf = report.context.get(name)
        if gdf is None or gdf.empty:
            continue
        near = gdf.cx[box[0] : box[2], box[1] : box[3]]
        if near.empty:
            continue
        near.plot(ax=ax, color=colour, alpha=0.6, linewidth=0.3, edgecolor="#555555")
        handles.append(Patch(facecolor=colour, alpha=0.6, label=_LAYER[name]))
    county = report.context.get("county_boundary")
    if county is not None and not county.empty:
        county.boundary.plot(ax=ax, color="black", linewidth=0.8)
    colour = STATUS_COLOURS[block.status]
    others = report.blocks[(report.blocks.block_id != block.block_id) & report.blocks.geometry.notna()]
    if not others.empty:
        others.plot(ax=ax, facecolor="none", edgecolor="#1f77b4", linewidth=0.8, linestyle="--")
        handles.append(Patch(facecolor="none", edgecolor="#1f77b4", linestyle="--", label=_LAYER["blocks"]))
    report.blocks[report.blocks.block_id == block.block_id].plot(
        ax=ax, facecolor=colour, alpha=0.35, edgecolor=colour, linewidth=2
    )
    handles.insert(
        0, Patch(facecolor=colour, alpha=0.35, edgecolor=colour, label=f"本区块（{_CONCLUSION[block.status]}）")
    )
    ax.set_xlim(box[0], box[2])
    ax.set_ylim(box[1], box[3])
    ax.set_aspect("equal")
    ax.grid(True, linewidth=0.3, color="#999999")
    ax.ticklabel_format(useOffset=False, style="plain")
    ax.tick_params(labelsize=6)
    ax.set_xlabel("Y（东，m，EPSG:4547）", fontsize=7)
    ax.set_ylabel("X（北，m）", fontsize=7)
    _scale_bar(ax, box)
    ax.annotate(
        "N",
        xy=(0.94, 0.93),
        xytext=(0.94, 0.83),
        xycoords="axes fraction",
        ha="center",
        fontsize=10,
        arrowprops={"arrowstyle": "-|>", "color": "black"},
    )
    ax.legend(handles=handles, loc="lower left", fontsize=7, framealpha=0.9)
    ax.set_title(f"{block.block_id} {block.name or ''}", fontsize=9)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    buffer.seek(0)
    return buffer


def _scale_bar(ax, box) -> None:
    width = box[2] - box[0]
    nice = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000]
    length = max((v for v in nice if v <= width / 4), default=nice[0])
    x0, y0 = box[0] + width * 0.62, box[1] + (box[3] - box[1]) * 0.05
    ax.plot([x0, x0 + length], [y0, y0], color="black", linewidth=3, solid_capstyle="butt")
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length} m"
    ax.text(x0 + length / 2, y0 + (box[3] - box[1]) * 0.015, label, ha="center", fontsize=7)


def _corner_tables(doc, report) -> None:
    from ..io.corner_geometry import zone_crs
    from ..io.corner_table import corner_rows

    doc.add_heading("附表  界址点坐标（CGCS2000）", level=1)
    blocks = report.context.get("corners")
    if blocks is None:
        blocks = report.blocks
    blocks = blocks[blocks.geometry.notna() & ~blocks.geometry.is_empty]
    blocks = blocks[blocks.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    if blocks.empty:
        doc.add_paragraph("无有效图形。")
        return
    rows = corner_rows(blocks, crs=zone_crs(38, 3, prefixed=True))
    by_block: dict = {}
    for r in rows:
        by_block.setdefault(r["区块编号"], []).append(r)
    for bid, points in by_block.items():
        doc.add_heading(f"{bid} {points[0]['区块名称']}", level=3)
        _table(
            doc,
            ["点号", "圈号", "X(北) m", "Y(东) m", "经度", "纬度"],
            [(p["点号"], p["圈号"], f"{p['X(北)']:.2f}", f"{p['Y(东)']:.2f}", p["经度"], p["纬度"]) for p in points],
        )
    doc.add_paragraph("注：平面坐标为 2000 国家大地坐标系 3° 带第 38 带（带号前缀），经纬度秒值保留 3 位小数。")


def _provenance(doc, report) -> None:
    doc.add_heading("附录  审查过程记录", level=1)
    s = report.settings
    # the settings' texts are in the run's language: the document words them in Chinese itself
    edges = t(EDGE_CONVENTIONS[s["edges"]]) if s.get("edges") in EDGE_CONVENTIONS else s.get("edge_convention")
    rows = [
        ("面积算法", t(AREA_METHOD)),
        ("重叠面积容差", f"{s.get('tolerance_m2')} m²"),
        ("共边宽度容差", f"{s.get('width_tolerance_m')} m"),
        ("边界约定", edges),
        ("分析坐标系", s.get("analysis_crs")),
        (
            "软件",
            f"yangao_geo {report.tool.get('version')}；"
            + "；".join(f"{k} {v}" for k, v in report.tool.get("environment", {}).items()),
        ),
        ("运行时间", f"{report.tool.get('started_at')}（用时 {report.tool.get('elapsed_s')} 秒）"),
    ]
    for i in report.inputs:
        rows.append(
            (
                f"输入 {i.role}",
                f"{i.path}{':' + i.layer if i.layer else ''} · {i.crs}{'（推断）' if i.crs_inferred else ''}"
                f" · {i.features} 个要素 · SHA-256 {i.sha256}",
            )
        )
    _table(doc, ["项目", "内容"], rows)


def _signature(doc) -> None:
    doc.add_paragraph()
    doc.add_paragraph("审查人（签字）：________________        复核人（签字）：________________")
    doc.add_paragraph("审查单位（盖章）：                                  日期：      年    月    日")
