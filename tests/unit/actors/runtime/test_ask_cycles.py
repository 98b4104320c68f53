"""Ask cycles are detected before they deadlock (AskCycle), never left to hang."""

from __future__ import annotations

import pytest
import trio
import trio.testing

from actors import ActorCrashed, AskCycle, current_ask_chain
from supervisors import open_registry
from tests.unit.actors.runtime.sample_actors import (
    Add,
    AskOther,
    Block,
    FanOut,
    Get,
    Store,
    TellSelf,
    counter_kind,
)


async def test_a_asks_b_asks_a_fails_fast_with_ask_cycle(autojump_clock: object) -> None:
    async with open_registry([counter_kind(Store())]) as registry:
        first, second = registry.ref("counter", "a"), registry.ref("counter", "b")
        started = trio.current_time()
        with pytest.raises(ActorCrashed) as raised:
            await first.ask(AskOther(second, AskOther(first, Get())))
        assert trio.current_time() == started  # detected, not timed out
        assert raised.value.error_type == "ActorCrashed"  # b's crash, reported through a
        assert "AskCycle" in raised.value.error_message
        assert await first.ask(Add(1)) == 1
        assert await second.ask(Add(1)) == 1


async def test_ask_cycle_names_the_chain() -> None:
    async with open_registry([counter_kind(Store())]) as registry:
        first, second = registry.ref("counter", "a"), registry.ref("counter", "b")
        with pytest.raises(ActorCrashed) as raised:
            await first.ask(AskOther(first, Get()))
        assert raised.value.error_type == "AskCycle"
        assert "counter/a -> counter/a" in raised.value.error_message
        with pytest.raises(ActorCrashed) as raised:
            await first.ask(AskOther(second, AskOther(first, Get())))
        assert "counter/a -> counter/b -> counter/a" in raised.value.error_message


async def test_cycle_through_child_tasks_of_a_turn_is_detected(autojump_clock: object) -> None:
    store = Store()
    async with open_registry([counter_kind(store)]) as registry:
        first, second, third = (registry.ref("counter", id) for id in "abc")
        started = trio.current_time()
        with pytest.raises(ActorCrashed) as raised:
            await first.ask(FanOut([second, third], AskOther(first, Get())))
        assert trio.current_time() == started
        assert raised.value.error_type == "ExceptionGroup"
        assert sorted(store.failures) == [
            ("a", "ExceptionGroup", "FanOut"),
            ("b", "AskCycle", "AskOther"),
            ("c", "AskCycle", "AskOther"),
        ]


async def test_no_cycle_between_distinct_actors() -> None:
    async with open_registry([counter_kind(Store())]) as registry:
        first, second = registry.ref("counter", "a"), registry.ref("counter", "b")
        await second.tell(Add(5))
        assert await first.ask(AskOther(second, Get())) == 5
        assert current_ask_chain() == ()


async def test_ask_cycle_error_lists_the_chain() -> None:
    async with open_registry([counter_kind(Store())]) as registry:
        address = registry.ref("counter", "a").address
        error = AskCycle((address, address))
        assert error.chain == (address, address)


async def test_tell_to_itself_on_a_full_mailbox_raises_instead_of_waiting(
    autojump_clock: object,
) -> None:
    async with open_registry([counter_kind(Store(), mailbox_capacity=1)]) as registry:
        ref = registry.ref("counter", "a")
        release = trio.Event()
        await ref.tell(Block(release))
        outcome: dict[str, object] = {}

        async def ask_tell_self() -> None:
            try:
                outcome["reply"] = await ref.ask(TellSelf(1))
            except ActorCrashed as crashed:
                outcome["reply"] = crashed

        async with trio.open_nursery() as nursery:
            nursery.start_soon(ask_tell_self)
            await trio.testing.wait_all_tasks_blocked()
            nursery.start_soon(ref.tell, Add(10))  # waits: the mailbox is full
            await trio.testing.wait_all_tasks_blocked()
            release.set()
        crashed = outcome["reply"]
        assert isinstance(crashed, ActorCrashed)
        assert crashed.error_type == "MailboxFull"
        assert await ref.ask(Get()) == 10
