"""Request and response bodies of the message writes of ``/api/chat-rooms`` (and the
``Idempotency-Key`` header that the direct-message writes share)."""

from __future__ import annotations

import msgspec

from http_facade.errors import ApiError
from http_facade.routes.rooms.schemas import MessageView
from protocol.enums import ReactionAction
from protocol.errors import ErrorCode
from protocol.fields import AttachmentIds, Emoji, HttpsUrl, Identifier, MessageText


class IdempotencyHeaders(msgspec.Struct, frozen=True, kw_only=True):
    """``Idempotency-Key``: the WebSocket ``nonce`` of a send.  A retried request with the
    same key (1-64 characters of ``[A-Za-z0-9_-]``) gets the message stored the first
    time, not a second copy."""

    idempotency_key: Identifier | None = None


class _CheckedKey(msgspec.Struct, frozen=True, kw_only=True):
    key: Identifier | None


def nonce_of(headers: IdempotencyHeaders) -> str | None:
    """The validated ``Idempotency-Key`` (quart-schema builds header models without
    checking their constraints); 400 ``invalid`` when it cannot be a nonce."""
    try:
        return msgspec.convert({"key": headers.idempotency_key}, _CheckedKey, strict=True).key
    except msgspec.ValidationError:
        raise ApiError(
            ErrorCode.INVALID, "Idempotency-Key: 1-64 characters of [A-Za-z0-9_-]"
        ) from None


def require_content(
    text: str, attachment_ids: tuple[str, ...] = (), gif_url: str | None = None
) -> None:
    """The WebSocket rule for a new message: non-blank text, a GIF or attachments (400)."""
    if not text.strip() and not attachment_ids and gif_url is None:
        raise ApiError(ErrorCode.INVALID, "a message needs text, a gif_url or attachment_ids")


class RoomMessageCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A new room message: as the ``send_message`` frame (non-blank text, a GIF or
    attachments)."""

    text: MessageText = ""
    attachment_ids: AttachmentIds = ()
    reply_to: Identifier | None = None
    gif_url: HttpsUrl | None = None


class MessageEdit(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The new text of one's own message."""

    text: MessageText


class ReactionChange(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Add or remove one's ``emoji`` on a message (as the ``react`` frame)."""

    emoji: Emoji
    action: ReactionAction = ReactionAction.ADD


class RoomMessageWritten(msgspec.Struct, frozen=True, kw_only=True):
    """What a write did: the event's ``seq`` on ``channel`` (the ``ack`` of the WebSocket
    path; for a send, the message's own ``seq``) and the message as now stored."""

    channel: str
    seq: int
    message: MessageView
