"""Point-in-time figures of one actor, as frozen msgspec Structs ready to encode.

Times are wall-clock Unix seconds. The runtime keeps trio's clock internally and
converts when a snapshot is taken, so the figures stay right under a virtual clock.
"""

from __future__ import annotations

import time

import msgspec
import trio


class FailureRecord(msgspec.Struct, frozen=True):
    """One failure: which actor or child, when, and what was raised."""

    name: str
    at: float
    error_type: str
    message: str


class ActorStatistics(msgspec.Struct, frozen=True):
    """One activation: its mailbox, its work and its failures.

    ``state`` is one of ``pending`` (queued, waiting for its kind to run), ``activating``
    (``on_start`` running), ``active``, ``passivating`` (``on_stop`` running),
    ``restarting`` (between a crash and the next ``on_start``) or ``stopped``.
    ``mailbox_depth`` counts buffered messages; ``senders_waiting`` counts ``tell``/``ask``
    callers blocked on a full mailbox. ``processed`` and ``restarts`` count over the
    activation's life (all incarnations); ``idle_since`` is ``None`` while busy. Times are
    integer milliseconds since the epoch, as everywhere in the API.
    """

    kind: str
    id: str
    state: str
    mailbox_depth: int
    mailbox_capacity: int
    senders_waiting: int
    processed: int
    restarts: int
    activated_at: int
    idle_since: int | None
    last_failure: FailureRecord | None


def wall_time(trio_time: float) -> float:
    """Convert a reading of trio's clock to wall-clock Unix seconds."""
    return time.time() - (trio.current_time() - trio_time)
