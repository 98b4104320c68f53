"""Mongo topics; members through :class:`MongoMemberships` with scope ``"topic"``."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import Any

from msgspec import UNSET, UnsetType
from pymongo import DESCENDING, ReturnDocument

from storage.builders import new_topic
from storage.errors import Conflict, NotFound
from storage.keys import fold
from storage.mongo.documents import Codec, Document, MongoContext, in_order
from storage.mongo.memberships import MongoMemberships
from storage.mongo.search_index import SearchIndexer
from storage.records import Topic, TopicSort
from storage.rules import normalize_tags, page_limit


def _search_text(title: str, description: str) -> str:
    return fold(f"{title}\n{description}")


TOPICS = Codec(
    Topic,
    extra=lambda topic: {
        "title_key": fold(topic.title),
        "search_text": _search_text(topic.title, topic.description),
    },
)
_SORT: dict[TopicSort, list[tuple[str, int]]] = {
    "activity": [("last_activity_at", DESCENDING), ("_id", DESCENDING)],
    "members": [("member_count", DESCENDING), ("_id", DESCENDING)],
    "created": [("_id", DESCENDING)],
}


class MongoTopics:
    def __init__(self, context: MongoContext) -> None:
        self._collection = context.database["topics"]
        self._members = context.database["members"]
        self._call = context.executor.call
        self._ids = context.ids
        self._clock = context.clock
        self.members = MongoMemberships(context, "topic", "topics")
        self._locks = context.locks
        self._search = SearchIndexer(context)

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
        try:
            await self._call(
                lambda: self._collection.insert_one(TOPICS.encode(topic)), idempotent=False
            )
        except Conflict as conflict:
            raise Conflict("title") from conflict
        owner = {
            "_id": f"topic:{topic.id}:{owner_id}",
            "scope": "topic",
            "scope_id": topic.id,
            "user_id": owner_id,
            "role": "owner",
            "joined_at": now,
        }
        await self._call(
            lambda: self._members.replace_one({"_id": owner["_id"]}, owner, upsert=True)
        )
        await self._search.topic(topic)
        return topic

    async def get(self, topic_id: str, *, include_deleted: bool = False) -> Topic:
        found = await self._call(lambda: self._collection.find_one({"_id": topic_id}))
        topic = TOPICS.decode_or_raise(found, "topic", topic_id)
        if topic.deleted_at is not None and not include_deleted:
            raise NotFound("topic", topic_id)
        return topic

    async def get_many(self, topic_ids: Sequence[str]) -> list[Topic]:
        ids = list(topic_ids)
        query = {"_id": {"$in": ids}, "deleted_at": None}
        found = await self._call(lambda: list(self._collection.find(query)))
        return in_order({document["_id"]: TOPICS.decode(document) for document in found}, ids)

    async def _update(self, query: Document, update: Document) -> Topic:
        try:
            async with self._locks.hold(f"topics:{query['_id']}"):
                found = await self._call(
                    lambda: self._collection.find_one_and_update(
                        query, update, return_document=ReturnDocument.AFTER
                    )
                )
        except Conflict as conflict:
            raise Conflict("title") from conflict
        return TOPICS.decode_or_raise(found, "topic", query["_id"])

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
        changes: dict[str, Any] = {}
        if not isinstance(owner_id, UnsetType):
            changes["owner_id"] = owner_id
        if not isinstance(tags, UnsetType):
            changes["tags"] = list(normalize_tags(tags))
        if not isinstance(is_private, UnsetType):
            changes["is_private"] = is_private
        if not isinstance(title, UnsetType) or not isinstance(description, UnsetType):
            current = await self.get(topic_id)
            new_title = current.title if isinstance(title, UnsetType) else title
            new_description = (
                current.description if isinstance(description, UnsetType) else description
            )
            changes.update(
                title=new_title,
                title_key=fold(new_title),
                description=new_description,
                search_text=_search_text(new_title, new_description),
            )
        if not changes:
            return await self.get(topic_id)
        updated = await self._update({"_id": topic_id, "deleted_at": None}, {"$set": changes})
        await self._search.topic(updated)
        return updated

    async def delete(self, topic_id: str) -> Topic:
        async with self._locks.hold(f"topics:{topic_id}"):
            await self._call(
                lambda: self._collection.update_one(
                    {"_id": topic_id, "deleted_at": None}, {"$set": {"deleted_at": self._clock()}}
                )
            )
        deleted = await self.get(topic_id, include_deleted=True)
        await self._search.topic(deleted)
        return deleted

    async def restore(self, topic_id: str) -> Topic:
        restored = await self._update({"_id": topic_id}, {"$set": {"deleted_at": None}})
        await self._search.topic(restored)
        return restored

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
        conditions: Document = {"deleted_at": None}
        if hidden:
            conditions["_id"] = {"$nin": sorted(hidden)}
        if visible_with is not None:
            conditions["$or"] = [{"is_private": False}, {"_id": {"$in": sorted(visible_with)}}]
        if tag is not None:
            conditions["tags"] = fold(tag.strip())
        if query:
            conditions["search_text"] = {"$regex": re.escape(fold(query))}
        limit = page_limit(limit)
        found = await self._call(
            lambda: list(
                self._collection.find(conditions).sort(_SORT[sort]).skip(offset).limit(limit)
            )
        )
        return [TOPICS.decode(document) for document in found]

    async def touch(self, topic_id: str) -> None:
        await self._update({"_id": topic_id}, {"$set": {"last_activity_at": self._clock()}})
