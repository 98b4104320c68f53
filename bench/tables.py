"""Markdown tables of a ``bench/compare.py`` JSON file, as pasted into docs/BENCHMARKS.md.

    .venv/bin/python bench/tables.py bench/results/compare-2026-12-05.json

Per W1 room size: the knee per latency limit per server as min / median / max over the
repetitions; ours/peer ratios (median, with min-max) per limit; p99 at 5,000/s and server
CPU µs per delivery at 50,000/s with the ratio against each peer; then W2's bytes per
idle connection, W3/W4 when present and the targets of issue 26.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.plots import LABELS  # noqa: E402
from bench.summary import summarise_w1, summarise_w2, targets  # noqa: E402


def _number(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def _list(values: list[Any], digits: int = 0) -> str:
    return " / ".join(_number(value, digits) for value in values)


def _spread(figure: dict[str, Any], digits: int = 0) -> str:
    if figure["median"] is None:
        return "—"
    return (f"{_number(figure['median'], digits)} ({_number(figure['min'], digits)}-"
            f"{_number(figure['max'], digits)})")


def w1_tables(results: dict[str, Any]) -> list[str]:
    """Two tables per room size: knees, then ratios and costs."""
    lines = []
    for room, figures in results["summary"]["w1"].items():
        size = int(room.split("_")[1])
        limits = list(next(iter(figures["servers"].values()))["max_delivered_per_s"])
        headers = " | ".join(f"p99 ≤ {key.split('_')[2].removesuffix('ms')} ms"
                             for key in limits)
        lines += [f"#### W1, rooms of {size:,}: max delivered/s, median (min-max) of "
                  f"{len(results['repetitions'])}", "", f"| server | {headers} |",
                  "|---|" + "---:|" * len(limits)]
        for name, server in figures["servers"].items():
            cells = " | ".join(_spread(server["max_delivered_per_s"][key]) for key in limits)
            reached = "" if all(server["limit_reached"]) else " (≥: top of the ladder)"
            lines.append(f"| {LABELS.get(name, name)}{reached} | {cells} |")
        lines += ["", f"#### W1, rooms of {size:,}: ours/peer, p99 at 5,000/s, "
                  "CPU per delivery at 50,000/s", "",
                  f"| server | {headers} | p99 ms at 5,000/s | server CPU µs/delivery "
                  "at 50,000/s | ours/peer CPU | kernel share of it | loadgen CPU, "
                  "highest step |",
                  "|---|" + "---:|" * (len(limits) + 5)]
        for name, server in figures["servers"].items():
            ratio = figures["ratio_ours_over_peer"].get(name)
            cells = " | ".join(_spread(ratio[key], 2) if ratio else "—" for key in limits)
            cpu = ratio["cpu_per_delivery_at_50000_per_s"] if ratio else None
            lines.append(
                f"| {LABELS.get(name, name)} | {cells} "
                f"| {_spread(server['p99_ms_at_5000_per_s'], 1)} "
                f"| {_spread(server['server_cpu_us_per_delivery_at_50000_per_s'], 2)} "
                f"| {_spread(cpu, 2) if cpu else '—'} "
                f"| {_spread(server['server_kernel_share_at_50000_per_s'], 2)} "
                f"| {_spread(server['loadgen_cpu_share_max'], 2)} |")
        lines.append("")
    return lines


def targets_table(results: dict[str, Any]) -> list[str]:
    """The targets of issue 26 against the medians."""
    lines = ["#### Targets (medians)", "", "| figure | target | measured | met |",
             "|---|---|---:|:-:|"]
    for check in results["summary"]["targets"]:
        measured = check.get("note") or _number(check["measured"], 2)
        lines.append(f"| {check['figure']} | {check['target']} | "
                     f"{measured} | {'yes' if check['met'] else '**no**'} |")
    return [*lines, ""]


def w2_table(results: dict[str, Any]) -> list[str]:
    """Bytes per idle connection."""
    w2 = results["summary"]["w2"]
    if not w2["servers"]:
        return []
    lines = ["#### W2, idle connections: bytes per connection", "",
             "| server | per repetition | median (min-max) |", "|---|---:|---:|"]
    for name, server in w2["servers"].items():
        lines.append(f"| {LABELS.get(name, name)} | {_list(server['per_repetition'])} | "
                     f"{_spread(server)} |")
    return [*lines, ""]


def w3_w4_tables(results: dict[str, Any]) -> list[str]:
    """W3 and W4 when present."""
    lines = []
    if "w3_rest" in results:
        lines += ["#### W3, REST at concurrency 50 (ours; peers n/a)", "",
                  "| operation | ok req/s | statuses | p50 ms | p99 ms | server CPU | "
                  "loadgen CPU |", "|---|---:|---|---:|---:|---:|---:|"]
        for kind in ("create", "list"):
            run = results["w3_rest"][kind]
            lines.append(f"| {kind} | {_number(run['ok_per_s'])} | {run['statuses']} | "
                         f"{run['latency_ms']['p50']} | {run['latency_ms']['p99']} | "
                         f"{run['server_cpu_share']} | {run['loadgen_cpu_share']} |")
        lines.append("")
    if "w4_actors" in results:
        lines += ["#### W4, actor churn (ours; `bench/actors.py --json`)", "", "```",
                  json.dumps({k: v for k, v in results["w4_actors"].items()
                              if k != "wall_clock"}), "```", ""]
    return lines


def main() -> int:
    """Print the tables of the JSON file named on the command line."""
    results = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    # The summary is recomputed from the steps, so figures added since the run show too.
    w1, w2 = summarise_w1(results["repetitions"]), summarise_w2(results["repetitions"])
    results["summary"] = {"w1": w1, "w2": w2, "targets": targets(w1, w2)}
    print("\n".join(w1_tables(results) + w2_table(results) + w3_w4_tables(results)
                    + targets_table(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
