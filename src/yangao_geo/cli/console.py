"""The terminal the tables are printed on: its own width, never a forced one.

On a terminal rich measures the width (a 100-column pane gets 100-column tables, wrapped cell by cell);
into a pipe or a log the width is ``COLUMNS`` when set, else 120. User text goes in as
:class:`rich.text.Text`, so that names like ``[red]`` are printed literally, never read as markup.
"""

from __future__ import annotations

import os
import sys

__all__ = ["PIPE_WIDTH", "console"]

#: width of tables written into a pipe or a file (no terminal to measure)
PIPE_WIDTH = 120


def console(*, stderr: bool = False):
    """A rich Console on stdout (or stderr) as wide as the terminal, or :data:`PIPE_WIDTH` into a pipe."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    if stream.isatty():
        return Console(stderr=stderr)
    columns = os.environ.get("COLUMNS", "")
    width = int(columns) if columns.isdigit() and int(columns) >= 40 else PIPE_WIDTH
    return Console(stderr=stderr, width=width)
