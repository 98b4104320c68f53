"""W1 fan-out against one server: rooms of N subscribers, the publish rate stepped up.

A step offers ``deliveries`` deliveries/s: ``deliveries / room_size`` messages/s, each
publisher sending 1 message/s (our rooms allow a member 1/s sustained), in as few rooms
as hold that many publishers (:func:`bench.knee.plan_step`); every member of a room, the
publisher included, receives every message of the room.  All rooms are connected and
joined, the server is let settle (until its CPU share drops, :func:`_drain`), then a
3-second warm-up step at about 500 deliveries/s runs whose figures are discarded.  The
rates come from :class:`bench.knee.KneeSearch` (the coarse ladder, then each latency
limit's bracket bisected to ≤ 10 %, a first miss tried twice), or from ``targets`` when
given (every one, stopping after the first miss of 200 ms at or above
:data:`TARGET_DELIVERIES_PER_S`).

Per step: ``delivered_per_s`` is the deliveries received (during the step and its grace)
per second of publishing; the server's CPU share is its CPU seconds per wall second of
step and grace, ``server_kernel_cpu_fraction`` the share of them spent in the kernel
(system time: mostly the socket write path), and ``server_cpu_us_per_delivery`` those CPU
seconds per delivery received; ``loadgen_cpu_share`` is the loadgens' CPU per wall second
of the publishing window alone (summed over loadgen processes: > 1.0 is over one core);
``network`` the machine's packet drops and TCP recoveries during the step
(:mod:`bench.netstat`), ``server_gc`` our node's garbage collections then, per generation,
and ``server_loop_busy_share`` the share of the step's wall time its event loop ran tasks
(:mod:`bench.node_status`; None for a peer).  The result carries the knee per latency limit
(:func:`bench.knee.knees`) and its resolution.  After a step that overloaded the
server, the next waits until the server is idle again (:func:`_drain`).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from bench.knee import LIMITS_MS, KneeSearch, bracket_ratio, keeps, knees, plan_step
from bench.loadgen_driver import LoadgenPool
from bench.netstat import counter_delta, network_counters
from bench.node_status import gc_delta, loop_busy_share, node_counters
from bench.servers import RunningServer, cpu_times, process_cpu_seconds
from bench.specs import Spec

TARGET_DELIVERIES_PER_S = 5000
CPU_COMPARISON_PER_S = 50_000
WARMUP_SECONDS = 3.0
WARMUP_DELIVERIES = 500
DRAIN_MAX_SECONDS = 30.0
DRAIN_IDLE_SHARE = 0.15


def plan_steps(room_size: int, targets: tuple[int, ...]) -> list[dict[str, int]]:
    """:func:`bench.knee.plan_step` for each of ``targets``."""
    return [plan_step(target, room_size) for target in targets]


def within_limit(step: dict[str, Any]) -> bool:
    """Whether a step kept the loosest latency limit (200 ms) and delivered."""
    return keeps(step, LIMITS_MS[-1])


def run_w1(
    server: RunningServer, specs: list[Spec], *, room_size: int, targets: tuple[int, ...] | None,
    loadgen: Path, loadgens: int, cpus: list[int] | None, workdir: Path, step_seconds: float,
    grace_seconds: float, payload_bytes: int, start: int | None = None,
    every_target: bool = False,
) -> dict[str, Any]:
    """Run W1 on ``server``; see the module docstring.  With ``every_target``, fixed
    ``targets`` all run even after a step misses 200 ms (CPU at equal offered rates)."""
    search = KneeSearch(room_size) if start is None else KneeSearch(room_size, start=start)
    fixed = list(targets) if targets else None
    result: dict[str, Any] = {"room_size": room_size, "steps": search.steps,
                              "search": "fixed" if fixed else "knee"}
    with LoadgenPool(loadgen, server, specs, processes=loadgens, cpus=cpus, workdir=workdir,
                     payload_bytes=payload_bytes) as pool:
        result["setup"] = pool.ready
        print(f"W1 {server.name} room={room_size} ready {pool.ready}", file=sys.stderr)
        result["settled_seconds"] = round(_drain(server.pid), 1)  # the set-up's aftermath
        pool.step(0, rooms=1, publishers=max(1, min(room_size, WARMUP_DELIVERIES // room_size)),
                  rate=1.0, duration=WARMUP_SECONDS, grace=1.0)
        step_id = 0
        while True:
            rate = (_next_fixed(fixed, search, every_target) if fixed is not None
                    else search.next_rate())
            if rate is None:
                break
            if search.overloaded:
                _drain(server.pid)
            step_id += 1
            planned = plan_step(rate, room_size)
            # The node's status read comes before the CPU reading: it is not the step's work.
            network_before, node_before = network_counters(), node_counters(server)
            user_before, system_before = cpu_times(server.pid)
            figures = pool.step(step_id, rooms=planned["rooms"],
                                publishers=planned["publishers"], rate=1.0,
                                duration=step_seconds, grace=grace_seconds)
            user_after, system_after = cpu_times(server.pid)
            network = counter_delta(network_before, network_counters())
            node_after = node_counters(server)
            gc_pauses = gc_delta(node_before, node_after)
            cpu_seconds = (user_after - user_before) + (system_after - system_before)
            expected = figures["sent"] * room_size
            step = {
                "offered_per_s": planned["deliveries"], **planned, **figures,
                "delivered_per_s": round(figures["received"] / step_seconds),
                "delivery_ratio": round(figures["received"] / expected, 4) if expected else 0.0,
                "server_cpu_share": round(cpu_seconds / figures["wall_seconds"], 3),
                "server_kernel_cpu_fraction": (
                    round((system_after - system_before) / cpu_seconds, 3)
                    if cpu_seconds else None),
                "server_cpu_us_per_delivery": (
                    round(cpu_seconds * 1e6 / figures["received"], 2)
                    if figures["received"] else None),
                "loadgen_cpu_share": round(
                    figures["loadgen_publish_cpu_seconds"]
                    / max(figures["loadgen_publish_wall_seconds"], 1e-9), 3),
                "network": network,
                "server_gc": gc_pauses,
                "server_loop_busy_share": loop_busy_share(
                    node_before, node_after, figures["wall_seconds"]),
            }
            step["within_limit"] = keeps(step, LIMITS_MS[-1])
            search.record(step)
            print(f"W1 {server.name} room={room_size} offered={planned['deliveries']}/s "
                  f"delivered={step['delivered_per_s']}/s p99={step['latency_ms']['p99']} ms "
                  f"server_cpu={step['server_cpu_share']} "
                  f"us/delivery={step['server_cpu_us_per_delivery']} "
                  f"loadgen_cpu={step['loadgen_cpu_share']}", file=sys.stderr)
    return summarise(result)


def _drain(pid: int) -> float:
    """Wait (at most :data:`DRAIN_MAX_SECONDS`) until the server's CPU share over half a
    second drops below :data:`DRAIN_IDLE_SHARE`, i.e. it has worked off an overload's
    backlog; the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < DRAIN_MAX_SECONDS:
        before = process_cpu_seconds(pid)
        time.sleep(0.5)
        if process_cpu_seconds(pid) - before < DRAIN_IDLE_SHARE * 0.5:
            break
    waited = time.monotonic() - started
    print(f"W1 drained for {waited:.1f} s", file=sys.stderr)
    return waited


def _next_fixed(fixed: list[int], search: KneeSearch, every_target: bool) -> int | None:
    """The next of the ``--targets`` rates; unless ``every_target``, none after a miss at
    or above the target rate."""
    if search.steps and not every_target:
        last = search.steps[-1]
        if not last["within_limit"] and last["offered_per_s"] >= TARGET_DELIVERIES_PER_S:
            return None
    if not fixed:
        return None
    return fixed.pop(0)


def summarise(result: dict[str, Any]) -> dict[str, Any]:
    """Add the headline figures of a room size's steps: the knees per latency limit and
    their resolution, p99 at 5,000/s and the server's CPU per delivery at 50,000/s."""
    steps = result["steps"]
    result["max_delivered_per_s"] = knees(steps)
    result["knee_resolution"] = {f"p99_le_{limit:g}ms": bracket_ratio(steps, limit)
                                 for limit in LIMITS_MS}
    result["max_delivered_per_s_p99_le_200ms"] = result["max_delivered_per_s"]["p99_le_200ms"]
    result["p99_ms_at_5000_per_s"] = _at(steps, TARGET_DELIVERIES_PER_S, "p99")
    result["server_cpu_us_per_delivery_at_50000_per_s"] = _at(
        steps, CPU_COMPARISON_PER_S, "cpu")
    result["limit_reached"] = any(not step["within_limit"] for step in steps)
    return result


def _at(steps: list[dict[str, Any]], rate: int, figure: str) -> float | None:
    for step in steps:
        if step["offered_per_s"] == rate:
            return (step["latency_ms"]["p99"] if figure == "p99"
                    else step.get("server_cpu_us_per_delivery"))
    return None
