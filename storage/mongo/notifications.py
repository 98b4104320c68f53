"""Mongo notifications."""

from __future__ import annotations

from pymongo import DESCENDING

from storage.mongo.documents import Codec, Document, MongoContext
from storage.records import DataValue, Notification
from storage.rules import page_limit

NOTIFICATIONS = Codec(Notification)


class MongoNotifications:
    def __init__(self, context: MongoContext) -> None:
        self._collection = context.database["notifications"]
        self._call = context.executor.call
        self._ids = context.ids
        self._clock = context.clock

    async def create(
        self, *, user_id: str, kind: str, data: dict[str, DataValue] | None = None
    ) -> Notification:
        notification = Notification(
            id=self._ids.new_id(),
            user_id=user_id,
            kind=kind,
            created_at=self._clock(),
            data=dict(data or {}),
        )
        document = NOTIFICATIONS.encode(notification)
        await self._call(lambda: self._collection.insert_one(document), idempotent=False)
        return notification

    async def list_for_user(
        self,
        user_id: str,
        *,
        before_id: str | None = None,
        limit: int = 50,
        unread_only: bool = False,
    ) -> list[Notification]:
        query: Document = {"user_id": user_id}
        if before_id is not None:
            query["_id"] = {"$lt": before_id}
        if unread_only:
            query["read_at"] = None
        limit = page_limit(limit)
        found = await self._call(
            lambda: list(self._collection.find(query).sort("_id", DESCENDING).limit(limit))
        )
        return [NOTIFICATIONS.decode(document) for document in found]

    async def unread_count(self, user_id: str) -> int:
        return await self._call(
            lambda: self._collection.count_documents({"user_id": user_id, "read_at": None})
        )

    async def mark_read(self, user_id: str, notification_id: str) -> bool:
        result = await self._call(
            lambda: self._collection.update_one(
                {"_id": notification_id, "user_id": user_id, "read_at": None},
                {"$set": {"read_at": self._clock()}},
            )
        )
        return result.modified_count > 0

    async def mark_all_read(self, user_id: str) -> int:
        return await self._mark_many({"user_id": user_id, "read_at": None})

    async def mark_read_through(self, user_id: str, notification_id: str) -> int:
        return await self._mark_many(
            {"user_id": user_id, "read_at": None, "_id": {"$lte": notification_id}}
        )

    async def _mark_many(self, query: Document) -> int:
        result = await self._call(
            lambda: self._collection.update_many(query, {"$set": {"read_at": self._clock()}})
        )
        return result.modified_count

    async def redact(
        self, subject: str, object_id: str | None = None, *, title: str | None = None
    ) -> int:
        query: Document = {"data.subject": subject}
        if object_id is not None:
            query["data.object_id"] = object_id
        changes: Document = {"data.body": ""}
        if title is not None:
            changes["data.title"] = title
        result = await self._call(lambda: self._collection.update_many(query, {"$set": changes}))
        return result.modified_count
