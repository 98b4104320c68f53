"""The retention job: a supervised periodic sweep of what the stores no longer need.

Contract:

* Every ``interval`` seconds (trio's clock, so tests jump it) :meth:`RetentionJob.sweep`
  runs each rule once, by the store's clock:

  - posts and comments soft-deleted more than ``deleted_content_seconds`` ago are purged
    (:mod:`storage.trash`: a post's text is erased, a comment's set-aside text and
    author are dropped; ids, places and times stay), so they can no longer be restored;
  - pending topic and room invitations older than ``invitation_seconds`` are withdrawn;
  - calls the log shows open for more than ``stale_call_seconds`` are asked of their
    actors (:mod:`supervisors.stale_calls`), which end the lost ones as ``failed``;
    without a ``close_call`` (no actors) this rule is skipped;
  - expired one-time tokens and expired login sessions of the document store go.

  Each rule is bounded (``batch`` items per sweep), so a backlog drains over sweeps.
* A sweep that meets :class:`~storage.errors.StorageUnavailable` is logged and retried
  at the next interval; any other error crashes the job and its supervisor
  (:func:`retention_supervisor`) restarts it.  ``last_report`` holds the latest sweep.
* Room messages and direct messages are erased when deleted (their tombstones keep
  room sequences gap-free and conversations ordered), Redis sessions expire by key TTL:
  none of them needs a sweep here.  See docs/MODERATION.md.
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
from supervisors.stale_calls import StaleCallCloser, expire_stale_calls
from supervisors.supervisor import Supervisor
from topicsflow.retention_settings import RetentionSettings

logger = logging.getLogger(__name__)

DEFAULTS = RetentionSettings()
ITEMS_PER_SWEEP = 500


class RetentionReport(msgspec.Struct, frozen=True, kw_only=True):
    """What one sweep removed, and when (store clock)."""

    swept_at: float
    posts_erased: int
    comments_purged: int = 0
    invitations_withdrawn: int = 0
    calls_ended: int = 0
    tokens_purged: int
    sessions_purged: int


class RetentionJob:
    """See the module docstring."""

    def __init__(
        self,
        store: Store,
        *,
        deleted_content_seconds: float = DEFAULTS.deleted_seconds,
        invitation_seconds: float = DEFAULTS.invitation_seconds,
        stale_call_seconds: float = DEFAULTS.stale_call_seconds,
        interval: float = DEFAULTS.interval_seconds,
        batch: int = ITEMS_PER_SWEEP,
        clock: Callable[[], float] = time.time,
        close_call: StaleCallCloser | None = None,
    ) -> None:
        self._store = store
        self._deleted_content_seconds = deleted_content_seconds
        self._invitation_seconds = invitation_seconds
        self._stale_call_seconds = stale_call_seconds
        self._interval = interval
        self._batch = batch
        self._clock = clock
        self._close_call = close_call
        self.last_report: RetentionReport | None = None

    @classmethod
    def from_settings(
        cls,
        store: Store,
        settings: RetentionSettings,
        *,
        close_call: StaleCallCloser | None,
        clock: Callable[[], float] = time.time,
    ) -> RetentionJob:
        """The job with the node's configured periods (``clock``: the store's)."""
        return cls(
            store,
            deleted_content_seconds=settings.deleted_seconds,
            invitation_seconds=settings.invitation_seconds,
            stale_call_seconds=settings.stale_call_seconds,
            interval=settings.interval_seconds,
            close_call=close_call,
            clock=clock,
        )

    async def sweep(self) -> RetentionReport:
        """One pass over every retention rule; returns (and keeps) what it removed."""
        now, store, batch = self._clock(), self._store, self._batch
        deleted_before = now - self._deleted_content_seconds
        invited_before = now - self._invitation_seconds
        calls_ended = 0
        if self._close_call is not None:
            calls_ended = await expire_stale_calls(
                store, self._close_call, started_before=now - self._stale_call_seconds,
                limit=min(batch, 1000),
            )
        report = RetentionReport(
            swept_at=now,
            posts_erased=await store.posts.purge_deleted(
                deleted_before=deleted_before, limit=batch
            ),
            comments_purged=await store.comments.purge_deleted(
                deleted_before=deleted_before, limit=batch
            ),
            invitations_withdrawn=(
                await store.topics.members.purge_invitations(
                    created_before=invited_before, limit=batch
                )
                + await store.rooms.members.purge_invitations(
                    created_before=invited_before, limit=batch
                )
            ),
            calls_ended=calls_ended,
            tokens_purged=await store.tokens.purge_expired(),
            sessions_purged=await store.sessions.purge_expired(),
        )
        self.last_report = report
        counts = msgspec.structs.asdict(report)
        if any(value for name, value in counts.items() if name != "swept_at"):
            logger.info("retention sweep: %s", counts)
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
