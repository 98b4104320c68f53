"""The messages a user actor accepts (see :mod:`actors.users.user`).

Connections are named by the id their session drew
(:attr:`actors.realtime.session.ConnectionSession.connection_id`), unique on the node.
"""

from __future__ import annotations

import msgspec

from protocol.enums import PresenceStatus

USER = "user"
"""The actor kind name; the actor id is the user id."""


class ConnectionOpened(msgspec.Struct, frozen=True, kw_only=True):
    """An authenticated connection of the user started (it counts as online)."""

    connection_id: str


class ConnectionClosed(msgspec.Struct, frozen=True, kw_only=True):
    """A connection of the user ended (unknown connections are ignored)."""

    connection_id: str


class SetConnectionPresence(msgspec.Struct, frozen=True, kw_only=True):
    """One connection reports its user ``online`` or ``away``; replies None.

    Sent by an open connection, so a report that overtakes the connection's
    :class:`ConnectionOpened` records the connection (which then keeps this status).
    """

    connection_id: str
    status: PresenceStatus


class PrunePresence(msgspec.Struct, frozen=True, kw_only=True):
    """Drop connections whose renewal lapsed and announce the result (cluster mode)."""


class GetPresence(msgspec.Struct, frozen=True, kw_only=True):
    """Reply the user's :class:`actors.realtime.presence.PresenceView` on this node."""
