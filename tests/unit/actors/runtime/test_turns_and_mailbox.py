"""Turn-based handling, FIFO order, bounded mailboxes and backpressure."""

from __future__ import annotations

from functools import partial

import pytest
import trio
import trio.testing

from actors import ActorStatistics, MailboxFull
from supervisors import Registry, open_registry
from tests.unit.actors.runtime.sample_actors import (
    Add,
    Block,
    Get,
    Log,
    Record,
    Store,
    counter_kind,
)


async def test_one_message_at_a_time_even_when_handlers_wait(autojump_clock: object) -> None:
    async with open_registry([counter_kind(Store())]) as registry:
        ref = registry.ref("counter", "a")
        async with trio.open_nursery() as nursery:
            for value in range(5):
                nursery.start_soon(partial(ref.ask, Record(value, pause=1.0), timeout=60))
        log = await ref.ask(Log())
    begins_and_ends = [(log[index][0], log[index + 1][0]) for index in range(0, len(log), 2)]
    assert begins_and_ends == [("begin", "end")] * 5
    assert [log[index][1] for index in range(0, 10, 2)] == [log[i][1] for i in range(1, 10, 2)]


async def test_messages_from_one_sender_are_handled_in_send_order() -> None:
    async with open_registry([counter_kind(Store(), mailbox_capacity=4)]) as registry:
        ref = registry.ref("counter", "a")
        for value in range(50):
            await ref.tell(Record(value))
        log = await ref.ask(Log())
    assert [value for step, value in log if step == "begin"] == list(range(50))


async def test_full_mailbox_tell_nowait_raises_and_tell_waits() -> None:
    async with open_registry([counter_kind(Store(), mailbox_capacity=2)]) as registry:
        ref = registry.ref("counter", "a")
        release = trio.Event()
        await ref.tell(Block(release))
        await trio.testing.wait_all_tasks_blocked()
        ref.tell_nowait(Add(1))
        ref.tell_nowait(Add(2))
        with pytest.raises(MailboxFull) as raised:
            ref.tell_nowait(Add(100))
        assert raised.value.capacity == 2
        told = trio.Event()

        async def tell_when_room() -> None:
            await ref.tell(Add(3))
            told.set()

        async with trio.open_nursery() as nursery:
            nursery.start_soon(tell_when_room)
            await trio.testing.wait_all_tasks_blocked()
            assert not told.is_set()
            statistics = ref_statistics(registry)
            assert (statistics.mailbox_depth, statistics.senders_waiting) == (2, 1)
            release.set()
        assert told.is_set()
        assert await ref.ask(Get()) == 6


async def test_cancelled_tell_waiting_for_room_enqueues_nothing(autojump_clock: object) -> None:
    async with open_registry([counter_kind(Store(), mailbox_capacity=1)]) as registry:
        ref = registry.ref("counter", "a")
        release = trio.Event()
        await ref.tell(Block(release))
        await trio.testing.wait_all_tasks_blocked()
        await ref.tell(Add(1))
        with trio.move_on_after(1):
            await ref.tell(Add(100))
        release.set()
        assert await ref.ask(Get()) == 1


def ref_statistics(registry: Registry) -> ActorStatistics:
    statistics = registry.actor_statistics("counter", "a")
    assert statistics is not None
    return statistics
