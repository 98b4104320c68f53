"""Mongo one-time tokens and sessions."""

from __future__ import annotations

import functools
from collections.abc import Collection

from pymongo import ASCENDING, DESCENDING, ReturnDocument

from storage.errors import NotFound
from storage.mongo.documents import Codec, MongoContext
from storage.records import OneTimeToken, Session

LIVE_AMONG_CHUNK = 1000
"""Token hashes per query of :meth:`MongoSessions.live_among`."""

TOKENS = Codec(OneTimeToken, id_field="token_hash")
SESSIONS = Codec(Session, id_field="token_hash")


class MongoTokens:
    def __init__(self, context: MongoContext) -> None:
        self._collection = context.database["one_time_tokens"]
        self._locks = context.locks
        self._call = context.executor.call
        self._clock = context.clock

    async def issue(
        self, *, user_id: str, purpose: str, token_hash: str, expires_at: float
    ) -> OneTimeToken:
        token = OneTimeToken(
            token_hash=token_hash,
            user_id=user_id,
            purpose=purpose,
            created_at=self._clock(),
            expires_at=expires_at,
        )
        await self._call(
            lambda: self._collection.insert_one(TOKENS.encode(token)), idempotent=False
        )
        return token

    async def consume(self, *, purpose: str, token_hash: str) -> OneTimeToken:
        now = self._clock()
        async with self._locks.hold(f"one_time_tokens:{token_hash}"):
            found = await self._call(
                lambda: self._collection.find_one_and_delete(
                    {"_id": token_hash, "purpose": purpose}
                ),
                idempotent=False,
            )
        token = TOKENS.decode_or_raise(found, "token", purpose)
        if token.expires_at <= now:
            raise NotFound("token", purpose)
        return token

    async def revoke_all(self, user_id: str, purpose: str) -> int:
        result = await self._call(
            lambda: self._collection.delete_many({"user_id": user_id, "purpose": purpose})
        )
        return result.deleted_count

    async def purge_expired(self) -> int:
        query = {"expires_at": {"$lte": self._clock()}}
        result = await self._call(lambda: self._collection.delete_many(query))
        return result.deleted_count


class MongoSessions:
    def __init__(self, context: MongoContext) -> None:
        self._collection = context.database["sessions"]
        self._call = context.executor.call
        self._clock = context.clock

    async def create(
        self,
        *,
        token_hash: str,
        user_id: str,
        expires_at: float,
        user_agent: str = "",
        ip_address: str = "",
    ) -> Session:
        now = self._clock()
        session = Session(
            token_hash=token_hash,
            user_id=user_id,
            created_at=now,
            last_seen_at=now,
            expires_at=expires_at,
            user_agent=user_agent,
            ip_address=ip_address,
        )
        document = SESSIONS.encode(session)
        await self._call(
            lambda: self._collection.replace_one({"_id": token_hash}, document, upsert=True)
        )
        return session

    async def get(self, token_hash: str) -> Session | None:
        query = {"_id": token_hash, "expires_at": {"$gt": self._clock()}}
        found = await self._call(lambda: self._collection.find_one(query))
        return None if found is None else SESSIONS.decode(found)

    async def live_among(self, token_hashes: Collection[str]) -> set[str]:
        wanted, now = list(token_hashes), self._clock()
        live: set[str] = set()
        for start in range(0, len(wanted), LIVE_AMONG_CHUNK):
            query = {"_id": {"$in": wanted[start:start + LIVE_AMONG_CHUNK]},
                     "expires_at": {"$gt": now}}
            found = await self._call(functools.partial(self._live_ids, query))
            live.update(found)
        return live

    def _live_ids(self, query: dict[str, object]) -> list[str]:
        return [str(document["_id"]) for document in self._collection.find(query, {"_id": 1})]

    async def touch(self, token_hash: str, *, expires_at: float) -> Session | None:
        now = self._clock()
        found = await self._call(
            lambda: self._collection.find_one_and_update(
                {"_id": token_hash, "expires_at": {"$gt": now}},
                {"$set": {"last_seen_at": now, "expires_at": expires_at}},
                return_document=ReturnDocument.AFTER,
            )
        )
        return None if found is None else SESSIONS.decode(found)

    async def list_for_user(self, user_id: str) -> list[Session]:
        query = {"user_id": user_id, "expires_at": {"$gt": self._clock()}}
        found = await self._call(
            lambda: list(
                self._collection.find(query).sort([("created_at", DESCENDING), ("_id", ASCENDING)])
            )
        )
        return [SESSIONS.decode(document) for document in found]

    async def revoke(self, token_hash: str) -> bool:
        result = await self._call(lambda: self._collection.delete_one({"_id": token_hash}))
        return result.deleted_count > 0

    async def revoke_all(self, user_id: str, *, except_token_hash: str | None = None) -> int:
        query = {
            "user_id": user_id,
            "_id": {"$ne": except_token_hash or ""},
            "expires_at": {"$gt": self._clock()},
        }
        result = await self._call(lambda: self._collection.delete_many(query))
        return result.deleted_count

    async def purge_expired(self) -> int:
        query = {"expires_at": {"$lte": self._clock()}}
        result = await self._call(lambda: self._collection.delete_many(query))
        return result.deleted_count
