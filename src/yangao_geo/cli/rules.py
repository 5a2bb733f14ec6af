"""``yangao-geo rules``: list the rules with their codes, severities, scopes and citations."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from ..regulations import regulations
from ..rules import RULES


@click.command("rules")
@click.option("--json", "as_json", is_flag=True, help="Print the rules as JSON.")
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks on errors.")
def rules_command(as_json: bool, verbose: bool) -> int:
    """List every rule: code, name, severity, block kinds, layers, plan article."""
    rows = [
        {
            "code": r.code,
            "name": r.name,
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
    table = Table(title="yangao-geo rules")
    for col in ("code", "name", "severity", "applies to", "needs layers", "rule", "plan article"):
        table.add_column(col, overflow="fold")
    for r in rows:
        kinds = "all" if len(r["kinds"]) == 3 else ", ".join(r["kinds"])
        table.add_row(
            r["code"], r["name"], r["severity"], kinds, ", ".join(r["layers"]) or "-", r["summary"], r["citation"]
        )
    console = Console(width=200)
    console.print(table)
    exceptions = Table(
        title=f"conditional exceptions (regulations: current, {current.date}; --regulations plan-2022 "
        "applies the plan as written)"
    )
    for col in ("rule", "minerals", "kinds", "condition", "source", "verified"):
        exceptions.add_column(col, overflow="fold")
    for r in rows:
        for e in r["conditional_exceptions"]:
            exceptions.add_row(
                r["code"],
                "、".join(e["minerals"]),
                ", ".join(e["kinds"]),
                e["condition"],
                e["citation"],
                "yes" if e["verified"] else "no",
            )
    console.print(exceptions)
    return 0
