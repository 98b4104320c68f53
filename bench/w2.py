"""W2 idle connections against one freshly started server: memory per held connection.

The server's ``VmRSS`` is read after it has been idle for :data:`SETTLE_SECONDS`
("before"), then every half second while the loadgen opens the connections (64 at a
time, each authenticated as the server requires and joined to no room) and holds them
for ``hold_seconds``; "after" is the peak reading.  The figure is
``(after - before) / connected`` bytes.  Connections that failed are reported and
excluded from the division.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench.loadgen_driver import LoadgenPool
from bench.node_process import rss_kib
from bench.servers import RunningServer
from bench.specs import Spec

SETTLE_SECONDS = 2.0
POLL_SECONDS = 0.5


def run_w2(
    server: RunningServer, specs: list[Spec], *, loadgen: Path, cpu: int | None,
    workdir: Path, hold_seconds: float,
) -> dict[str, Any]:
    """Run W2 on ``server``; see the module docstring."""
    time.sleep(SETTLE_SECONDS)
    before = rss_kib(server.pid)
    readings: list[int] = []
    done = threading.Event()

    def poll() -> None:
        while not done.wait(POLL_SECONDS):
            readings.append(rss_kib(server.pid))

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    try:
        with LoadgenPool(loadgen, server, specs, processes=1,
                         cpus=None if cpu is None else [cpu], workdir=workdir,
                         payload_bytes=128) as pool:
            time.sleep(hold_seconds)
            ready = pool.ready
    finally:
        done.set()
        poller.join()
    after = max(readings, default=rss_kib(server.pid))
    connected = ready["connected"]
    result = {
        "wanted_connections": len(specs), "connected": connected, "failed": ready["failed"],
        "setup_seconds": ready["setup_seconds"], "errors_sample": ready["errors_sample"],
        "rss_before_kib": before, "rss_after_kib": after,
        "rss_bytes_per_connection": (
            round((after - before) * 1024 / connected) if connected else None
        ),
    }
    print(f"W2 {server.name} {result}", file=sys.stderr)
    return result
