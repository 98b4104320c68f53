"""Checks of what a user knows: the password, a TOTP code, a backup code.

Each check spends an attempt first (:mod:`services.accounts.throttle`), so guessing is
throttled whatever the outcome.  TOTP codes are single use: the accepted time step is
recorded atomically and an older or equal step is refused.  Backup codes are stored as
digests salted with the user's id and removed atomically when used.
"""

from __future__ import annotations

from protocol.errors import ErrorCode
from services.accounts.context import AccountServices
from services.accounts.throttle import spend_attempt
from services.email_templates import security_notice_email
from services.errors import DomainError
from services.tokens import BACKUP_CODE_LENGTH, normalise_backup_code
from services.totp import DIGITS, accepted_step
from storage.keys import hash_token
from storage.records import User


def backup_code_digest(user_id: str, code: str) -> str:
    """What is stored for a backup code: a digest of the normalised code and the user."""
    return hash_token(f"backup-code:{user_id}:{normalise_backup_code(code)}")


async def check_password(services: AccountServices, user: User, password: str) -> None:
    """Refuse with ``forbidden`` unless ``password`` is the user's current password."""
    await spend_attempt(
        services.limiter,
        f"password:{user.id}",
        services.policy.password_checks_per_user,
        "password attempts",
    )
    verification = await services.passwords.verify(user.password_hash, password)
    if not verification.matched:
        raise DomainError(ErrorCode.FORBIDDEN, "the password is not correct")
    if verification.rehash is not None:
        await services.users.set_password_hash(user.id, verification.rehash)


async def second_factor_matches(services: AccountServices, user: User, code: str) -> bool:
    """Whether ``code`` is a fresh TOTP code or an unused backup code of ``user``.

    A match is used up: the TOTP step is recorded, the backup code removed (and the user
    told by email).  Spends one second-factor attempt first.
    """
    await spend_attempt(
        services.limiter,
        f"second-factor:{user.id}",
        services.policy.second_factor_per_user,
        "two-factor attempts",
    )
    if user.totp_secret is None:
        return False
    candidate = "".join(code.split())
    if len(candidate) == DIGITS and candidate.isdigit():
        step = accepted_step(
            user.totp_secret, candidate, user.totp_last_step, now=services.clock()
        )
        return step is not None and await services.users.use_totp_step(user.id, step)
    if len(normalise_backup_code(candidate)) != BACKUP_CODE_LENGTH:
        return False
    used = await services.users.consume_backup_code(user.id, backup_code_digest(user.id, code))
    if used:
        remaining = len(user.backup_code_hashes) - 1
        services.send_email(
            security_notice_email(
                user.email, user.username, f"a backup code was used to log in ({remaining} left)"
            )
        )
    return used
