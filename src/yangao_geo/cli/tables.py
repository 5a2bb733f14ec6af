"""The terminal's tables for a report: blocks, findings (one total row per block and layer above the
per-feature rows) and the summary line, in the run's language and area unit. User text (ids, names,
messages) goes in as :class:`rich.text.Text`: printed literally, never read as markup."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from ..area_units import area_in, unit_label
from ..i18n import t
from ..reports.totals import block_layer_totals, summary_line
from ..rules.messages import area_text, layer_label
from ..rules.titles import kind_word, left_out, severity_word, status_word, title

__all__ = ["print_report"]

_STATUS_STYLE = {"fail": "bold red", "warn": "yellow", "pass": "green", "info": "cyan"}


def print_report(report, console) -> None:
    """The blocks and findings tables and the summary line, in the run's language and area unit."""
    unit = report.settings.get("area_unit", "km2")
    table = Table(title=t("Blocks (Yanggao County Mineral Resources Master Plan 2021–2025)"))
    for col, justify in (
        (t("block"), "left"),
        (t("name"), "left"),
        (t("kind"), "left"),
        (t("mineral"), "left"),
        (t("area {unit}", unit=unit_label(unit)), "right"),
        (t("status"), "left"),
        (t("fails"), "right"),
        (t("warnings"), "right"),
    ):
        table.add_column(col, justify=justify, overflow="fold")
    for r in report.summary().itertuples():
        table.add_row(  # user text (ids, names) is printed literally, never as markup
            Text(str(r.block_id)),
            Text(str(r.name or "")),
            Text(kind_word(r.kind)),
            Text(str(r.mineral or "")),
            f"{area_in(r.area_km2 * 1e6, unit):.4f}",
            Text(status_word(r.status), style=_STATUS_STYLE[r.status]),
            str(r.fail),
            str(r.warn),
        )
    console.print(table)
    if len(report.findings):
        ftable = Table(title=t("Findings"))
        for col in (t("block"), t("rule"), t("severity"), t("finding"), t("plan article")):
            ftable.add_column(col, overflow="fold")
        totals = block_layer_totals(report.findings)
        shown = set()
        for f in report.findings.itertuples():
            block = "-" if f.block_id is None or f.block_id != f.block_id else str(f.block_id)
            key = (f.block_id, f.rule_id, f.layer)
            if key in totals and key not in shown:  # one total row above the per-feature rows
                shown.add(key)
                count, area = totals[key]
                ftable.add_row(
                    Text(block),
                    Text(f"{f.rule_id} {title(f.rule_id)}"),
                    Text(t("total"), style="bold"),
                    Text(
                        t(
                            "{layer}: {count} features, {area} in all",
                            layer=layer_label(f.layer),
                            count=count,
                            area=area_text(area),
                        ),
                        style="bold",
                    ),
                    Text(""),
                )
            ftable.add_row(
                Text(block),
                Text(f"{f.rule_id} {title(f.rule_id)}"),
                Text(severity_word(f.severity), style=_STATUS_STYLE[f.severity]),
                Text(str(f.message)),
                Text(str(f.citation)),
            )
        console.print(ftable)
    console.print(Text(summary_line(report)))
    for s in report.skipped_rules:
        if not left_out(s):
            console.print(Text(t("skipped {rule}: {reason}", rule=s["rule_id"], reason=s["reason"]), style="dim"))
