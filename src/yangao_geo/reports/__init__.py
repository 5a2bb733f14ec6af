"""Report writers, one module per format; each reads only the Report's tables (findings, blocks, inputs).

=========  ==========================================  ===========================
suffix     what                                        module
=========  ==========================================  ===========================
``.json``  the full report (schema in the README)      :mod:`.json_document`
``.csv``   the findings, one row each                  :mod:`.csv_table`
``.gpkg``  layers ``blocks`` and ``findings``          :mod:`.geopackage`
``.html``  self-contained page with map (offline)      :mod:`.html_page`
``.xlsx``  the Chinese workbook 汇总/明细/说明           :mod:`.excel`
``.docx``  the review opinion 审查意见书                  :mod:`.opinion`
=========  ==========================================  ===========================

Imports go one way: :mod:`yangao_geo.report` (the Report) calls these writers lazily; the writers import
the findings contract (:mod:`yangao_geo.findings`), the catalog (:mod:`yangao_geo.i18n`) and the rule
titles, never the Report module. Every writer goes through :func:`~yangao_geo.io.output.atomic_path`:
the target is never silently replaced, never one of the inputs, and never left half-written.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from ..errors import OutputError
from ..i18n import t
from ..io.output import atomic_path, check_target

__all__ = ["FORMATS", "WRITERS", "write_report", "write_text"]

#: suffix → (module, function): the one table the CLI's ``--format`` help and ``write_report`` read
WRITERS = {
    ".json": ("json_document", "write_json_file"),
    ".csv": ("csv_table", "write_csv"),
    ".gpkg": ("geopackage", "write_gpkg"),
    ".html": ("html_page", "write_html"),
    ".xlsx": ("excel", "write_xlsx"),
    ".docx": ("opinion", "write_docx"),
}
FORMATS = tuple(WRITERS)


def write_text(path, text: str, *, overwrite: bool = False, inputs=()) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically, never over an existing file without ``overwrite``."""
    with atomic_path(path, overwrite=overwrite, inputs=inputs) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_report(report, path, *, overwrite: bool = False) -> None:
    """Write ``report`` to ``path``; the suffix picks the format (:data:`WRITERS`).

    The target is checked before anything is computed or written: never one of the report's inputs,
    never a folder or a FIFO, never an existing file without ``overwrite`` (see
    :mod:`yangao_geo.io.output`).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in WRITERS:
        raise OutputError(
            t(
                "{path}: unknown report format {suffix}; expected one of {formats}",
                path=path,
                suffix=suffix or t("(no suffix)"),
                formats=", ".join(FORMATS),
            )
        )
    inputs = report.input_paths
    check_target(path, overwrite=overwrite, inputs=inputs)
    module, name = WRITERS[suffix]
    writer = getattr(import_module(f".{module}", __name__), name)
    with atomic_path(path, overwrite=overwrite, inputs=inputs) as tmp:
        writer(report, tmp)
