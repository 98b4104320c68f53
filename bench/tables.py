"""Markdown tables of a ``bench/compare.py`` JSON file, as pasted into docs/BENCHMARKS.md.

    .venv/bin/python bench/tables.py bench/results/compare-2026-11-26.json

One table per W1 room size (per server: the best delivered msgs/s with p99 <= 200 ms per
repetition and median, the ratio ours/peer per repetition and median against its
target, p99 at 5,000 deliveries/s, and the server's and loadgen's CPU shares at the
server's highest step), one for W2, and W3/W4 when present.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.plots import LABELS  # noqa: E402


def _number(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def _list(values: list[Any], digits: int = 0) -> str:
    return " / ".join(_number(value, digits) for value in values)


def _top_step(results: dict[str, Any], name: str, room: str) -> tuple[str, str]:
    """Server and loadgen CPU share of the highest step, median over repetitions."""
    server, loadgen = [], []
    for rep in results["repetitions"]:
        steps = rep.get(name, {}).get("w1", {}).get(room, {}).get("steps", [])
        if steps:
            server.append(steps[-1]["server_cpu_share"])
            loadgen.append(steps[-1]["loadgen_cpu_share"])
    return ", ".join(f"{v:.2f}" for v in server), ", ".join(f"{v:.2f}" for v in loadgen)


def w1_tables(results: dict[str, Any]) -> list[str]:
    """One table per room size."""
    lines = []
    for room, figures in results["summary"]["w1"].items():
        lines += [f"#### W1, rooms of {room.split('_')[1]}", "",
                  "| server | delivered msgs/s at p99 ≤ 200 ms (reps) | median | ours/peer "
                  "(reps) | median ratio | target | p99 ms at 5,000/s (reps) | CPU share at "
                  "last step (reps): server / loadgen |",
                  "|---|---:|---:|---:|---:|---:|---:|---|"]
        for name, server in figures["servers"].items():
            ratio = figures["ratio_ours_over_peer"].get(name)
            cpu_server, cpu_loadgen = _top_step(results, name, room)
            target = ratio["target"] if ratio else None
            met = "" if not ratio or ratio["median"] is None or target is None else (
                " ✓" if ratio["median"] >= target else " ✗")
            lines.append(
                f"| {LABELS.get(name, name)} | {_list(server['max_delivered_per_s_p99_le_200ms'])}"
                f" | {_number(server['median_max_delivered_per_s'])}"
                f" | {_list(ratio['per_repetition'], 2) if ratio else '—'}"
                f" | {_number(ratio['median'], 2) if ratio else '—'}{met}"
                f" | {'≥ ' + str(target) if target else '—'}"
                f" | {_list(server['p99_ms_at_5000_per_s'])}"
                f" | {cpu_server} / {cpu_loadgen} |")
        lines.append("")
    return lines


def w2_table(results: dict[str, Any]) -> list[str]:
    """Bytes per idle connection."""
    w2 = results["summary"]["w2"]
    lines = ["#### W2, 10,000 idle connections", "",
             "| server | bytes/connection (reps) | median | ours/peer median |",
             "|---|---:|---:|---:|"]
    for name, server in w2["servers"].items():
        ratio = w2["ratio_ours_over_peer"].get(name)
        lines.append(f"| {LABELS.get(name, name)} | {_list(server['bytes_per_connection'])} | "
                     f"{_number(server['median'])} | "
                     f"{_number(ratio['median'], 2) if ratio else '—'} |")
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
    print("\n".join(w1_tables(results) + w2_table(results) + w3_w4_tables(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
