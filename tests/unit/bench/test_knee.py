"""The W1 knee search (bench/knee.py): rates tried, resolution and the knees it reports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bench.knee import (
    ANCHOR_RATES,
    FINE_GROWTH,
    LIMITS_MS,
    KneeSearch,
    bracket_ratio,
    knees,
    quantise,
)


def _step(rate: int, p99: float | None, *, ratio: float = 1.0, lost: int = 0) -> dict[str, Any]:
    return {"offered_per_s": rate, "delivered_per_s": rate, "latency_ms": {"p99": p99},
            "delivery_ratio": ratio, "lost_connections": lost}


def _run(room_size: int, p99_at: Callable[[int], float]) -> KneeSearch:
    search = KneeSearch(room_size)
    while (rate := search.next_rate()) is not None:
        assert len(search.steps) < 200, "the search does not end"
        search.record(_step(rate, p99_at(rate)))
    return search


def _hockey_stick(knees_by_limit: dict[float, int]) -> Callable[[int], float]:
    """p99 just under each limit up to its knee, then over it."""
    def p99_at(rate: int) -> float:
        for limit in LIMITS_MS:
            if rate <= knees_by_limit[limit]:
                return limit * 0.9
        return 5_000.0
    return p99_at


@pytest.mark.parametrize("true_knees", [
    {25.0: 50_000, 50.0: 70_000, 100.0: 110_000, 200.0: 150_000},
    {25.0: 100_000, 50.0: 100_000, 100.0: 100_000, 200.0: 104_000},
    {25.0: 2_500, 50.0: 4_000, 100.0: 6_000, 200.0: 9_000},
])
def test_every_knee_is_found_within_ten_percent(true_knees: dict[float, int]) -> None:
    search = _run(100, _hockey_stick(true_knees))
    found = knees(search.steps)
    for limit in LIMITS_MS:
        key = f"p99_le_{limit:g}ms"
        assert found[key] <= true_knees[limit] < found[key] * FINE_GROWTH + 100
        resolution = bracket_ratio(search.steps, limit)
        assert resolution is not None and resolution <= FINE_GROWTH + 0.01
    assert search.limit_reached


def test_a_rate_is_tried_twice_only_after_a_first_miss_and_anchors_are_stepped_on() -> None:
    search = _run(100, _hockey_stick({25.0: 40_000, 50.0: 60_000, 100.0: 80_000,
                                      200.0: 90_000}))
    rates = [step["offered_per_s"] for step in search.steps]
    for rate in set(rates):
        tries = [step for step in search.steps if step["offered_per_s"] == rate]
        assert len(tries) <= 2
        if len(tries) == 2:
            assert tries[0]["latency_ms"]["p99"] > 25
    for anchor in ANCHOR_RATES:
        assert anchor in rates


def test_a_transient_miss_does_not_end_the_climb() -> None:
    search = KneeSearch(100, start=2000)
    stall = True
    while (rate := search.next_rate()) is not None:
        p99 = 10.0 if rate <= 100_000 else 5_000.0
        if rate == 3000 and stall:  # the minutes after setting up 10,000 connections
            p99, stall = 270.0, False
        search.record(_step(rate, p99))
    assert knees(search.steps)["p99_le_25ms"] == 100_000


def test_overloads_are_few_and_the_run_is_short() -> None:
    search = _run(100, _hockey_stick({25.0: 20_000, 50.0: 20_000, 100.0: 20_000,
                                      200.0: 20_000}))
    overloads = [step for step in search.steps if step["latency_ms"]["p99"] == 5_000.0]
    assert 1 <= len(overloads) <= 4
    assert len(search.steps) <= 20


def test_a_knee_low_on_rooms_of_a_thousand_does_not_make_the_whole_ladder_fine() -> None:
    search = _run(1000, _hockey_stick({25.0: 2_000, 50.0: 60_000, 100.0: 90_000,
                                       200.0: 240_000}))
    assert len(search.steps) <= 30
    found = knees(search.steps)
    assert found["p99_le_25ms"] == 2_000
    assert 240_000 / FINE_GROWTH <= found["p99_le_200ms"] <= 240_000


def test_lost_deliveries_or_connections_end_the_run_whatever_the_latency() -> None:
    search = KneeSearch(100)
    search.record(_step(search.next_rate() or 0, 3.0, ratio=0.5))
    retry = search.next_rate()
    assert retry == search.steps[0]["offered_per_s"]  # a first miss is tried again
    search.record(_step(retry, 3.0, ratio=0.5))
    assert search.next_rate() is None and search.limit_reached  # missed from the start
    search = KneeSearch(100)
    search.record(_step(search.next_rate() or 0, 3.0, lost=1))
    assert search.next_rate() is None


def test_a_server_past_the_ladder_is_not_said_to_have_reached_its_limit() -> None:
    search = _run(1000, lambda rate: 1.0)
    assert not search.limit_reached
    assert knees(search.steps)["p99_le_25ms"] == 1_000_000


def test_rates_are_whole_messages_per_second() -> None:
    assert quantise(1_234, 1000) == 1_000
    assert quantise(10, 1000) == 1_000
    assert quantise(49_999, 100) == 49_900
    search = _run(1000, _hockey_stick({25.0: 4_500, 50.0: 4_500, 100.0: 4_500,
                                       200.0: 4_500}))
    assert all(step["offered_per_s"] % 1000 == 0 for step in search.steps)
    assert bracket_ratio(search.steps, 200.0) == 1.25  # 4,000 kept, 5,000 missed: no room
