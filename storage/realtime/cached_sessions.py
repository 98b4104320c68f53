"""Login sessions that survive Redis: the document store holds them, Redis caches them.

:class:`CachedSessions` is the :class:`~storage.protocols.SessionStore` of a node with
Redis.  The store (MongoDB or SQLite) is the truth: every session is created, slid
(``touch``, at most once a minute per session) and revoked there.  Redis is a
read-through cache in front of it, so most requests cost no store read; a Redis restarted
empty, replaced, or flushed only costs cache misses, and logs nobody out.

* **Reads** try Redis first; a miss, or Redis unavailable, reads the store (and fills
  the cache when it can).  Cached entries live at most :data:`CACHE_TTL_SECONDS`, which
  bounds how long a revocation that could not reach Redis (see below) stays unseen.
* **Revocations** write the store, then delete the cached entry.  If Redis cannot be
  reached for the delete, the revocation fails ``StorageUnavailable`` (503): it is done
  in the store, and retrying it clears the cache.
* **Writes to the cache** other than deletes are best effort: the store already has them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection

from storage.errors import StorageUnavailable
from storage.protocols import SessionStore
from storage.realtime.redis_sessions import RedisSessions
from storage.records import Session

CACHE_TTL_SECONDS = 300.0


class CachedSessions:
    """A durable :class:`SessionStore` with a Redis cache in front; see the module."""

    def __init__(self, durable: SessionStore, cache: RedisSessions) -> None:
        self._durable = durable
        self._cache = cache

    async def _fill(self, session: Session) -> None:
        # The store has it: if Redis is away, the next read misses the cache, nothing more.
        with contextlib.suppress(StorageUnavailable):
            await self._cache.put(session, ttl_cap=CACHE_TTL_SECONDS)

    async def create(
        self,
        *,
        token_hash: str,
        user_id: str,
        expires_at: float,
        user_agent: str = "",
        ip_address: str = "",
    ) -> Session:
        session = await self._durable.create(
            token_hash=token_hash, user_id=user_id, expires_at=expires_at,
            user_agent=user_agent, ip_address=ip_address,
        )
        await self._fill(session)
        return session

    async def get(self, token_hash: str) -> Session | None:
        try:
            cached = await self._cache.get(token_hash)
        except StorageUnavailable:
            return await self._durable.get(token_hash)
        if cached is not None:
            return cached
        session = await self._durable.get(token_hash)
        if session is not None:
            await self._fill(session)
        return session

    async def live_among(self, token_hashes: Collection[str]) -> set[str]:
        # The store is the truth and answers many in one read; the cache, key by key.
        return await self._durable.live_among(token_hashes)

    async def touch(self, token_hash: str, *, expires_at: float) -> Session | None:
        session = await self._durable.touch(token_hash, expires_at=expires_at)
        if session is not None:
            await self._fill(session)
        return session

    async def list_for_user(self, user_id: str) -> list[Session]:
        return await self._durable.list_for_user(user_id)

    async def revoke(self, token_hash: str) -> bool:
        revoked = await self._durable.revoke(token_hash)
        await self._cache.forget([token_hash])
        return revoked

    async def revoke_all(self, user_id: str, *, except_token_hash: str | None = None) -> int:
        sessions = await self._durable.list_for_user(user_id)
        revoked = await self._durable.revoke_all(user_id, except_token_hash=except_token_hash)
        doomed = [s.token_hash for s in sessions if s.token_hash != except_token_hash]
        if doomed:
            await self._cache.forget(doomed)
        return revoked
