"""Batch validation: many block files against one set of constraint layers.

The constraint layers are read and indexed once (a :class:`ConstraintSet`
that every check reuses); inputs are checked in parallel in forked worker
processes that inherit it, and results come back in a stable order (the
sorted input order), identical to checking the files one by one. One
unreadable or invalid input becomes an error row; the run goes on.

Examples
--------
>>> import yangao_geo
>>> from yangao_geo.layers import bundled_blocks_path
>>> [r.status for r in yangao_geo.check_many([bundled_blocks_path()], jobs=1)]
['fail']
"""

from __future__ import annotations

import glob
import hashlib
import json
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .checker import check
from .config import build_settings
from .errors import YangaoError
from .i18n import t
from .io.vector import VECTOR_SUFFIXES, file_sha256, list_layers
from .layers import REQUIRED_LAYERS, ConstraintSet, load_constraints
from .report import Report
from .rules import RULES

__all__ = ["BatchInput", "BatchResult", "check_many", "discover_inputs", "run_fingerprint"]

_GLOB_CHARS = set("*?[")


@dataclass(frozen=True)
class BatchInput:
    """One input of a batch: a file, and the layer when the file has several.

    ``given`` is what the caller passed for it (a path as a str or Path, exactly as given) when the input
    is that argument itself; for a file found in a folder or by a glob it is the file's path (a Path).
    """

    path: str
    layer: str | None = None
    given: object = field(default=None, compare=False, repr=False)

    @property
    def label(self) -> str:
        return self.path if self.layer is None else f"{self.path}:{self.layer}"


@dataclass
class BatchResult:
    """The outcome of checking one input.

    Attributes
    ----------
    source : BatchInput
        The input as the batch read it (path as text, layer).
    input : str, Path or BatchInput
        What the caller passed for this input, as given (a file found in a folder: its Path).
    """

    source: BatchInput
    sha256: str | None
    report: Report | None = None
    error: str | None = None

    @property
    def input(self):
        return self.source.given if self.source.given is not None else self.source.path

    @property
    def status(self) -> str:
        """``error``, else the worst block status (``fail``, ``warn``, ``pass``)."""
        if self.report is None:
            return "error"
        statuses = set(self.report.blocks["status"])
        return next((s for s in ("fail", "warn") if s in statuses), "pass")


def _layers_of(path: Path) -> list[str | None]:
    if path.suffix.lower() != ".gpkg" or not path.is_file():  # a FIFO is never opened (it would block)
        return [None]
    try:
        layers = list_layers(path)
    except YangaoError:
        return [None]  # reported as an error when it is read
    return layers if len(layers) > 1 else [None]


#: files that belong to another file (shapefile parts, index files, metadata): never inputs of their own
_PARTS = (".shx", ".dbf", ".prj", ".cpg", ".sbn", ".sbx", ".qix", ".xml", ".qmd", ".aux", ".lock")


#: a shapefile's part, an index: not listed as skipped (it is read with its file)
_PART_OF_ANOTHER = "part of another file"


def _sniffed(path: Path) -> str | None:
    """Why a file found in a folder is not an input (None: it is one — a GDAL format or a text format)."""
    from .io.formats import sniff_text_format

    name = path.name.lower()
    if name.endswith(_PARTS):  # .shp.xml included
        return _PART_OF_ANOTHER
    if path.suffix.lower() in VECTOR_SUFFIXES:
        return None
    if not path.is_file():
        return t("not a regular file (a FIFO, device or broken link)")
    try:
        if sniff_text_format(path) is not None:
            return None
    except Exception as exc:  # unreadable here: say so, the run goes on
        return t("could not be read ({kind})", kind=type(exc).__name__)
    return t("not a vector file, land-survey TXT, mining-right registration text or corner-point table")


def discover_inputs(paths: Iterable, *, exclude: Iterable = (), skipped: list | None = None) -> list[BatchInput]:
    """Expand files, folders (searched recursively) and glob patterns into inputs, no duplicates.

    The inputs come in the caller's order; the files of a folder and the matches of a glob are sorted.

    In folders, every format the single-file check reads is found: the GDAL formats by suffix, and the
    land-survey TXT, the 报盘 text and corner-point tables (CSV/XLSX) by content. Files that are none of
    these are listed in ``skipped`` (``(path, reason)``), shapefile parts excepted. A GeoPackage with
    several layers gives one input per layer. A path that does not exist is kept (it becomes an error
    row), so nothing is dropped silently.
    """
    excluded = [os.path.realpath(e) for e in exclude]  # realpath: a symlink loop never raises here
    files: list[tuple[Path, object]] = []  # (file, what the caller passed for it)
    for raw in paths:
        text = str(raw)
        if _GLOB_CHARS & set(text) and not Path(text).exists():
            matches = sorted(glob.glob(text, recursive=True))
            files.extend((Path(m), Path(m)) for m in matches if Path(m).is_file())
            if not matches:
                files.append((Path(text), raw))
            continue
        path = Path(text)
        if path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(
                    d
                    for d in dirs
                    if not d.startswith(".") and not any(os.path.realpath(Path(root, d)) == e for e in excluded)
                )
                for n in sorted(names):
                    if n.startswith("."):
                        continue
                    candidate = Path(root, n)
                    why = _sniffed(candidate) if Path(n).suffix.lower() not in VECTOR_SUFFIXES else None
                    if why is None:
                        files.append((candidate, candidate))
                    elif skipped is not None and why != _PART_OF_ANOTHER:
                        skipped.append((str(candidate), why))
        else:
            files.append((path, raw))
    seen, inputs = set(), []
    for f, given in files:
        for layer in _layers_of(f) if f.exists() else [None]:
            key = (str(f), layer)
            if key not in seen:
                seen.add(key)
                inputs.append(BatchInput(str(f), layer, given))
    return inputs  # the caller's order; a folder's files and a glob's matches sorted within it


def run_fingerprint(constraints: ConstraintSet, options: dict) -> str:
    """A hash of everything besides the input that decides a result: constraint files, settings, version."""
    from . import __version__

    payload = {
        "version": __version__,
        "constraints": sorted((s.path, s.layer, s.sha256) for s in constraints.sources),
        "options": options,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


# state inherited by forked workers: the constraint set is loaded once, in the parent
_STATE: dict = {}


def _check_one(item: BatchInput) -> BatchResult:
    try:
        sha = file_sha256(item.path) if Path(item.path).is_file() else None
    except OSError:
        sha = None
    try:
        report = check(item.path, _STATE["constraints"], layer=item.layer, **_STATE["options"])
    except YangaoError as exc:
        return BatchResult(item, sha, error=str(exc))
    except Exception as exc:  # an unexpected failure on one input must not stop the batch
        return BatchResult(item, sha, error=t("internal error: {kind}: {exc}", kind=type(exc).__name__, exc=exc))
    return BatchResult(item, sha, report=report)


def check_many(
    paths,
    constraints=None,
    *,
    jobs: int | None = None,
    kind=None,
    crs=None,
    tolerance_m2=None,
    rules=None,
    config=None,
    engine: str = "pyogrio",
    encoding=None,
    edges=None,
    width_tolerance_m=None,
    regulations_profile=None,
    lang=None,
    attributes=None,
    area_unit=None,
    skip: Callable[[BatchInput, str | None], bool] | None = None,
    on_result: Callable[[BatchResult], None] | None = None,
) -> Iterator[BatchResult]:
    """Check many inputs against one set of constraint layers, in parallel; yield results in input order.

    Parameters
    ----------
    paths : iterable of str/Path, or of BatchInput
        Files, folders (searched recursively) and glob patterns.
    constraints : see :func:`yangao_geo.check`
        Loaded once for the whole run.
    jobs : int, optional
        Worker processes (default: all cores; 1 checks in this process).
    skip : callable, optional
        ``skip(input, sha256)`` returning True leaves that input out (used by
        ``--skip-unchanged``).
    on_result : callable, optional
        Called with each result as it arrives (progress bars).
    Other parameters are those of :func:`yangao_geo.check`.

    Yields
    ------
    BatchResult
    """
    paths = list(paths)
    items = [p if isinstance(p, BatchInput) else None for p in paths]
    if any(i is None for i in items):
        items = discover_inputs(paths)
    else:
        items = [BatchInput(i.path, i.layer, i.given if i.given is not None else i) for i in items]
    if skip is not None:
        items = [i for i in items if not skip(i, file_sha256(i.path) if Path(i.path).is_file() else None)]
    settings = build_settings(
        config,
        tolerance_m2=tolerance_m2,
        rules=rules,
        edges=edges,
        width_tolerance_m=width_tolerance_m,
        regulations=regulations_profile,
    )
    if not isinstance(constraints, ConstraintSet):
        needed = {name for code in settings.selected for name in RULES[code].layers}
        needed |= set(REQUIRED_LAYERS) | {"county_boundary"}
        constraints = load_constraints(
            constraints,
            postgis_tables=settings.postgis_tables,
            engine=engine,
            layers_needed=needed,
            datum=settings.datum,
            edges=settings.edges,
        )
    for name in constraints.layers:  # build every index before forking, so workers share them
        constraints.tree(name)
    _STATE.update(
        constraints=constraints,
        options={
            "kind": kind,
            "crs": crs,
            "tolerance_m2": tolerance_m2,
            "rules": rules,
            "config": config,
            "engine": engine,
            "encoding": encoding,
            "edges": edges,
            "width_tolerance_m": width_tolerance_m,
            "regulations_profile": regulations_profile,
            "lang": lang,
            "attributes": attributes,
            "area_unit": area_unit,
        },
    )
    jobs = (os.cpu_count() or 1) if jobs is None else max(1, int(jobs))
    try:
        if jobs == 1 or len(items) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
            results = map(_check_one, items)
            for result in results:
                if on_result:
                    on_result(result)
                yield result
        else:
            for result in _in_workers(items, jobs):
                if on_result:
                    on_result(result)
                yield result
    finally:
        _STATE.clear()


def _in_workers(items: list, jobs: int) -> Iterator[BatchResult]:
    """Check ``items`` in forked worker processes, in order; a dead worker costs one error row, not the run.

    When a worker dies (killed, out of memory, a crash in a C library), the pool breaks and every pending
    check fails with it. The first input in order that did not finish is re-checked alone in a fresh
    one-worker pool: if that kills its worker too, it is the culprit and becomes an error row; the rest
    go on in a new pool.
    """
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    ctx = multiprocessing.get_context("fork")
    pending = list(items)
    while pending:
        broke_at = None
        with ProcessPoolExecutor(max_workers=min(jobs, len(pending)), mp_context=ctx) as pool:
            futures = [pool.submit(_check_one, item) for item in pending]
            for k, future in enumerate(futures):
                try:
                    result = future.result()
                except BrokenProcessPool:
                    broke_at = k
                    break
                yield result
        if broke_at is None:
            return
        suspect, pending = pending[broke_at], pending[broke_at + 1 :]
        yield _alone(suspect, ctx)


def _alone(item: BatchInput, ctx) -> BatchResult:
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
            return pool.submit(_check_one, item).result()
    except BrokenProcessPool:
        return BatchResult(
            item,
            None,
            error=t(
                "the worker process checking this input died (killed, out of memory or crashed); "
                "check it alone to see why"
            ),
        )
