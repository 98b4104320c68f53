"""Virtual activation, passivation, and messages sent while either is in progress."""

from __future__ import annotations

import pytest
import trio
import trio.testing

from actors import ActorStopped
from supervisors import Backoff, Registry, RestartType, open_registry
from tests.unit.actors.runtime.sample_actors import (
    Add,
    Block,
    Crash,
    Get,
    StopMe,
    Store,
    counter_kind,
)


def state_of(registry: Registry, id: str = "a") -> str | None:
    statistics = registry.actor_statistics("counter", id)
    return None if statistics is None else statistics.state


async def test_concurrent_first_messages_make_one_activation(autojump_clock: object) -> None:
    store = Store(start_gate=trio.Event())
    async with open_registry([counter_kind(store)]) as registry:
        replies: list[int] = []

        async def add_one() -> None:
            replies.append(await registry.ref("counter", "a").ask(Add(1), timeout=60))

        async with trio.open_nursery() as nursery:
            for _ in range(20):
                nursery.start_soon(add_one)
            await trio.testing.wait_all_tasks_blocked()
            assert state_of(registry) == "activating"
            assert store.starts["a"] == 1
            assert store.start_gate is not None
            store.start_gate.set()
        assert sorted(replies) == list(range(1, 21))
        assert store.starts["a"] == 1
        assert registry.statistics().kinds[0].activations == 1


async def test_idle_actor_passivates_flushes_and_reactivates_with_its_state(
    autojump_clock: object,
) -> None:
    store = Store()
    async with open_registry([counter_kind(store, idle_timeout=60.0)]) as registry:
        ref = registry.ref("counter", "a")
        await ref.ask(Add(3))
        await trio.sleep(30)
        assert state_of(registry) == "active"
        await ref.ask(Add(4))  # activity resets the idle clock
        await trio.sleep(50)
        assert state_of(registry) == "active"
        await trio.sleep(25)  # passivated between 60 and 75 s after the last message
        assert state_of(registry) is None
        assert (store.totals["a"], store.stops["a"]) == (7, 1)
        assert await ref.ask(Get()) == 7
        assert store.starts["a"] == 2
        kind = registry.statistics().kinds[0]
        assert (kind.activations, kind.passivations, kind.active) == (2, 1, 1)


async def test_messages_sent_while_passivating_are_delivered(autojump_clock: object) -> None:
    store = Store(stop_gate=trio.Event())
    kind = counter_kind(store, idle_timeout=10.0, stop_timeout=60.0)
    async with open_registry([kind]) as registry:
        ref = registry.ref("counter", "a")
        await ref.ask(Add(1))
        await trio.sleep(20)
        assert state_of(registry) == "passivating"
        await ref.tell(Add(2))
        assert store.stop_gate is not None
        store.stop_gate.set()
        assert await ref.ask(Get()) == 3
        assert (store.starts["a"], store.stops["a"]) == (2, 1)


async def test_messages_sent_while_restarting_are_delivered(autojump_clock: object) -> None:
    store = Store(totals={"a": 100})
    kind = counter_kind(store, backoff=Backoff(initial=5.0))
    async with open_registry([kind]) as registry:
        ref = registry.ref("counter", "a")
        await ref.tell(Crash("boom"))
        await trio.sleep(1)
        assert state_of(registry) == "restarting"
        await ref.tell(Add(1))
        assert await ref.ask(Get(), timeout=10) == 101
        assert store.starts["a"] == 2


async def test_failing_on_start_is_retried_then_gives_up(autojump_clock: object) -> None:
    store = Store(failing_starts=2)
    async with open_registry([counter_kind(store)]) as registry:
        assert await registry.ref("counter", "a").ask(Add(1)) == 1
        assert store.starts["a"] == 3
        store.failing_starts = 10
        kind = counter_kind(store, name="fragile")
    async with open_registry([kind]) as registry:
        with pytest.raises(ActorStopped, match="gave up after 3 restarts"):
            await registry.ref("fragile", "b").ask(Add(1))
        assert registry.statistics().kinds[0].escalations == 1


async def test_actor_stop_passivates_transient_and_restarts_permanent() -> None:
    store = Store()
    kinds = [
        counter_kind(store, name="counter"),
        counter_kind(store, name="transient", restart=RestartType.TRANSIENT),
    ]
    async with open_registry(kinds) as registry:
        permanent, transient = registry.ref("counter", "p"), registry.ref("transient", "t")
        for ref in (permanent, transient):
            await ref.ask(Add(5))
            await ref.ask(StopMe())
            assert await ref.ask(Get()) == 5
        assert (store.starts["p"], store.stops["p"]) == (2, 1)
        assert (store.starts["t"], store.stops["t"]) == (2, 1)
        permanent_kind, transient_kind = registry.statistics().kinds
        assert (permanent_kind.restarts, permanent_kind.passivations) == (1, 0)
        assert (transient_kind.restarts, transient_kind.passivations) == (0, 1)


async def test_close_drains_queued_messages_flushes_and_refuses_new_ones() -> None:
    store = Store()
    async with open_registry([counter_kind(store)]) as registry:
        ref = registry.ref("counter", "a")
        release = trio.Event()
        await ref.tell(Block(release))
        for _ in range(5):
            await ref.tell(Add(1))
        async with trio.open_nursery() as nursery:
            nursery.start_soon(registry.aclose)
            await trio.testing.wait_all_tasks_blocked()
            with pytest.raises(ActorStopped, match="closed"):
                await ref.tell(Add(100))
            release.set()
    assert store.totals["a"] == 5
    assert registry.statistics().closed


async def test_close_deadline_cancels_stuck_actors_and_fails_their_asks(
    autojump_clock: object,
) -> None:
    store = Store()
    outcome: list[BaseException] = []
    async with open_registry([counter_kind(store)], shutdown_timeout=5.0) as registry:
        ref = registry.ref("counter", "a")
        await ref.tell(Add(2))

        async def ask_stuck() -> None:
            try:
                await ref.ask(Block(trio.Event()), timeout=60)
            except ActorStopped as stopped:
                outcome.append(stopped)

        async with trio.open_nursery() as nursery:
            nursery.start_soon(ask_stuck)
            await trio.testing.wait_all_tasks_blocked()
            await registry.aclose()
    assert len(outcome) == 1
    assert store.stops["a"] == 0  # cancelled mid-turn: not flushed


async def test_on_stop_overrunning_its_timeout_is_recorded_and_the_actor_retires(
    autojump_clock: object,
) -> None:
    store = Store(stop_gate=trio.Event())  # never set: on_stop hangs
    kind = counter_kind(store, idle_timeout=10.0, stop_timeout=2.0)
    async with open_registry([kind]) as registry:
        await registry.ref("counter", "a").ask(Add(1))
        await trio.sleep(20)
        assert state_of(registry) is None
        failures = registry.statistics().kinds[0].last_failures
        assert [failure.error_type for failure in failures] == ["TimeoutError"]
        assert "on_stop exceeded 2 s" in failures[0].message
