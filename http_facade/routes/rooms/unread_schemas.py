"""Bodies of the unread, read-position, presence and directory routes (issue 23)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from http_facade.pagination import CursorText, Position
from http_facade.routes.rooms.schemas import RoomView
from protocol import limits
from protocol.channels import Channel
from protocol.fields import Identifier


class AfterIdPosition(Position, frozen=True, kw_only=True, tag="a"):
    """The next page holds the items with an id above ``a`` (id-ordered lists)."""

    a: Identifier


class Unread(msgspec.Struct, frozen=True, kw_only=True):
    """Where I am in a room: ``last_read_seq`` (0: never read), the messages above it not
    mine (``unread_count``) and those of them that mention me (``mention_count``), each
    at most 1000."""

    unread_count: int
    mention_count: int
    last_read_seq: int


class RoomWithUnread(RoomView, frozen=True, kw_only=True):
    """A room of mine with my unread and mention counts."""

    unread_count: int
    mention_count: int
    last_read_seq: int


class MyRoomList(msgspec.Struct, frozen=True, kw_only=True):
    """My rooms, oldest membership first; ``next_cursor`` pages on (None on the last page)."""

    rooms: list[RoomWithUnread]
    next_cursor: str | None


class ChannelUnread(msgspec.Struct, frozen=True, kw_only=True):
    """One of my channels: ``chat_room:<id>``, ``dm:<id>`` or ``topic:<id>``."""

    channel: str
    kind: str
    id: str
    unread_count: int
    mention_count: int
    last_read_seq: int


class UnreadSummary(msgspec.Struct, frozen=True, kw_only=True):
    """My channels with something unread (or, with ``all=true``, every one), and the
    totals over all of them; ``next_cursor`` pages on."""

    channels: list[ChannelUnread]
    total_unread: int
    total_mentions: int
    next_cursor: str | None


class UnreadQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Paging of my channels; ``all``: list the channels with nothing unread too."""

    cursor: CursorText | None = None
    limit: Annotated[int, Meta(ge=1, le=200)] = 200
    all: bool = False


class ReadMark(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Mark ``channel`` read up to ``up_to_seq`` (positions never move back)."""

    channel: Channel
    up_to_seq: Annotated[int, Meta(ge=1, le=limits.MAX_SAFE_INTEGER)]


class ReadPositionView(msgspec.Struct, frozen=True, kw_only=True):
    """My read position in ``channel`` after the mark."""

    channel: str
    last_read_seq: int


class MemberPresence(msgspec.Struct, frozen=True, kw_only=True):
    """A member's presence: ``online``, ``away`` or ``offline``."""

    user_id: str
    status: str


class PresencePage(msgspec.Struct, frozen=True, kw_only=True):
    """The presence of a page of members, in joining order."""

    members: list[MemberPresence]
    next_cursor: str | None


class PresenceQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Paging of the members."""

    cursor: CursorText | None = None
    limit: Annotated[int, Meta(ge=1, le=100)] = 50


class DirectoryQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Search public rooms by name (a plain substring, case-insensitive)."""

    q: Annotated[str, Meta(max_length=100)] = ""
    cursor: CursorText | None = None
    limit: Annotated[int, Meta(ge=1, le=100)] = 50


class RoomPage(msgspec.Struct, frozen=True, kw_only=True):
    """Rooms; ``next_cursor`` pages on (None on the last page)."""

    rooms: list[RoomView]
    next_cursor: str | None
