"""One SQLite connection owned by one dedicated thread, fed from trio, with group commit.

Jobs are plain functions of the connection. The thread takes every job waiting in its
queue (up to ``max_batch``), runs each inside its own savepoint of one transaction, commits
once, and only then hands each caller its result: a failing job rolls back to its savepoint
without disturbing the others, and nobody hears "done" before the commit. A job that is
alone in its transaction needs no savepoint: when it fails, the transaction is rolled back.
The event loop never runs SQL; the waiting tasks of one commit are rescheduled from the
thread through the trio token with one call (one wake-up of the event loop per commit).
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
Waiter = tuple[trio.lowlevel.TrioToken, trio.lowlevel.Task]
"""Who waits for a job: the task and the token of its trio run."""
Woken = list[tuple[trio.lowlevel.Task, outcome.Outcome[Any]]]


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
        self._jobs: queue.SimpleQueue[tuple[Job, Waiter] | None] = queue.SimpleQueue()
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
        self._jobs.put(
            (job, (trio.lowlevel.current_trio_token(), trio.lowlevel.current_task()))
        )
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
                _wake(jobs, results)
                if stopping:
                    break
        finally:
            connection.close()

    def _next_batch(self) -> tuple[list[tuple[Job, Waiter]], bool] | None:
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
        if len(jobs) == 1:
            # Alone in its transaction: a failure rolls the transaction back, which is
            # what its savepoint would do, two statements (and two thread switches) fewer.
            result = outcome.capture(jobs[0], connection)
            if isinstance(result, outcome.Error):
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                return [result]
            results.append(result)
        else:
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
            _wake([item], [outcome.Error(error)])


def _wake(jobs: list[tuple[Job, Waiter]], results: list[outcome.Outcome[Any]]) -> None:
    """Reschedule each job's waiting task with its result: one ``run_sync_soon`` per trio
    run among the waiters (usually one), not one per job."""
    by_token: dict[trio.lowlevel.TrioToken, Woken] = {}
    for (_, (token, task)), result in zip(jobs, results, strict=True):
        by_token.setdefault(token, []).append((task, result))
    for token, woken in by_token.items():
        # When the caller's run has ended there is nobody left to tell.
        with contextlib.suppress(trio.RunFinishedError):
            token.run_sync_soon(_reschedule_all, woken)


def _reschedule_all(woken: Woken) -> None:
    for task, result in woken:
        trio.lowlevel.reschedule(task, result)
