"""The search-index writes of chat and direct messages, taken off the send path.

Indexing a message writes one ``search_terms`` document per distinct word and one
``search_docs`` document (:mod:`storage.mongo.search_index`): on a Mongo-wire server that
costs ten to a hundred times the message's own insert.  Done inside ``append`` it made
every room's throughput that of its search index.  :class:`SearchWriteQueue` is the
store's one writer of those two kinds:

* ``submit`` queues one write (a blocking function of the database, run in a worker
  thread) and returns at once while fewer than :data:`MAX_PENDING` writes wait; beyond
  that it waits for room (bounded memory, and a lagging index slows senders rather than
  growing without end).
* One task (``run``, in the store's nursery) writes the queue **in submission order**, so
  an edit or a deletion is never overtaken by the indexing of the message it changes.
  Consecutive fresh messages are indexed in one round of bulk inserts.
* A write that meets an outage is retried, in order, once the store's breaker closes; a
  write that fails otherwise (a bug, a refused document) is logged with its kind and
  dropped, so one bad item never stalls the index.
* ``flush`` waits until everything submitted before it is written: a search calls it
  first (within the store's deadline), so a user finds the message they just sent.
* On close the queue is flushed for at most :data:`CLOSE_FLUSH_SECONDS`.  A node that
  dies with writes queued leaves those messages unindexed until they are edited (the
  same as an outage between a write and its indexing; ``docs/SEARCH.md``).
"""

from __future__ import annotations

import collections
import dataclasses
import logging
from collections.abc import Callable, Sequence

import trio
from pymongo.database import Database

from storage.errors import StorageError, StorageUnavailable
from storage.mongo.documents import Document
from storage.mongo.executor import MongoExecutor

logger = logging.getLogger(__name__)

MAX_PENDING = 4096
"""Writes queued before ``submit`` waits for room."""
MAX_ROUND_ITEMS = 200
"""Items (messages) taken into one worker-thread round: about 0.1 s of inserts on a
Mongo-wire server, well inside the store's deadline."""
CLOSE_FLUSH_SECONDS = 5.0

Write = Callable[[Database[Document]], None]


@dataclasses.dataclass(frozen=True)
class QueuedWrite:
    """One index write: ``run`` in a worker thread; ``label`` names it in logs."""

    run: Write
    label: str
    items: int


class SearchWriteQueue:
    """The ordered, bounded queue of index writes; see the module docstring."""

    def __init__(self, database: Database[Document], executor: MongoExecutor) -> None:
        self._database = database
        self._executor = executor
        self._pending: collections.deque[QueuedWrite] = collections.deque()
        self._submitted = 0
        self._written = 0
        self._changed = trio.Condition()
        self._work = trio.Event()
        self._dropped = 0

    async def submit(self, write: Write, label: str, items: int = 1) -> None:
        """Queue ``write``; waits only while :data:`MAX_PENDING` writes are queued."""
        if len(self._pending) >= MAX_PENDING:
            async with self._changed:
                while len(self._pending) >= MAX_PENDING:
                    await self._changed.wait()
        self._pending.append(QueuedWrite(write, label, items))
        self._submitted += 1
        self._work.set()

    async def flush(self) -> None:
        """Wait until every write submitted so far is done (or dropped); callers bound
        the wait with a cancel scope."""
        target = self._submitted
        async with self._changed:
            while self._written < target:
                await self._changed.wait()

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED
                  ) -> None:
        """Write the queue in order until cancelled."""
        task_status.started()
        while True:
            await self._work.wait()
            self._work = trio.Event()
            while self._pending:
                round_ = self._next_round()
                await self._write(round_)
                for _ in round_:
                    self._pending.popleft()
                self._written += len(round_)
                async with self._changed:
                    self._changed.notify_all()

    def _next_round(self) -> list[QueuedWrite]:
        """The oldest writes, at least one, up to :data:`MAX_ROUND_ITEMS` items."""
        round_: list[QueuedWrite] = []
        items = 0
        for write in self._pending:
            if round_ and items + write.items > MAX_ROUND_ITEMS:
                break
            round_.append(write)
            items += write.items
        return round_

    async def _write(self, round_: Sequence[QueuedWrite]) -> None:
        """Write one round, in order; retried after outages, dropped after other errors."""
        done = 0

        def write_all() -> None:
            nonlocal done
            while done < len(round_):
                round_[done].run(self._database)
                done += 1

        while True:
            try:
                await self._executor.call(write_all)
                return
            except StorageUnavailable:
                await self._executor.gate.wait_closed()
                await trio.sleep(0.05)  # the gate may close on a probe before calls succeed
            except StorageError as error:
                self._dropped += 1
                logger.error("search index: %s not indexed: %s", round_[done].label, error)
                done += 1
                if done >= len(round_):
                    return

    def statistics(self) -> dict[str, int]:
        """Writes queued now, submitted, written and dropped since start."""
        return {"pending": len(self._pending), "submitted": self._submitted,
                "written": self._written, "dropped": self._dropped}
