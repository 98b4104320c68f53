"""The gateway's periodic check of its connections' login sessions
(http_facade/websocket/gateway.py): many logins per store read, paced, and only the
connections of logins gone are closed."""

from __future__ import annotations

import itertools
from collections.abc import Collection
from typing import cast

import pytest
import trio
import trio.testing

from actors.realtime.session import ConnectionSession, SessionServices
from http_facade.websocket.gateway import (
    SESSION_CHECK_BATCH,
    SESSION_CHECK_PAUSE_SECONDS,
    Gateway,
)
from protocol.close_codes import CloseCode
from protocol.enums import GoodbyeReason
from services.principal import Principal
from storage.errors import StorageUnavailable
from topicsflow.settings import Settings


class FakeSession:
    """What the gateway's index and a revocation use of a connection."""

    def __init__(self, number: int, token_hash: str) -> None:
        self.principal = Principal(user_id=f"u{number}", session_id=f"s{number}",
                                   token_hash=token_hash)
        self.closed_with: tuple[CloseCode, str, GoodbyeReason | None] | None = None

    def terminate(self, code: CloseCode, reason: str, goodbye: str | None = None) -> None:
        self.closed_with = (code, reason, cast(GoodbyeReason | None, goodbye))


class CountingAuthenticator:
    """Every login is alive but those in ``gone``; records each read and when it came."""

    def __init__(self, gone: set[str]) -> None:
        self.gone = gone
        self.reads: list[tuple[float, int]] = []
        self.unavailable = False

    async def alive_among(self, token_hashes: Collection[str]) -> set[str]:
        self.reads.append((trio.current_time(), len(token_hashes)))
        if self.unavailable:
            raise StorageUnavailable("sessions: down")
        return {token_hash for token_hash in token_hashes if token_hash not in self.gone}


def gateway_with(count: int, authenticator: CountingAuthenticator) -> tuple[
    Gateway, list[FakeSession]
]:
    services = cast(SessionServices, type("Services", (), {"authenticator": authenticator})())
    gateway = Gateway(cast(Settings, None), services)
    sessions = [FakeSession(number, f"hash{number}") for number in range(count)]
    for session in sessions:
        gateway._register(cast(ConnectionSession, session))
    return gateway, sessions


async def sweep_once(gateway: Gateway, interval: float) -> None:
    async with trio.open_nursery() as nursery:
        await nursery.start(gateway.check_sessions, interval)
        await trio.sleep(interval * 1.5)
        nursery.cancel_scope.cancel()


async def test_a_sweep_reads_many_logins_at_once_and_closes_the_gone(
    autojump_clock: trio.testing.MockClock,
) -> None:
    count = SESSION_CHECK_BATCH * 2 + 3
    authenticator = CountingAuthenticator(gone={"hash7", f"hash{count - 1}"})
    gateway, sessions = gateway_with(count, authenticator)
    await sweep_once(gateway, 60.0)
    assert [size for _, size in authenticator.reads] == [SESSION_CHECK_BATCH] * 2 + [3]
    times = [at for at, _ in authenticator.reads]
    assert [later - earlier for earlier, later in itertools.pairwise(times)] \
        == pytest.approx([SESSION_CHECK_PAUSE_SECONDS] * 2)
    closed = [session for session in sessions if session.closed_with is not None]
    assert [session.principal.token_hash for session in closed] == ["hash7", f"hash{count - 1}"]
    assert closed[0].closed_with == (
        CloseCode.UNAUTHORIZED, "session revoked", GoodbyeReason.SESSION_REVOKED
    )


async def test_an_unavailable_store_closes_nobody_and_ends_the_sweep(
    autojump_clock: trio.testing.MockClock,
) -> None:
    authenticator = CountingAuthenticator(gone={"hash1"})
    authenticator.unavailable = True
    gateway, sessions = gateway_with(SESSION_CHECK_BATCH + 1, authenticator)
    await sweep_once(gateway, 60.0)
    assert len(authenticator.reads) == 1
    assert all(session.closed_with is None for session in sessions)
