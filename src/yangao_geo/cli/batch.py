"""Batch mode of ``yangao-geo check``: several inputs, folders or globs; one report each plus an index."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
from filelock import FileLock, Timeout
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from ..batch import BatchResult, check_many, discover_inputs, run_fingerprint
from ..batch_index import index_document, load_index, report_stem, result_row, write_index, write_reports
from ..config import build_settings
from ..errors import InputError, OutputError
from ..i18n import N_, t
from ..layers import REQUIRED_LAYERS, load_constraints
from ..reports import FORMATS
from ..rules import RULES
from ..rules.titles import status_word
from .console import console as terminal_console

_STYLE = {"fail": "bold red", "warn": "yellow", "pass": "green", "error": "bold magenta"}


def _common_root(inputs) -> Path | None:
    # abspath, not resolve(): a symlink loop among the inputs must become an error row, not abort the run
    parents = [Path(os.path.abspath(i.path)).parent for i in inputs]
    if not parents:
        return None
    root = parents[0]
    for p in parents[1:]:
        while root not in (p, *p.parents):
            root = root.parent
    return root


def run_batch(
    blocks, *, constraints, output, formats, jobs, skip_unchanged, overwrite, fail_on, quiet, options, as_json=False
):
    """Check every input; write reports and the index when ``output`` is a folder; return the exit code."""
    formats = [f.strip().lstrip(".").lower() for f in formats.split(",") if f.strip()]
    unknown = [f for f in formats if f".{f}" not in FORMATS]
    if unknown:
        raise InputError(
            t(
                "--format: unknown format(s) {unknown}; expected {value}",
                unknown=unknown,
                value=", ".join(x[1:] for x in FORMATS),
            )
        )
    out_dir = Path(output) if output else None
    if skip_unchanged and out_dir is None:
        raise InputError(t("--skip-unchanged needs -o DIR (it compares with DIR/index.json)"))
    if out_dir is None:
        return _run(
            blocks, constraints, None, formats, jobs, skip_unchanged, overwrite, fail_on, quiet, options, as_json
        )
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(t("{out_dir}: with several inputs -o must be a folder", out_dir=out_dir))
    _refuse_output_among_inputs(out_dir, blocks)
    if (out_dir / "index.json").exists() and not (overwrite or skip_unchanged):
        raise OutputError(
            t("{out_dir}: holds a batch index already; pass --overwrite or --skip-unchanged", out_dir=out_dir)
        )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            t("{out_dir}: cannot create the output folder ({value})", out_dir=out_dir, value=exc.strerror or exc)
        ) from None
    lock = FileLock(str(out_dir / LOCK_NAME), timeout=0)
    try:
        with lock:
            return _run(
                blocks, constraints, out_dir, formats, jobs, skip_unchanged, overwrite, fail_on, quiet, options, as_json
            )
    except Timeout:
        raise OutputError(
            t(
                "{out_dir}: another yangao-geo batch is writing into this folder (lock {value}); wait "
                "for it to finish or choose another folder",
                out_dir=out_dir,
                value=out_dir / LOCK_NAME,
            )
        ) from None


#: the advisory lock a batch holds on its output folder (filelock: fcntl on Unix, msvcrt on Windows)
LOCK_NAME = ".yangao_geo.lock"


def _refuse_output_among_inputs(out_dir: Path, blocks) -> None:
    """Reports must never land among the inputs: the folder may not be (or lie inside) an input folder."""
    out = os.path.realpath(out_dir)
    for raw in blocks:
        p = Path(str(raw))
        folder = p if p.is_dir() else (p.parent if p.exists() else None)
        if folder is None:
            continue
        root = os.path.realpath(folder)
        if out == root or out.startswith(root.rstrip(os.sep) + os.sep):
            template = (
                N_(
                    "{out_dir}: is the input folder {folder}; reports would mix with the inputs and be "
                    "read as inputs by the next run: choose a folder outside the inputs"
                )
                if out == root
                else N_(
                    "{out_dir}: is inside the input folder {folder}; reports would mix with the inputs and "
                    "be read as inputs by the next run: choose a folder outside the inputs"
                )
            )
            raise OutputError(t(template, out_dir=out_dir, folder=folder))


def _run(blocks, constraints, out_dir, formats, jobs, skip_unchanged, overwrite, fail_on, quiet, options, as_json):
    from ..io.output import remove_stale_partials

    if out_dir is not None:
        remove_stale_partials(out_dir)
    skipped: list = []
    inputs = discover_inputs(blocks, exclude=[out_dir] if out_dir else [], skipped=skipped)
    if not inputs:
        raise InputError(t("no vector files found in {value}", value=", ".join(map(str, blocks))))
    settings = build_settings(
        options["config"],
        tolerance_m2=options["tolerance_m2"],
        rules=options["rules"],
        edges=options.get("edges"),
        width_tolerance_m=options.get("width_tolerance_m"),
        regulations=options.get("regulations_profile"),
    )
    needed = {n for c in settings.selected for n in RULES[c].layers} | {*REQUIRED_LAYERS, "county_boundary"}
    constraint_set = load_constraints(
        constraints, engine=options["engine"], layers_needed=needed, datum=settings.datum, edges=settings.edges
    )
    fingerprint = run_fingerprint(constraint_set, {**options, "settings": settings.as_dict(), "formats": formats})

    previous = {}
    if skip_unchanged:
        old = load_index(out_dir)
        if old and old.get("fingerprint") == fingerprint:
            previous = {(r["input"], r["layer"]): r for r in old.get("inputs", [])}

    def unchanged(item, sha):
        row = previous.get((item.path, item.layer))
        return bool(
            row
            and sha
            and row["sha256"] == sha
            and row["status"] != "error"
            and all((out_dir / f).exists() for f in (row["report"] or "").split(";") if f)
        )

    root = _common_root(inputs)
    rows: dict = {}
    console = terminal_console(stderr=True)
    show_progress = not quiet and sys.stderr.isatty()
    progress = Progress(
        TextColumn(t("checking")),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeRemainingColumn(),
        console=console,
        disable=not show_progress,
        transient=True,
    )

    with progress:
        task = progress.add_task("", total=len(inputs))

        def advance(result: BatchResult):
            progress.update(task, advance=1, description=Path(result.source.path).name)

        for result in check_many(
            inputs, constraint_set, jobs=jobs, skip=unchanged if previous else None, on_result=advance, **options
        ):
            files, error = ([], None)
            if out_dir is not None:
                files, error = write_reports(
                    result, out_dir, report_stem(result.source, root), formats, overwrite=overwrite or skip_unchanged
                )
            rows[(result.source.path, result.source.layer)] = result_row(result, files, error)
    ordered = []
    for item in inputs:
        key = (item.path, item.layer)
        if key in rows:
            ordered.append(rows[key])
        else:
            ordered.append({**previous[key], "rechecked": False})
    if out_dir is not None:
        write_index(out_dir, ordered, fingerprint, overwrite=True, skipped=skipped)
    if as_json:  # the index as index.json holds it, on stdout (no tables)
        click.echo(json.dumps(index_document(ordered, fingerprint, skipped), ensure_ascii=False, indent=2))
    elif not quiet:
        _print_index(ordered, out_dir)
        for path, why in skipped:
            terminal_console(stderr=True).print(Text(t("skipped {path}: {why}", path=path, why=why), style="dim"))
    if any(r["status"] == "error" for r in ordered):
        return 2
    bad = {"fail"} if fail_on == "fail" else {"fail", "warn"}
    return 1 if any(r["status"] in bad for r in ordered) else 0


def _print_index(rows, out_dir) -> None:
    console = terminal_console()
    table = Table(title=t("Batch"))
    for col in (t("input"), t("status"), t("blocks"), t("fail"), t("needs attention"), t("error")):
        table.add_column(col, overflow="fold")
    for r in rows:
        label = r["input"] if not r["layer"] else f"{r['input']}:{r['layer']}"
        if not r.get("rechecked", True):
            label += t(" (unchanged)")
        table.add_row(  # paths and errors are user text: printed literally, never as markup
            Text(label),
            Text(status_word(r["status"]) if r["status"] != "error" else t("error"), style=_STYLE[r["status"]]),
            str(r["blocks"] or "-"),
            str(r["fails"] if r["fails"] is not None else "-"),
            str(r["warns"] if r["warns"] is not None else "-"),
            Text(r["error"] or ""),
        )
    console.print(table)
    counts = {s: sum(r["status"] == s for r in rows) for s in ("pass", "warn", "fail", "error")}
    line = t(
        "{n} inputs: {passed} pass, {warned} need attention, {failed} fail, {errors} error",
        n=len(rows),
        passed=counts["pass"],
        warned=counts["warn"],
        failed=counts["fail"],
        errors=counts["error"],
    )
    if out_dir:
        line += t(" — index written to {path}", path=out_dir / "index.csv")
    console.print(Text(line))
