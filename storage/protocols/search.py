"""Protocol of full-text search over the content both stores hold."""

from __future__ import annotations

from typing import Literal, Protocol, TypeAlias

import msgspec

from storage.records import User

SearchKind: TypeAlias = Literal["room_message", "direct_message", "post", "comment", "topic"]
SEARCH_KINDS: tuple[SearchKind, ...] = (
    "room_message", "direct_message", "post", "comment", "topic",
)


class SearchQuery(msgspec.Struct, frozen=True, kw_only=True):
    """What to find, for whom.

    ``terms`` come from :func:`storage.search_text.query_terms` (each matches a word
    prefix; all must match).  The store restricts the matches to what ``user_id`` may
    read **inside the query**: ``room_message`` to rooms they are a member of and not
    banned from (rooms not deleted); ``direct_message`` to their own conversations,
    minus the messages they deleted for themselves; ``post`` and ``comment`` to topics
    that are public or that they are a member of (any topic when ``is_admin``), not
    deleted, and for comments, of posts not deleted; ``topic`` to topics they may see
    (public, member, invited; any for admins).  Deleted items are never found.
    ``within`` keeps one scope: a room, a conversation, or a topic (for posts,
    comments and topics).
    """

    kind: SearchKind
    terms: tuple[str, ...]
    user_id: str
    is_admin: bool = False
    within: str | None = None
    now: float
    limit: int


class SearchHit(msgspec.Struct, frozen=True, kw_only=True):
    """One match.  ``key``: the item id (a room message: ``<room id>:<seq>``); ``scope``:
    its room, conversation or topic (a topic: itself); ``parent``: a comment's post.
    ``score``: relevance * recency (higher first).  ``title`` and ``body``: the text."""

    kind: SearchKind
    key: str
    scope: str
    parent: str | None = None
    created_at: float
    score: float
    title: str = ""
    body: str = ""


class SearchStore(Protocol):
    """Search of messages, posts, comments, topics and users (``docs/SEARCH.md``)."""

    async def search(self, query: SearchQuery) -> list[SearchHit]:
        """Up to ``query.limit`` readable matches, best first (score, then key)."""
        ...

    async def search_users(self, text: str, *, limit: int) -> list[User]:
        """Up to ``limit`` users whose folded username equals, starts with or (from
        :data:`storage.search_text.MIN_USER_SUBSTRING` characters) contains the folded
        ``text``; ordered by :func:`storage.search_text.user_rank`, length, username."""
        ...
