"""W2, idle connections: hold N authenticated WebSockets and measure the node's RSS.

The node's ``VmRSS`` is read before the bots connect and then every second while they
connect and hold the connections for ``hold_seconds``; "after" is the peak reading.  The figure is
``(after - before) / connections`` in bytes.  Connections that fail (file-descriptor or
memory limits, timeouts) are counted in ``errors`` and excluded from the division.
"""

from __future__ import annotations

import resource
import sys
from collections.abc import Sequence
from typing import Any

import trio

from bench.node_process import NodeProcess, rss_kib
from bots.runner import run_scenario
from bots.scenario import Scenario
from bots.seed import SeededAccounts

RSS_POLL_SECONDS = 1.0
FD_HEADROOM = 256


def raise_file_limit(wanted: int) -> int:
    """Raise RLIMIT_NOFILE's soft limit toward ``wanted`` (capped by the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def feasible_connections(wanted: int) -> int:
    """``wanted`` capped so neither the node nor any bot worker runs out of descriptors.

    Children inherit this process's (raised) limit; the node needs one descriptor per
    connection, and no worker holds more connections than the node.
    """
    limit = raise_file_limit(wanted + FD_HEADROOM)
    return max(1, min(wanted, limit - FD_HEADROOM))


async def run_idle(
    node: NodeProcess, accounts: SeededAccounts, *, connections: int, workers: int,
    hold_seconds: float, worker_prefix: Sequence[str],
) -> dict[str, Any]:
    """Run W2; see the module docstring."""
    held = feasible_connections(connections)
    before = rss_kib(node.pid)
    scenario = Scenario(
        url=node.websocket_url, workers=workers, duration=hold_seconds, grace=0.0,
        publishers_per_room=0, idle_connections=held, connect_timeout=120.0,
    )
    readings: list[int] = []

    async def poll_rss() -> None:
        # Memory only grows while connections are added: the peak is the settled value.
        while True:
            await trio.sleep(RSS_POLL_SECONDS)
            readings.append(rss_kib(node.pid))

    print(f"W2 idle connections={held}", file=sys.stderr)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(poll_rss)
        report = await run_scenario(
            scenario, SeededAccounts(rooms=(), idle_tokens=accounts.idle_tokens),
            worker_prefix=worker_prefix,
        )
        nursery.cancel_scope.cancel()
    after = max(readings, default=rss_kib(node.pid))
    connected = report["connections"]
    return {
        "wanted_connections": connections,
        "attempted_connections": held,
        "connections": connected,
        "errors": report["errors"],
        "rss_before_kib": before,
        "rss_after_kib": after,
        "rss_bytes_per_connection": (
            round((after - before) * 1024 / connected) if connected else None
        ),
        "bot_cpu_seconds_per_worker": report["bot_cpu_seconds_per_worker"],
    }
