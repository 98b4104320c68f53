"""Chat rooms as the gateway sees them: who may subscribe, what they missed, and sends.

:class:`ChatRoomChannels` is the :class:`~actors.realtime.ports.ChannelAccess` of
``chat_room`` channels: the membership check (the room's rule,
:func:`actors.chat.access.member_refusal`) and the replay read storage directly
(membership changes are durable before the room actor acknowledges them, so reads need
no turn of the actor).  :class:`ChatFrames` carries
the chat frames of ``chat_room`` channels (send, edit, delete, react, typing, mark read)
to the room actor.
"""

from __future__ import annotations

from collections.abc import Callable

from actors.chat.access import member_refusal
from actors.chat.commands import (
    DeleteRoomMessage,
    EditRoomMessage,
    MarkRoomRead,
    PostMessage,
    ReactToMessage,
    SetTyping,
)
from actors.chat.log import stored_event
from actors.chat.room import CHAT_ROOM
from actors.realtime.ports import Replay
from actors.runtime.ref import ActorRef
from protocol.channels import ChannelKind, channel_name, parse_channel
from protocol.client_frames import (
    ClientFrame,
    DeleteMessage,
    EditMessage,
    MarkRead,
    React,
    SendMessage,
    Typing,
)
from protocol.control_frames import AnyAckResult
from protocol.errors import ErrorCode
from services.errors import DomainError
from services.principal import Principal
from storage.errors import NotFound
from storage.protocols import Store

RefFactory = Callable[[str, str], ActorRef]


class ChatRoomChannels:
    """Subscriptions to ``chat_room:<id>``: members only, with replay from the log."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def check_subscribe(self, principal: Principal, channel_id: str) -> None:
        # Read straight from storage: membership changes are durable before the room actor
        # acknowledges them, and a storm of subscribes must not queue behind the room's
        # sends (the realtime bench saw asks time out that way).
        try:
            room = await self._store.rooms.get(channel_id)
        except NotFound:
            room = None
        if room is None or room.deleted_at is not None:
            raise DomainError(ErrorCode.NOT_FOUND, "no such chat room")
        members = self._store.rooms.members
        is_member = await members.get(channel_id, principal.user_id) is not None
        banned = is_member and await members.get_ban(channel_id, principal.user_id) is not None
        refusal = member_refusal(is_member=is_member, banned=banned)  # as the room actor's
        if refusal is not None:
            raise DomainError(ErrorCode.FORBIDDEN, refusal)

    async def replay(
        self, principal: Principal, channel_id: str, since_seq: int | None, limit: int
    ) -> Replay:
        last_seq = await self._store.messages.last_seq(channel_id)
        if since_seq is None or since_seq == last_seq:
            return Replay(last_seq=last_seq)
        if since_seq > last_seq or last_seq - since_seq > limit:
            return Replay(last_seq=last_seq, complete=False)
        rows = await self._store.messages.since(channel_id, after_seq=since_seq, limit=limit)
        channel = channel_name(ChannelKind.CHAT_ROOM, channel_id)
        events = [stored_event(channel, row) for row in rows if row.seq <= last_seq]
        return Replay(last_seq=last_seq, events=events)


class ChatFrames:
    """Carries chat frames to room actors on behalf of the connection's user."""

    def __init__(self, ref: RefFactory) -> None:
        self._ref = ref

    async def handle(self, principal: Principal, frame: ClientFrame) -> AnyAckResult | None:
        channel = getattr(frame, "channel", "")
        if not channel.startswith("chat_room:"):
            raise DomainError(ErrorCode.UNSUPPORTED, f"{type(frame).__name__} is not served yet")
        room = self._ref(CHAT_ROOM, parse_channel(channel).id)
        user_id = principal.user_id
        command: object
        match frame:
            case SendMessage():
                command = PostMessage(
                    user_id=user_id,
                    text=frame.text,
                    attachment_ids=tuple(frame.attachment_ids),
                    reply_to=frame.reply_to,
                    nonce=frame.nonce,
                    gif_url=frame.gif_url,
                )
            case EditMessage(message_id=message_id, text=text):
                command = EditRoomMessage(user_id=user_id, message_id=message_id, text=text)
            case DeleteMessage(message_id=message_id):
                command = DeleteRoomMessage(user_id=user_id, message_id=message_id)
            case React(message_id=message_id, emoji=emoji, action=action):
                command = ReactToMessage(
                    user_id=user_id, message_id=message_id, emoji=emoji, action=action
                )
            case Typing(state=state):
                command = SetTyping(user_id=user_id, state=state)
            case MarkRead(up_to_seq=up_to_seq):
                command = MarkRoomRead(user_id=user_id, up_to_seq=up_to_seq)
            case _:
                raise DomainError(ErrorCode.UNSUPPORTED, f"{type(frame).__name__} is not served")
        result: AnyAckResult | None = await room.ask(command)
        return result
