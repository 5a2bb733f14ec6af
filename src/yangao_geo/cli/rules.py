"""``yangao-geo rules``: list the rules with their codes, severities, scopes and citations."""

from __future__ import annotations

import json

import click

from ..i18n import N_, t
from .console import console
from .localized import Command
from .options import lang_option

RULES_HELP = N_("List every rule: code, name, severity, block kinds, layers, plan article.")


@click.command("rules", cls=Command, help=RULES_HELP)
@click.option("--json", "as_json", is_flag=True, help=N_("Print the rules as JSON."))
@lang_option
@click.option("-v", "--verbose", is_flag=True, help=N_("Show tracebacks on errors."))
def rules_command(as_json: bool, lang, verbose: bool) -> int:
    from rich.table import Table
    from rich.text import Text

    from ..regulations import regulations
    from ..rules import RULES
    from ..rules.messages import layer_label
    from ..rules.titles import kind_word, severity_word

    rows = [
        {
            "code": r.code,
            "name": r.name,
            "title": r.title,
            "severity": r.severity,
            "kinds": sorted(r.kinds),
            "layers": list(r.layers),
            "params": r.params,
            "citation": r.citation,
            "summary": r.summary,
        }
        for r in RULES.values()
    ]
    current = regulations("current")
    for row in rows:
        row["conditional_exceptions"] = [
            {
                "minerals": sorted(e.minerals),
                "kinds": sorted(e.kinds),
                "condition": e.condition,
                "citation": e.citation,
                "verified": e.verified,
                "source": e.source,
            }
            for e in current.exceptions
            if e.rule == row["code"]
        ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    out = console()
    table = Table(title=t("yangao-geo rules"))
    for col in (t("code"), t("name"), t("severity"), t("applies to"), t("needs layers"), t("rule"), t("plan article")):
        table.add_column(col, overflow="fold")
    for r in rows:
        kinds = t("all kinds") if len(r["kinds"]) == 3 else "、".join(kind_word(k) for k in r["kinds"])
        table.add_row(
            r["code"],
            Text.assemble(r["title"], "\n", (r["name"], "dim")),
            severity_word(r["severity"]),
            kinds,
            "、".join(layer_label(x) for x in r["layers"]) or "-",
            r["summary"],
            Text(r["citation"]),
        )
    out.print(table)
    exceptions = Table(
        title=t(
            "conditional exceptions (regulations: current, {date}; --regulations plan-2022 applies the plan as "
            "written)",
            date=current.date,
        )
    )
    for col in (t("rule"), t("minerals"), t("kinds"), t("condition"), t("source"), t("verified")):
        exceptions.add_column(col, overflow="fold")
    for r in rows:
        for e in r["conditional_exceptions"]:
            exceptions.add_row(
                r["code"],
                "、".join(e["minerals"]),
                "、".join(kind_word(k) for k in e["kinds"]),
                Text(e["condition"]),
                Text(e["citation"]),
                t("yes") if e["verified"] else t("no"),
            )
    out.print(exceptions)
    return 0
