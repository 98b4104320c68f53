"""The events webhooks deliver, and the body of a delivery.

Contract:

* An event kind is the ``type`` of the WebSocket event it stands for.  Room webhooks may
  subscribe to :data:`ROOM_EVENTS`, topic webhooks to :data:`TOPIC_EVENTS`
  (``comment_created`` comes from the ``post:<id>`` channels of the topic's posts);
  ``ping`` is sent on request to every webhook.
* The body is JSON ``{"id", "event", "occurred_at", "data"}``: ``id`` the delivery id,
  ``occurred_at`` integer milliseconds, ``data`` the event's WebSocket frame without its
  ``type`` (so ``channel``, ``seq`` and the event's own fields).
* The delivery id of an event is derived from the webhook, the channel, the ``seq`` and
  the kind (:func:`delivery_id`): the same event always gets the same id, which is what a
  receiver de-duplicates on.
"""

from __future__ import annotations

import hashlib
from typing import Any, Final

import msgspec

from protocol.chat_events import (
    MemberJoined,
    MemberLeft,
    MessageCreated,
    MessageDeleted,
    MessageEdited,
)
from protocol.feed_events import CommentCreated, PostCreated
from storage.records.webhooks import WebhookScope

PING: Final = "ping"
ROOM_EVENTS: Final = frozenset(
    {"message_created", "message_edited", "message_deleted", "member_joined", "member_left"}
)
TOPIC_EVENTS: Final = frozenset(
    {"post_created", "comment_created", "member_joined", "member_left"}
)
EVENTS_BY_SCOPE: Final[dict[WebhookScope, frozenset[str]]] = {
    "chat_room": ROOM_EVENTS,
    "topic": TOPIC_EVENTS,
}
FRAME_EVENTS: Final[dict[type, str]] = {
    MessageCreated: "message_created",
    MessageEdited: "message_edited",
    MessageDeleted: "message_deleted",
    MemberJoined: "member_joined",
    MemberLeft: "member_left",
    PostCreated: "post_created",
    CommentCreated: "comment_created",
}
"""Frame types tapped, by event kind."""
MAX_BODY_BYTES: Final = 256 * 1024
"""A larger body is not queued (dropped and counted)."""

_ENCODER = msgspec.json.Encoder()


def event_data(frame: object) -> tuple[str, dict[str, Any]] | None:
    """The event kind and ``data`` of a tapped frame; None for frames not delivered."""
    event = FRAME_EVENTS.get(type(frame))
    if event is None:
        return None
    data = msgspec.to_builtins(frame)
    assert isinstance(data, dict)
    data.pop("type", None)
    return event, data


def delivery_id(webhook_id: str, channel: str, seq: int, event: str) -> str:
    """The stable id of ``event`` number ``seq`` of ``channel`` delivered to a webhook."""
    digest = hashlib.sha256(f"{webhook_id}\n{channel}\n{seq}\n{event}".encode()).hexdigest()
    return "d_" + digest[:32]


def delivery_body(delivery: str, event: str, occurred_at_ms: int, data: object) -> str:
    """The JSON body of a delivery."""
    document = {"id": delivery, "event": event, "occurred_at": occurred_at_ms, "data": data}
    return _ENCODER.encode(document).decode()
