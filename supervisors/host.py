"""``KindHost``: the dynamic supervisor of one actor kind's activations.

The host owns the kind's table ``id -> Activation`` and one nursery in which every
activation runs as a single task (no nursery or cancel scope per actor). Looking an id
up and creating its activation is synchronous, so concurrent first messages share one
activation. While the host is not running (not started yet, or being restarted by its
supervisor) new activations are *pending*: their mailboxes take messages, and their
tasks start when the host runs again.

Supervision: each activation restarts its own actor (the kind's per-activation
intensity). An activation that gives up counts against the kind's
``escalation_intensity``; when that is exceeded the host cancels every activation and
raises ``RestartIntensityExceeded`` to the registry's supervisor.

Passivation: a sweeper task wakes every ``idle_timeout / 4`` seconds and nudges the
activations idle for longer than ``idle_timeout``.
"""

from __future__ import annotations

import bisect
import contextvars
import heapq
import itertools
from collections import deque
from collections.abc import Sequence
from typing import TYPE_CHECKING

import trio

from actors.runtime.errors import ActorStopped, RestartIntensityExceeded
from actors.runtime.ref import Address
from actors.runtime.statistics import ActorStatistics, FailureRecord
from supervisors.activation import Activation, ActivationState, StopReason
from supervisors.child import ChildSpec
from supervisors.kind import ActorKind
from supervisors.policy import RestartType, RestartWindow
from supervisors.status import KindSnapshot, MailboxSnapshot, SupervisorSnapshot

if TYPE_CHECKING:
    from supervisors.registry import Registry

FAILURE_HISTORY = 10
"""How many recent failures a kind keeps for its snapshot."""


class KindHost:
    """Runs, passivates and supervises the activations of one actor kind."""

    def __init__(self, kind: ActorKind, registry: Registry) -> None:
        self.kind = kind
        self.registry = registry
        self.closing = False
        self.activations = 0
        self.passivations = 0
        self.restarts = 0
        self.escalations = 0
        self._table: dict[str, Activation] = {}
        self._pending: list[Activation] = []
        self._failures: deque[FailureRecord] = deque(maxlen=FAILURE_HISTORY)
        self._nursery: trio.Nursery | None = None
        self._spawn_context = contextvars.Context()
        self._task_name = f"actor:{kind.name}"
        self._escalation: RestartIntensityExceeded | None = None
        self._escalation_window = RestartWindow(kind.escalation_intensity)
        self._drained = trio.Event()

    # Lookup (the hot path of every message)

    def activation(self, address: Address) -> Activation:
        """The activation for ``address``, created (and started or queued) if missing.

        Raises ``ActorStopped`` once the kind is shutting down.
        """
        activation = self._table.get(address.id)
        if activation is None:
            if self.closing:
                raise ActorStopped(address, "the registry is closed")
            activation = Activation(self, address)
            self._table[address.id] = activation
            self.activations += 1
            if self._nursery is None:
                self._pending.append(activation)
            else:
                self._spawn(activation)
        return activation

    def find(self, id: str) -> Activation | None:
        """The activation of ``id`` if there is one; never activates."""
        return self._table.get(id)

    def _spawn(self, activation: Activation) -> None:
        assert self._nursery is not None
        # A fresh context: the actor must not inherit the sender's context variables.
        self._spawn_context.run(self._start_task, self._nursery, activation)

    def _start_task(self, nursery: trio.Nursery, activation: Activation) -> None:
        nursery.start_soon(activation.run, name=self._task_name)

    # Called by activations

    def remove(self, activation: Activation) -> None:
        """Forget a retiring activation (if it is still the one in the table)."""
        id = activation.address.id
        if self._table.get(id) is activation:
            del self._table[id]
            if self.closing and not self._table:
                self._drained.set()

    def park(self, activation: Activation) -> None:
        """Keep a torn-down activation with mail, to resume it when the host runs."""
        self._pending.append(activation)

    def record_failure(self, record: FailureRecord) -> None:
        """Remember a failure for the kind's snapshot."""
        self._failures.append(record)

    def activation_gave_up(self, activation: Activation, error: Exception | None) -> None:
        """An activation exceeded its intensity; escalate if the kind now exceeds its own."""
        self.escalations += 1
        if not self._escalation_window.record(trio.current_time()):
            return
        intensity = self.kind.escalation_intensity
        escalation = RestartIntensityExceeded(
            self.kind.name, str(activation.address), intensity.max_restarts, intensity.period
        )
        escalation.__cause__ = error
        self._escalation = escalation
        if self._nursery is not None:
            self._nursery.cancel_scope.cancel()

    # The task

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Run the kind's activations until cancelled; raise on escalation."""
        self._escalation = None
        self._escalation_window = RestartWindow(self.kind.escalation_intensity)
        try:
            async with trio.open_nursery() as nursery:
                self._nursery = nursery
                self._spawn_context = contextvars.copy_context()
                pending, self._pending = self._pending, []
                for activation in pending:
                    self._spawn(activation)
                if self.kind.idle_timeout is not None:
                    nursery.start_soon(self._sweep_idle, self.kind.idle_timeout)
                task_status.started()
                await trio.sleep_forever()
        finally:
            self._nursery = None
        if self._escalation is not None:
            raise self._escalation

    async def _sweep_idle(self, idle_timeout: float) -> None:
        while True:
            await trio.sleep(idle_timeout / 4)
            idle_before = trio.current_time() - idle_timeout
            for activation in self._table.values():
                activation.passivate_if_idle(idle_before)

    # Shutdown

    def begin_shutdown(self) -> None:
        """Refuse new messages; ask every activation to drain its mailbox and stop."""
        self.closing = True
        pending, self._pending = self._pending, []
        for activation in pending:
            activation.retire("the registry is closed")
        for activation in list(self._table.values()):
            activation.request_stop(StopReason.SHUTDOWN)
        if not self._table:
            self._drained.set()

    async def wait_drained(self) -> None:
        """Wait until every activation has retired (after :meth:`begin_shutdown`)."""
        await self._drained.wait()

    # Status

    def child_spec(self) -> ChildSpec:
        """This host as a permanent child of the registry's supervisor."""
        return ChildSpec(self.kind.name, self.run, RestartType.PERMANENT, snapshot=self.snapshot)

    def statistics(self, top: int = 10) -> KindSnapshot:
        """Counts by state, lifetime counters, the ``top`` deepest mailboxes, failures."""
        counts = dict.fromkeys(ActivationState, 0)
        mailboxes: list[MailboxSnapshot] = []
        for activation in self._table.values():
            counts[activation.state] += 1
            depth, senders_waiting = activation.mailbox_load()
            if depth or senders_waiting:
                mailboxes.append(
                    MailboxSnapshot(
                        id=activation.address.id,
                        state=activation.state.value,
                        depth=depth,
                        senders_waiting=senders_waiting,
                    )
                )
        deepest = heapq.nlargest(
            top, mailboxes, key=lambda mailbox: (mailbox.depth, mailbox.senders_waiting)
        )
        return KindSnapshot(
            kind=self.kind.name,
            mailbox_capacity=self.kind.mailbox_capacity,
            active=counts[ActivationState.ACTIVE],
            activating=counts[ActivationState.ACTIVATING],
            passivating=counts[ActivationState.PASSIVATING],
            restarting=counts[ActivationState.RESTARTING],
            pending=counts[ActivationState.PENDING],
            activations=self.activations,
            passivations=self.passivations,
            restarts=self.restarts,
            escalations=self.escalations,
            top_mailboxes=tuple(deepest),
            last_failures=tuple(self._failures),
        )

    def listing(self, limit: int) -> list[ActorStatistics]:
        """Up to ``limit`` activations' figures: deepest mailbox first, then the busiest."""
        chosen = heapq.nlargest(
            limit, self._table.values(),
            key=lambda activation: (activation.mailbox_load()[0], activation.processed),
        )
        return [activation.statistics() for activation in chosen]

    def mailbox_depths(self, bounds: Sequence[int]) -> tuple[list[int], int, int]:
        """The depth distribution of the kind's mailboxes now: for each of the ascending
        ``bounds``, how many are at most that deep (cumulative), the number of mailboxes
        and the sum of their depths."""
        counts = [0] * len(bounds)
        total = 0
        for activation in self._table.values():
            depth, _ = activation.mailbox_load()
            total += depth
            index = bisect.bisect_left(bounds, depth)
            if index < len(counts):
                counts[index] += 1
        return list(itertools.accumulate(counts)), len(self._table), total

    def snapshot(self) -> SupervisorSnapshot:
        """The kind as a node of the supervision tree."""
        return SupervisorSnapshot(
            name=self.kind.name,
            strategy="one_for_one",
            restarts=self.restarts,
            last_failure=self._failures[-1] if self._failures else None,
            children=(),
            kind=self.statistics(),
        )
