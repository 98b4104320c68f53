"""Passwords: reset by an emailed link, and change while logged in.

Contract:

* :func:`request_reset` answers the same (nothing) whether or not the address has an
  account; when it has, a single-use link valid for an hour is mailed and older links
  are revoked.  Emails per address are limited.
* :func:`complete_reset` spends an attempt of the client's address, then consumes the
  token.  A new password that is refused does not use the link up.  A reset ends
  **every** session of the account and closes its WebSockets; it also proves the address,
  so an unverified one becomes verified.
* :func:`change_password` needs the current password and ends every **other** session
  (their WebSockets close); the session it was made from stays.
* Each change is told to the owner by email.
"""

from __future__ import annotations

from protocol.errors import ErrorCode
from services.accounts.context import AccountServices
from services.accounts.credentials import check_password
from services.accounts.registration import INVALID_LINK, spend_email_to
from services.accounts.sessions import revoke_every_session, revoke_other_sessions
from services.accounts.throttle import spend_attempt
from services.email_templates import password_reset_email, security_notice_email
from services.errors import DomainError
from services.passwords import password_problem
from services.tokens import new_token
from storage.errors import NotFound
from storage.keys import hash_token
from storage.records import User

RESET_PURPOSE = "password_reset"
RESET_LIFETIME_SECONDS = 3600.0


async def request_reset(services: AccountServices, email: str) -> None:
    """Mail a reset link when ``email`` has an account; see the module docstring."""
    await spend_email_to(services, email)
    user = await services.users.find_by_email(email.strip())
    if user is None:
        return
    await services.tokens.revoke_all(user.id, RESET_PURPOSE)
    token = new_token()
    await services.tokens.issue(
        user_id=user.id,
        purpose=RESET_PURPOSE,
        token_hash=hash_token(token),
        expires_at=services.clock() + RESET_LIFETIME_SECONDS,
    )
    services.send_email(
        password_reset_email(user.email, user.username, services.public_url, token)
    )


def _refuse_weak(password: str, user: User | None = None) -> None:
    username, email = (user.username, user.email) if user is not None else ("", "")
    problem = password_problem(password, username=username, email=email)
    if problem is not None:
        raise DomainError(ErrorCode.INVALID, problem)


async def complete_reset(
    services: AccountServices, *, token: str, new_password: str, client_address: str
) -> None:
    """Set a new password with a reset token; see the module docstring."""
    _refuse_weak(new_password)
    await spend_attempt(
        services.limiter,
        f"token:{client_address}",
        services.policy.token_checks_per_client,
        "link attempts",
    )
    token_hash = hash_token(token)
    try:
        issued = await services.tokens.consume(purpose=RESET_PURPOSE, token_hash=token_hash)
        user = await services.users.get(issued.user_id)
    except NotFound:
        raise DomainError(ErrorCode.INVALID, INVALID_LINK) from None
    try:
        _refuse_weak(new_password, user)
    except DomainError:
        await services.tokens.issue(
            user_id=user.id,
            purpose=RESET_PURPOSE,
            token_hash=token_hash,
            expires_at=issued.expires_at,
        )
        raise
    await services.users.set_password_hash(user.id, await services.passwords.hash(new_password))
    if not user.email_verified:
        await services.users.set_email_verified(user.id, True)
    await services.tokens.revoke_all(user.id, RESET_PURPOSE)
    await revoke_every_session(services, user.id)
    services.send_email(
        security_notice_email(user.email, user.username, "your password was reset")
    )


async def change_password(
    services: AccountServices,
    *,
    user_id: str,
    current_password: str,
    new_password: str,
    keep_token_hash: str,
) -> int:
    """Replace the password; end the other sessions; returns how many ended."""
    user = await services.users.get(user_id)
    await check_password(services, user, current_password)
    _refuse_weak(new_password, user)
    await services.users.set_password_hash(user.id, await services.passwords.hash(new_password))
    await services.tokens.revoke_all(user.id, RESET_PURPOSE)
    revoked = await revoke_other_sessions(services, user.id, keep_token_hash)
    services.send_email(
        security_notice_email(user.email, user.username, "your password was changed")
    )
    return revoked
