"""Mongo direct messages, per-user conversation index and read state.

A message carries ``unread`` (received, not read, not unsent) so unread counts are one
indexed ``count_documents`` or one ``$group``/``$sum`` for a page of conversations.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from pymongo import DESCENDING, ReturnDocument

from storage.keys import conversation_id
from storage.mongo.documents import Codec, Document, MongoContext, in_order
from storage.mongo.edits import edit_with_history
from storage.mongo.search_index import SearchIndexer
from storage.records import Conversation, DirectMessage
from storage.rules import page_limit

DIRECT_MESSAGES = Codec(
    DirectMessage,
    extra=lambda message: {"unread": message.read_at is None and message.deleted_at is None},
)


class MongoDirectMessages:
    def __init__(self, context: MongoContext) -> None:
        self._collection = context.database["direct_messages"]
        self._conversations = context.database["conversations"]
        self._call = context.executor.call
        self._ids = context.ids
        self._clock = context.clock
        self._locks = context.locks
        self._search = SearchIndexer(context)

    async def send(
        self,
        *,
        sender_id: str,
        recipient_id: str,
        body: str,
        gif_url: str | None = None,
        attachment_ids: Sequence[str] = (),
    ) -> DirectMessage:
        message = DirectMessage(
            id=self._ids.new_id(),
            conversation_id=conversation_id(sender_id, recipient_id),
            sender_id=sender_id,
            recipient_id=recipient_id,
            body=body,
            created_at=self._clock(),
            gif_url=gif_url,
            attachment_ids=tuple(attachment_ids),
        )
        document = DIRECT_MESSAGES.encode(message)
        await self._call(lambda: self._collection.insert_one(document), idempotent=False)
        for user_id, other_id in ((sender_id, recipient_id), (recipient_id, sender_id)):
            update = {
                "$setOnInsert": {
                    "user_id": user_id,
                    "conversation_id": message.conversation_id,
                    "other_id": other_id,
                },
                "$max": {"last_message_id": message.id, "last_message_at": message.created_at},
            }
            key = f"{user_id}/{message.conversation_id}"
            async with self._locks.hold(f"conversations:{key}"):
                await self._call(
                    functools.partial(
                        self._conversations.update_one, {"_id": key}, update, upsert=True
                    )
                )
        await self._search.direct(message, fresh=True)
        return message

    async def get(self, message_id: str) -> DirectMessage:
        found = await self._call(lambda: self._collection.find_one({"_id": message_id}))
        return DIRECT_MESSAGES.decode_or_raise(found, "direct_message", message_id)

    async def get_many(self, message_ids: Sequence[str]) -> list[DirectMessage]:
        ids = list(message_ids)
        found = await self._call(lambda: list(self._collection.find({"_id": {"$in": ids}})))
        return in_order(
            {document["_id"]: DIRECT_MESSAGES.decode(document) for document in found}, ids
        )

    async def list_messages(
        self,
        conversation_id: str,
        *,
        viewer_id: str,
        before_id: str | None = None,
        limit: int = 50,
    ) -> list[DirectMessage]:
        query: Document = {"conversation_id": conversation_id, "hidden_for": {"$ne": viewer_id}}
        if before_id is not None:
            query["_id"] = {"$lt": before_id}
        limit = page_limit(limit)
        found = await self._call(
            lambda: list(self._collection.find(query).sort("_id", DESCENDING).limit(limit))
        )
        return [DIRECT_MESSAGES.decode(document) for document in reversed(found)]

    async def edit(self, message_id: str, *, body: str) -> DirectMessage:
        def changes(_: Document) -> Document:
            return {"body": body}

        async with self._locks.hold(f"direct_messages:{message_id}"):
            found = await edit_with_history(
                self._call,
                self._collection,
                {"_id": message_id},
                changes,
                now=self._clock(),
                kind="direct_message",
            )
        edited = DIRECT_MESSAGES.decode(found)
        await self._search.direct(edited)
        return edited

    async def delete_for(self, message_id: str, user_id: str) -> None:
        async with self._locks.hold(f"direct_messages:{message_id}"):
            await self._hide(message_id, user_id)
        await self._search.hide_direct(message_id, user_id)

    async def _hide(self, message_id: str, user_id: str) -> None:
        now = self._clock()
        found = await self._call(
            lambda: self._collection.find_one_and_update(
                {"_id": message_id},
                {"$addToSet": {"hidden_for": user_id}},
                return_document=ReturnDocument.AFTER,
            )
        )
        message = DIRECT_MESSAGES.decode_or_raise(found, "direct_message", message_id)
        if message.recipient_id == user_id and message.read_at is None:
            await self._call(
                lambda: self._collection.update_one(
                    {"_id": message_id, "read_at": None},
                    {"$set": {"read_at": now, "unread": False}},
                )
            )

    async def unsend(self, message_id: str) -> DirectMessage:
        tombstone = {
            "body": "", "edit_history": [], "deleted_at": self._clock(), "unread": False,
            "gif_url": None, "attachment_ids": [],
        }
        async with self._locks.hold(f"direct_messages:{message_id}"):
            await self._call(
                lambda: self._collection.update_one(
                    {"_id": message_id, "deleted_at": None}, {"$set": tombstone}
                )
            )
        unsent = await self.get(message_id)
        await self._search.direct(unsent)
        return unsent

    async def mark_read(
        self, conversation_id: str, user_id: str, *, up_to_id: str | None = None
    ) -> int:
        query: Document = {
            "conversation_id": conversation_id, "recipient_id": user_id, "unread": True
        }
        if up_to_id is not None:
            query["_id"] = {"$lte": up_to_id}
        result = await self._call(
            lambda: self._collection.update_many(
                query, {"$set": {"unread": False, "read_at": self._clock()}}
            )
        )
        return result.modified_count

    async def unread_count(self, user_id: str) -> int:
        return await self._call(
            lambda: self._collection.count_documents({"recipient_id": user_id, "unread": True})
        )

    async def conversations(self, user_id: str, *, limit: int = 50) -> list[Conversation]:
        limit = page_limit(limit)
        rows = await self._call(
            lambda: list(
                self._conversations.find({"user_id": user_id})
                .sort([("last_message_at", DESCENDING), ("last_message_id", DESCENDING)])
                .limit(limit)
            )
        )
        ids = [row["conversation_id"] for row in rows]
        pipeline: list[Document] = [
            {"$match": {"recipient_id": user_id, "unread": True, "conversation_id": {"$in": ids}}},
            {"$group": {"_id": "$conversation_id", "count": {"$sum": 1}}},
        ]
        counts = await self._call(lambda: list(self._collection.aggregate(pipeline)))
        unread = {count["_id"]: count["count"] for count in counts}
        return [
            Conversation(
                id=row["conversation_id"],
                user_ids=(user_id, row["other_id"]),
                last_message_id=row["last_message_id"],
                last_message_at=row["last_message_at"],
                unread_count=unread.get(row["conversation_id"], 0),
            )
            for row in rows
        ]
