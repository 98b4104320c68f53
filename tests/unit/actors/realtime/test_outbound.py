"""The connection's bounded outbound queue: bounds, batches, close, backpressure."""

from __future__ import annotations

import pytest
import trio
import trio.testing

from actors.realtime.outbound import OutboundQueue


def test_capacity_must_be_positive() -> None:
    with pytest.raises(ValueError):
        OutboundQueue[int](0)


async def test_put_nowait_refuses_when_full_and_keeps_what_it_had() -> None:
    queue = OutboundQueue[int](2)
    assert queue.put_nowait(1)
    assert queue.put_nowait(2)
    assert not queue.put_nowait(3)
    assert len(queue) == 2
    assert await queue.take_all() == [1, 2]
    assert len(queue) == 0


async def test_the_writer_gets_everything_queued_while_it_was_away_in_one_batch() -> None:
    queue = OutboundQueue[str](10)
    batches: list[list[str]] = []

    async def writer() -> None:
        while batch := await queue.take_all():
            batches.append(batch)

    async with trio.open_nursery() as nursery:
        nursery.start_soon(writer)
        await trio.testing.wait_all_tasks_blocked()
        queue.put_nowait("a")
        queue.put_nowait("b")  # queued before the writer runs: same batch
        await trio.testing.wait_all_tasks_blocked()
        queue.put_nowait("c")
        await trio.testing.wait_all_tasks_blocked()
        queue.close()
    assert batches == [["a", "b"], ["c"]]


async def test_close_drains_then_ends_and_later_puts_are_dropped() -> None:
    queue = OutboundQueue[int](4)
    queue.put_nowait(1)
    queue.close()
    assert queue.closed
    assert queue.put_nowait(2)  # dropped, not refused: the connection is ending anyway
    await queue.put(3)
    assert await queue.take_all() == [1]
    assert await queue.take_all() == []


async def test_put_waits_for_room_and_resumes_in_order() -> None:
    queue = OutboundQueue[int](1)
    queue.put_nowait(1)
    done = trio.Event()

    async def producer() -> None:
        await queue.put(2)
        done.set()

    async with trio.open_nursery() as nursery:
        nursery.start_soon(producer)
        await trio.testing.wait_all_tasks_blocked()
        assert not done.is_set()
        assert await queue.take_all() == [1]
        await done.wait()
    assert await queue.take_all() == [2]


async def test_a_waiting_put_returns_when_the_queue_closes() -> None:
    queue = OutboundQueue[int](1)
    queue.put_nowait(1)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(queue.put, 2)
        await trio.testing.wait_all_tasks_blocked()
        queue.close()
    assert await queue.take_all() == [1]


async def test_a_cancelled_writer_leaves_the_queue_usable(autojump_clock: object) -> None:
    queue = OutboundQueue[int](4)
    with trio.move_on_after(1):
        await queue.take_all()
    queue.put_nowait(7)  # must not reschedule the cancelled task
    assert await queue.take_all() == [7]
