"""Mongo friendships: one document per pair of users, keyed by the pair.

A change is a conditional single-document write (insert under the pair's ``_id``, or an
update that matches only the expected state), so two concurrent requests of one pair
cannot both win; ``users`` holds both ids for the friends list.
"""

from __future__ import annotations

import functools
from typing import Any, Literal

from pymongo import DESCENDING, ReturnDocument

from storage.errors import Conflict, NotFound
from storage.keys import conversation_id
from storage.mongo.documents import Codec, Document, MongoContext
from storage.protocols.social import RequestDirection
from storage.records.social import Friendship
from storage.rules import page_limit

FRIENDSHIPS = Codec(
    Friendship,
    id_field="pair",
    extra=lambda record: {"users": [record.requester_id, record.addressee_id]},
)
ATTEMPTS = 4
"""Reads and conditional writes of one pair before :meth:`MongoFriends.request` gives up."""


def _without_users(document: Document) -> Document:
    return {key: value for key, value in document.items() if key != "users"}


class MongoFriends:
    """Implements :class:`storage.protocols.social.FriendStore` on MongoDB."""

    def __init__(self, context: MongoContext) -> None:
        self._collection = context.database["friendships"]
        self._call = context.executor.call
        self._clock = context.clock
        self._ids = context.ids

    def _decode(self, document: Document) -> Friendship:
        return FRIENDSHIPS.decode(_without_users(document))

    async def _accept(self, pair: str, requester_id: str) -> Friendship | None:
        change = {
            "$set": {"state": "accepted", "id": self._ids.new_id(), "accepted_at": self._clock()}
        }
        found = await self._call(
            lambda: self._collection.find_one_and_update(
                {"_id": pair, "state": "pending", "requester_id": requester_id},
                change,
                return_document=ReturnDocument.AFTER,
            )
        )
        return None if found is None else self._decode(found)

    async def request(self, requester_id: str, addressee_id: str) -> tuple[Friendship, bool]:
        pair = conversation_id(requester_id, addressee_id)
        for _ in range(ATTEMPTS):
            found = await self._call(lambda: self._collection.find_one({"_id": pair}))
            if found is None:
                created = Friendship(
                    pair=pair, id=self._ids.new_id(), requester_id=requester_id,
                    addressee_id=addressee_id, state="pending", created_at=self._clock(),
                )
                insert = functools.partial(
                    self._collection.insert_one, FRIENDSHIPS.encode(created)
                )
                try:
                    await self._call(insert, idempotent=False)
                except Conflict:
                    continue  # the other user asked at the same moment: read again
                return created, True
            current = self._decode(found)
            if current.state == "pending" and current.requester_id == addressee_id:
                accepted = await self._accept(pair, addressee_id)
                if accepted is not None:
                    return accepted, True
                continue
            return current, False
        raise Conflict("friendship")

    async def accept(self, addressee_id: str, requester_id: str) -> Friendship:
        pair = conversation_id(requester_id, addressee_id)
        found = await self._call(
            lambda: self._collection.find_one(
                {"_id": pair, "state": "pending", "addressee_id": addressee_id}
            )
        )
        accepted = None if found is None else await self._accept(pair, requester_id)
        if accepted is None:
            raise NotFound("friend_request", pair)
        return accepted

    async def drop_request(self, requester_id: str, addressee_id: str) -> bool:
        selector = {
            "_id": conversation_id(requester_id, addressee_id),
            "state": "pending",
            "requester_id": requester_id,
        }
        result = await self._call(lambda: self._collection.delete_one(selector))
        return result.deleted_count > 0

    async def unfriend(self, user_id: str, other_id: str) -> bool:
        selector = {"_id": conversation_id(user_id, other_id), "state": "accepted"}
        result = await self._call(lambda: self._collection.delete_one(selector))
        return result.deleted_count > 0

    async def get(self, user_id: str, other_id: str) -> Friendship | None:
        pair = conversation_id(user_id, other_id)
        found = await self._call(lambda: self._collection.find_one({"_id": pair}))
        return None if found is None else self._decode(found)

    async def _page(
        self, query: dict[str, Any], before_id: str | None, limit: int
    ) -> list[Friendship]:
        if before_id is not None:
            query["id"] = {"$lt": before_id}
        limit = page_limit(limit)
        found = await self._call(
            lambda: list(self._collection.find(query).sort("id", DESCENDING).limit(limit))
        )
        return [self._decode(document) for document in found]

    async def list_friends(
        self, user_id: str, *, before_id: str | None = None, limit: int = 50
    ) -> list[Friendship]:
        return await self._page({"users": user_id, "state": "accepted"}, before_id, limit)

    async def list_requests(
        self,
        user_id: str,
        direction: RequestDirection,
        *,
        before_id: str | None = None,
        limit: int = 50,
    ) -> list[Friendship]:
        field = "addressee_id" if direction == "incoming" else "requester_id"
        return await self._page({field: user_id, "state": "pending"}, before_id, limit)

    async def count(self, user_id: str, what: Literal["friends", "outgoing"]) -> int:
        query = (
            {"users": user_id, "state": "accepted"}
            if what == "friends"
            else {"requester_id": user_id, "state": "pending"}
        )
        counted: int = await self._call(lambda: self._collection.count_documents(query))
        return counted

    async def erase_user(self, user_id: str) -> int:
        result = await self._call(lambda: self._collection.delete_many({"users": user_id}))
        return int(result.deleted_count)
