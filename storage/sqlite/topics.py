"""SQLite topics; members through :class:`SqliteMemberships` with scope ``"topic"``."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection, Sequence
from typing import Any

import msgspec
from msgspec import UNSET, UnsetType

from storage.builders import new_topic
from storage.errors import NotFound
from storage.keys import fold
from storage.records import Topic, TopicSort
from storage.rules import normalize_tags, page_limit
from storage.sqlite.context import SqliteContext
from storage.sqlite.memberships import SqliteMemberships
from storage.sqlite.tables import Table, conflict_from, placeholders

TOPICS = Table(
    "topics",
    Topic,
    ("id",),
    lambda topic: {
        "id": topic.id,
        "title_key": fold(topic.title),
        "search_text": fold(f"{topic.title}\n{topic.description}"),
        "tags": msgspec.json.encode(topic.tags).decode(),
        "deleted": int(topic.deleted_at is not None),
        "member_count": topic.member_count,
        "last_activity_at": topic.last_activity_at,
    },
)
_FIELDS = {"topics.title_key": "title"}
_ORDER: dict[TopicSort, str] = {
    "activity": "last_activity_at DESC, id DESC",
    "members": "member_count DESC, id DESC",
    "created": "id DESC",
}


def adjust_topic_counts(
    connection: sqlite3.Connection,
    topic_id: str,
    *,
    members: int = 0,
    posts: int = 0,
    activity_at: float | None = None,
) -> Topic:
    """Move a topic's counters and activity time; ``NotFound`` if unknown."""

    def adjust(topic: Topic) -> Topic:
        return msgspec.structs.replace(
            topic,
            member_count=topic.member_count + members,
            post_count=topic.post_count + posts,
            last_activity_at=activity_at or topic.last_activity_at,
        )

    return TOPICS.modify(connection, (topic_id,), adjust)


def _adjust_members(connection: sqlite3.Connection, topic_id: str, delta: int) -> None:
    adjust_topic_counts(connection, topic_id, members=delta)


class SqliteTopics:
    def __init__(self, context: SqliteContext) -> None:
        self._run = context.worker.run
        self._ids = context.ids
        self._clock = context.clock
        self.members = SqliteMemberships(context, "topic", _adjust_members)

    async def create(
        self,
        *,
        owner_id: str,
        title: str,
        description: str = "",
        tags: Sequence[str] = (),
        is_private: bool = False,
    ) -> Topic:
        now = self._clock()
        topic = new_topic(
            self._ids.new_id(),
            now,
            owner_id=owner_id,
            title=title,
            description=description,
            tags=tags,
            is_private=is_private,
        )

        def insert(connection: sqlite3.Connection) -> Topic:
            try:
                TOPICS.insert(connection, topic)
            except sqlite3.IntegrityError as error:
                raise conflict_from(error, _FIELDS) from error
            connection.execute(
                "INSERT INTO members (scope, scope_id, user_id, role, joined_at)"
                " VALUES ('topic', ?, ?, 'owner', ?)",
                (topic.id, owner_id, now),
            )
            return topic

        return await self._run(insert)

    async def get(self, topic_id: str, *, include_deleted: bool = False) -> Topic:
        topic = await self._run(lambda connection: TOPICS.require(connection, topic_id))
        if topic.deleted_at is not None and not include_deleted:
            raise NotFound("topic", topic_id)
        return topic

    async def get_many(self, topic_ids: Sequence[str]) -> list[Topic]:
        ids = list(topic_ids)
        found = await self._run(
            lambda connection: TOPICS.select(
                connection, f"WHERE id IN ({placeholders(len(ids))}) AND deleted = 0", ids
            )
        )
        by_id = {topic.id: topic for topic in found}
        return [by_id[topic_id] for topic_id in ids if topic_id in by_id]

    async def _modify(self, topic_id: str, change: Callable[[Topic], Topic]) -> Topic:
        def modify(connection: sqlite3.Connection) -> Topic:
            try:
                return TOPICS.modify(connection, (topic_id,), change)
            except sqlite3.IntegrityError as error:
                raise conflict_from(error, _FIELDS) from error

        return await self._run(modify)

    async def update(
        self,
        topic_id: str,
        *,
        title: str | UnsetType = UNSET,
        description: str | UnsetType = UNSET,
        tags: Sequence[str] | UnsetType = UNSET,
        is_private: bool | UnsetType = UNSET,
        owner_id: str | UnsetType = UNSET,
    ) -> Topic:
        changes: dict[str, Any] = {
            name: value
            for name, value in (
                ("title", title),
                ("description", description),
                ("is_private", is_private),
                ("owner_id", owner_id),
            )
            if value is not UNSET
        }
        if not isinstance(tags, UnsetType):
            changes["tags"] = normalize_tags(tags)

        def change(topic: Topic) -> Topic:
            if topic.deleted_at is not None:
                raise NotFound("topic", topic_id)
            return msgspec.structs.replace(topic, **changes)

        return await self._modify(topic_id, change)

    async def delete(self, topic_id: str) -> Topic:
        now = self._clock()
        return await self._modify(
            topic_id,
            lambda topic: (
                topic
                if topic.deleted_at is not None
                else msgspec.structs.replace(topic, deleted_at=now)
            ),
        )

    async def restore(self, topic_id: str) -> Topic:
        return await self._modify(
            topic_id, lambda topic: msgspec.structs.replace(topic, deleted_at=None)
        )

    async def list_topics(
        self,
        *,
        sort: TopicSort = "activity",
        tag: str | None = None,
        query: str | None = None,
        offset: int = 0,
        limit: int = 20,
        visible_with: Collection[str] | None = None,
        hidden: Collection[str] = (),
    ) -> list[Topic]:
        conditions = ["deleted = 0"]
        parameters: list[Any] = []
        if hidden:
            left_out = sorted(hidden)
            conditions.append(f"id NOT IN ({placeholders(len(left_out))})")
            parameters.extend(left_out)
        if visible_with is not None:
            readable = sorted(visible_with)
            conditions.append(
                "(json_extract(CAST(doc AS TEXT), '$.is_private') = 0"
                f" OR id IN ({placeholders(len(readable))}))"
            )
            parameters.extend(readable)
        if tag is not None:
            conditions.append("EXISTS (SELECT 1 FROM json_each(topics.tags) WHERE value = ?)")
            parameters.append(fold(tag.strip()))
        if query:
            conditions.append("instr(search_text, ?) > 0")
            parameters.append(fold(query))
        parameters.extend((page_limit(limit), offset))
        tail = f"WHERE {' AND '.join(conditions)} ORDER BY {_ORDER[sort]} LIMIT ? OFFSET ?"
        return await self._run(lambda connection: TOPICS.select(connection, tail, parameters))

    async def touch(self, topic_id: str) -> None:
        now = self._clock()
        await self._modify(
            topic_id, lambda topic: msgspec.structs.replace(topic, last_activity_at=now)
        )
