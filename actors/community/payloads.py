"""Stored posts and comments as the protocol's ``Post`` and ``Comment`` payloads.

Payloads travel to every subscriber of a channel alike, so they always show an anonymous
author by alias: the real ``author_id`` of an anonymous post or comment never leaves the
server in an event.  (Moderators read it over REST.)
"""

from __future__ import annotations

from protocol import payloads
from protocol.fields import milliseconds
from storage.records import Comment, Post


def public_author(author_id: str | None, alias: str | None) -> str | None:
    """Who an item is shown as to everyone: its alias when anonymous, else its author."""
    return alias if alias is not None else author_id


def post_payload(post: Post) -> payloads.Post:
    """The ``Post`` payload of ``post`` (``link_url`` carries the GIF URL)."""
    return payloads.Post(
        id=post.id,
        topic_id=post.topic_id,
        author_id=public_author(post.author_id, post.alias) or post.author_id,
        title=post.title,
        body=post.body,
        link_url=post.gif_url,
        attachment_ids=post.attachment_ids,
        score=post.score,
        comment_count=post.comment_count,
        created_at=milliseconds(post.created_at),
        edited_at=milliseconds(post.edited_at),
    )


def comment_payload(comment: Comment) -> payloads.Comment:
    """The ``Comment`` payload of a live (not deleted) comment."""
    author = public_author(comment.author_id, comment.alias)
    if author is None:
        raise ValueError(f"comment {comment.id} is a tombstone and has no payload")
    return payloads.Comment(
        id=comment.id,
        post_id=comment.post_id,
        parent_id=comment.parent_id,
        author_id=author,
        body=comment.body,
        score=comment.score,
        created_at=milliseconds(comment.created_at),
        edited_at=milliseconds(comment.edited_at),
    )
