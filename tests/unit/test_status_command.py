"""The readable tree of ``topicsflow status`` (topicsflow/status_command.py)."""

from __future__ import annotations

from typing import Any

import msgspec

from supervisors.loop_load import BATCH_BUCKETS, BatchDurations
from topicsflow.status_command import render_status


def _status(batches: BatchDurations | None) -> dict[str, Any]:
    lag: dict[str, Any] = {"last_ms": 1.5, "max_ms": 9.0, "busy_share": 0.25}
    if batches is not None:
        lag["batches"] = msgspec.to_builtins(batches)
    return {
        "node": "node-1", "uptime_s": 12.0, "storage_backend": "sqlite",
        "realtime_backend": "local", "connections": 3, "loop_lag": lag,
        "hub": {"channels": 1, "subscriptions": 2, "published": 3, "dropped_slow": 0},
        "supervisor": {"name": "node", "strategy": "one_for_one", "restarts": 0},
    }


def test_the_loop_s_batches_over_ten_milliseconds_are_counted() -> None:
    # 1,000 batches: 990 within 10 ms, 10 longer (4 of them within 25 ms).
    at_most = tuple(
        990 if bound <= 0.01 else 994 if bound <= 0.025 else 1000 for bound in BATCH_BUCKETS
    )
    batches = BatchDurations(BATCH_BUCKETS, at_most, 1000, 2.5)
    tree = list(render_status(_status(batches)))
    assert "  loop batches: 1000 run, 10 over 10 ms (1.00%)" in tree, tree


def test_a_status_without_batch_figures_still_renders() -> None:
    tree = list(render_status(_status(None)))
    assert tree[0].startswith("node node-1")
    assert not any("loop batches" in line for line in tree)
