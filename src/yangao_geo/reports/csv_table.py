"""The findings as CSV: one row per finding, no geometry, areas in m² (2 dp) and km² (4 dp).

UTF-8 with a BOM, so that Excel shows the Chinese text; user text (ids, names, messages) is guarded
against formula injection (:func:`~yangao_geo.io.cells.csv_text`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..findings import FINDING_COLUMNS, text_array
from ..io.cells import FORMULA_START_PATTERN, csv_text
from ..threads import imap_ordered

__all__ = ["CSV_COLUMNS", "findings_csv_table", "write_csv", "write_csv_rows"]

#: CSV columns that carry user text (ids, names): guarded against formula injection
_USER_TEXT = ("block_id", "block_name", "mineral", "feature_id", "message")

#: columns of the CSV report: the findings without geometry, km² beside m²
CSV_COLUMNS = (*FINDING_COLUMNS[:10], "overlap_km2", *FINDING_COLUMNS[10:13])


def findings_csv_table(report, start: int = 0, stop: int | None = None) -> pd.DataFrame:
    """Findings ``start:stop`` without geometry, areas in m² (2 dp) and km² (4 dp)."""
    part = report._finding_slice(FINDING_COLUMNS[:13], start, stop)
    table = pd.DataFrame({k: part[k] for k in FINDING_COLUMNS[:13]})
    for name, values in _rounded(part).items():
        table[name] = values
    for col in _USER_TEXT:
        table[col] = [csv_text(v) for v in table[col]]
    return table[list(CSV_COLUMNS)]


def write_csv(report, path, chunk: int = 10_000) -> None:
    """Write the findings to ``path`` a chunk at a time (the caller makes it atomic).

    Written by Arrow's CSV writer, column-wise (there may be millions of findings): every text quoted, user
    text guarded against formulas as :func:`~yangao_geo.io.cells.csv_text` does, missing values empty,
    numbers rounded as :func:`findings_csv_table` rounds them (m² 2, km² 4, ratio 6 decimals).
    """
    with open(path, "wb") as fh:
        fh.write("\ufeff".encode())  # a BOM, so that Excel reads UTF-8
        write_csv_rows(report, fh, chunk)


def write_csv_rows(report, fh, chunk: int = 10_000) -> None:
    """The header and the findings' rows, UTF-8, to the binary file ``fh`` (no BOM: see :func:`write_csv`)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    schema = pa.schema([(name, pa.float64() if name in _FLOATS else pa.string()) for name in CSV_COLUMNS])
    # the header as the column names are (plain words, no quotes: what readers and our tests expect)
    fh.write((",".join(CSV_COLUMNS) + "\n").encode())
    options = pacsv.WriteOptions(include_header=False, quoting_style="needed")

    def table(start: int):
        part = report._finding_slice(FINDING_COLUMNS[:13], start, start + chunk, arrow=True)
        numbers = _rounded(part)
        columns = []
        for name in CSV_COLUMNS:
            if name in numbers:
                columns.append(pa.array(numbers[name], from_pandas=True))  # NaN: an empty cell
            else:
                text = text_array(part[name], nan_missing=True)  # None, NaN, NA: missing, an empty cell
                columns.append(_guarded(text) if name in _USER_TEXT else text)
        return pa.table(columns, schema=schema)

    with pacsv.CSVWriter(fh, schema, write_options=options) as writer:
        # the next chunks are built on the pool's threads while this one is written (in order)
        for part in imap_ordered(table, range(0, report.n_findings, chunk)):
            writer.write_table(part)


#: numeric CSV columns
_FLOATS = ("overlap_m2", "overlap_km2", "overlap_ratio")


def _rounded(part) -> dict:
    """The numeric columns of findings ``part`` as the CSV states them: m² to 2, km² to 4, the ratio to 6 dp."""
    overlap = np.asarray(part["overlap_m2"], dtype=float)
    return {
        "overlap_m2": np.round(overlap, 2),
        "overlap_km2": np.round(overlap / 1e6, 4),
        "overlap_ratio": np.round(np.asarray(part["overlap_ratio"], dtype=float), 6),
    }


def _guarded(text):
    """:func:`~yangao_geo.io.cells.csv_text` on an Arrow string array: a leading ``= + - @`` tab or CR gets ``'``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    risky = pc.fill_null(pc.match_substring_regex(text, FORMULA_START_PATTERN), False)
    return pc.if_else(risky, pc.binary_join_element_wise(pa.scalar("'"), text, pa.scalar("")), text)
