"""Soft-deleted posts and comments: the rules every backend applies to restore and purge.

Contract:

* A deleted post keeps its content until it is purged (``purged_at`` set, text erased);
  until then it is *in the trash* and an admin may restore it.
* A deleted comment is a tombstone at once (no text, no author) with its text and author
  set aside in ``removed``; it is in the trash until ``removed`` is purged.
* ``restore`` raises ``Conflict("state")`` for a live item and ``Conflict("purged")``
  for one whose content is gone; ``purge`` raises ``Conflict("state")`` for a live item
  and changes nothing on an item purged already.
* The trash lists newest deletion first; a page continues after a :data:`TrashCursor`,
  the ``(deleted_at, id)`` of the previous page's last item.
"""

from __future__ import annotations

from typing import TypeAlias

import msgspec

from storage.errors import Conflict
from storage.records import Comment, Post, RemovedComment

TrashCursor: TypeAlias = tuple[float, str]


def comment_in_trash(comment: Comment) -> bool:
    """Deleted and still restorable."""
    return comment.deleted_at is not None and comment.removed is not None


def post_in_trash(post: Post) -> bool:
    """Deleted and still restorable."""
    return post.deleted_at is not None and post.purged_at is None


def tombstone_comment(comment: Comment, now: float) -> Comment:
    """``comment`` deleted: no text or author, both kept aside in ``removed``."""
    if comment.deleted_at is not None:
        return comment
    removed = None
    if comment.author_id is not None:
        removed = RemovedComment(
            author_id=comment.author_id,
            body=comment.body,
            alias=comment.alias,
            edit_history=comment.edit_history,
        )
    return msgspec.structs.replace(
        comment, body="", author_id=None, alias=None, deleted_at=now, edit_history=(),
        removed=removed,
    )


def restored_comment(comment: Comment) -> Comment:
    """``comment`` as it was before its deletion (see the module for the conflicts)."""
    if comment.deleted_at is None:
        raise Conflict("state", "the comment is not deleted")
    if comment.removed is None:
        raise Conflict("purged", "the comment's content was purged")
    kept = comment.removed
    return msgspec.structs.replace(
        comment, body=kept.body, author_id=kept.author_id, alias=kept.alias,
        edit_history=kept.edit_history, deleted_at=None, removed=None,
    )


def purged_comment(comment: Comment) -> Comment:
    """``comment`` with its set-aside content dropped for good."""
    if comment.deleted_at is None:
        raise Conflict("state", "only a deleted comment can be purged")
    return msgspec.structs.replace(comment, removed=None)


def restored_post(post: Post) -> Post:
    """``post`` visible again (see the module for the conflicts)."""
    if post.deleted_at is None:
        raise Conflict("state", "the post is not deleted")
    if post.purged_at is not None:
        raise Conflict("purged", "the post's content was purged")
    return msgspec.structs.replace(post, deleted_at=None)


def purged_post(post: Post, now: float) -> Post:
    """``post`` with title, body, history, GIF and attachments erased for good."""
    if post.deleted_at is None:
        raise Conflict("state", "only a deleted post can be purged")
    if post.purged_at is not None:
        return post
    return msgspec.structs.replace(
        post, title="", body="", edit_history=(), gif_url=None, attachment_ids=(), purged_at=now
    )
