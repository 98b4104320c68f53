"""The account-jobs schedule: it wakes the actor at start and every interval, and the
grace-period erasure runs on it (trio's mock clock drives both the schedule and the
wall clock the jobs read, so nothing waits for real time)."""

from __future__ import annotations

import trio
import trio.testing

from actors.runtime.actor import Actor
from actors.users.account_commands import ACCOUNT_JOBS, RunAccountJobs
from actors.users.account_jobs import AccountJobsParts
from services.email import EmailMessage
from storage import open_store
from supervisors.account_jobs import account_jobs_kind, account_jobs_supervisor
from supervisors.kind import ActorKind
from supervisors.registry import open_registry

BASE = 1_700_000_000.0
GRACE = 14 * 86400.0


def wall_clock() -> float:
    """A wall clock that moves with trio's (mock) clock."""
    return BASE + trio.current_time()


WOKEN: list[float] = []


class Recorder(Actor):
    """Records when the schedule woke it."""

    async def on_receive(self, message: object) -> object:
        match message:
            case RunAccountJobs():
                WOKEN.append(trio.current_time())
                return None
            case _:
                self.unhandled(message)


async def test_the_schedule_wakes_the_actor_at_start_and_every_interval(
    autojump_clock: trio.testing.MockClock,
) -> None:
    WOKEN.clear()
    started = trio.current_time()
    async with (
        open_registry([ActorKind(ACCOUNT_JOBS, Recorder)]) as registry,
        trio.open_nursery() as nursery,
    ):
        await nursery.start(account_jobs_supervisor(registry, 60.0).run)
        await trio.sleep(150)
        nursery.cancel_scope.cancel()
    assert [round(moment - started) for moment in WOKEN] == [0, 60, 120]


async def test_a_deletion_is_erased_on_the_schedule_once_its_grace_is_over(
    autojump_clock: trio.testing.MockClock,
) -> None:
    mails: list[EmailMessage] = []

    async def mail(message: EmailMessage) -> None:
        mails.append(message)

    async with open_store(None, clock=wall_clock) as store:
        user = await store.users.create(username="alice", email="a@example.org",
                                        password_hash="h")
        deletion = await store.account_requests.create(
            user_id=user.id, kind="deletion", due_at=wall_clock() + GRACE
        )
        parts = AccountJobsParts(store=store, sessions=store.sessions, mail=mail,
                                 link_for=lambda export: "/unused", clock=wall_clock)
        async with (
            open_registry([account_jobs_kind(parts)]) as registry,
            trio.open_nursery() as nursery,
        ):
            await nursery.start(account_jobs_supervisor(registry, 3600.0).run)
            await trio.sleep(GRACE - 3600)
            assert (await store.account_requests.get(deletion.id)).state == "pending"
            await trio.sleep(2 * 3600)
            nursery.cancel_scope.cancel()
        assert (await store.account_requests.get(deletion.id)).state == "done"
        assert (await store.users.get(user.id)).email.endswith("@deleted.invalid")
        assert [message.to for message in mails] == ["a@example.org"]
