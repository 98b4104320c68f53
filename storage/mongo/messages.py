"""Mongo room messages.

Sequence numbers come from a per-room counter document bumped with ``$inc`` by
``find_one_and_update`` (atomic on the server, so concurrent appenders from any node
get distinct, consecutive numbers); the messages are then inserted under a unique
``(room_id, seq)`` index. Reactions are a map from the emoji's UTF-8 hex (field names
must not contain ``.`` or start with ``$``) to the reacting user ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec
from pymongo import ASCENDING, DESCENDING, ReturnDocument

from storage.errors import Conflict, NotFound
from storage.mongo.documents import Document, MongoContext
from storage.mongo.edits import edit_with_history
from storage.mongo.search_index import SearchIndexer
from storage.records import Message, MessageDraft, Reaction, ReopenedLog
from storage.rules import check_emoji, page_limit


def _encode(message: Message) -> Document:
    document: Document = msgspec.to_builtins(message)
    document["_id"] = document.pop("id")
    document["reactions"] = {
        reaction.emoji.encode().hex(): list(reaction.user_ids) for reaction in message.reactions
    }
    return document


def _decode(document: Mapping[str, Any]) -> Message:
    fields = dict(document)
    fields["id"] = fields.pop("_id")
    reactions: dict[str, list[str]] = fields.pop("reactions", {}) or {}
    message = msgspec.convert(fields, Message)
    return msgspec.structs.replace(
        message,
        reactions=tuple(
            sorted(
                (
                    Reaction(emoji=bytes.fromhex(key).decode(), user_ids=tuple(users))
                    for key, users in reactions.items()
                    if users
                ),
                key=lambda reaction: reaction.emoji,
            )
        ),
    )


class MongoMessages:
    def __init__(self, context: MongoContext) -> None:
        self._collection = context.database["messages"]
        self._counters = context.database["room_counters"]
        self._call = context.executor.call
        self._ids = context.ids
        self._clock = context.clock
        self._locks = context.locks
        self._search = SearchIndexer(context)

    async def append(
        self, room_id: str, draft: MessageDraft, *, fence: int | None = None
    ) -> Message:
        (message,) = await self.append_many(room_id, (draft,), fence=fence)
        return message

    async def append_many(
        self, room_id: str, drafts: Sequence[MessageDraft], *, fence: int | None = None
    ) -> list[Message]:
        if not drafts:
            return []
        async with self._locks.hold(f"room_counters:{room_id}"):
            return await self._append_many(room_id, drafts, fence)

    async def _append_many(
        self, room_id: str, drafts: Sequence[MessageDraft], fence: int | None
    ) -> list[Message]:
        query: Document = {"_id": room_id}
        update: Document = {"$inc": {"last_seq": len(drafts)}}
        if fence is not None:
            # No match for a counter fenced higher: the upsert then collides on _id.
            query["fence"] = {"$not": {"$gt": fence}}
            update["$set"] = {"fence": fence}
        try:
            counter = await self._call(
                lambda: self._counters.find_one_and_update(
                    query, update, upsert=True, return_document=ReturnDocument.AFTER
                ),
                idempotent=False,
            )
        except Conflict:
            raise Conflict("fence", f"room {room_id} has a newer owner") from None
        assert counter is not None, "an upsert returning the new document returns one"
        first = int(counter["last_seq"]) - len(drafts) + 1
        now = self._clock()
        messages = [
            Message(
                id=self._ids.new_id(),
                room_id=room_id,
                seq=first + offset,
                author_id=draft.author_id,
                body=draft.body,
                created_at=now,
                kind=draft.kind,
                reply_to_id=draft.reply_to_id,
                attachment_ids=draft.attachment_ids,
                nonce=draft.nonce,
                gif_url=draft.gif_url,
            )
            for offset, draft in enumerate(drafts)
        ]
        documents = [_encode(message) for message in messages]
        await self._call(lambda: self._collection.insert_many(documents), idempotent=False)
        await self._search.messages(messages, fresh=True)
        return messages

    async def _find_one(self, room_id: str, seq: int) -> Message:
        found = await self._call(
            lambda: self._collection.find_one({"room_id": room_id, "seq": seq})
        )
        if found is None:
            raise NotFound("message", f"{room_id}:{seq}")
        return _decode(found)

    async def get(self, room_id: str, seq: int) -> Message:
        return await self._find_one(room_id, seq)

    async def reopen(self, room_id: str, *, recent: int, fence: int | None = None) -> ReopenedLog:
        async with self._locks.hold(f"room_counters:{room_id}"):
            counter = await self._call(lambda: self._counters.find_one({"_id": room_id}))
            newest = await self._call(
                lambda: list(
                    self._collection.find(
                        {"room_id": room_id}, {"author_id": 1, "nonce": 1, "seq": 1}
                    ).sort("seq", DESCENDING).limit(max(recent, 1))
                )
            )
            last_seq = int(newest[0]["seq"]) if newest else 0
            if counter is not None:
                await self._settle(room_id, counter, last_seq, fence)
        nonces = tuple(
            (str(document["author_id"]), str(document["nonce"]), int(document["seq"]))
            for document in reversed(newest[:recent])
            if document.get("nonce")
        )
        return ReopenedLog(last_seq=last_seq, nonces=nonces)

    async def _settle(
        self, room_id: str, counter: Document, last_seq: int, fence: int | None
    ) -> None:
        """Move the counter back to ``last_seq`` if it ran ahead, and claim ``fence``."""
        if fence is not None and int(counter.get("fence", 0)) > fence:
            raise Conflict("fence", f"room {room_id} has a newer owner")
        settle: Document = {}
        query: Document = {"_id": room_id}
        if int(counter["last_seq"]) > last_seq:
            query["last_seq"] = counter["last_seq"]
            settle["last_seq"] = last_seq
        if fence is not None:
            query["fence"] = {"$not": {"$gt": fence}}
            settle["fence"] = fence
        if settle:
            await self._call(
                lambda: self._counters.update_one(query, {"$set": settle}), idempotent=False
            )

    async def last_seq(self, room_id: str) -> int:
        found = await self._call(lambda: self._counters.find_one({"_id": room_id}))
        return 0 if found is None else int(found["last_seq"])

    async def page_before(
        self, room_id: str, *, before_seq: int | None = None, limit: int = 50
    ) -> list[Message]:
        query: Document = {"room_id": room_id}
        if before_seq is not None:
            query["seq"] = {"$lt": before_seq}
        limit = page_limit(limit)
        found = await self._call(
            lambda: list(self._collection.find(query).sort("seq", DESCENDING).limit(limit))
        )
        return [_decode(document) for document in reversed(found)]

    async def since(self, room_id: str, *, after_seq: int, limit: int = 200) -> list[Message]:
        query = {"room_id": room_id, "seq": {"$gt": after_seq}}
        limit = page_limit(limit)
        found = await self._call(
            lambda: list(self._collection.find(query).sort("seq", ASCENDING).limit(limit))
        )
        return [_decode(document) for document in found]

    async def edit(self, room_id: str, seq: int, *, body: str) -> Message:
        def changes(_: Document) -> Document:
            return {"body": body}

        async with self._locks.hold(f"messages:{room_id}:{seq}"):
            found = await edit_with_history(
                self._call,
                self._collection,
                {"room_id": room_id, "seq": seq},
                changes,
                now=self._clock(),
                kind="message",
            )
        edited = _decode(found)
        await self._search.messages([edited])
        return edited

    async def delete(self, room_id: str, seq: int) -> Message:
        tombstone: dict[str, object] = {
            "body": "",
            "attachment_ids": [],
            "gif_url": None,
            "reactions": {},
            "edit_history": [],
            "deleted_at": self._clock(),
        }
        async with self._locks.hold(f"messages:{room_id}:{seq}"):
            await self._call(
                lambda: self._collection.update_one(
                    {"room_id": room_id, "seq": seq, "deleted_at": None}, {"$set": tombstone}
                )
            )
        deleted = await self._find_one(room_id, seq)
        await self._search.messages([deleted])
        return deleted

    async def _react(self, room_id: str, seq: int, update: Document) -> Message:
        async with self._locks.hold(f"messages:{room_id}:{seq}"):
            found = await self._call(
                lambda: self._collection.find_one_and_update(
                    {"room_id": room_id, "seq": seq}, update, return_document=ReturnDocument.AFTER
                )
            )
        if found is None:
            return await self._find_one(room_id, seq)
        return _decode(found)

    async def add_reaction(self, room_id: str, seq: int, *, user_id: str, emoji: str) -> Message:
        field = f"reactions.{check_emoji(emoji).encode().hex()}"
        return await self._react(room_id, seq, {"$addToSet": {field: user_id}})

    async def remove_reaction(self, room_id: str, seq: int, *, user_id: str, emoji: str) -> Message:
        field = f"reactions.{check_emoji(emoji).encode().hex()}"
        return await self._react(room_id, seq, {"$pull": {field: user_id}})
