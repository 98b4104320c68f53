"""Run a :class:`Scenario` on several worker processes and build its report.

:func:`run_scenario` starts one ``python -m bots.worker`` per assignment (optionally
behind ``worker_prefix``, e.g. ``["taskset", "-c", "1"]``), waits until every worker has
connected its share, starts them together, prints a progress line to ``progress``
about once a second, and returns the report of :func:`bots.report.build_report`.
Bounds: connecting may take ``connect_timeout + 0.2 s * connections``, the run
``duration + grace + 30 s``.  Every failure — a deadline passed, a worker that exits
before reporting ``done`` — kills the workers and raises
:class:`~bots.failures.BotsFailure` with a one-line reason (never an exception group);
a scenario the accounts cannot fill raises ``ValueError`` before anything starts.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import trio

from bots.accounts import SeededAccounts
from bots.failures import BotsFailure, sole_error
from bots.metrics import BotStats
from bots.report import build_report, progress_line
from bots.scenario import Assignment, Scenario, assignments

REPOSITORY = Path(__file__).resolve().parent.parent
SHUTDOWN_SLACK_S = 30.0
WORKER_GONE = "a bot worker exited before its final report"
CONNECT_SECONDS_PER_CONNECTION = 0.2


class _WorkerProcess:
    """The parent's view of one worker: its process and latest stats line."""

    def __init__(self, process: trio.Process) -> None:
        self.process = process
        self.latest = BotStats()
        self.ready = False
        self.done = False
        self.finished = trio.Event()

    async def follow(self) -> None:
        """Read the worker's stats lines until it closes stdout."""
        assert self.process.stdout is not None
        buffer = b""
        try:
            while chunk := await self.process.stdout.receive_some(65536):
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    message: dict[str, Any] = json.loads(line)
                    self.latest = BotStats.from_json(message["stats"])
                    self.ready = self.ready or bool(message["ready"])
                    self.done = self.done or message["kind"] == "done"
        finally:
            self.finished.set()

    async def send_line(self, text: str) -> None:
        """Write one line to the worker's stdin (:class:`BotsFailure` once it is gone)."""
        assert self.process.stdin is not None
        try:
            await self.process.stdin.send_all(text.encode() + b"\n")
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            raise BotsFailure(WORKER_GONE) from None


def _merged(workers: Sequence[_WorkerProcess]) -> BotStats:
    total = BotStats()
    for worker in workers:
        total.merge(worker.latest)
    return total


async def _progress(
    workers: Sequence[_WorkerProcess], output: TextIO | None, phase: list[str]
) -> None:
    while output is not None:
        output.write(progress_line(phase[0], _merged(workers)) + "\n")
        output.flush()
        await trio.sleep(1.0)


async def run_scenario(
    scenario: Scenario,
    accounts: SeededAccounts,
    *,
    worker_prefix: Sequence[str] = (),
    progress: TextIO | None = sys.stderr,
) -> dict[str, Any]:
    """Run ``scenario`` with ``accounts``; see the module docstring."""
    plans: list[Assignment] = assignments(scenario, accounts)
    connections = sum(len(plan.connections) for plan in plans)
    connect_deadline = scenario.connect_timeout + CONNECT_SECONDS_PER_CONNECTION * connections
    run_deadline = scenario.duration + scenario.grace + SHUTDOWN_SLACK_S
    phase = ["connecting"]
    workers: list[_WorkerProcess] = []
    try:
        async with trio.open_nursery() as nursery:
            try:
                for plan in plans:
                    process = await trio.lowlevel.open_process(
                        [*worker_prefix, sys.executable, "-m", "bots.worker"], cwd=REPOSITORY,
                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                    )
                    worker = _WorkerProcess(process)
                    workers.append(worker)
                    nursery.start_soon(worker.follow)
                    await worker.send_line(json.dumps(plan.to_json()))
                nursery.start_soon(_progress, workers, progress, phase)
                with trio.fail_after(connect_deadline):
                    while not all(worker.ready for worker in workers):
                        await _check_alive(workers)
                        await trio.sleep(0.05)
                connected = _merged(workers)
                phase[0] = "running"
                with trio.fail_after(run_deadline):
                    for worker in workers:
                        await worker.send_line("start")
                    for worker in workers:
                        await worker.process.wait()
                        await worker.finished.wait()
                phase[0] = "done"
                if not all(worker.done for worker in workers):
                    raise BotsFailure(WORKER_GONE)
            finally:
                for worker in workers:
                    if worker.process.returncode is None:
                        worker.process.kill()
                nursery.cancel_scope.cancel()
    except BaseExceptionGroup as group:
        failure = sole_error(group, (BotsFailure, trio.TooSlowError))
        if failure is None:
            raise
        if isinstance(failure, trio.TooSlowError):
            connecting = phase[0] == "connecting"
            deadline = connect_deadline if connecting else run_deadline
            verb = "connect" if connecting else "finish"
            failure = BotsFailure(f"the bots did not {verb} within {deadline:.0f} s")
        raise failure from None
    final = _merged(workers)
    return build_report(scenario, final, connected, [w.latest for w in workers])


async def _check_alive(workers: Sequence[_WorkerProcess]) -> None:
    for worker in workers:
        if worker.process.poll() is not None and not worker.ready:
            raise BotsFailure(f"a bot worker exited early with status {worker.process.returncode}")
