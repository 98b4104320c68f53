"""Our node's own account of a step, from ``/ops/status``: its garbage-collector pauses
and how busy its event loop was.

A collection holds the GIL, so a long one is a stall of every connection at once.  W1
reads the node's counters (:mod:`supervisors.gc_pauses`) before and after each step:
a step whose p99 jumps while its ``gc`` delta shows a collection of that length has its
cause on record.  The loop's busy seconds (:mod:`supervisors.loop_load`) give the share
of the step's wall time the loop ran tasks: near 1.0 it was saturated.  Only our node
has them; for a peer :func:`node_counters` gives None.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from bench.servers import BENCH_OPS_TOKEN, RunningServer

STATUS_TIMEOUT_S = 10.0


def node_counters(server: RunningServer) -> dict[str, list[float]] | None:
    """The node's collections and milliseconds collecting per generation, and the event
    loop's busy seconds (``loop_busy_s``, when the node reports them), since it started;
    None for a peer, or when the status cannot be read."""
    if server.name != "topicsflow":
        return None
    base = server.websocket_url.replace("ws://", "http://", 1).rsplit("/", 1)[0]
    request = urllib.request.Request(
        f"{base}/ops/status", headers={"Authorization": f"Bearer {BENCH_OPS_TOKEN}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=STATUS_TIMEOUT_S) as reply:
            status: dict[str, Any] = json.load(reply)
    except (OSError, ValueError):
        return None
    pauses = status.get("gc")
    if not isinstance(pauses, dict):
        return None
    counters = {"collections": list(pauses["collections"]),
                "total_ms": list(pauses["total_ms"])}
    busy = status.get("loop_lag", {}).get("busy_seconds_total")
    if isinstance(busy, (int, float)):
        counters["loop_busy_s"] = [float(busy)]
    return counters


def gc_delta(
    before: dict[str, list[float]] | None, after: dict[str, list[float]] | None
) -> dict[str, list[float]] | None:
    """Collections and milliseconds per generation between two readings."""
    if before is None or after is None:
        return None
    return {name: [round(later - earlier, 1) for earlier, later in zip(
        before[name], after[name], strict=True)] for name in ("collections", "total_ms")}


def loop_busy_share(
    before: dict[str, list[float]] | None, after: dict[str, list[float]] | None,
    wall_seconds: float,
) -> float | None:
    """The share of ``wall_seconds`` the node's event loop spent running tasks between two
    readings (None without both, or for a node that does not report it)."""
    if before is None or after is None or "loop_busy_s" not in before \
            or "loop_busy_s" not in after or wall_seconds <= 0:
        return None
    return round((after["loop_busy_s"][0] - before["loop_busy_s"][0]) / wall_seconds, 3)
