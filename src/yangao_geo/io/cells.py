"""Spreadsheet cells that keep user text as text (no formula injection), for every CSV and XLSX writer."""

from __future__ import annotations

import re

__all__ = ["FORMULA_START_PATTERN", "csv_text", "keep_text"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: a regular expression matching text that :func:`csv_text` guards (for column-wise writers)
FORMULA_START_PATTERN = "^[" + re.escape("".join(_FORMULA_START)) + "]"


def csv_text(value):
    """User text for a CSV cell that Excel opens: a leading ``= + - @`` (a formula) gets a ``'`` before it.

    A CSV cell has no type, so Excel would run ``=HYPERLINK(...)`` in a block name; the apostrophe is
    the OWASP-recommended guard (Excel shows the text, the apostrophe as the text-prefix). Only cells
    that start with those characters change; the JSON and GeoPackage reports keep the text unaltered.

    Examples
    --------
    >>> csv_text("=1+1"), csv_text("KC01"), csv_text(None)
    ("'=1+1", 'KC01', None)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def keep_text(cells) -> None:
    """XLSX cells (openpyxl) holding strings stay strings: a value starting with ``=`` is never a formula.

    openpyxl turns a string that starts with ``=`` into a formula; setting the type back to a string
    writes it literally (Excel shows the characters typed, unchanged).
    """
    for cell in cells:
        if isinstance(cell.value, str) and cell.data_type != "s":
            cell.data_type = "s"
