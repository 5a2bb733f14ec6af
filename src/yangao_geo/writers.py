"""Report writers: JSON, CSV, GeoPackage, HTML, XLSX. Each reads only the Report's tables.

Every writer goes through :func:`~yangao_geo.io.output.atomic_path`: the
target is never silently replaced and never left half-written.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .errors import OutputError
from .io.cells import csv_text
from .io.output import atomic_path, check_target
from .report import FINDING_COLUMNS

__all__ = ["FORMATS", "write_report", "write_text"]

FORMATS = (".json", ".csv", ".gpkg", ".html", ".xlsx", ".docx")


def write_text(path, text: str, *, overwrite: bool = False, inputs=()) -> None:
    with atomic_path(path, overwrite=overwrite, inputs=inputs) as tmp:
        tmp.write_text(text, encoding="utf-8")


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


def _write_csv(report, path, chunk: int = 20_000) -> None:
    """The findings as CSV (UTF-8 with BOM, so that Excel shows the Chinese text), a chunk at a time."""
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        n = report.n_findings
        if n == 0:
            fh.write(",".join(CSV_COLUMNS) + "\n")
        for start in range(0, n, chunk):
            findings_csv_table(report, start, start + chunk).to_csv(fh, index=False, header=start == 0)


def write_report(report, path, *, overwrite: bool = False) -> None:
    """Write ``report`` to ``path``; the suffix picks the format.

    The target is checked before anything is written: never one of the report's inputs, never a folder
    or a FIFO, never an existing file without ``overwrite`` (see :mod:`yangao_geo.io.output`).
    """
    path = Path(path)
    inputs = report.input_paths
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise OutputError(
            f"{path}: unknown report format {suffix or '(no suffix)'!r}; expected one of {', '.join(FORMATS)}"
        )
    if suffix == ".json":
        report.to_json(path, overwrite=overwrite)
    elif suffix == ".html":
        check_target(path, overwrite=overwrite, inputs=inputs)
        write_text(path, report.to_html(), overwrite=overwrite, inputs=inputs)
    elif suffix == ".xlsx":
        from .excel_report import write_xlsx

        with atomic_path(path, overwrite=overwrite, inputs=inputs) as tmp:
            write_xlsx(report, tmp)
    elif suffix == ".docx":
        from .opinion import write_docx

        with atomic_path(path, overwrite=overwrite, inputs=inputs) as tmp:
            write_docx(report, tmp)
    elif suffix == ".csv":
        with atomic_path(path, overwrite=overwrite, inputs=inputs) as tmp:
            _write_csv(report, tmp)
    else:
        with atomic_path(path, overwrite=overwrite, inputs=inputs) as tmp:
            blocks = report.blocks.copy()
            blocks["area_km2"] = (blocks["area_m2"] / 1e6).round(4)
            # GeoPackage 1.2: readable by the older GDAL of QGIS LTR installations
            blocks.to_file(tmp, layer="blocks", driver="GPKG", engine="pyogrio", VERSION="1.2")
            findings = report.findings.copy()
            findings["overlap_km2"] = (findings["overlap_m2"].astype(float) / 1e6).round(4)
            findings.to_file(tmp, layer="findings", driver="GPKG", engine="pyogrio", append=True, VERSION="1.2")
