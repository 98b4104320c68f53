"""Password hashing with argon2id, off the event loop and bounded.

Contract:

* :meth:`PasswordHasher.hash` and :meth:`PasswordHasher.verify` run argon2 in worker
  threads; at most ``concurrency`` hashes run at once, so a login flood queues instead of
  exhausting memory (each hash uses ``memory_kib``).
* :meth:`verify` returns a :class:`Verification`: whether the password matched and, when
  it did and the parameters changed since the hash was made, a fresh hash to store.
* :meth:`verify_absent` spends the same time as a real verification, for logins naming no
  existing account, so response time does not reveal which accounts exist.
* Passwords are ``str``; they are never logged or stored in plain form.
"""

from __future__ import annotations

import dataclasses

import argon2
import trio

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256


@dataclasses.dataclass(frozen=True, slots=True)
class Verification:
    """Outcome of a password check; ``rehash`` is set when the stored hash should change."""

    matched: bool
    rehash: str | None = None


class PasswordHasher:
    """argon2id hashing with a concurrency bound; see the module docstring."""

    def __init__(
        self,
        *,
        time_cost: int = 2,
        memory_kib: int = 19_456,
        parallelism: int = 1,
        concurrency: int = 4,
    ) -> None:
        self._hasher = argon2.PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_kib,
            parallelism=parallelism,
            type=argon2.Type.ID,
        )
        self._limiter = trio.CapacityLimiter(concurrency)
        self._decoy = self._hasher.hash("decoy password that matches nothing")

    async def hash(self, password: str) -> str:
        """The encoded argon2id hash of ``password``."""
        return await trio.to_thread.run_sync(self._hasher.hash, password, limiter=self._limiter)

    async def verify(self, encoded: str, password: str) -> Verification:
        """Check ``password`` against ``encoded``; never raises for a mismatch."""
        return await trio.to_thread.run_sync(
            self._verify_sync, encoded, password, limiter=self._limiter
        )

    async def verify_absent(self, password: str) -> None:
        """Spend a verification's time for an account that does not exist."""
        await self.verify(self._decoy, password)

    def _verify_sync(self, encoded: str, password: str) -> Verification:
        try:
            self._hasher.verify(encoded, password)
        except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
            return Verification(matched=False)
        if self._hasher.check_needs_rehash(encoded):
            return Verification(matched=True, rehash=self._hasher.hash(password))
        return Verification(matched=True)


def password_problem(password: str, *, username: str = "", email: str = "") -> str | None:
    """Why ``password`` is unacceptable as a new password, or None when it is fine."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"the password must have at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"the password must have at most {MAX_PASSWORD_LENGTH} characters"
    lowered = password.casefold()
    for identity in (username, email.partition("@")[0]):
        if len(identity) >= 3 and identity.casefold() in lowered:
            return "the password must not contain the username or email"
    if len(set(password)) < 4:
        return "the password must use more than a few distinct characters"
    return None
