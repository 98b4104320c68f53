"""New records, built the same way by every backend.

A backend's ``create`` supplies the fresh id and the time from its own generator and
clock; the rules that shape a new record (a room without a topic is a private group, a
topic starts with its owner as its one member, tags are normalised, a post starts with
its hot score) live here once, so the backends cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Sequence

from storage.records import Post, Report, Room, Topic
from storage.rules import hot_score, normalize_tags


def new_topic(
    topic_id: str,
    now: float,
    *,
    owner_id: str,
    title: str,
    description: str,
    tags: Sequence[str],
    is_private: bool,
) -> Topic:
    """A topic whose owner is its first member."""
    return Topic(
        id=topic_id,
        title=title,
        description=description,
        owner_id=owner_id,
        tags=normalize_tags(tags),
        is_private=is_private,
        member_count=1,
        created_at=now,
        last_activity_at=now,
    )


def new_room(
    room_id: str,
    now: float,
    *,
    owner_id: str,
    name: str,
    topic_id: str | None,
    description: str,
    is_private: bool,
) -> Room:
    """A topic's room, or (without a topic) a private group; the owner is its member."""
    return Room(
        id=room_id,
        kind="group" if topic_id is None else "topic",
        name=name,
        owner_id=owner_id,
        topic_id=topic_id,
        description=description,
        is_private=is_private or topic_id is None,
        member_count=1,
        created_at=now,
    )


def new_post(
    post_id: str,
    now: float,
    *,
    topic_id: str,
    author_id: str,
    title: str,
    body: str,
    gif_url: str | None,
    attachment_ids: Sequence[str],
    alias: str | None,
) -> Post:
    """A post with no votes yet and its starting hot score."""
    return Post(
        id=post_id,
        topic_id=topic_id,
        author_id=author_id,
        title=title,
        body=body,
        created_at=now,
        hot=hot_score(0, now),
        gif_url=gif_url,
        attachment_ids=tuple(attachment_ids),
        alias=alias,
    )


def new_report(
    report_id: str,
    now: float,
    *,
    reporter_id: str,
    item_kind: str,
    item_id: str,
    reason: str,
    details: str,
    topic_id: str | None,
) -> Report:
    """An open report."""
    return Report(
        id=report_id,
        reporter_id=reporter_id,
        item_kind=item_kind,
        item_id=item_id,
        reason=reason,
        details=details,
        topic_id=topic_id,
        created_at=now,
        updated_at=now,
    )
