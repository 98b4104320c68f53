"""Server events of topics, posts, comments, votes and a user's notification feed.

Posts are created and changed over REST; these frames tell subscribers what changed.
Post events go to ``topic:<id>``, comment events to ``post:<id>``, vote events to the
channel of the voted object's parent (``topic:<id>`` for a post, ``post:<id>`` for a
comment), notifications to ``user:<id>``. All are sequenced.
"""

from protocol.base import SequencedEvent
from protocol.channels import Channel
from protocol.enums import VoteTarget
from protocol.fields import (
    AppPath,
    Count,
    HumanText,
    Identifier,
    Name,
    Reason,
    Score,
    TimestampMs,
)
from protocol.payloads import Comment, Post


class PostCreated(SequencedEvent, frozen=True, kw_only=True, tag="post_created"):
    """A post was published in the topic."""

    post: Post


class PostEdited(SequencedEvent, frozen=True, kw_only=True, tag="post_edited"):
    """A post changed; ``post`` is the post after the edit."""

    post: Post


class PostDeleted(SequencedEvent, frozen=True, kw_only=True, tag="post_deleted"):
    """A post was removed by its author or by ``deleted_by``, a moderator."""

    post_id: Identifier
    deleted_by: Identifier
    reason: Reason = ""


class CommentCreated(SequencedEvent, frozen=True, kw_only=True, tag="comment_created"):
    """A comment was added to the post."""

    comment: Comment


class CommentEdited(SequencedEvent, frozen=True, kw_only=True, tag="comment_edited"):
    """A comment changed; ``comment`` is the comment after the edit."""

    comment: Comment


class CommentDeleted(SequencedEvent, frozen=True, kw_only=True, tag="comment_deleted"):
    """A comment was removed by its author or by ``deleted_by``, a moderator. Replies to it
    stay; clients show a placeholder in its place.
    """

    comment_id: Identifier
    deleted_by: Identifier


class VoteChanged(SequencedEvent, frozen=True, kw_only=True, tag="vote_changed"):
    """The tally of a post or comment changed. Voters stay anonymous; ``score`` is
    ``upvotes - downvotes``.
    """

    target: VoteTarget
    target_id: Identifier
    score: Score
    upvotes: Count
    downvotes: Count


class Notification(SequencedEvent, frozen=True, kw_only=True, tag="notification"):
    """A notification on the user's own feed (``user:<id>``); its ``seq`` is what
    ``mark_read`` on that channel refers to.

    ``kind`` is open (see ``NotificationKind``); clients show unknown kinds generically
    with ``title`` and ``body``. ``subject`` is the channel to open, ``object_id`` the
    object in it, ``link`` the web application path.
    """

    notification_id: Identifier
    kind: Name
    title: Reason
    body: HumanText = ""
    actor_id: Identifier | None = None
    subject: Channel | None = None
    object_id: Identifier | None = None
    link: AppPath | None = None
    created_at: TimestampMs
