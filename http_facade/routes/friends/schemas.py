"""Request and response bodies of ``/api/friends``."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from http_facade.pagination import CursorText
from http_facade.routes.users.schemas import PublicProfile
from protocol.fields import Identifier, milliseconds
from storage.records import User
from storage.records.social import Friendship

Direction = Literal["incoming", "outgoing"]
PageSize = Annotated[int, Meta(ge=1, le=100)]


class FriendRequestCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Whom to ask."""

    user_id: Identifier


class FriendListQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A page of my friends: the previous page's ``next_cursor``, and how many."""

    cursor: CursorText | None = None
    limit: PageSize = 50


class FriendRequestQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A page of pending requests to me (``incoming``) or from me (``outgoing``)."""

    direction: Direction = "incoming"
    cursor: CursorText | None = None
    limit: PageSize = 50


class FriendView(msgspec.Struct, frozen=True, kw_only=True):
    """A friendship as one of its two users sees it: ``user`` is the other one."""

    id: str
    user: PublicProfile
    created_at: int
    """When the request was made."""
    accepted_at: int
    """Friends since."""

    @classmethod
    def of(cls, record: Friendship, other: User) -> FriendView:
        return cls(
            id=record.id,
            user=PublicProfile.of(other),
            created_at=milliseconds(record.created_at),
            accepted_at=milliseconds(record.accepted_at or record.created_at),
        )


class FriendRequestView(msgspec.Struct, frozen=True, kw_only=True):
    """A friend request as one of its two users sees it; ``state`` ``accepted`` when the
    two are friends (an accepted request, or two requests that met)."""

    id: str
    direction: Direction
    """``incoming``: ``user`` asked me; ``outgoing``: I asked ``user``."""
    user: PublicProfile
    state: Literal["pending", "accepted"]
    created_at: int
    accepted_at: int | None

    @classmethod
    def of(cls, record: Friendship, viewer_id: str, other: User) -> FriendRequestView:
        return cls(
            id=record.id,
            direction="outgoing" if record.requester_id == viewer_id else "incoming",
            user=PublicProfile.of(other),
            state=record.state,
            created_at=milliseconds(record.created_at),
            accepted_at=None if record.accepted_at is None else milliseconds(record.accepted_at),
        )


class FriendPage(msgspec.Struct, frozen=True, kw_only=True):
    """My friends, newest friendship first; ``next_cursor`` pages on (None at the end)."""

    friends: list[FriendView]
    next_cursor: str | None


class FriendRequestPage(msgspec.Struct, frozen=True, kw_only=True):
    """Pending requests, newest first; ``next_cursor`` pages on (None at the end)."""

    requests: list[FriendRequestView]
    next_cursor: str | None


class FriendSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Who may send me direct messages: everyone (``false``) or my friends only."""

    dms_from_friends_only: bool
