"""The account-jobs actor: the supervised home of :class:`~actors.users.account_jobs.AccountJobs`.

Contract:

* One actor (kind :data:`~actors.users.account_commands.ACCOUNT_JOBS`, id
  :data:`~actors.users.account_commands.ACCOUNT_JOBS_ID`) per node, or per cluster in
  cluster mode (it lives where its lease is).  It keeps no state of its own: every turn
  reads the due work from the store, so a restarted or moved actor carries on from the
  store's state.
* :class:`~actors.users.account_commands.ExportRequested` (the REST handler, after the
  request was recorded) and :class:`~actors.users.account_commands.RunAccountJobs` (the
  node's schedule, :mod:`supervisors.account_jobs`) are tells; the queued ones are
  handled together in one turn that runs :meth:`AccountJobs.run_once`.
* A crash in a turn (a failing build, a bug) is the runtime's to handle: the turn's claims
  are given back in ``on_failure`` and the actor tells itself to run again, so the
  restarted incarnation retries them at once (an export at most
  :data:`~actors.users.account_jobs.MAX_EXPORT_ATTEMPTS` times).  An outage
  (``StorageUnavailable``) is not a crash: the claims are given back and the schedule
  retries.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import outcome

from actors.runtime.actor import Actor, ActorContext
from actors.runtime.errors import ActorError
from actors.users.account_commands import ExportRequested, RunAccountJobs
from actors.users.account_jobs import AccountJobs, AccountJobsParts
from actors.users.notification_feed import NOTIFICATION_FEED, Notify

logger = logging.getLogger(__name__)


class AccountJobsActor(Actor):
    """See the module docstring."""

    __slots__ = ("jobs",)

    def __init__(self, context: ActorContext, parts: AccountJobsParts) -> None:
        super().__init__(context)
        self.jobs = AccountJobs(parts, self._notify)

    async def _notify(self, user_id: str, message: Notify) -> None:
        await self.context.ref(NOTIFICATION_FEED, user_id).tell(message)

    def batches(self, message: object) -> bool:
        """Every wake-up batches: the queued ones cost one pass over the store."""
        return isinstance(message, (ExportRequested, RunAccountJobs))

    async def on_receive_batch(self, messages: Sequence[object]) -> list[outcome.Outcome[Any]]:
        """One pass over the due work for the whole run of wake-ups."""
        await self.jobs.run_once()
        return [outcome.Value(None) for _ in messages]

    async def on_receive(self, message: object) -> object:
        """One pass over the due work."""
        match message:
            case ExportRequested() | RunAccountJobs():
                await self.jobs.run_once()
                return None
            case _:
                self.unhandled(message)

    async def on_failure(self, error: Exception, message: object | None) -> None:
        """Give the crashed turn's claims back and ask the next incarnation to retry."""
        await self.jobs.release_held()
        try:
            self.context.self_ref.tell_nowait(RunAccountJobs())
        except ActorError as refused:
            logger.warning("the account jobs were not rescheduled: %r", refused)
