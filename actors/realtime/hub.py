"""The node's fan-out hub: which local connections listen to which channel.

Contract:

* :meth:`Hub.publish` is synchronous and never waits: it encodes the event at most once
  per codec (through :class:`protocol.broadcast.BroadcastFrame`) and hands it to every
  subscriber's :meth:`Subscriber.deliver_nowait`.  :meth:`Hub.publish_many` hands a run
  of consecutive events of one channel to each subscriber in one call (one
  :class:`protocol.broadcast.BroadcastRun`, its frames joined once per codec), so a
  connection can write them with one system call.  A subscriber that cannot take it (its
  bounded outbound queue is full) is told so by returning False and is removed from every
  channel: the slow consumer is disconnected, the others are unaffected.
* Events of one channel are published by the channel's owner (its actor) one call at a
  time, in sequence order, so each subscriber receives them in that order.
* :meth:`Hub.publish_to_user` hands an event to one user's subscriptions of a channel
  only (a call's signal), with the same slow-consumer rule; taps do not see it.
* :meth:`Hub.evict_user` ends a user's subscriptions to a channel at once (a kick or a
  ban): removed members lose live access immediately.  :meth:`Hub.evict_channel` ends
  everyone's (a deleted room).
* The hub holds subscribers, never actors; it is local to the node.  In cluster mode the
  bus listener publishes events from other nodes into it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from protocol.broadcast import BroadcastFrame, BroadcastRun

Tap = Callable[[str, Sequence[BroadcastFrame]], None]
"""Sees every run of events published on this node (:meth:`Hub.add_tap`)."""


class Subscriber(Protocol):
    """A connection as the hub sees it."""

    def deliver_nowait(self, channel: str, run: BroadcastRun) -> bool:
        """Queue ``run.events`` (consecutive events of ``channel``, in order); False when
        the subscriber cannot keep up and must be dropped."""
        ...

    def dropped_as_slow(self) -> None:
        """Called once when the hub removed this subscriber for being slow."""
        ...

    @property
    def user_id(self) -> str | None:
        """The user this subscriber acts for (None before authentication)."""
        ...

    def evicted(self, channel: str, reason: str) -> None:
        """Called when the hub ended this subscriber's subscription to ``channel``."""
        ...


@dataclasses.dataclass(frozen=True, slots=True)
class HubStatistics:
    """Counts for the ops status endpoint."""

    channels: int
    subscriptions: int
    published: int
    delivered: int
    dropped_slow: int


class Hub:
    """Local index of channel → subscribers; see the module docstring."""

    def __init__(self) -> None:
        self._subscribers: dict[str, dict[Subscriber, None]] = {}
        self._published = 0
        self._delivered = 0
        self._dropped_slow = 0
        self._taps: tuple[Tap, ...] = ()

    def add_tap(self, tap: Tap) -> None:
        """Also hand ``tap`` every run of events published on this node (not those relayed
        from other nodes), before the subscribers; a tap must neither wait nor raise
        (the outgoing webhooks' tap: ``actors/webhooks/tap.py``)."""
        self._taps = (*self._taps, tap)

    def subscribe(self, channel: str, subscriber: Subscriber) -> None:
        """Add ``subscriber`` to ``channel`` (idempotent)."""
        self._subscribers.setdefault(channel, {})[subscriber] = None

    def unsubscribe(self, channel: str, subscriber: Subscriber) -> None:
        """Remove ``subscriber`` from ``channel`` (no error when absent)."""
        members = self._subscribers.get(channel)
        if members is not None:
            members.pop(subscriber, None)
            if not members:
                del self._subscribers[channel]

    def unsubscribe_all(self, subscriber: Subscriber, channels: Iterable[str]) -> None:
        """Remove ``subscriber`` from each of ``channels``."""
        for channel in list(channels):
            self.unsubscribe(channel, subscriber)

    def subscribers(self, channel: str) -> list[Subscriber]:
        """The current subscribers of ``channel`` (a copy)."""
        return list(self._subscribers.get(channel, ()))

    def publish(self, channel: str, event: BroadcastFrame) -> int:
        """Deliver ``event`` to the channel's subscribers; returns how many took it."""
        return self.publish_many(channel, (event,))

    def publish_many(self, channel: str, events: Sequence[BroadcastFrame]) -> int:
        """Deliver consecutive events of ``channel``, in order, handing each subscriber all
        of them in one call; returns how many subscribers took them."""
        for tap in self._taps:
            tap(channel, events)
        return self._fan_out(channel, events) if events else 0

    def publish_to_user(self, channel: str, user_id: str, event: BroadcastFrame) -> int:
        """Deliver ``event`` to ``user_id``'s subscriptions of ``channel`` only; returns how
        many took it.  Not handed to the taps: such an event is private to two users."""
        return self._fan_out_to_user(channel, user_id, (event,))

    def _fan_out(self, channel: str, events: Sequence[BroadcastFrame]) -> int:
        """What :meth:`publish` and :meth:`publish_many` do on this node (subclasses that
        relay publications elsewhere deliver relayed ones through this)."""
        self._published += len(events)
        members = self._subscribers.get(channel)
        if not members:
            return 0
        return self._deliver(channel, members, events)

    def _fan_out_to_user(
        self, channel: str, user_id: str, events: Sequence[BroadcastFrame]
    ) -> int:
        """What :meth:`publish_to_user` does on this node (and with relayed ones)."""
        self._published += len(events)
        members = self._subscribers.get(channel)
        if not members:
            return 0
        targets = [subscriber for subscriber in members if subscriber.user_id == user_id]
        return self._deliver(channel, targets, events) if targets else 0

    def _deliver(
        self, channel: str, members: Iterable[Subscriber], events: Sequence[BroadcastFrame]
    ) -> int:
        """Hand ``events`` to each of ``members`` as one run; drop the slow ones.  Returns
        how many took them (subclasses count delivered frames here)."""
        delivered = 0
        slow: list[Subscriber] = []
        run = BroadcastRun(events)
        for subscriber in members:
            if subscriber.deliver_nowait(channel, run):
                delivered += 1
            else:
                slow.append(subscriber)
        self._delivered += delivered * len(events)
        for subscriber in slow:
            self._dropped_slow += 1
            self.unsubscribe(channel, subscriber)
            subscriber.dropped_as_slow()
        return delivered

    def evict_user(self, channel: str, user_id: str, reason: str) -> int:
        """End every subscription of ``user_id`` to ``channel`` (kicks, bans, lost access).

        Each evicted subscriber is told (it sends ``evicted`` to its client); returns how
        many subscriptions ended.
        """
        evicted = [
            subscriber for subscriber in self.subscribers(channel) if subscriber.user_id == user_id
        ]
        for subscriber in evicted:
            self.unsubscribe(channel, subscriber)
            subscriber.evicted(channel, reason)
        return len(evicted)

    def evict_channel(self, channel: str, reason: str) -> int:
        """End every subscription to ``channel`` (the channel is gone: a deleted room).

        Each evicted subscriber is told; returns how many subscriptions ended.
        """
        members = self._subscribers.pop(channel, None)
        if not members:
            return 0
        for subscriber in members:
            subscriber.evicted(channel, reason)
        return len(members)

    def statistics(self) -> HubStatistics:
        """Channel and subscription counts, and totals since start."""
        return HubStatistics(
            channels=len(self._subscribers),
            subscriptions=sum(len(members) for members in self._subscribers.values()),
            published=self._published,
            delivered=self._delivered,
            dropped_slow=self._dropped_slow,
        )
