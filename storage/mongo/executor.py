"""Run synchronous pymongo calls from trio: worker threads, a limiter, bounded retries.

pymongo's own async API (and Motor) are asyncio-only, so each call runs in a trio worker
thread under a :class:`trio.CapacityLimiter` sized to the connection pool. Transient
failures (connection lost, server selection timed out) are retried with doubling
backoff within the call's deadline, then raise ``StorageUnavailable``. A call that is not
idempotent (an insert, an ``$inc``) is retried only when the server was never reached
(server selection failed), so a lost reply cannot apply it twice.

Every call runs under the store's :class:`~storage.dependency.DependencyGate`: it is cut
at the gate's deadline (waiting for a worker thread included; a thread still blocked in
the driver is abandoned and ends at the driver's socket timeout) and refused at once
while the gate's breaker is open.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TypeVar

import trio
from pymongo.errors import (
    ConnectionFailure,
    DuplicateKeyError,
    OperationFailure,
    PyMongoError,
    ServerSelectionTimeoutError,
)

from storage.dependency import DependencyGate
from storage.errors import Conflict, StorageError, StorageUnavailable

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """Backoff between attempts of one call (its deadline is the gate's)."""

    first_delay: float = 0.05
    max_delay: float = 1.0


UPDATE_UNIQUE_VIOLATIONS = ("UNIQUE constraint failed", "(SQLSTATE 23505)")
"""How FerretDB reports a unique-index violation by an *update* (MongoDB says
``DuplicateKeyError``): its SQLite and its PostgreSQL backend's words."""


class MongoExecutor:
    """Runs blocking pymongo operations in threads, mapping errors to storage errors."""

    def __init__(self, *, pool_size: int, retry: RetryPolicy, gate: DependencyGate) -> None:
        self.limiter = trio.CapacityLimiter(pool_size)
        self.gate = gate
        self._retry = retry
        self._retries = 0
        self._failures = 0

    async def call(
        self,
        operation: Callable[[], T],
        *,
        idempotent: bool = True,
        deadline: float | None = None,
    ) -> T:
        """Run ``operation`` in a worker thread within ``deadline`` seconds (default the
        gate's); see the module docstring for retries.

        ``DuplicateKeyError`` becomes ``Conflict("unique")`` (FerretDB does not say which
        index, so callers with several unique keys refine it).
        """
        try:
            with self.gate.call(deadline):
                return await self._attempts(operation, idempotent=idempotent)
        except StorageUnavailable:
            self._failures += 1
            raise

    async def _attempts(self, operation: Callable[[], T], *, idempotent: bool) -> T:
        delay = self._retry.first_delay
        while True:
            try:
                return await trio.to_thread.run_sync(
                    operation, limiter=self.limiter, abandon_on_cancel=True
                )
            except DuplicateKeyError as error:
                raise Conflict("unique") from error
            except ConnectionFailure as error:
                retryable = idempotent or isinstance(error, ServerSelectionTimeoutError)
                if not retryable:
                    raise StorageUnavailable(f"mongo: {error}", timed_out=True) from error
            except OperationFailure as error:
                if any(sign in str(error) for sign in UPDATE_UNIQUE_VIOLATIONS):
                    raise Conflict("unique") from error
                raise StorageError(f"mongo: {error}") from error
            except PyMongoError as error:
                raise StorageError(f"mongo: {error}") from error
            self._retries += 1
            await trio.sleep(delay)
            delay = min(delay * 2, self._retry.max_delay)

    def statistics(self) -> dict[str, int]:
        """Retries made and calls that ended in ``StorageUnavailable``."""
        return {"retries": self._retries, "unavailable": self._failures}
