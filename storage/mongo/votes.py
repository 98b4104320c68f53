"""Mongo votes: a vote document per (item, user) and ``$inc`` of deltas on the item.

The vote document is swapped atomically (``find_one_and_update`` returning the old
value), so concurrent votes serialise there and the deltas applied to the item add up
exactly. Without transactions a crash between the two writes can leave the item's
counts off by that one vote; the vote documents stay the truth to recount from.
"""

from __future__ import annotations

from collections.abc import Sequence

from pymongo import ReturnDocument
from pymongo.collection import Collection

from storage.errors import Conflict, NotFound
from storage.mongo.documents import Document, MongoContext
from storage.records import VoteTally, VoteValue
from storage.rules import check_vote, hot_score, vote_deltas


class MongoVotes:
    """Votes on the items of one collection (``posts`` or ``comments``)."""

    def __init__(self, context: MongoContext, items: str, *, ranked: bool) -> None:
        self._votes = context.database["votes"]
        self._items: Collection[Document] = context.database[items]
        self._kind = items.rstrip("s")
        self._call = context.executor.call
        self._ranked = ranked
        self._locks = context.locks
        self._items_name = items

    async def _swap(self, item_id: str, user_id: str, value: VoteValue) -> int:
        fields = {"item_id": item_id, "user_id": user_id, "value": value}
        for _ in range(3):
            try:
                previous = await self._call(
                    lambda: self._votes.find_one_and_update(
                        {"_id": f"{item_id}:{user_id}"},
                        {"$set": fields},
                        upsert=True,
                        return_document=ReturnDocument.BEFORE,
                    ),
                    idempotent=False,
                )
            except Conflict:
                continue  # two first votes raced on the upsert; the loser retries as an update
            return 0 if previous is None else int(previous["value"])
        raise Conflict("vote")

    async def vote(self, item_id: str, user_id: str, value: VoteValue) -> VoteTally:
        value = check_vote(value)
        async with self._locks.hold(f"{self._items_name}:{item_id}"):
            return await self._vote(item_id, user_id, value)

    async def _vote(self, item_id: str, user_id: str, value: VoteValue) -> VoteTally:
        exists = await self._call(lambda: self._items.find_one({"_id": item_id}, {"_id": 1}))
        if exists is None:
            raise NotFound(self._kind, item_id)
        old = await self._swap(item_id, user_id, value)
        score, up, down = vote_deltas(old, value)
        item = await self._call(
            lambda: self._items.find_one_and_update(
                {"_id": item_id},
                {"$inc": {"score": score, "upvotes": up, "downvotes": down}},
                return_document=ReturnDocument.AFTER,
            ),
            idempotent=False,
        )
        if item is None:
            raise NotFound(self._kind, item_id)
        if self._ranked:
            # Only the writer that still sees its own score sets the rank, so the last
            # vote's rank wins whatever order the threads finish in.
            hot = hot_score(item["score"], item["created_at"])
            await self._call(
                lambda: self._items.update_one(
                    {"_id": item_id, "score": item["score"]}, {"$set": {"hot": hot}}
                )
            )
        return VoteTally(
            item_id=item_id,
            score=item["score"],
            upvotes=item["upvotes"],
            downvotes=item["downvotes"],
            vote=value,
        )

    async def votes_of(self, user_id: str, item_ids: Sequence[str]) -> dict[str, VoteValue]:
        keys = [f"{item_id}:{user_id}" for item_id in item_ids]
        found = await self._call(
            lambda: list(self._votes.find({"_id": {"$in": keys}, "value": {"$ne": 0}}))
        )
        return {document["item_id"]: check_vote(document["value"]) for document in found}
