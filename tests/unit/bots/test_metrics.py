"""The bots' latency histogram and counters: percentiles, merging, JSON round trips."""

from __future__ import annotations

import pytest

from bots.metrics import BotStats, LatencyHistogram, bucket_of, bucket_upper_ms


def test_percentiles_are_within_two_percent_of_the_exact_values() -> None:
    histogram = LatencyHistogram()
    for latency in range(1, 1001):
        histogram.record(float(latency))
    assert histogram.percentile(0.5) == pytest.approx(500, rel=0.02)
    assert histogram.percentile(0.99) == pytest.approx(990, rel=0.02)
    assert histogram.max_ms == 1000


def test_an_empty_histogram_has_no_percentile() -> None:
    assert LatencyHistogram().percentile(0.5) is None


def test_bucket_edges_enclose_the_latency() -> None:
    for latency in (0.02, 1.0, 37.5, 5000.0):
        bucket = bucket_of(latency)
        assert bucket_upper_ms(bucket - 1) <= latency <= bucket_upper_ms(bucket)
    assert bucket_of(0.0) == 0
    assert bucket_of(-3.0) == 0


def test_stats_merge_and_survive_json() -> None:
    first, second = BotStats(connections=2, sent=3, received=6, expected=6), BotStats(errors=1)
    first.latency.record(5.0)
    second.latency.record(50.0)
    first.merge(BotStats.from_json(second.to_json()))
    assert (first.connections, first.sent, first.received, first.errors) == (2, 3, 6, 1)
    assert first.latency.total == 2
    restored = BotStats.from_json(first.to_json())
    assert restored.latency.counts == first.latency.counts
    assert restored.expected == 6
