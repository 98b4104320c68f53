"""The messages the account-jobs actor accepts (see :mod:`actors.users.account_jobs_actor`).

Both are tells (the reply is None) and both mean "look for due work now": the actor
reads what to do from the store, so a lost or duplicated message changes nothing but
when the work starts.  Queued ones are handled together, in one turn.
"""

from __future__ import annotations

import msgspec

ACCOUNT_JOBS = "account_jobs"
"""The actor kind name."""

ACCOUNT_JOBS_ID = "jobs"
"""The id of the one account-jobs actor (one per node, or per cluster in cluster mode)."""


class ExportRequested(msgspec.Struct, frozen=True, kw_only=True):
    """A user asked for a data export (already recorded ``pending`` in the store)."""

    export_id: str


class RunAccountJobs(msgspec.Struct, frozen=True, kw_only=True):
    """The schedule's wake-up: build the due exports and erase the due accounts."""
