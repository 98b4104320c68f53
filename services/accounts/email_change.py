"""Changing the email address of a logged-in account (a sensitive action: step-up).

Contract: :func:`change_email` answers the same whether or not the new address belongs
to another account, so it never tells that an address is registered.  A free address
becomes the account's, unverified (logging in needs it confirmed again), and gets a
confirmation link; the old address is told.  A taken one is left alone and its owner
gets the "someone tried to register" notice.  Emails per address are limited.
"""

from __future__ import annotations

from protocol.errors import ErrorCode
from services.accounts.audit import record_event
from services.accounts.context import AccountServices, ClientInfo
from services.accounts.identity_rules import email_problem
from services.accounts.registration import send_verification, spend_email_to
from services.email_templates import registration_attempt_email, security_notice_email
from services.errors import DomainError
from storage.errors import Conflict


async def change_email(
    services: AccountServices, user_id: str, email: str, client: ClientInfo
) -> None:
    """See the module docstring."""
    email = email.strip()
    problem = email_problem(email)
    if problem is not None:
        raise DomainError(ErrorCode.INVALID, problem)
    await spend_email_to(services, email)
    user = await services.users.get(user_id)
    if email.casefold() == user.email.casefold():
        return
    try:
        changed = await services.users.change_email(user.id, email)
    except Conflict:
        owner = await services.users.find_by_email(email)
        if owner is not None:
            services.send_email(
                registration_attempt_email(owner.email, owner.username, services.public_url)
            )
        return
    await record_event(services, user.id, "email_changed", client=client)
    services.send_email(
        security_notice_email(user.email, user.username, "your email address was changed")
    )
    await send_verification(services, changed)
