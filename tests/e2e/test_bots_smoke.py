"""The load-test bots against an in-process node: messages are delivered and reported."""

from __future__ import annotations

import io

import pytest
import trio

from bots.metrics import BotStats
from bots.report import REPORT_KEYS, progress_line, render_table
from bots.runner import run_scenario
from bots.scenario import Scenario
from bots.seed import seed_into
from tests.e2e.conftest import websocket_url
from topicsflow.node import NodeHandle

DEADLINE_S = 90
pytestmark = pytest.mark.timeout(150)  # the scenario runs within DEADLINE_S


async def test_bots_deliver_messages_and_report_every_key(node: NodeHandle) -> None:
    assert node.context.store is not None
    accounts = await seed_into(node.context.store, [3], idle_users=1)
    scenario = Scenario(
        url=websocket_url(node), workers=2, duration=1.5, grace=1.0, publishers_per_room=2,
        rate=2.0, idle_connections=2,
    )
    progress = io.StringIO()
    with trio.fail_after(DEADLINE_S):
        report = await run_scenario(scenario, accounts, progress=progress)
    assert set(REPORT_KEYS) <= set(report)
    assert report["connections"] == 5
    assert report["errors"] == 0
    assert report["sent"] > 0
    assert report["received"] == report["expected"] == report["sent"] * 3
    assert report["latency_ms"]["p99"] is not None
    assert "[bots" in progress.getvalue()
    assert "delivered_per_s" in render_table(report)


def test_the_progress_line_names_every_counter() -> None:
    line = progress_line("running", BotStats(connections=1, sent=2, received=3, errors=4))
    for part in ("connections=1", "sent=2", "received=3", "errors=4", "p50=-ms", "p99=-ms"):
        assert part in line
