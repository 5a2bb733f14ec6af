"""Writing a batch run: one report per input plus ``index.csv`` / ``index.json``.

The index lists, per input: path, layer, SHA-256, number of blocks, fail and
warn findings, status (``pass``/``warn``/``fail``/``error``), the report
files, the error, and whether it was re-checked in this run. ``index.json``
also stores the run fingerprint (constraint files, settings, version) that
``--skip-unchanged`` compares.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from pathlib import Path

from .errors import OutputError, YangaoError
from .i18n import t
from .io.cells import csv_text
from .io.output import atomic_path
from .reports import write_report, write_text

__all__ = ["INDEX_COLUMNS", "load_index", "report_stem", "result_row", "write_index"]

INDEX_COLUMNS = ("input", "layer", "sha256", "blocks", "fails", "warns", "status", "report", "error", "rechecked")
_UNSAFE = re.compile(r"[^\w\u4e00-\u9fff.-]+")


def report_stem(item, root: Path | None) -> str:
    """File stem for an input's report, unique by construction.

    The input's path below the common root, flattened, *with* its suffix (``x.gpkg`` and ``x.geojson``
    differ), plus the layer, made safe for a file name — and a short hash of the exact relative path and
    layer, so that inputs whose safe names coincide (``a b.gpkg`` / ``a_b.gpkg``, ``p/q.gpkg`` /
    ``p__q.gpkg``) never share a report.

    Examples
    --------
    >>> from types import SimpleNamespace as I
    >>> a, b = report_stem(I(path="a b.gpkg", layer=None), None), report_stem(I(path="a_b.gpkg", layer=None), None)
    >>> a.startswith("a_b.gpkg-") and b.startswith("a_b.gpkg-") and a != b
    True
    """
    path = Path(item.path)
    try:
        rel = Path(os.path.abspath(path)).relative_to(os.path.abspath(root)) if root else Path(path.name)
    except ValueError:
        rel = Path(path.name)
    exact = "/".join(rel.parts) + ("" if not item.layer else f":{item.layer}")
    stem = "__".join(rel.parts)
    if item.layer:
        stem += f"__{item.layer}"
    digest = hashlib.sha1(exact.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return f"{_UNSAFE.sub('_', stem) or 'input'}-{digest}"


def result_row(result, report_files: list[str], error: str | None = None) -> dict:
    """The index row of one freshly checked input."""
    row = {
        "input": result.source.path,
        "layer": result.source.layer,
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
            return written, t("cannot write report: {exc}", exc=exc)
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
        raise OutputError(
            t("{path}: cannot read the previous index ({exc}); remove it or pass --overwrite", path=path, exc=exc)
        ) from None


def index_document(rows: list[dict], fingerprint: str | None, skipped=()) -> dict:
    """The batch index as ``index.json`` holds it (and ``check … --json`` prints it)."""
    from . import __version__

    return {
        "tool": {"name": "yangao_geo", "version": __version__},
        "fingerprint": fingerprint,
        "inputs": rows,
        "skipped": [{"path": p, "reason": why} for p, why in skipped],
    }


def write_index(out_dir: Path, rows: list[dict], fingerprint: str, *, overwrite: bool, skipped=()) -> None:
    """Write ``index.json`` (with the files found but not checked, and why) and ``index.csv`` atomically."""
    doc = index_document(rows, fingerprint, skipped)
    write_text(out_dir / "index.json", json.dumps(doc, ensure_ascii=False, indent=2), overwrite=overwrite)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=INDEX_COLUMNS)
    writer.writeheader()
    writer.writerows([{k: csv_text(v) for k, v in row.items()} for row in rows])
    with atomic_path(out_dir / "index.csv", overwrite=overwrite) as tmp:
        tmp.write_text(buffer.getvalue(), encoding="utf-8-sig")
