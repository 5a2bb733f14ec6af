"""Overlap totals over a findings table, for every report that shows them (terminal, Excel, HTML, opinion).

Each overlap is counted once: the overlaps with constraint layers (O201–O205) and, between proposed
blocks, each pair once (B304 reports it on both blocks).
"""

from __future__ import annotations

import pandas as pd

__all__ = ["OVERLAP_RULES", "block_layer_totals", "overlap_totals", "summary_line"]

#: the rules whose findings are overlaps with a constraint layer (block ∩ feature)
OVERLAP_RULES = ("O201", "O202", "O203", "O204", "O205")


def summary_line(report) -> str:
    """``12 blocks: 2 fail, 8 need attention, 2 pass — findings: …``, in the current language."""
    from ..i18n import t

    counts = report.counts()
    status = report.blocks["status"].value_counts()
    return t(
        "{blocks} blocks: {fail} fail, {warn} need attention, {passed} pass — findings: {f_fail} fail, "
        "{f_warn} need attention, {f_info} notes",
        blocks=len(report.blocks),
        fail=int(status.get("fail", 0)),
        warn=int(status.get("warn", 0)),
        passed=int(status.get("pass", 0)),
        f_fail=counts["fail"],
        f_warn=counts["warn"],
        f_info=counts["info"],
    )


def overlap_totals(findings):
    """Per layer: the number of overlap pieces and their total area (m²), each overlap counted once.

    Only overlaps with constraint layers (O201–O205) and between proposed blocks (B304, whose every pair
    is reported on both blocks: counted once) — not the area of a block *outside* the county (D104) or
    the concentrated areas (A403), nor the deposit rules (B302/B303), which report the same
    block × deposit pieces again.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"rule_id": ["O203", "B304", "B304", "A403"], "layer": ["basic_farmland", "blocks",
    ...     "blocks", "concentrated_areas"], "block_id": ["A", "A", "B", "A"], "feature_id": ["F1", "B", "A", None],
    ...     "overlap_m2": [10.0, 5.0, 5.0, 99.0]})
    >>> overlap_totals(f).to_dict("records")
    [{'layer': 'basic_farmland', 'count': 1, 'sum': 10.0}, {'layer': 'blocks', 'count': 1, 'sum': 5.0}]
    """
    f = findings[findings.overlap_m2.notna() & findings.layer.notna()]
    pairs = f[f.rule_id == "B304"]
    once = pairs[pairs.block_id.astype(str) < pairs.feature_id.astype(str)]
    kept = pd.concat([f[f.rule_id.isin(OVERLAP_RULES)], once])
    if kept.empty:
        return pd.DataFrame({"layer": [], "count": [], "sum": []})
    out = kept.groupby("layer", sort=True)["overlap_m2"].agg(["count", "sum"]).reset_index()
    out["count"] = out["count"].astype(int)
    return out[["layer", "count", "sum"]]


def block_layer_totals(findings) -> dict:
    """(block_id, rule_id, layer) -> (pieces, total m²) for every block × layer with two or more overlaps.

    The total row a reader wants above the per-feature lines ("永久基本农田: 7 parcels, 0.0750 km²").

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"block_id": ["A", "A", "B"], "rule_id": ["O203"] * 3, "layer": ["basic_farmland"] * 3,
    ...                   "overlap_m2": [1.0, 2.0, 5.0]})
    >>> block_layer_totals(f)
    {('A', 'O203', 'basic_farmland'): (2, 3.0)}
    """
    f = findings[findings.layer.notna() & findings.overlap_m2.notna() & findings.rule_id.isin(OVERLAP_RULES)]
    if f.empty:
        return {}
    grouped = f.groupby(["block_id", "rule_id", "layer"], sort=False)["overlap_m2"].agg(["count", "sum"])
    return {key: (int(row["count"]), float(row["sum"])) for key, row in grouped.iterrows() if row["count"] > 1}
