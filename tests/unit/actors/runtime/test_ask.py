"""Asks: replies, deadlines, rejections, crashes and cancelled callers."""

from __future__ import annotations

import pytest
import trio
import trio.testing

from actors import (
    ActorCrashed,
    AskError,
    AskTimeout,
    DeliveryError,
    MessageRejected,
    UnhandledMessage,
)
from supervisors import Registry, open_registry
from tests.unit.actors.runtime.sample_actors import (
    Add,
    Block,
    Crash,
    Get,
    NotAllowed,
    Reject,
    Store,
    counter_kind,
)


def restarts_of(registry: Registry, id: str = "a") -> int:
    statistics = registry.actor_statistics("counter", id)
    assert statistics is not None
    return statistics.restarts


async def test_ask_returns_the_handlers_value() -> None:
    async with open_registry([counter_kind(Store())]) as registry:
        ref = registry.ref("counter", "a")
        assert await ref.ask(Add(2)) == 2
        assert await ref.ask(Add(3)) == 5


async def test_ask_times_out_with_ask_timeout_and_the_actor_carries_on(
    autojump_clock: object,
) -> None:
    async with open_registry([counter_kind(Store(), ask_timeout=3.0)]) as registry:
        ref = registry.ref("counter", "a")
        release = trio.Event()
        await ref.tell(Block(release))
        started = trio.current_time()
        with pytest.raises(AskTimeout) as raised:
            await ref.ask(Get(), timeout=1.5)
        assert trio.current_time() - started == pytest.approx(1.5)
        assert isinstance(raised.value, TimeoutError)
        assert raised.value.timeout == 1.5
        with pytest.raises(AskTimeout) as raised:
            await ref.ask(Get())
        assert raised.value.timeout == 3.0
        release.set()
        assert await ref.ask(Add(1)) == 1
        assert restarts_of(registry) == 0


async def test_rejection_reaches_the_asker_unchanged_without_restart() -> None:
    store = Store()
    async with open_registry([counter_kind(store)]) as registry:
        ref = registry.ref("counter", "a")
        await ref.tell(Add(4))
        with pytest.raises(NotAllowed):
            await ref.ask(Reject())
        with pytest.raises(UnhandledMessage) as raised:
            await ref.ask("a bare string")
        assert raised.value.message_type == "str"
        assert isinstance(raised.value, MessageRejected)
        assert await ref.ask(Get()) == 4
        assert restarts_of(registry) == 0
        assert store.starts["a"] == 1


async def test_crash_fails_that_ask_restarts_from_persisted_state_and_keeps_the_queue(
    autojump_clock: object,
) -> None:
    store = Store(totals={"a": 10})
    async with open_registry([counter_kind(store)]) as registry:
        ref = registry.ref("counter", "a")
        release = trio.Event()
        await ref.tell(Block(release))
        await ref.tell(Add(5))  # applied in memory, never flushed: lost in the crash
        replies: dict[str, object] = {}

        async def ask_and_keep(message: object) -> None:
            try:
                replies[type(message).__name__] = await ref.ask(message)
            except ActorCrashed as crashed:
                replies[type(message).__name__] = crashed

        async with trio.open_nursery() as nursery:
            nursery.start_soon(ask_and_keep, Crash("boom"))
            await trio.testing.wait_all_tasks_blocked()
            nursery.start_soon(ask_and_keep, Add(1))
            await trio.testing.wait_all_tasks_blocked()
            await ref.tell(Add(100))
            release.set()

        crashed, after_restart = replies["Crash"], replies["Add"]
        assert isinstance(crashed, ActorCrashed)
        assert isinstance(crashed, AskError)
        assert (crashed.error_type, crashed.error_message) == ("RuntimeError", "boom")
        assert crashed.message_type == "Crash"
        assert crashed.address == ref.address
        assert after_restart == 11  # reloaded 10, then the queued Add(1)
        assert await ref.ask(Get()) == 111
        assert store.starts["a"] == 2
        assert store.failures == [("a", "RuntimeError", "Crash")]
        statistics = registry.actor_statistics("counter", "a")
        assert statistics is not None
        assert statistics.restarts == 1
        assert statistics.last_failure is not None
        assert statistics.last_failure.error_type == "RuntimeError"


async def test_cancelled_asker_does_not_disturb_the_actor(autojump_clock: object) -> None:
    async with open_registry([counter_kind(Store())]) as registry:
        ref = registry.ref("counter", "a")
        release = trio.Event()
        await ref.tell(Block(release))
        with trio.move_on_after(1) as scope:
            await ref.ask(Add(7))
        assert scope.cancelled_caught
        release.set()
        # The cancelled ask had been enqueued: it is handled, its reply dropped.
        assert await ref.ask(Add(1)) == 8
        assert restarts_of(registry) == 0


async def test_unknown_kind_is_a_delivery_error() -> None:
    async with open_registry([counter_kind(Store())]) as registry:
        with pytest.raises(DeliveryError):
            registry.ref("nope", "a")
        with pytest.raises(LookupError):
            registry.ref("nope", "a")
