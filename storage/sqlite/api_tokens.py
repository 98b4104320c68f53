"""SQLite personal access tokens and bot ownership (:class:`ApiTokenStore`)."""

from __future__ import annotations

import sqlite3

import msgspec

from storage.errors import Conflict, NotFound
from storage.records.api_tokens import ApiToken, BotOwnership
from storage.sqlite.context import SqliteContext
from storage.sqlite.tables import Table

API_TOKENS = Table(
    "api_tokens",
    ApiToken,
    ("id",),
    lambda token: {
        "id": token.id,
        "token_hash": token.token_hash,
        "user_id": token.user_id,
        "owner_id": token.owner_id,
    },
)
BOT_OWNERS = Table(
    "bot_owners",
    BotOwnership,
    ("bot_id",),
    lambda bot: {"bot_id": bot.bot_id, "owner_id": bot.owner_id, "created_at": bot.created_at},
)


class SqliteApiTokens:
    def __init__(self, context: SqliteContext) -> None:
        self._run = context.worker.run
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
        def insert(connection: sqlite3.Connection) -> ApiToken:
            try:
                return API_TOKENS.insert(connection, token)
            except sqlite3.IntegrityError as error:
                raise Conflict("api_token") from error

        return await self._run(insert)

    async def find(self, token_hash: str) -> ApiToken | None:
        found = await self._run(
            lambda connection: API_TOKENS.select(
                connection, "WHERE token_hash = ?", (token_hash,)
            )
        )
        return found[0] if found else None

    async def list_for_owner(
        self, owner_id: str, *, before_id: str | None = None, limit: int = 50
    ) -> list[ApiToken]:
        tail = "WHERE owner_id = ? AND id < ? ORDER BY id DESC LIMIT ?"
        parameters = (owner_id, before_id if before_id is not None else "\uffff", limit)
        return await self._run(lambda connection: API_TOKENS.select(connection, tail, parameters))

    async def count_for_owner(self, owner_id: str) -> int:
        def count(connection: sqlite3.Connection) -> int:
            row = connection.execute(
                "SELECT count(*) FROM api_tokens WHERE owner_id = ?", (owner_id,)
            ).fetchone()
            return int(row[0])

        return await self._run(count)

    async def touch(self, token_id: str, used_at: float) -> None:
        def modify(connection: sqlite3.Connection) -> None:
            try:
                API_TOKENS.modify(
                    connection, (token_id,),
                    lambda token: msgspec.structs.replace(token, last_used_at=used_at),
                )
            except NotFound:
                return

        await self._run(modify)

    async def remove(self, owner_id: str, token_id: str) -> ApiToken | None:
        def delete(connection: sqlite3.Connection) -> ApiToken | None:
            found = API_TOKENS.find(connection, token_id)
            if found is None or found.owner_id != owner_id:
                return None
            connection.execute("DELETE FROM api_tokens WHERE id = ?", (token_id,))
            return found

        return await self._run(delete)

    async def remove_for_user(self, user_id: str) -> list[ApiToken]:
        def delete(connection: sqlite3.Connection) -> list[ApiToken]:
            where = "WHERE user_id = ? OR owner_id = ?"
            found = API_TOKENS.select(connection, where, (user_id, user_id))
            connection.execute(f"DELETE FROM api_tokens {where}", (user_id, user_id))  # noqa: S608
            return found

        return await self._run(delete)

    async def add_bot(self, bot_id: str, owner_id: str) -> BotOwnership:
        ownership = BotOwnership(bot_id=bot_id, owner_id=owner_id, created_at=self._clock())
        def insert(connection: sqlite3.Connection) -> BotOwnership:
            try:
                return BOT_OWNERS.insert(connection, ownership)
            except sqlite3.IntegrityError as error:
                raise Conflict("bot") from error

        return await self._run(insert)

    async def bots_of(self, owner_id: str) -> list[BotOwnership]:
        return await self._run(
            lambda connection: BOT_OWNERS.select(
                connection, "WHERE owner_id = ? ORDER BY created_at, bot_id", (owner_id,)
            )
        )
