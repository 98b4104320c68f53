"""Request and response bodies of the admin content routes (a user's content, the trash).

One item shape serves both: what it is (``kind``, ``id``), where it lives (``where``:
the topic of a post, the post of a comment, the room of a room message, the
conversation of a direct message; ``topic_id`` when there is one), who wrote it and
when, whether and when it was deleted, and its text.  Direct messages are listed as
metadata only: their ``text`` is always null.
"""

from __future__ import annotations

import enum
from typing import Annotated

import msgspec
from msgspec import Meta

from http_facade.pagination import CursorText, Position, decode_cursor, encode_cursor
from http_facade.routes.reports.schemas import Identifier, PageSize
from protocol.fields import milliseconds
from storage.records import Comment, DirectMessage, Message, Post
from storage.trash import TrashCursor

ActionReason = Annotated[str, Meta(max_length=500)]


class ContentKind(enum.StrEnum):
    """Kinds of content a user writes."""

    POST = "post"
    COMMENT = "comment"
    ROOM_MESSAGE = "room_message"
    DIRECT_MESSAGE = "direct_message"


class PlaceKind(enum.StrEnum):
    """What holds an item."""

    TOPIC = "topic"
    POST = "post"
    ROOM = "room"
    CONVERSATION = "conversation"


class Place(msgspec.Struct, frozen=True, kw_only=True):
    """Where an item lives."""

    kind: PlaceKind
    id: str


class ContentItem(msgspec.Struct, frozen=True, kw_only=True):
    """One post, comment, room message or direct message, as admins review it."""

    kind: ContentKind
    id: str
    where: Place
    topic_id: str | None
    author_id: str | None
    created_at: int
    deleted_at: int | None
    purged: bool
    title: str | None = None
    text: str | None = None
    alias: str | None = None

    @classmethod
    def of_post(cls, post: Post) -> ContentItem:
        """A post, deleted or not (a purged one has no text left)."""
        return cls(
            kind=ContentKind.POST, id=post.id, where=Place(kind=PlaceKind.TOPIC, id=post.topic_id),
            topic_id=post.topic_id, author_id=post.author_id,
            created_at=milliseconds(post.created_at), deleted_at=milliseconds(post.deleted_at),
            purged=post.purged_at is not None, title=post.title, text=post.body, alias=post.alias,
        )

    @classmethod
    def of_comment(cls, comment: Comment, topic_id: str | None) -> ContentItem:
        """A comment; a deleted one shows the text and author kept aside for a restore."""
        kept = comment.removed
        deleted = comment.deleted_at is not None
        return cls(
            kind=ContentKind.COMMENT, id=comment.id,
            where=Place(kind=PlaceKind.POST, id=comment.post_id), topic_id=topic_id,
            author_id=kept.author_id if kept is not None else comment.author_id,
            created_at=milliseconds(comment.created_at),
            deleted_at=milliseconds(comment.deleted_at),
            purged=deleted and kept is None,
            text=kept.body if kept is not None else comment.body,
            alias=kept.alias if kept is not None else comment.alias,
        )

    @classmethod
    def of_room_message(cls, message: Message, topic_id: str | None) -> ContentItem:
        """A room message (a deleted one is erased at once)."""
        return cls(
            kind=ContentKind.ROOM_MESSAGE, id=message.id,
            where=Place(kind=PlaceKind.ROOM, id=message.room_id), topic_id=topic_id,
            author_id=message.author_id, created_at=milliseconds(message.created_at),
            deleted_at=milliseconds(message.deleted_at), purged=message.deleted_at is not None,
            text=message.body,
        )

    @classmethod
    def of_direct_message(cls, message: DirectMessage) -> ContentItem:
        """A direct message's metadata: never its text."""
        return cls(
            kind=ContentKind.DIRECT_MESSAGE, id=message.id,
            where=Place(kind=PlaceKind.CONVERSATION, id=message.conversation_id),
            topic_id=None, author_id=message.sender_id,
            created_at=milliseconds(message.created_at),
            deleted_at=milliseconds(message.deleted_at), purged=message.deleted_at is not None,
        )


class UserContentQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A page of a user's content, newest first: one ``kind`` or all."""

    kind: ContentKind | None = None
    cursor: CursorText | None = None
    limit: PageSize = 50


class UserContent(msgspec.Struct, frozen=True, kw_only=True):
    """A page of a user's content; ``next_cursor`` pages on (None on the last page)."""

    user_id: str
    items: list[ContentItem]
    next_cursor: str | None


class TrashQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A page of the trash, newest deletion first; ``cursor`` is a ``next_cursor``."""

    cursor: CursorText | None = None
    limit: PageSize = 50


class TrashPage(msgspec.Struct, frozen=True, kw_only=True):
    """Deleted, still restorable items; ``next_cursor`` pages on (None on the last page)."""

    items: list[ContentItem]
    next_cursor: str | None


class TrashAction(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Why an admin restores or purges an item (kept in the audit log)."""

    reason: ActionReason = ""


class TrashOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """The item after the restore or purge."""

    item: ContentItem
    effect: str


class DeletedPosition(Position, frozen=True, kw_only=True, tag="d"):
    """Where a page of the trash ends: the last item's deletion time (epoch seconds, as
    stored, so no precision is lost) and id."""

    at: Annotated[float, Meta(ge=0)]
    id: Identifier


def trash_cursor(deleted_at: float | None, item_id: str) -> str:
    """The ``next_cursor`` continuing after an item deleted at ``deleted_at``."""
    return encode_cursor(DeletedPosition(at=deleted_at or 0.0, id=item_id))


def parse_trash_cursor(text: str | None) -> TrashCursor | None:
    """The store's cursor of a ``next_cursor``; 400 ``invalid`` when it is not one."""
    position = decode_cursor(text, DeletedPosition)
    return None if position is None else (position.at, position.id)
