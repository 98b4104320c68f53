"""SQLite one-time tokens and sessions."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection

import msgspec

from storage.errors import NotFound
from storage.records import OneTimeToken, Session
from storage.sqlite.context import SqliteContext
from storage.sqlite.tables import Table

LIVE_AMONG_CHUNK = 500
"""Token hashes per statement of :meth:`SqliteSessions.live_among` (bound parameters)."""

TOKENS = Table(
    "one_time_tokens",
    OneTimeToken,
    ("token_hash",),
    lambda token: {
        "token_hash": token.token_hash,
        "user_id": token.user_id,
        "purpose": token.purpose,
        "expires_at": token.expires_at,
    },
)
SESSIONS = Table(
    "sessions",
    Session,
    ("token_hash",),
    lambda session: {
        "token_hash": session.token_hash,
        "user_id": session.user_id,
        "created_at": session.created_at,
        "expires_at": session.expires_at,
    },
)


class SqliteTokens:
    def __init__(self, context: SqliteContext) -> None:
        self._run = context.worker.run
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
        return await self._run(lambda connection: TOKENS.insert(connection, token))

    async def consume(self, *, purpose: str, token_hash: str) -> OneTimeToken:
        now = self._clock()

        def consume(connection: sqlite3.Connection) -> OneTimeToken:
            token = TOKENS.find(connection, token_hash)
            if token is None or token.purpose != purpose:
                raise NotFound("token", purpose)
            connection.execute("DELETE FROM one_time_tokens WHERE token_hash = ?", (token_hash,))
            if token.expires_at <= now:
                raise NotFound("token", purpose)
            return token

        return await self._run(consume)

    async def revoke_all(self, user_id: str, purpose: str) -> int:
        return await self._run(
            lambda connection: (
                connection.execute(
                    "DELETE FROM one_time_tokens WHERE user_id = ? AND purpose = ?",
                    (user_id, purpose),
                ).rowcount
            )
        )

    async def purge_expired(self) -> int:
        now = self._clock()
        return await self._run(
            lambda connection: (
                connection.execute(
                    "DELETE FROM one_time_tokens WHERE expires_at <= ?", (now,)
                ).rowcount
            )
        )


class SqliteSessions:
    def __init__(self, context: SqliteContext) -> None:
        self._run = context.worker.run
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

        def insert(connection: sqlite3.Connection) -> Session:
            connection.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))
            return SESSIONS.insert(connection, session)

        return await self._run(insert)

    async def get(self, token_hash: str) -> Session | None:
        session = await self._run(lambda connection: SESSIONS.find(connection, token_hash))
        return session if session is not None and session.expires_at > self._clock() else None

    async def live_among(self, token_hashes: Collection[str]) -> set[str]:
        wanted, now = list(token_hashes), self._clock()

        def select(connection: sqlite3.Connection) -> set[str]:
            live: set[str] = set()
            for start in range(0, len(wanted), LIVE_AMONG_CHUNK):
                chunk = wanted[start:start + LIVE_AMONG_CHUNK]
                marks = ", ".join("?" * len(chunk))
                live.update(token_hash for (token_hash,) in connection.execute(
                    f"SELECT token_hash FROM sessions WHERE token_hash IN ({marks})"  # noqa: S608
                    " AND expires_at > ?",
                    (*chunk, now),
                ))
            return live

        return await self._run(select) if wanted else set()

    async def touch(self, token_hash: str, *, expires_at: float) -> Session | None:
        now = self._clock()

        def touch(connection: sqlite3.Connection) -> Session | None:
            session = SESSIONS.find(connection, token_hash)
            if session is None or session.expires_at <= now:
                return None
            return SESSIONS.update(
                connection,
                msgspec.structs.replace(session, last_seen_at=now, expires_at=expires_at),
            )

        return await self._run(touch)

    async def list_for_user(self, user_id: str) -> list[Session]:
        now = self._clock()
        return await self._run(
            lambda connection: SESSIONS.select(
                connection,
                "WHERE user_id = ? AND expires_at > ? ORDER BY created_at DESC, token_hash",
                (user_id, now),
            )
        )

    async def revoke(self, token_hash: str) -> bool:
        deleted: int = await self._run(
            lambda connection: (
                connection.execute(
                    "DELETE FROM sessions WHERE token_hash = ?", (token_hash,)
                ).rowcount
            )
        )
        return deleted > 0

    async def revoke_all(self, user_id: str, *, except_token_hash: str | None = None) -> int:
        now = self._clock()
        return await self._run(
            lambda connection: (
                connection.execute(
                    "DELETE FROM sessions WHERE user_id = ? AND token_hash != ? AND expires_at > ?",
                    (user_id, except_token_hash or "", now),
                ).rowcount
            )
        )

    async def purge_expired(self) -> int:
        now = self._clock()
        return await self._run(
            lambda connection: (
                connection.execute("DELETE FROM sessions WHERE expires_at <= ?", (now,)).rowcount
            )
        )
