"""The sessions' :class:`~actors.realtime.ports.ConnectionListener`: connections to user actors.

Each authenticated connection is announced to its user's actor
(:mod:`actors.users.user`) when it starts and when it ends, and ``set_presence`` frames become
:class:`~actors.users.commands.SetConnectionPresence` asks.  Starts and ends are tells
(the session does not wait for presence to be published); ``set_presence`` is an ask so
its ``ack`` follows the change.
"""

from __future__ import annotations

from collections.abc import Callable

from actors.runtime.ref import ActorRef
from actors.users.commands import (
    USER,
    ConnectionClosed,
    ConnectionOpened,
    SetConnectionPresence,
)
from protocol.enums import PresenceStatus
from services.principal import Principal

RefFactory = Callable[[str, str], ActorRef]


class UserConnections:
    """Tells user actors about their connections; see the module docstring."""

    def __init__(self, ref: RefFactory) -> None:
        self._ref = ref

    async def connection_opened(self, principal: Principal, connection_id: str) -> None:
        await self._ref(USER, principal.user_id).tell(
            ConnectionOpened(connection_id=connection_id)
        )

    async def connection_closed(self, principal: Principal, connection_id: str) -> None:
        await self._ref(USER, principal.user_id).tell(
            ConnectionClosed(connection_id=connection_id)
        )

    async def presence_set(self, principal: Principal, connection_id: str, status: str) -> None:
        await self._ref(USER, principal.user_id).ask(
            SetConnectionPresence(connection_id=connection_id, status=PresenceStatus(status))
        )
