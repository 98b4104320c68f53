"""The call actors on trio's fake clock: ringing, relay rules and timeouts.

The store is an in-test call log (the call actors use ``store.calls`` only) so the
autojump clock never races a storage thread.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import time
from collections.abc import AsyncIterator
from typing import Any, cast

import msgspec
import pytest
import trio

from actors.calls.call import CallActor
from actors.calls.commands import (
    CALL,
    CALL_ALARM,
    CALL_CONTEXT,
    AcceptCall,
    CheckCallAccess,
    DeclineCall,
    HangUp,
    OpenCall,
    RelaySignal,
)
from actors.calls.support import CallAlarmActor, CallContextActor
from actors.realtime.hub import Hub
from actors.realtime.presence import PresenceView
from actors.runtime.actor import Actor, ActorContext
from actors.users.commands import USER, GetPresence
from actors.users.notification_feed import Notify
from protocol.broadcast import BroadcastRun
from protocol.call_frames import CallRinging, CallSignalReceived, CallStateChanged
from protocol.control_frames import CallCreated
from protocol.enums import CallMedia, CallState, PresenceStatus, SignalKind
from protocol.errors import ErrorCode
from services.errors import DomainError
from storage.errors import Conflict, NotFound
from storage.records import Call, CallOutcome
from supervisors.kind import ActorKind
from supervisors.policy import RestartType
from supervisors.registry import Registry, open_registry


class FakeCalls:
    """The call log in memory."""

    def __init__(self) -> None:
        self.calls: dict[str, Call] = {}
        self._ids = itertools.count(1)

    async def start(self, *, context_id: str, initiator_id: str, kind: str = "audio") -> Call:
        call = Call(
            id=f"c{next(self._ids)}",
            context_id=context_id,
            initiator_id=initiator_id,
            kind=kind,
            started_at=time.time(),
            participant_ids=(initiator_id,),
        )
        self.calls[call.id] = call
        return call

    async def join(self, call_id: str, user_id: str) -> Call:
        call = self.calls[call_id]
        joined = msgspec.structs.replace(call, participant_ids=(*call.participant_ids, user_id))
        self.calls[call_id] = joined
        return joined

    async def end(self, call_id: str, *, outcome: CallOutcome) -> Call:
        call = self.calls[call_id]
        if call.outcome is not None:
            raise Conflict("state")
        ended = msgspec.structs.replace(call, outcome=outcome, ended_at=time.time())
        self.calls[call_id] = ended
        return ended

    async def get(self, call_id: str) -> Call:
        if call_id not in self.calls:
            raise NotFound("call")
        return self.calls[call_id]


@dataclasses.dataclass(eq=False)
class FakeConnection:
    """A hub subscriber that keeps what it receives."""

    user_id: str | None
    frames: list[Any] = dataclasses.field(default_factory=list)

    def deliver_nowait(self, channel: str, run: BroadcastRun) -> bool:
        self.frames.extend(event.frame for event in run.events)
        return True

    def dropped_as_slow(self) -> None:
        raise AssertionError("never slow")

    def evicted(self, channel: str, reason: str) -> None:
        pass


class FakeUser(Actor):
    """A user actor that answers ``GetPresence`` from the test's connection counts
    (a negative count: it cannot answer)."""

    def __init__(self, context: ActorContext, connections: dict[str, int]) -> None:
        super().__init__(context)
        self._connections = connections

    async def on_receive(self, message: object) -> object:
        assert isinstance(message, GetPresence)
        count = self._connections.get(self.address.id, 0)
        if count < 0:
            raise DomainError(ErrorCode.UNAVAILABLE, "this user's presence is unknown")
        status = PresenceStatus.ONLINE if count else PresenceStatus.OFFLINE
        return PresenceView(status=status, connections=count)


@dataclasses.dataclass
class World:
    registry: Registry
    hub: Hub
    calls: FakeCalls
    notified: list[tuple[str, Notify]]
    connections: dict[str, int]
    """Live connections per user anywhere in the cluster, as the user actors know them."""


@contextlib.asynccontextmanager
async def open_world(*, cluster: bool = False) -> AsyncIterator[World]:
    hub = Hub()
    calls = FakeCalls()
    store = cast(Any, type("FakeStore", (), {"calls": calls})())
    notified: list[tuple[str, Notify]] = []
    connections: dict[str, int] = {}

    async def notify(user_id: str, message: Notify) -> None:
        notified.append((user_id, message))

    kinds = [
        ActorKind(
            CALL,
            lambda context: CallActor(context, store, hub, notify, cluster=cluster),
            restart=RestartType.TRANSIENT,
        ),
        ActorKind(CALL_CONTEXT, lambda context: CallContextActor(context, store)),
        ActorKind(CALL_ALARM, CallAlarmActor, idle_timeout=10.0),
        ActorKind(USER, lambda context: FakeUser(context, connections)),
    ]
    async with open_registry(kinds) as registry:
        yield World(registry, hub, calls, notified, connections)


@pytest.fixture
async def world() -> AsyncIterator[World]:
    async with open_world() as opened:
        yield opened


async def start_call(world: World, caller: str, *invitees: str) -> str:
    created: CallCreated = await world.registry.ref(CALL_CONTEXT, "room1").ask(
        OpenCall(caller_id=caller, invitee_ids=invitees, media=CallMedia.AUDIO)
    )
    return created.call_id


def attach(world: World, call_id: str, user_id: str) -> FakeConnection:
    connection = FakeConnection(user_id)
    world.hub.subscribe(f"call:{call_id}", connection)  # type: ignore[arg-type]
    return connection


async def test_unanswered_ring_ends_as_missed_after_45_seconds(
    world: World, autojump_clock: Any
) -> None:
    bob_feed = FakeConnection("bob")
    world.hub.subscribe("user:bob", bob_feed)  # type: ignore[arg-type]
    call_id = await start_call(world, "alice", "bob")
    alice = attach(world, call_id, "alice")
    assert isinstance(bob_feed.frames[0], CallRinging)
    assert [n.kind for user, n in world.notified] == ["call"]
    await trio.sleep(40)
    assert world.calls.calls[call_id].outcome is None
    await trio.sleep(10)
    assert world.calls.calls[call_id].outcome == "missed"
    last = alice.frames[-1]
    assert isinstance(last, CallStateChanged)
    assert (last.state, last.ended_reason) == (CallState.ENDED, "no_answer")
    assert ("bob", "missed_call") in [(user, n.kind) for user, n in world.notified]
    with pytest.raises(DomainError):
        await world.registry.ref(CALL, call_id).ask(AcceptCall(user_id="bob"))


async def test_a_participant_whose_connections_closed_is_removed_and_the_call_ends(
    world: World, autojump_clock: Any
) -> None:
    call_id = await start_call(world, "alice", "bob")
    alice = attach(world, call_id, "alice")
    bob = attach(world, call_id, "bob")
    await world.registry.ref(CALL, call_id).ask(AcceptCall(user_id="bob"))
    await trio.sleep(100)
    assert world.calls.calls[call_id].outcome is None
    world.hub.unsubscribe(f"call:{call_id}", bob)  # type: ignore[arg-type]
    await trio.sleep(25)
    assert world.calls.calls[call_id].outcome is None
    await trio.sleep(10)
    assert world.calls.calls[call_id].outcome == "completed"
    assert alice.frames[-1].state == CallState.ENDED


@pytest.mark.parametrize("cluster", [False, True])
async def test_in_a_cluster_a_participant_connected_to_another_node_stays(
    cluster: bool, autojump_clock: Any
) -> None:
    """Bob's connection is on another node (no subscription here): in a cluster his
    presence keeps him in the call until his connections close; on one node the
    subscription is the whole truth."""
    async with open_world(cluster=cluster) as world:
        call_id = await start_call(world, "alice", "bob")
        attach(world, call_id, "alice")
        world.connections["bob"] = 1
        await world.registry.ref(CALL, call_id).ask(AcceptCall(user_id="bob"))
        await trio.sleep(100)
        if not cluster:
            assert world.calls.calls[call_id].outcome == "completed"
            return
        assert world.calls.calls[call_id].outcome is None
        world.connections["bob"] = -1  # nobody can tell: he is not dropped for that
        await trio.sleep(100)
        assert world.calls.calls[call_id].outcome is None
        world.connections["bob"] = 0
        await trio.sleep(25)
        assert world.calls.calls[call_id].outcome is None
        await trio.sleep(10)
        assert world.calls.calls[call_id].outcome == "completed"


async def test_signals_go_to_the_target_participant_only(world: World, autojump_clock: Any) -> None:
    call_id = await start_call(world, "alice", "bob", "carol")
    alice, bob, carol = (attach(world, call_id, name) for name in ("alice", "bob", "carol"))
    mallory = attach(world, call_id, "mallory")
    call = world.registry.ref(CALL, call_id)
    with pytest.raises(DomainError) as refused:
        await call.ask(CheckCallAccess(user_id="mallory"))
    assert refused.value.code == "forbidden"
    await call.ask(AcceptCall(user_id="bob"))
    offer = RelaySignal(user_id="alice", target_user_id="bob", kind=SignalKind.OFFER, payload="o")
    await call.ask(offer)
    with pytest.raises(DomainError):  # carol was rung but has not joined
        await call.ask(msgspec.structs.replace(offer, target_user_id="carol"))
    with pytest.raises(DomainError):
        await call.ask(msgspec.structs.replace(offer, user_id="mallory"))
    signals = [
        (name, frame.from_user_id)
        for name, connection in (("alice", alice), ("bob", bob), ("carol", carol), ("m", mallory))
        for frame in connection.frames
        if isinstance(frame, CallSignalReceived)
    ]
    assert signals == [("bob", "alice")]
    await call.ask(DeclineCall(user_id="carol"))
    await call.ask(HangUp(user_id="bob"))
    assert world.calls.calls[call_id].outcome == "completed"


async def test_one_live_call_per_context_and_caller_cancel(
    world: World, autojump_clock: Any
) -> None:
    call_id = await start_call(world, "alice", "bob")
    with pytest.raises(DomainError) as busy:
        await start_call(world, "bob", "alice")
    assert busy.value.code == "conflict"
    await world.registry.ref(CALL, call_id).ask(HangUp(user_id="alice"))
    assert world.calls.calls[call_id].outcome == "missed"
    await trio.sleep(0.1)
    assert await start_call(world, "bob", "alice") != call_id


async def test_declining_the_only_invitation_ends_the_call(
    world: World, autojump_clock: Any
) -> None:
    call_id = await start_call(world, "alice", "bob")
    await world.registry.ref(CALL, call_id).ask(DeclineCall(user_id="bob"))
    assert world.calls.calls[call_id].outcome == "declined"
