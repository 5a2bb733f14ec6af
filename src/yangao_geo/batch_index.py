"""Writing a batch run: one report per input plus ``index.csv`` / ``index.json``.

The index lists, per input: path, layer, SHA-256, number of blocks, fail and
warn findings, status (``pass``/``warn``/``fail``/``error``), the report
files, the error, and whether it was re-checked in this run. ``index.json``
also stores the run fingerprint (constraint files, settings, version) that
``--skip-unchanged`` compares.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from .errors import OutputError, YangaoError
from .io.output import atomic_path
from .writers import write_report, write_text

__all__ = ["INDEX_COLUMNS", "load_index", "report_stem", "result_row", "write_index"]

INDEX_COLUMNS = ("input", "layer", "sha256", "blocks", "fails", "warns", "status", "report", "error", "rechecked")
_UNSAFE = re.compile(r"[^\w\u4e00-\u9fff.-]+")


def report_stem(item, root: Path | None) -> str:
    """File stem for an input's report: its path below the common root, flattened, plus the layer."""
    path = Path(item.path)
    try:
        rel = path.resolve().relative_to(root.resolve()) if root else Path(path.name)
    except ValueError:
        rel = Path(path.name)
    stem = "__".join([*rel.parent.parts, rel.stem])
    if item.layer:
        stem += f"__{item.layer}"
    return _UNSAFE.sub("_", stem) or "input"


def result_row(result, report_files: list[str], error: str | None = None) -> dict:
    """The index row of one freshly checked input."""
    row = {
        "input": result.input.path,
        "layer": result.input.layer,
        "sha256": result.sha256,
        "blocks": None,
        "fails": None,
        "warns": None,
        "status": result.status,
        "report": ";".join(report_files),
        "error": result.error,
        "rechecked": True,
    }
    if result.report is not None:
        counts = result.report.counts()
        row.update(blocks=len(result.report.blocks), fails=counts["fail"], warns=counts["warn"])
    if error:
        row.update(status="error", error=error)
    return row


def write_reports(result, out_dir: Path, stem: str, formats, *, overwrite: bool) -> tuple[list[str], str | None]:
    """Write one input's reports; return (file names, error)."""
    if result.report is None:
        return [], None
    written = []
    for fmt in formats:
        target = out_dir / f"{stem}.{fmt}"
        try:
            write_report(result.report, target, overwrite=overwrite)
        except YangaoError as exc:
            return written, f"cannot write report: {exc}"
        written.append(target.name)
    return written, None


def load_index(out_dir: Path) -> dict | None:
    """The previous ``index.json`` of ``out_dir``, or None."""
    path = Path(out_dir) / "index.json"
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise OutputError(f"{path}: cannot read the previous index ({exc}); remove it or pass --overwrite") from None


def write_index(out_dir: Path, rows: list[dict], fingerprint: str, *, overwrite: bool) -> None:
    """Write ``index.json`` and ``index.csv`` atomically."""
    from . import __version__

    doc = {"tool": {"name": "yangao_geo", "version": __version__}, "fingerprint": fingerprint, "inputs": rows}
    write_text(out_dir / "index.json", json.dumps(doc, ensure_ascii=False, indent=2), overwrite=overwrite)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=INDEX_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    with atomic_path(out_dir / "index.csv", overwrite=overwrite) as tmp:
        tmp.write_text(buffer.getvalue(), encoding="utf-8-sig")
