"""The SQLite worker thread (storage/sqlite/worker.py): group commit, each job's failure
kept to itself, and results only after the commit."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import trio
import trio.testing

from storage.errors import StorageError
from storage.sqlite.worker import SqliteWorker


def _setup(connection: sqlite3.Connection) -> None:
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("CREATE TABLE IF NOT EXISTS items (name TEXT PRIMARY KEY)")


class Gate:
    """A job that holds the worker thread until :meth:`open` (so jobs queue behind it)."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.opened = threading.Event()

    def job(self, connection: sqlite3.Connection) -> str:
        self.entered.set()
        self.opened.wait(10)
        return "held"

    async def holding(self) -> None:
        """Return once the worker thread runs the job."""
        await trio.to_thread.run_sync(self.entered.wait, 10)


@pytest.fixture
async def worker(tmp_path: Path) -> AsyncIterator[SqliteWorker]:
    started = SqliteWorker(str(tmp_path / "worker.db"), _setup)
    started.start()
    try:
        yield started
    finally:
        await started.stop()


def insert(name: str) -> object:
    def job(connection: sqlite3.Connection) -> str:
        connection.execute("INSERT INTO items (name) VALUES (?)", (name,))
        return name
    return job


def insert_then_fail(name: str) -> object:
    def job(connection: sqlite3.Connection) -> str:
        connection.execute("INSERT INTO items (name) VALUES (?)", (name,))
        raise sqlite3.IntegrityError("refused after writing")
    return job


async def names(worker: SqliteWorker) -> list[str]:
    rows = await worker.run(
        lambda connection: connection.execute("SELECT name FROM items ORDER BY name").fetchall()
    )
    return [row[0] for row in rows]


async def test_jobs_queued_together_share_one_commit_and_each_gets_its_own_result(
    worker: SqliteWorker,
) -> None:
    gate = Gate()
    results: dict[str, object] = {}

    async def run(name: str, job: object) -> None:
        results[name] = await worker.run(job)  # type: ignore[arg-type]

    async with trio.open_nursery() as nursery:
        nursery.start_soon(run, "held", gate.job)
        await gate.holding()
        for name in ("a", "b", "c", "d"):
            nursery.start_soon(run, name, insert(name))
        await trio.testing.wait_all_tasks_blocked()
        gate.opened.set()
    assert results == {"held": "held", "a": "a", "b": "b", "c": "c", "d": "d"}
    statistics = worker.statistics()
    assert statistics["jobs"] == 5
    assert statistics["commits"] == 2  # the held job, then the four queued behind it
    assert statistics["largest_batch"] == 4


async def test_a_failing_job_in_a_group_loses_only_its_own_writes(worker: SqliteWorker) -> None:
    gate = Gate()
    outcomes: dict[str, object] = {}

    async def run(name: str, job: object) -> None:
        try:
            outcomes[name] = await worker.run(job)  # type: ignore[arg-type]
        except StorageError as error:
            outcomes[name] = error

    async with trio.open_nursery() as nursery:
        nursery.start_soon(run, "gate", gate.job)
        await gate.holding()
        nursery.start_soon(run, "a", insert("a"))
        await trio.testing.wait_all_tasks_blocked()
        nursery.start_soon(run, "bad", insert_then_fail("bad"))
        await trio.testing.wait_all_tasks_blocked()
        nursery.start_soon(run, "c", insert("c"))
        await trio.testing.wait_all_tasks_blocked()
        gate.opened.set()
    assert outcomes["a"] == "a" and outcomes["c"] == "c"
    assert isinstance(outcomes["bad"], StorageError)
    assert await names(worker) == ["a", "c"]


async def test_a_failing_job_alone_in_its_commit_loses_its_writes(worker: SqliteWorker) -> None:
    with pytest.raises(StorageError, match="refused after writing"):
        await worker.run(insert_then_fail("alone"))  # type: ignore[arg-type]
    assert await worker.run(insert("next")) == "next"  # type: ignore[arg-type]
    assert await names(worker) == ["next"]
    assert worker.statistics()["commits"] == 3  # each job alone, the failed one included


async def test_many_concurrent_callers_each_get_their_result(worker: SqliteWorker) -> None:
    results: dict[int, object] = {}

    async def run(index: int) -> None:
        results[index] = await worker.run(lambda connection: index * 2)

    async with trio.open_nursery() as nursery:
        for index in range(300):
            nursery.start_soon(run, index)
    assert results == {index: index * 2 for index in range(300)}
