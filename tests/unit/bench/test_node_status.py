"""bench/node_status.py: per-step differences of our node's GC and event-loop counters."""

from __future__ import annotations

from bench.node_status import gc_delta, loop_busy_share, node_counters
from bench.servers import RunningServer


def test_the_delta_is_per_generation() -> None:
    before = {"collections": [10, 2, 0], "total_ms": [50.0, 20.0, 0.0]}
    after = {"collections": [13, 2, 1], "total_ms": [61.25, 20.0, 180.5]}
    assert gc_delta(before, after) == {"collections": [3, 0, 1], "total_ms": [11.2, 0.0, 180.5]}
    assert gc_delta(None, after) is None


def test_a_peer_has_no_counters() -> None:
    peer = RunningServer(name="centrifugo", pid=1, protocol="centrifugo",
                         websocket_url="ws://127.0.0.1:1/connection/websocket")
    assert node_counters(peer) is None


def test_the_loop_s_busy_share_is_its_busy_seconds_over_the_step_s_wall_time() -> None:
    before = {"collections": [1, 0, 0], "total_ms": [1.0, 0.0, 0.0], "loop_busy_s": [40.0]}
    after = {"collections": [1, 0, 0], "total_ms": [1.0, 0.0, 0.0], "loop_busy_s": [42.7]}
    assert loop_busy_share(before, after, 3.0) == 0.9
    assert gc_delta(before, after) == {"collections": [0, 0, 0], "total_ms": [0.0, 0.0, 0.0]}
    older = {"collections": [1, 0, 0], "total_ms": [1.0, 0.0, 0.0]}  # a node without it
    assert loop_busy_share(older, after, 3.0) is None
    assert loop_busy_share(None, after, 3.0) is None
