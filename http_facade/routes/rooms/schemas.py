"""Request and response bodies of ``/api/chat-rooms``."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from actors.chat.log import public_message_id
from http_facade.pagination import CursorText
from protocol import limits
from protocol.fields import milliseconds
from storage.records import Membership, Message, Room

RoomName = Annotated[str, Meta(min_length=1, max_length=100)]
Description = Annotated[str, Meta(max_length=1000)]
Identifier = Annotated[str, Meta(min_length=1, max_length=64, pattern="^[A-Za-z0-9_-]+$")]
Reason = Annotated[str, Meta(max_length=limits.MAX_REASON_LENGTH)]


class RoomCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A new room: a private group, or (with ``topic_id``) a room of a topic."""

    name: RoomName
    description: Description = ""
    topic_id: Identifier | None = None
    is_private: bool = True


class RoomUpdate(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Fields to change; absent ones stay."""

    name: RoomName | None = None
    description: Description | None = None
    slow_mode_seconds: Annotated[int, Meta(ge=0, le=3600)] | None = None


class RoomView(msgspec.Struct, frozen=True, kw_only=True):
    """A room as members see it."""

    id: str
    kind: str
    name: str
    description: str
    owner_id: str
    topic_id: str | None
    is_private: bool
    slow_mode_seconds: int
    member_count: int
    created_at: int
    picture_url: str | None = None
    """The room's picture (``GET /api/chat-rooms/<id>/picture``, versioned), or null."""

    @classmethod
    def of(cls, room: Room) -> RoomView:
        return cls(
            id=room.id, kind=room.kind, name=room.name, description=room.description,
            owner_id=room.owner_id, topic_id=room.topic_id, is_private=room.is_private,
            slow_mode_seconds=room.slow_mode_seconds, member_count=room.member_count,
            created_at=milliseconds(room.created_at),
        )


class RoomList(msgspec.Struct, frozen=True, kw_only=True):
    """Rooms, oldest membership first; ``next_cursor`` pages on (None on the last page)."""

    rooms: list[RoomView]
    next_cursor: str | None


class RoomListQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Paging of my rooms."""

    cursor: CursorText | None = None
    limit: Annotated[int, Meta(ge=1, le=200)] = 100


class RoomMemberView(msgspec.Struct, frozen=True, kw_only=True):
    """One member and their role."""

    user_id: str
    role: str
    joined_at: int

    @classmethod
    def of(cls, membership: Membership) -> RoomMemberView:
        return cls(
            user_id=membership.user_id, role=membership.role,
            joined_at=milliseconds(membership.joined_at),
        )


class RoomMemberList(msgspec.Struct, frozen=True, kw_only=True):
    """A page of members in joining order; ``next_cursor`` pages on (None on the last page)."""

    members: list[RoomMemberView]
    next_cursor: str | None


class RoomMemberQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Paging of the member list."""

    cursor: CursorText | None = None
    limit: Annotated[int, Meta(ge=1, le=200)] = 50


class Invitation(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Whom to invite."""

    user_id: Identifier


class Kick(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Whom to remove; with ``ban``, for ``ban_seconds`` (for good when absent)."""

    user_id: Identifier
    reason: Reason = ""
    ban: bool = False
    ban_seconds: Annotated[int, Meta(ge=60, le=10 * 365 * 86400)] | None = None


class ReactionView(msgspec.Struct, frozen=True, kw_only=True):
    """One emoji on a message and how many put it there."""

    emoji: str
    count: int
    user_ids: list[str]


class MessageView(msgspec.Struct, frozen=True, kw_only=True):
    """A message of the room's history (``text`` is empty once deleted)."""

    id: str
    seq: int
    author_id: str
    text: str
    reply_to: str | None
    attachment_ids: list[str]
    reactions: list[ReactionView]
    created_at: int
    edited_at: int | None
    deleted: bool
    gif_url: str | None = None

    @classmethod
    def of(cls, message: Message) -> MessageView:
        return cls(
            id=public_message_id(message.seq), seq=message.seq,
            author_id=message.author_id, text=message.body, reply_to=message.reply_to_id,
            attachment_ids=list(message.attachment_ids),
            reactions=[
                ReactionView(emoji=reaction.emoji, count=reaction.count,
                             user_ids=list(reaction.user_ids))
                for reaction in message.reactions
            ],
            created_at=milliseconds(message.created_at),
            edited_at=milliseconds(message.edited_at),
            deleted=message.deleted_at is not None,
            gif_url=message.gif_url,
        )


class RoomHistoryQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A page of history: the newest messages, or with ``cursor`` the ones before it."""

    cursor: CursorText | None = None
    limit: Annotated[int, Meta(ge=1, le=100)] = 50


class RoomHistoryPage(msgspec.Struct, frozen=True, kw_only=True):
    """Messages oldest first; ``next_cursor`` pages further back (None at the start)."""

    messages: list[MessageView]
    next_cursor: str | None
