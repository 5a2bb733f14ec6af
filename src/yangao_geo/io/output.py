"""Atomic output: write to a temporary file beside the target, then rename.

An existing output is never replaced unless the caller says ``overwrite``;
a failed write leaves no partial file (or folder) behind.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ..errors import OutputError

__all__ = ["atomic_path"]


@contextlib.contextmanager
def atomic_path(target: str | Path, *, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary path to write to; move it onto ``target`` on success.

    Raises
    ------
    OutputError
        If ``target`` exists and ``overwrite`` is false, or its folder is missing.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> with atomic_path(out) as tmp:
    ...     _ = tmp.write_text("hi")
    >>> out.read_text()
    'hi'
    """
    target = Path(target)
    if target.exists() and not overwrite:
        raise OutputError(f"{target}: already exists; pass --overwrite to replace it")
    if not target.parent.is_dir():
        raise OutputError(f"{target.parent}: output folder does not exist")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # writers (GDAL in particular) want to create the file themselves
    try:
        yield tmp
        if not tmp.exists():
            raise OutputError(f"{target}: the writer produced no file")
        os.replace(tmp, target)
    finally:
        if tmp.is_dir():  # a writer of folders (partitioned GeoParquet) failed half-way
            shutil.rmtree(tmp)
        elif tmp.exists():
            tmp.unlink()
