"""Scenarios: loopback only, bounded, and dealt fairly to worker processes."""

from __future__ import annotations

import pytest

from bots.accounts import SeededAccounts, SeededRoom
from bots.command import add_bots_parser
from bots.scenario import Assignment, Scenario, assignments, require_loopback
from topicsflow.cli import build_parser

ACCOUNTS = SeededAccounts(
    rooms=(SeededRoom("chat_room:a", ("t1", "t2", "t3", "t4")),), idle_tokens=("i1", "i2")
)


@pytest.mark.parametrize(
    "url", ["ws://127.0.0.1:8000/ws", "ws://localhost:1/ws", "ws://[::1]:9/ws"]
)
def test_loopback_urls_are_accepted(url: str) -> None:
    require_loopback(url)


@pytest.mark.parametrize(
    "url", ["ws://10.0.0.1:8000/ws", "ws://example.org/ws", "http://127.0.0.1/ws", "wss://::1"]
)
def test_other_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match=r"loopback|ws://"):
        require_loopback(url)


def test_out_of_bounds_scenarios_are_refused() -> None:
    with pytest.raises(ValueError, match="duration"):
        Scenario(url="ws://127.0.0.1:1/ws", duration=0).validate()
    with pytest.raises(ValueError, match="workers"):
        Scenario(url="ws://127.0.0.1:1/ws", workers=0).validate()


def test_connections_are_dealt_round_robin_with_publishers_spread() -> None:
    scenario = Scenario(
        url="ws://127.0.0.1:1/ws", workers=2, publishers_per_room=2, rate=0.5,
        idle_connections=3,
    )
    plans = assignments(scenario, ACCOUNTS)
    assert [len(plan.connections) for plan in plans] == [4, 3]
    publishers = [spec for plan in plans for spec in plan.connections if spec.rate > 0]
    assert len(publishers) == 2
    assert {plan.connections[0].rate for plan in plans} == {0.5}
    assert all(spec.audience == 4 for spec in publishers)
    idle = [spec for plan in plans for spec in plan.connections if spec.channel is None]
    assert sorted(spec.token for spec in idle) == ["i1", "i1", "i2"]
    assert Assignment.from_json(plans[0].to_json()) == plans[0]


def test_idle_connections_need_idle_users() -> None:
    scenario = Scenario(url="ws://127.0.0.1:1/ws", idle_connections=1)
    with pytest.raises(ValueError, match="idle"):
        assignments(scenario, SeededAccounts(rooms=(), idle_tokens=()))


def test_the_bots_command_parses() -> None:
    arguments = build_parser().parse_args(
        ["bots", "run", "--accounts", "a.json", "--publishers", "3", "--duration", "2"]
    )
    assert (arguments.bots_action, arguments.publishers, arguments.duration) == ("run", 3, 2.0)
    assert callable(add_bots_parser)
