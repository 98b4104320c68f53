"""Every request gets exactly one reply: a property over random frame sequences.

Hypothesis drives a connection session (the real ``ConnectionSession`` with fakes around
it, ``session_support``) with random runs of requests — pings, good and bad
authentication, subscriptions allowed and refused, sends that succeed, are refused or
crash their handler, unknown types, invalid fields, oversized frames — and floods that go
past the frame-rate limit (burst, then ``rate_limited``, then the flood close).  After each
run, on a fake clock:

* no request id is answered twice, and no reply names an id that was never sent;
* an ``error`` without an id answers only a frame that had none (undecodable);
* while the connection stays open every request sent was answered exactly once; once it
  closes, what was sent before the run that closed it was answered exactly once.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import trio
import trio.testing
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actors.realtime.hub import Hub
from actors.realtime.session import ConnectionSession, SessionLimits, SessionServices
from protocol.channels import ChannelKind
from protocol.codecs import JSON_CODEC
from tests.unit.actors.realtime.session_support import (
    CHANNEL,
    FakeAuthenticator,
    FakeRoom,
    FakeRouter,
    FakeTransport,
)

MAX_FRAME_BYTES = 4096
LIMITS = dict(frames_per_second=20.0, frame_burst=60, flood_tolerance=60,
              max_invalid_frames=20, max_frame_bytes=MAX_FRAME_BYTES)

REQUESTS: list[dict[str, Any]] = [
    {"type": "ping"},
    {"type": "authenticate", "token": "good-token"},
    {"type": "authenticate", "token": "bad-token"},
    {"type": "subscribe", "channel": CHANNEL},
    {"type": "subscribe", "channel": "chat_room:r2"},
    {"type": "unsubscribe", "channel": CHANNEL},
    {"type": "send_message", "channel": CHANNEL, "text": "ok"},
    {"type": "send_message", "channel": CHANNEL, "text": "no"},
    {"type": "send_message", "channel": CHANNEL, "text": "boom"},
    {"type": "send_message", "channel": CHANNEL},
    {"type": "no_such_frame"},
    {"type": "send_message", "channel": "nowhere", "text": "ok"},
    {"type": "send_message", "channel": CHANNEL, "text": "x" * (MAX_FRAME_BYTES + 10)},
]
UNDECODABLE = ["{", "[]", "null", '"text"', '{"no": "type"}']

request = st.sampled_from(range(len(REQUESTS))).map(lambda index: ("request", index))
undecodable = st.sampled_from(UNDECODABLE).map(lambda text: ("raw", text))
flood = st.integers(min_value=1, max_value=150).map(lambda size: ("flood", size))
# A run: frames sent together without waiting (a flood is many pings at once).
run = st.lists(st.one_of(request, request, undecodable, flood), min_size=1, max_size=4)
scenario = st.tuples(st.booleans(), st.lists(run, min_size=1, max_size=12))


def replies_to(transport: FakeTransport) -> tuple[Counter[int], int]:
    """How often each request id was answered, and how many errors carry no id."""
    answered: Counter[int] = Counter()
    anonymous_errors = 0
    for frame in transport.sent:
        if frame.get("id") is not None:
            answered[frame["id"]] += 1
        elif frame.get("type") == "error":
            anonymous_errors += 1
    return answered, anonymous_errors


async def play(authenticated_at_upgrade: bool, runs: list[list[tuple[str, Any]]]) -> None:
    hub = Hub()
    services = SessionServices(
        hub=hub, authenticator=FakeAuthenticator(),
        channels={ChannelKind.CHAT_ROOM: FakeRoom(hub)}, router=FakeRouter(),
        limits=SessionLimits(**LIMITS),  # type: ignore[arg-type]
    )
    transport = FakeTransport(inbound_capacity=1000)
    principal = await FakeAuthenticator().authenticate("good-token")
    session = ConnectionSession(
        transport, JSON_CODEC, services, principal if authenticated_at_upgrade else None
    )
    sent_before_closing_run: set[int] = set()
    sent: set[int] = set()
    undecodable_sent = 0
    next_id = 1
    async with trio.open_nursery() as nursery:
        nursery.start_soon(session.run)
        for frames in runs:
            if transport.closed.is_set():
                break
            sent_before_closing_run = set(sent)
            expected: set[int] = set()
            for kind, value in frames:
                if kind == "raw":
                    transport.push(value)
                    undecodable_sent += 1
                    continue
                for _ in range(value if kind == "flood" else 1):
                    body = {"type": "ping"} if kind == "flood" else REQUESTS[value]
                    transport.push(json.dumps({**body, "id": next_id}))
                    expected.add(next_id)
                    next_id += 1
            sent |= expected
            with trio.move_on_after(60):  # fake time: the session settles, or it closed
                while not transport.closed.is_set():
                    answered, _ = replies_to(transport)
                    if expected <= set(answered):
                        break
                    await trio.sleep(0.001)
            await trio.sleep(0.5)  # fake time: anything answered late would show now
        closed = transport.closed.is_set()
        transport.disconnect()
        nursery.cancel_scope.cancel()
    answered, anonymous_errors = replies_to(transport)
    assert all(count == 1 for count in answered.values()), "a request answered twice"
    assert set(answered) <= sent, "a reply to a request that was never sent"
    assert anonymous_errors <= undecodable_sent, [
        (frame, runs) for frame in transport.sent
        if frame.get("type") == "error" and frame.get("id") is None
    ]
    must_be_answered = sent_before_closing_run if closed else sent
    missing = must_be_answered - set(answered)
    assert not missing, f"requests never answered: {sorted(missing)[:10]}"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario)
def test_every_request_gets_exactly_one_reply(example: tuple[bool, list[list[Any]]]) -> None:
    authenticated_at_upgrade, runs = example
    trio.run(play, authenticated_at_upgrade, runs,
             clock=trio.testing.MockClock(autojump_threshold=0))
