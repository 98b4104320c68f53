"""W1's fixed ``--targets``: where they stop, and ``--every-target`` (bench/w1.py)."""

from __future__ import annotations

from bench.knee import KneeSearch
from bench.w1 import _next_fixed


def _missed(rate: int) -> KneeSearch:
    search = KneeSearch(100)
    search.steps.append({"offered_per_s": rate, "within_limit": False})
    return search


def test_fixed_targets_stop_after_a_step_that_misses_200_ms() -> None:
    assert _next_fixed([30_000, 40_000], _missed(30_000), every_target=False) is None


def test_every_target_runs_the_rest_after_a_miss() -> None:
    targets = [30_000, 40_000]
    search = _missed(30_000)
    assert _next_fixed(targets, search, every_target=True) == 30_000
    assert _next_fixed(targets, search, every_target=True) == 40_000
    assert _next_fixed(targets, search, every_target=True) is None


def test_a_miss_below_the_latency_target_rate_does_not_stop_the_run() -> None:
    assert _next_fixed([30_000], _missed(1_000), every_target=False) == 30_000
