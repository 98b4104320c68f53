"""W1 fan-out against one server: rooms of N subscribers, the publish rate stepped up.

A step offers ``deliveries`` deliveries/s: ``deliveries / room_size`` messages/s, each
publisher sending 1 message/s (our rooms allow a member 1/s sustained), in as few rooms
as hold that many publishers (:func:`plan_steps`); every member of a room, the
publisher included, receives every message of the room.  All rooms are connected and
joined before a 3-second warm-up step at about 500 deliveries/s whose figures are
discarded.  Steps stop after
the first one that offers at least :data:`TARGET_DELIVERIES_PER_S` and misses the limit
(p99 > :data:`P99_LIMIT_MS`, less than :data:`MIN_DELIVERY_RATIO` of the expected
deliveries, or any connection lost so far).  A step's ``delivered_per_s`` is the deliveries
received (during the step and its grace) per second of publishing.  The server's and
the loadgen's CPU shares are CPU seconds per wall second of the step.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

from bench.loadgen_driver import LoadgenPool
from bench.servers import RunningServer, process_cpu_seconds
from bench.specs import Spec

P99_LIMIT_MS = 200.0
MIN_DELIVERY_RATIO = 0.95
TARGET_DELIVERIES_PER_S = 5000
# Finer between 10,000 and 100,000, where the servers' limits lie, so that the ratios are
# not rounded to the steps (with 20,000 → 50,000 alone a server holding 45,000 reads 20,000).
FULL_TARGETS = (1000, 2000, 5000, 10_000, 15_000, 20_000, 30_000, 40_000, 50_000, 70_000,
                100_000, 150_000, 200_000)
WARMUP_SECONDS = 3.0
WARMUP_DELIVERIES = 500


def plan_steps(room_size: int, targets: tuple[int, ...]) -> list[dict[str, int]]:
    """``{"deliveries", "rooms", "publishers"}`` per target (publishers per room)."""
    steps = []
    for deliveries in targets:
        messages = max(1, deliveries // room_size)
        rooms = math.ceil(messages / room_size)
        steps.append({"deliveries": messages * room_size, "rooms": rooms,
                      "publishers": messages // rooms})
    return steps


def within_limit(step: dict[str, Any]) -> bool:
    """Whether a step kept p99 within the limit and delivered (nearly) everything."""
    p99 = step["latency_ms"]["p99"]
    return (p99 is not None and p99 <= P99_LIMIT_MS
            and step["delivery_ratio"] >= MIN_DELIVERY_RATIO
            and step["lost_connections_total"] == 0)


def run_w1(
    server: RunningServer, specs: list[Spec], *, room_size: int, targets: tuple[int, ...],
    loadgen: Path, loadgens: int, cpu: int | None, workdir: Path, step_seconds: float,
    grace_seconds: float, payload_bytes: int,
) -> dict[str, Any]:
    """Run W1 on ``server``; see the module docstring."""
    plan = plan_steps(room_size, targets)
    result: dict[str, Any] = {"room_size": room_size, "steps": []}
    with LoadgenPool(loadgen, server, specs, processes=loadgens, cpu=cpu, workdir=workdir,
                     payload_bytes=payload_bytes) as pool:
        result["setup"] = pool.ready
        print(f"W1 {server.name} room={room_size} ready {pool.ready}", file=sys.stderr)
        pool.step(0, rooms=1, publishers=max(1, min(room_size, WARMUP_DELIVERIES // room_size)),
                  rate=1.0, duration=WARMUP_SECONDS, grace=1.0)
        for step_id, planned in enumerate(plan, start=1):
            cpu_before = process_cpu_seconds(server.pid)
            figures = pool.step(step_id, rooms=planned["rooms"],
                                publishers=planned["publishers"], rate=1.0,
                                duration=step_seconds, grace=grace_seconds)
            expected = figures["sent"] * room_size
            step = {
                "offered_per_s": planned["deliveries"], **planned, **figures,
                "delivered_per_s": round(figures["received"] / step_seconds),
                "delivery_ratio": round(figures["received"] / expected, 4) if expected else 0.0,
                "server_cpu_share": round(
                    (process_cpu_seconds(server.pid) - cpu_before) / figures["wall_seconds"], 3),
                "loadgen_cpu_share": round(
                    figures["loadgen_cpu_seconds"] / figures["wall_seconds"], 3),
            }
            step["within_limit"] = within_limit(step)
            result["steps"].append(step)
            print(f"W1 {server.name} room={room_size} offered={planned['deliveries']}/s "
                  f"delivered={step['delivered_per_s']}/s p99={step['latency_ms']['p99']} ms "
                  f"server_cpu={step['server_cpu_share']} "
                  f"loadgen_cpu={step['loadgen_cpu_share']}", file=sys.stderr)
            if not step["within_limit"] and planned["deliveries"] >= TARGET_DELIVERIES_PER_S:
                break
    return summarise(result)


def summarise(result: dict[str, Any]) -> dict[str, Any]:
    """Add the two headline figures of a room size's steps."""
    steps = result["steps"]
    within = [step for step in steps if step["within_limit"]]
    at_target = [s for s in steps if s["offered_per_s"] == TARGET_DELIVERIES_PER_S]
    result["max_delivered_per_s_p99_le_200ms"] = max(
        (step["delivered_per_s"] for step in within), default=0)
    result["p99_ms_at_5000_per_s"] = at_target[0]["latency_ms"]["p99"] if at_target else None
    result["limit_reached"] = bool(steps) and not steps[-1]["within_limit"]
    return result
