"""Mongo personal access tokens and bot ownership (:class:`ApiTokenStore`)."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING

from storage.errors import Conflict
from storage.mongo.documents import Codec, MongoContext
from storage.records.api_tokens import ApiToken, BotOwnership

API_TOKENS = Codec(ApiToken)
BOT_OWNERS = Codec(BotOwnership, id_field="bot_id")


class MongoApiTokens:
    def __init__(self, context: MongoContext) -> None:
        self._tokens = context.database["api_tokens"]
        self._bots = context.database["bot_owners"]
        self._call = context.executor.call
        self._ids = context.ids
        self._clock = context.clock

    async def create(
        self,
        *,
        token_hash: str,
        user_id: str,
        owner_id: str,
        name: str,
        scopes: tuple[str, ...],
        expires_at: float,
    ) -> ApiToken:
        token = ApiToken(
            id=self._ids.new_id(), token_hash=token_hash, user_id=user_id, owner_id=owner_id,
            name=name, scopes=scopes, created_at=self._clock(), expires_at=expires_at,
        )
        try:
            await self._call(
                lambda: self._tokens.insert_one(API_TOKENS.encode(token)), idempotent=False
            )
        except Conflict:
            raise Conflict("api_token") from None
        return token

    async def find(self, token_hash: str) -> ApiToken | None:
        found = await self._call(lambda: self._tokens.find_one({"token_hash": token_hash}))
        return None if found is None else API_TOKENS.decode(found)

    async def list_for_owner(
        self, owner_id: str, *, before_id: str | None = None, limit: int = 50
    ) -> list[ApiToken]:
        query: dict[str, Any] = {"owner_id": owner_id}
        if before_id is not None:
            query["_id"] = {"$lt": before_id}
        found = await self._call(
            lambda: list(self._tokens.find(query).sort([("_id", DESCENDING)]).limit(limit))
        )
        return [API_TOKENS.decode(document) for document in found]

    async def count_for_owner(self, owner_id: str) -> int:
        return await self._call(lambda: self._tokens.count_documents({"owner_id": owner_id}))

    async def touch(self, token_id: str, used_at: float) -> None:
        await self._call(
            lambda: self._tokens.update_one({"_id": token_id}, {"$set": {"last_used_at": used_at}})
        )

    async def remove(self, owner_id: str, token_id: str) -> ApiToken | None:
        found = await self._call(
            lambda: self._tokens.find_one_and_delete({"_id": token_id, "owner_id": owner_id}),
            idempotent=False,
        )
        return None if found is None else API_TOKENS.decode(found)

    async def remove_for_user(self, user_id: str) -> list[ApiToken]:
        query = {"$or": [{"user_id": user_id}, {"owner_id": user_id}]}
        found = await self._call(lambda: list(self._tokens.find(query)))
        await self._call(lambda: self._tokens.delete_many(query))
        return [API_TOKENS.decode(document) for document in found]

    async def add_bot(self, bot_id: str, owner_id: str) -> BotOwnership:
        ownership = BotOwnership(bot_id=bot_id, owner_id=owner_id, created_at=self._clock())
        try:
            await self._call(
                lambda: self._bots.insert_one(BOT_OWNERS.encode(ownership)), idempotent=False
            )
        except Conflict:
            raise Conflict("bot") from None
        return ownership

    async def bots_of(self, owner_id: str) -> list[BotOwnership]:
        found = await self._call(
            lambda: list(
                self._bots.find({"owner_id": owner_id}).sort(
                    [("created_at", ASCENDING), ("_id", ASCENDING)]
                )
            )
        )
        return [BOT_OWNERS.decode(document) for document in found]
