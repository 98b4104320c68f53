"""The event loop's busy share (supervisors/loop_load.py): the hooks' arithmetic on a clock
the test moves, and the instrument inside a real trio run."""

from __future__ import annotations

import pytest
import trio
import trio.testing

from supervisors.loop_load import BATCH_BUCKETS, LoopLoad, watch_loop_load
from tests.unit.supervisors.test_gc_pauses import FakeClock


def test_the_share_is_the_time_spent_in_batches_over_the_last_window() -> None:
    clock = FakeClock()
    load = LoopLoad(clock, window=0.25)
    assert load.share() == 0.0
    load.after_io_wait(0)  # the first hook starts the first window
    clock.now += 0.1  # a batch of 100 ms
    load.before_io_wait(0)
    clock.now += 0.1  # waiting for I/O
    load.after_io_wait(0)
    clock.now += 0.05
    load.before_io_wait(0)  # 250 ms in: the window closes
    assert load.share() == pytest.approx(0.6)
    load.after_io_wait(0)
    clock.now += 0.01
    load.before_io_wait(0)
    clock.now += 0.2
    load.after_io_wait(0)  # the next window is not over: the last figure stands
    assert load.share() == pytest.approx(0.6)
    clock.now += 0.05
    load.before_io_wait(0)  # 260 ms, 60 of them in batches
    assert load.share() == pytest.approx(0.06 / 0.26)


def test_batches_are_counted_by_duration_in_cumulative_buckets() -> None:
    clock = FakeClock()
    load = LoopLoad(clock, window=0.25)
    for duration in (0.0002, 0.0009, 0.003, 0.003, 0.04, 2.0):
        load.after_io_wait(0)
        clock.now += duration
        load.before_io_wait(0)
        clock.now += 0.01  # waiting for I/O: no batch
    durations = load.batch_durations()
    assert durations.bounds_s == BATCH_BUCKETS
    at_most = dict(zip(durations.bounds_s, durations.at_most, strict=True))
    assert at_most[0.0005] == 1
    assert at_most[0.001] == 2
    assert at_most[0.0025] == 2
    assert at_most[0.005] == 4
    assert at_most[0.025] == 4
    assert at_most[0.05] == at_most[1.0] == 5  # the 2-second batch is above every bound
    assert durations.count == 6
    assert durations.total_seconds == pytest.approx(2.0471)
    assert durations.total_seconds == load.busy_seconds


def test_a_loop_that_stays_in_one_batch_reads_as_saturated_while_it_runs() -> None:
    clock = FakeClock()
    load = LoopLoad(clock, window=0.25)
    load.after_io_wait(0)
    clock.now += 0.1
    assert load.share() == 0.0  # not a window yet, and nothing measured before
    clock.now += 0.2
    assert load.share() == 1.0  # never back at I/O for longer than a window
    load.before_io_wait(0)
    assert load.share() == 1.0
    load.after_io_wait(0)
    load.detach()  # removed from its run mid-batch
    clock.now += 1.0
    assert load.share() == 0.0  # neither that batch "running" since nor a stale figure
    with pytest.raises(ValueError):
        LoopLoad(clock, window=0.0)


def test_installed_in_a_trio_run_it_measures_the_steps_of_its_block_only() -> None:
    clock = FakeClock()
    load = LoopLoad(clock, window=0.25)

    async def main() -> float:
        with watch_loop_load(load):
            await trio.lowlevel.checkpoint()  # the hooks have started the first window
            clock.now += 0.3  # one task step that works for 300 ms
            await trio.lowlevel.checkpoint()  # its batch ends: the window closes
            return load.share()

    assert trio.run(main) == 1.0  # 0.0 had the hooks not been called


def test_overlapping_watches_keep_it_installed_until_the_last_one_ends() -> None:
    clock = FakeClock()
    load = LoopLoad(clock, window=0.25)

    async def main() -> tuple[float, float, int]:
        with watch_loop_load(load):
            with watch_loop_load(load):  # a second in-process node, say
                await trio.lowlevel.checkpoint()
            await trio.lowlevel.checkpoint()  # still measured: one watch is left
            clock.now += 0.3
            await trio.lowlevel.checkpoint()
            inside = load.share()
        return inside, load.share(), load.installs

    inside, after, installs = trio.run(main)
    assert inside == 1.0
    assert (after, installs) == (0.0, 0)  # removed and forgotten with the last watch
    assert load.busy_seconds >= 0.3  # the counter keeps its count
