"""Refs are cheap hashable names that never keep an actor alive; the error hierarchy."""

from __future__ import annotations

import gc
import weakref

import msgspec
import trio

from actors import (
    Actor,
    ActorCrashed,
    ActorError,
    ActorRef,
    ActorStopped,
    Address,
    AskCycle,
    AskError,
    AskTimeout,
    DeliveryError,
    MailboxFull,
    MessageRejected,
    RestartIntensityExceeded,
    UnhandledMessage,
    UnknownActorKind,
)
from supervisors import ActorKind, open_registry


class Ping(msgspec.Struct):
    pass


class Tracked(Actor):
    """No ``__slots__``: instances can be weakly referenced by the test."""

    instances: weakref.WeakSet[Tracked]

    async def on_start(self) -> None:
        Tracked.instances.add(self)

    async def on_receive(self, message: object) -> object:
        return "pong"


async def test_refs_are_hashable_names_of_an_address() -> None:
    async with open_registry([ActorKind("tracked", Tracked)]) as registry:
        first = registry.ref("tracked", "1")
        again = registry.ref("tracked", "1")
        other = registry.ref("tracked", "2")
        assert first == again and hash(first) == hash(again)
        assert first != other
        assert {first: "x"}[again] == "x"
        assert (first.kind, first.id) == ("tracked", "1")
        assert first.address == Address("tracked", "1")
        assert repr(first) == "ActorRef(tracked/1)"
        assert not hasattr(first, "__dict__")


async def test_a_held_ref_does_not_keep_a_passivated_actor_alive(autojump_clock: object) -> None:
    Tracked.instances = weakref.WeakSet()
    kind = ActorKind("tracked", Tracked, idle_timeout=10.0)
    async with open_registry([kind]) as registry:
        ref: ActorRef = registry.ref("tracked", "1")
        assert await ref.ask(Ping()) == "pong"
        assert len(Tracked.instances) == 1
        await trio.sleep(20)
        gc.collect()
        assert registry.actor_statistics("tracked", "1") is None
        assert len(Tracked.instances) == 0
        assert await ref.ask(Ping()) == "pong"
        assert len(Tracked.instances) == 1


def test_error_hierarchy() -> None:
    address = Address("user", "1")
    assert issubclass(DeliveryError, ActorError)
    assert issubclass(AskError, ActorError)
    for delivery in (UnknownActorKind, MailboxFull, ActorStopped):
        assert issubclass(delivery, DeliveryError)
    for ask in (AskTimeout, ActorCrashed, AskCycle):
        assert issubclass(ask, AskError)
    assert issubclass(UnknownActorKind, LookupError)
    assert issubclass(AskTimeout, TimeoutError)
    assert issubclass(UnhandledMessage, MessageRejected)
    assert not issubclass(MessageRejected, (AskError, DeliveryError))
    assert issubclass(RestartIntensityExceeded, ActorError)
    crashed = ActorCrashed(address, "Post", "KeyError", "'x'")
    assert str(crashed) == "user/1 crashed handling Post: KeyError: 'x'"
    assert str(ActorStopped(address, "the registry is closed")) == (
        "user/1 is stopped: the registry is closed"
    )
