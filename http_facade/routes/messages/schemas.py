"""Request and response bodies of ``/api/messages`` and ``/api/notifications``.

Times are the protocol's integer milliseconds since the epoch; ids are opaque strings.
Query strings and bodies refuse unknown fields.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from http_facade.pagination import CursorText
from protocol.fields import Identifier, milliseconds
from storage.records import Conversation, DataValue, DirectMessage, Notification

PageSize = Annotated[int, Meta(ge=1, le=100)]
MAX_IDS = 100


class ConversationQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """How many of the most recently active conversations to list, and from where."""

    cursor: CursorText | None = None
    limit: PageSize = 50


class ConversationView(msgspec.Struct, frozen=True, kw_only=True):
    """One of my conversations: who with, its channel, last activity, my unread count."""

    id: str
    channel: str
    other_user_id: str
    last_message_id: str
    last_message_at: int
    unread_count: int

    @classmethod
    def of(cls, conversation: Conversation) -> ConversationView:
        return cls(
            id=conversation.id,
            channel=f"dm:{conversation.id}",
            other_user_id=conversation.user_ids[1],
            last_message_id=conversation.last_message_id,
            last_message_at=milliseconds(conversation.last_message_at),
            unread_count=conversation.unread_count,
        )


class ConversationList(msgspec.Struct, frozen=True, kw_only=True):
    """My conversations, most recently active first, and my unread messages in all;
    ``next_cursor`` pages on (None on the last page)."""

    conversations: list[ConversationView]
    unread_total: int
    next_cursor: str | None


class DirectHistoryQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """One page of history: the newest messages, or with ``cursor`` the ones before it."""

    cursor: CursorText | None = None
    limit: PageSize = 50


class DirectMessageView(msgspec.Struct, frozen=True, kw_only=True):
    """A message as its participants see it; an unsent one has ``deleted`` and no text."""

    id: str
    author_id: str
    recipient_id: str
    text: str
    created_at: int
    edited_at: int | None = None
    read_at: int | None = None
    deleted: bool = False
    gif_url: str | None = None
    attachment_ids: list[str] = msgspec.field(default_factory=list)

    @classmethod
    def of(cls, message: DirectMessage) -> DirectMessageView:
        return cls(
            id=message.id,
            author_id=message.sender_id,
            recipient_id=message.recipient_id,
            text=message.body,
            created_at=milliseconds(message.created_at),
            edited_at=milliseconds(message.edited_at),
            read_at=milliseconds(message.read_at),
            deleted=message.deleted_at is not None,
            gif_url=message.gif_url,
            attachment_ids=list(message.attachment_ids),
        )


class DirectHistoryPage(msgspec.Struct, frozen=True, kw_only=True):
    """Messages oldest first; ``next_cursor`` asks for the page before, when any.

    ``last_seq`` is the channel's seq when the page was read: subscribe with it to get
    every later change live.
    """

    conversation_id: str
    channel: str
    last_seq: int
    messages: list[DirectMessageView]
    next_cursor: str | None


class DeleteScope(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """``me``: hide the message from my history only; ``everyone``: unsend my own message."""

    scope: Literal["me", "everyone"] = "me"


class NotificationQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """One page of my notifications, newest first; ``unread`` keeps the unread only."""

    cursor: CursorText | None = None
    limit: PageSize = 20
    unread: bool = False


class NotificationView(msgspec.Struct, frozen=True, kw_only=True):
    """A notification: its kind (open vocabulary), text, what it is about, read state."""

    id: str
    kind: str
    title: str
    body: str = ""
    actor_id: str | None = None
    subject: str | None = None
    object_id: str | None = None
    link: str | None = None
    created_at: int
    read_at: int | None = None

    @classmethod
    def of(cls, notification: Notification) -> NotificationView:
        data = notification.data
        return cls(
            id=notification.id,
            kind=notification.kind,
            title=_text(data.get("title")),
            body=_text(data.get("body")),
            actor_id=_optional(data.get("actor_id")),
            subject=_optional(data.get("subject")),
            object_id=_optional(data.get("object_id")),
            link=_optional(data.get("link")),
            created_at=milliseconds(notification.created_at),
            read_at=milliseconds(notification.read_at),
        )


def _text(value: DataValue) -> str:
    return value if isinstance(value, str) else ""


def _optional(value: DataValue) -> str | None:
    return value if isinstance(value, str) else None


class NotificationPage(msgspec.Struct, frozen=True, kw_only=True):
    """Notifications newest first; ``next_cursor`` asks for older ones, when any."""

    notifications: list[NotificationView]
    next_cursor: str | None


class UnreadCount(msgspec.Struct, frozen=True, kw_only=True):
    """How many of my notifications are unread."""

    unread: int


class MarkNotificationsRead(
    msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True
):
    """Which to mark read: the listed ``ids`` (up to 100), or ``all``."""

    ids: Annotated[list[Identifier], Meta(max_length=MAX_IDS)] = msgspec.field(
        default_factory=list
    )
    all: bool = False


class MarkedRead(msgspec.Struct, frozen=True, kw_only=True):
    """How many notifications changed from unread to read."""

    marked: int
