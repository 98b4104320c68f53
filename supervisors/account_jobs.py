"""The node's account jobs: the actor kind and its supervised schedule (docs/AUTH.md).

Contract:

* :func:`account_jobs_kind` registers :class:`~actors.users.account_jobs_actor.AccountJobsActor`
  with the node's registry: a ``permanent`` kind, so a crashed turn restarts the actor
  (after a short backoff) and its queued wake-ups go to the new incarnation.
* :func:`account_jobs_supervisor` runs :class:`AccountJobsSchedule` as the supervised
  child ``account_jobs_schedule`` of a ``account-jobs`` supervisor in the node's tree: it
  tells the actor :class:`~actors.users.account_commands.RunAccountJobs` at start (which
  picks up exports left ``pending`` or ``building`` by a node that died, once their claims
  lapsed) and then every ``interval`` seconds of trio's clock (so tests jump it); the
  grace-period erasures run on this schedule.  A wake-up that cannot be delivered within
  the interval is logged and the next one tries again.
"""

from __future__ import annotations

import logging

import trio

from actors.runtime.errors import ActorError
from actors.users.account_commands import ACCOUNT_JOBS, ACCOUNT_JOBS_ID, RunAccountJobs
from actors.users.account_jobs import AccountJobsParts
from actors.users.account_jobs_actor import AccountJobsActor
from supervisors.child import ChildSpec
from supervisors.kind import ActorKind
from supervisors.policy import Backoff, RestartIntensity
from supervisors.registry import Registry
from supervisors.supervisor import Supervisor

logger = logging.getLogger(__name__)

INTERVAL_SECONDS = 60.0


def account_jobs_kind(parts: AccountJobsParts) -> ActorKind:
    """The account-jobs actor kind over ``parts``."""
    return ActorKind(
        ACCOUNT_JOBS,
        lambda context: AccountJobsActor(context, parts),
        mailbox_capacity=64,
        idle_timeout=None,
        intensity=RestartIntensity(max_restarts=10, period=60.0),
        backoff=Backoff(initial=0.05, factor=2.0, maximum=5.0),
    )


class AccountJobsSchedule:
    """Wakes the account-jobs actor now and every ``interval`` seconds (module docstring)."""

    def __init__(self, registry: Registry, interval: float = INTERVAL_SECONDS) -> None:
        self._registry = registry
        self._interval = interval
        self.wake_ups = 0

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Tell the actor to run, now and then every ``interval`` seconds, until cancelled."""
        task_status.started()
        while True:
            with trio.move_on_after(self._interval) as waited:
                try:
                    await self._registry.ref(ACCOUNT_JOBS, ACCOUNT_JOBS_ID).tell(RunAccountJobs())
                    self.wake_ups += 1
                except ActorError as error:
                    logger.warning("the account jobs were not woken: %r", error)
            if waited.cancelled_caught:
                logger.warning("the account-jobs actor's mailbox stayed full")
                continue
            await trio.sleep(self._interval)


def account_jobs_supervisor(registry: Registry, interval: float = INTERVAL_SECONDS) -> Supervisor:
    """A supervisor restarting the schedule after a crash (run it with ``nursery.start``)."""
    schedule = AccountJobsSchedule(registry, interval)
    return Supervisor("account-jobs", [ChildSpec("account_jobs_schedule", schedule.run)])
