"""The findings as CSV: one row per finding, no geometry, areas in m² (2 dp) and km² (4 dp).

UTF-8 with a BOM, so that Excel shows the Chinese text; user text (ids, names, messages) is guarded
against formula injection (:func:`~yangao_geo.io.cells.csv_text`).
"""

from __future__ import annotations

import pandas as pd

from ..findings import FINDING_COLUMNS
from ..io.cells import csv_text

__all__ = ["CSV_COLUMNS", "findings_csv_table", "write_csv"]

#: CSV columns that carry user text (ids, names): guarded against formula injection
_USER_TEXT = ("block_id", "block_name", "mineral", "feature_id", "message")

#: columns of the CSV report: the findings without geometry, km² beside m²
CSV_COLUMNS = (*FINDING_COLUMNS[:10], "overlap_km2", *FINDING_COLUMNS[10:13])


def findings_csv_table(report, start: int = 0, stop: int | None = None) -> pd.DataFrame:
    """Findings ``start:stop`` without geometry, areas in m² (2 dp) and km² (4 dp)."""
    part = report._finding_slice(FINDING_COLUMNS[:13], start, stop)
    table = pd.DataFrame({k: part[k] for k in FINDING_COLUMNS[:13]})
    overlap = table["overlap_m2"].astype(float)
    table["overlap_km2"] = (overlap / 1e6).round(4)
    table["overlap_m2"] = overlap.round(2)
    table["overlap_ratio"] = table["overlap_ratio"].astype(float).round(6)
    for col in _USER_TEXT:
        table[col] = [csv_text(v) for v in table[col]]
    return table[list(CSV_COLUMNS)]


def write_csv(report, path, chunk: int = 20_000) -> None:
    """Write the findings to ``path`` a chunk at a time (the caller makes it atomic)."""
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        n = report.n_findings
        if n == 0:
            fh.write(",".join(CSV_COLUMNS) + "\n")
        for start in range(0, n, chunk):
            findings_csv_table(report, start, start + chunk).to_csv(fh, index=False, header=start == 0)
