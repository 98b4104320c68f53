"""Append latency through the node's SQLite store at a fixed rate, no node around it.

    .venv/bin/python append_latency.py [RATE=500] [SECONDS=10]   (from the repository root)

Five rooms, RATE/5 appends per second each, their phases spread over the period; prints
the per-append wall time's percentiles (ms) and the worker's statistics as JSON.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import trio

sys.path.insert(0, str(Path.cwd()))

from storage.records import MessageDraft
from storage.sqlite.store import open_sqlite_store

RATE = int(sys.argv[1]) if len(sys.argv) > 1 else 500
SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 10
ROOMS = 5
DRAFT = MessageDraft(author_id="u" * 26, body="hello from the room, message " * 4)


async def main() -> None:
    with tempfile.TemporaryDirectory(dir="/dev/shm") as directory:
        async with open_sqlite_store(f"{directory}/t.db", clock=time.time) as store:
            latencies: list[float] = []

            async def room(index: int) -> None:
                period = ROOMS / RATE
                due = trio.current_time() + index * period / ROOMS
                end = due + SECONDS
                while due < end:
                    due += period
                    await trio.sleep_until(due)
                    started = time.perf_counter()
                    await store.messages.append(f"room{index}", DRAFT)
                    latencies.append((time.perf_counter() - started) * 1e3)

            async with trio.open_nursery() as nursery:
                for index in range(ROOMS):
                    nursery.start_soon(room, index)
            latencies.sort()

            def at(share: float) -> float:
                return round(latencies[int(share * (len(latencies) - 1))], 2)

            print(json.dumps({
                "n": len(latencies), "p50": at(0.5), "p99": at(0.99), "p999": at(0.999),
                "max": at(1.0), "stats": store.statistics(),
            }))


trio.run(main)
