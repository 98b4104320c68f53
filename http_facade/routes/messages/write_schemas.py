"""Request and response bodies of the direct-message writes of ``/api/messages``."""

from __future__ import annotations

import msgspec

from http_facade.routes.messages.schemas import DirectMessageView
from protocol.fields import Identifier, MessageText


class DirectMessageCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A new direct message: non-blank text (direct messages carry text only)."""

    text: MessageText


class DirectSend(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A new direct message to ``recipient_id`` (the ``send_direct_message`` frame)."""

    recipient_id: Identifier
    text: MessageText


class DirectMessageWritten(msgspec.Struct, frozen=True, kw_only=True):
    """What a write did: the event's ``seq`` on ``channel`` (the WebSocket ``ack``'s) and
    the message as now stored."""

    channel: str
    seq: int
    message: DirectMessageView
