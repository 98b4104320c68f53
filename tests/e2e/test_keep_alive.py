"""Answers given before the request body was read never strand a kept-alive connection.

The node runs as its own process: in-process, client and server share one scheduler and
the race that stranded connections (the node's answer against its own body reader) always
resolved the same way.

Over a raw socket: the server answers 401, 413 or 429 before it reads the body; the body
then follows the answer, precedes it, or never comes.  The next request on the connection
is answered, or — when the server announced ``Connection: close`` or the client never sent
the body — the server closes the connection; it never leaves a request unanswered.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import trio

from http_facade.middleware.early_answers import DRAIN_BYTES
from tests.e2e.process_support import ServedProcess, serve_process
from tests.e2e.raw_http import RawConnection, RawResponse
from topicsflow.node import hypercorn_config
from topicsflow.settings import Settings

JSON = {"Content-Type": "application/json"}
SMALL_BODY = b'{"display_name": "' + b"x" * 280 + b'"}'
WAIT_SECONDS = 20.0
"""Bounds every test: a hang fails it instead of hanging the run."""


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[ServedProcess]:
    async with serve_process(tmp_path) as running:
        yield running


@pytest.fixture
async def connection(served: ServedProcess) -> AsyncIterator[RawConnection]:
    address = urlsplit(served.base_url)
    assert address.hostname is not None
    assert address.port is not None
    opened = await RawConnection.open(address.hostname, address.port)
    yield opened
    await opened.aclose()


async def exhaust_registrations(connection: RawConnection) -> None:
    """Spend this address' registration allowance (10 per hour) on invalid bodies."""
    for _ in range(10):
        refused = await connection.request("POST", "/api/auth/register", JSON, b"{}")
        assert refused.status == 400


async def answered_early(
    connection: RawConnection, method: str, target: str, length: int, body_timing: str
) -> RawResponse:
    """Send a request with a body of ``length`` bytes before, after or never with respect to
    reading its answer; return the answer."""
    await connection.send_head(method, target, JSON, length=length)
    body = b"{" + b" " * (length - 2) + b"}"
    if body_timing == "before":
        await connection.send_body(body)
    answer = await connection.read_response()
    if body_timing == "after":
        await connection.send_body(body)
    elif body_timing == "never":
        await connection.send_eof()
    return answer


@pytest.mark.parametrize("body_timing", ["before", "after"])
async def test_the_request_after_an_early_401_is_answered(
    connection: RawConnection, body_timing: str
) -> None:
    with trio.fail_after(WAIT_SECONDS):
        refused = await answered_early(
            connection, "PATCH", "/api/users/me", len(SMALL_BODY), body_timing
        )
        assert refused.status == 401
        assert not refused.closes
        health = await connection.request("GET", "/healthz")
        assert health.status == 200


@pytest.mark.parametrize("body_timing", ["before", "after"])
async def test_the_request_after_an_early_429_is_answered(
    connection: RawConnection, body_timing: str
) -> None:
    with trio.fail_after(WAIT_SECONDS):
        await exhaust_registrations(connection)
        limited = await answered_early(connection, "POST", "/api/auth/register", 300, body_timing)
        assert limited.status == 429
        assert "retry-after" in limited.headers
        assert not limited.closes
        health = await connection.request("GET", "/healthz")
        assert health.status == 200


@pytest.mark.parametrize("body_timing", ["before", "after", "never"])
async def test_an_early_413_closes_the_connection_cleanly(
    connection: RawConnection, body_timing: str
) -> None:
    too_long = Settings().max_request_bytes + 1
    assert too_long - DRAIN_BYTES > 0
    with trio.fail_after(WAIT_SECONDS):
        refused = await answered_early(connection, "PATCH", "/api/users/me", too_long, body_timing)
        assert refused.status == 413
        assert refused.closes
        assert await connection.read_until_closed() == b""


@pytest.mark.parametrize("status", [401, 429])
async def test_a_body_that_never_comes_ends_the_connection(
    connection: RawConnection, status: int
) -> None:
    with trio.fail_after(WAIT_SECONDS):
        if status == 429:
            await exhaust_registrations(connection)
        target = "/api/users/me" if status == 401 else "/api/auth/register"
        refused = await answered_early(connection, "PATCH" if status == 401 else "POST",
                                       target, 300, "never")
        assert refused.status == status
        assert await connection.read_until_closed() == b""


async def test_a_thousand_mixed_requests_on_one_connection_are_all_answered(
    connection: RawConnection,
) -> None:
    """Early answers with their bodies before or after, and plain requests, interleaved;
    the connection closes only at Hypercorn's requests-per-connection limit."""
    limit = hypercorn_config(Settings()).keep_alive_max_requests
    generator = random.Random(19)
    Step = Callable[[], Awaitable[RawResponse]]
    steps: list[tuple[int, Step]] = [
        (200, lambda: connection.request("GET", "/healthz")),
        (401, lambda: answered_early(connection, "PATCH", "/api/users/me", 300, "before")),
        (401, lambda: answered_early(connection, "PATCH", "/api/users/me", 300, "after")),
        (401, lambda: answered_early(connection, "PATCH", "/api/users/me", 20_000, "after")),
        (404, lambda: answered_early(connection, "POST", "/api/nowhere", 300, "after")),
        (415, lambda: connection.request("POST", "/api/auth/login",
                                         {"Content-Type": "text/plain"}, b"x" * 300)),
    ]
    answered = 0
    with trio.fail_after(WAIT_SECONDS * 3):
        for index in range(1000):
            status, step = generator.choice(steps)
            response = await step()
            # 429 is an early answer too: the loop outruns the write allowance.
            assert response.status in (status, 429)
            assert response.closes == (index + 1 == limit)
            answered += 1
    assert answered == 1000
