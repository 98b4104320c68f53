"""Cross-node fan-out on the in-process bus: one relay per event (a run published together
included), applied once per node."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator

import msgspec
import trio
import trio.testing

from protocol.broadcast import BroadcastFrame, BroadcastRun
from protocol.call_frames import CallSignalReceived
from protocol.chat_events import MessageCreated
from protocol.codecs import MSGPACK_CODEC
from protocol.enums import SignalKind
from protocol.payloads import ChatMessage
from storage.realtime.memory import MemoryBus
from supervisors.cluster.fanout import (
    BUS_CHANNEL,
    ClusterHub,
    LoginRevoked,
    Published,
    Relayed,
    RemoteEffects,
)

CHANNEL = "chat_room:r1"


@dataclasses.dataclass(eq=False)
class Listener:
    user_id: str | None = "u1"
    received: list[BroadcastFrame] = dataclasses.field(default_factory=list)
    evictions: list[str] = dataclasses.field(default_factory=list)

    def deliver_nowait(self, channel: str, run: BroadcastRun) -> bool:
        self.received.extend(run.events)
        return True

    def dropped_as_slow(self) -> None:
        raise AssertionError("never slow here")

    def evicted(self, channel: str, reason: str) -> None:
        self.evictions.append(reason)


@contextlib.asynccontextmanager
async def open_two_nodes(effects: RemoteEffects | None = None) -> AsyncIterator[list[ClusterHub]]:
    """The hubs of ``node-a`` and ``node-b`` on one in-process bus, running until the
    block ends (once every task is blocked: what was relayed has been applied)."""
    bus = MemoryBus()
    effects = effects or RemoteEffects(revoke_login=lambda _: None,
                                       disconnect_user=lambda *_: None, reset_all=lambda: None)
    hubs = [ClusterHub("node-a"), ClusterHub("node-b")]
    async with trio.open_nursery() as nursery:
        for hub in hubs:
            await nursery.start(hub.run, bus, effects)
        yield hubs
        await trio.testing.wait_all_tasks_blocked()
        nursery.cancel_scope.cancel()


def created(seq: int) -> MessageCreated:
    message = ChatMessage(id=f"m{seq}", author_id="u1", text="hi", created_at=1)
    return MessageCreated(channel=CHANNEL, seq=seq, message=message)


async def test_an_event_reaches_every_node_once(autojump_clock: object) -> None:
    revoked: list[str] = []
    effects = RemoteEffects(revoke_login=revoked.append, disconnect_user=lambda *_: None,
                            reset_all=lambda: None)
    listeners = [Listener(), Listener()]
    async with open_two_nodes(effects) as hubs:
        for hub, listener in zip(hubs, listeners, strict=True):
            hub.subscribe(CHANNEL, listener)
        hubs[0].publish(CHANNEL, BroadcastFrame(created(1)))
        hubs[0].publish_many(CHANNEL, [BroadcastFrame(created(seq)) for seq in (2, 3)])
        hubs[0].evict_user(CHANNEL, "u1", "kicked")
        hubs[0].relay(LoginRevoked("node-a", "session-1"))
    local, remote = listeners
    assert [event.frame.seq for event in local.received] == [1, 2, 3]  # type: ignore[attr-defined]
    assert [event.frame.seq for event in remote.received] == [1, 2, 3]  # type: ignore[attr-defined]
    # The remote node got the bytes the owner encoded: msgpack clients share them as is.
    relayed = remote.received[0]
    assert relayed.encoded_for(MSGPACK_CODEC) == local.received[0].encoded_for(MSGPACK_CODEC)
    assert local.evictions == remote.evictions == ["kicked"]
    assert revoked == ["session-1"]  # applied on node-b only: node-a skips its own
    # Four bus messages: event 1, the run of events 2 and 3 (one message), the eviction
    # and the revocation.
    assert (hubs[0].received, hubs[1].received) == (0, 4)


async def test_an_event_for_one_user_reaches_their_subscriptions_on_every_node(
    autojump_clock: object,
) -> None:
    channel = "call:c1"
    bob_here, bob_there, carol_there = Listener("bob"), Listener("bob"), Listener("carol")
    signal = CallSignalReceived(channel=channel, call_id="c1", from_user_id="carol",
                                kind=SignalKind.ANSWER, payload="sdp")
    async with open_two_nodes() as hubs:
        hubs[0].subscribe(channel, bob_here)
        hubs[1].subscribe(channel, bob_there)
        hubs[1].subscribe(channel, carol_there)
        assert hubs[0].publish_to_user(channel, "bob", BroadcastFrame(signal)) == 1
    assert [event.frame for event in bob_here.received] == [signal]
    assert [event.frame for event in bob_there.received] == [signal]
    assert carol_there.received == []
    assert hubs[1].statistics().delivered == 1


async def test_a_channel_evicted_on_one_node_is_evicted_on_every_node(
    autojump_clock: object,
) -> None:
    here, there = Listener("u1"), Listener("u2")  # u2 has no subscription on node-a
    async with open_two_nodes() as hubs:
        hubs[0].subscribe(CHANNEL, here)
        hubs[1].subscribe(CHANNEL, there)
        assert hubs[0].evict_channel(CHANNEL, "deleted") == 1
    assert here.evictions == there.evictions == ["deleted"]
    assert hubs[1].subscribers(CHANNEL) == []


async def test_a_skipped_relay_number_makes_local_clients_resume(autojump_clock: object) -> None:
    bus = MemoryBus()
    resets: list[None] = []
    effects = RemoteEffects(revoke_login=lambda _: None, disconnect_user=lambda *_: None,
                            reset_all=lambda: resets.append(None))
    hub = ClusterHub("node-b")
    listener = Listener()

    async def relay(incarnation: str, number: int, seq: int) -> None:
        frame = MSGPACK_CODEC.encode_server(created(seq))
        assert isinstance(frame, bytes)
        event = Published("node-x", CHANNEL, (frame,))
        await bus.publish(BUS_CHANNEL, msgspec.msgpack.encode(Relayed(incarnation, number, event)))

    async with trio.open_nursery() as nursery:
        await nursery.start(hub.run, bus, effects)
        hub.subscribe(CHANNEL, listener)
        await relay("one", 1, 1)
        await relay("one", 2, 2)
        await trio.testing.wait_all_tasks_blocked()
        assert resets == []
        await relay("one", 4, 4)  # number 3 never arrived
        await trio.testing.wait_all_tasks_blocked()
        assert len(resets) == 1 and hub.gaps == 1
        await relay("two", 1, 5)  # node-x restarted: a new run counts from 1 again
        await relay("three", 7, 6)  # another restart whose first messages were lost
        await trio.testing.wait_all_tasks_blocked()
        assert len(resets) == 2
        nursery.cancel_scope.cancel()
    assert [event.frame.seq for event in listener.received] == [1, 2, 4, 5, 6]  # type: ignore[attr-defined]
