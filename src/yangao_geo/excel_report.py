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


def _blank(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


class _Sheet:
    """A write-only (streamed) worksheet: rows of cells with styles, written once, in order.

    openpyxl's normal worksheets recompute their extent on every ``max_row``/``ws[row]`` and keep every
    cell in memory; the streamed one writes each row as it comes, so a report of 40 000 findings costs
    time and memory in proportion to its size.
    """

    def __init__(self, wb, title, names, widths, styles):
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.utils import get_column_letter

        self._cell = WriteOnlyCell
        self.ws = wb.create_sheet(title)
        self.styles = styles
        for i, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = width
        self.ws.freeze_panes = "A2"
        self.rows = 0
        self.append(names, fonts={i: styles["bold"] for i in range(len(names))}, fill=styles["head"], wrap=True)

    def append(self, values, *, text=(), fonts=None, formats=None, wrap=False, fill=None, wrap_cols=()):
        """One row; ``text`` columns (0-based) keep strings as text, never formulas (user text)."""
        cells = []
        for i, value in enumerate(values):
            cell = self._cell(self.ws, value=value)
            if i in text:
                keep_text([cell])
            if fonts and i in fonts:
                cell.font = fonts[i]
            if formats and i in formats:
                cell.number_format = formats[i]
            if fill is not None:
                cell.fill = fill
            if wrap or i in wrap_cols:
                cell.alignment = self.styles["wrap"]
            cells.append(cell)
        self.ws.append(cells)
        self.rows += 1


def write_xlsx(report, path) -> None:
    """Write ``report`` as an XLSX workbook at ``path`` (the caller makes it atomic); linear in its size."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    styles = {
        "red": Font(color="C00000", bold=True),
        "amber": Font(color="B36B00", bold=True),
        "green": Font(color="1B7A1B"),
        "bold": Font(bold=True),
        "head": PatternFill("solid", fgColor="E7E6E6"),
        "wrap": Alignment(wrap_text=True, vertical="top"),
    }
    severity_font = {"fail": styles["red"], "warn": styles["amber"]}
    wb = openpyxl.Workbook(write_only=True)

    # 汇总 — one row per block
    families = list(RULE_FAMILIES)
    ws = _Sheet(
        wb,
        "汇总",
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
        styles,
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
    status_font = {"fail": styles["red"], "warn": styles["amber"], "pass": styles["green"]}
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
            ],
            text=(0, 1, 3),
            fonts={5: status_font[r.status]},
            formats={4: "0.0000"},
        )
    last = ws.rows
    total = [
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
    ws.append(total, fonts={i: styles["bold"] for i in range(len(total))}, formats={4: "0.0000"})

    # 明细 — one row per finding
    names = [
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
    ]
    ws = _Sheet(wb, "明细", names, [10, 36, 8, 22, 8, 16, 26, 16, 14, 12, 70, 60], styles)
    formats = {7: "0.00", 8: "0.0000", 9: "0.00%"}
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
            ],
            text=(0, 1, 6, 10),
            fonts={4: severity_font[f.severity]} if f.severity in severity_font else None,
            formats=formats,
            wrap_cols=(10, 11),
        )
    ws.ws.auto_filter.ref = f"A1:L{ws.rows}"

    # 说明 — rules, settings, provenance
    ws = _Sheet(wb, "说明", ["项目", "内容", "备注"], [22, 80, 60], styles)
    every = (0, 1, 2)

    def note(*values, bold=False):
        ws.append(list(values), text=every, wrap=True, fonts={0: styles["bold"]} if bold else None)

    note("规划", "《阳高县矿产资源总体规划（2021—2025年）》", "每条发现均注明所依据的规划条款")
    note("面积", "CGCS2000 椭球面积（TD/T 1055-2019 附录D），km² 保留 4 位小数", report.settings.get("area_method"))
    note("容差", f"{report.settings.get('tolerance_m2')} m²", "不超过容差的正重叠记为需关注（碎片），不判不通过")
    note(
        "宽度容差",
        f"{report.settings.get('width_tolerance_m')} m",
        "处处窄于此宽度的重叠为坐标精度内的共边（提示），不判不通过",
    )
    note("边界约定", report.settings.get("edges"), report.settings.get("edge_convention"))
    regs = report.settings.get("regulations") or {}
    note("法规依据", f"{regs.get('profile')}（{regs.get('date')}）", regs.get("description"))
    note(
        "工具",
        f"yangao_geo {report.tool.get('version')}",
        json.dumps(report.tool.get("environment", {}), ensure_ascii=False),
    )
    note("运行时间", report.tool.get("started_at"), f"{report.tool.get('elapsed_s')} s")
    for i in report.inputs:
        note(
            f"输入 {i.role}",
            f"{i.path}{':' + i.layer if i.layer else ''}",
            f"{i.crs}{'（推断）' if i.crs_inferred else ''} · {i.encoding} · {i.features} 个要素 · SHA-256 {i.sha256}",
        )
    for s in report.skipped_rules:
        note(f"未运行 {s['rule_id']}", s["reason"], None)
    note(None, None, None)
    note("规则", "说明", "规划条款", bold=True)
    for code, r in RULES.items():
        params = report.settings.get("rule_params", {}).get(code)
        note(f"{code} {r.name}（{r.severity}）", r.summary + (f" 参数 {params}" if params else ""), r.citation)
    wb.save(path)
