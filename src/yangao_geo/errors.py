"""Exception hierarchy.

Every error the library raises on purpose derives from :class:`YangaoError`
and also from the matching built-in, so callers can catch either. The CLI
turns any :class:`YangaoError` into a one-line message and exit code 2.

Findings about blocks are *data* (rows of the findings table), never
exceptions: exceptions are for caller mistakes and broken inputs.
"""

__all__ = ["CRSError", "DataSourceError", "InputError", "OutputError", "YangaoError"]


class YangaoError(Exception):
    """Root of all errors raised by yangao_geo."""


class InputError(YangaoError, ValueError):
    """An input (file, attribute value, parameter) is not what was expected."""


class CRSError(InputError):
    """A coordinate reference system is missing, ambiguous or unsupported."""


class DataSourceError(YangaoError, OSError):
    """A file is missing, unreadable, truncated or not a vector data source."""


class OutputError(YangaoError, OSError):
    """An output cannot be written (exists already, unknown format, ...)."""
