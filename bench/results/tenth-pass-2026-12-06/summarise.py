"""Print the tenth pass's tables from the JSON in this directory (issue 26).

    .venv/bin/python bench/results/tenth-pass-2026-12-06/summarise.py

Fixed-rate A/B runs (``efd-*``, ``efd2-*``, ``rounds-*``): per offered rate and commit,
the median (min-max) over the steps of server CPU µs per delivery, p50 and p99 ms and the
loop's busy share.  Knee searches (``knee-*``): each run's knees per latency limit and its
steps at 50,000/s.  Per core (``cpu-per-core-120k.txt``, sampled by ``cpu0.sh``): the
shares of CPU 0 (the node's) and CPU 1 (the loadgen's) between samples 5 s apart.
"""

from __future__ import annotations

import collections
import itertools
import json
import statistics
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from bench.knee import knees  # noqa: E402

TOP_RATE = 1_000_000
"""The last target of a fixed-rate run: it only ends the run and is not reported."""


def steps_of(path: Path) -> list[dict[str, Any]]:
    """The W1 steps on rooms of 100 of the run in ``path``."""
    run = json.loads(path.read_text())
    return [step for repetition in run["repetitions"]
            for step in repetition["topicsflow"]["w1"]["room_100"]["steps"]]


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def fixed_rate_table(prefix: str) -> None:
    rows: dict[tuple[int, str], list[dict[str, Any]]] = collections.defaultdict(list)
    for path in sorted(HERE.glob(f"{prefix}-*-r*.json")):
        commit = path.name.split("-")[1]
        for step in steps_of(path):
            if step["offered_per_s"] < TOP_RATE:
                rows[(step["offered_per_s"], commit)].append(step)
    print(f"== {prefix}: offered/s, commit, steps, CPU us/delivery, p50 ms, p99 ms, loop busy")
    for (rate, commit), steps in sorted(rows.items()):
        print(rate, commit, len(steps),
              spread([step["server_cpu_us_per_delivery"] for step in steps]),
              spread([step["latency_ms"]["p50"] for step in steps]),
              spread([step["latency_ms"]["p99"] for step in steps]),
              spread([step.get("server_loop_busy_share") or 0.0 for step in steps]))


def knee_table() -> None:
    print("== knee searches: run, knees, (CPU us/delivery, p99 ms) at 50,000/s")
    for path in sorted(HERE.glob("knee-*.json")):
        steps = steps_of(path)
        at_50k = [(step["server_cpu_us_per_delivery"], step["latency_ms"]["p99"])
                  for step in steps if step["offered_per_s"] == 50_000]
        print(path.stem, knees(steps), at_50k)


CPU_FIELDS = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")


def per_core_table() -> None:
    print("== per core at 120,000/s, 5-s windows (shares of one core)")
    samples: list[tuple[float, dict[str, list[int]]]] = []
    for block in (HERE / "cpu-per-core-120k.txt").read_text().split("T ")[1:]:
        lines = block.strip().splitlines()
        cores = {line.split()[0]: [int(value) for value in line.split()[1:9]]
                 for line in lines[1:] if line.startswith("cpu")}
        samples.append((float(lines[0]), cores))
    for (then, before), (now, after) in itertools.pairwise(samples):
        for core in ("cpu0", "cpu1"):
            shares = [(late - early) / 100 / (now - then)
                      for early, late in zip(before[core], after[core], strict=True)]
            named = zip(CPU_FIELDS, shares, strict=True)
            print(core, " ".join(f"{name}={share:.2f}" for name, share in named))


if __name__ == "__main__":
    for prefix in ("efd", "efd2", "rounds"):
        fixed_rate_table(prefix)
    knee_table()
    per_core_table()
