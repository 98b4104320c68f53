"""The middle generation is collected while the loop is nearly idle, and only then
(supervisors/idle_collector.py)."""

from __future__ import annotations

import gc

import trio
import trio.testing

from supervisors.idle_collector import IDLE_SHARE, IdleCollector, open_idle_collector


class FakeCollector:
    """``gc.get_count`` and ``gc.collect`` as the collector sees them."""

    def __init__(self, middle_count: int) -> None:
        self.middle_count = middle_count
        self.collected: list[int] = []

    def counts(self) -> tuple[int, int, int]:
        return (5_000, self.middle_count, 0)

    def collect(self, generation: int) -> int:
        self.collected.append(generation)
        self.middle_count = 0
        return 0


def _collector(share: float, middle_count: int) -> tuple[IdleCollector, FakeCollector]:
    fake = FakeCollector(middle_count)
    return IdleCollector(lambda: share, counts=fake.counts, collect=fake.collect), fake


def test_an_idle_loop_collects_the_middle_generation_once_it_holds_survivors() -> None:
    collector, fake = _collector(share=0.05, middle_count=2)
    assert collector.check() is True
    assert fake.collected == [1]
    assert collector.check() is False  # nothing new since: no second collection
    assert fake.collected == [1]
    assert collector.collections == 1


def test_a_busy_loop_leaves_the_collection_to_cpython() -> None:
    collector, fake = _collector(share=IDLE_SHARE, middle_count=2)
    assert collector.check() is False
    assert fake.collected == []


def test_an_empty_middle_generation_is_not_collected() -> None:
    collector, fake = _collector(share=0.0, middle_count=0)
    assert collector.check() is False
    assert fake.collected == []


def test_with_the_real_collector_the_middle_generation_is_emptied() -> None:
    gc.collect(0)  # a young collection: its survivors now count in the middle generation
    assert gc.get_count()[1] >= 1
    collector = IdleCollector(lambda: 0.0)
    assert collector.check() is True
    assert gc.get_count()[1] == 0


async def test_the_task_checks_every_interval_until_its_block_ends(
    autojump_clock: trio.testing.MockClock,
) -> None:
    shares = iter([0.9, 0.9, 0.1])  # busy, busy, then idle
    fake = FakeCollector(middle_count=1)
    collector = IdleCollector(lambda: next(shares), counts=fake.counts, collect=fake.collect)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(collector.run, 0.5)
        await trio.sleep(1.25)
        assert fake.collected == []  # two checks, both busy
        await trio.sleep(0.5)
        assert fake.collected == [1]
        nursery.cancel_scope.cancel()


async def test_the_block_ends_its_task(autojump_clock: trio.testing.MockClock) -> None:
    async with open_idle_collector(lambda: 1.0, interval=0.5) as collector:
        await trio.sleep(2.0)
    assert collector.collections == 0
