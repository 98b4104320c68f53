"""In-process twins of the Redis services, for embedded (single-node) mode.

Same protocols and contract as the Redis versions; state lives in the instance and
expiry is checked against the injected clock on access.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Sequence

import msgspec
import trio

from storage.realtime.keys import cache_key
from storage.realtime.protocols import BusMessage, BusOverflow, KeyPart, RateDecision
from storage.records import Session


class MemorySessions:
    """:class:`storage.protocols.SessionStore` in a dict."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._sessions: dict[str, Session] = {}

    def _live(self, token_hash: str) -> Session | None:
        session = self._sessions.get(token_hash)
        if session is not None and session.expires_at <= self._clock():
            del self._sessions[token_hash]
            return None
        return session

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
        self._sessions[token_hash] = session
        return session

    async def get(self, token_hash: str) -> Session | None:
        return self._live(token_hash)

    async def live_among(self, token_hashes: Collection[str]) -> set[str]:
        return {token_hash for token_hash in token_hashes if self._live(token_hash) is not None}

    async def touch(self, token_hash: str, *, expires_at: float) -> Session | None:
        session = self._live(token_hash)
        if session is None:
            return None
        session = msgspec.structs.replace(
            session, last_seen_at=self._clock(), expires_at=expires_at
        )
        self._sessions[token_hash] = session
        return session

    async def list_for_user(self, user_id: str) -> list[Session]:
        live = [self._live(key) for key in list(self._sessions)]
        mine = [session for session in live if session is not None and session.user_id == user_id]
        return sorted(mine, key=lambda session: (-session.created_at, session.token_hash))

    async def revoke(self, token_hash: str) -> bool:
        return self._sessions.pop(token_hash, None) is not None

    async def revoke_all(self, user_id: str, *, except_token_hash: str | None = None) -> int:
        doomed = [
            session.token_hash
            for session in await self.list_for_user(user_id)
            if session.token_hash != except_token_hash
        ]
        for token_hash in doomed:
            del self._sessions[token_hash]
        return len(doomed)


class MemoryCache:
    """:class:`storage.realtime.Cache` in a dict, expiring on access."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._values: dict[str, tuple[bytes, float]] = {}
        self._tags: dict[str, set[str]] = {}

    async def get(self, key: Sequence[KeyPart]) -> bytes | None:
        name = cache_key("memory", key)
        entry = self._values.get(name)
        if entry is None or entry[1] <= self._clock():
            self._values.pop(name, None)
            return None
        return entry[0]

    async def set(
        self, key: Sequence[KeyPart], value: bytes, *, ttl: float, tags: Sequence[str] = ()
    ) -> None:
        name = cache_key("memory", key)
        self._values[name] = (value, self._clock() + ttl)
        for tag in tags:
            self._tags.setdefault(tag, set()).add(name)

    async def get_or_set(
        self,
        key: Sequence[KeyPart],
        loader: Callable[[], Awaitable[bytes]],
        *,
        ttl: float,
        tags: Sequence[str] = (),
    ) -> bytes:
        cached = await self.get(key)
        if cached is not None:
            return cached
        value = await loader()
        await self.set(key, value, ttl=ttl, tags=tags)
        return value

    async def invalidate(self, key: Sequence[KeyPart]) -> None:
        self._values.pop(cache_key("memory", key), None)

    async def invalidate_tag(self, tag: str) -> int:
        names = self._tags.pop(tag, set())
        return sum(self._values.pop(name, None) is not None for name in names)


class MemoryRateLimiter:
    """GCRA over a dict of theoretical arrival times."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._arrivals: dict[str, float] = {}

    async def hit(self, key: str, *, limit: int, period: float, cost: int = 1) -> RateDecision:
        now = self._clock()
        interval = period / limit
        arrival = max(self._arrivals.get(key, now), now)
        new_arrival = arrival + interval * cost
        allow_at = new_arrival - limit * interval
        if allow_at > now:
            return RateDecision(allowed=False, remaining=0, retry_after=allow_at - now)
        self._arrivals[key] = new_arrival
        remaining = math.floor((now - allow_at) / interval + 1e-9)
        return RateDecision(allowed=True, remaining=remaining, retry_after=0.0)


class _MemorySubscription:
    def __init__(self, receive: trio.MemoryReceiveChannel[BusMessage]) -> None:
        self._receive = receive
        self.overflowed = False

    async def __anext__(self) -> BusMessage:
        try:
            return await self._receive.receive()
        except trio.EndOfChannel:
            if self.overflowed:
                raise BusOverflow("the subscriber fell behind") from None
            raise StopAsyncIteration from None

    def __aiter__(self) -> _MemorySubscription:
        return self


class MemoryBus:
    """A local fan-out with a bounded buffer per subscriber."""

    def __init__(self) -> None:
        self._subscribers: dict[
            str, set[tuple[trio.MemorySendChannel[BusMessage], _MemorySubscription]]
        ] = {}

    async def publish(self, channel: str, data: bytes) -> None:
        message = BusMessage(channel=channel, data=data)
        for send, subscription in list(self._subscribers.get(channel, ())):
            try:
                send.send_nowait(message)
            except trio.WouldBlock:
                subscription.overflowed = True
                send.close()
                for subscribers in self._subscribers.values():
                    subscribers.discard((send, subscription))

    @contextlib.asynccontextmanager
    async def subscribe(
        self, *channels: str, buffer: int = 1000
    ) -> AsyncIterator[_MemorySubscription]:
        send, receive = trio.open_memory_channel[BusMessage](buffer)
        subscription = _MemorySubscription(receive)
        entry = (send, subscription)
        for channel in channels:
            self._subscribers.setdefault(channel, set()).add(entry)
        try:
            async with send, receive:
                yield subscription
        finally:
            for channel in channels:
                self._subscribers[channel].discard(entry)
                if not self._subscribers[channel]:
                    del self._subscribers[channel]
