"""Room-message storage benchmark: appends per second and page-read latency.

    .venv/bin/python bench/storage.py [--mongo-url URL] [--messages N] [--json]

For each backend (embedded SQLite in a temporary directory with synchronous=FULL, and
MongoDB when ``--mongo-url`` is given) it measures:

* ``sequential``: one append at a time (every append waits for its own commit);
* ``concurrent``: 50 tasks appending to 50 rooms at once (SQLite group-commits them);
* ``batched``: ``append_many`` with 100 messages per call;
* page reads: ``page_before`` of 50 messages at random positions, p50 and p99;
* the event loop's worst stall while appending (a 1 ms ticker's largest lateness).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import trio

# Run as a script, this file's directory comes first on sys.path and its name would
# shadow the ``storage`` package: put the repository root there instead.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from storage import Store, open_store  # noqa: E402
from storage.records import MessageDraft  # noqa: E402

CONCURRENT_TASKS = 50
BATCH = 100
PAGE = 50
READS = 500


async def _timed(work: Callable[[], Awaitable[None]]) -> tuple[float, float]:
    """Seconds ``work`` took, and the longest event-loop stall seen meanwhile."""
    worst = 0.0
    done = trio.Event()

    async def ticker() -> None:
        nonlocal worst
        while not done.is_set():
            before = time.perf_counter()
            await trio.sleep(0.001)
            worst = max(worst, time.perf_counter() - before - 0.001)

    async with trio.open_nursery() as nursery:
        nursery.start_soon(ticker)
        started = time.perf_counter()
        await work()
        elapsed = time.perf_counter() - started
        done.set()
    return elapsed, worst


def _draft(index: int) -> MessageDraft:
    return MessageDraft(author_id="bench", body=f"message number {index} with some text 🙂")


async def bench_store(store: Store, count: int) -> dict[str, float]:
    results: dict[str, float] = {}
    room = uuid.uuid4().hex

    async def sequential() -> None:
        for index in range(count):
            await store.messages.append(room, _draft(index))

    elapsed, stall = await _timed(sequential)
    results["sequential_appends_per_s"] = count / elapsed
    results["sequential_max_loop_stall_ms"] = stall * 1000

    async def concurrent() -> None:
        per_task = max(count // CONCURRENT_TASKS, 1)

        async def worker(task: int) -> None:
            for index in range(per_task):
                await store.messages.append(f"{room}-{task}", _draft(index))

        async with trio.open_nursery() as nursery:
            for task in range(CONCURRENT_TASKS):
                nursery.start_soon(worker, task)

    elapsed, stall = await _timed(concurrent)
    total = max(count // CONCURRENT_TASKS, 1) * CONCURRENT_TASKS
    results["concurrent_appends_per_s"] = total / elapsed
    results["concurrent_max_loop_stall_ms"] = stall * 1000

    batched_room = uuid.uuid4().hex

    async def batched() -> None:
        for start in range(0, count, BATCH):
            drafts = [_draft(index) for index in range(start, min(start + BATCH, count))]
            await store.messages.append_many(batched_room, drafts)

    elapsed, stall = await _timed(batched)
    results["batched_appends_per_s"] = count / elapsed
    results["batched_max_loop_stall_ms"] = stall * 1000

    latencies = []
    for _ in range(READS):
        before_seq = random.randint(PAGE + 1, count + 1)
        started = time.perf_counter()
        page = await store.messages.page_before(room, before_seq=before_seq, limit=PAGE)
        latencies.append(time.perf_counter() - started)
        assert len(page) == PAGE
    latencies.sort()
    results["page_read_p50_ms"] = statistics.median(latencies) * 1000
    results["page_read_p99_ms"] = latencies[int(len(latencies) * 0.99) - 1] * 1000
    return results


async def _stores(mongo_url: str | None) -> AsyncIterator[tuple[str, Store]]:
    with tempfile.TemporaryDirectory() as directory:
        async with open_store(None, data_dir=directory, sqlite_synchronous="FULL") as store:
            yield "sqlite", store
    if mongo_url:
        database = f"bench_{uuid.uuid4().hex[:8]}"
        async with open_store(mongo_url, database=database) as store:
            yield "mongo", store
            await trio.to_thread.run_sync(_drop_database, mongo_url, database)


def _drop_database(url: str, database: str) -> None:
    import pymongo

    client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(url)
    try:
        client.drop_database(database)
    finally:
        client.close()


def _table(report: dict[str, dict[str, float]]) -> str:
    metrics = sorted({metric for results in report.values() for metric in results})
    backends = list(report)
    lines = [f"{'metric':34}" + "".join(f"{backend:>12}" for backend in backends)]
    for metric in metrics:
        values = "".join(
            f"{report[backend].get(metric, float('nan')):>12.1f}" for backend in backends
        )
        lines.append(f"{metric:34}{values}")
    return "\n".join(lines)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mongo-url", help="also benchmark MongoDB at this URL")
    parser.add_argument("--messages", type=int, default=2000, help="messages per scenario")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    arguments = parser.parse_args()
    report: dict[str, dict[str, float]] = {}
    async for backend, store in _stores(arguments.mongo_url):
        report[backend] = await bench_store(store, arguments.messages)
    if arguments.json:
        print(json.dumps({"messages": arguments.messages, "results": report}, indent=2))
    else:
        print(f"room messages, {arguments.messages} per scenario\n")
        print(_table(report))


if __name__ == "__main__":
    trio.run(main)
