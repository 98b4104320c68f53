"""Records of posts, comments and votes."""

from __future__ import annotations

from typing import Literal, TypeAlias

import msgspec

PostSort: TypeAlias = Literal["new", "top", "hot", "old"]
CommentSort: TypeAlias = Literal["top", "new", "old"]
VoteValue: TypeAlias = Literal[-1, 0, 1]


class Edit(msgspec.Struct, frozen=True, kw_only=True):
    """A replaced version of a text in ``edit_history``; ``edited_at`` is when it was replaced."""

    body: str
    edited_at: float
    title: str | None = None


class Post(msgspec.Struct, frozen=True, kw_only=True):
    """A post in a topic. Scores change only through votes.

    ``alias`` is set on an anonymous post: the name it is shown under instead of
    ``author_id`` (which stays the real author, for moderators and for the author).
    """

    id: str
    topic_id: str
    author_id: str
    title: str
    body: str
    created_at: float
    score: int = 0
    upvotes: int = 0
    downvotes: int = 0
    hot: float = 0.0
    comment_count: int = 0
    edited_at: float | None = None
    deleted_at: float | None = None
    edit_history: tuple[Edit, ...] = ()
    gif_url: str | None = None
    attachment_ids: tuple[str, ...] = ()
    alias: str | None = None
    purged_at: float | None = None
    """When a deleted post's content was erased for good (it can no longer be restored)."""


class RemovedComment(msgspec.Struct, frozen=True, kw_only=True):
    """What a comment's tombstone keeps aside until it is restored or purged."""

    author_id: str
    body: str
    alias: str | None = None
    edit_history: tuple[Edit, ...] = ()


class Comment(msgspec.Struct, frozen=True, kw_only=True):
    """A comment; ``path`` is the ids from the root comment down to this one, '/'-joined.

    A deleted comment is a tombstone: ``body`` is empty, ``author_id`` and ``alias`` are
    None and ``deleted_at`` is set, while its replies stay in place; ``removed`` keeps the
    text and author aside for an admin's restore until the comment is purged. ``alias`` is
    set on an anonymous comment, as on posts.
    """

    id: str
    post_id: str
    parent_id: str | None
    root_id: str
    depth: int
    path: str
    author_id: str | None
    body: str
    created_at: float
    score: int = 0
    upvotes: int = 0
    downvotes: int = 0
    reply_count: int = 0
    edited_at: float | None = None
    deleted_at: float | None = None
    edit_history: tuple[Edit, ...] = ()
    alias: str | None = None
    removed: RemovedComment | None = None
    """The deleted comment's text and author, kept for a restore until purged."""


class VoteTally(msgspec.Struct, frozen=True, kw_only=True):
    """The counts of an item right after a vote, and the voter's vote now in force."""

    item_id: str
    score: int
    upvotes: int
    downvotes: int
    vote: VoteValue
