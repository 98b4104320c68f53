"""The runner's failures are one :class:`BotsFailure`, never an exception group."""

from __future__ import annotations

import shutil

import pytest

from bots.accounts import SeededAccounts, SeededRoom
from bots.failures import BotsFailure
from bots.runner import run_scenario
from bots.scenario import Scenario

ACCOUNTS = SeededAccounts(rooms=(SeededRoom("chat_room:a", ("t1", "t2")),), idle_tokens=())


async def test_a_worker_that_dies_at_once_is_one_failure() -> None:
    exits_at_once = shutil.which("false")
    assert exits_at_once is not None
    scenario = Scenario(url="ws://127.0.0.1:1/ws", workers=2, duration=1.0)
    with pytest.raises(BotsFailure, match="bot worker exited"):
        await run_scenario(scenario, ACCOUNTS, worker_prefix=[exits_at_once], progress=None)
