"""The connection session against an in-memory transport, on trio's fake clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import trio
import trio.testing

from actors.realtime.hub import Hub
from actors.realtime.session import ConnectionSession, SessionLimits, SessionServices
from protocol.broadcast import BroadcastFrame
from protocol.channels import ChannelKind
from protocol.chat_events import PresenceChanged
from protocol.close_codes import CloseCode
from protocol.codecs import JSON_CODEC
from protocol.enums import PresenceStatus
from services.principal import Principal
from tests.unit.actors.realtime.session_support import (
    ALICE,
    CHANNEL,
    FakeAuthenticator,
    FakeRoom,
    FakeRouter,
    FakeTransport,
)


@asynccontextmanager
async def open_session(
    *, principal: Principal | None = None, blocked: bool = False, **limits: Any
) -> AsyncIterator[tuple[FakeTransport, ConnectionSession, FakeRoom]]:
    hub = Hub()
    room = FakeRoom(hub)
    services = SessionServices(
        hub=hub,
        authenticator=FakeAuthenticator(),
        channels={ChannelKind.CHAT_ROOM: room},
        router=FakeRouter(),
        limits=SessionLimits(**limits),
    )
    transport = FakeTransport(blocked=blocked)
    session = ConnectionSession(transport, JSON_CODEC, services, principal)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(session.run)
        yield transport, session, room


async def finished(transport: FakeTransport) -> int | None:
    await transport.closed.wait()
    return transport.closed_with


async def test_ping_is_answered_before_authentication(autojump_clock: Any) -> None:
    async with open_session() as (transport, _session, _):
        transport.push({"type": "ping", "id": 1})
        assert (await transport.next_frame(0))["type"] == "pong"
        transport.disconnect()


async def test_other_frames_before_authentication_close_4001(autojump_clock: Any) -> None:
    async with open_session() as (transport, _session, _):
        transport.push({"type": "subscribe", "id": 2, "channel": CHANNEL})
        reply = await transport.next_frame(0)
        assert (reply["id"], reply["code"]) == (2, "unauthorized")
        assert await finished(transport) == CloseCode.UNAUTHORIZED


async def test_bad_token_closes_4001_and_good_token_is_acknowledged(autojump_clock: Any) -> None:
    async with open_session() as (transport, _session, _):
        transport.push({"type": "authenticate", "id": 1, "token": "bad"})
        assert (await transport.next_frame(0))["code"] == "unauthorized"
        assert await finished(transport) == CloseCode.UNAUTHORIZED
    async with open_session() as (transport, _session, _):
        transport.push({"type": "authenticate", "id": 1, "token": "good-token"})
        reply = await transport.next_frame(0)
        assert reply["type"] == "ack"
        assert reply["result"]["user_id"] == "alice"
        transport.push({"type": "authenticate", "id": 2, "token": "good-token"})
        assert (await transport.next_frame(1))["code"] == "conflict"
        transport.disconnect()


async def test_the_advertised_heartbeat_interval_follows_the_configured_timeout(
    autojump_clock: Any,
) -> None:
    for timeout, interval_ms in ((60, 25_000), (600, 250_000)):
        async with open_session(heartbeat_timeout=timeout) as (transport, _session, _):
            transport.push({"type": "authenticate", "id": 1, "token": "good-token"})
            reply = await transport.next_frame(0)
            assert reply["result"]["heartbeat_interval_ms"] == interval_ms
            await trio.sleep(interval_ms / 1000 * 2)  # two intervals of silence: still open
            transport.push({"type": "ping", "id": 2})
            assert (await transport.next_frame(1))["type"] == "pong"
            transport.disconnect()


async def test_the_heartbeat_deadline_never_interrupts_a_frame_being_served(
    autojump_clock: Any,
) -> None:
    async with open_session(principal=ALICE, heartbeat_timeout=60) as (transport, _session, _):
        transport.push({"type": "send_message", "id": 1, "channel": CHANNEL, "text": "slow 90"})
        reply = await transport.next_frame(0)
        assert (reply["type"], reply["id"]) == ("ack", 1)
        assert trio.current_time() == pytest.approx(90, abs=0.5)
        start = trio.current_time()  # the next read gets the whole timeout again
        assert await finished(transport) == CloseCode.HEARTBEAT_TIMEOUT
        assert trio.current_time() - start == pytest.approx(60, abs=0.5)


async def test_silence_closes_with_the_timeouts(autojump_clock: Any) -> None:
    async with open_session(authentication_timeout=10) as (transport, _session, _):
        assert await finished(transport) == CloseCode.UNAUTHORIZED
        assert trio.current_time() == pytest.approx(10, abs=0.5)
    async with open_session(principal=ALICE, heartbeat_timeout=60) as (transport, _session, _):
        start = trio.current_time()
        await trio.sleep(50)
        transport.push({"type": "ping", "id": 1})
        assert await finished(transport) == CloseCode.HEARTBEAT_TIMEOUT
        assert trio.current_time() - start == pytest.approx(110, abs=0.5)


async def test_invalid_frames_are_answered_and_oversized_ones_close(autojump_clock: Any) -> None:
    async with open_session(principal=ALICE, max_frame_bytes=1024) as (transport, _session, _):
        transport.push("{not json")
        transport.push({"type": "no_such_frame", "id": 7})
        transport.push({"type": "ping", "id": 8})
        assert (await transport.next_frame(0))["code"] == "invalid"
        unknown = await transport.next_frame(1)
        assert (unknown["code"], unknown["id"]) == ("invalid", 7)
        assert (await transport.next_frame(2))["type"] == "pong"
        transport.push({"type": "ping", "id": 9, "pad": "x" * 2000})
        assert (await transport.next_frame(3))["code"] == "too_large"
        assert await finished(transport) == CloseCode.TOO_LARGE


async def test_flooding_is_refused_then_closed(autojump_clock: Any) -> None:
    limits = {"frames_per_second": 5, "frame_burst": 5, "flood_tolerance": 10}
    async with open_session(principal=ALICE, **limits) as (transport, _session, _):
        for number in range(30):
            transport.push({"type": "ping", "id": number})
        assert await finished(transport) == CloseCode.RATE_LIMITED
        kinds = [frame.get("code", frame["type"]) for frame in transport.sent]
        assert kinds[:5] == ["pong"] * 5
        assert "rate_limited" in kinds


async def test_every_request_refused_by_the_frame_limit_gets_its_reply(
    autojump_clock: Any,
) -> None:
    """Over the frame rate, each refusal names the refused frame's id (one reply each)."""
    limits = {"frames_per_second": 5, "frame_burst": 5, "flood_tolerance": 100}
    async with open_session(principal=ALICE, **limits) as (transport, _session, _):
        for number in range(1, 21):
            transport.push({"type": "ping", "id": number})
        replies = [await transport.next_frame(index) for index in range(20)]
        transport.disconnect()
    assert [reply["type"] for reply in replies[:5]] == ["pong"] * 5
    refused = [reply for reply in replies if reply["type"] == "error"]
    assert refused and {reply["code"] for reply in refused} == {"rate_limited"}
    assert all(reply["retry_after_ms"] > 0 for reply in refused)
    ids = [frame.get("id") for frame in transport.sent if frame["type"] in ("pong", "error")]
    assert sorted(ids) == list(range(1, 21))


async def test_domain_refusals_and_handler_bugs_become_errors(autojump_clock: Any) -> None:
    async with open_session(principal=ALICE) as (transport, _session, _):
        for number, text in enumerate(["no", "boom", "fine"], start=1):
            transport.push({"type": "send_message", "id": number, "channel": CHANNEL,
                            "text": text})
        assert (await transport.next_frame(0))["code"] == "forbidden"
        assert (await transport.next_frame(1))["code"] == "internal"
        accepted = await transport.next_frame(2)
        assert accepted["result"]["type"] == "message_accepted"
        transport.disconnect()


async def test_resume_replays_missed_events_then_live_without_gap_or_duplicate(
    autojump_clock: Any,
) -> None:
    async with open_session(principal=ALICE) as (transport, _session, room):
        for text in ["one", "two", "three"]:
            room.append(text)

        def publish_during_replay() -> None:
            room.publish("four")  # stored and published while the replay was being read
            room.hub.publish(CHANNEL, BroadcastFrame(room.history[2]))  # a late duplicate

        room.during_replay = publish_during_replay
        transport.push({"type": "subscribe", "id": 1, "channel": CHANNEL, "since_seq": 1})
        subscribed = await transport.next_frame(0)
        assert subscribed["type"] == "subscribed"
        assert (subscribed["resumed"], subscribed["complete"]) == (True, True)
        room.publish("five")
        seqs = [(await transport.next_frame(index))["seq"] for index in range(1, 5)]
        assert seqs == [2, 3, 4, 5]
        room.hub.publish(CHANNEL, BroadcastFrame(room.history[4]))  # duplicate while live
        room.publish("six")
        assert (await transport.next_frame(5))["seq"] == 6
        transport.disconnect()


async def test_a_run_of_events_is_held_during_a_replay_and_filtered_live(
    autojump_clock: Any,
) -> None:
    async with open_session(principal=ALICE) as (transport, _session, room):
        room.append("one")

        def publish_during_replay() -> None:
            room.publish_many("two", "three")  # held back, then released in order
            room.hub.publish_many(CHANNEL, [BroadcastFrame(room.history[0])])  # replayed

        room.during_replay = publish_during_replay
        transport.push({"type": "subscribe", "id": 1, "channel": CHANNEL, "since_seq": 0})
        assert (await transport.next_frame(0))["type"] == "subscribed"
        room.hub.publish_many(CHANNEL, [BroadcastFrame(event) for event in room.history[1:]]
                              + [BroadcastFrame(room.append("four"))])  # two seen, one new
        seqs = [(await transport.next_frame(index))["seq"] for index in range(1, 5)]
        assert seqs == [1, 2, 3, 4]
        room.publish("five")
        assert (await transport.next_frame(5))["seq"] == 5
        assert room.hub.statistics().delivered == 2 * 3 + 1  # the hub counts per event
        transport.disconnect()


async def test_forbidden_subscription_is_refused(autojump_clock: Any) -> None:
    async with open_session(principal=ALICE) as (transport, _session, room):
        transport.push({"type": "subscribe", "id": 1, "channel": "chat_room:secret"})
        assert (await transport.next_frame(0))["code"] == "forbidden"
        assert room.hub.statistics().subscriptions == 0
        transport.disconnect()


async def test_slow_consumer_is_closed_and_a_fast_one_is_unaffected(autojump_clock: Any) -> None:
    hub = Hub()
    room = FakeRoom(hub)
    services = SessionServices(
        hub=hub,
        authenticator=FakeAuthenticator(),
        channels={ChannelKind.CHAT_ROOM: room},
        router=FakeRouter(),
        limits=SessionLimits(outbound_capacity=8),
    )
    slow_transport, fast_transport = FakeTransport(), FakeTransport()
    slow = ConnectionSession(slow_transport, JSON_CODEC, services, ALICE)
    fast = ConnectionSession(fast_transport, JSON_CODEC, services, ALICE)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(slow.run)
        nursery.start_soon(fast.run)
        for transport in (slow_transport, fast_transport):
            transport.push({"type": "subscribe", "id": 1, "channel": CHANNEL})
            await transport.next_frame(0)
        slow_transport.unblock = trio.Event()  # the slow client stops reading
        for number in range(30):
            room.publish(f"m{number}")
            await trio.sleep(0.01)
        assert await finished(slow_transport) == CloseCode.SLOW_CONSUMER
        delivered = [(await fast_transport.next_frame(index))["seq"] for index in range(1, 31)]
        assert delivered == list(range(1, 31))
        assert hub.statistics().dropped_slow == 1
        fast_transport.disconnect()


async def test_a_storm_of_ephemeral_events_never_drops_a_client(autojump_clock: Any) -> None:
    hub = Hub()
    room = FakeRoom(hub)
    services = SessionServices(
        hub=hub, authenticator=FakeAuthenticator(), channels={ChannelKind.CHAT_ROOM: room},
        router=FakeRouter(), limits=SessionLimits(outbound_capacity=8),
    )
    transport = FakeTransport()
    session = ConnectionSession(transport, JSON_CODEC, services, ALICE)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(session.run)
        transport.push({"type": "subscribe", "id": 1, "channel": CHANNEL})
        await transport.next_frame(0)
        transport.unblock = trio.Event()  # the client is busy for a moment
        for number in range(100):  # presence of a hundred members arriving at once
            hub.publish(CHANNEL, BroadcastFrame(PresenceChanged(
                channel=CHANNEL, user_id=f"u{number}", status=PresenceStatus.ONLINE)))
        room.publish("still delivered")
        assert hub.statistics().dropped_slow == 0
        assert session.ephemeral_dropped > 0
        transport.unblock.set()
        index, presences = 1, 0
        while (frame := await transport.next_frame(index))["type"] == "presence_changed":
            index, presences = index + 1, presences + 1
        assert (frame["type"], frame["seq"]) == ("message_created", 1)
        assert presences + session.ephemeral_dropped == 100
        assert presences <= 8 // 2 + 1  # half the queue, plus the one being written
        transport.disconnect()


async def test_terminate_sends_goodbye_and_closes_with_the_code(autojump_clock: Any) -> None:
    async with open_session(principal=ALICE) as (transport, session, _):
        await trio.testing.wait_all_tasks_blocked()
        session.terminate(CloseCode.UNAUTHORIZED, "session revoked", goodbye="session_revoked")
        assert await finished(transport) == CloseCode.UNAUTHORIZED
        assert transport.sent[-1]["type"] == "goodbye"
