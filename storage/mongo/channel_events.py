"""Mongo channel event logs.

As for room messages, a per-channel counter document bumped with ``$inc`` by
``find_one_and_update`` hands out the numbers, and the events are inserted under a unique
``(channel, seq)`` index.  A per-channel lock, held across both writes and by
:meth:`MongoChannelEvents.last_seq`, keeps FerretDB exact within the node and makes a
reported ``last_seq`` always readable with :meth:`MongoChannelEvents.since`.
"""

from __future__ import annotations

from pymongo import ASCENDING, ReturnDocument

from storage.mongo.documents import Document, MongoContext
from storage.records import ChannelEvent
from storage.rules import page_limit


class MongoChannelEvents:
    def __init__(self, context: MongoContext) -> None:
        self._collection = context.database["channel_events"]
        self._counters = context.database["channel_counters"]
        self._call = context.executor.call
        self._clock = context.clock
        self._locks = context.locks

    async def append(self, channel: str, *, kind: str, data: str) -> ChannelEvent:
        async with self._locks.hold(f"channel_counters:{channel}"):
            counter = await self._call(
                lambda: self._counters.find_one_and_update(
                    {"_id": channel},
                    {"$inc": {"last_seq": 1}},
                    upsert=True,
                    return_document=ReturnDocument.AFTER,
                ),
                idempotent=False,
            )
            assert counter is not None, "an upsert returning the new document returns one"
            event = ChannelEvent(
                channel=channel,
                seq=int(counter["last_seq"]),
                kind=kind,
                data=data,
                created_at=self._clock(),
            )
            document: Document = {
                "_id": f"{channel}#{event.seq}",
                "channel": channel,
                "seq": event.seq,
                "kind": kind,
                "data": data,
                "created_at": event.created_at,
            }
            await self._call(lambda: self._collection.insert_one(document), idempotent=False)
        return event

    async def last_seq(self, channel: str) -> int:
        # Under the append lock: a number is never reported before its event is inserted.
        async with self._locks.hold(f"channel_counters:{channel}"):
            found = await self._call(lambda: self._counters.find_one({"_id": channel}))
        return 0 if found is None else int(found["last_seq"])

    async def since(self, channel: str, *, after_seq: int, limit: int = 200) -> list[ChannelEvent]:
        query = {"channel": channel, "seq": {"$gt": after_seq}}
        limit = page_limit(limit)
        found = await self._call(
            lambda: list(self._collection.find(query).sort("seq", ASCENDING).limit(limit))
        )
        return [
            ChannelEvent(
                channel=document["channel"],
                seq=int(document["seq"]),
                kind=document["kind"],
                data=document["data"],
                created_at=float(document["created_at"]),
            )
            for document in found
        ]
