"""The hub's delivery to one user's subscriptions only (a call's signal), and the end of
a whole channel's subscriptions (a deleted room)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from actors.realtime.hub import Hub
from protocol.broadcast import BroadcastFrame, BroadcastRun
from protocol.call_frames import CallSignalReceived
from protocol.enums import SignalKind

CHANNEL = "call:c1"


@dataclasses.dataclass(eq=False)
class Connection:
    """A subscriber that keeps what it takes, or refuses everything when ``slow``."""

    user_id: str | None
    slow: bool = False
    frames: list[object] = dataclasses.field(default_factory=list)
    dropped: int = 0
    evictions: list[tuple[str, str]] = dataclasses.field(default_factory=list)

    def deliver_nowait(self, channel: str, run: BroadcastRun) -> bool:
        if self.slow:
            return False
        self.frames.extend(event.frame for event in run.events)
        return True

    def dropped_as_slow(self) -> None:
        self.dropped += 1

    def evicted(self, channel: str, reason: str) -> None:
        self.evictions.append((channel, reason))


def signal(payload: str) -> BroadcastFrame:
    return BroadcastFrame(CallSignalReceived(
        channel=CHANNEL, call_id="c1", from_user_id="alice", kind=SignalKind.OFFER,
        payload=payload,
    ))


def test_an_event_for_one_user_reaches_each_of_their_subscriptions_and_nobody_else() -> None:
    hub = Hub()
    tapped: list[tuple[str, Sequence[BroadcastFrame]]] = []
    hub.add_tap(lambda channel, events: tapped.append((channel, events)))
    phone, laptop, alice = Connection("bob"), Connection("bob"), Connection("alice")
    for connection in (phone, laptop, alice):
        hub.subscribe(CHANNEL, connection)  # type: ignore[arg-type]
    elsewhere = Connection("bob")
    hub.subscribe("call:other", elsewhere)  # type: ignore[arg-type]

    assert hub.publish_to_user(CHANNEL, "bob", signal("sdp")) == 2

    assert [frame.payload for frame in phone.frames] == ["sdp"]  # type: ignore[attr-defined]
    assert laptop.frames == phone.frames
    assert alice.frames == [] and elsewhere.frames == []
    assert tapped == []  # private to the two users: webhooks never see it
    statistics = hub.statistics()
    assert (statistics.published, statistics.delivered) == (1, 2)


def test_a_slow_target_is_dropped_and_the_others_keep_theirs() -> None:
    hub = Hub()
    slow, quick = Connection("bob", slow=True), Connection("bob")
    for connection in (slow, quick):
        hub.subscribe(CHANNEL, connection)  # type: ignore[arg-type]

    assert hub.publish_to_user(CHANNEL, "bob", signal("a")) == 1
    assert hub.publish_to_user(CHANNEL, "bob", signal("b")) == 1

    assert slow.dropped == 1
    assert [frame.payload for frame in quick.frames] == ["a", "b"]  # type: ignore[attr-defined]
    assert hub.subscribers(CHANNEL) == [quick]
    assert hub.statistics().dropped_slow == 1


def test_nobody_to_deliver_to() -> None:
    hub = Hub()
    hub.subscribe(CHANNEL, Connection("alice"))  # type: ignore[arg-type]
    assert hub.publish_to_user(CHANNEL, "bob", signal("a")) == 0
    assert hub.publish_to_user("call:none", "bob", signal("a")) == 0


def test_evicting_a_channel_ends_every_subscription_to_it_and_tells_each() -> None:
    hub = Hub()
    room = "chat_room:r1"
    alice, bob, anonymous = Connection("alice"), Connection("bob"), Connection(None)
    for connection in (alice, bob, anonymous):
        hub.subscribe(room, connection)  # type: ignore[arg-type]
    hub.subscribe(CHANNEL, bob)  # type: ignore[arg-type]

    assert hub.evict_channel(room, "deleted") == 3
    assert hub.evict_channel(room, "deleted") == 0

    for connection in (alice, bob, anonymous):
        assert connection.evictions == [(room, "deleted")]
    assert hub.subscribers(room) == []
    assert hub.subscribers(CHANNEL) == [bob]
