"""The Excel report: 汇总 Summary (per block, with a 合计 total row), 明细 Findings (per finding, one total
row per block and layer above its details), 说明 Notes (rules and provenance).

In the run's language (Chinese by default: sheet names, headers, words, rule titles). Frozen headers,
column widths, number formats (areas 0.0000 in the chosen unit, m² 0.00), fails in red. Reads only the
Report's tables.
"""

from __future__ import annotations

import math

import pandas as pd

from ..area_units import area_in, unit_label
from ..i18n import N_, either, t, use_lang
from ..rules import RULES
from ..rules.messages import layer_label
from ..rules.titles import kind_word, severity_word, status_word, title

__all__ = ["RULE_FAMILIES", "write_xlsx"]

#: rule families counted per block in the summary sheet (first letter of the rule code)
RULE_FAMILIES = {
    "D": N_("data quality"),
    "O": N_("control lines and mining rights"),
    "B": N_("block delineation"),
    "A": N_("admission"),
}


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

    In the report's language (``settings["lang"]``, zh by default).

    Written with XlsxWriter in constant-memory mode (rows streamed to disk as they come: 40 000 findings
    in seconds, memory flat). User text goes through ``write_string``: never a live formula.
    """
    with use_lang(report.settings.get("lang", "zh")):
        _write_xlsx(report, path)


def _write_xlsx(report, path) -> None:
    import xlsxwriter

    if report.n_findings >= _EXCEL_ROWS:
        from ..errors import OutputError

        raise OutputError(
            t(
                "{path}: {n_findings} findings do not fit one Excel sheet ({value} rows); write .csv or "
                ".json for runs this large",
                path=path,
                n_findings=report.n_findings,
                value=_EXCEL_ROWS - 1,
            )
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
        t("block id"),
        t("name"),
        t("kind"),
        t("mineral"),
        t("area ({unit})", unit=label),
        t("status"),
        t("fails"),
        t("needing attention"),
        *[t("{family} ({code})", family=t(RULE_FAMILIES[k]), code=k) for k in families],
    ]
    ws = sheet(t("Block summary"), names, [10, 44, 18, 14, 12, 10, 10, 10, 14, 16, 12, 12])
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
    ws.write_string(row, 0, t("total"), f["bold"])
    ws.write_string(row, 1, t("{n} blocks", n=len(summary)), f["bold"])
    ws.write_formula(row, 4, f"=SUM(E2:E{last})", f["km2_bold"], round(totals[4], 4))
    ws.write_string(row, 5, t("{n} fail", n=int((summary.status == "fail").sum())), f["bold"])
    for col in range(6, 8 + len(families)):
        letter = chr(ord("A") + col)
        ws.write_formula(row, col, f"=SUM({letter}2:{letter}{last})", f["bold"], int(totals[col]))

    # 明细 — one row per finding
    titles = {code: title(code) for code in RULES}
    names = [
        t("block id"),
        t("block name"),
        t("rule"),
        t("rule name"),
        t("severity"),
        t("layer"),
        t("feature id"),
        t("overlap area (m²)"),
        t("overlap area ({unit})", unit=label),
        t("share of the block"),
        t("finding"),
        t("plan article"),
    ]
    ws = sheet(t("Finding details"), names, [10, 36, 8, 22, 8, 16, 26, 16, 14, 12, 70, 60])
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
            ws.write_string(row, 4, t("total"), f["bold"])
            _cell(ws, row, 5, layer_label(x.layer), f["bold"])
            ws.write_string(row, 6, t("{n} features", n=count), f["bold"])
            ws.write_number(row, 7, round(area, 2), f["m2"])
            ws.write_number(row, 8, area_in(area, unit), f["km2"])
            total = t(
                "{layer}: {count} features, {area} in all",
                layer=layer_label(x.layer),
                count=count,
                area=f"{area_in(area, unit):.4f} {label}",
            )
            ws.write_string(row, 10, total, f["wrap"])
        row += 1
        m2 = _blank(x.overlap_m2)
        _cell(ws, row, 0, _blank(x.block_id))
        _cell(ws, row, 1, _blank(x.block_name))
        ws.write_string(row, 2, x.rule_id)
        ws.write_string(row, 3, titles.get(x.rule_id, x.rule_id))
        ws.write_string(row, 4, severity_word(x.severity), f.get(x.severity))
        _cell(ws, row, 5, layer_label(x.layer) if isinstance(x.layer, str) else None)
        _cell(ws, row, 6, _blank(x.feature_id))
        if m2 is not None:
            ws.write_number(row, 7, round(m2, 2), f["m2"])
            ws.write_number(row, 8, area_in(m2, unit), f["km2"])
        _cell(ws, row, 9, _blank(x.overlap_ratio), f["pct"])
        ws.write_string(row, 10, str(x.message), f["wrap"])
        ws.write_string(row, 11, str(x.citation), f["wrap"])
    ws.autofilter(0, 0, max(row, 1), len(names) - 1)

    # 说明 — rules, settings, provenance
    ws = sheet(t("Notes"), [t("item"), t("content"), t("remark")], [22, 80, 60])
    notes = []

    def note(*values, bold=False):
        notes.append((values, bold))

    note(
        t("plan"),
        t("Yanggao County Mineral Resources Master Plan (2021–2025)"),
        t("every finding cites the plan article it enforces"),
    )
    note(
        t("areas"),
        t("CGCS2000 ellipsoidal areas (TD/T 1055-2019, annex D); km² to 4 decimals"),
        report.settings.get("area_method"),
    )
    note(
        t("tolerance"),
        f"{report.settings.get('tolerance_m2')} m²",
        t("a real overlap at or below the tolerance is a sliver (needs attention), never a fail"),
    )
    note(
        t("width tolerance"),
        f"{report.settings.get('width_tolerance_m')} m",
        t("an overlap narrower than this everywhere is a shared edge within coordinate precision (note), never a fail"),
    )
    note(t("edge convention"), report.settings.get("edges"), report.settings.get("edge_convention"))
    regs = report.settings.get("regulations") or {}
    note(
        t("regulations"),
        f"{regs.get('profile')} ({regs.get('date')})",
        either(regs.get("description"), regs.get("description_zh")),
    )
    env = report.tool.get("environment", {})
    note(t("tool"), f"yangao_geo {report.tool.get('version')}", " · ".join(f"{k} {v}" for k, v in env.items()))
    note(
        t("run at"),
        _local_time(report.tool.get("started_at")),
        t("took {seconds} s", seconds=report.tool.get("elapsed_s")),
    )
    for i in report.inputs:
        inferred = t(" (inferred)") if i.crs_inferred else ""
        note(
            t("input {role}", role=i.role),
            f"{i.path}{':' + i.layer if i.layer else ''}",
            t(
                "{crs}{inferred} · {encoding} · {n} features · SHA-256 {sha256}",
                crs=i.crs,
                inferred=inferred,
                encoding=i.encoding,
                n=i.features,
                sha256=i.sha256,
            ),
        )
    for s in report.skipped_rules:
        note(t("not run: {rule}", rule=s["rule_id"]), s["reason"], None)
    note(None, None, None)
    note(t("rule"), t("what it checks"), t("plan article"), bold=True)
    for code, r in RULES.items():
        params = report.settings.get("rule_params", {}).get(code)
        param_text = "; ".join(f"{k} = {v}" for k, v in (params or {}).items())
        what = r.summary + (f" ({param_text})" if param_text else "")
        note(f"{code} {titles[code]} ({severity_word(r.severity)})", what, r.citation)
    for row, (values, bold) in enumerate(notes, start=1):
        for col, value in enumerate(values):
            _cell(ws, row, col, None if value is None else str(value), f["wrap_bold"] if bold else f["wrap"])
    wb.close()
