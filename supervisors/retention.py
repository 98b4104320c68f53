"""The retention job: a supervised periodic sweep of what the stores no longer need.

Contract:

* Every ``interval`` seconds (trio's clock, so tests jump it) :meth:`RetentionJob.sweep`
  erases the content of posts soft-deleted more than ``deleted_content_seconds`` ago
  (by the store's clock; ids, authors and times stay), removes expired one-time tokens
  and expired login sessions of the document store.  Each step is bounded
  (``batch`` posts per sweep), so a backlog drains over several sweeps.
* A sweep that meets :class:`~storage.errors.StorageUnavailable` is logged and retried
  at the next interval; any other error crashes the job and its supervisor
  (:func:`retention_supervisor`) restarts it.  ``last_report`` holds the latest sweep.
* Redis sessions expire by key TTL and room messages are already erased when deleted,
  so neither needs a sweep here; see docs/MODERATION.md for what is deferred.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import msgspec
import trio

from storage.errors import StorageUnavailable
from storage.protocols import Store
from supervisors.child import ChildSpec
from supervisors.supervisor import Supervisor

logger = logging.getLogger(__name__)

DELETED_CONTENT_SECONDS = 30 * 24 * 3600.0
SWEEP_INTERVAL_SECONDS = 3600.0
POSTS_PER_SWEEP = 500


class RetentionReport(msgspec.Struct, frozen=True, kw_only=True):
    """What one sweep removed, and when (store clock)."""

    swept_at: float
    posts_erased: int
    tokens_purged: int
    sessions_purged: int


class RetentionJob:
    """See the module docstring."""

    def __init__(
        self,
        store: Store,
        *,
        deleted_content_seconds: float = DELETED_CONTENT_SECONDS,
        interval: float = SWEEP_INTERVAL_SECONDS,
        batch: int = POSTS_PER_SWEEP,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._deleted_content_seconds = deleted_content_seconds
        self._interval = interval
        self._batch = batch
        self._clock = clock
        self.last_report: RetentionReport | None = None

    async def sweep(self) -> RetentionReport:
        """One pass over every retention rule; returns (and keeps) what it removed."""
        now = self._clock()
        report = RetentionReport(
            swept_at=now,
            posts_erased=await self._store.posts.purge_deleted(
                deleted_before=now - self._deleted_content_seconds, limit=self._batch
            ),
            tokens_purged=await self._store.tokens.purge_expired(),
            sessions_purged=await self._store.sessions.purge_expired(),
        )
        self.last_report = report
        if report.posts_erased or report.tokens_purged or report.sessions_purged:
            logger.info("retention sweep: %s", msgspec.structs.asdict(report))
        return report

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Sweep now and then every ``interval`` seconds, until cancelled."""
        task_status.started()
        while True:
            try:
                await self.sweep()
            except StorageUnavailable as error:
                logger.warning("retention sweep skipped, storage unavailable: %s", error)
            await trio.sleep(self._interval)


def retention_supervisor(job: RetentionJob) -> Supervisor:
    """A supervisor restarting ``job`` after a crash (run it with ``nursery.start``)."""
    return Supervisor("maintenance", [ChildSpec("retention", job.run)])
