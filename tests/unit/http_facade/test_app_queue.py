"""AppQueue keeps the contract of the trio memory channel it replaces (module docstring)."""

from __future__ import annotations

import pytest
import trio
import trio.testing

from http_facade.websocket.app_queue import AppQueue


async def test_items_come_out_in_order() -> None:
    queue = AppQueue[int](10)
    for item in range(3):
        await queue.put(item)
    assert [await queue.receive() for _ in range(3)] == [0, 1, 2]


async def test_a_waiting_receiver_gets_the_next_item() -> None:
    queue = AppQueue[str](2)
    got: list[str] = []

    async def receive() -> None:
        got.append(await queue.receive())

    async with trio.open_nursery() as nursery:
        nursery.start_soon(receive)
        await trio.testing.wait_all_tasks_blocked()
        await queue.put("hello")
    assert got == ["hello"]


async def test_put_waits_while_full_then_queues_in_order() -> None:
    queue = AppQueue[int](1)
    await queue.put(1)
    done = trio.Event()

    async def put_second() -> None:
        await queue.put(2)
        done.set()

    async with trio.open_nursery() as nursery:
        nursery.start_soon(put_second)
        await trio.testing.wait_all_tasks_blocked()
        assert not done.is_set() and len(queue) == 1
        assert await queue.receive() == 1
        await done.wait()
        assert await queue.receive() == 2


async def test_a_cancelled_put_queues_nothing_and_a_cancelled_receive_takes_nothing() -> None:
    queue = AppQueue[int](1)
    await queue.put(1)
    with trio.move_on_after(0.01):
        await queue.put(2)
    assert len(queue) == 1
    assert await queue.receive() == 1
    with trio.move_on_after(0.01):
        await queue.receive()
    await queue.put(3)
    assert await queue.receive() == 3


async def test_both_are_checkpoints() -> None:
    queue = AppQueue[int](2)
    with trio.testing.assert_checkpoints():
        await queue.put(1)
    with trio.testing.assert_checkpoints():
        await queue.receive()
    with trio.CancelScope() as scope:
        scope.cancel()
        with pytest.raises(trio.Cancelled):
            await queue.put(2)
    assert len(queue) == 0


async def test_one_receiver_at_a_time() -> None:
    queue = AppQueue[int](1)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(queue.receive)
        await trio.testing.wait_all_tasks_blocked()
        with pytest.raises(trio.BusyResourceError):
            await queue.receive()
        await queue.put(1)


def test_capacity_is_at_least_one() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        AppQueue[int](0)
