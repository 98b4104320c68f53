"""Query strings and replies of ``/api/search``.

Times are integer milliseconds since the epoch (as the protocol's and the post and
direct-message views'); pagination is ``cursor`` in, ``next_cursor`` out (opaque).
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from http_facade.routes.users.schemas import PublicProfile
from protocol.fields import Identifier
from services.search.paging import MAX_CURSOR_LENGTH
from storage.search_text import MAX_QUERY_LENGTH

QueryText = Annotated[
    str,
    Meta(min_length=1, max_length=MAX_QUERY_LENGTH,
         description="Words to find (plain text: no operators or patterns). Each word "
                     "matches the start of a word; all must match."),
]
PageSize = Annotated[int, Meta(ge=1, le=50)]
CursorText = Annotated[str, Meta(min_length=1, max_length=MAX_CURSOR_LENGTH)]


class _Paged(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    q: QueryText
    limit: PageSize = 20
    cursor: CursorText | None = None


class MessageSearchQuery(_Paged, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Room messages of my rooms; ``room_id`` keeps one room (members only)."""

    room_id: Identifier | None = None


class DirectSearchQuery(_Paged, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Messages of my conversations; ``conversation_id`` keeps one (participants only)."""

    conversation_id: Identifier | None = None


class TopicContentQuery(_Paged, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Posts or comments of the topics I may read; ``topic_id`` keeps one topic."""

    topic_id: Identifier | None = None


class TopicSearchQuery(_Paged, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Topics I may see (public ones, and mine, and those I am invited to)."""


class UserSearch(_Paged, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Users by username: exact, prefix, or (3+ characters) substring."""


class Fragment(msgspec.Struct, frozen=True, kw_only=True):
    """A piece of a snippet; ``highlighted`` when it is a matched word.  Plain text."""

    text: str
    highlighted: bool


class SearchResult(msgspec.Struct, frozen=True, kw_only=True):
    """One match.  ``id`` is the item's id (a room message's public id, ``s<seq>``);
    the other ids say where it is.  ``snippet`` is the body around the first match,
    ``title`` the item's title (posts, topics), both as fragments."""

    kind: str
    id: str
    room_id: str | None = None
    seq: int | None = None
    conversation_id: str | None = None
    topic_id: str | None = None
    post_id: str | None = None
    title: list[Fragment]
    snippet: list[Fragment]
    created_at: int
    score: float


class SearchPage(msgspec.Struct, frozen=True, kw_only=True):
    """Results best first (relevance with recency); ``next_cursor`` asks for more."""

    results: list[SearchResult]
    next_cursor: str | None


class UserPage(msgspec.Struct, frozen=True, kw_only=True):
    """Users in their public view (never an email), best match first."""

    users: list[PublicProfile]
    next_cursor: str | None
