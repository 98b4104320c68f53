"""Mongo read positions and unread mentions (:class:`storage.protocols.reading.ReadPositionStore`).

Collections ``read_positions`` (``_id`` ``user|channel``, moved forward with ``$max``, so
concurrent writers never move one back) and ``unread_mentions`` (``_id``
``user|channel|seq``; index ``user_id, channel, seq``).  A position moving forward deletes
the mentions it covers, so a count reads one index range.  Unread room messages are
counted over the ``messages`` index ``room_seq`` from the position up, and topic feeds
over ``channel_events`` ``channel_seq``, each with ``limit=cap``.  The counts of one
request run in one worker call (one thread hop, a round trip per channel).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import DeleteMany, UpdateOne

from storage.mongo.bulk import bulk_write_chunked
from storage.mongo.documents import MongoContext
from storage.protocols.reading import COUNT_CAP


def _key(*parts: object) -> str:
    return "|".join(str(part) for part in parts)


class MongoReadPositions:
    def __init__(self, context: MongoContext) -> None:
        self._positions = context.database["read_positions"]
        self._mentions = context.database["unread_mentions"]
        self._messages = context.database["messages"]
        self._events = context.database["channel_events"]
        self._call = context.executor.call
        self._clock = context.clock

    async def advance(self, moves: Sequence[tuple[str, str, int]]) -> None:
        if not moves:
            return
        now = self._clock()
        updates = [
            UpdateOne(
                {"_id": _key(user_id, channel)},
                {"$max": {"seq": seq}, "$set": {"user_id": user_id, "channel": channel,
                                               "updated_at": now}},
                upsert=True,
            )
            for user_id, channel, seq in moves
        ]
        forgets = [
            DeleteMany({"user_id": user_id, "channel": channel, "seq": {"$lte": seq}})
            for user_id, channel, seq in moves
        ]
        await self._call(lambda: bulk_write_chunked(self._positions, updates, ordered=False))
        await self._call(lambda: bulk_write_chunked(self._mentions, forgets, ordered=False))

    async def positions(self, user_id: str, channels: Sequence[str]) -> dict[str, int]:
        keys = [_key(user_id, channel) for channel in dict.fromkeys(channels)]
        if not keys:
            return {}
        found = await self._call(
            lambda: list(self._positions.find({"_id": {"$in": keys}}, {"channel": 1, "seq": 1}))
        )
        return {document["channel"]: int(document["seq"]) for document in found}

    async def record_mentions(self, channel: str, seq: int, user_ids: Sequence[str]) -> None:
        if not user_ids:
            return
        inserts = [
            UpdateOne(
                {"_id": _key(user_id, channel, seq)},
                {"$setOnInsert": {"user_id": user_id, "channel": channel, "seq": seq}},
                upsert=True,
            )
            for user_id in dict.fromkeys(user_ids)
        ]
        await self._call(lambda: bulk_write_chunked(self._mentions, inserts, ordered=False))

    async def _counts(self, collection: Any, queries: dict[str, dict[str, Any]], cap: int
                      ) -> dict[str, int]:
        def count() -> dict[str, int]:
            found: dict[str, int] = {}
            for key, query in queries.items():
                number = collection.count_documents(query, limit=cap)
                if number:
                    found[key] = int(number)
            return found

        return await self._call(count) if queries else {}

    async def mention_counts(
        self, user_id: str, positions: Mapping[str, int], *, cap: int = COUNT_CAP
    ) -> dict[str, int]:
        queries = {
            channel: {"user_id": user_id, "channel": channel, "seq": {"$gt": seq}}
            for channel, seq in positions.items()
        }
        return await self._counts(self._mentions, queries, cap)

    async def unread_room_messages(
        self, user_id: str, positions: Mapping[str, int], *, cap: int = COUNT_CAP
    ) -> dict[str, int]:
        queries = {
            room_id: {"room_id": room_id, "seq": {"$gt": seq}, "kind": "text",
                      "deleted_at": None, "author_id": {"$ne": user_id}}
            for room_id, seq in positions.items()
        }
        return await self._counts(self._messages, queries, cap)

    async def unread_feed_posts(
        self, positions: Mapping[str, int], *, cap: int = COUNT_CAP
    ) -> dict[str, int]:
        queries = {
            channel: {"channel": channel, "seq": {"$gt": seq}, "kind": "post_created"}
            for channel, seq in positions.items()
        }
        return await self._counts(self._events, queries, cap)
