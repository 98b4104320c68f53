"""Request and response bodies of ``/api/webhooks``: times in integer milliseconds, each
object's own id as ``id``, lists paged with an opaque ``cursor`` / ``next_cursor``."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from http_facade.pagination import CursorText, Position
from protocol.fields import Identifier, TimestampMs
from services.webhook_targets import MAX_URL_LENGTH
from storage.records.webhooks import DeliveryAttempt, Webhook

EventKind = Literal[
    "message_created",
    "message_edited",
    "message_deleted",
    "member_joined",
    "member_left",
    "post_created",
    "comment_created",
]
ChannelText = Annotated[
    str,
    Meta(
        min_length=3,
        max_length=80,
        pattern=r"^(chat_room|topic):[A-Za-z0-9_-]{1,64}$",
        description="`chat_room:<room id>` or `topic:<topic id>`: whose events.",
    ),
]
UrlText = Annotated[
    str,
    Meta(
        min_length=8,
        max_length=MAX_URL_LENGTH,
        description="An http(s) URL on a public host (no loopback or private addresses).",
    ),
]
Events = Annotated[list[EventKind], Meta(min_length=1, max_length=7)]
PageSize = Annotated[int, Meta(ge=1, le=100)]


class WebhookCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A new webhook on a room or topic I own, and the event kinds it receives (room:
    message_created/edited/deleted, member_joined/left; topic: post_created,
    comment_created, member_joined/left)."""

    channel: ChannelText
    url: UrlText
    events: Events


class WebhookUpdate(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """What to change (absent: keep).  ``active: true`` re-enables, like ``/enable``."""

    url: UrlText | None = None
    events: Events | None = None
    active: bool | None = None


class WebhookView(msgspec.Struct, frozen=True, kw_only=True):
    """A webhook, without its secret.  ``queued``: deliveries waiting; ``dropped``: events
    not queued because the queue was full; ``disabled_reason`` says why it is inactive."""

    id: str
    channel: str
    url: str
    events: list[str]
    active: bool
    disabled_reason: str
    consecutive_failures: int
    queued: int
    dropped: int
    created_at: TimestampMs
    updated_at: TimestampMs

    @classmethod
    def of(cls, hook: Webhook, queued: int) -> WebhookView:
        return cls(
            id=hook.id, channel=hook.channel, url=hook.url, events=list(hook.events),
            active=hook.active, disabled_reason=hook.disabled_reason,
            consecutive_failures=hook.consecutive_failures, queued=queued,
            dropped=hook.dropped, created_at=int(hook.created_at * 1000),
            updated_at=int(hook.updated_at * 1000),
        )


class WebhookCreated(msgspec.Struct, frozen=True, kw_only=True):
    """The new webhook and its signing ``secret`` — shown this once, never again."""

    webhook: WebhookView
    secret: str


class PageQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A page: the ``next_cursor`` of the previous one, and how many items."""

    cursor: CursorText | None = None
    limit: PageSize = 50


class WebhookPage(msgspec.Struct, frozen=True, kw_only=True):
    """My webhooks, oldest first; ``next_cursor`` pages on (null on the last page)."""

    items: list[WebhookView]
    next_cursor: str | None = None


class DeliveryView(msgspec.Struct, frozen=True, kw_only=True):
    """One attempt of the delivery log: ``delivery_id`` is the id the receiver saw,
    ``response_excerpt`` at most 256 characters of its answer."""

    id: str
    delivery_id: str
    event: str
    attempt: int
    outcome: Literal["delivered", "failed", "refused"]
    status_code: int | None
    latency_ms: int
    error: str
    response_excerpt: str
    at: TimestampMs

    @classmethod
    def of(cls, entry: DeliveryAttempt) -> DeliveryView:
        return cls(
            id=entry.id, delivery_id=entry.delivery_id, event=entry.event,
            attempt=entry.attempt, outcome=entry.outcome, status_code=entry.status_code,
            latency_ms=entry.latency_ms, error=entry.error,
            response_excerpt=entry.response_excerpt, at=int(entry.at * 1000),
        )


class DeliveryPage(msgspec.Struct, frozen=True, kw_only=True):
    """The delivery log, newest attempt first; ``next_cursor`` pages on."""

    items: list[DeliveryView]
    next_cursor: str | None = None


class PingQueued(msgspec.Struct, frozen=True, kw_only=True):
    """The ``ping`` delivery queued (it shows in the log once attempted)."""

    delivery_id: str


class WebhookDeleted(msgspec.Struct, frozen=True, kw_only=True):
    """The webhook, its queue and its log are gone."""

    id: str
    deleted: bool = True


class AfterIdPosition(Position, frozen=True, kw_only=True, tag="wa"):
    """The next page holds the webhooks with ids after ``a`` (oldest first)."""

    a: Identifier


class BeforeAttemptPosition(Position, frozen=True, kw_only=True, tag="wb"):
    """The next page holds the log entries before ``b`` (newest first)."""

    b: Identifier
