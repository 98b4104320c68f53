"""OTP-style supervisor for long-lived tasks (storage clients, actor kinds, servers…).

A :class:`Supervisor` starts its children in order, each in its own cancel scope inside
the supervisor's nursery, and waits. When a child ends, its :class:`RestartType` says
whether it is restarted; the :class:`Strategy` says which siblings restart with it.
Every restart is counted against the :class:`RestartIntensity`; one restart too many
and the supervisor stops all children (last started first) and raises
``RestartIntensityExceeded`` from :meth:`Supervisor.run` — to its parent supervisor,
for which that is a crash like any other.

A child is an async function called as ``run(task_status=...)``; it calls
``task_status.started()`` once ready (a child that ends before doing so counts as having
started, then ended). A child "crashes" when it raises an ``Exception``; returning is a
normal exit; cancellation by the supervisor is neither.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import trio

from actors.runtime.errors import RestartIntensityExceeded
from actors.runtime.statistics import FailureRecord
from supervisors.child import ChildSpec, ChildState, StartedFlag
from supervisors.policy import (
    DEFAULT_INTENSITY,
    Backoff,
    RestartIntensity,
    RestartType,
    RestartWindow,
    Strategy,
)
from supervisors.status import ChildSnapshot, SupervisorSnapshot, SupervisorStatistics

__all__ = ["ChildSpec", "Supervisor", "open_supervisor"]

logger = logging.getLogger(__name__)

class Supervisor:
    """Runs children and restarts them by strategy, child type and intensity."""

    def __init__(
        self,
        name: str,
        children: Sequence[ChildSpec] = (),
        *,
        strategy: Strategy = Strategy.ONE_FOR_ONE,
        intensity: RestartIntensity = DEFAULT_INTENSITY,
        backoff: Backoff | None = None,
    ) -> None:
        names = [spec.name for spec in children]
        if len(set(names)) != len(names):
            raise ValueError(f"supervisor {name!r}: child names must be unique: {names}")
        self.name = name
        self.strategy = strategy
        self.intensity = intensity
        self.backoff = backoff
        self._children = [ChildState(spec) for spec in children]
        self._exits: deque[tuple[ChildState, int, Exception | None]] = deque()
        self._wakeup = trio.Event()
        self._nursery: trio.Nursery | None = None
        self._stopping = False
        self._restarts = 0
        self._last_failure: FailureRecord | None = None

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Start the children in order, report started, supervise until :meth:`stop`.

        Raises ``RestartIntensityExceeded`` (after stopping every child) on escalation.
        """
        if self._nursery is not None:
            raise RuntimeError(f"supervisor {self.name!r} is already running")
        self._stopping = False
        self._exits.clear()
        window = RestartWindow(self.intensity)
        escalation: RestartIntensityExceeded | None = None
        try:
            async with trio.open_nursery() as nursery:
                self._nursery = nursery
                for child in list(self._children):
                    await self._start(child)
                task_status.started()
                try:
                    await self._supervise(window)
                except RestartIntensityExceeded as error:
                    escalation = error
                for child in reversed(self._children):
                    await self._terminate(child)
        finally:
            self._nursery = None
            for child in self._children:
                child.state = "stopped"
        if escalation is not None:
            raise escalation

    def stop(self) -> None:
        """Ask :meth:`run` to stop the children (last started first) and return."""
        self._stopping = True
        self._wakeup.set()

    async def start_child(self, spec: ChildSpec) -> None:
        """Add a child; start it now if the supervisor is running."""
        if any(child.spec.name == spec.name for child in self._children):
            raise ValueError(f"supervisor {self.name!r} already has a child {spec.name!r}")
        child = ChildState(spec)
        self._children.append(child)
        if self._nursery is not None:
            await self._start(child)

    def child_spec(self, restart: RestartType = RestartType.PERMANENT) -> ChildSpec:
        """This supervisor as a child of another one."""
        return ChildSpec(self.name, self.run, restart, snapshot=self.snapshot)

    def statistics(self) -> SupervisorStatistics:
        """This supervisor's own figures."""
        return SupervisorStatistics(
            name=self.name,
            strategy=self.strategy.value,
            children=len(self._children),
            running_children=sum(child.state == "running" for child in self._children),
            restarts=self._restarts,
            last_failure=self._last_failure,
        )

    def snapshot(self) -> SupervisorSnapshot:
        """This supervisor and its subtree."""
        children = tuple(
            ChildSnapshot(
                name=child.spec.name,
                restart=child.spec.restart.value,
                state=child.state,
                restarts=child.restarts,
                last_failure=child.last_failure,
                supervisor=child.spec.snapshot() if child.spec.snapshot else None,
            )
            for child in self._children
        )
        return SupervisorSnapshot(
            name=self.name,
            strategy=self.strategy.value,
            restarts=self._restarts,
            last_failure=self._last_failure,
            children=children,
        )

    async def _supervise(self, window: RestartWindow) -> None:
        while True:
            while not self._exits:
                if self._stopping:
                    return
                self._wakeup = trio.Event()
                await self._wakeup.wait()
            if self._stopping:
                return
            child, generation, error = self._exits.popleft()
            if generation == child.generation:
                await self._handle_exit(child, error, window)

    async def _handle_exit(
        self, child: ChildState, error: Exception | None, window: RestartWindow
    ) -> None:
        child.state = "stopped"
        if error is not None:
            record = FailureRecord(child.spec.name, time.time(), type(error).__name__, str(error))
            child.last_failure = self._last_failure = record
            logger.error("supervisor %r: child %r crashed", self.name, child.spec.name,
                         exc_info=error)
        if not child.spec.restart.restarts_after(crashed=error is not None):
            if child.spec.restart is RestartType.TEMPORARY:
                self._children.remove(child)
            return
        if window.record(trio.current_time()):
            raise RestartIntensityExceeded(
                self.name, child.spec.name, self.intensity.max_restarts, self.intensity.period
            ) from error
        self._restarts += 1
        child.restarts += 1
        if self.backoff is not None:
            child.state = "restarting"
            await trio.sleep(self.backoff.delay(window.recent))
        for sibling in await self._stop_affected(child):
            await self._start(sibling)

    async def _stop_affected(self, failed: ChildState) -> list[ChildState]:
        """Stop the siblings the strategy restarts with ``failed``; return, in start
        order, every child to start again (temporary siblings are removed instead)."""
        if self.strategy is Strategy.ONE_FOR_ONE:
            return [failed]
        if self.strategy is Strategy.ONE_FOR_ALL:
            affected = list(self._children)
        else:
            affected = self._children[self._children.index(failed):]
        for sibling in reversed(affected):
            await self._terminate(sibling)
        restarted: list[ChildState] = []
        for sibling in affected:
            if sibling is not failed and sibling.spec.restart is RestartType.TEMPORARY:
                self._children.remove(sibling)
            else:
                restarted.append(sibling)
        return restarted

    async def _start(self, child: ChildState) -> None:
        assert self._nursery is not None
        child.generation += 1
        child.state = "running"
        child.terminating = False
        child.done = trio.Event()
        await self._nursery.start(self._run_child, child, child.generation)

    async def _terminate(self, child: ChildState) -> None:
        if child.state != "running" or child.scope is None:
            return
        child.terminating = True
        child.scope.cancel()
        await child.done.wait()
        child.state = "stopped"

    async def _run_child(
        self,
        child: ChildState,
        generation: int,
        *,
        task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED,
    ) -> None:
        status = StartedFlag(task_status)
        error: Exception | None = None
        scope = child.scope = trio.CancelScope()
        try:
            with scope:
                try:
                    await child.spec.run(task_status=status)
                except Exception as exc:  # the supervision point: recorded, then restarted
                    error = exc
            status.started()
        finally:
            child.done.set()
        if scope.cancelled_caught and child.terminating:
            return
        self._exits.append((child, generation, error))
        self._wakeup.set()


@asynccontextmanager
async def open_supervisor(
    name: str,
    children: Sequence[ChildSpec] = (),
    *,
    strategy: Strategy = Strategy.ONE_FOR_ONE,
    intensity: RestartIntensity = DEFAULT_INTENSITY,
    backoff: Backoff | None = None,
) -> AsyncIterator[Supervisor]:
    """Run a :class:`Supervisor` for the block; stop its children on exit.

    An escalation cancels the block and is raised from it (inside an
    ``ExceptionGroup``, as trio nurseries do).
    """
    supervisor = Supervisor(
        name, children, strategy=strategy, intensity=intensity, backoff=backoff
    )
    async with trio.open_nursery() as nursery:
        await nursery.start(supervisor.run)
        try:
            yield supervisor
        finally:
            supervisor.stop()
