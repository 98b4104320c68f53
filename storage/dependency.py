"""One remote dependency's budget: a deadline per call and a circuit breaker.

Every call to Redis and to MongoDB goes through the dependency's :class:`DependencyGate`:

* **Deadline.** A call that has no answer within ``deadline`` seconds raises
  :class:`~storage.errors.StorageUnavailable` (``timed_out``); the caller never waits
  longer, whatever the driver's own timeouts are.
* **Breaker.** The first call that ends ``StorageUnavailable`` (after the driver's
  retries within the deadline) *opens* the breaker: from then on every call fails at
  once, without touching the network, with ``retry_after`` set.  While open, one
  background task (:meth:`DependencyGate.run`) probes the dependency every
  ``probe_interval`` seconds with its own cheap call (a ping, bounded by the deadline);
  the first probe that answers closes the breaker.  So an outage costs each request at
  most one deadline, and recovery follows the dependency's return within one probe
  interval, without restarting anything.

One failed call is enough to open: the driver already retried transient failures within
the deadline, so what reaches the gate is persistent — and a slow but healthy
dependency is closed again by the next probe.  Without a running :meth:`run` task (unit
tests, tools) an open breaker lets one trial call through per probe interval instead.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import math
from collections.abc import Awaitable, Callable, Iterator

import msgspec
import trio

from storage.errors import StorageUnavailable

logger = logging.getLogger(__name__)

DEFAULT_DEADLINE_S = 1.5
DEFAULT_PROBE_INTERVAL_S = 0.25


class BreakerState(enum.Enum):
    """``closed``: calls go through; ``open``: calls fail at once until a probe answers."""

    CLOSED = "closed"
    OPEN = "open"


class GateStatus(msgspec.Struct, frozen=True, kw_only=True):
    """A snapshot of one gate for ``/readyz`` and ``/ops/status``: its state (``closed``
    or ``open``), deadline, for how long it has been open, and its counts since start."""

    name: str
    state: str
    deadline_s: float
    opened_for_s: float | None
    openings: int
    rejected: int
    timeouts: int
    last_error: str | None


class DependencyGate:
    """The deadline and breaker of one dependency; see the module docstring."""

    def __init__(
        self,
        name: str,
        *,
        deadline: float = DEFAULT_DEADLINE_S,
        probe: Callable[[], Awaitable[object]] | None = None,
        probe_interval: float = DEFAULT_PROBE_INTERVAL_S,
    ) -> None:
        if not deadline > 0:
            raise ValueError("deadline must be positive")
        self.name = name
        self.deadline = deadline
        self._probe = probe
        self._probe_interval = probe_interval
        self._state = BreakerState.CLOSED
        self._opened_at = 0.0
        self._next_trial = 0.0
        self._opened = trio.Event()
        self._closed = trio.Event()
        self._closed.set()
        self._prober_running = False
        self._openings = 0
        self._rejected = 0
        self._timeouts = 0
        self._last_error: str | None = None

    @property
    def state(self) -> BreakerState:
        """The breaker's state now."""
        return self._state

    def check(self) -> None:
        """Raise ``StorageUnavailable`` at once while the breaker is open."""
        if self._state is BreakerState.CLOSED:
            return
        if not self._prober_running:
            now = trio.current_time()
            if now >= self._next_trial:  # no prober: let one trial call through
                self._next_trial = now + self._probe_interval
                return
        self._rejected += 1
        raise StorageUnavailable(
            f"{self.name}: unavailable (circuit open)", retry_after=self._probe_interval
        )

    @contextlib.contextmanager
    def call(self, deadline: float | None = None) -> Iterator[None]:
        """Guard one call: refused while open, cut at ``deadline`` (default the gate's),
        and a ``StorageUnavailable`` or a timeout opens the breaker."""
        self.check()
        limit = self.deadline if deadline is None else deadline
        with trio.move_on_after(limit) as scope:
            try:
                yield
            except StorageUnavailable as error:
                self.failed(error)
                raise
        if scope.cancelled_caught:
            self._timeouts += 1
            timeout = StorageUnavailable(
                f"{self.name}: no answer within {limit:g} s", timed_out=True
            )
            self.failed(timeout)
            raise timeout
        self.succeeded()

    def failed(self, error: BaseException) -> None:
        """Record a persistent failure: open the breaker (if closed)."""
        self._last_error = str(error)
        if self._state is BreakerState.OPEN:
            return
        self._state = BreakerState.OPEN
        self._opened_at = trio.current_time()
        self._next_trial = self._opened_at + self._probe_interval
        self._openings += 1
        self._closed = trio.Event()
        self._opened.set()
        logger.warning("%s is unavailable; failing its calls fast until it answers: %s",
                       self.name, error)

    def succeeded(self) -> None:
        """Record an answer: close the breaker (if open)."""
        if self._state is BreakerState.CLOSED:
            return
        self._state = BreakerState.CLOSED
        self._opened = trio.Event()
        self._closed.set()
        logger.warning("%s answers again after %.1f s", self.name,
                       trio.current_time() - self._opened_at)

    async def wait_closed(self) -> None:
        """Return once the breaker is closed (at once if it is)."""
        await self._closed.wait()

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Probe while open, close on the first answer; runs until cancelled."""
        if self._probe is None:
            task_status.started()
            await trio.sleep(math.inf)
        self._prober_running = True
        try:
            task_status.started()
            while True:
                await self._opened.wait()
                while self._state is BreakerState.OPEN:
                    await trio.sleep(self._probe_interval)
                    if await self._probe_once():
                        self.succeeded()
        finally:
            self._prober_running = False

    async def _probe_once(self) -> bool:
        assert self._probe is not None
        with trio.move_on_after(self.deadline):
            try:
                await self._probe()
            except Exception as error:
                self._last_error = str(error)
                return False
            return True
        return False

    def status(self) -> GateStatus:
        """A snapshot of the gate."""
        opened_for = None
        if self._state is BreakerState.OPEN:
            opened_for = round(trio.current_time() - self._opened_at, 3)
        return GateStatus(
            name=self.name, state=self._state.value, deadline_s=self.deadline,
            opened_for_s=opened_for, openings=self._openings, rejected=self._rejected,
            timeouts=self._timeouts, last_error=self._last_error,
        )
