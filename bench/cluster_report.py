"""Summaries and Markdown tables of the cluster benchmark's runs.

A run is what :func:`bench.cluster_w1.run_cluster_w1` returns; ``runs`` maps a room
size to a configuration label (``single1``, ``cluster1``, ``cluster2``, ...) to one run
per repetition.  :func:`summarise` gives, per room size, each configuration's headline
figure (max delivered deliveries/s with p99 <= 200 ms) per repetition and its median,
the ratios of medians in :data:`RATIOS` (None when a configuration is missing or its
median is 0), and, for the same pairs, the ratio of total node CPU per delivery at every
offered rate both configurations delivered within the limit (first repetition), with
the one at the highest such rate as ``cpu_per_delivery_ratios``.  :func:`steps_table` and
:func:`summary_table` render Markdown.
"""

from __future__ import annotations

import statistics
from typing import Any

RATIOS = (("single1", "embedded1"), ("cluster1", "single1"), ("cluster2", "cluster1"))


def node_us_per_delivery(step: dict[str, Any]) -> float | None:
    """Microseconds of node CPU (all nodes) per delivered message in one step."""
    if not step["delivered_per_s"]:
        return None
    return round(sum(step["node_cpu_share"].values()) * 1e6 / step["delivered_per_s"], 2)


def _cpu_by_rate(run: dict[str, Any]) -> dict[int, float]:
    return {step["offered_per_s"]: cost for step in run["steps"]
            if step["within_limit"] and (cost := node_us_per_delivery(step)) is not None}


def _cpu_ratios(top: dict[str, Any], bottom: dict[str, Any]) -> dict[str, float]:
    high, low = _cpu_by_rate(top), _cpu_by_rate(bottom)
    return {str(rate): round(high[rate] / low[rate], 3)
            for rate in sorted(set(high) & set(low)) if low[rate]}


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def summarise(runs: dict[int, dict[str, list[dict[str, Any]]]]) -> dict[str, Any]:
    """See the module docstring."""
    summary: dict[str, Any] = {}
    for size, configurations in runs.items():
        figures: dict[str, Any] = {}
        for label, repetitions in configurations.items():
            maxima = [run["max_delivered_per_s_p99_le_200ms"] for run in repetitions]
            figures[label] = {"max_delivered_per_s_p99_le_200ms": maxima,
                              "median": _median(maxima)}
        ratios: dict[str, float | None] = {}
        cpu_ratios: dict[str, dict[str, Any]] = {}
        for top, bottom in RATIOS:
            high = figures.get(top, {}).get("median")
            low = figures.get(bottom, {}).get("median")
            ratios[f"{top}/{bottom}"] = (
                round(high / low, 3) if high is not None and low else None)
            if top in configurations and bottom in configurations:
                by_rate = _cpu_ratios(configurations[top][0], configurations[bottom][0])
                cpu_ratios[f"{top}/{bottom}"] = {
                    "by_offered_rate": by_rate,
                    "at_highest_common_rate": by_rate[max(by_rate, key=int)] if by_rate else None,
                }
        summary[f"room_{size}"] = {"configurations": figures, "ratios": ratios,
                                   "cpu_per_delivery_ratios": cpu_ratios}
    return summary


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}" if value >= 10 else f"{value:g}"


def steps_table(label: str, run: dict[str, Any]) -> str:
    """One configuration's steps as a Markdown table."""
    lines = [
        f"{label}, room of {run['room_size']}:", "",
        "| offered/s | delivered/s | delivered | p50 ms | p99 ms | CPU per node "
        "| node µs/delivery | Redis CPU | FerretDB CPU | PostgreSQL CPU | loadgen CPU "
        "| other CPU | within |",
        "|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|:-:|",
    ]
    for step in run["steps"]:
        nodes = " / ".join(f"{share:.2f}" for share in step["node_cpu_share"].values())
        services = step["service_cpu_share"]
        lines.append(
            f"| {step['offered_per_s']:,} | {step['delivered_per_s']:,} "
            f"| {step['delivery_ratio']:.1%} | {_number(step['latency_ms']['p50'])} "
            f"| {_number(step['latency_ms']['p99'])} | {nodes} "
            f"| {_number(node_us_per_delivery(step))} "
            f"| {services.get('redis', 0.0):.2f} | {services.get('ferretdb', 0.0):.2f} "
            f"| {services.get('postgresql', 0.0):.2f} "
            f"| {step['loadgen_cpu_share']:.2f} | {step['other_cpu_share']:.2f} "
            f"| {'yes' if step['within_limit'] else 'no'} |"
        )
    return "\n".join(lines)


def summary_table(summary: dict[str, Any]) -> str:
    """The headline figures and ratios as a Markdown table."""
    lines = ["| room | configuration | max delivered/s, p99 ≤ 200 ms (per repetition) "
             "| median |", "|---|---|---|---:|"]
    for room, figures in summary.items():
        for label, values in figures["configurations"].items():
            each = ", ".join(f"{value:,}" for value in values["max_delivered_per_s_p99_le_200ms"])
            lines.append(f"| {room} | {label} | {each} | {_number(values['median'])} |")
        for name, ratio in figures["ratios"].items():
            lines.append(f"| {room} | ratio {name} | | {'—' if ratio is None else ratio} |")
        for name, cpu in figures.get("cpu_per_delivery_ratios", {}).items():
            each = ", ".join(f"{rate}: {value}" for rate, value in cpu["by_offered_rate"].items())
            lines.append(f"| {room} | node CPU per delivery {name} (by offered/s) | {each} "
                         f"| {_number(cpu['at_highest_common_rate'])} |")
    return "\n".join(lines)
