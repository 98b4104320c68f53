"""The session tells its connection listener when it starts, ends and sets presence."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import trio

from actors.realtime.hub import Hub
from actors.realtime.session import ConnectionSession, SessionServices
from protocol.channels import ChannelKind
from protocol.codecs import JSON_CODEC
from protocol.errors import ErrorCode
from services.errors import DomainError
from services.principal import Principal
from tests.unit.actors.realtime.session_support import (
    ALICE,
    FakeAuthenticator,
    FakeRoom,
    FakeRouter,
    FakeTransport,
)


class RecordingListener:
    """Records every call; refuses ``set_presence`` of ``busy``."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []
        self.changed = trio.Event()

    def _record(self, event: str, user_id: str, connection_id: str) -> None:
        self.calls.append((event, user_id, connection_id))
        self.changed.set()
        self.changed = trio.Event()

    async def wait_for(self, count: int) -> list[tuple[str, str, str]]:
        while len(self.calls) < count:
            await self.changed.wait()
        return self.calls

    async def connection_opened(self, principal: Principal, connection_id: str) -> None:
        self._record("opened", principal.user_id, connection_id)

    async def connection_closed(self, principal: Principal, connection_id: str) -> None:
        self._record("closed", principal.user_id, connection_id)

    async def presence_set(self, principal: Principal, connection_id: str, status: str) -> None:
        if status == "away" and principal.user_id == "busy":
            raise DomainError(ErrorCode.CONFLICT, "refused")
        self._record(status, principal.user_id, connection_id)


@asynccontextmanager
async def open_session(
    listener: RecordingListener, principal: Principal | None = None
) -> AsyncIterator[tuple[FakeTransport, ConnectionSession, trio.Event]]:
    hub = Hub()
    services = SessionServices(
        hub=hub,
        authenticator=FakeAuthenticator(),
        channels={ChannelKind.CHAT_ROOM: FakeRoom(hub)},
        router=FakeRouter(),
        connections=listener,
    )
    transport = FakeTransport()
    session = ConnectionSession(transport, JSON_CODEC, services, principal)
    ended = trio.Event()

    async def run() -> None:
        await session.run()
        ended.set()

    async with trio.open_nursery() as nursery:
        nursery.start_soon(run)
        yield transport, session, ended


async def test_a_bearer_session_is_announced_then_reports_presence_then_ends(
    autojump_clock: Any,
) -> None:
    listener = RecordingListener()
    async with open_session(listener, ALICE) as (transport, session, ended):
        await listener.wait_for(1)
        transport.push({"type": "set_presence", "id": 1, "status": "away"})
        assert (await transport.next_frame(0))["type"] == "ack"
        transport.disconnect()
        await ended.wait()
    connection = session.connection_id
    assert listener.calls == [
        ("opened", "alice", connection), ("away", "alice", connection),
        ("closed", "alice", connection),
    ]


async def test_a_frame_authenticated_session_is_announced_after_authenticate(
    autojump_clock: Any,
) -> None:
    listener = RecordingListener()
    async with open_session(listener) as (transport, session, ended):
        await trio.sleep(1)
        assert listener.calls == []
        transport.push({"type": "authenticate", "id": 1, "token": "good-token"})
        assert (await transport.next_frame(0))["type"] == "ack"
        await listener.wait_for(1)
        transport.disconnect()
        await ended.wait()
    assert [call[0] for call in listener.calls] == ["opened", "closed"]
    assert {call[2] for call in listener.calls} == {session.connection_id}


async def test_an_anonymous_session_is_never_announced(autojump_clock: Any) -> None:
    listener = RecordingListener()
    async with open_session(listener) as (transport, _session, ended):
        transport.push({"type": "ping", "id": 1})
        assert (await transport.next_frame(0))["type"] == "pong"
        transport.disconnect()
        await ended.wait()
    assert listener.calls == []


async def test_a_refused_presence_is_an_error_reply(autojump_clock: Any) -> None:
    listener = RecordingListener()
    busy = Principal(user_id="busy", session_id="s-busy")
    async with open_session(listener, busy) as (transport, _session, ended):
        transport.push({"type": "set_presence", "id": 4, "status": "away"})
        reply = await transport.next_frame(0)
        assert (reply["type"], reply["id"], reply["code"]) == ("error", 4, "conflict")
        transport.push({"type": "set_presence", "id": 5, "status": "offline"})
        assert (await transport.next_frame(1))["code"] == "invalid"
        transport.disconnect()
        await ended.wait()
