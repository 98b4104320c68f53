"""W1, fan-out: rooms of 100 and 1,000 subscribers, publishers stepped up until p99 > 200 ms.

Each step is a fresh bot run (connect, subscribe, publish ``step_seconds``, read 2 s
more) with ``publishers`` members each sending 1 message/s (the room flood limit allows
1/s sustained), so offered deliveries/s = publishers * room size.  Steps stop at the
first one at or past 5,000 offered deliveries/s whose p99 exceeds :data:`P99_LIMIT_MS`
or that delivers less than 95 % of what was sent to the connections that subscribed
(so the 5,000/s step always runs), or at the first that fails (connect/run deadline).
Rooms of 100 step through 500…10,000 offered deliveries/s, rooms of 1,000 through
2,000…10,000 (every step reconnects the whole room, which is slow).  Figures per room
size: the best delivered/s among steps within the limit, and the p99 of the step
offering 5,000 deliveries/s (None if not reached).
Each step also records the CPU share (CPU seconds / wall seconds, over the whole step
including connecting) of the node and of all bot workers together: the node near 1.0
with the bots below it means the server, not the load generator, is the limit.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import trio

from bench.node_process import NodeProcess
from bots.metrics import process_cpu_seconds
from bots.runner import run_scenario
from bots.scenario import Scenario
from bots.seed import SeededAccounts, SeededRoom

P99_LIMIT_MS = 200.0
MIN_DELIVERY_RATIO = 0.95
TARGET_DELIVERIES_PER_S = 5000


def publisher_steps(room_size: int, smoke: bool) -> list[int]:
    """Publisher counts to try for a room of ``room_size`` (1 message/s each)."""
    if smoke:
        return [1, 2]
    targets = [500, 1000, 2000, 5000, 10000] if room_size < 1000 else [2000, 5000, 10000]
    return sorted({max(1, min(room_size, target // room_size)) for target in targets})


async def run_fanout(
    node: NodeProcess, rooms: Sequence[SeededRoom], *, workers: int, step_seconds: float,
    smoke: bool, worker_prefix: Sequence[str],
) -> dict[str, Any]:
    """Run W1 for each seeded room; see the module docstring."""
    results: dict[str, Any] = {}
    for room in rooms:
        size = len(room.tokens)
        accounts = SeededAccounts(rooms=(room,), idle_tokens=())
        steps: list[dict[str, Any]] = []
        for publishers in publisher_steps(size, smoke):
            scenario = Scenario(
                url=node.websocket_url, workers=workers, duration=step_seconds,
                publishers_per_room=publishers, rate=1.0,
            )
            print(f"W1 room={size} publishers={publishers}", file=sys.stderr)
            node_cpu_before, started = process_cpu_seconds(node.pid), trio.current_time()
            try:
                report = await run_scenario(scenario, accounts, worker_prefix=worker_prefix)
            except (RuntimeError, trio.TooSlowError) as error:
                steps.append({"publishers": publishers, "failed": repr(error)})
                break
            wall = trio.current_time() - started
            steps.append({"publishers": publishers, "offered_per_s": publishers * size,
                          "wall_seconds": round(wall, 2),
                          "node_cpu_share": round(
                              (process_cpu_seconds(node.pid) - node_cpu_before) / wall, 3),
                          "bot_cpu_share": round(report["bot_cpu_seconds"] / wall, 3),
                          "subscribed_delivery_ratio": _subscribed_ratio(report),
                          **{key: value for key, value in report.items() if key != "scenario"}})
            if not _within_limit(steps[-1]) and publishers * size >= TARGET_DELIVERIES_PER_S:
                break
        results[f"room_{size}"] = _summary(size, steps)
    return results


def _subscribed_ratio(report: dict[str, Any]) -> float | None:
    """Received / (sent * connections that subscribed): one room per step."""
    wanted = report["sent"] * report["connections"]
    return round(report["received"] / wanted, 4) if wanted else None


def _within_limit(step: dict[str, Any]) -> bool:
    if "failed" in step:
        return False
    p99 = step["latency_ms"]["p99"]
    ratio = step["subscribed_delivery_ratio"] or 0.0
    return p99 is not None and p99 <= P99_LIMIT_MS and ratio >= MIN_DELIVERY_RATIO


def _summary(size: int, steps: list[dict[str, Any]]) -> dict[str, Any]:
    within = [step for step in steps if _within_limit(step)]
    at_target = [step for step in steps if step.get("offered_per_s") == TARGET_DELIVERIES_PER_S]
    return {
        "room_size": size,
        "delivered_per_s_at_p99_le_200ms": max(
            (step["delivered_per_s"] for step in within), default=None
        ),
        "p99_ms_at_5000_deliveries_per_s": (
            at_target[0]["latency_ms"]["p99"] if at_target else None
        ),
        "steps": steps,
    }
