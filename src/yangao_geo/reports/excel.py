"""The Chinese Excel report: 汇总 (per block, with a 合计 row), 明细 (per finding), 说明 (rules and provenance).

Frozen headers, column widths, number formats (km² 0.0000, m² 0.00), fails in red. Reads only the
Report's tables.
"""

from __future__ import annotations

import math

import pandas as pd

from ..area_units import area_in, unit_label
from ..i18n import use_lang
from ..rules import RULES
from ..rules.messages import layer_label
from ..rules.titles import kind_word, severity_word, status_word, title

__all__ = ["RULE_FAMILIES", "write_xlsx"]

#: rule families counted per block in 汇总
RULE_FAMILIES = {"D": "数据质量", "O": "控制线与矿业权", "B": "区块划定", "A": "准入条件"}


def _blank(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


#: rows in an Excel sheet (the format's own limit), header included
_EXCEL_ROWS = 1_048_576


def _local_time(iso: str | None) -> str | None:
    """An ISO timestamp as local time with its zone: ``2026-12-01 21:30:05 UTC+08:00``."""
    if not iso:
        return iso
    import datetime as dt

    try:
        moment = dt.datetime.fromisoformat(str(iso).replace("Z", "+00:00")).astimezone()
    except ValueError:
        return str(iso)
    offset = moment.strftime("%z")
    return moment.strftime("%Y-%m-%d %H:%M:%S") + f" UTC{offset[:3]}:{offset[3:]}"


def _cell(ws, row: int, col: int, value, fmt=None) -> None:
    """One cell; strings are always written as strings (a name ``=HYPERLINK(…)`` is never a formula)."""
    if value is None:
        if fmt is not None:
            ws.write_blank(row, col, None, fmt)
        return
    if isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            ws.write_blank(row, col, None, fmt)
        else:
            ws.write_number(row, col, value, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def write_xlsx(report, path) -> None:
    """Write ``report`` as an XLSX workbook at ``path`` (the caller makes it atomic); linear in its size.

    The workbook is Chinese whatever the run's language: its words (kinds, statuses, severities, rule
    titles, layers) are the catalog's Chinese.

    Written with XlsxWriter in constant-memory mode (rows streamed to disk as they come: 40 000 findings
    in seconds, memory flat). User text goes through ``write_string``: never a live formula.
    """
    with use_lang("zh"):
        _write_xlsx(report, path)


def _write_xlsx(report, path) -> None:
    import xlsxwriter

    if report.n_findings >= _EXCEL_ROWS:
        from ..errors import OutputError

        raise OutputError(
            f"{path}: {report.n_findings} findings do not fit one Excel sheet ({_EXCEL_ROWS - 1} rows); "
            "write .csv or .json for runs this large"
        )

    wb = xlsxwriter.Workbook(
        str(path),
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
    )
    f = {
        "head": wb.add_format({"bold": True, "bg_color": "#E7E6E6", "text_wrap": True, "valign": "vcenter"}),
        "bold": wb.add_format({"bold": True}),
        "fail": wb.add_format({"bold": True, "font_color": "#C00000"}),
        "warn": wb.add_format({"bold": True, "font_color": "#B36B00"}),
        "pass": wb.add_format({"font_color": "#1B7A1B"}),
        "km2": wb.add_format({"num_format": "0.0000"}),
        "km2_bold": wb.add_format({"num_format": "0.0000", "bold": True}),
        "m2": wb.add_format({"num_format": "0.00"}),
        "pct": wb.add_format({"num_format": "0.00%"}),
        "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
        "wrap_bold": wb.add_format({"text_wrap": True, "valign": "top", "bold": True}),
    }

    def sheet(title, names, widths):
        ws = wb.add_worksheet(title)
        for col, width in enumerate(widths):
            ws.set_column(col, col, width)
        ws.freeze_panes(1, 0)
        for col, name in enumerate(names):
            ws.write_string(0, col, name, f["head"])
        return ws

    # 汇总 — one row per block
    unit = report.settings.get("area_unit", "km2")
    label = unit_label(unit)
    families = list(RULE_FAMILIES)
    names = [
        "编号",
        "名称",
        "类型",
        "矿种",
        f"面积({label})",
        "结论",
        "不通过项",
        "需关注项",
        *[f"{RULE_FAMILIES[k]}({k})" for k in families],
    ]
    ws = sheet("汇总", names, [10, 44, 18, 14, 12, 10, 10, 10, 14, 16, 12, 12])
    summary = report.summary()
    findings = report.findings
    # counts per block and rule family in one pass (a filter per block was quadratic)
    family_counts = (
        pd.DataFrame({"block_id": findings.block_id, "family": findings.rule_id.str[0]})
        .groupby(["block_id", "family"], dropna=False)
        .size()
        .to_dict()
    )
    row = 0
    totals = [0.0] * len(names)  # the 合计 row's values, written with its formulas (readers without Excel see them)
    for r in summary.itertuples():
        row += 1
        values = [
            r.block_id,
            _blank(r.name),
            kind_word(r.kind),
            _blank(r.mineral),
            area_in(r.area_km2 * 1e6, unit),
            status_word(r.status),
            r.fail,
            r.warn,
            *[int(family_counts.get((r.block_id, k), 0)) for k in families],
        ]
        for col, value in enumerate(values):
            fmt = f["km2"] if col == 4 else f[r.status] if col == 5 else None
            _cell(ws, row, col, value, fmt)
            if col == 4 or col >= 6:
                totals[col] += float(value or 0)
    last = row + 1  # the spreadsheet's own (1-based) number of the last block row
    row += 1
    ws.write_string(row, 0, "合计", f["bold"])
    ws.write_string(row, 1, f"{len(summary)} 个区块", f["bold"])
    ws.write_formula(row, 4, f"=SUM(E2:E{last})", f["km2_bold"], round(totals[4], 4))
    ws.write_string(row, 5, f"{int((summary.status == 'fail').sum())} 不通过", f["bold"])
    for col in range(6, 8 + len(families)):
        letter = chr(ord("A") + col)
        ws.write_formula(row, col, f"=SUM({letter}2:{letter}{last})", f["bold"], int(totals[col]))

    # 明细 — one row per finding
    titles = {code: title(code) for code in RULES}
    names = [
        "区块编号",
        "区块名称",
        "规则",
        "规则名称",
        "级别",
        "图层",
        "要素编号",
        "重叠面积(m²)",
        f"重叠面积({label})",
        "占区块比例",
        "说明",
        "规划条款",
    ]
    ws = sheet("明细", names, [10, 36, 8, 22, 8, 16, 26, 16, 14, 12, 70, 60])
    from .totals import block_layer_totals

    totals = block_layer_totals(findings)
    shown = set()
    row = 0
    for x in findings.itertuples():
        key = (x.block_id, x.rule_id, x.layer)
        if key in totals and key not in shown:  # one total row per block and layer above its details
            shown.add(key)
            count, area = totals[key]
            row += 1
            _cell(ws, row, 0, _blank(x.block_id), f["bold"])
            _cell(ws, row, 1, _blank(x.block_name), f["bold"])
            ws.write_string(row, 2, x.rule_id, f["bold"])
            ws.write_string(row, 3, titles.get(x.rule_id, x.rule_id), f["bold"])
            ws.write_string(row, 4, "合计", f["bold"])
            _cell(ws, row, 5, x.layer, f["bold"])
            ws.write_string(row, 6, f"{count} 处", f["bold"])
            ws.write_number(row, 7, round(area, 2), f["m2"])
            ws.write_number(row, 8, area_in(area, unit), f["km2"])
            ws.write_string(row, 10, f"与{layer_label(x.layer)}重叠合计 {count} 处，{area / 1e6:.4f} km²", f["wrap"])
        row += 1
        m2 = _blank(x.overlap_m2)
        _cell(ws, row, 0, _blank(x.block_id))
        _cell(ws, row, 1, _blank(x.block_name))
        ws.write_string(row, 2, x.rule_id)
        ws.write_string(row, 3, titles.get(x.rule_id, x.rule_id))
        ws.write_string(row, 4, severity_word(x.severity), f.get(x.severity))
        _cell(ws, row, 5, _blank(x.layer))
        _cell(ws, row, 6, _blank(x.feature_id))
        if m2 is not None:
            ws.write_number(row, 7, round(m2, 2), f["m2"])
            ws.write_number(row, 8, area_in(m2, unit), f["km2"])
        _cell(ws, row, 9, _blank(x.overlap_ratio), f["pct"])
        ws.write_string(row, 10, str(x.message), f["wrap"])
        ws.write_string(row, 11, str(x.citation), f["wrap"])
    ws.autofilter(0, 0, max(row, 1), len(names) - 1)

    # 说明 — rules, settings, provenance
    ws = sheet("说明", ["项目", "内容", "备注"], [22, 80, 60])
    notes = []

    def note(*values, bold=False):
        notes.append((values, bold))

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
    env = report.tool.get("environment", {})
    note("工具", f"yangao_geo {report.tool.get('version')}", " · ".join(f"{k} {v}" for k, v in env.items()))
    note("运行时间", _local_time(report.tool.get("started_at")), f"用时 {report.tool.get('elapsed_s')} 秒")
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
        param_text = "，".join(f"{k} = {v}" for k, v in (params or {}).items())
        note(f"{code} {titles[code]}（{severity_word(r.severity)}）", param_text or None, r.citation)
    for row, (values, bold) in enumerate(notes, start=1):
        for col, value in enumerate(values):
            _cell(ws, row, col, None if value is None else str(value), f["wrap_bold"] if bold else f["wrap"])
    wb.close()
