"""Request and response bodies of ``/api/posts`` and ``/api/comments``.

Limits are the protocol's (``protocol.limits``): titles 1 to 300, post bodies up to 40,000,
comments 1 to 10,000 code points.  Text is stored and returned exactly as sent.

Anonymity: an anonymous item's ``author_id`` is its alias for everyone except its author,
the topic's moderators and admins, who see the real author (``alias`` is then also set).
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from actors.community.access import sees_real_author
from http_facade.pagination import CursorText
from protocol.fields import AttachmentIds, HttpsUrl, Identifier, Reason, milliseconds
from protocol.limits import MAX_COMMENT_BODY_LENGTH, MAX_POST_BODY_LENGTH, MAX_POST_TITLE_LENGTH
from services.principal import Principal
from storage.records import Comment, Edit, Post, VoteTally

Title = Annotated[str, Meta(min_length=1, max_length=MAX_POST_TITLE_LENGTH, pattern=r"\S")]
PostText = Annotated[str, Meta(max_length=MAX_POST_BODY_LENGTH)]
CommentText = Annotated[str, Meta(min_length=1, max_length=MAX_COMMENT_BODY_LENGTH, pattern=r"\S")]
PageSize = Annotated[int, Meta(ge=1, le=100)]


def shown_author(
    author_id: str | None, alias: str | None, viewer: Principal, reveal: bool
) -> str | None:
    """The author id ``viewer`` may see: the alias unless revealed to them
    (:func:`actors.community.access.sees_real_author`; ``reveal``: the viewer moderates)."""
    if alias is None or sees_real_author(viewer, author_id, moderates=reveal):
        return author_id
    return alias


class PostCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A new post in ``topic_id``, optionally anonymous (shown under a per-topic alias)."""

    topic_id: Identifier
    title: Title
    body: PostText = ""
    gif_url: HttpsUrl | None = None
    attachment_ids: AttachmentIds = ()
    anonymous: bool = False


class PostUpdate(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The new title and/or body; the replaced version goes to the edit history."""

    title: Title | UnsetType = UNSET
    body: PostText | UnsetType = UNSET


class PostQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A topic's posts in an order (``hot``: see ``services.ranking``), one page."""

    topic_id: Identifier
    sort: Literal["new", "top", "hot", "old"] = "new"
    cursor: CursorText | None = None
    limit: PageSize = 20


class RecentQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """How many of the newest posts to return, and from where (``cursor``)."""

    cursor: CursorText | None = None
    limit: PageSize = 20


class DeleteQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Why a post is deleted (shown in ``post_deleted``)."""

    reason: Reason = ""


class VoteCast(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Up (1), down (-1) or no vote (0). Setting the same vote again changes nothing."""

    value: Literal[-1, 0, 1]


class VoteView(msgspec.Struct, frozen=True, kw_only=True):
    """The counts right after the vote, and the caller's vote now in force."""

    target_id: str
    score: int
    upvotes: int
    downvotes: int
    my_vote: int

    @classmethod
    def of(cls, tally: VoteTally) -> VoteView:
        return cls(
            target_id=tally.item_id,
            score=tally.score,
            upvotes=tally.upvotes,
            downvotes=tally.downvotes,
            my_vote=tally.vote,
        )


class PostView(msgspec.Struct, frozen=True, kw_only=True):
    """A post as the caller may see it."""

    id: str
    topic_id: str
    author_id: str
    anonymous: bool
    title: str
    body: str
    gif_url: str | None
    attachment_ids: list[str]
    score: int
    upvotes: int
    downvotes: int
    comment_count: int
    my_vote: int
    mine: bool
    created_at: int
    edited_at: int | None
    edit_count: int
    alias: str | None = None

    @classmethod
    def of(cls, post: Post, viewer: Principal, *, reveal: bool, my_vote: int = 0) -> PostView:
        """``post`` for ``viewer``; ``reveal``: the viewer moderates the post's topic."""
        author = shown_author(post.author_id, post.alias, viewer, reveal) or post.author_id
        return cls(
            id=post.id,
            topic_id=post.topic_id,
            author_id=author,
            anonymous=post.alias is not None,
            alias=post.alias,
            title=post.title,
            body=post.body,
            gif_url=post.gif_url,
            attachment_ids=list(post.attachment_ids),
            score=post.score,
            upvotes=post.upvotes,
            downvotes=post.downvotes,
            comment_count=post.comment_count,
            my_vote=my_vote,
            mine=post.author_id == viewer.user_id,
            created_at=milliseconds(post.created_at),
            edited_at=milliseconds(post.edited_at),
            edit_count=len(post.edit_history),
        )


class PostPage(msgspec.Struct, frozen=True, kw_only=True):
    """Posts; ``next_cursor`` is None after the last page."""

    posts: list[PostView]
    next_cursor: str | None


class EditView(msgspec.Struct, frozen=True, kw_only=True):
    """A replaced version; ``edited_at`` is when it was replaced."""

    body: str
    edited_at: int
    title: str | None = None

    @classmethod
    def of(cls, edit: Edit) -> EditView:
        return cls(body=edit.body, edited_at=milliseconds(edit.edited_at), title=edit.title)


class EditHistory(msgspec.Struct, frozen=True, kw_only=True):
    """Earlier versions, oldest first (the newest 50 are kept); ``next_cursor`` pages on."""

    edits: list[EditView]
    next_cursor: str | None


class CommentCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A comment on the post, or a reply to ``parent_id``."""

    body: CommentText
    parent_id: Identifier | None = None
    anonymous: bool = False


class CommentUpdate(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The comment's new text."""

    body: CommentText


class CommentQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Order of siblings in the tree, and how many comments at most."""

    sort: Literal["top", "new", "old"] = "top"
    cursor: CursorText | None = None
    limit: Annotated[int, Meta(ge=1, le=1000)] = 500


class CommentView(msgspec.Struct, frozen=True, kw_only=True):
    """A comment as the caller may see it; a deleted one keeps its place with no text."""

    id: str
    post_id: str
    parent_id: str | None
    depth: int
    author_id: str | None
    anonymous: bool
    deleted: bool
    body: str
    score: int
    upvotes: int
    downvotes: int
    reply_count: int
    my_vote: int
    mine: bool
    created_at: int
    edited_at: int | None
    edit_count: int
    alias: str | None = None

    @classmethod
    def of(
        cls, comment: Comment, viewer: Principal, *, reveal: bool, my_vote: int = 0
    ) -> CommentView:
        """``comment`` for ``viewer``; ``reveal``: the viewer moderates the topic."""
        return cls(
            id=comment.id,
            post_id=comment.post_id,
            parent_id=comment.parent_id,
            depth=comment.depth,
            author_id=shown_author(comment.author_id, comment.alias, viewer, reveal),
            anonymous=comment.alias is not None,
            alias=comment.alias,
            deleted=comment.deleted_at is not None,
            body=comment.body,
            score=comment.score,
            upvotes=comment.upvotes,
            downvotes=comment.downvotes,
            reply_count=comment.reply_count,
            my_vote=my_vote,
            mine=comment.author_id is not None and comment.author_id == viewer.user_id,
            created_at=milliseconds(comment.created_at),
            edited_at=milliseconds(comment.edited_at),
            edit_count=len(comment.edit_history),
        )


class CommentList(msgspec.Struct, frozen=True, kw_only=True):
    """The tree flattened depth-first; each comment follows its parent. ``next_cursor``
    continues the flattened tree (None after the last comment)."""

    comments: list[CommentView]
    next_cursor: str | None


class FollowState(msgspec.Struct, frozen=True, kw_only=True):
    """Whether the caller follows the post (notified of new comments)."""

    following: bool
