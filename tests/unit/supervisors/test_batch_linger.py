"""Latency-budgeted batching: the policy (supervisors/batch_linger.py) and the runtime's
wait for more batchable messages (supervisors/activation.py)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
import trio
import trio.testing

from supervisors import batch_linger, open_registry
from supervisors.batch_linger import ArrivalRate, BatchLinger, ProcessLoad
from tests.unit.supervisors.test_batch_turns import Append, batching_kind

BUDGET = 0.01


class Clocks:
    """A CPU clock and a wall clock the test moves."""

    def __init__(self) -> None:
        self.cpu = 0.0
        self.wall = 100.0


def test_process_load_is_the_cpu_share_of_the_last_window() -> None:
    clocks = Clocks()
    load = ProcessLoad(lambda: clocks.cpu, lambda: clocks.wall)
    assert load.share() == 0.0
    clocks.cpu, clocks.wall = 0.2, 100.25
    assert load.share() == pytest.approx(0.8)
    clocks.cpu, clocks.wall = 0.21, 100.3  # a window not yet over: the last figure stands
    assert load.share() == pytest.approx(0.8)
    clocks.cpu, clocks.wall = 0.22, 100.5
    assert load.share() == pytest.approx(0.02 / 0.25)


def test_arrival_rate_counts_the_last_window_and_a_burst_at_once() -> None:
    rate = ArrivalRate(0.0)
    assert rate.per_second(0.0) == 0.0
    rate.note(30, 0.1)
    assert rate.per_second(0.2) == 30.0  # the current window's burst counts at once
    rate.note(20, 1.0)  # a new window: the last one saw 30 in 1 s
    assert rate.per_second(1.1) == 30.0
    assert rate.per_second(3.5) == 0.0  # nothing for two windows: cold
    rate.note(1, 5.0)  # after a gap of two windows: the old window reads as 0
    rate.note(1, 6.1)
    assert rate.per_second(6.2) == pytest.approx(1.0)


def test_only_a_hot_actor_on_a_busy_node_waits_and_never_beyond_the_budget() -> None:
    load = 0.9
    linger = BatchLinger(BUDGET, 0.0, load=lambda: load)
    assert linger.seconds(0.0) == 0.0  # nothing arrived yet: cold
    linger.rate.note(10, 0.1)  # 10/s: 0.1 expected within 10 ms
    assert linger.seconds(0.2) == 0.0
    linger.rate.note(90, 0.3)  # 100/s: 1 expected
    assert linger.seconds(0.4) == BUDGET
    load = 0.2  # an idle node never waits, however hot the actor
    assert linger.seconds(0.4) == 0.0
    with pytest.raises(ValueError):
        BatchLinger(0.0, 0.0)


async def warm_up(ref: Any, gap: float) -> None:
    """Ask 100 messages one at a time, ``gap`` seconds apart: the actor's arrival rate is
    then 1 / ``gap`` per second."""
    for value in range(100):
        await ref.ask(Append(200 + value))
        await trio.sleep(gap)


@contextlib.asynccontextmanager
async def hot_batcher(
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[tuple[Any, list[list[int]]]]:
    """A batching actor warmed up to 100 messages/s on a node that reads as busy: its ref,
    and the batches it takes from then on."""
    monkeypatch.setattr(batch_linger, "process_share", lambda: 1.0)
    seen: list[list[int]] = []
    async with open_registry([batching_kind(seen, batch_linger=BUDGET)]) as registry:
        ref = registry.ref("batcher", "a")
        await warm_up(ref, 0.01)
        seen.clear()
        yield ref, seen


async def test_a_hot_actor_on_a_busy_node_batches_messages_arriving_within_the_budget(
    autojump_clock: object, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(batch_linger, "process_share", lambda: 1.0)
    seen: list[list[int]] = []
    async with open_registry([batching_kind(seen, batch_linger=BUDGET)]) as registry:
        ref = registry.ref("batcher", "a")
        await warm_up(ref, 0.01)  # 100 messages/s, one at a time: hot, one per turn
        assert all(len(batch) <= 2 for batch in seen)
        seen.clear()
        replies: list[object] = []

        async def ask_after(delay: float, value: int) -> None:
            await trio.sleep(delay)
            replies.append(await ref.ask(Append(value)))

        started = trio.current_time()
        async with trio.open_nursery() as nursery:
            for index, delay in enumerate((0.0, 0.003, 0.006, 0.02)):
                nursery.start_soon(ask_after, delay, 1000 + index)
        # The first three arrived within 10 ms of the first: one turn; the fourth, later.
        assert seen == [[1000, 1001, 1002], [1003]]
        assert sorted(replies) == [101, 102, 103, 104]  # type: ignore[type-var]
        assert trio.current_time() - started <= 0.02 + 2 * BUDGET


async def test_an_idle_node_never_waits(
    autojump_clock: object, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(batch_linger, "process_share", lambda: 0.0)
    seen: list[list[int]] = []
    async with open_registry([batching_kind(seen, batch_linger=BUDGET)]) as registry:
        ref = registry.ref("batcher", "a")
        await warm_up(ref, 0.005)
        started = trio.current_time()
        await ref.ask(Append(1))
        assert trio.current_time() == started  # no wait at all
        assert all(len(batch) == 1 for batch in seen)


async def test_a_message_that_does_not_batch_ends_the_wait_and_keeps_its_place(
    autojump_clock: object, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.unit.supervisors.test_batch_turns import Snapshot

    async with hot_batcher(monkeypatch) as (ref, seen):
        results: dict[str, object] = {}

        async def first() -> None:
            results["append"] = await ref.ask(Append(7))

        async def snapshot() -> None:
            await trio.sleep(0.001)
            results["snapshot"] = await ref.ask(Snapshot())

        started = trio.current_time()
        async with trio.open_nursery() as nursery:
            nursery.start_soon(first)
            nursery.start_soon(snapshot)
        assert seen == [[7]]
        assert results["append"] == 101
        assert isinstance(results["snapshot"], list) and results["snapshot"][-1] == 7
        assert trio.current_time() - started < BUDGET  # the snapshot ended the wait


def test_the_budget_counts_from_when_the_first_message_was_queued() -> None:
    linger = BatchLinger(BUDGET, 0.0, load=lambda: 1.0)
    linger.rate.note(100, 0.1)  # hot
    assert linger.seconds(0.5, first_queued_at=0.5) == BUDGET
    assert linger.seconds(0.5, first_queued_at=0.494) == pytest.approx(0.004)
    assert linger.seconds(0.5, first_queued_at=0.45) == 0.0  # waited past the budget
    assert linger.seconds(0.5) == BUDGET  # not known: the whole budget
    assert linger.seconds(0.005, first_queued_at=0.0) == pytest.approx(0.005)  # a clock at 0


async def test_a_message_that_waited_behind_a_turn_lingers_only_what_is_left(
    autojump_clock: object, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.unit.supervisors.test_batch_turns import Block

    async with hot_batcher(monkeypatch) as (ref, seen):
        release = trio.Event()
        answered: list[float] = []

        async def append_after(delay: float) -> None:
            await trio.sleep(delay)
            await ref.ask(Append(1))
            answered.append(trio.current_time())

        started = trio.current_time()
        async with trio.open_nursery() as nursery:
            # A turn of 8 ms; 1 ms in, a batchable message queues behind it.
            nursery.start_soon(ref.ask, Block(release))
            nursery.start_soon(append_after, 0.001)
            await trio.sleep(0.008)
            release.set()
        # It waited 7 ms behind that turn, so its own turn lingers the 3 ms left of the
        # budget, not a whole budget more.
        assert seen == [[1]]
        assert answered[0] - started == pytest.approx(0.001 + BUDGET)
