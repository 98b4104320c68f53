"""The session on a transport that takes raw WebSocket frames (the fan-out fast path)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import trio
import trio.testing
from wsproto import ConnectionType
from wsproto.connection import Connection
from wsproto.events import TextMessage

from actors.realtime.hub import Hub
from actors.realtime.ports import DirectTransport, Written
from actors.realtime.session import ConnectionSession, SessionLimits, SessionServices
from protocol.broadcast import BroadcastFrame
from protocol.channels import ChannelKind
from protocol.chat_events import ChatMessage, MessageCreated
from protocol.close_codes import CloseCode
from protocol.codecs import JSON_CODEC
from tests.unit.actors.realtime.session_support import (
    ALICE,
    CHANNEL,
    FakeAuthenticator,
    FakeRoom,
    FakeRouter,
    FakeTransport,
)


class FakeDirectTransport(FakeTransport):
    """A socket whose kernel buffer takes ``room`` more bytes; the test is the peer."""

    def __init__(self, *, room: int = 1 << 30) -> None:
        super().__init__()
        self.room = room
        self.lock_held = False
        self.broken = False
        self.stream = bytearray()
        self.direct_writes = 0
        self.failed_writes = 0
        self.batches: list[int] = []
        self._tail = b""

    def write_nowait(self, frame: bytes) -> Written:
        if self.broken:
            self.failed_writes += 1
            raise trio.BrokenResourceError("gone")
        if self._tail or self.lock_held:
            return Written.NOTHING
        taken = min(self.room, len(frame))
        self.room -= taken
        self.stream += frame[:taken]
        self._tail = frame[taken:]
        self.direct_writes += 1
        return Written.PART if self._tail else Written.ALL

    async def write(self, frames: Sequence[bytes]) -> None:
        await self.unblock.wait()
        if self.broken:
            self.failed_writes += 1
            raise trio.BrokenResourceError("gone")
        self.batches.append(len(frames))
        self.stream += self._tail + b"".join(frames)
        self._tail = b""

    def messages(self) -> list[dict[str, Any]]:
        """Every complete message written so far, parsed as a client would."""
        client = Connection(ConnectionType.CLIENT)
        client.receive_data(bytes(self.stream))
        messages, text = [], ""
        for event in client.events():
            assert isinstance(event, TextMessage)
            text += event.data
            if event.message_finished:
                messages.append(json.loads(text))
                text = ""
        return messages


@asynccontextmanager
async def subscribed_session(
    transport: FakeDirectTransport, *, resync_on_gap: bool = False, **limits: Any
) -> AsyncIterator[tuple[ConnectionSession, FakeRoom]]:
    hub = Hub()
    room = FakeRoom(hub)
    services = SessionServices(
        hub=hub, authenticator=FakeAuthenticator(), channels={ChannelKind.CHAT_ROOM: room},
        router=FakeRouter(), limits=SessionLimits(**limits), resync_on_gap=resync_on_gap,
    )
    session = ConnectionSession(transport, JSON_CODEC, services, ALICE)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(session.run)
        transport.push({"type": "subscribe", "id": 1, "channel": CHANNEL})
        await trio.sleep(1)  # the fake clock: the replay's delay passes at once
        assert [frame["type"] for frame in transport.messages()] == ["subscribed"]
        yield session, room


def test_the_fake_is_a_direct_transport() -> None:
    assert isinstance(FakeDirectTransport(), DirectTransport)


async def test_publish_writes_at_once_and_in_order(autojump_clock: object) -> None:
    transport = FakeDirectTransport()
    async with subscribed_session(transport) as (_session, room):
        await trio.testing.wait_all_tasks_blocked()
        writes, batches = transport.direct_writes, len(transport.batches)
        for text in ("one", "two", "three"):
            room.publish(text)  # synchronous: no checkpoint between these and the assert
        assert [frame["seq"] for frame in transport.messages()[1:]] == [1, 2, 3]
        assert transport.direct_writes == writes + 3
        room.publish_many("four", "five", "six")  # a run of events is one write
        assert [frame["seq"] for frame in transport.messages()[4:]] == [4, 5, 6]
        assert transport.direct_writes == writes + 4
        await trio.testing.wait_all_tasks_blocked()
        assert len(transport.batches) == batches  # the writer had nothing to do
        transport.disconnect()


async def test_a_run_behind_a_busy_socket_is_queued_frame_by_frame_in_order(
    autojump_clock: object,
) -> None:
    transport = FakeDirectTransport()
    async with subscribed_session(transport) as (_session, room):
        await trio.testing.wait_all_tasks_blocked()
        transport.lock_held = True
        room.publish_many("one", "two")
        room.publish("three")
        assert len(transport.messages()) == 1
        transport.lock_held = False
        await trio.testing.wait_all_tasks_blocked()
        assert [frame["seq"] for frame in transport.messages()[1:]] == [1, 2, 3]
        assert transport.batches[-1] == 3  # one writer write, a frame per event
        transport.disconnect()


async def test_replies_are_written_at_once_without_the_writer(autojump_clock: object) -> None:
    transport = FakeDirectTransport()
    async with subscribed_session(transport) as (_session, _room):
        writes = transport.direct_writes
        transport.push({"type": "ping", "id": 2})
        await trio.testing.wait_all_tasks_blocked()
        assert transport.messages()[-1]["type"] == "pong"
        assert transport.direct_writes == writes + 1
        assert transport.batches == []  # the subscribe reply and the pong: no writer write
        transport.disconnect()


async def test_what_the_socket_cannot_take_goes_first_in_the_next_write(
    autojump_clock: object,
) -> None:
    transport = FakeDirectTransport()
    async with subscribed_session(transport) as (_session, room):
        await trio.testing.wait_all_tasks_blocked()
        transport.room = 10  # the kernel buffer is nearly full
        for text in ("one", "two", "three"):
            room.publish(text)
        assert len(transport.messages()) == 1  # only the first frame's head went out
        await trio.testing.wait_all_tasks_blocked()
        assert [frame["seq"] for frame in transport.messages()[1:]] == [1, 2, 3]
        assert transport.batches[-1] == 3  # flush marker + two frames, one write
        transport.disconnect()


async def test_a_busy_socket_or_writer_keeps_replies_and_events_in_order(
    autojump_clock: object,
) -> None:
    transport = FakeDirectTransport()
    async with subscribed_session(transport) as (_session, room):
        await trio.testing.wait_all_tasks_blocked()
        transport.unblock = trio.Event()  # the writer will hang in its next write
        transport.lock_held = True  # e.g. the server writes a pong of its own: ours queues
        transport.push({"type": "ping", "id": 2})
        await trio.testing.wait_all_tasks_blocked()  # the writer is writing our pong
        transport.lock_held = False
        room.publish("after the pong")  # must not overtake it
        transport.lock_held = True
        room.publish("after that")
        transport.unblock.set()
        await trio.testing.wait_all_tasks_blocked()
        kinds = [(frame["type"], frame.get("seq")) for frame in transport.messages()[1:]]
        assert kinds == [("pong", None), ("message_created", 1), ("message_created", 2)]
        transport.disconnect()


async def test_a_broken_socket_ends_the_session(autojump_clock: object) -> None:
    transport = FakeDirectTransport()
    async with subscribed_session(transport) as (session, room):
        await trio.testing.wait_all_tasks_blocked()
        transport.broken = True
        broken_at = trio.current_time()
        room.publish("into the void")
        await transport.closed.wait()
        # The failed write ended it, at once: not the heartbeat timeout, which would close
        # this silent connection with 4009 once the fake clock got that far.
        assert transport.failed_writes == 1
        assert trio.current_time() == broken_at
        assert transport.closed_with == session.close_code == CloseCode.NORMAL
        assert [frame["type"] for frame in transport.messages()] == ["subscribed"]


async def test_a_peer_that_stops_reading_is_a_slow_consumer(autojump_clock: object) -> None:
    transport = FakeDirectTransport()
    async with subscribed_session(transport, outbound_capacity=4) as (_session, room):
        await trio.testing.wait_all_tasks_blocked()
        transport.room = 0
        transport.unblock = trio.Event()  # and its writes never complete
        for number in range(10):
            room.publish(f"m{number}")
        await transport.closed.wait()
        assert transport.closed_with == CloseCode.SLOW_CONSUMER
        assert room.hub.statistics().dropped_slow == 1


def _events(*seqs: int) -> list[BroadcastFrame]:
    return [BroadcastFrame(MessageCreated(
        channel=CHANNEL, seq=seq,
        message=ChatMessage(id=f"m{seq}", author_id="bob", text=f"t{seq}", created_at=1)))
        for seq in seqs]


async def test_runs_already_passed_on_are_not_written_again(autojump_clock: object) -> None:
    transport = FakeDirectTransport()
    async with subscribed_session(transport) as (_session, room):
        await trio.testing.wait_all_tasks_blocked()
        room.hub.publish_many(CHANNEL, _events(1, 2, 3))
        room.hub.publish_many(CHANNEL, _events(2, 3))  # seen: nothing written
        room.hub.publish_many(CHANNEL, _events(3, 4, 5))  # overlapping: only 4 and 5
        room.hub.publish(CHANNEL, _events(5)[0])
        room.hub.publish_many(CHANNEL, _events(6))
        assert [frame["seq"] for frame in transport.messages()[1:]] == [1, 2, 3, 4, 5, 6]
        transport.disconnect()


async def test_a_gap_passes_unless_the_node_resyncs_on_gaps(autojump_clock: object) -> None:
    transport = FakeDirectTransport()
    async with subscribed_session(transport) as (_session, room):
        await trio.testing.wait_all_tasks_blocked()
        room.hub.publish_many(CHANNEL, _events(1, 2))
        room.hub.publish_many(CHANNEL, _events(5, 6))
        assert [frame["seq"] for frame in transport.messages()[1:]] == [1, 2, 5, 6]
        transport.disconnect()
    transport = FakeDirectTransport()
    async with subscribed_session(transport, resync_on_gap=True) as (session, room):
        await trio.testing.wait_all_tasks_blocked()
        room.hub.publish_many(CHANNEL, _events(1, 2))
        room.hub.publish_many(CHANNEL, _events(5, 6))
        await transport.closed.wait()
        assert session.close_code == CloseCode.INTERNAL_ERROR
        assert [frame.get("seq") for frame in transport.messages()[1:3]] == [1, 2]
        assert all(frame.get("seq") not in (5, 6) for frame in transport.messages())
