"""What indexing queued room messages costs per message, and how long one job holds the
store, by job size (``index_queued_messages(limit=N)``); no node, no worker thread.

    .venv/bin/python index_chunk.py   (from the repository root)
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path.cwd()))

import bench.sqlite_append_cost as append_cost
from storage.records import Message
from storage.sqlite.messages import MESSAGES, reserve_sequence
from storage.sqlite.search_queue import index_queued_messages

ROUNDS, PER_ROUND, WARM_UP = 20, 500, 5


def run(chunk: int) -> tuple[float, float, float]:
    """µs per message indexed; p90 and max ms of one indexing job."""
    with tempfile.TemporaryDirectory(dir="/dev/shm") as directory:
        connection = append_cost._open(Path(directory) / "x.db", "schema")
        index = 0
        per_message: list[float] = []
        jobs: list[float] = []
        for round_number in range(ROUNDS):
            connection.execute("BEGIN IMMEDIATE")
            for _ in range(PER_ROUND):
                room = f"room{index % 5}"
                MESSAGES.insert(connection, Message(
                    id=f"{index:026d}", room_id=room, seq=reserve_sequence(connection, room, 1),
                    author_id="u" * 26, body=append_cost.BODY.format(index=index),
                    created_at=time.time(),
                ))
                index += 1
            connection.execute("COMMIT")
            started = time.perf_counter()
            while True:
                job_started = time.perf_counter()
                connection.execute("BEGIN IMMEDIATE")
                done = index_queued_messages(connection, limit=chunk)
                connection.execute("COMMIT")
                jobs.append(time.perf_counter() - job_started)
                if done < chunk:
                    break
            if round_number >= WARM_UP:
                per_message.append((time.perf_counter() - started) / PER_ROUND * 1e6)
        jobs.sort()
        return statistics.median(per_message), jobs[int(len(jobs) * 0.9)] * 1e3, jobs[-1] * 1e3


for size in (512, 128, 64, 32, 16):
    median, p90, longest = run(size)
    print(f"chunk {size}: {median:.1f} us per message; job p90 {p90:.2f} ms, max {longest:.2f} ms")
