"""The GC pause monitor: collections counted and timed per generation."""

from __future__ import annotations

import gc

from supervisors.gc_pauses import GcPauseMonitor, watch_gc_pauses


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_each_collection_is_counted_and_timed_in_its_generation() -> None:
    clock = FakeClock()
    monitor = GcPauseMonitor(clock)
    for generation, pause in ((0, 0.002), (0, 0.005), (2, 0.3)):
        monitor.on_collection("start", {"generation": generation})
        clock.now += pause
        monitor.on_collection("stop", {"generation": generation, "collected": 0})
    pauses = monitor.statistics()
    assert pauses.collections == (2, 0, 1)
    assert pauses.total_ms == (7.0, 0.0, 300.0)
    assert pauses.longest_ms == (5.0, 0.0, 300.0)


def test_a_stop_without_its_start_is_ignored() -> None:
    monitor = GcPauseMonitor(FakeClock())
    monitor.on_collection("stop", {"generation": 1})  # hooked in mid-collection
    monitor.on_collection("start", {"generation": 7})
    monitor.on_collection("stop", {"generation": 7})  # not a generation of this CPython
    assert monitor.statistics().collections == (0, 0, 0)


def test_the_hook_is_installed_for_the_block_only() -> None:
    with watch_gc_pauses() as monitor:
        assert monitor.on_collection in gc.callbacks
        gc.collect(0)
        assert monitor.statistics().collections[0] >= 1
    assert monitor.on_collection not in gc.callbacks
    collected = monitor.statistics().collections
    gc.collect(0)
    assert monitor.statistics().collections == collected
