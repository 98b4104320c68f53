"""The user actor: one per user, the single writer of that user's presence.

Contract:

* Connections report themselves (:class:`ConnectionOpened`, :class:`ConnectionClosed`,
  :class:`SetConnectionPresence`); the actor combines them
  (:func:`actors.realtime.presence.combined_status`: online if any connection is online, away if
  all are away, offline with none) in the node's :class:`~actors.realtime.presence.PresenceBook`.
* When the combined status changes it publishes ``presence_changed`` — with
  ``last_seen_at`` when offline — on the channels of the people who may see it: every
  chat room the user is a member of and every direct-message conversation of theirs,
  except conversations where either participant blocked the other.  Never to anyone
  else.  Presence is ephemeral: nothing is stored.
* Publishing reads the user's rooms and conversations from storage at that moment, so
  joins and leaves need not be told to this actor.  At most :data:`CONVERSATION_LIMIT`
  of the most recent conversations are told.
"""

from __future__ import annotations

from collections.abc import Callable

from actors.realtime.hub import Hub
from actors.realtime.presence import PresenceBook
from actors.runtime.actor import Actor, ActorContext
from actors.users.commands import (
    ConnectionClosed,
    ConnectionOpened,
    GetPresence,
    PrunePresence,
    SetConnectionPresence,
)
from protocol.broadcast import BroadcastFrame
from protocol.channels import ChannelKind, channel_name
from protocol.chat_events import PresenceChanged
from protocol.enums import PresenceStatus
from protocol.errors import ErrorCode
from services.errors import DomainError
from storage.protocols import Store

CONVERSATION_LIMIT = 500


class UserActor(Actor):
    """See the module docstring."""

    __slots__ = ("_book", "_clock", "_hub", "_store")

    def __init__(
        self,
        context: ActorContext,
        store: Store,
        hub: Hub,
        book: PresenceBook,
        clock: Callable[[], float],
    ) -> None:
        super().__init__(context)
        self._store = store
        self._hub = hub
        self._book = book
        self._clock = clock

    async def on_receive(self, message: object) -> object:
        user_id = self.address.id
        match message:
            case ConnectionOpened(connection_id=connection_id):
                self._book.open(user_id, connection_id)
                await self._announce()
                return None
            case ConnectionClosed(connection_id=connection_id):
                self._book.close(user_id, connection_id)
                await self._announce()
                return None
            case SetConnectionPresence(connection_id=connection_id, status=status):
                if status is PresenceStatus.OFFLINE:
                    raise DomainError(ErrorCode.INVALID, "offline is implied by disconnecting")
                self._book.set_status(user_id, connection_id, status)
                await self._announce()
                return None
            case PrunePresence():
                await self._announce()
                return None
            case GetPresence():
                return self._book.view(user_id)
            case _:
                self.unhandled(message)

    async def _announce(self) -> None:
        status = self._book.announce(self.address.id)
        if status is None:
            return
        last_seen_at = (
            int(self._clock() * 1000) if status is PresenceStatus.OFFLINE else None
        )
        for channel in await self._audience():
            event = PresenceChanged(
                channel=channel, user_id=self.address.id, status=status,
                last_seen_at=last_seen_at,
            )
            self._hub.publish(channel, BroadcastFrame(event))

    async def _audience(self) -> list[str]:
        """The channels where people who may see this user's presence listen."""
        user_id = self.address.id
        rooms = await self._store.rooms.members.list_for_user(user_id)
        channels = [channel_name(ChannelKind.CHAT_ROOM, room.scope_id) for room in rooms]
        conversations = await self._store.direct_messages.conversations(
            user_id, limit=CONVERSATION_LIMIT
        )
        partners = {conversation.user_ids[1]: conversation.id for conversation in conversations}
        if not partners:
            return channels
        people = await self._store.users.get_many([user_id, *partners])
        blocked = {
            person.id for person in people
            if user_id in person.blocked_user_ids
        }
        for person in people:
            if person.id == user_id:
                blocked.update(person.blocked_user_ids)
        channels.extend(
            channel_name(ChannelKind.DM, conversation)
            for partner, conversation in partners.items()
            if partner not in blocked
        )
        return channels
