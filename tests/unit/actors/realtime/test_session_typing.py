"""Typing indicators end on their own: expiry and disconnect send ``stop``."""

from __future__ import annotations

from typing import Any

import trio
import trio.testing

from actors.realtime.hub import Hub
from actors.realtime.session import ConnectionSession, SessionServices
from protocol.client_frames import ClientFrame, Typing
from protocol.codecs import JSON_CODEC
from protocol.enums import TypingState
from services.principal import Principal
from tests.unit.actors.realtime.session_support import ALICE, FakeAuthenticator, FakeTransport

CHANNEL = "chat_room:r1"


class RecordingRouter:
    def __init__(self) -> None:
        self.frames: list[tuple[float, Typing]] = []

    async def handle(self, principal: Principal, frame: ClientFrame) -> Any:
        assert isinstance(frame, Typing)
        self.frames.append((trio.current_time(), frame))
        return None


async def run_session(router: RecordingRouter, transport: FakeTransport) -> None:
    services = SessionServices(
        hub=Hub(), authenticator=FakeAuthenticator(), channels={}, router=router
    )
    await ConnectionSession(transport, JSON_CODEC, services, ALICE).run()


async def test_an_unrenewed_start_is_stopped_after_the_ttl(autojump_clock: Any) -> None:
    router, transport = RecordingRouter(), FakeTransport()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(run_session, router, transport)
        transport.push({"type": "typing", "id": 1, "channel": CHANNEL})
        await trio.sleep(5)
        transport.push({"type": "typing", "id": 2, "channel": CHANNEL})  # renewed at 5 s
        await trio.sleep(20)
        states = [(round(at), frame.state) for at, frame in router.frames]
        assert states == [(0, TypingState.START), (5, TypingState.START), (13, TypingState.STOP)]
        transport.disconnect()


async def test_an_explicit_stop_cancels_the_expiry(autojump_clock: Any) -> None:
    router, transport = RecordingRouter(), FakeTransport()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(run_session, router, transport)
        transport.push({"type": "typing", "id": 1, "channel": CHANNEL})
        transport.push({"type": "typing", "id": 2, "channel": CHANNEL, "state": "stop"})
        await trio.sleep(20)
        assert [frame.state for _, frame in router.frames] == [TypingState.START, TypingState.STOP]
        transport.disconnect()


async def test_a_disconnect_stops_the_indicator(autojump_clock: Any) -> None:
    router, transport = RecordingRouter(), FakeTransport()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(run_session, router, transport)
        transport.push({"type": "typing", "id": 1, "channel": CHANNEL})
        await trio.sleep(1)
        transport.disconnect()
    assert [frame.state for _, frame in router.frames] == [TypingState.START, TypingState.STOP]
    assert router.frames[-1][0] < 8
