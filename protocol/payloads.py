"""Snapshots of stored objects carried inside event frames.

A ``*_created`` or ``*_edited`` event carries the whole object after the change, so a
client replaces its copy instead of patching it. The REST API returns the same shapes.
Users appear by id only; clients resolve profiles over REST and cache them.

Each snapshot's own id is ``id`` (revision 2); references to other objects keep
``<thing>_id``. Times are integer milliseconds since the epoch (``*_at``).
"""

from protocol.base import Payload
from protocol.fields import (
    AttachmentIds,
    CommentBody,
    Count,
    HttpsUrl,
    Identifier,
    MessageText,
    PostBody,
    PostTitle,
    Score,
    TimestampMs,
)


class ChatMessage(Payload, frozen=True, kw_only=True):
    """A message in a chat room or a direct-message conversation.

    ``nonce`` is the value the sender put in ``send_message`` / ``send_direct_message``,
    echoed so the sender can match its optimistic copy.
    """

    id: Identifier
    author_id: Identifier
    text: MessageText = ""
    gif_url: HttpsUrl | None = None
    attachment_ids: AttachmentIds = ()
    reply_to: Identifier | None = None
    nonce: Identifier | None = None
    created_at: TimestampMs
    edited_at: TimestampMs | None = None


class Post(Payload, frozen=True, kw_only=True):
    """A post in a topic, with its vote score and comment count at the time of the event."""

    id: Identifier
    topic_id: Identifier
    author_id: Identifier
    title: PostTitle
    body: PostBody = ""
    link_url: HttpsUrl | None = None
    attachment_ids: AttachmentIds = ()
    score: Score = 0
    comment_count: Count = 0
    created_at: TimestampMs
    edited_at: TimestampMs | None = None


class Comment(Payload, frozen=True, kw_only=True):
    """A comment on a post; ``parent_id`` is the comment it answers (``None`` at top level)."""

    id: Identifier
    post_id: Identifier
    parent_id: Identifier | None = None
    author_id: Identifier
    body: CommentBody
    score: Score = 0
    created_at: TimestampMs
    edited_at: TimestampMs | None = None
