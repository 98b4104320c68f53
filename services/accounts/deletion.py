"""Deleting an account: the request, the grace period and cancelling it.

Contract:

* :func:`request_deletion` (the route demands a recent authentication) schedules the
  deletion ``grace_seconds`` from now (``TOPICSFLOW_ACCOUNT_DELETION_GRACE_SECONDS``);
  asking again returns the pending request unchanged.  The owner is told by email.
* :func:`cancel_deletion` cancels the pending request (``not_found`` when none); the
  account is untouched.  Once the erasure started (the request is ``building``) it is
  ``conflict``.
* When the grace period is over the node's account-jobs actor
  (:mod:`actors.users.account_jobs_actor`, on the node's schedule) erases the account
  (:mod:`actors.users.account_erasure`, policy in docs/AUTH.md "Deletion").
"""

from __future__ import annotations

from protocol.errors import ErrorCode
from services.accounts.audit import record_event
from services.accounts.context import AccountServices, ClientInfo
from services.accounts.mails import deletion_scheduled_email
from services.errors import DomainError
from storage.errors import Conflict
from storage.records.security import AccountRequest

DEFAULT_GRACE_SECONDS = 14 * 86400.0


async def pending_deletion(services: AccountServices, user_id: str) -> AccountRequest | None:
    """The user's pending deletion (or one being carried out), if any."""
    for request in await services.secured().requests.list_for_user(user_id, "deletion"):
        if request.state in ("pending", "building"):
            return request
    return None


async def request_deletion(
    services: AccountServices, user_id: str, grace_seconds: float, client: ClientInfo
) -> AccountRequest:
    """Schedule the deletion of the account; see the module docstring."""
    existing = await pending_deletion(services, user_id)
    if existing is not None:
        return existing
    request = await services.secured().requests.create(
        user_id=user_id, kind="deletion", due_at=services.clock() + grace_seconds
    )
    await record_event(services, user_id, "deletion_requested", client=client)
    user = await services.users.get(user_id)
    days = max(0, round(grace_seconds / 86400))
    services.send_email(deletion_scheduled_email(user.email, user.username, days))
    return request


async def cancel_deletion(services: AccountServices, user_id: str, client: ClientInfo) -> None:
    """Cancel the pending deletion; ``not_found`` when there is none."""
    pending = await pending_deletion(services, user_id)
    if pending is None:
        raise DomainError(ErrorCode.NOT_FOUND, "no deletion is pending")
    try:
        await services.secured().requests.transition(
            pending.id, from_states=("pending",), to_state="cancelled"
        )
    except Conflict:
        raise DomainError(ErrorCode.CONFLICT, "the account is being deleted already") from None
    await record_event(services, user_id, "deletion_cancelled", client=client)
