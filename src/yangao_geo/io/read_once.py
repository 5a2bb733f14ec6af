"""What a file says about itself, asked once per check: its layers, a layer's metadata.

A check asks the same GeoPackage for its layer list and each layer's CRS, extent and feature count
several times (the blocks, five constraint layers, each read through the file's own index): each
question opens the file again. Inside :func:`one_check` the answers are kept, keyed by the file's path,
size and modification time, and forgotten when the check ends — so a file changed between two checks
(a ``.prj`` edited during a long QGIS session, which leaves the ``.shp`` untouched) is always read afresh.
Outside it nothing is kept.

Examples
--------
>>> calls = []
>>> def ask():
...     calls.append(1)
...     return ["blocks"]
>>> with one_check():
...     remembered(("layers", "x.gpkg"), ask), remembered(("layers", "x.gpkg"), ask)
(['blocks'], ['blocks'])
>>> len(calls), remembered(("layers", "x.gpkg"), ask), len(calls)
(1, ['blocks'], 2)
"""

from __future__ import annotations

import contextlib
import contextvars
import functools

__all__ = ["one_check", "remembered", "within_one_check"]

_ANSWERS: contextvars.ContextVar[dict | None] = contextvars.ContextVar("yangao_geo_file_answers", default=None)


@contextlib.contextmanager
def one_check():
    """Keep what files say about themselves until the block ends (an enclosing one's answers are shared)."""
    if _ANSWERS.get() is not None:
        yield
        return
    token = _ANSWERS.set({})
    try:
        yield
    finally:
        _ANSWERS.reset(token)


def within_one_check(fn):
    """``fn`` run inside :func:`one_check` (for an entry point that reads several layers of a file)."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        with one_check():
            return fn(*args, **kwargs)

    return run


def remembered(key: tuple, ask):
    """``ask()``, or its answer already given for ``key`` inside :func:`one_check` (a failure is not kept).

    The threads of a check (:mod:`yangao_geo.threads`) run in copies of its context and share its answers;
    two asking at once both ask and keep the same answer.
    """
    answers = _ANSWERS.get()
    if answers is None:
        return ask()
    if key not in answers:
        answers[key] = ask()
    return answers[key]
