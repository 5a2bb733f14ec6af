"""The Chinese Excel report: 汇总 (per block, with a 合计 row), 明细 (per finding), 说明 (rules and provenance).

Frozen headers, column widths, number formats (km² 0.0000, m² 0.00), fails in red. Reads only the
Report's tables.
"""

from __future__ import annotations

import json
import math

import pandas as pd

from .io.cells import keep_text
from .rules import RULES

__all__ = ["RULE_FAMILIES", "write_xlsx"]

#: rule families counted per block in 汇总
RULE_FAMILIES = {"D": "数据质量", "O": "控制线与矿业权", "B": "区块划定", "A": "准入条件"}
_KIND_ZH = {"exploration": "勘查规划区块", "mining": "开采规划区块", "concentrated": "砂石土类集中开采区"}
_STATUS_ZH = {"fail": "不通过", "warn": "需关注", "pass": "通过"}
_SEVERITY_ZH = {"fail": "不通过", "warn": "需关注", "info": "提示"}


def _as_text(row_cells, columns) -> None:
    """The user-text cells of a row stay text (see :func:`yangao_geo.io.cells.keep_text`)."""
    keep_text([row_cells[c - 1] for c in columns])


def _blank(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def write_xlsx(report, path) -> None:
    """Write ``report`` as an XLSX workbook at ``path`` (the caller makes it atomic)."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    red = Font(color="C00000", bold=True)
    amber = Font(color="B36B00", bold=True)
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="E7E6E6")
    wb = openpyxl.Workbook()

    def header(ws, names, widths):
        ws.append(names)
        for i, (cell, width) in enumerate(zip(ws[1], widths), start=1):
            cell.font, cell.fill = bold, head_fill
            cell.alignment = Alignment(vertical="center", wrap_text=True)
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A2"

    # 汇总 — one row per block
    ws = wb.active
    ws.title = "汇总"
    families = list(RULE_FAMILIES)
    header(
        ws,
        [
            "编号",
            "名称",
            "类型",
            "矿种",
            "面积(km²)",
            "结论",
            "不通过项",
            "需关注项",
            *[f"{RULE_FAMILIES[f]}({f})" for f in families],
        ],
        [10, 44, 18, 14, 12, 10, 10, 10, 14, 16, 12, 12],
    )
    summary = report.summary()
    findings = report.findings
    # counts per block and rule family in one pass (a filter per block was quadratic)
    family_counts = (
        pd.DataFrame({"block_id": findings.block_id, "family": findings.rule_id.str[0]})
        .groupby(["block_id", "family"], dropna=False)
        .size()
        .to_dict()
    )
    row_no = 1
    for r in summary.itertuples():
        per_family = [int(family_counts.get((r.block_id, f), 0)) for f in families]
        ws.append(
            [
                r.block_id,
                _blank(r.name),
                _KIND_ZH.get(r.kind, r.kind),
                _blank(r.mineral),
                r.area_km2,
                _STATUS_ZH[r.status],
                r.fail,
                r.warn,
                *per_family,
            ]
        )
        row_no += 1
        cells = [ws.cell(row=row_no, column=c) for c in range(1, 13)]  # O(1) each (ws[row] scans the sheet)
        _as_text(cells, (1, 2, 4))
        cells[5].font = red if r.status == "fail" else amber if r.status == "warn" else Font(color="1B7A1B")
        cells[4].number_format = "0.0000"
    last = row_no
    ws.append(
        [
            "合计",
            f"{len(summary)} 个区块",
            None,
            None,
            f"=SUM(E2:E{last})",
            f"{int((summary.status == 'fail').sum())} 不通过",
            f"=SUM(G2:G{last})",
            f"=SUM(H2:H{last})",
            *[f"=SUM({get_column_letter(9 + i)}2:{get_column_letter(9 + i)}{last})" for i in range(len(families))],
        ]
    )
    for cell in ws[last + 1]:
        cell.font = bold
    ws.cell(row=last + 1, column=5).number_format = "0.0000"

    # 明细 — one row per finding
    ws = wb.create_sheet("明细")
    header(
        ws,
        [
            "区块编号",
            "区块名称",
            "规则",
            "规则名称",
            "级别",
            "图层",
            "要素编号",
            "重叠面积(m²)",
            "重叠面积(km²)",
            "占区块比例",
            "说明",
            "规划条款",
        ],
        [10, 36, 8, 22, 8, 16, 26, 16, 14, 12, 70, 60],
    )
    row_no = 1
    wrap = Alignment(wrap_text=True, vertical="top")
    for f in findings.itertuples():
        m2 = _blank(f.overlap_m2)
        ws.append(
            [
                _blank(f.block_id),
                _blank(f.block_name),
                f.rule_id,
                f.rule_name,
                _SEVERITY_ZH.get(f.severity, f.severity),
                _blank(f.layer),
                _blank(f.feature_id),
                None if m2 is None else round(m2, 2),
                None if m2 is None else round(m2 / 1e6, 4),
                _blank(f.overlap_ratio),
                f.message,
                f.citation,
            ]
        )
        row_no += 1
        cells = [ws.cell(row=row_no, column=c) for c in range(1, 13)]  # O(1) each (ws[row] scans the sheet)
        _as_text(cells, (1, 2, 7, 11))
        if f.severity == "fail":
            cells[4].font = red
        elif f.severity == "warn":
            cells[4].font = amber
        cells[7].number_format = "0.00"
        cells[8].number_format = "0.0000"
        cells[9].number_format = "0.00%"
        cells[10].alignment = wrap
        cells[11].alignment = wrap
    ws.auto_filter.ref = f"A1:L{row_no}"

    # 说明 — rules, settings, provenance
    ws = wb.create_sheet("说明")
    header(ws, ["项目", "内容", "备注"], [22, 80, 60])
    ws.append(["规划", "《阳高县矿产资源总体规划（2021—2025年）》", "每条发现均注明所依据的规划条款"])
    ws.append(
        ["面积", "CGCS2000 椭球面积（TD/T 1055-2019 附录D），km² 保留 4 位小数", report.settings.get("area_method")]
    )
    ws.append(["容差", f"{report.settings.get('tolerance_m2')} m²", "不超过容差的正重叠记为需关注（碎片），不判不通过"])
    ws.append(
        [
            "工具",
            f"yangao_geo {report.tool.get('version')}",
            json.dumps(report.tool.get("environment", {}), ensure_ascii=False),
        ]
    )
    ws.append(["运行时间", report.tool.get("started_at"), f"{report.tool.get('elapsed_s')} s"])
    for i in report.inputs:
        ws.append(
            [
                f"输入 {i.role}",
                f"{i.path}{':' + i.layer if i.layer else ''}",
                f"{i.crs}{'（推断）' if i.crs_inferred else ''} · {i.encoding} · {i.features} 个要素 · SHA-256 "
                f"{i.sha256}",
            ]
        )
    for s in report.skipped_rules:
        ws.append([f"未运行 {s['rule_id']}", s["reason"], None])
    ws.append([None, None, None])
    ws.append(["规则", "说明", "规划条款"])
    ws.cell(row=ws.max_row, column=1).font = bold
    for code, r in RULES.items():
        params = report.settings.get("rule_params", {}).get(code)
        ws.append([f"{code} {r.name}（{r.severity}）", r.summary + (f" 参数 {params}" if params else ""), r.citation])
    for row in ws.iter_rows(min_row=2):
        _as_text(row, range(1, len(row) + 1))
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    wb.save(path)
