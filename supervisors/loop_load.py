"""How much of the wall clock the event loop spends running tasks: whether it keeps up.

Near saturation a loop's tasks wait whole batches of other tasks, and that is what its
clients' latency feels.  The process's CPU share (:class:`supervisors.batch_linger.ProcessLoad`)
approximates it but misses the time the core gives to others while the loop has work
(the kernel's receive work for the packets the node sends, charged to no process;
other threads and processes), and counts the node's other threads.  :class:`LoopLoad`
measures the loop directly: a trio instrument that adds up the wall time between the
end of one I/O wait and the start of the next (the loop running a batch of tasks), per
window of :data:`WINDOW_SECONDS`, and in total (:attr:`LoopLoad.busy_seconds`).

It also counts batches by duration (:meth:`LoopLoad.batch_durations`, buckets
:data:`BATCH_BUCKETS`): a task that becomes ready waits for the batch under way to end,
and a request crosses several batches (docs/BENCHMARKS.md, issue 26), so long batches
are what a loaded node's tail latency is made of, where the busy share is an average.

Costs two clock reads and a bucket search per loop iteration (a batch of task steps, not
one per step).
:data:`LOOP_LOAD` is the process's instance; :func:`watch_loop_load` installs it in the
current trio run for the duration of a block (the node's).  Outside such a block its
share reads 0.0.
"""

from __future__ import annotations

import bisect
import contextlib
import time
from collections.abc import Callable, Iterator
from typing import Final

import msgspec
import trio

WINDOW_SECONDS: Final = 0.25
"""The window over which the busy share is measured; the figure is the last window's."""

BATCH_BUCKETS: Final = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)
"""Upper bounds in seconds of the batch-duration buckets (and one above the last)."""


class BatchDurations(msgspec.Struct, frozen=True):
    """How many loop batches lasted at most each bound of ``bounds_s`` (cumulative, as a
    Prometheus histogram's buckets), how many in all, and their total seconds."""

    bounds_s: tuple[float, ...]
    at_most: tuple[int, ...]
    count: int
    total_seconds: float


class LoopLoad(trio.abc.Instrument):
    """The event loop's busy share of wall time over the last completed window, and its
    batches by duration since it was created."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter,
                 window: float = WINDOW_SECONDS) -> None:
        if window <= 0:
            raise ValueError("the window must be > 0 seconds")
        self._clock = clock
        self._window = window
        self._window_start: float | None = None
        """Set by the first hook: the clock is read only inside the run it measures."""
        self._busy_at_window_start = 0.0
        self._batch_started: float | None = None
        self._share = 0.0
        self.busy_seconds = 0.0
        """Wall seconds spent running batches since the instrument was created (a counter:
        its rate over any window is the busy share over that window)."""
        self.installs = 0
        """How many :func:`watch_loop_load` blocks hold it installed."""
        self._batch_counts = [0] * (len(BATCH_BUCKETS) + 1)
        """Batches per bucket of :data:`BATCH_BUCKETS`; the last counts those above it."""

    def after_io_wait(self, timeout: float) -> None:
        """trio's hook: the loop stops waiting for I/O and runs a batch of tasks."""
        now = self._clock()
        if self._window_start is None:
            self._window_start, self._busy_at_window_start = now, self.busy_seconds
        self._batch_started = now

    def before_io_wait(self, timeout: float) -> None:
        """trio's hook: the batch is over, the loop looks for I/O (``timeout`` 0 when more
        tasks are ready: that check is not counted as busy, it is one system call)."""
        now = self._clock()
        window_start = self._window_start
        if window_start is None:
            self._window_start, self._busy_at_window_start = now, self.busy_seconds
            return
        started = self._batch_started
        if started is not None:
            duration = now - started
            self.busy_seconds += duration
            self._batch_counts[bisect.bisect_left(BATCH_BUCKETS, duration)] += 1
            self._batch_started = None
        elapsed = now - window_start
        if elapsed >= self._window:
            self._share = min(1.0, (self.busy_seconds - self._busy_at_window_start) / elapsed)
            self._window_start, self._busy_at_window_start = now, self.busy_seconds

    def batch_durations(self) -> BatchDurations:
        """The batches counted since the instrument was created, by duration."""
        at_most: list[int] = []
        running = 0
        for count in self._batch_counts[:-1]:
            running += count
            at_most.append(running)
        return BatchDurations(
            bounds_s=BATCH_BUCKETS, at_most=tuple(at_most),
            count=running + self._batch_counts[-1], total_seconds=self.busy_seconds,
        )

    def detach(self) -> None:
        """Forget what was measured: the instrument was removed from its run.  The share
        reads 0.0 until it is installed again (a loop nobody measures is not reported
        saturated, and a batch seen starting is not "running" ever since); the
        :attr:`busy_seconds` counter keeps its count."""
        self._batch_started = None
        self._window_start = None
        self._share = 0.0

    def share(self) -> float:
        """The busy share of the last completed window, from 0.0 (always waiting for I/O)
        to 1.0 (never).  A batch that has run for longer than a window by itself (the loop
        has not looked for I/O since) counts as it goes, so a stuck loop reads as busy."""
        started = self._batch_started
        if started is not None:
            running = self._clock() - started
            if running >= self._window:
                return 1.0
        return self._share


LOOP_LOAD: Final = LoopLoad()
"""The event loop's load for this process (one trio run at a time installs it)."""


def loop_share() -> float:
    """:data:`LOOP_LOAD`'s share (0.0 outside :func:`watch_loop_load`)."""
    return LOOP_LOAD.share()


@contextlib.contextmanager
def watch_loop_load(load: LoopLoad = LOOP_LOAD) -> Iterator[LoopLoad]:
    """Measure ``load`` in the current trio run while the block runs.  Blocks may nest or
    overlap within one run (several in-process nodes, as in tests): the instrument stays
    installed until the last of them ends."""
    if load.installs == 0:
        trio.lowlevel.add_instrument(load)
    load.installs += 1
    try:
        yield load
    finally:
        load.installs -= 1
        if load.installs == 0:
            trio.lowlevel.remove_instrument(load)
            load.detach()
