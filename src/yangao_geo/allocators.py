"""Memory the C allocators keep after a step: handed back to the system, so that a run's peak is its data.

The geometries of a run live in GEOS (glibc's ``malloc``), the findings' texts in Arrow (its own pool:
jemalloc in the PyPI wheels). Both keep freed memory for reuse: after the farmland of a county has been
streamed through GEOS batch by batch, over a hundred MiB is free but still held by the process, and the
report is then built on top of them (measured: ``benchmarks/RESULTS.md``, "Peak memory").

* :func:`tune_for_a_run` — for a process that runs one check (the command line): Arrow allocates with the
  system's ``malloc`` (``ARROW_DEFAULT_MEMORY_POOL=system``, unless the user set it), and glibc keeps
  one arena per core rather than eight per core (``M_ARENA_MAX``), so memory freed by one thread is reused by
  another. It must run before pyarrow is imported and before any thread starts; a library caller's
  process is left as its owner set it up.
* :func:`release_free_memory` — after a step that freed much (the rules), glibc's ``malloc_trim(0)``
  returns whole free pages of every arena to the system. Nothing else changes: no object is touched.

Both do nothing where the C library is not glibc (Windows, macOS, musl): there, the allocators keep
their own policy. Neither changes a result.

Examples
--------
>>> from yangao_geo.allocators import release_free_memory
>>> _ = release_free_memory()  # after a step that freed much: True where glibc gave pages back
"""

from __future__ import annotations

import ctypes
import functools
import os
import sys

__all__ = ["release_free_memory", "tune_for_a_run"]

#: glibc's ``mallopt`` parameter for the most arenas (malloc.h: ``#define M_ARENA_MAX -8``)
_M_ARENA_MAX = -8


@functools.cache
def _glibc():
    """glibc's ``libc`` as a ctypes library, or None (another C library, another system)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)  # the process's own symbols, the C library's among them (no ldconfig lookup)
        libc.gnu_get_libc_version.restype = ctypes.c_char_p
        libc.gnu_get_libc_version()  # glibc alone has it
    except (OSError, AttributeError):
        return None
    return libc


def tune_for_a_run(arenas: int) -> None:
    """Arrow on the system allocator (unless ``ARROW_DEFAULT_MEMORY_POOL`` is set) and ``arenas`` glibc arenas.

    Call first thing in a process that runs one check, before pyarrow is imported and threads start.
    """
    libc = _glibc()
    if libc is None:  # measured on glibc alone: elsewhere the allocators keep their own policy
        return
    if "pyarrow" not in sys.modules:  # read once, when pyarrow loads
        os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    if "MALLOC_ARENA_MAX" not in os.environ:  # the user's own setting wins
        libc.mallopt(_M_ARENA_MAX, max(1, int(arenas)))


def release_free_memory() -> bool:
    """Return the free pages of glibc's arenas to the system (``malloc_trim(0)``); True if any were.

    Does nothing, and returns False, where the C library is not glibc.
    """
    libc = _glibc()
    return bool(libc.malloc_trim(0)) if libc is not None else False
