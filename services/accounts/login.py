"""Logging in: username or email and password, then a second factor when enabled.

Contract:

* A failed login answers ``unauthorized`` with one message, whether the account is
  unknown or the password wrong; an unknown account still spends a password
  verification's time (:meth:`PasswordHasher.verify_absent`).
* Attempts are counted per typed identifier before anything is looked up
  (:mod:`services.accounts.throttle`); the route adds a per-address limit.
* A correct password of a globally banned account (:mod:`services.bans`, compared with
  ``services.clock``) is refused with :class:`services.bans.AccountBanned` (``forbidden``
  with the ban's reason and end) before anything else is checked or issued: no session,
  no challenge.  A wrong password stays ``unauthorized``, so only someone who knows the
  password learns of the ban; a lapsed or lifted ban no longer refuses.
* A correct password of an account whose address is not verified is refused with
  ``forbidden`` (only someone who knows the password learns this).
* With TOTP or emailed codes on (:mod:`services.accounts.factors`), a correct password
  yields a **challenge** naming the methods that complete it (TOTP or backup code here,
  :mod:`services.accounts.email_codes`, :mod:`services.accounts.passkey_login`): a
  single-use token valid for five minutes, exchanged with a TOTP or backup code for the
  session by :func:`complete_two_factor`.  A wrong code keeps the challenge (until its
  expiry); past the per-user limit of code attempts the challenge is dropped too.  A ban
  imposed while a challenge is pending refuses its completion with ``AccountBanned``
  before the code is checked (no backup code is spent) and drops the challenge.
* These two functions, the emailed-code completion and the passkey login are the only
  ways to a new session (sessions slide on use in
  :class:`services.authentication.SessionAuthenticator`, which refuses banned users'
  tokens itself), and every way in checks the ban.
"""

from __future__ import annotations

import dataclasses

from protocol.errors import ErrorCode
from services.accounts.context import AccountServices, ClientInfo
from services.accounts.credentials import second_factor_matches
from services.accounts.factors import Factor, needs_second_factor, second_factor_methods
from services.accounts.identity_rules import looks_like_email
from services.accounts.sessions import OpenedSession, open_session
from services.accounts.throttle import identifier_key, spend_attempt
from services.bans import refuse_if_banned
from services.errors import DomainError
from services.tokens import new_token
from storage.errors import NotFound
from storage.keys import hash_token
from storage.records import User

CHALLENGE_PURPOSE = "login_challenge"
CHALLENGE_LIFETIME_SECONDS = 300.0
LOGIN_FAILED = "the username, email or password is not correct"
CHALLENGE_EXPIRED = "the login has expired; log in again"


@dataclasses.dataclass(frozen=True, slots=True)
class Challenge:
    """A second factor is needed: present ``token`` with a code before ``expires_at``.

    ``methods`` lists what completes it (:func:`services.accounts.factors.second_factor_methods`).
    """

    token: str = dataclasses.field(repr=False)
    expires_at: float
    methods: tuple[Factor, ...] = ("totp",)


@dataclasses.dataclass(frozen=True, slots=True)
class LoginOutcome:
    """Exactly one of ``session`` (logged in) and ``challenge`` (code needed) is set."""

    session: OpenedSession | None = None
    challenge: Challenge | None = None


async def _find_user(services: AccountServices, identifier: str) -> User | None:
    typed = identifier.strip()
    if looks_like_email(typed):
        return await services.users.find_by_email(typed)
    return await services.users.find_by_username(typed)


async def log_in(
    services: AccountServices,
    *,
    identifier: str,
    password: str,
    client: ClientInfo,
    previous_token: str | None = None,
) -> LoginOutcome:
    """Check the password; open a session or hand out a two-factor challenge.

    Raises ``unauthorized`` for an unknown account or a wrong password, then (password
    right) :class:`services.bans.AccountBanned` for a banned account and ``forbidden``
    for an unverified address; ``rate_limited`` past the attempts per identifier.
    """
    await spend_attempt(
        services.limiter,
        identifier_key("login", identifier),
        services.policy.login_per_identifier,
        "login attempts for this account",
    )
    user = await _find_user(services, identifier)
    if user is None:
        await services.passwords.verify_absent(password)
        raise DomainError(ErrorCode.UNAUTHORIZED, LOGIN_FAILED)
    verification = await services.passwords.verify(user.password_hash, password)
    if not verification.matched:
        raise DomainError(ErrorCode.UNAUTHORIZED, LOGIN_FAILED)
    if verification.rehash is not None:
        await services.users.set_password_hash(user.id, verification.rehash)
    refuse_if_banned(user, services.clock())
    if not user.email_verified:
        raise DomainError(ErrorCode.FORBIDDEN, "confirm your email address before logging in")
    if needs_second_factor(user):
        return LoginOutcome(challenge=await _issue_challenge(services, user))
    session = await open_session(services, user, client, previous_token)
    return LoginOutcome(session=session)


async def _issue_challenge(services: AccountServices, user: User) -> Challenge:
    token = new_token()
    expires_at = services.clock() + CHALLENGE_LIFETIME_SECONDS
    await services.tokens.issue(
        user_id=user.id,
        purpose=CHALLENGE_PURPOSE,
        token_hash=hash_token(token),
        expires_at=expires_at,
    )
    passkeys = 0
    if services.security is not None:
        passkeys = len(await services.security.passkeys.list_for_user(user.id))
    methods = tuple(second_factor_methods(user, passkeys))
    return Challenge(token=token, expires_at=expires_at, methods=methods)


async def take_challenge(services: AccountServices, challenge: str) -> tuple[User, float]:
    """Consume a login challenge: its user and its expiry (``unauthorized`` when unknown,
    used or expired).  Put it back with :func:`return_challenge` to let the user retry."""
    try:
        issued = await services.tokens.consume(
            purpose=CHALLENGE_PURPOSE, token_hash=hash_token(challenge)
        )
        return await services.users.get(issued.user_id), issued.expires_at
    except NotFound:
        raise DomainError(ErrorCode.UNAUTHORIZED, CHALLENGE_EXPIRED) from None


async def return_challenge(
    services: AccountServices, user: User, challenge: str, expires_at: float
) -> None:
    """Keep a taken challenge valid until its original expiry (a retry after a typo)."""
    await services.tokens.issue(
        user_id=user.id,
        purpose=CHALLENGE_PURPOSE,
        token_hash=hash_token(challenge),
        expires_at=expires_at,
    )


async def complete_two_factor(
    services: AccountServices,
    *,
    challenge: str,
    code: str,
    client: ClientInfo,
    previous_token: str | None = None,
) -> OpenedSession:
    """Exchange a challenge and a TOTP or backup code for a session.

    Raises ``unauthorized`` for an unknown, used or expired challenge and for a wrong
    code (the challenge is kept), :class:`services.bans.AccountBanned` when the user is
    banned by now (checked before the code; the challenge is used up).
    """
    expired = DomainError(ErrorCode.UNAUTHORIZED, "the login has expired; log in again")
    challenge_hash = hash_token(challenge)
    try:
        issued = await services.tokens.consume(
            purpose=CHALLENGE_PURPOSE, token_hash=challenge_hash
        )
        user = await services.users.get(issued.user_id)
    except NotFound:
        raise expired from None
    refuse_if_banned(user, services.clock())
    if not await second_factor_matches(services, user, code):
        # Taken again so the user can correct a typo; the attempt counter bounds guessing.
        await services.tokens.issue(
            user_id=user.id,
            purpose=CHALLENGE_PURPOSE,
            token_hash=challenge_hash,
            expires_at=issued.expires_at,
        )
        raise DomainError(ErrorCode.UNAUTHORIZED, "the code is not correct")
    return await open_session(services, user, client, previous_token, method="two_factor")
