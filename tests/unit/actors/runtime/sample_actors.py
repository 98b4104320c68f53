"""Actors and an in-memory store shared by the actor and supervisor unit tests."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import msgspec
import trio

from actors import Actor, ActorContext, ActorRef, MessageRejected
from supervisors import ActorKind


class Add(msgspec.Struct):
    amount: int


class Get(msgspec.Struct):
    pass


class Record(msgspec.Struct):
    """Append ``value`` to the actor's log, taking ``pause`` seconds in the middle."""

    value: int
    pause: float = 0.0


class Log(msgspec.Struct):
    pass


class Flush(msgspec.Struct):
    pass


@dataclass
class Crash:
    reason: str


@dataclass
class Block:
    """Hold the turn until ``release`` is set."""

    release: trio.Event


@dataclass
class AskOther:
    target: ActorRef
    message: object


@dataclass
class FanOut:
    """Ask every target concurrently from child tasks of the turn."""

    targets: list[ActorRef]
    message: object


class StopMe(msgspec.Struct):
    pass


class TellSelf(msgspec.Struct):
    """Tell ``Add(amount)`` to itself from inside the turn."""

    amount: int


class NotAllowed(MessageRejected):
    """A domain refusal."""


class Reject(msgspec.Struct):
    pass


@dataclass
class Store:
    """The 'persisted' state: totals per id, with counters of loads and flushes."""

    totals: dict[str, int] = field(default_factory=dict)
    starts: Counter[str] = field(default_factory=Counter)
    stops: Counter[str] = field(default_factory=Counter)
    failures: list[tuple[str, str, str]] = field(default_factory=list)
    start_gate: trio.Event | None = None
    stop_gate: trio.Event | None = None
    failing_starts: int = 0


class CounterActor(Actor):
    """Total loaded in ``on_start``, flushed in ``on_stop`` or on ``Flush``."""

    __slots__ = ("log", "store", "total")

    def __init__(self, context: ActorContext, store: Store) -> None:
        super().__init__(context)
        self.store = store
        self.total = 0
        self.log: list[Any] = []

    async def on_start(self) -> None:
        self.store.starts[self.address.id] += 1
        if self.store.start_gate is not None:
            await self.store.start_gate.wait()
        if self.store.failing_starts > 0:
            self.store.failing_starts -= 1
            raise OSError("storage unavailable")
        self.total = self.store.totals.get(self.address.id, 0)

    async def on_stop(self) -> None:
        self.store.stops[self.address.id] += 1
        if self.store.stop_gate is not None:
            await self.store.stop_gate.wait()
        self.store.totals[self.address.id] = self.total

    async def on_failure(self, error: Exception, message: object | None) -> None:
        self.store.failures.append(
            (self.address.id, type(error).__name__, type(message).__name__)
        )

    async def on_receive(self, message: object) -> object:
        match message:
            case Add(amount=amount):
                self.total += amount
                return self.total
            case Get():
                return self.total
            case Flush():
                self.store.totals[self.address.id] = self.total
                return None
            case Record(value=value, pause=pause):
                self.log.append(("begin", value))
                if pause:
                    await trio.sleep(pause)
                self.log.append(("end", value))
                return None
            case Log():
                return list(self.log)
            case Crash(reason=reason):
                raise RuntimeError(reason)
            case Block(release=release):
                await release.wait()
                return "released"
            case AskOther(target=target, message=inner):
                return await target.ask(inner)
            case FanOut(targets=targets, message=inner):
                replies: list[object] = []

                async def ask_one(target: ActorRef) -> None:
                    replies.append(await target.ask(inner))

                async with trio.open_nursery() as nursery:
                    for target in targets:
                        nursery.start_soon(ask_one, target)
                return replies
            case TellSelf(amount=amount):
                await self.context.self_ref.tell(Add(amount))
                return None
            case StopMe():
                self.context.stop()
                return None
            case Reject():
                raise NotAllowed("not allowed")
            case _:
                self.unhandled(message)


def counter_kind(store: Store, name: str = "counter", **options: Any) -> ActorKind:
    """A counter kind over ``store``; ``options`` are ``ActorKind`` fields."""
    return ActorKind(name, lambda context: CounterActor(context, store), **options)
