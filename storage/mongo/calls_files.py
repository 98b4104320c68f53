"""Mongo call log and file metadata."""

from __future__ import annotations

from pymongo import ASCENDING, DESCENDING, ReturnDocument

from storage.errors import Conflict
from storage.mongo.documents import Codec, Document, MongoContext
from storage.records import Call, CallOutcome, FileRecord
from storage.rules import page_limit

CALLS = Codec(Call)
FILES = Codec(FileRecord)


class MongoCalls:
    def __init__(self, context: MongoContext) -> None:
        self._collection = context.database["calls"]
        self._locks = context.locks
        self._call = context.executor.call
        self._ids = context.ids
        self._clock = context.clock

    async def start(self, *, context_id: str, initiator_id: str, kind: str = "audio") -> Call:
        call = Call(
            id=self._ids.new_id(),
            context_id=context_id,
            initiator_id=initiator_id,
            kind=kind,
            started_at=self._clock(),
            participant_ids=(initiator_id,),
        )
        await self._call(lambda: self._collection.insert_one(CALLS.encode(call)), idempotent=False)
        return call

    async def join(self, call_id: str, user_id: str) -> Call:
        async with self._locks.hold(f"calls:{call_id}"):
            found = await self._call(
                lambda: self._collection.find_one_and_update(
                    {"_id": call_id},
                    {"$addToSet": {"participant_ids": user_id}},
                    return_document=ReturnDocument.AFTER,
                )
            )
        return CALLS.decode_or_raise(found, "call", call_id)

    async def end(self, call_id: str, *, outcome: CallOutcome) -> Call:
        async with self._locks.hold(f"calls:{call_id}"):
            found = await self._call(
                lambda: self._collection.find_one_and_update(
                    {"_id": call_id, "ended_at": None},
                    {"$set": {"ended_at": self._clock(), "outcome": outcome}},
                    return_document=ReturnDocument.AFTER,
                )
            )
        if found is None:
            await self.get(call_id)
            raise Conflict("state", "the call already ended")
        return CALLS.decode(found)

    async def get(self, call_id: str) -> Call:
        found = await self._call(lambda: self._collection.find_one({"_id": call_id}))
        return CALLS.decode_or_raise(found, "call", call_id)

    async def list_unfinished(self, *, started_before: float, limit: int = 100) -> list[Call]:
        query = {"ended_at": None, "started_at": {"$lt": started_before}}
        limit = page_limit(limit)
        found = await self._call(
            lambda: list(self._collection.find(query).sort("started_at", ASCENDING).limit(limit))
        )
        return [CALLS.decode(document) for document in found]

    async def list_for_user(
        self, user_id: str, *, before_id: str | None = None, limit: int = 50
    ) -> list[Call]:
        query: Document = {"participant_ids": user_id}
        if before_id is not None:
            query["_id"] = {"$lt": before_id}
        limit = page_limit(limit)
        found = await self._call(
            lambda: list(self._collection.find(query).sort("_id", DESCENDING).limit(limit))
        )
        return [CALLS.decode(document) for document in found]


class MongoFiles:
    def __init__(self, context: MongoContext) -> None:
        self._collection = context.database["files"]
        self._call = context.executor.call
        self._ids = context.ids
        self._clock = context.clock

    async def create(
        self, *, owner_id: str, name: str, content_type: str, size: int, blob_key: str
    ) -> FileRecord:
        record = FileRecord(
            id=self._ids.new_id(),
            owner_id=owner_id,
            name=name,
            content_type=content_type,
            size=size,
            blob_key=blob_key,
            created_at=self._clock(),
        )
        await self._call(
            lambda: self._collection.insert_one(FILES.encode(record)), idempotent=False
        )
        return record

    async def get(self, file_id: str) -> FileRecord:
        found = await self._call(lambda: self._collection.find_one({"_id": file_id}))
        return FILES.decode_or_raise(found, "file", file_id)

    async def delete(self, file_id: str) -> FileRecord:
        found = await self._call(lambda: self._collection.find_one_and_delete({"_id": file_id}))
        return FILES.decode_or_raise(found, "file", file_id)

    async def list_for_owner(
        self, owner_id: str, *, before_id: str | None = None, limit: int = 50
    ) -> list[FileRecord]:
        query: Document = {"owner_id": owner_id}
        if before_id is not None:
            query["_id"] = {"$lt": before_id}
        limit = page_limit(limit)
        found = await self._call(
            lambda: list(self._collection.find(query).sort("_id", DESCENDING).limit(limit))
        )
        return [FILES.decode(document) for document in found]
