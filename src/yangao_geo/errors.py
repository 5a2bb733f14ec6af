"""Exception hierarchy, and messages in the words of the interface the caller used.

Every error the library raises on purpose derives from :class:`YangaoError`
and also from the matching built-in, so callers can catch either. The CLI
turns any :class:`YangaoError` into a one-line message and exit code 2.

Findings about blocks are *data* (rows of the findings table), never
exceptions: exceptions are for caller mistakes and broken inputs.

Messages are written with the command line's options (``pass --overwrite``).
A Python caller reads them with the arguments of :func:`yangao_geo.check`
instead (``pass overwrite=True``): :func:`use_interface` says which interface
is speaking, and :meth:`YangaoError.__str__` translates.

Examples
--------
>>> str(OutputError("r.json: already exists; pass --overwrite to replace it"))
'r.json: already exists; pass overwrite=True to replace it'
>>> with use_interface("cli"):
...     str(OutputError("r.json: already exists; pass --overwrite to replace it"))
'r.json: already exists; pass --overwrite to replace it'
"""

from __future__ import annotations

import contextlib
import contextvars
import re

__all__ = [
    "CRSError",
    "DataSourceError",
    "InputError",
    "OutputError",
    "YangaoError",
    "current_interface",
    "use_interface",
]

_INTERFACE = contextvars.ContextVar("yangao_geo_interface", default="python")
#: CLI option -> what a Python caller writes instead
_PYTHON_WORDS = {
    "--overwrite": "overwrite=True",
    "--crs": "crs=",
    "--kind": "kind=",
    "--layer": "layer=",
    "--config": "config=",
    "--constraints": "constraints=",
    "--rules": "rules=",
    "--encoding": "encoding=",
    "--dask": "dask=",
    "--skip-unchanged": "skip=",
}
_OPTION = re.compile(r"--[a-z][a-z-]*")
#: an option with its value (``--crs 4547``): a Python caller writes ``crs='4547'``
_VALUED = re.compile(r"(--crs|--kind|--layer|--encoding) ((?:EPSG:)?\d+|[a-z][a-z0-9_-]*\b(?![ (]))")


def current_interface() -> str:
    """``"python"`` (default), ``"cli"`` or ``"qgis"``."""
    return _INTERFACE.get()


@contextlib.contextmanager
def use_interface(name: str):
    """Speak the words of interface ``name`` in error messages raised or shown inside the block."""
    token = _INTERFACE.set(name)
    try:
        yield
    finally:
        _INTERFACE.reset(token)


def _translate(text: str, interface: str) -> str:
    if interface == "cli":
        return text
    if interface == "qgis":
        from .i18n import t
        from .qgis_words import QGIS_WORDS

        words = {option: t(name) for option, name in QGIS_WORDS.items()}
    else:
        words = _PYTHON_WORDS
        text = _VALUED.sub(lambda m: f"{_PYTHON_WORDS[m.group(1)]}{m.group(2)!r}", text)
    return _OPTION.sub(lambda m: words.get(m.group(0), m.group(0)), text)


class YangaoError(Exception):
    """Root of all errors raised by yangao_geo."""

    def __str__(self) -> str:
        return _translate(super().__str__(), current_interface())


class InputError(YangaoError, ValueError):
    """An input (file, attribute value, parameter) is not what was expected."""


class CRSError(InputError):
    """A coordinate reference system is missing, ambiguous or unsupported."""


class DataSourceError(YangaoError, OSError):
    """A file is missing, unreadable, truncated or not a vector data source."""

    def __str__(self) -> str:  # OSError's own __str__ would show errno/strerror
        return _translate(Exception.__str__(self), current_interface())


class OutputError(YangaoError, OSError):
    """An output cannot be written (exists already, unknown format, ...)."""

    def __str__(self) -> str:
        return _translate(Exception.__str__(self), current_interface())
