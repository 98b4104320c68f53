"""Emailed one-time codes: an alternative second factor.

Contract:

* :func:`set_email_codes` turns them on or off for an account (the route demands a
  recent authentication); the owner is told by email.  On, a right password yields a
  login challenge (:mod:`services.accounts.login`) that an emailed code completes.
* :func:`send_login_code` mails a fresh :data:`CODE_DIGITS`-digit code for a pending
  challenge, valid :data:`CODE_LIFETIME_SECONDS` and only with that challenge; a new code
  replaces the older ones.  Sends are limited per account (:data:`SENDS_PER_USER`;
  they only ever go to the account's own address, after its right password).
  Unknown challenges are refused like expired ones.
* :func:`complete_with_email_code` spends one attempt of the **account**
  (:data:`ATTEMPTS_PER_USER`, whatever the client address or challenge)
  and one of the **challenge** (:data:`ATTEMPTS_PER_CHALLENGE`) before
  the code is looked at.  Past the challenge's attempts the challenge and its code are
  dropped (log in again); past the account's, every attempt is ``rate_limited`` until
  the allowance refills.  A right code is used up and opens the session.
* Only a digest of the code (salted with the challenge's digest) is stored.
"""

from __future__ import annotations

import secrets

from protocol.errors import ErrorCode
from services.accounts.audit import record_event
from services.accounts.context import AccountServices, ClientInfo
from services.accounts.factors import EMAIL_CODES_KEY, email_codes_on
from services.accounts.login import CHALLENGE_EXPIRED, return_challenge, take_challenge
from services.accounts.mails import login_code_email
from services.accounts.sessions import OpenedSession, open_session
from services.accounts.throttle import Limit, spend_attempt
from services.bans import refuse_if_banned
from services.email_templates import security_notice_email
from services.errors import DomainError
from storage.errors import NotFound
from storage.keys import hash_token

CODE_PURPOSE = "email_code"
CODE_DIGITS = 6
CODE_LIFETIME_SECONDS = 600.0


ATTEMPTS_PER_USER = Limit(5, 900.0)
"""Code checks per account, from any address and over any challenges."""
ATTEMPTS_PER_CHALLENGE = Limit(3, CODE_LIFETIME_SECONDS)
"""Code checks per login challenge; past them the challenge is dropped."""
SENDS_PER_USER = Limit(3, 900.0)
"""Codes mailed per account."""


def _code_digest(challenge: str, code: str) -> str:
    return hash_token(f"email-code:{hash_token(challenge)}:{code}")


async def set_email_codes(
    services: AccountServices, user_id: str, enabled: bool, client: ClientInfo
) -> None:
    """Turn emailed login codes on or off; see the module docstring."""
    user = await services.users.get(user_id)
    if email_codes_on(user) == enabled:
        return
    await services.users.update_preferences(user.id, {EMAIL_CODES_KEY: enabled})
    kind = "email_codes_on" if enabled else "email_codes_off"
    await record_event(services, user.id, kind, method="email_code", client=client)
    what = "turned on" if enabled else "turned off"
    services.send_email(
        security_notice_email(user.email, user.username, f"emailed login codes were {what}")
    )


async def send_login_code(services: AccountServices, challenge: str) -> None:
    """Mail a code for ``challenge``; see the module docstring."""
    user, expires_at = await take_challenge(services, challenge)
    try:
        if not email_codes_on(user):
            raise DomainError(ErrorCode.CONFLICT, "emailed codes are off for this account")
        await spend_attempt(
            services.limiter, f"email-code-send:{user.id}", SENDS_PER_USER, "codes sent"
        )
    finally:
        await return_challenge(services, user, challenge, expires_at)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    await services.tokens.revoke_all(user.id, CODE_PURPOSE)
    await services.tokens.issue(
        user_id=user.id,
        purpose=CODE_PURPOSE,
        token_hash=_code_digest(challenge, code),
        expires_at=min(expires_at, services.clock() + CODE_LIFETIME_SECONDS),
    )
    minutes = int(CODE_LIFETIME_SECONDS // 60)
    services.send_email(login_code_email(user.email, user.username, code, minutes))


async def complete_with_email_code(
    services: AccountServices,
    *,
    challenge: str,
    code: str,
    client: ClientInfo,
    previous_token: str | None = None,
) -> OpenedSession:
    """Exchange a challenge and its emailed code for a session; see the module docstring."""
    user, expires_at = await take_challenge(services, challenge)
    try:
        await spend_attempt(
            services.limiter,
            f"email-code:{user.id}",
            ATTEMPTS_PER_USER,
            "code attempts for this account",
        )
    except DomainError:
        await return_challenge(services, user, challenge, expires_at)
        raise
    try:
        await spend_attempt(
            services.limiter,
            f"email-code-challenge:{hash_token(challenge)}",
            ATTEMPTS_PER_CHALLENGE,
            "code attempts for this login",
        )
    except DomainError:
        await services.tokens.revoke_all(user.id, CODE_PURPOSE)
        raise DomainError(ErrorCode.UNAUTHORIZED, CHALLENGE_EXPIRED) from None
    refuse_if_banned(user, services.clock())
    candidate = "".join(code.split())
    try:
        if not (len(candidate) == CODE_DIGITS and candidate.isdigit()):
            raise NotFound("token", CODE_PURPOSE)
        issued = await services.tokens.consume(
            purpose=CODE_PURPOSE, token_hash=_code_digest(challenge, candidate)
        )
    except NotFound:
        await return_challenge(services, user, challenge, expires_at)
        raise DomainError(ErrorCode.UNAUTHORIZED, "the code is not correct") from None
    if issued.user_id != user.id:
        raise DomainError(ErrorCode.UNAUTHORIZED, CHALLENGE_EXPIRED)
    return await open_session(services, user, client, previous_token, method="email_code")
