"""The collector's middle generation, run while the event loop is nearly idle.

CPython collects its middle generation every few young collections (the node's thresholds:
``topicsflow.cli.tune_garbage_collector``), whenever they happen.  After a burst of
connections (a deploy's reconnections; a benchmark's set-up) the first such collection
walks what the burst left and pauses every connection at once: 190-280 ms with 10,000
connections, on the first loaded step of every benchmark run (docs/BENCHMARKS.md, issue
26, seventh pass).  :func:`open_idle_collector` runs a task that checks every
:data:`CHECK_SECONDS`; when the loop was busy less than :data:`IDLE_SHARE` of the last
window and young collections have left survivors in the middle generation, it collects
that generation at once, while few deliveries wait for it.  Under load it does nothing:
CPython's thresholds decide, as before.

Contract: at most one collection per check, only of the middle generation (the young one
with it, never the old one: a full collection stays CPython's decision); the task never
raises for the collector's sake and ends with its block.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator, Callable
from typing import Final

import trio

CHECK_SECONDS: Final = 0.5
"""How often the task looks at the loop and the collector's counts."""
IDLE_SHARE: Final = 0.2
"""The loop's busy share below which it counts as nearly idle."""
MIDDLE_GENERATION: Final = 1


class IdleCollector:
    """Collects the middle generation when the loop is nearly idle; see the module."""

    def __init__(
        self,
        busy_share: Callable[[], float],
        *,
        counts: Callable[[], tuple[int, int, int]] = gc.get_count,
        collect: Callable[[int], int] = gc.collect,
        idle_share: float = IDLE_SHARE,
    ) -> None:
        self._busy_share = busy_share
        self._counts = counts
        self._collect = collect
        self._idle_share = idle_share
        self.collections = 0
        """Middle collections this collector ran (``/ops/status`` counts all of them)."""

    def check(self) -> bool:
        """Collect now if the loop is nearly idle and young collections left survivors
        in the middle generation (its count: young collections since its last one);
        True when it collected."""
        if self._busy_share() >= self._idle_share or self._counts()[MIDDLE_GENERATION] == 0:
            return False
        self._collect(MIDDLE_GENERATION)
        self.collections += 1
        return True

    async def run(self, interval: float = CHECK_SECONDS) -> None:
        """:meth:`check` every ``interval`` seconds, until cancelled."""
        while True:
            await trio.sleep(interval)
            self.check()


@contextlib.asynccontextmanager
async def open_idle_collector(
    busy_share: Callable[[], float], interval: float = CHECK_SECONDS
) -> AsyncIterator[IdleCollector]:
    """Run an :class:`IdleCollector` for the duration of the block."""
    collector = IdleCollector(busy_share)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(collector.run, interval)
        yield collector
        nursery.cancel_scope.cancel()
