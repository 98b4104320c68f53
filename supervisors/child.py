"""Children of a supervisor: how to run one (``ChildSpec``) and its runtime record."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import trio

from actors.runtime.statistics import FailureRecord
from supervisors.policy import RestartType
from supervisors.status import SupervisorSnapshot

ChildFunction = Callable[..., Awaitable[object]]
"""An async function called as ``run(task_status=...)``."""


@dataclass(frozen=True, slots=True)
class ChildSpec:
    """How to run one child: ``run(task_status=...)``, its restart type and, for a child
    that is itself a supervisor, how to snapshot it."""

    name: str
    run: ChildFunction
    restart: RestartType = RestartType.PERMANENT
    snapshot: Callable[[], SupervisorSnapshot] | None = None


class StartedFlag:
    """Forwards ``started()`` once and remembers whether it was called."""

    __slots__ = ("called", "inner")

    def __init__(self, inner: trio.TaskStatus[None]) -> None:
        self.inner = inner
        self.called = False

    def started(self, value: object = None) -> None:
        if not self.called:
            self.called = True
            self.inner.started()


class ChildState:
    """A supervisor's record of one child: its spec, its task's scope, its history.

    ``state`` is ``running``, ``restarting`` (waiting out a backoff) or ``stopped``;
    ``generation`` counts starts, so an exit reported by an older start is ignored.
    """

    __slots__ = ("done", "generation", "last_failure", "restarts", "scope", "spec", "state",
                 "terminating")

    def __init__(self, spec: ChildSpec) -> None:
        self.spec = spec
        self.state = "stopped"
        self.generation = 0
        self.restarts = 0
        self.last_failure: FailureRecord | None = None
        self.scope: trio.CancelScope | None = None
        self.done = trio.Event()
        self.terminating = False
