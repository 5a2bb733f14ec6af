"""Safe output: refuse targets that are inputs or not regular files, write to a temporary file, rename.

Rules every writer of the product goes through (:func:`atomic_path`):

* an output that resolves to an input of the run (the same file, a hard link, a symlink, a shapefile
  part) is refused, ``overwrite`` or not: inputs are read-only;
* an existing output is never replaced unless the caller says ``overwrite``; a folder, a FIFO or a
  device is never replaced at all;
* the destination is checked *before* the work that produces it (:func:`check_target`), so a long
  check does not end in "file exists";
* the data go to a temporary file beside the target, named ``.yangao_geo-partial-<pid>-…``, renamed
  onto the target when complete; a failed write (disk full, read-only file system, a writer's error)
  leaves nothing behind and says what failed and where; a partial file left by a killed run is
  recognised by its name and removed by the next run that writes into the folder.

Examples
--------
>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
>>> with atomic_path(out) as tmp:
...     _ = tmp.write_text("hi")
>>> out.read_text()
'hi'
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import OutputError, YangaoError
from ..i18n import t

__all__ = ["PARTIAL_PREFIX", "atomic_path", "check_target", "input_files", "remove_stale_partials"]

#: the name every temporary output starts with (hidden; recognisable for clean-up)
PARTIAL_PREFIX = ".yangao_geo-partial-"
_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx")


def input_files(paths: Iterable) -> list[Path]:
    """The files behind the inputs ``paths`` (a shapefile's parts, a GeoParquet folder's parts), existing ones."""
    out: list[Path] = []
    for raw in paths:
        if raw is None:
            continue
        p = Path(str(raw))
        if p.suffix.lower() == ".shp":
            out.extend(q for q in (p.with_suffix(s) for s in _SHAPEFILE_PARTS) if q.exists())
            out.extend(q for q in (p.with_suffix(s.upper()) for s in _SHAPEFILE_PARTS) if q.exists())
        elif p.is_dir():
            out.extend(q for q in p.rglob("*") if q.is_file())
        if p.exists():
            out.append(p)
    return out


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_target(target, *, overwrite: bool = False, inputs: Iterable = ()) -> Path:
    """Refuse a destination that cannot or must not be written; return it as a Path.

    Raises
    ------
    OutputError
        The target is an input of the run (or inside an input folder's files), a folder, a FIFO or
        device, exists without ``overwrite``, or its folder is missing or not writable.
    """
    target = Path(target)
    protected = input_files(inputs)
    candidates = [target]
    if target.is_symlink():
        candidates.append(Path(os.path.realpath(target)))
    for inp in protected:
        if any(_same_file(c, inp) for c in candidates if c.exists()) or (
            os.path.realpath(target) == os.path.realpath(inp)
        ):
            raise OutputError(
                t(
                    "{target}: is an input of this run ({inp}); inputs are never replaced, with or without "
                    "--overwrite: choose another output name",
                    target=target,
                    inp=inp,
                )
            )
    if target.exists() or target.is_symlink():
        try:
            mode = os.stat(target).st_mode
        except OSError as exc:
            raise OutputError(
                t("{target}: cannot be checked ({value})", target=target, value=exc.strerror or exc)
            ) from None
        if stat.S_ISDIR(mode):
            raise OutputError(t("{target}: is a folder; give a file name for the report", target=target))
        if not stat.S_ISREG(mode):
            raise OutputError(
                t("{target}: is not a regular file (a FIFO, device or socket); refusing to replace it", target=target)
            )
        if not overwrite:
            raise OutputError(t("{target}: already exists; pass --overwrite to replace it", target=target))
    parent = target.parent
    if not parent.is_dir():
        raise OutputError(t("{parent}: output folder does not exist", parent=parent))
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(t("{parent}: output folder is not writable", parent=parent))
    return target


def remove_stale_partials(folder) -> list[Path]:
    """Remove temporary outputs left in ``folder`` by runs that died (their process is gone)."""
    removed = []
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(PARTIAL_PREFIX):
            continue
        pid_text = entry.name[len(PARTIAL_PREFIX) :].split("-", 1)[0]
        if pid_text.isdigit() and _alive(int(pid_text)):
            continue
        with contextlib.suppress(OSError):
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
            removed.append(entry)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


@contextlib.contextmanager
def atomic_path(target, *, overwrite: bool = False, inputs: Iterable = ()) -> Iterator[Path]:
    """Yield a temporary path to write to; move it onto ``target`` on success.

    Raises
    ------
    OutputError
        See :func:`check_target`; and when writing fails (disk full, read-only file system, a writer's
        error), naming the target and the reason. Nothing is left behind.
    """
    target = check_target(target, overwrite=overwrite, inputs=inputs)
    remove_stale_partials(target.parent)
    tmp = target.parent / f"{PARTIAL_PREFIX}{os.getpid()}-{secrets.token_hex(4)}-{target.name}"
    try:
        yield tmp
        if not tmp.exists():
            raise OutputError(t("{target}: the writer produced no file", target=target))
        check_target(target, overwrite=overwrite, inputs=inputs)  # nothing changed under us meanwhile
        os.replace(tmp, target)
    except YangaoError:
        raise
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise OutputError(
            t("{target}: cannot be written ({reason}); nothing was written", target=target, reason=reason)
        ) from None
    except Exception as exc:  # writers (GDAL, openpyxl, zipfile) raise their own types on disk full etc.
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise OutputError(
            t("{target}: cannot be written ({text}); nothing was written", target=target, text=text)
        ) from None
    finally:
        with contextlib.suppress(OSError):
            if tmp.is_dir() and not tmp.is_symlink():  # a writer of folders failed half-way
                shutil.rmtree(tmp)
            elif tmp.exists() or tmp.is_symlink():
                tmp.unlink()
