"""The dependency gate: a deadline per call, a breaker that opens on the first persistent
failure, refuses at once while open, and closes when its probe answers."""

from __future__ import annotations

import math

import pytest
import trio
import trio.testing

from storage.dependency import BreakerState, DependencyGate
from storage.errors import StorageUnavailable


class Dependency:
    """A stand-in server: answers at once while up, never while down."""

    def __init__(self) -> None:
        self.up = True
        self.calls = 0

    async def call(self) -> str:
        self.calls += 1
        if not self.up:
            await trio.sleep(math.inf)
        return "answer"


async def guarded(gate: DependencyGate, dependency: Dependency) -> str:
    with gate.call():
        return await dependency.call()
    raise AssertionError("unreachable")  # pragma: no cover


async def test_an_outage_costs_one_deadline_then_calls_fail_at_once(
    autojump_clock: trio.testing.MockClock,
) -> None:
    dependency = Dependency()
    gate = DependencyGate("db", deadline=1.5, probe=dependency.call, probe_interval=0.25)
    async with trio.open_nursery() as nursery:
        await nursery.start(gate.run)
        assert await guarded(gate, dependency) == "answer"

        dependency.up = False
        started = trio.current_time()
        with pytest.raises(StorageUnavailable) as first:
            await guarded(gate, dependency)
        assert first.value.timed_out
        assert trio.current_time() - started == pytest.approx(1.5)
        assert gate.state is BreakerState.OPEN

        calls = dependency.calls
        started = trio.current_time()
        with pytest.raises(StorageUnavailable) as refused:
            await guarded(gate, dependency)
        assert trio.current_time() == started, "an open breaker must not wait"
        assert dependency.calls == calls, "an open breaker must not call"
        assert refused.value.retry_after > 0

        dependency.up = True
        back = trio.current_time()
        await gate.wait_closed()
        assert trio.current_time() - back <= 0.25 + 1e-9
        assert await guarded(gate, dependency) == "answer"
        status = gate.status()
        assert (status.state, status.openings, status.timeouts) == ("closed", 1, 1)
        assert status.rejected >= 1
        nursery.cancel_scope.cancel()


async def test_a_storage_error_inside_the_call_opens_the_breaker() -> None:
    gate = DependencyGate("redis", deadline=1.0)
    with pytest.raises(StorageUnavailable), gate.call():
        raise StorageUnavailable("connection refused")
    assert gate.state is BreakerState.OPEN
    assert gate.status().last_error == "connection refused"


async def test_without_a_prober_one_trial_call_per_interval_goes_through(
    autojump_clock: trio.testing.MockClock,
) -> None:
    gate = DependencyGate("redis", deadline=1.0, probe_interval=0.5)
    gate.failed(StorageUnavailable("down"))
    with pytest.raises(StorageUnavailable):
        gate.check()
    await trio.sleep(0.5)
    with gate.call():  # the trial call; it answers, so the breaker closes
        pass
    assert gate.state is BreakerState.CLOSED
