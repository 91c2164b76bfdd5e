"""Both cores: a pool of forked workers over chunks of a list, or a plain loop.

The build's expensive stages (Markdown conversion, page rendering) are pure
functions of one item and some shared, read-only state built once in the parent.
On Linux the workers are forked, so they get that state without pickling it and
each builds its converters once; only the results travel back. The results come
back in the order of the items, so a parallel build is byte-identical to a serial
one. One core, a small site, or no ``fork`` (Windows, macOS default): the loop.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS = 150  # below this, forking costs more than it saves
CHUNKS_PER_WORKER = 4  # enough chunks that one slow chunk does not leave a core idle

_JOB: list[tuple[Callable[[Any, Any], Any], Any, Sequence[Any]]] = []  # what forked workers run


def cores() -> int:
    """The cores this process may run on (its CPU affinity, not the machine's count).

    ``MUSEUMSITE_WORKERS=1`` makes a build serial (a shared CI runner, a debugger).
    """
    given = os.environ.get("MUSEUMSITE_WORKERS", "")
    if given.isdigit() and int(given) > 0:
        return int(given)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def map_entries(func: Callable[[S, T], R], shared: S, items: Sequence[T], workers: int | None = None,
                min_items: int = MIN_ITEMS) -> list[R]:
    """``[func(shared, item) for item in items]``, on ``workers`` processes when it pays."""
    workers = cores() if workers is None else workers
    if workers <= 1 or len(items) < max(min_items, 2) or "fork" not in multiprocessing.get_all_start_methods():
        return [func(shared, item) for item in items]
    size = max(1, -(-len(items) // (workers * CHUNKS_PER_WORKER)))
    bounds = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    _JOB[:] = [(func, shared, items)]
    try:
        with multiprocessing.get_context("fork").Pool(min(workers, len(bounds)), initializer=_worker_signals) as pool:
            chunks = pool.map(_run_chunk, bounds, chunksize=1)
    finally:
        _JOB.clear()
    return [result for chunk in chunks for result in chunk]


def _worker_signals() -> None:
    """A worker ends on SIGTERM (the pool stops its workers so after each map) and leaves Ctrl-C to its
    parent: forked from ``serve``, it would otherwise inherit serve's handlers, and each stop would raise
    KeyboardInterrupt in it, a traceback in the server's console and a pool slow to close."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_chunk(bounds: tuple[int, int]) -> list[Any]:
    func, shared, items = _JOB[0]
    return [func(shared, items[index]) for index in range(*bounds)]
