"""Attempt counters: every check of a secret spends one attempt before it is made.

Guessing a password, a TOTP code, a backup code or an emailed token is throttled by
counting **attempts** (successful ones too) per key in the node's shared
:class:`~storage.realtime.RateLimiter` (Redis across nodes, in process otherwise).  A key
names what is being guessed, never whether it exists: a login attempt is keyed on the
folded identifier as typed, so an unknown name is throttled exactly like a known one.
The price is that someone hammering an account can make its owner wait; the limits
below keep that wait in minutes.
"""

from __future__ import annotations

import dataclasses

from protocol.errors import ErrorCode
from services.errors import DomainError
from storage.keys import fold
from storage.realtime import RateLimiter


@dataclasses.dataclass(frozen=True, slots=True)
class Limit:
    """At most ``count`` attempts per ``period`` seconds (GCRA: they refill evenly)."""

    count: int
    period: float


@dataclasses.dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    """The attempt limits of the account flows."""

    login_per_identifier: Limit = Limit(10, 900.0)
    second_factor_per_user: Limit = Limit(10, 600.0)
    password_checks_per_user: Limit = Limit(10, 900.0)
    token_checks_per_client: Limit = Limit(30, 3600.0)
    emails_per_address: Limit = Limit(3, 3600.0)


async def spend_attempt(limiter: RateLimiter, key: str, limit: Limit, what: str) -> None:
    """Count one attempt at ``key``; raise ``rate_limited`` naming ``what`` when over."""
    decision = await limiter.hit(f"attempts:{key}", limit=limit.count, period=limit.period)
    if not decision.allowed:
        raise DomainError(
            ErrorCode.RATE_LIMITED,
            f"too many {what}; try again later",
            retry_after=decision.retry_after,
        )


def identifier_key(kind: str, identifier: str) -> str:
    """The attempt key of a typed identifier (username or email), case-insensitively."""
    return f"{kind}:{fold(identifier.strip())}"
