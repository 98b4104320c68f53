"""The retention job purges old deleted content, stale invitations and calls, old credentials."""

from __future__ import annotations

import time

import trio
import trio.lowlevel
import trio.testing

from actors.realtime.hub import Hub
from storage import open_store
from storage.keys import hash_token
from storage.records import Call
from supervisors.domain import actor_kinds
from supervisors.registry import open_registry
from supervisors.retention import RetentionJob, RetentionReport, retention_supervisor
from supervisors.stale_calls import call_actor_closer
from topicsflow.retention_settings import RetentionSettings

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


async def test_a_sweep_purges_old_comments_and_invitations_and_closes_stale_calls() -> None:
    clock = FakeClock()
    asked: list[str] = []

    async def close_call(call: Call) -> bool:
        asked.append(call.id)
        await store.calls.end(call.id, outcome="failed")
        return True

    async with open_store(None, clock=clock) as store:
        topic = await store.topics.create(owner_id="o", title="t")
        room = await store.rooms.create(owner_id="o", name="r", is_private=True)
        post = await store.posts.create(topic_id=topic.id, author_id="a", title="x", body="y")
        old, kept = [
            await store.comments.create(post_id=post.id, author_id="c", body=body)
            for body in ("old", "kept")
        ]
        await store.comments.delete(old.id)
        await store.topics.members.invite(topic.id, "u", invited_by="o")
        await store.rooms.members.invite(room.id, "u", invited_by="o")
        stale = await store.calls.start(context_id=room.id, initiator_id="o")
        job = RetentionJob(
            store, deleted_content_seconds=7 * DAY, invitation_seconds=3 * DAY,
            stale_call_seconds=DAY, clock=clock, close_call=close_call,
        )
        clock.now += 2 * DAY
        await store.comments.delete(kept.id)
        fresh = await store.calls.start(context_id=room.id, initiator_id="o")
        first = await job.sweep()
        assert (first.calls_ended, first.invitations_withdrawn, first.comments_purged) == (1, 0, 0)
        assert asked == [stale.id]
        clock.now += 6 * DAY
        second = await job.sweep()
        assert (second.comments_purged, second.invitations_withdrawn) == (1, 2)
        assert second.calls_ended == 1 and asked == [stale.id, fresh.id]
        assert (await store.comments.get(old.id)).removed is None
        assert (await store.comments.get(kept.id)).removed is not None
        assert await store.rooms.members.list_invitations("u") == []
        assert (await job.sweep()).comments_purged == 0


async def test_the_call_actor_ends_a_lost_call_when_the_job_asks() -> None:
    clock = FakeClock()
    async with open_store(None, clock=clock) as store:
        kinds = actor_kinds(store, Hub(), alias_secret="retention-" * 4, clock=clock)
        async with open_registry(kinds) as registry:
            lost = await store.calls.start(context_id="room", initiator_id="a")
            clock.now += 2 * DAY
            recent = await store.calls.start(context_id="other", initiator_id="b")
            job = RetentionJob.from_settings(
                store, RetentionSettings(stale_call_hours=24.0),
                close_call=call_actor_closer(registry), clock=clock,
            )
            assert (await job.sweep()).calls_ended == 1
            assert (await store.calls.get(lost.id)).outcome == "failed"
            assert (await store.calls.get(recent.id)).ended_at is None
