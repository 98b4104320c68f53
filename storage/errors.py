"""Storage errors: one hierarchy for every backend.

Every storage call either returns its documented value or raises one of these; driver
exceptions (pymongo, sqlite3, coredis, azure) never leak to callers.

* :class:`StorageError` — base class; also raised directly for a failure that is neither
  of the cases below (a bug, a rejected query), with the driver error as ``__cause__``.
* :class:`NotFound` — the addressed record does not exist (or is soft-deleted where the
  method says so).
* :class:`Conflict` — a uniqueness rule or a state precondition was violated; ``field``
  names the rule (``"username"``, ``"email"``, ``"title"``, ``"report"``, ``"state"``…).
* :class:`StorageUnavailable` — the backend could not be reached within the deadline, or
  its circuit breaker is open (:mod:`storage.dependency`).  Transient failures are retried
  first; this is the persistent case.  Callers map it to "503, try later" and keep running.
* :class:`TooLarge` — a blob upload exceeded its size cap; reading stopped at the cap.
"""

from __future__ import annotations


class StorageError(Exception):
    """Base class of all storage errors."""


class NotFound(StorageError):
    """The addressed record does not exist."""

    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"{kind} {key!r} not found")
        self.kind = kind
        self.key = key


class Conflict(StorageError):
    """A uniqueness rule or state precondition was violated; ``field`` names it."""

    def __init__(self, field: str, message: str | None = None) -> None:
        super().__init__(message or f"conflict on {field}")
        self.field = field


class StorageUnavailable(StorageError):
    """The backend stayed unreachable until the deadline passed, or its circuit breaker is
    open (:mod:`storage.dependency`).

    ``retry_after`` is a hint in seconds; ``timed_out`` says the call was cut at its
    deadline, so a write may or may not have been applied.
    """

    def __init__(
        self, message: str, *, retry_after: float = 1.0, timed_out: bool = False
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.timed_out = timed_out


class TooLarge(StorageError):
    """An upload went over its size cap."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"upload exceeds the limit of {limit} bytes")
        self.limit = limit
