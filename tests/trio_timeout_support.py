"""pytest-timeout for trio tests: a timed-out test is cancelled, not interrupted.

pytest-timeout's ``signal`` method raises ``Failed`` from its SIGALRM handler wherever the
main thread is.  In a trio test that is usually trio's own scheduler (every task waiting):
the exception tears ``trio.run`` apart mid-step, trio's global state stays behind, and
every later trio test fails with "Attempted to call run() from inside a run()".

So ``tests/conftest.py`` gives pytest-trio :func:`run_with_timeout` as its runner (a
``trio.run`` whose whole run, fixtures included, sits in a cancel scope), wraps each async
test function with :func:`cancellable_test` (its body in a cancel scope of its own), and
installs :func:`set_timer` as pytest-timeout's timer.  The alarm never raises inside trio;
through the run's :class:`trio.lowlevel.TrioToken` (signal-safe) it asks the run to act,
one step per alarm, :data:`GRACE_S` apart:

1. note where the tasks wait, and cancel the test function (or, while fixtures are being
   set up or torn down, the whole run): the test fails with pytest-timeout's message and
   those stacks, and its fixtures tear down as usual;
2. if the run has not ended, cancel the whole run, fixtures included;
3. if it still has not ended (a task blocks the event loop, or waits where cancellation
   cannot reach), pytest-timeout's own behaviour: raise in the code that runs, or, when
   that is trio's scheduler (raising there would break every later test), print the
   stacks and exit the process.

Outside a trio run (sync tests and fixtures) the alarm is pytest-timeout's own.
"""

from __future__ import annotations

import dataclasses
import functools
import signal
import sys
import threading
from collections.abc import Awaitable, Callable
from types import FrameType
from typing import Any

import pytest
import pytest_timeout
import trio

GRACE_S = 10.0
"""How long a cancelled test, then a cancelled run, has to end before the next step."""


@dataclasses.dataclass
class _Run:
    """A trio test run in progress: how a signal handler reaches it."""

    token: trio.lowlevel.TrioToken
    scope: trio.CancelScope
    test_scope: trio.CancelScope | None = None
    timeout: float | None = None
    steps: int = 0
    stacks: str = ""

    def failure(self) -> str:
        message = pytest_timeout.PYTEST_FAILURE_MESSAGE % self.timeout
        where = self.stacks or "  (no task was waiting in the project's code)"
        return f"{message} The test was cancelled; its tasks waited in:\n{where}"

    def cancel_test(self) -> None:
        """Step 1, in the run: note where tasks wait, cancel the test (or everything)."""
        self.stacks = _task_stacks()
        (self.test_scope or self.scope).cancel()

    def cancel_all(self) -> None:
        """Step 2, in the run: cancel the fixtures too."""
        self.scope.cancel()


_runs: list[_Run] = []


def run_with_timeout(async_fn: Callable[[], Awaitable[Any]], **options: Any) -> Any:
    """``trio.run(async_fn, **options)``, cancellable by the timer of :func:`set_timer`."""
    return trio.run(_cancellable, async_fn, **options)


async def _cancellable(async_fn: Callable[[], Awaitable[Any]]) -> Any:
    run = _Run(token=trio.lowlevel.current_trio_token(), scope=trio.CancelScope())
    _runs.append(run)
    try:
        with run.scope:
            return await async_fn()
    finally:
        _runs.remove(run)
        if run.scope.cancel_called:
            pytest.fail(run.failure(), pytrace=False)


def cancellable_test(test: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """``test`` with its body in a cancel scope that step 1 of a timeout cancels."""

    @functools.wraps(test)
    async def cancellable(**kwargs: Any) -> None:
        run = _runs[-1] if _runs else None
        if run is None:  # not run by run_with_timeout
            await test(**kwargs)
            return
        with trio.CancelScope() as scope:
            run.test_scope = scope
            try:
                await test(**kwargs)
            finally:
                run.test_scope = None
                if scope.cancel_called:
                    pytest.fail(run.failure(), pytrace=False)

    return cancellable


def _task_stacks() -> str:
    """The await stacks of every task of the current run, library frames left out."""
    lines: list[str] = []

    def visit(task: trio.lowlevel.Task) -> None:
        frames = [
            f"    {frame.f_code.co_filename}:{line} in {frame.f_code.co_name}"
            for frame, line in task.iter_await_frames()
            if "site-packages" not in frame.f_code.co_filename
            and frame.f_code.co_filename != __file__
        ]
        if frames:
            lines.append(f"  task {task.name}:")
            lines.extend(frames)
        for nursery in task.child_nurseries:
            for child in nursery.child_tasks:
                visit(child)

    visit(trio.lowlevel.current_root_task())
    return "\n".join(lines)


def _in_trio_scheduler(frame: FrameType | None) -> bool:
    return frame is not None and str(frame.f_globals.get("__name__", "")).startswith("trio._core")


def set_timer(item: pytest.Item, settings: Any) -> bool | None:
    """The ``pytest_timeout_set_timer`` of the suite (``signal`` method, main thread)."""
    if settings.method != "signal" or threading.current_thread() is not threading.main_thread():
        return None  # pytest-timeout's own timer

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        __tracebackhide__ = True
        run = _runs[-1] if _runs else None
        if run is not None and run.steps < 2:
            run.steps += 1
            run.timeout = settings.timeout
            run.token.run_sync_soon(run.cancel_test if run.steps == 1 else run.cancel_all)
            signal.setitimer(signal.ITIMER_REAL, GRACE_S)
        elif run is not None and _in_trio_scheduler(frame):
            sys.stderr.write("The trio run did not end when cancelled; its tasks wait in:\n"
                             f"{_task_stacks()}\n")
            pytest_timeout.timeout_timer(item, settings)  # output and stacks, os._exit(1)
        else:
            pytest_timeout.timeout_sigalrm(item, settings)  # stacks, then raise Failed

    def cancel() -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)

    item.cancel_timeout = cancel  # type: ignore[attr-defined]  # read by pytest-timeout
    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, settings.timeout)
    return True
