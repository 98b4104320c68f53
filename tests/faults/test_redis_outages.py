"""Redis hung, killed and replaced under a serving node (SQLite store, Redis for sessions'
cache, rate limits and the cache).

Sessions live in the store with Redis as their cache (``storage.realtime.cached_sessions``),
rate limits fall back to the node's own limiter, and every Redis call has a deadline and
a circuit breaker (``storage.dependency``): so an outage is answered within the deadline,
never with a 500, recovers by itself, and logs nobody out.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import trio

from bots.client import open_client
from protocol.close_codes import CloseCode
from protocol.control_frames import Goodbye
from storage.dependency import BreakerState
from storage.keys import hash_token
from tests.e2e.chat_support import make_room, send
from tests.e2e.file_support import bearer, serve_test_node
from tests.e2e.node_support import log_in_new_user, websocket_url
from tests.faults.dependencies import (
    ANSWERED_WITHIN_S,
    DEADLINE_S,
    OUTAGE_SECONDS,
    Dependency,
)
from topicsflow.node import NodeHandle

pytestmark = [pytest.mark.redis, pytest.mark.timeout(60 + 3 * OUTAGE_SECONDS)]

OPERATOR = {"Authorization": "Bearer " + "o" * 32}


@pytest.fixture
async def redis_node(tmp_path: Path, redis: Dependency) -> AsyncIterator[NodeHandle]:
    async with serve_test_node(
        tmp_path, redis_url=f"redis://127.0.0.1:{redis.port}/0",
        dependency_deadline_seconds=DEADLINE_S, ops_token="o" * 32,
    ) as node:
        yield node


async def answered(api: httpx.AsyncClient, path: str, token: str | None = None) -> int:
    """The status of ``GET path``, which must come within :data:`ANSWERED_WITHIN_S`."""
    headers = bearer(token) if token else OPERATOR
    with trio.fail_after(ANSWERED_WITHIN_S):
        return (await api.get(path, headers=headers)).status_code


async def test_a_hung_redis_is_answered_within_the_deadline_and_recovers_by_itself(
    redis_node: NodeHandle, redis: Dependency
) -> None:
    alice = await log_in_new_user(redis_node, "alice")
    gate = redis_node.context.realtime.gate if redis_node.context.realtime else None
    assert gate is not None
    async with httpx.AsyncClient(base_url=redis_node.base_url) as api:
        assert await answered(api, "/readyz") == 200
        redis.pause()
        statuses: list[int] = []
        with trio.move_on_after(OUTAGE_SECONDS):
            while True:
                statuses.append(await answered(api, "/readyz"))
                statuses.append(await answered(api, "/api/users/me", alice.token))
                async with open_client(websocket_url(redis_node), token=alice.token) as client:
                    assert client.close_code is None
        assert gate.state is BreakerState.OPEN
        with trio.fail_after(ANSWERED_WITHIN_S):
            readiness = (await api.get("/readyz")).json()
        assert readiness["breakers"]["redis"]["state"] == "open"
        with trio.fail_after(ANSWERED_WITHIN_S):
            status = (await api.get("/ops/status", headers=OPERATOR)).json()
        assert {gate["name"]: gate["state"] for gate in status["dependencies"]} == {
            "redis": "open"
        }
        assert 500 not in statuses
        assert set(statuses[0::2]) == {503}, "readiness must say Redis is away"
        # Sessions are in the store: nobody is logged out (401).  Rate limits hold on the
        # node's own limiter meanwhile, so a long outage of this loop meets 429 too.
        assert 200 in statuses[1::2]
        assert set(statuses[1::2]) <= {200, 429}, "sessions are in the store: nobody is logged out"
        redis.resume()
        with trio.fail_after(ANSWERED_WITHIN_S):
            await gate.wait_closed()
        assert await answered(api, "/readyz") == 200


async def test_a_redis_killed_and_replaced_logs_nobody_out(
    redis_node: NodeHandle, redis: Dependency
) -> None:
    alice = await log_in_new_user(redis_node, "alice")
    bob = await log_in_new_user(redis_node, "bob")
    room_id = await make_room(redis_node, alice, bob)
    channel = f"chat_room:{room_id}"
    async with (
        httpx.AsyncClient(base_url=redis_node.base_url) as api,
        open_client(websocket_url(redis_node), token=alice.token) as open_socket,
    ):
        await open_socket.subscribe(channel)
        first = await send(open_socket, channel, "before")

        redis.kill()
        await redis.start()  # a new, empty Redis on the same port

        assert await answered(api, "/api/users/me", alice.token) == 200
        second = await send(open_socket, channel, "after")
        assert second.seq == first.seq + 1
        async with open_client(websocket_url(redis_node), token=bob.token) as again:
            assert (await again.subscribe(channel)).last_seq == second.seq


async def test_a_vanished_session_closes_its_websocket(
    redis_node: NodeHandle, redis: Dependency
) -> None:
    alice = await log_in_new_user(redis_node, "alice")
    context = redis_node.context
    assert context.store is not None
    assert context.gateway is not None
    async with open_client(websocket_url(redis_node), token=alice.token) as client:
        await client.subscribe(f"user:{alice.user_id}")
        # Gone from the store without a revocation through the node (an operator's
        # cleanup, a restore), and from Redis with it.
        await context.store.sessions.revoke(hash_token(alice.token))
        redis.kill()
        await redis.start()
        async with trio.open_nursery() as nursery:
            await nursery.start(context.gateway.check_sessions, 0.05)
            reasons = []
            with trio.fail_after(10):
                async for event in client.events():
                    if isinstance(event, Goodbye):
                        reasons.append(event.reason)
            nursery.cancel_scope.cancel()
    assert reasons == ["session_revoked"]
    assert client.close_code == CloseCode.UNAUTHORIZED
