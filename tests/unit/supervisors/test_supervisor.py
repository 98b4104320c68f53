"""The generic supervisor: strategies, child types, intensity, escalation, backoff."""

from __future__ import annotations

from collections.abc import Iterable

import msgspec
import pytest
import trio
import trio.testing

from actors import RestartIntensityExceeded
from supervisors import (
    Backoff,
    ChildSpec,
    RestartIntensity,
    RestartType,
    Strategy,
    Supervisor,
    SupervisorSnapshot,
    open_supervisor,
)


class Probe:
    """Children that log their starts and stops and end when the test says so."""

    def __init__(self) -> None:
        self.log: list[tuple[str, str]] = []
        self._endings: dict[str, trio.Event] = {}
        self._crash: dict[str, bool] = {}
        self.start_times: list[float] = []

    def child(self, name: str, restart: RestartType = RestartType.PERMANENT) -> ChildSpec:
        async def run(*, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
            self.log.append(("start", name))
            self.start_times.append(trio.current_time())
            ending = self._endings[name] = trio.Event()
            task_status.started()
            try:
                await ending.wait()
                if self._crash[name]:
                    raise RuntimeError(f"{name} failed")
            finally:
                self.log.append(("stop", name))

        return ChildSpec(name, run, restart)

    def children(self, names: Iterable[str]) -> list[ChildSpec]:
        return [self.child(name) for name in names]

    async def crash(self, name: str) -> None:
        await self._end(name, crash=True)

    async def exit(self, name: str) -> None:
        await self._end(name, crash=False)

    async def _end(self, name: str, *, crash: bool) -> None:
        self._crash[name] = crash
        self._endings[name].set()
        await trio.testing.wait_all_tasks_blocked()

    def take_log(self) -> list[tuple[str, str]]:
        log, self.log = self.log, []
        return log


def started(names: str) -> list[tuple[str, str]]:
    return [("start", name) for name in names]


def stopped(names: str) -> list[tuple[str, str]]:
    return [("stop", name) for name in names]


async def test_children_start_in_order_and_stop_in_reverse() -> None:
    probe = Probe()
    async with open_supervisor("root", probe.children("abc")):
        assert probe.take_log() == started("abc")
    assert probe.take_log() == stopped("cba")


@pytest.mark.parametrize(
    ("strategy", "expected"),
    [
        (Strategy.ONE_FOR_ONE, stopped("b") + started("b")),
        (Strategy.ONE_FOR_ALL, stopped("b") + stopped("ca") + started("abc")),
        (Strategy.REST_FOR_ONE, stopped("b") + stopped("c") + started("bc")),
    ],
)
async def test_strategies_restart_the_right_siblings(
    strategy: Strategy, expected: list[tuple[str, str]]
) -> None:
    probe = Probe()
    async with open_supervisor("root", probe.children("abc"), strategy=strategy) as supervisor:
        probe.take_log()
        await probe.crash("b")
        assert probe.take_log() == expected
        statistics = supervisor.statistics()
        assert (statistics.restarts, statistics.running_children) == (1, 3)
        assert statistics.last_failure is not None
        assert statistics.last_failure.name == "b"
        assert statistics.last_failure.error_type == "RuntimeError"


@pytest.mark.parametrize(
    ("restart", "ending", "restarted"),
    [
        (RestartType.PERMANENT, "crash", True),
        (RestartType.PERMANENT, "exit", True),
        (RestartType.TRANSIENT, "crash", True),
        (RestartType.TRANSIENT, "exit", False),
        (RestartType.TEMPORARY, "crash", False),
        (RestartType.TEMPORARY, "exit", False),
    ],
)
async def test_child_types(restart: RestartType, ending: str, restarted: bool) -> None:
    probe = Probe()
    async with open_supervisor("root", [probe.child("a", restart)]) as supervisor:
        probe.take_log()
        await (probe.crash("a") if ending == "crash" else probe.exit("a"))
        assert probe.take_log() == stopped("a") + (started("a") if restarted else [])
        children = supervisor.snapshot().children
        if restart is RestartType.TEMPORARY:
            assert children == ()  # removed once ended
        else:
            assert children[0].state == ("running" if restarted else "stopped")


async def test_temporary_sibling_stopped_by_one_for_all_is_removed() -> None:
    probe = Probe()
    children = [probe.child("a", RestartType.TEMPORARY), probe.child("b")]
    async with open_supervisor("root", children, strategy=Strategy.ONE_FOR_ALL) as supervisor:
        probe.take_log()
        await probe.crash("b")
        assert probe.take_log() == stopped("b") + stopped("a") + started("b")
        assert [child.name for child in supervisor.snapshot().children] == ["b"]


async def test_intensity_exceeded_stops_children_and_escalates(autojump_clock: object) -> None:
    probe = Probe()
    supervisor = Supervisor(
        "root", probe.children("ab"), intensity=RestartIntensity(max_restarts=2, period=5.0)
    )
    with pytest.RaisesGroup(RestartIntensityExceeded) as raised:
        async with trio.open_nursery() as nursery:
            await nursery.start(supervisor.run)
            for _ in range(3):
                await probe.crash("a")
    escalation = raised.value.exceptions[0]
    assert isinstance(escalation, RestartIntensityExceeded)
    assert (escalation.supervisor, escalation.child) == ("root", "a")
    assert (escalation.max_restarts, escalation.period) == (2, 5.0)
    assert isinstance(escalation.__cause__, RuntimeError)
    assert probe.log[-2:] == stopped("a") + stopped("b")


async def test_restarts_outside_the_period_do_not_accumulate(autojump_clock: object) -> None:
    probe = Probe()
    intensity = RestartIntensity(max_restarts=1, period=5.0)
    async with open_supervisor("root", probe.children("a"), intensity=intensity) as supervisor:
        for _ in range(4):
            await probe.crash("a")
            await trio.sleep(6)
        assert supervisor.statistics().restarts == 4


async def test_escalation_is_a_crash_for_the_parent(autojump_clock: object) -> None:
    probe = Probe()
    child_supervisor = Supervisor(
        "inner", probe.children("x"), intensity=RestartIntensity(max_restarts=0, period=5.0)
    )
    async with open_supervisor("outer", [child_supervisor.child_spec()]) as outer:
        probe.take_log()
        await probe.crash("x")
        assert probe.take_log() == stopped("x") + started("x")
        snapshot = outer.snapshot()
        assert snapshot.children[0].restarts == 1
        assert snapshot.children[0].last_failure is not None
        assert snapshot.children[0].last_failure.error_type == "RestartIntensityExceeded"
        inner = snapshot.children[0].supervisor
        assert inner is not None and inner.name == "inner"
        assert [child.name for child in inner.children] == ["x"]


async def test_backoff_delays_each_restart(autojump_clock: object) -> None:
    probe = Probe()
    backoff = Backoff(initial=1.0, factor=2.0, maximum=3.0)
    intensity = RestartIntensity(max_restarts=10, period=100.0)
    async with open_supervisor(
        "root", probe.children("a"), backoff=backoff, intensity=intensity
    ):
        for _ in range(4):
            crashed_at = trio.current_time()
            await probe.crash("a")
            await trio.sleep(10)
            probe.start_times[-1] -= crashed_at
    assert probe.start_times[1:] == [1.0, 2.0, 3.0, 3.0]


async def test_child_that_fails_before_started_counts_as_a_crash(autojump_clock: object) -> None:
    attempts: list[float] = []

    async def broken(*, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        attempts.append(trio.current_time())
        raise OSError("cannot bind")

    with pytest.RaisesGroup(RestartIntensityExceeded):
        async with open_supervisor("root", [ChildSpec("server", broken)]):
            await trio.sleep_forever()
    assert len(attempts) == 4  # the first start and three restarts


async def test_start_child_adds_a_running_child() -> None:
    probe = Probe()
    async with open_supervisor("root") as supervisor:
        await supervisor.start_child(probe.child("late"))
        assert probe.take_log() == started(["late"])  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="already has"):
            await supervisor.start_child(probe.child("late"))


async def test_snapshot_encodes_for_the_ops_endpoint() -> None:
    probe = Probe()
    async with open_supervisor("root", probe.children("ab")) as supervisor:
        encoded = msgspec.json.encode(supervisor.snapshot())
    decoded = msgspec.json.decode(encoded, type=SupervisorSnapshot)
    assert decoded.name == "root" and decoded.strategy == "one_for_one"
    assert [(child.name, child.restart) for child in decoded.children] == [
        ("a", "permanent"),
        ("b", "permanent"),
    ]

