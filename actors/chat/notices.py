"""Notifications caused by chat: mentions and replies in rooms, room invitations, DMs.

Every notification is written by the recipient's feed actor
(:class:`actors.users.notification_feed.NotificationFeedActor`, the single writer of
``user:<id>``); this module decides *who* is notified.  The functions take a ref
factory (an actor's ``context.ref`` or the node's ``registry.ref``):

* :func:`notify_room_message` — called by the room actor after a message is stored and
  published.  It costs nothing for a message without ``@`` and without ``reply_to``;
  otherwise it hands the message to the room's :class:`RoomNoticesActor`, so lookups
  never hold the room's turn.  That actor notifies the author of the replied message
  (``reply``), each mentioned user (``mention``) and, for ``@here`` from an owner or
  moderator, every member — but only users who may read the room (its members; a ban
  ends the membership), who did not block the author, and who did not mute the room
  (or its topic).  The members it mentions (muted or not) are recorded in
  ``store.read_positions`` for their unread mention counts.
* :func:`notify_room_invitation` — for whoever invites a user into a room.
* :func:`unmuted` — the mute filter the direct-message actor uses too.

Mutes are the store's (``store.follows.mute(user_id, target_id)``), keyed by the room,
topic or conversation id.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

import msgspec

from actors.chat.access import may_mention_everyone
from actors.chat.log import message_seq, public_message_id
from actors.chat.mentions import find_mentions, may_mention
from actors.runtime.actor import Actor, ActorContext
from actors.runtime.errors import DeliveryError
from actors.runtime.ref import ActorRef
from actors.users.notification_feed import NOTIFICATION_FEED, Notify
from protocol.channels import ChannelKind, channel_name
from protocol.enums import NotificationKind
from services.errors import DomainError
from storage.errors import NotFound
from storage.protocols import Store
from storage.records import Message, Room

logger = logging.getLogger(__name__)

ROOM_NOTICES = "chat_notices"
"""The actor kind name; the actor id is the room id."""
HERE_LIMIT = 1000
"""Members ``@here`` reaches at most (in joining order)."""
SNIPPET = 200
RefFactory = Callable[[str, str], ActorRef]
"""``context.ref`` of an actor, or ``registry.ref``."""


class RoomMessagePosted(msgspec.Struct, frozen=True, kw_only=True):
    """A stored room message that may mention someone or reply to someone."""

    seq: int
    author_id: str
    text: str
    reply_to: str | None = None


async def notify_room_message(ref: RefFactory, room_id: str, message: Message) -> None:
    """Hand a stored room message to its room's notices actor when it may notify anyone.

    Never raises for delivery: the message is already stored and published, so a node
    shutting down only loses its notifications (logged).
    """
    if message.reply_to_id is None and not may_mention(message.body):
        return
    posted = RoomMessagePosted(
        seq=message.seq, author_id=message.author_id, text=message.body,
        reply_to=message.reply_to_id,
    )
    try:
        await ref(ROOM_NOTICES, room_id).tell(posted)
    except DeliveryError:
        logger.warning("notifications of a message in room %s were not delivered", room_id)


async def notify_room_invitation(
    ref: RefFactory, room: Room, user_id: str, invited_by: str
) -> None:
    """Tell ``user_id`` that ``invited_by`` invited them into ``room``."""
    await ref(NOTIFICATION_FEED, user_id).tell(
        Notify(
            kind=NotificationKind.INVITE,
            title=f"You are invited to {room.name}",
            actor_id=invited_by,
            subject=channel_name(ChannelKind.CHAT_ROOM, room.id),
            object_id=room.id,
            link=f"/rooms/{room.id}",
        )
    )


async def unmuted(store: Store, user_ids: Iterable[str], targets: Iterable[str]) -> list[str]:
    """The users among ``user_ids`` who muted none of ``targets``, in order."""
    users = list(dict.fromkeys(user_ids))
    if not users:
        return []
    muted = await store.follows.muting(users, [target for target in targets if target])
    return [user_id for user_id in users if user_id not in muted]


class RoomNoticesActor(Actor):
    """Works out and sends the notifications of one room's messages (module docstring)."""

    __slots__ = ("_store",)

    def __init__(self, context: ActorContext, store: Store) -> None:
        super().__init__(context)
        self._store = store

    async def on_receive(self, message: object) -> object:
        match message:
            case RoomMessagePosted():
                await self._posted(message)
                return None
            case _:
                self.unhandled(message)

    async def _posted(self, posted: RoomMessagePosted) -> None:
        room_id = self.address.id
        try:
            room = await self._store.rooms.get(room_id)
        except NotFound:
            return
        kinds: dict[str, NotificationKind] = {}
        replied = await self._replied_author(room_id, posted.reply_to)
        if replied is not None:
            kinds[replied] = NotificationKind.REPLY
        mentions = find_mentions(posted.text)
        for username in mentions.usernames:
            user = await self._store.users.find_by_username(username)
            if user is not None:
                kinds.setdefault(user.id, NotificationKind.MENTION)
        members: set[str] = set()
        if mentions.here and await self._may_mention_everyone(room_id, posted.author_id):
            listed = await self._store.rooms.members.list_members(room_id, limit=HERE_LIMIT)
            members = {member.user_id for member in listed}
            for user_id in members:
                kinds.setdefault(user_id, NotificationKind.MENTION)
        kinds.pop(posted.author_id, None)
        readers = [
            user_id for user_id in kinds
            if user_id in members or await self._is_member(room_id, user_id)
        ]
        recipients = await self._not_blocking(posted.author_id, readers)
        await self._store.read_positions.record_mentions(  # the unread mention counts
            channel_name(ChannelKind.CHAT_ROOM, room_id), posted.seq,
            [user_id for user_id in recipients if kinds[user_id] is NotificationKind.MENTION],
        )
        targets = (room.id, room.topic_id or "")
        author = await self._store.users.get(posted.author_id)
        for user_id in await unmuted(self._store, recipients, targets):
            kind = kinds[user_id]
            verb = "replied to you" if kind is NotificationKind.REPLY else "mentioned you"
            await self.context.ref(NOTIFICATION_FEED, user_id).tell(
                Notify(
                    kind=kind,
                    title=f"{author.username} {verb} in {room.name}",
                    body=posted.text[:SNIPPET],
                    actor_id=posted.author_id,
                    subject=channel_name(ChannelKind.CHAT_ROOM, room_id),
                    object_id=public_message_id(posted.seq),
                    link=f"/rooms/{room_id}",
                )
            )

    async def _replied_author(self, room_id: str, reply_to: str | None) -> str | None:
        if reply_to is None:
            return None
        try:
            replied = await self._store.messages.get(room_id, message_seq(reply_to))
        except (DomainError, NotFound):
            return None
        return replied.author_id

    async def _may_mention_everyone(self, room_id: str, user_id: str) -> bool:
        membership = await self._store.rooms.members.get(room_id, user_id)
        return may_mention_everyone(None if membership is None else membership.role)

    async def _is_member(self, room_id: str, user_id: str) -> bool:
        # A ban removes the membership, so members are exactly who may read the room.
        return await self._store.rooms.members.get(room_id, user_id) is not None

    async def _not_blocking(self, author_id: str, user_ids: list[str]) -> list[str]:
        if not user_ids:
            return []
        users = await self._store.users.get_many(user_ids)
        return [user.id for user in users if author_id not in user.blocked_user_ids]
