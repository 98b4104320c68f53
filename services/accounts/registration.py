"""Registering an account and confirming its email address.

Contract:

* :func:`register` answers the same way whether or not the email address already has an
  account: a new address gets an account and a verification link, a known one gets a
  notice that someone tried to register it.  Both send one email (scheduled, never
  awaited) and both hash the password first, so neither the answer nor its timing tells
  the two apart.  A taken **username** is refused with ``conflict``: usernames are
  public anyway.
* Verification links are single-use tokens valid for two days; asking again
  (:func:`resend_verification`) revokes the older ones.  Emails per address are limited.
* Checking a token spends an attempt of the client's address.
"""

from __future__ import annotations

from protocol.errors import ErrorCode
from services.accounts.context import AccountServices
from services.accounts.identity_rules import email_problem, username_problem
from services.accounts.throttle import identifier_key, spend_attempt
from services.email_templates import registration_attempt_email, verification_email
from services.errors import DomainError
from services.passwords import password_problem
from services.tokens import new_token
from storage.errors import Conflict, NotFound
from storage.keys import hash_token
from storage.records import User

VERIFY_PURPOSE = "verify_email"
VERIFICATION_LIFETIME_SECONDS = 2 * 24 * 3600.0
INVALID_LINK = "the link is not valid or has expired"


async def spend_email_to(services: AccountServices, email: str) -> None:
    """Count one email sent to ``email`` (whether or not it has an account)."""
    await spend_attempt(
        services.limiter,
        identifier_key("email", email),
        services.policy.emails_per_address,
        "emails to this address",
    )


async def register(
    services: AccountServices,
    *,
    username: str,
    email: str,
    password: str,
    display_name: str = "",
) -> None:
    """Create an unverified account and mail its verification link; see the module doc."""
    email = email.strip()
    problem = (
        username_problem(username)
        or email_problem(email)
        or password_problem(password, username=username, email=email)
    )
    if problem is not None:
        raise DomainError(ErrorCode.INVALID, problem)
    await spend_email_to(services, email)
    password_hash = await services.passwords.hash(password)
    if await services.users.find_by_username(username) is not None:
        raise DomainError(ErrorCode.CONFLICT, "the username is taken")
    existing = await services.users.find_by_email(email)
    if existing is None:
        try:
            user = await services.users.create(
                username=username,
                email=email,
                password_hash=password_hash,
                display_name=display_name,
            )
        except Conflict as conflict:
            if conflict.field == "username":
                raise DomainError(ErrorCode.CONFLICT, "the username is taken") from None
            existing = await services.users.find_by_email(email)
        else:
            await send_verification(services, user)
            return
    if existing is not None:
        services.send_email(
            registration_attempt_email(existing.email, existing.username, services.public_url)
        )


async def send_verification(services: AccountServices, user: User) -> None:
    """Revoke the user's older verification links and mail a fresh one."""
    await services.tokens.revoke_all(user.id, VERIFY_PURPOSE)
    token = new_token()
    await services.tokens.issue(
        user_id=user.id,
        purpose=VERIFY_PURPOSE,
        token_hash=hash_token(token),
        expires_at=services.clock() + VERIFICATION_LIFETIME_SECONDS,
    )
    services.send_email(verification_email(user.email, user.username, services.public_url, token))


async def resend_verification(services: AccountServices, email: str) -> None:
    """Mail a fresh verification link when ``email`` has an unverified account.

    Answers the same (nothing) in every case.
    """
    await spend_email_to(services, email)
    user = await services.users.find_by_email(email.strip())
    if user is not None and not user.email_verified:
        await send_verification(services, user)


async def verify_email(services: AccountServices, token: str, client_address: str) -> None:
    """Mark the address of the token's account verified; ``invalid`` for a bad token."""
    await spend_attempt(
        services.limiter,
        f"token:{client_address}",
        services.policy.token_checks_per_client,
        "link attempts",
    )
    try:
        issued = await services.tokens.consume(purpose=VERIFY_PURPOSE, token_hash=hash_token(token))
        await services.users.set_email_verified(issued.user_id, True)
    except NotFound:
        raise DomainError(ErrorCode.INVALID, INVALID_LINK) from None
