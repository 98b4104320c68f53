"""Turning TOTP two-factor authentication on and off, and the backup codes.

Contract:

* :func:`begin_enrolment` needs the password; it keeps a fresh secret as *pending* and
  returns it with the ``otpauth://`` URI for an authenticator app.  Nothing changes for
  logins until :func:`confirm_enrolment` receives a valid code for that secret: then the
  secret becomes active (the code's step counts as used) and ten backup codes are issued.
  Only their digests are stored; the codes are shown this once.
* :func:`disable` needs the password and a current TOTP or backup code.
* :func:`regenerate_backup_codes` needs the password and replaces every backup code.
* Code checks spend the user's two-factor attempts; password checks their password
  attempts.  Each change is told to the owner by email.
"""

from __future__ import annotations

import dataclasses

from protocol.errors import ErrorCode
from services.accounts.context import AccountServices
from services.accounts.credentials import (
    backup_code_digest,
    check_password,
    second_factor_matches,
)
from services.accounts.throttle import spend_attempt
from services.email_templates import security_notice_email
from services.errors import DomainError
from services.tokens import new_backup_codes
from services.totp import accepted_step, new_totp_secret, provisioning_uri
from storage.records import User

BACKUP_CODE_COUNT = 10


@dataclasses.dataclass(frozen=True, slots=True)
class Enrolment:
    """What an authenticator app needs: the secret and the URI that carries it."""

    secret: str = dataclasses.field(repr=False)
    provisioning_uri: str = dataclasses.field(repr=False)


async def begin_enrolment(services: AccountServices, user_id: str, password: str) -> Enrolment:
    """Hand out a pending TOTP secret; see the module docstring."""
    user = await services.users.get(user_id)
    await check_password(services, user, password)
    if user.totp_secret is not None:
        raise DomainError(ErrorCode.CONFLICT, "two-factor authentication is already on")
    secret = new_totp_secret()
    await services.users.begin_totp_enrolment(user.id, secret)
    return Enrolment(secret=secret, provisioning_uri=provisioning_uri(secret, user.username))


def _new_backup_codes(user: User) -> tuple[list[str], list[str]]:
    """Fresh codes and their digests."""
    codes = new_backup_codes(BACKUP_CODE_COUNT)
    return codes, [backup_code_digest(user.id, code) for code in codes]


async def confirm_enrolment(services: AccountServices, user_id: str, code: str) -> list[str]:
    """Activate the pending secret with a valid ``code``; returns the new backup codes."""
    user = await services.users.get(user_id)
    await spend_attempt(
        services.limiter,
        f"second-factor:{user.id}",
        services.policy.second_factor_per_user,
        "two-factor attempts",
    )
    if user.totp_secret is not None:
        raise DomainError(ErrorCode.CONFLICT, "two-factor authentication is already on")
    if user.pending_totp_secret is None:
        raise DomainError(ErrorCode.CONFLICT, "start the two-factor setup first")
    step = accepted_step(user.pending_totp_secret, code, None, now=services.clock())
    if step is None:
        raise DomainError(ErrorCode.INVALID, "the code is not correct")
    codes, digests = _new_backup_codes(user)
    await services.users.enable_totp(
        user.id, secret=user.pending_totp_secret, step=step, backup_code_hashes=digests
    )
    services.send_email(
        security_notice_email(user.email, user.username, "two-factor authentication was turned on")
    )
    return codes


async def disable(services: AccountServices, user_id: str, password: str, code: str) -> None:
    """Turn two-factor authentication off; see the module docstring."""
    user = await services.users.get(user_id)
    await check_password(services, user, password)
    if user.totp_secret is None:
        raise DomainError(ErrorCode.CONFLICT, "two-factor authentication is off")
    if not await second_factor_matches(services, user, code):
        raise DomainError(ErrorCode.FORBIDDEN, "the code is not correct")
    await services.users.disable_totp(user.id)
    services.send_email(
        security_notice_email(user.email, user.username, "two-factor authentication was turned off")
    )


async def regenerate_backup_codes(
    services: AccountServices, user_id: str, password: str
) -> list[str]:
    """Replace every backup code; returns the new ones."""
    user = await services.users.get(user_id)
    await check_password(services, user, password)
    if user.totp_secret is None:
        raise DomainError(ErrorCode.CONFLICT, "two-factor authentication is off")
    codes, digests = _new_backup_codes(user)
    await services.users.replace_backup_codes(user.id, digests)
    services.send_email(
        security_notice_email(user.email, user.username, "new backup codes were made")
    )
    return codes
