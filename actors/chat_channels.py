"""Chat rooms as the gateway sees them: who may subscribe, what they missed, and sends.

:class:`ChatRoomChannels` is the :class:`~actors.realtime.ChannelAccess` of
``chat_room`` channels: the room actor decides membership, and the replay reads the
room's log from storage (reads need no turn of the actor).  :class:`ChatFrames` carries
``send_message`` frames to the room actor.
"""

from __future__ import annotations

from collections.abc import Callable

from actors.chat_room import CHAT_ROOM, CheckMember, PostMessage, stored_event
from actors.realtime import Principal, Replay
from actors.ref import ActorRef
from protocol.channels import ChannelKind, channel_name, parse_channel
from protocol.client_frames import ClientFrame, SendMessage
from protocol.control_frames import AnyAckResult
from protocol.errors import ErrorCode
from services.errors import DomainError
from storage.protocols import Store

RefFactory = Callable[[str, str], ActorRef]


class ChatRoomChannels:
    """Subscriptions to ``chat_room:<id>``: members only, with replay from the log."""

    def __init__(self, ref: RefFactory, store: Store) -> None:
        self._ref = ref
        self._store = store

    async def check_subscribe(self, principal: Principal, channel_id: str) -> None:
        await self._ref(CHAT_ROOM, channel_id).ask(CheckMember(user_id=principal.user_id))

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
        match frame:
            case SendMessage(channel=channel) if channel.startswith("chat_room:"):
                room = self._ref(CHAT_ROOM, parse_channel(channel).id)
                accepted: AnyAckResult = await room.ask(
                    PostMessage(
                        user_id=principal.user_id,
                        text=frame.text,
                        attachment_ids=tuple(frame.attachment_ids),
                        reply_to=frame.reply_to,
                        nonce=frame.nonce,
                    )
                )
                return accepted
            case _:
                raise DomainError(
                    ErrorCode.UNSUPPORTED, f"{type(frame).__name__} is not served yet"
                )
