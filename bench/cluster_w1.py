"""W1 fan-out against several nodes at once: the room's members dealt round-robin to nodes.

The workload is :mod:`bench.w1`'s (same step plan, warm-up, 200 ms p99 limit and stop
rule, reused from there); what differs is that the connections are spread over nodes.
:func:`split_specs` gives member ``i`` of every room to node ``i % nodes``, so each
node holds ``1/nodes`` of every room's subscribers and of its publishers (a step's
publishers are the members with the lowest ``member_index``).  One
:class:`NodePool` (a :class:`bench.loadgen_driver.LoadgenPool` of
``loadgens_per_node`` processes) drives each node; a step is sent to every pool first
and collected after, so all nodes are loaded at the same time, and the loadgens' raw
replies are merged here (counts and CPU add up, latency histograms add per bucket;
latency is publish-to-delivery from the payload's timestamp, one machine clock).

Per step it records, beside :mod:`bench.w1`'s figures, each node's CPU share (CPU
seconds from ``/proc`` per wall second of the step) under ``node_cpu_share`` and the
shared services' under ``service_cpu_share`` (``{name: share}`` for the pids given),
the whole machine's busy CPUs (``/proc/stat``) under ``machine_busy_cpus`` and what is
left of it after nodes, services and loadgens under ``other_cpu_share`` (other work on a
shared machine, plus the benchmark's own Python harness).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from bench.loadgen_driver import LoadgenPool, latency_figures
from bench.servers import RunningServer, process_tree_cpu_seconds
from bench.specs import Spec
from bench.w1 import (
    TARGET_DELIVERIES_PER_S,
    WARMUP_DELIVERIES,
    WARMUP_SECONDS,
    plan_steps,
    summarise,
    within_limit,
)

SUMMED = ("publishers", "sent", "received", "acked", "publish_errors", "lost_connections",
          "lost_connections_total")


class NodePool(LoadgenPool):
    """A loadgen pool whose step is split in two halves, so several pools run a step
    together: :meth:`send_step` returns at once, :meth:`collect_step` waits (bounded,
    as :meth:`LoadgenPool.step`) and returns every process's raw ``step`` reply."""

    def send_step(self, step_id: int, *, rooms: int, publishers: int, rate: float,
                  duration: float, grace: float) -> None:
        """Send the ``step`` command to every process of the pool."""
        command = f"step {step_id} {rooms} {publishers} {rate} {duration} {grace}\n"
        for process in self._processes:
            assert process.stdin is not None
            process.stdin.write(command)
            process.stdin.flush()

    def collect_step(self, timeout: float) -> list[dict[str, Any]]:
        """Every process's ``step`` reply (``RuntimeError`` if one is silent or exits)."""
        return self._collect("step", timeout)


def split_specs(specs: list[Spec], nodes: int) -> list[list[Spec]]:
    """The specs of each node: member ``i`` of a room goes to node ``i % nodes``."""
    return [[spec for spec in specs if spec["member_index"] % nodes == node]
            for node in range(nodes)]


def merge_replies(replies: list[dict[str, Any]]) -> dict[str, Any]:
    """Merged loadgen ``step`` replies (as :meth:`LoadgenPool.step` merges them)."""
    buckets: Counter[int] = Counter()
    for reply in replies:
        for index, count in reply["histogram"]:
            buckets[int(index)] += int(count)
    merged: dict[str, Any] = {key: sum(reply[key] for reply in replies) for key in SUMMED}
    merged["loadgen_cpu_seconds"] = round(sum(r["cpu_seconds"] for r in replies), 3)
    merged["wall_seconds"] = round(max(r["wall_seconds"] for r in replies), 3)
    merged["latency_ms"] = latency_figures(buckets)
    merged["errors_sample"] = [e for reply in replies for e in reply["errors_sample"]][:3]
    return merged


def _run_step(pools: list[NodePool], step_id: int, *, rooms: int, publishers: int,
              duration: float, grace: float, margin: float = 60.0) -> dict[str, Any]:
    for pool in pools:
        pool.send_step(step_id, rooms=rooms, publishers=publishers, rate=1.0,
                       duration=duration, grace=grace)
    replies = [reply for pool in pools for reply in pool.collect_step(duration + grace + margin)]
    return merge_replies(replies)


def machine_busy_seconds() -> float:
    """CPU seconds all CPUs spent not idle since boot (``/proc/stat``, idle + iowait out)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    busy = sum(fields[:8]) - fields[3] - fields[4]
    return busy / os.sysconf("SC_CLK_TCK")


def _cpu(pids: dict[str, int]) -> dict[str, float]:
    return {name: process_tree_cpu_seconds(pid) for name, pid in pids.items()}


def _shares(before: dict[str, float], after: dict[str, float], wall: float
            ) -> dict[str, float]:
    return {name: round((after[name] - before[name]) / wall, 3) for name in before}


def run_cluster_w1(
    nodes: list[RunningServer], specs: list[Spec], *, room_size: int,
    targets: tuple[int, ...], loadgen: Path, loadgens_per_node: int, cpu: int | None,
    workdir: Path, step_seconds: float, grace_seconds: float, payload_bytes: int,
    service_pids: dict[str, int], label: str,
) -> dict[str, Any]:
    """Run W1 over ``nodes``; see the module docstring.  ``RuntimeError`` if a connection
    failed to set up.  The result is
    :func:`bench.w1.summarise`'d: ``{"room_size", "setup", "steps", "max_delivered_per_s_
    p99_le_200ms", "p99_ms_at_5000_per_s", "limit_reached"}``."""
    plan = plan_steps(room_size, targets)
    result: dict[str, Any] = {"room_size": room_size, "steps": []}
    node_pids = {f"node{index + 1}": server.pid for index, server in enumerate(nodes)}
    with contextlib.ExitStack() as stack:
        pools: list[NodePool] = []
        for index, (server, shard) in enumerate(zip(nodes, split_specs(specs, len(nodes)),
                                                    strict=True)):
            directory = workdir / f"loadgen-{label}-node{index + 1}"
            directory.mkdir(parents=True, exist_ok=True)
            pools.append(stack.enter_context(NodePool(
                loadgen, server, shard, processes=loadgens_per_node,
                cpus=None if cpu is None else [cpu], workdir=directory,
                payload_bytes=payload_bytes)))
        result["setup"] = [pool.ready for pool in pools]
        connected = sum(setup["connected"] for setup in result["setup"])
        if connected < len(specs):
            raise RuntimeError(f"{label}: {connected} of {len(specs)} connected: "
                               f"{[setup['errors_sample'] for setup in result['setup']]}")
        print(f"W1 {label} room={room_size} ready {result['setup']}", file=sys.stderr)
        _run_step(pools, 0, rooms=1,
                  publishers=max(1, min(room_size, WARMUP_DELIVERIES // room_size)),
                  duration=WARMUP_SECONDS, grace=1.0)
        for step_id, planned in enumerate(plan, start=1):
            before_nodes, before_services = _cpu(node_pids), _cpu(service_pids)
            before_machine = machine_busy_seconds()
            figures = _run_step(pools, step_id, rooms=planned["rooms"],
                                publishers=planned["publishers"], duration=step_seconds,
                                grace=grace_seconds)
            wall = figures["wall_seconds"]
            expected = figures["sent"] * room_size
            step = {
                "offered_per_s": planned["deliveries"], **planned, **figures,
                "delivered_per_s": round(figures["received"] / step_seconds),
                "delivery_ratio": round(figures["received"] / expected, 4) if expected else 0.0,
                "node_cpu_share": _shares(before_nodes, _cpu(node_pids), wall),
                "service_cpu_share": _shares(before_services, _cpu(service_pids), wall),
                "loadgen_cpu_share": round(figures["loadgen_cpu_seconds"] / wall, 3),
            }
            step["server_cpu_share"] = round(sum(step["node_cpu_share"].values()), 3)
            step["machine_busy_cpus"] = round((machine_busy_seconds() - before_machine) / wall, 3)
            step["other_cpu_share"] = round(
                step["machine_busy_cpus"] - step["server_cpu_share"] - step["loadgen_cpu_share"]
                - sum(step["service_cpu_share"].values()), 3)
            step["within_limit"] = within_limit(step)
            result["steps"].append(step)
            print(f"W1 {label} room={room_size} offered={planned['deliveries']}/s "
                  f"delivered={step['delivered_per_s']}/s "
                  f"p50={step['latency_ms']['p50']} p99={step['latency_ms']['p99']} ms "
                  f"nodes_cpu={step['node_cpu_share']} services={step['service_cpu_share']} "
                  f"loadgen_cpu={step['loadgen_cpu_share']} other={step['other_cpu_share']}",
                  file=sys.stderr)
            if not step["within_limit"] and planned["deliveries"] >= TARGET_DELIVERIES_PER_S:
                break
    return summarise(result)
