"""CPU per room-message append through the node's SQLite store, per thread, read from
``/proc``: the worker thread's and the event loop's.

    taskset -c 0 .venv/bin/python worker_cpu.py [N=5000]        both threads on CPU 0
    .venv/bin/python worker_cpu.py N split                      worker on CPU 1, loop on 0
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import trio

sys.path.insert(0, str(Path.cwd()))

from storage.records import MessageDraft
from storage.sqlite.store import open_sqlite_store

APPENDS = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
SPLIT = len(sys.argv) > 2
DRAFT = MessageDraft(author_id="u" * 26, body="hello from the room, message " * 4)


def thread_cpu(thread_id: int) -> tuple[float, float]:
    """User and system seconds of one thread of this process."""
    fields = Path(f"/proc/self/task/{thread_id}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) / 100, int(fields[12]) / 100


async def main() -> None:
    with tempfile.TemporaryDirectory(dir="/dev/shm") as directory:
        async with open_sqlite_store(f"{directory}/t.db", clock=time.time) as store:
            worker = next(thread.native_id for thread in threading.enumerate()
                          if thread.name.startswith("sqlite:") and thread.native_id)
            if SPLIT:
                os.sched_setaffinity(worker, {1})
                os.sched_setaffinity(threading.get_native_id(), {0})
            for number in range(500):
                await store.messages.append(f"room{number % 5}", DRAFT)
            user, system = thread_cpu(worker)
            loop, wall = time.thread_time(), time.perf_counter()
            for number in range(APPENDS):
                await store.messages.append(f"room{number % 5}", DRAFT)
            user_after, system_after = thread_cpu(worker)
            loop_after, wall_after = time.thread_time(), time.perf_counter()

            def per_append(seconds: float) -> str:
                return f"{seconds / APPENDS * 1e6:.0f} us"

            print(f"worker user {per_append(user_after - user)} sys "
                  f"{per_append(system_after - system)} per append; main "
                  f"{per_append(loop_after - loop)}; wall {per_append(wall_after - wall)}")


trio.run(main)
