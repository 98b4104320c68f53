"""Sessions in Redis: one key per token hash with a TTL, and a set per user.

The key expires with the session; reads also check ``expires_at`` against the clock,
so a session is never served past its expiry even before Redis drops it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import coredis
import msgspec

from storage.dependency import DependencyGate
from storage.realtime.redis_errors import redis_errors
from storage.records import Session

_ENCODER = msgspec.json.Encoder()
_DECODER = msgspec.json.Decoder(Session)
_MINIMUM_TTL_MS = 1


class RedisSessions:
    """:class:`storage.protocols.SessionStore` on Redis."""

    def __init__(
        self,
        client: coredis.Redis[bytes],
        *,
        prefix: str,
        clock: Callable[[], float],
        gate: DependencyGate,
    ) -> None:
        self._client = client
        self._gate = gate
        self._prefix = prefix
        self._clock = clock

    def _key(self, token_hash: str) -> str:
        return f"{self._prefix}:session:{token_hash}"

    def _user_key(self, user_id: str) -> str:
        return f"{self._prefix}:user-sessions:{user_id}"

    def _ttl_ms(self, expires_at: float) -> int:
        return max(int((expires_at - self._clock()) * 1000), _MINIMUM_TTL_MS)

    async def _store(self, session: Session) -> None:
        with redis_errors(self._gate):
            await self._client.set(
                self._key(session.token_hash),
                _ENCODER.encode(session),
                px=self._ttl_ms(session.expires_at),
            )

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
        await self._store(session)
        with redis_errors(self._gate):
            await self._client.sadd(self._user_key(user_id), [token_hash])
        return session

    async def _load(self, token_hash: str) -> Session | None:
        with redis_errors(self._gate):
            raw = await self._client.get(self._key(token_hash))
        if raw is None:
            return None
        session = _DECODER.decode(raw)
        return session if session.expires_at > self._clock() else None

    async def get(self, token_hash: str) -> Session | None:
        return await self._load(token_hash)

    async def live_among(self, token_hashes: Collection[str]) -> set[str]:
        # One key per command, as in _sessions_of; a node checks its logins through
        # CachedSessions, which asks the durable store instead.
        return {token_hash for token_hash in token_hashes
                if await self._load(token_hash) is not None}

    async def touch(self, token_hash: str, *, expires_at: float) -> Session | None:
        session = await self._load(token_hash)
        if session is None:
            return None
        session = msgspec.structs.replace(
            session, last_seen_at=self._clock(), expires_at=expires_at
        )
        await self._store(session)
        return session

    async def _sessions_of(self, user_id: str) -> tuple[list[Session], list[str]]:
        """The user's live sessions and every token hash listed for the user."""
        with redis_errors(self._gate):
            hashes = sorted(
                member.decode() for member in await self._client.smembers(self._user_key(user_id))
            )
            # One key per command (not MGET): a user's session keys span cluster slots.
            raws = [await self._client.get(self._key(token_hash)) for token_hash in hashes]
        now = self._clock()
        live = [_DECODER.decode(raw) for raw in raws if raw is not None]
        return [session for session in live if session.expires_at > now], hashes

    async def list_for_user(self, user_id: str) -> list[Session]:
        live, _ = await self._sessions_of(user_id)
        return sorted(live, key=lambda session: (-session.created_at, session.token_hash))

    async def put(self, session: Session, *, ttl_cap: float) -> None:
        """Cache ``session`` (:mod:`storage.realtime.cached_sessions`): its key alone, for
        at most ``ttl_cap`` seconds and never past its expiry."""
        ttl_ms = min(self._ttl_ms(session.expires_at), int(ttl_cap * 1000))
        with redis_errors(self._gate):
            await self._client.set(
                self._key(session.token_hash), _ENCODER.encode(session), px=ttl_ms
            )

    async def forget(self, token_hashes: list[str]) -> None:
        """Drop the cached sessions ``token_hashes`` (their keys only)."""
        with redis_errors(self._gate):
            for token_hash in token_hashes:  # one key per command: keys span cluster slots
                await self._client.delete([self._key(token_hash)])

    async def revoke(self, token_hash: str) -> bool:
        with redis_errors(self._gate):
            raw = await self._client.get(self._key(token_hash))
            if raw is None:
                return False
            session = _DECODER.decode(raw)
            await self._client.delete([self._key(token_hash)])
            await self._client.srem(self._user_key(session.user_id), [token_hash])
        return session.expires_at > self._clock()

    async def revoke_all(self, user_id: str, *, except_token_hash: str | None = None) -> int:
        live, hashes = await self._sessions_of(user_id)
        doomed = [token_hash for token_hash in hashes if token_hash != except_token_hash]
        if doomed:
            with redis_errors(self._gate):
                for token_hash in doomed:  # one key per command: keys span cluster slots
                    await self._client.delete([self._key(token_hash)])
                await self._client.srem(self._user_key(user_id), doomed)
        return sum(session.token_hash != except_token_hash for session in live)
