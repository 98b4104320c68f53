"""The retention job erases old soft-deleted posts and expired credentials on schedule."""

from __future__ import annotations

import time

import trio
import trio.lowlevel
import trio.testing

from storage import open_store
from storage.keys import hash_token
from supervisors.retention import RetentionJob, RetentionReport, retention_supervisor

DAY = 24 * 3600.0


class FakeClock:
    """The store's and the job's wall clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_a_sweep_erases_old_deleted_posts_and_expired_credentials() -> None:
    clock = FakeClock()
    async with open_store(None, clock=clock) as store:
        topic = await store.topics.create(owner_id="o", title="t")
        doomed = await store.posts.create(topic_id=topic.id, author_id="a", title="x", body="y")
        kept = await store.posts.create(topic_id=topic.id, author_id="a", title="x", body="y")
        await store.posts.delete(doomed.id)
        await store.tokens.issue(user_id="u", purpose="reset", token_hash=hash_token("t"),
                                 expires_at=clock.now + 60)
        await store.sessions.create(token_hash=hash_token("s"), user_id="u",
                                    expires_at=clock.now + 60)
        job = RetentionJob(store, deleted_content_seconds=7 * DAY, clock=clock)
        clock.now += DAY
        first = await job.sweep()
        assert (first.posts_erased, first.tokens_purged, first.sessions_purged) == (0, 1, 1)
        await store.posts.delete(kept.id)
        clock.now += 6.5 * DAY
        second = await job.sweep()
        assert second.posts_erased == 1
        assert (await store.posts.get(doomed.id)).body == ""
        assert (await store.posts.get(kept.id)).body == "y"
        assert job.last_report == second


async def test_the_supervised_job_sweeps_every_interval(
    mock_clock: trio.testing.MockClock,
) -> None:
    clock = FakeClock()
    async with open_store(None, clock=clock) as store:
        job = RetentionJob(store, interval=3600.0, clock=clock)
        async with trio.open_nursery() as nursery:
            supervisor = retention_supervisor(job)
            await nursery.start(supervisor.run)
            first = await next_report(job, None)
            await store.tokens.issue(user_id="u", purpose="reset", token_hash=hash_token("t"),
                                     expires_at=clock.now + 60)
            clock.now += 120
            mock_clock.jump(3599)
            for _ in range(100):
                await trio.lowlevel.checkpoint()
            assert job.last_report is first
            mock_clock.jump(1)
            second = await next_report(job, first)
            assert second.tokens_purged == 1
            supervisor.stop()


async def next_report(job: RetentionJob, previous: RetentionReport | None) -> RetentionReport:
    """Wait (trio's clock stands still) until the job reports a sweep after ``previous``."""
    deadline = time.monotonic() + 5  # real time: the store's thread runs on it
    while time.monotonic() < deadline:
        if job.last_report is not None and job.last_report is not previous:
            return job.last_report
        await trio.lowlevel.checkpoint()
    raise AssertionError("the job did not sweep")
