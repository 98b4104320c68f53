"""The chat-room actor: one per room, the single writer of its messages and members.

Contract:

* The room's message table is its event log: every sequenced event of channel
  ``chat_room:<id>`` is a row with the room's next gap-free ``seq``.  A message is
  appended (durably) **before** its ``message_created`` event is published to the hub,
  and the sender's ``ack`` carries the same ``seq`` — acknowledged means stored.
* Membership changes are rows of the log too (``kind`` ``member_joined`` /
  ``member_left``); message history over REST shows only ``kind="text"`` rows.
* A send carrying a ``nonce`` already seen from the same user among the room's last
  :data:`RECENT_NONCES` sends is answered with the original ``message_accepted`` and not
  stored again (retries after a reconnect).
* Membership is checked on every command.  The actor caches who is a member; the cache
  stays exact because joins and leaves go through this actor too.
* A refusal (not a member, banned, unknown room) is a :class:`DomainError`; it never
  restarts the actor.  A crash restarts it from storage (``on_start``): the sequence comes
  from the store, so nothing acknowledged is lost and no seq is issued twice.
"""

from __future__ import annotations

import collections

import msgspec

from actors.actor import Actor, ActorContext
from actors.hub import Hub
from protocol.broadcast import BroadcastFrame
from protocol.channels import ChannelKind, channel_name
from protocol.chat_events import MemberJoined, MemberLeft, MessageCreated
from protocol.control_frames import MessageAccepted
from protocol.errors import ErrorCode
from protocol.payloads import ChatMessage
from services.errors import DomainError
from storage.errors import NotFound
from storage.protocols import Store
from storage.records import Message, MessageDraft, Room

CHAT_ROOM = "chat_room"
RECENT_NONCES = 1024


class PostMessage(msgspec.Struct, frozen=True, kw_only=True):
    """Append a message from ``user_id``; replies :class:`MessageAccepted`."""

    user_id: str
    text: str
    attachment_ids: tuple[str, ...] = ()
    reply_to: str | None = None
    nonce: str | None = None


class CheckMember(msgspec.Struct, frozen=True, kw_only=True):
    """Return None when ``user_id`` may read the room; refuse otherwise."""

    user_id: str


class JoinRoom(msgspec.Struct, frozen=True, kw_only=True):
    """Add ``user_id`` (public rooms, or by invitation); replies True when newly joined."""

    user_id: str


class LeaveRoom(msgspec.Struct, frozen=True, kw_only=True):
    """Remove ``user_id``; replies True when they were a member."""

    user_id: str


def to_chat_message(message: Message, nonce: str | None = None) -> ChatMessage:
    """The wire shape of a stored room message."""
    return ChatMessage(
        message_id=message.id,
        author_id=message.author_id,
        text=message.body,
        attachment_ids=message.attachment_ids,
        reply_to=message.reply_to_id,
        nonce=nonce,
        created_at=int(message.created_at * 1000),
        edited_at=None if message.edited_at is None else int(message.edited_at * 1000),
    )


class ChatRoomActor(Actor):
    """See the module docstring."""

    __slots__ = ("_channel", "_hub", "_members", "_recent_sends", "_room", "_store")

    def __init__(self, context: ActorContext, store: Store, hub: Hub) -> None:
        super().__init__(context)
        self._store = store
        self._hub = hub
        self._room: Room | None = None
        self._members: dict[str, bool] = {}
        self._recent_sends: collections.OrderedDict[tuple[str, str], MessageAccepted] = (
            collections.OrderedDict()
        )
        self._channel = channel_name(ChannelKind.CHAT_ROOM, context.address.id)

    async def on_start(self) -> None:
        try:
            self._room = await self._store.rooms.get(self.address.id)
        except NotFound:
            self._room = None

    async def on_receive(self, message: object) -> object:
        match message:
            case PostMessage():
                return await self._post(message)
            case CheckMember(user_id=user_id):
                await self._require_member(user_id)
                return None
            case JoinRoom(user_id=user_id):
                return await self._join(user_id)
            case LeaveRoom(user_id=user_id):
                return await self._leave(user_id)
            case _:
                self.unhandled(message)

    def _require_room(self) -> Room:
        if self._room is None or self._room.deleted_at is not None:
            raise DomainError(ErrorCode.NOT_FOUND, "no such chat room")
        return self._room

    async def _is_member(self, user_id: str) -> bool:
        known = self._members.get(user_id)
        if known is None:
            known = await self._store.rooms.members.get(self.address.id, user_id) is not None
            self._members[user_id] = known
        return known

    async def _require_member(self, user_id: str) -> None:
        self._require_room()
        if not await self._is_member(user_id):
            raise DomainError(ErrorCode.FORBIDDEN, "you are not a member of this room")
        if await self._store.rooms.members.get_ban(self.address.id, user_id) is not None:
            raise DomainError(ErrorCode.FORBIDDEN, "you are banned from this room")

    async def _post(self, command: PostMessage) -> MessageAccepted:
        await self._require_member(command.user_id)
        if command.nonce is not None:
            earlier = self._recent_sends.get((command.user_id, command.nonce))
            if earlier is not None:
                return earlier
        stored = await self._store.messages.append(
            self.address.id,
            MessageDraft(
                author_id=command.user_id,
                body=command.text,
                reply_to_id=command.reply_to,
                attachment_ids=command.attachment_ids,
            ),
        )
        event = MessageCreated(
            channel=self._channel, seq=stored.seq, message=to_chat_message(stored, command.nonce)
        )
        self._hub.publish(self._channel, BroadcastFrame(event))
        accepted = MessageAccepted(channel=self._channel, seq=stored.seq, message_id=stored.id)
        if command.nonce is not None:
            self._recent_sends[(command.user_id, command.nonce)] = accepted
            if len(self._recent_sends) > RECENT_NONCES:
                self._recent_sends.popitem(last=False)
        return accepted

    async def _join(self, user_id: str) -> bool:
        room = self._require_room()
        if await self._store.rooms.members.get_ban(self.address.id, user_id) is not None:
            raise DomainError(ErrorCode.FORBIDDEN, "you are banned from this room")
        if room.is_private and not await self._is_member(user_id):
            invitations = await self._store.rooms.members.list_invitations(user_id)
            if not any(invitation.scope_id == room.id for invitation in invitations):
                raise DomainError(ErrorCode.FORBIDDEN, "this room needs an invitation")
        joined = await self._store.rooms.members.join(self.address.id, user_id)
        self._members[user_id] = True
        if joined:
            await self._announce("member_joined", user_id)
        return joined

    async def _leave(self, user_id: str) -> bool:
        self._require_room()
        left = await self._store.rooms.members.leave(self.address.id, user_id)
        self._members[user_id] = False
        if left:
            await self._announce("member_left", user_id)
        return left

    async def _announce(self, kind: str, user_id: str) -> None:
        """Store a membership change in the room's log, then publish it."""
        stored = await self._store.messages.append(
            self.address.id, MessageDraft(author_id=user_id, body="", kind=kind)
        )
        self._hub.publish(self._channel, BroadcastFrame(stored_event(self._channel, stored)))


def stored_event(channel: str, message: Message) -> MessageCreated | MemberJoined | MemberLeft:
    """The sequenced event a stored row of the room's log stands for (for replay)."""
    if message.kind == "member_joined":
        return MemberJoined(channel=channel, seq=message.seq, user_id=message.author_id)
    if message.kind == "member_left":
        return MemberLeft(channel=channel, seq=message.seq, user_id=message.author_id)
    return MessageCreated(channel=channel, seq=message.seq, message=to_chat_message(message))
