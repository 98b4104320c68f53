"""Latency-budgeted batching: how long a batching actor waits for more of its messages.

A batching actor's turn (``Actor.on_receive_batch``) takes its first message and the
batchable ones queued right behind it.  On a busy node, one turn per message costs one
store write per message and, for a chat room, one socket write per subscriber per
message; waiting a little for the room's next messages shares both among them (a run of
messages reaches each subscriber in one write).  The wait is bounded by a latency budget
that counts from when the turn's first message was queued, not from the turn's start: a
message that already waited behind the previous turn (the room's store write and fan-out)
is not made to wait a whole budget more.  It is taken only where it is likely to pay off
(:meth:`BatchLinger.seconds`):

* the kind allows it: ``ActorKind.batch_linger`` is the budget in seconds (0: never);
* the node is busy: its process used at least :data:`BUSY_SHARE` of a CPU recently
  (:class:`ProcessLoad`), so turns compete for the event loop and a write saved is
  latency saved for everyone;
* the actor is hot: at the rate its batchable messages arrived lately
  (:class:`ArrivalRate`), at least :data:`MIN_EXPECTED` more are due within the budget.

The runtime (:mod:`supervisors.activation`) stops waiting at the budget, at
``MAX_BATCH`` messages, or at the first message that does not batch.  An idle or lightly
loaded node never waits: a message then costs the latency of one turn, as without this.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final

BUSY_SHARE: Final = 0.45
"""The process CPU share (of one core) from which a node counts as busy.  At 0.7 rooms
waited only near the node's knee; from 0.45 (about 25,000 deliveries/s on rooms of 100)
the node spent 2-7 % less CPU per delivery on rooms of 100 at 50,000-60,000/s and
12-16 % less on rooms of 1,000 at 50,000-91,000/s, with the same p99 (docs/BENCHMARKS.md,
issue 26, ninth pass)."""
MIN_EXPECTED: Final = 0.5
"""The messages that must be due within the budget for a wait to be worth it."""
LOAD_WINDOW_SECONDS: Final = 0.25
"""How often :class:`ProcessLoad` takes a new reading; its figure is the last window's."""
RATE_WINDOW_SECONDS: Final = 1.0
"""The window over which :class:`ArrivalRate` counts arrivals."""


class ProcessLoad:
    """This process's CPU share over the last completed window (of one core: 1.0 is a
    core fully used).  Read lazily: each call costs two clock reads, and a new window is
    taken only when the last one is :data:`LOAD_WINDOW_SECONDS` old."""

    __slots__ = ("_clock", "_cpu", "_share", "_wall")

    def __init__(self, cpu: Callable[[], float] = time.process_time,
                 wall: Callable[[], float] = time.monotonic) -> None:
        self._cpu = cpu
        self._wall = wall
        self._clock = (cpu(), wall())
        self._share = 0.0

    def share(self) -> float:
        """The CPU share of the last completed window (0.0 before the first one ends)."""
        now = self._wall()
        cpu_then, wall_then = self._clock
        if now - wall_then >= LOAD_WINDOW_SECONDS:
            cpu_now = self._cpu()
            self._share = (cpu_now - cpu_then) / (now - wall_then)
            self._clock = (cpu_now, now)
        return self._share


PROCESS_LOAD: Final = ProcessLoad()
"""The load of this process, shared by every activation (CPU time is per process)."""


def process_share() -> float:
    """:data:`PROCESS_LOAD`'s share: what a :class:`BatchLinger` reads by default."""
    return PROCESS_LOAD.share()


class ArrivalRate:
    """Messages per second over the last completed :data:`RATE_WINDOW_SECONDS` window,
    or the current window's so far when that is higher (a burst counts at once)."""

    __slots__ = ("_count", "_last_rate", "_window_start")

    def __init__(self, now: float) -> None:
        self._window_start = now
        self._count = 0
        self._last_rate = 0.0

    def note(self, count: int, now: float) -> None:
        """``count`` messages arrived (were taken) at ``now``."""
        elapsed = now - self._window_start
        if elapsed >= RATE_WINDOW_SECONDS:
            # A window with no arrivals at all (a gap of two windows or more) reads as 0.
            self._last_rate = self._count / elapsed if elapsed < 2 * RATE_WINDOW_SECONDS else 0.0
            self._window_start, self._count = now, 0
        self._count += count

    def per_second(self, now: float) -> float:
        """The arrival rate (see the class docstring)."""
        elapsed = now - self._window_start
        if elapsed >= 2 * RATE_WINDOW_SECONDS:
            return 0.0
        current = self._count / RATE_WINDOW_SECONDS if elapsed < RATE_WINDOW_SECONDS else 0.0
        return max(self._last_rate, current)


class BatchLinger:
    """One activation's batching policy; see the module docstring."""

    __slots__ = ("_budget", "_load", "rate")

    def __init__(self, budget_seconds: float, now: float,
                 load: Callable[[], float] | None = None) -> None:
        if budget_seconds <= 0:
            raise ValueError("a linger budget must be > 0 seconds")
        self._budget = budget_seconds
        self._load = load
        self.rate = ArrivalRate(now)

    def seconds(self, now: float, first_queued_at: float | None = None) -> float:
        """How long the turn starting ``now`` may wait for more messages (0: none): the
        budget less what its first message has already waited since ``first_queued_at``
        (None: not known, the whole budget).  The load is ``load()`` when given, else
        :func:`process_share` (looked up per call)."""
        if self.rate.per_second(now) * self._budget < MIN_EXPECTED:
            return 0.0
        if (self._load() if self._load is not None else process_share()) < BUSY_SHARE:
            return 0.0
        if first_queued_at is not None:
            return max(0.0, min(self._budget, first_queued_at + self._budget - now))
        return self._budget
