"""How long CPython's cyclic garbage collector paused the node, per generation.

A collection holds the GIL from start to end: the event loop and every worker thread
wait for it, so a long one shows up as latency on every connection at once.  The node's
GC thresholds (``topicsflow.cli.tune_garbage_collector``) keep collections short; this
monitor lets operators see that they stay short: ``/ops/status`` reports it as ``gc``
and ``/metrics`` as ``topicsflow_gc_*``.

:func:`watch_gc_pauses` hooks ``gc.callbacks`` for the duration of a block.  The
callback runs in whichever thread triggered the collection, under the GIL, and a
collection never nests in another, so the plain counters below need no lock.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import msgspec

GENERATIONS = 3


class GcPauses(msgspec.Struct, frozen=True, kw_only=True):
    """Collections since the monitor started, per generation (young, middle, old)."""

    collections: tuple[int, ...]
    total_ms: tuple[float, ...]
    """Time spent collecting, summed."""
    longest_ms: tuple[float, ...]
    """The longest single collection."""


class GcPauseMonitor:
    """Counts collections and times them; see the module docstring."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self._clock = clock
        self._started: float | None = None
        self._collections = [0] * GENERATIONS
        self._total = [0.0] * GENERATIONS
        self._longest = [0.0] * GENERATIONS

    def on_collection(self, phase: str, info: dict[str, Any]) -> None:
        """The ``gc.callbacks`` hook: ``phase`` is ``"start"`` or ``"stop"``."""
        if phase == "start":
            self._started = self._clock()
            return
        started, self._started = self._started, None
        generation = info.get("generation")
        if started is None or not isinstance(generation, int) or not 0 <= generation < GENERATIONS:
            return  # installed in the middle of a collection, or an unknown generation
        paused = self._clock() - started
        self._collections[generation] += 1
        self._total[generation] += paused
        self._longest[generation] = max(self._longest[generation], paused)

    def statistics(self) -> GcPauses:
        """The figures so far."""
        return GcPauses(
            collections=tuple(self._collections),
            total_ms=tuple(round(seconds * 1000, 3) for seconds in self._total),
            longest_ms=tuple(round(seconds * 1000, 3) for seconds in self._longest),
        )


@contextmanager
def watch_gc_pauses() -> Iterator[GcPauseMonitor]:
    """A monitor hooked into ``gc.callbacks`` while the block runs."""
    monitor = GcPauseMonitor()
    gc.callbacks.append(monitor.on_collection)
    try:
        yield monitor
    finally:
        gc.callbacks.remove(monitor.on_collection)
