"""One connection's subscriptions: gap-free switch from replay to live, no duplicates.

A subscription starts **buffering**: it is registered in the hub first, so no live event
published from then on can be missed, and live events are held back while the missed
ones are read from storage and sent.  Then the held-back events newer than the replay are
released and the subscription goes live.  Throughout, a sequenced event is passed on only
if its ``seq`` is above the last one passed on, so an event seen both in the replay and
live reaches the client once.  Ephemeral events (no ``seq``) pass straight through while
live and are dropped while buffering (they are never replayed anyway).
"""

from __future__ import annotations

from collections.abc import Iterator

from protocol.broadcast import BroadcastFrame


class Subscription:
    """State of one channel subscription of one connection."""

    __slots__ = ("buffering", "last_seq", "pending", "pending_limit")

    def __init__(self, pending_limit: int) -> None:
        self.buffering = True
        self.last_seq = 0
        self.pending: list[BroadcastFrame] = []
        self.pending_limit = pending_limit

    def hold(self, event: BroadcastFrame) -> bool:
        """Keep a live event while buffering; False when the buffer is full."""
        if event.seq is None:
            return True
        if len(self.pending) >= self.pending_limit:
            return False
        self.pending.append(event)
        return True

    def admit(self, event: BroadcastFrame) -> bool:
        """Whether a live event is new for this subscriber (and record it if so)."""
        seq = event.seq
        if seq is None:
            return True
        if seq <= self.last_seq:
            return False
        self.last_seq = seq
        return True

    def skips(self, event: BroadcastFrame) -> bool:
        """Whether a live event's seq jumps past the next one expected (events were lost)."""
        seq = event.seq
        return seq is not None and self.last_seq > 0 and seq > self.last_seq + 1

    def go_live(self, last_replayed_seq: int) -> Iterator[BroadcastFrame]:
        """Finish buffering after a replay up to ``last_replayed_seq``.

        Yields the held-back events that are newer, in order; the subscription is live
        once the iterator is exhausted.
        """
        self.last_seq = max(self.last_seq, last_replayed_seq)
        # Events held while the caller sends these ones are picked up by the next round.
        while self.pending:
            pending, self.pending = self.pending, []
            for event in sorted(pending, key=lambda held: held.seq or 0):
                if self.admit(event):
                    yield event
        self.buffering = False
