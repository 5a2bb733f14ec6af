"""The JSON report: tool, settings, inputs, skipped rules, blocks and findings (schema in the README).

Strict JSON (no NaN or Infinity anywhere), UTF-8, Chinese written as is.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

__all__ = ["report_dict", "write_json"]

_JSON_FINDING = (
    "block_id",
    "rule_id",
    "severity",
    "layer",
    "feature_id",
    "overlap_m2",
    "overlap_ratio",
    "message",
    "citation",
)


def _none(value):
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def _round(value, digits):
    value = _none(value)
    return None if value is None else round(float(value), digits)


def report_dict(report, *, findings: bool = True) -> dict:
    """The JSON report as a dict (schema documented in README, "JSON report")."""
    blocks = [
        {
            "block_id": str(r.block_id),
            "name": _none(r.name),
            "kind": r.kind,
            "mineral": _none(r.mineral),
            "area_m2": _round(r.area_m2, 2),
            "area_km2": _round(r.area_m2 / 1e6, 4),
            "status": r.status,
            "source": _none(r.source),
        }
        for r in report.blocks.itertuples()
    ]
    rows = []
    for r in report.findings.itertuples() if findings else ():
        row = {k: _none(getattr(r, k)) for k in _JSON_FINDING}
        row["block_id"] = None if row["block_id"] is None else str(row["block_id"])
        row["feature_id"] = None if row["feature_id"] is None else str(row["feature_id"])
        row["overlap_m2"] = _round(row["overlap_m2"], 2)
        row["overlap_ratio"] = _round(row["overlap_ratio"], 6)
        rows.append(row)
    return {
        "tool": dict(report.tool),
        "settings": dict(report.settings),
        "inputs": [i.as_dict() for i in report.inputs],
        "skipped_rules": list(report.skipped_rules),
        "blocks": blocks,
        "findings": rows,
    }


def write_json(report, fh, indent: int = 2, chunk: int = 10_000) -> None:
    """Write the JSON report to the open text file ``fh``; the findings (there may be millions) column-wise."""
    head = report_dict(report, findings=False)
    marker = "\u0000findings\u0000"
    head["findings"] = marker
    # strict JSON: a NaN or infinity anywhere (a setting, a parameter) is written as null, never NaN
    before, after = json.dumps(_finite(head), ensure_ascii=False, indent=indent, allow_nan=False).split(
        json.dumps(marker)
    )
    fh.write(before)
    n = report.n_findings
    fh.write("[" if n else "[]")
    for start in range(0, n, chunk):
        part = report._finding_slice(_JSON_FINDING, start, start + chunk)
        table = pd.DataFrame({k: part[k].astype(object) for k in _JSON_FINDING}, dtype=object)
        for col in ("block_id", "feature_id"):
            table[col] = [None if v is None or v != v else str(v) for v in table[col]]
        table["overlap_m2"] = part["overlap_m2"].astype(float).round(2)
        table["overlap_ratio"] = part["overlap_ratio"].astype(float).round(6)
        text = table.to_json(orient="records", force_ascii=False, double_precision=10)
        fh.write(("," if start else "") + text[1:-1])
    if n:
        fh.write("]")
    fh.write(after)


def _finite(value):
    """``value`` with every non-finite float (NaN, ±inf) replaced by None, recursively (strict JSON)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    if isinstance(value, np.floating):
        return float(value) if np.isfinite(value) else None
    return value


def write_json_file(report, path) -> None:
    """Write the JSON report to ``path`` (UTF-8; the caller makes it atomic)."""
    with open(path, "w", encoding="utf-8") as fh:
        write_json(report, fh)
