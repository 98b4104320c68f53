"""Time-based one-time passwords (RFC 6238) with replay protection.

Contract:

* :func:`new_totp_secret` makes a base32 secret; :func:`provisioning_uri` is what an
  authenticator app scans.
* :func:`accepted_step` checks a 6-digit code against the current 30 s step and one step
  either side (clock drift).  It returns the matched step only when that step is **newer**
  than ``last_used_step``; the caller stores it, so a code observed once cannot be used
  again.  It returns None for a wrong, malformed or replayed code.
* ``now`` is injectable so tests use a fake clock.
"""

from __future__ import annotations

import hmac
import time

import pyotp

STEP_SECONDS = 30
DRIFT_STEPS = 1
DIGITS = 6


def new_totp_secret() -> str:
    """A fresh random base32 secret (160 bits)."""
    return pyotp.random_base32(length=32)


def provisioning_uri(secret: str, account: str, issuer: str = "TopicsFlow") -> str:
    """The ``otpauth://`` URI for authenticator apps."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=account, issuer_name=issuer
    )


def current_code(secret: str, now: float | None = None) -> str:
    """The code for ``now`` (tests and the enrolment confirmation use it)."""
    moment = time.time() if now is None else now
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).at(int(moment))


def accepted_step(
    secret: str, code: str, last_used_step: int | None, now: float | None = None
) -> int | None:
    """The step ``code`` belongs to, if valid and not yet used; see the module docstring."""
    candidate = "".join(code.split())
    if len(candidate) != DIGITS or not candidate.isdigit():
        return None
    moment = time.time() if now is None else now
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = int(moment) // STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if last_used_step is not None and step <= last_used_step:
            continue
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), candidate):
            return step
    return None
