"""Presence across a user's devices: the rule and the node's book of live connections.

A user is ``online`` when any of their connections is online, ``away`` when every one
of them is away, and ``offline`` with none.  :class:`PresenceBook` holds, per user, the
status of each authenticated connection on this node and the status last announced to
others; the user actor (:mod:`actors.user`) is its only writer for that user.  It lives
outside the actor so that passivation or a crash of a user actor loses nothing: the
next incarnation reads the same book.  Entries disappear when a user's last connection
closes, so the book's size follows the node's connections.
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

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
    __slots__ = ("announced", "connections")

    def __init__(self) -> None:
        self.connections: dict[str, PresenceStatus] = {}
        self.announced = PresenceStatus.OFFLINE


class PresenceBook:
    """Live connections per user on this node; see the module docstring."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    def open(
        self, user_id: str, connection_id: str, status: PresenceStatus = PresenceStatus.ONLINE
    ) -> None:
        """Record an authenticated connection; one already known keeps its status."""
        entry = self._entries.setdefault(user_id, _Entry())
        entry.connections.setdefault(connection_id, status)

    def close(self, user_id: str, connection_id: str) -> None:
        """Forget a connection (unknown connections are ignored)."""
        entry = self._entries.get(user_id)
        if entry is not None:
            entry.connections.pop(connection_id, None)

    def set_status(self, user_id: str, connection_id: str, status: PresenceStatus) -> None:
        """Set one connection's status (recording the connection if it is new)."""
        entry = self._entries.setdefault(user_id, _Entry())
        entry.connections[connection_id] = status

    def view(self, user_id: str) -> PresenceView:
        """The user's combined status and connection count."""
        entry = self._entries.get(user_id)
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
