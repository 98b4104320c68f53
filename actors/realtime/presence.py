"""Presence across a user's devices: the rule and the node's book of live connections.

A user is ``online`` when any of their connections is online, ``away`` when every one
of them is away, and ``offline`` with none.  :class:`PresenceBook` holds, per user, the
status of each authenticated connection on this node and the status last announced to
others; the user actor (:mod:`actors.users.user`) is its only writer for that user.  It lives
outside the actor so that passivation or a crash of a user actor loses nothing: the
next incarnation reads the same book.  Entries disappear when a user's last connection
closes, so the book's size follows the node's connections.

With a ``ttl`` (cluster mode) every connection must be renewed within ``ttl`` seconds
(sessions re-report their status periodically); older ones are pruned when the user's
view is computed.  That heals the book after the user actor moved to another node (the
new node learns the connections at their next renewal) and forgets the connections of a
node that died (:meth:`PresenceBook.prune_expired` tells who needs a new announcement).
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec
import trio

from protocol.enums import PresenceStatus


def combined_status(statuses: Iterable[PresenceStatus]) -> PresenceStatus:
    """The presence of a user whose connections have ``statuses`` (see the module)."""
    seen = set(statuses)
    if PresenceStatus.ONLINE in seen:
        return PresenceStatus.ONLINE
    if PresenceStatus.AWAY in seen:
        return PresenceStatus.AWAY
    return PresenceStatus.OFFLINE


class PresenceView(msgspec.Struct, frozen=True, kw_only=True):
    """A user's presence on this node: the combined status and live connection count."""

    status: PresenceStatus
    connections: int


class _Entry:
    __slots__ = ("announced", "connections", "renewed")

    def __init__(self) -> None:
        self.connections: dict[str, PresenceStatus] = {}
        self.renewed: dict[str, float] = {}
        self.announced = PresenceStatus.OFFLINE


class PresenceBook:
    """Live connections per user on this node; see the module docstring."""

    def __init__(self, ttl: float | None = None) -> None:
        self._entries: dict[str, _Entry] = {}
        self.ttl = ttl

    def open(
        self, user_id: str, connection_id: str, status: PresenceStatus = PresenceStatus.ONLINE
    ) -> None:
        """Record an authenticated connection; one already known keeps its status."""
        entry = self._entries.setdefault(user_id, _Entry())
        entry.connections.setdefault(connection_id, status)
        self._renewed(entry, connection_id)

    def close(self, user_id: str, connection_id: str) -> None:
        """Forget a connection (unknown connections are ignored)."""
        entry = self._entries.get(user_id)
        if entry is not None:
            entry.connections.pop(connection_id, None)
            entry.renewed.pop(connection_id, None)

    def set_status(self, user_id: str, connection_id: str, status: PresenceStatus) -> None:
        """Set (or renew) one connection's status, recording the connection if it is new."""
        entry = self._entries.setdefault(user_id, _Entry())
        entry.connections[connection_id] = status
        self._renewed(entry, connection_id)

    def _renewed(self, entry: _Entry, connection_id: str) -> None:
        if self.ttl is not None:
            entry.renewed[connection_id] = trio.current_time()

    def prune_expired(self) -> list[str]:
        """Drop every connection not renewed within ``ttl``; the users who lost one."""
        if self.ttl is None:
            return []
        changed = []
        for user_id, entry in self._entries.items():
            before = len(entry.connections)
            self._prune(entry)
            if len(entry.connections) != before:
                changed.append(user_id)
        return changed

    def discard_if_empty(self, user_id: str) -> None:
        """Forget a user without connections whose announcements another node makes."""
        entry = self._entries.get(user_id)
        if entry is not None and not entry.connections:
            del self._entries[user_id]

    def _prune(self, entry: _Entry) -> None:
        if self.ttl is None:
            return
        oldest = trio.current_time() - self.ttl
        for connection_id in [key for key, at in entry.renewed.items() if at < oldest]:
            del entry.renewed[connection_id]
            entry.connections.pop(connection_id, None)

    def view(self, user_id: str) -> PresenceView:
        """The user's combined status and connection count."""
        entry = self._entries.get(user_id)
        if entry is not None:
            self._prune(entry)
        if entry is None:
            return PresenceView(status=PresenceStatus.OFFLINE, connections=0)
        return PresenceView(
            status=combined_status(entry.connections.values()),
            connections=len(entry.connections),
        )

    def announce(self, user_id: str) -> PresenceStatus | None:
        """The status to announce now, or None when others already know it.

        Records it as announced; an offline user's entry is dropped.
        """
        entry = self._entries.get(user_id)
        if entry is None:
            return None
        self._prune(entry)
        status = combined_status(entry.connections.values())
        if not entry.connections:
            del self._entries[user_id]
        if status == entry.announced:
            return None
        entry.announced = status
        return status

    def users(self) -> int:
        """Users with at least one live connection (or an announcement pending)."""
        return len(self._entries)
