"""One SQLite connection owned by one dedicated thread, fed from trio, with group commit.

Jobs are plain functions of the connection. The thread takes every job waiting in its
queue (up to ``max_batch``), runs each inside its own savepoint of one transaction, commits
once, and only then hands each caller its result: a failing job rolls back to its savepoint
without disturbing the others, and nobody hears "done" before the commit. The event loop
never runs SQL; a waiting task is rescheduled from the thread through the trio token.
"""

from __future__ import annotations

import contextlib
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import outcome
import trio

from storage.errors import StorageError, StorageUnavailable

T = TypeVar("T")
Job = Callable[[sqlite3.Connection], Any]
Deliver = Callable[[outcome.Outcome[Any]], None]


class SqliteWorker:
    """Serialises every statement of one database through one thread.

    ``setup`` runs once on the fresh connection (pragmas, migrations) before any job.
    """

    def __init__(
        self,
        path: str,
        setup: Callable[[sqlite3.Connection], None],
        *,
        max_batch: int = 256,
    ) -> None:
        self._path = path
        self._setup = setup
        self._max_batch = max_batch
        self._jobs: queue.SimpleQueue[tuple[Job, Deliver] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name=f"sqlite:{path}", daemon=True)
        self._jobs_done = 0
        self._batches = 0
        self._largest_batch = 0
        self._busy_seconds = 0.0

    def start(self) -> None:
        self._thread.start()

    async def stop(self) -> None:
        """Finish queued jobs, close the connection and join the thread."""
        self._jobs.put(None)
        await trio.to_thread.run_sync(self._thread.join)

    async def run(self, job: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``job`` in the next group commit and return its result after the commit.

        Not cancellable while queued or running: statements are short, and abandoning
        a write whose commit may still happen would break the durability rule.
        """
        token = trio.lowlevel.current_trio_token()
        task = trio.lowlevel.current_task()

        def deliver(result: outcome.Outcome[Any]) -> None:
            # When the caller's run has ended there is nobody left to tell.
            with contextlib.suppress(trio.RunFinishedError):
                token.run_sync_soon(trio.lowlevel.reschedule, task, result)

        self._jobs.put((job, deliver))
        try:
            result: T = await trio.lowlevel.wait_task_rescheduled(
                lambda _: trio.lowlevel.Abort.FAILED
            )
        except sqlite3.OperationalError as error:
            raise StorageUnavailable(f"sqlite: {error}") from error
        except sqlite3.Error as error:
            raise StorageError(f"sqlite: {error}") from error
        return result

    def statistics(self) -> dict[str, float]:
        """Jobs run, commits, the largest group commit and seconds spent in SQL."""
        return {
            "jobs": self._jobs_done,
            "commits": self._batches,
            "largest_batch": self._largest_batch,
            "busy_seconds": round(self._busy_seconds, 6),
        }

    def _serve(self) -> None:
        try:
            connection = sqlite3.connect(self._path, isolation_level=None)
            self._setup(connection)
        except sqlite3.Error as error:
            self._fail_forever(error)
            return
        try:
            while (batch := self._next_batch()) is not None:
                jobs, stopping = batch
                started = time.perf_counter()
                results = self._commit(connection, [job for job, _ in jobs])
                self._busy_seconds += time.perf_counter() - started
                self._jobs_done += len(jobs)
                self._batches += 1
                self._largest_batch = max(self._largest_batch, len(jobs))
                for (_, deliver), result in zip(jobs, results, strict=True):
                    deliver(result)
                if stopping:
                    break
        finally:
            connection.close()

    def _next_batch(self) -> tuple[list[tuple[Job, Deliver]], bool] | None:
        first = self._jobs.get()
        if first is None:
            return None
        jobs = [first]
        while len(jobs) < self._max_batch:
            try:
                item = self._jobs.get_nowait()
            except queue.Empty:
                break
            if item is None:
                return jobs, True
            jobs.append(item)
        return jobs, False

    @staticmethod
    def _commit(connection: sqlite3.Connection, jobs: list[Job]) -> list[outcome.Outcome[Any]]:
        try:
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            return [outcome.Error(error) for _ in jobs]
        results: list[outcome.Outcome[Any]] = []
        for job in jobs:
            connection.execute("SAVEPOINT job")
            result = outcome.capture(job, connection)
            if isinstance(result, outcome.Error):
                connection.execute("ROLLBACK TO job")
            connection.execute("RELEASE job")
            results.append(result)
        try:
            connection.execute("COMMIT")
        except sqlite3.Error as error:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            return [outcome.Error(error) for _ in jobs]
        return results

    def _fail_forever(self, error: sqlite3.Error) -> None:
        while (item := self._jobs.get()) is not None:
            item[1](outcome.Error(error))
