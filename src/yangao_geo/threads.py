"""Both cores for the heavy vectorised steps: GEOS (shapely 2) and PROJ (pyproj) release the GIL.

Reprojection, validity checks and repairs, and the exact intersections of the overlap kernel run whole
arrays inside GEOS or PROJ, which let other Python threads run meanwhile. :func:`map_ordered` cuts such a
step into chunks and runs them on a small pool of threads, one per core, and returns the results in the
chunks' order — so the output is the very array a single thread would give (tested:
``tests/test_threads.py``).

The number of threads is ``YANGAO_GEO_THREADS`` if set (``1``: everything on the calling thread), else
the number of cores. A step run from inside a pool thread runs on that thread (no nested fan-out, no
deadlock), and a process forked from this one (``batch --jobs``) makes its own pool.

Examples
--------
>>> map_ordered(lambda x: x * x, [1, 2, 3])
[1, 4, 9]
>>> chunks(10, minimum=4)
[(0, 4), (4, 8), (8, 10)]
>>> weighted_chunks([9, 1, 1, 1, 9, 1], minimum=5)
[(0, 1), (1, 5), (5, 6)]
"""

from __future__ import annotations

import collections
import contextvars
import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from .errors import YangaoError
from .i18n import t

__all__ = [
    "Later",
    "chunks",
    "imap_ordered",
    "map_ordered",
    "map_ordered_later",
    "prefetched",
    "shut_down",
    "thread_count",
    "weighted_chunks",
]

_state = threading.local()  # .inside: this thread is a pool worker
_pool: ThreadPoolExecutor | None = None
_pool_key: tuple[int, int] | None = None  # (process, threads) the pool was made for
_lock = threading.Lock()


def thread_count() -> int:
    """Threads for one step: ``YANGAO_GEO_THREADS``, else the cores of this machine (at least 1).

    Raises
    ------
    YangaoError
        ``YANGAO_GEO_THREADS`` is set but is not a whole number of 1 or more.
    """
    raw = os.environ.get("YANGAO_GEO_THREADS", "").strip()
    if not raw:
        return max(1, os.cpu_count() or 1)
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    raise YangaoError(t("YANGAO_GEO_THREADS must be a whole number of 1 or more, got {value}", value=repr(raw)))


def _executor(n: int) -> ThreadPoolExecutor:
    global _pool, _pool_key
    with _lock:
        if _pool is None or _pool_key != (os.getpid(), n):  # a forked child, or another thread count
            _pool = ThreadPoolExecutor(n, thread_name_prefix="yangao", initializer=_mark_worker)
            _pool_key = (os.getpid(), n)
        return _pool


def shut_down() -> None:
    """Let the pool finish what it was given and end its threads (a process about to exit; the next step
    that needs threads makes a new pool).

    Examples
    --------
    >>> map_ordered(abs, [-1, -2])
    [1, 2]
    >>> shut_down()
    >>> map_ordered(abs, [-3, -4])
    [3, 4]
    """
    global _pool, _pool_key
    with _lock:
        pool, _pool, _pool_key = _pool, None, None
    if pool is not None:
        pool.shutdown(wait=True)


def _mark_worker() -> None:
    _state.inside = True


def _on_this_thread(items: int | None = None) -> bool:
    """True where work runs on the calling thread: one thread, a pool thread calling (no nested fan-out),
    or a single item."""
    return thread_count() == 1 or getattr(_state, "inside", False) or (items is not None and items <= 1)


def _submitter():
    """``submit(fn, item)`` on the pool, each item in a copy of the caller's context (its language)."""
    context = contextvars.copy_context()
    pool = _executor(thread_count())
    return lambda fn, item: pool.submit(context.copy().run, fn, item)


def map_ordered(fn, items) -> list:
    """``[fn(item) for item in items]``, the items run on the pool's threads; results in the items' order.

    Runs on the calling thread when there is one item, one thread, or when called from a pool thread.
    Each item runs in a copy of the caller's context (a text made there is in the caller's language). The
    first exception raised by ``fn`` is raised here.
    """
    return map_ordered_later(fn, items)()


class Later:
    """A result being computed: call it for the result (waiting if need be), or :meth:`cancel` the work.

    Examples
    --------
    >>> later = Later(lambda: 42)
    >>> later()
    42
    >>> Later(lambda: 1, cancel=lambda: print("dropped")).cancel()
    dropped
    """

    __slots__ = ("_cancel", "_result")

    def __init__(self, result, cancel=None):
        self._result = result
        self._cancel = cancel

    def __call__(self):
        return self._result()

    def cancel(self) -> None:
        """Drop the work not yet started (a caller that will not ask for the result: an error came first)."""
        if self._cancel is not None:
            self._cancel()


def map_ordered_later(fn, items) -> Later:
    """:func:`map_ordered` started now, on the pool, while the caller goes on; call the result for the list.

    For a step whose result is needed only later (the blocks' areas while the constraint layers are read):
    its chunks are queued ahead of whatever the caller runs next on the pool, and run while the caller's own
    thread reads files. Where :func:`map_ordered` would run on the calling thread, this does too, at once.
    When an item fails, the items not yet started are not started; ``.cancel()`` does the same for a caller
    that will not ask for the results.

    Examples
    --------
    >>> later = map_ordered_later(lambda x: x + 1, [1, 2, 3])
    >>> later()
    [2, 3, 4]
    """
    items = list(items)
    if _on_this_thread(len(items)):
        done = [fn(item) for item in items]
        return Later(lambda: done)
    submit = _submitter()
    futures = [submit(fn, item) for item in items]

    def cancel() -> None:
        for f in futures:
            f.cancel()  # a no-op on those started or finished

    def results() -> list:
        try:
            return [f.result() for f in futures]
        finally:
            cancel()  # after a failure: what has not started does not

    return Later(results, cancel)


def imap_ordered(fn, items):
    """``fn(item)`` for each item, yielded in the items' order, with at most one item per thread computed ahead.

    For a writer: the pool's threads build the next chunks of a report (Arrow kernels release the GIL) while
    the caller writes the current one, and no more than a few chunks are held at a time (memory). Runs on the
    calling thread, one item at a time, where :func:`map_ordered` would. An exception raised by ``fn`` is
    raised at its item; stopping early leaves the items not yet started unstarted.

    Examples
    --------
    >>> list(imap_ordered(lambda x: 2 * x, range(5)))
    [0, 2, 4, 6, 8]
    """
    if _on_this_thread():
        yield from map(fn, items)
        return
    submit, ahead = _submitter(), thread_count()
    pending: collections.deque = collections.deque()
    try:
        for item in items:
            pending.append(submit(fn, item))
            if len(pending) > ahead:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()


def chunks(total: int, *, minimum: int, maximum: int | None = None) -> list[tuple[int, int]]:
    """``(start, stop)`` ranges cutting ``total`` items into about four per thread, each of ``minimum`` or more.

    ``maximum`` caps a chunk (memory: one chunk's temporary copies at a time per thread).
    """
    if total <= 0:
        return []
    size = max(minimum, math.ceil(total / (4 * thread_count())))
    if maximum is not None:
        size = min(size, maximum)
    size = max(1, size)
    return [(start, min(start + size, total)) for start in range(0, total, size)]


def weighted_chunks(weights, *, minimum: float, maximum_items: int | None = None) -> list[tuple[int, int]]:
    """``(start, stop)`` ranges of items whose ``weights`` (e.g. vertex counts) add up to about a quarter of a
    thread's share each, and to ``minimum`` or more (the last range may be lighter).

    Features differ by orders of magnitude (a 20 000-vertex red line, a 12-vertex parcel): cutting by
    weight, not count, gives every thread its share of the work. ``maximum_items`` caps a range's length.
    """
    import numpy as np

    weights = np.asarray(weights, dtype=float)
    total = len(weights)
    if total == 0:
        return []
    cum = np.cumsum(weights)
    target = max(minimum, cum[-1] / (4 * thread_count()))
    out, start = [], 0
    while start < total:
        base = cum[start - 1] if start else 0.0
        stop = int(np.searchsorted(cum, base + target, side="left")) + 1
        stop = min(max(stop, start + 1), total)
        if maximum_items is not None:
            stop = min(stop, start + maximum_items)
        out.append((start, stop))
        start = stop
    return out


def prefetched(iterable, depth: int = 1):
    """Iterate ``iterable`` with the next ``depth`` items read ahead on a thread of their own.

    For a reader (GDAL's Arrow stream, WKB decoding: both release the GIL) feeding a computation: reading
    batch k+1 overlaps computing batch k. The items and their order are the iterable's; an exception raised
    while reading is raised here, at the item where it happened; stopping early (``break``, an error in the
    computation) stops the reader. With one thread (``YANGAO_GEO_THREADS=1``) nothing is read ahead.

    Examples
    --------
    >>> list(prefetched(iter(range(5))))
    [0, 1, 2, 3, 4]
    """
    if thread_count() == 1:
        yield from iterable
        return
    import queue

    items: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def put(entry) -> bool:
        while not stop.is_set():
            try:
                items.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read():
        try:
            for item in iterable:
                if not put((item, None)):
                    return
            put((done, None))
        except BaseException as exc:  # handed to the consumer, raised there
            put((done, exc))
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:  # a generator left early: its files closed now, on this thread
                close()

    # in a copy of the consumer's context: an error worded while reading is in the consumer's language
    reader = threading.Thread(target=contextvars.copy_context().run, args=(read,), name="yangao-prefetch", daemon=True)
    reader.start()
    try:
        while True:
            item, error = items.get()
            if item is done:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stop.set()
        reader.join()
