"""Direct messages as the gateway sees them: who may subscribe, what they missed, frames.

:class:`DirectChannels` is the :class:`~actors.realtime.ports.ChannelAccess` of ``dm:<id>``:
only the two participants may subscribe (decided from the conversation id, no actor
turn), and a replay rebuilds the events for the subscriber (:mod:`actors.direct.log`).
:class:`DirectFrames` carries ``send_direct_message`` and the message frames of ``dm:``
channels (send, edit, delete = unsend, typing, mark read) to the conversation actor.
Direct messages carry text, a GIF URL and attachments (the conversation actor checks
that the sender owns them); replies are ``unsupported``, as are reactions.
"""

from __future__ import annotations

from collections.abc import Callable

from actors.direct.access import partner_in
from actors.direct.commands import (
    DIRECT_CONVERSATION,
    EditDirect,
    MarkDirectRead,
    SendDirect,
    SetDirectTyping,
    UnsendDirect,
)
from actors.direct.log import DirectHistory
from actors.realtime.ports import Replay
from actors.runtime.ref import ActorRef
from protocol.channels import parse_channel
from protocol.client_frames import (
    ClientFrame,
    DeleteMessage,
    EditMessage,
    MarkRead,
    SendDirectMessage,
    SendMessage,
    Typing,
)
from protocol.control_frames import AnyAckResult
from protocol.errors import ErrorCode
from protocol.limits import MAX_ID_LENGTH
from services.errors import DomainError
from services.principal import Principal
from storage.keys import conversation_id
from storage.protocols import Store

RefFactory = Callable[[str, str], ActorRef]


class DirectChannels:
    """Subscriptions to ``dm:<conversation id>``: the two participants, with replay."""

    def __init__(self, store: Store) -> None:
        self._history = DirectHistory(store)

    async def check_subscribe(self, principal: Principal, channel_id: str) -> None:
        partner_in(channel_id, principal.user_id)

    async def replay(
        self, principal: Principal, channel_id: str, since_seq: int | None, limit: int
    ) -> Replay:
        return await self._history.replay(principal.user_id, channel_id, since_seq, limit)


def _send(user_id: str, frame: SendMessage | SendDirectMessage) -> SendDirect:
    if frame.reply_to is not None:
        raise DomainError(ErrorCode.UNSUPPORTED, "direct messages have no replies")
    return SendDirect(
        user_id=user_id, text=frame.text, nonce=frame.nonce, gif_url=frame.gif_url,
        attachment_ids=tuple(frame.attachment_ids),
    )


class DirectFrames:
    """Carries direct-message frames to conversation actors for the connection's user."""

    def __init__(self, ref: RefFactory) -> None:
        self._ref = ref

    async def handle(self, principal: Principal, frame: ClientFrame) -> AnyAckResult | None:
        user_id = principal.user_id
        if isinstance(frame, SendDirectMessage):
            if frame.recipient_id == user_id:
                raise DomainError(ErrorCode.INVALID, "you cannot message yourself")
            conversation = conversation_id(user_id, frame.recipient_id)
            if len(conversation) > MAX_ID_LENGTH:
                raise DomainError(ErrorCode.NOT_FOUND, "no such user")
            command: object = _send(user_id, frame)
            return await self._ask(conversation, command)
        conversation = parse_channel(getattr(frame, "channel", "")).id
        match frame:
            case SendMessage():
                command = _send(user_id, frame)
            case EditMessage(message_id=message_id, text=text):
                command = EditDirect(user_id=user_id, message_id=message_id, text=text)
            case DeleteMessage(message_id=message_id):
                command = UnsendDirect(user_id=user_id, message_id=message_id)
            case Typing(state=state):
                command = SetDirectTyping(user_id=user_id, state=state)
            case MarkRead(up_to_seq=up_to_seq):
                command = MarkDirectRead(user_id=user_id, up_to_seq=up_to_seq)
            case _:
                raise DomainError(
                    ErrorCode.UNSUPPORTED, f"{type(frame).__name__} is not served on dm channels"
                )
        return await self._ask(conversation, command)

    async def _ask(self, conversation: str, command: object) -> AnyAckResult | None:
        result: AnyAckResult | None = await self._ref(DIRECT_CONVERSATION, conversation).ask(
            command
        )
        return result
