"""Request and response bodies of the direct-message writes of ``/api/messages``."""

from __future__ import annotations

import msgspec

from http_facade.routes.messages.schemas import DirectMessageView
from protocol.fields import AttachmentIds, HttpsUrl, Identifier, MessageText


class DirectMessageCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A new direct message: non-blank text, a GIF URL or attachments (files I uploaded),
    as the ``send_message`` frame."""

    text: MessageText = ""
    gif_url: HttpsUrl | None = None
    attachment_ids: AttachmentIds = ()


class DirectSend(DirectMessageCreate, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A new direct message to ``recipient_id`` (the ``send_direct_message`` frame)."""

    recipient_id: Identifier


class DirectMessageWritten(msgspec.Struct, frozen=True, kw_only=True):
    """What a write did: the event's ``seq`` on ``channel`` (the WebSocket ``ack``'s) and
    the message as now stored."""

    channel: str
    seq: int
    message: DirectMessageView
