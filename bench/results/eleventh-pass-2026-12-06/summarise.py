"""Print every table of docs/BENCHMARKS.md, "Issue 26, eleventh pass", from this directory.

    .venv/bin/python bench/results/eleventh-pass-2026-12-06/summarise.py

Reads the W1 JSON of each run (``bench/compare.py``), the per-thread CPU samples
(``*.thr``, written by ``thr.sh``), the cProfile of the node (``cprofile-10-5k.prof.gz``)
and the store's append cost (``append-cost.json``).  See README.md for which file is which.
"""

from __future__ import annotations

import collections
import gzip
import itertools
import json
import pstats
import statistics
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BASE = "cf7d9d0"
LANE = "34ebde6"
"""The send lane's prototype (``send-lane-prototype.patch``)."""
LANE_BUILT = "494acb1"
"""The send lane as built, with its tests (``send-lane.patch``, whose docs came after)."""
MYPYC = "d1570c5"


def steps(name: str) -> list[dict[str, Any]]:
    """The W1 steps of one run file (one room size per run)."""
    data = json.loads((HERE / name).read_text())
    w1 = data["repetitions"][0]["topicsflow"]["w1"]
    (room,) = w1.values()
    return list(room["steps"])


def median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def thread_cpu(name: str, posts_per_second: float) -> list[tuple[float, float, float]]:
    """(main user, main system, other threads) µs per post for each 5-s window of a
    ``.thr`` file; the main thread is the one whose id is the process id (the lowest)."""
    blocks = (HERE / name).read_text().split("T ")[1:]
    samples: list[tuple[float, dict[int, tuple[int, int]]]] = []
    for block in blocks:
        rows = block.strip().splitlines()
        threads = {int(tid): (int(user), int(system))
                   for _, tid, _, user, system in (row.split() for row in rows[1:])}
        samples.append((float(rows[0]), threads))
    windows = []
    for (t0, before), (t1, after) in itertools.pairwise(samples):
        main = min(after)
        seconds = t1 - t0

        def per_post(ticks: int, seconds: float = seconds) -> float:
            return ticks / 100 / seconds / posts_per_second * 1e6

        user = per_post(after[main][0] - before[main][0])
        system = per_post(after[main][1] - before[main][1])
        others = per_post(sum(sum(after[tid]) - sum(before[tid])
                              for tid in after if tid != main and tid in before))
        windows.append((user, system, others))
    return windows


def table_post_cpu() -> None:
    print("## An unbatched post's CPU: rooms of 10, 5,000 deliveries/s (500 posts/s), "
          f"{BASE}, per-thread /proc times, 5-s windows")
    print("| run | windows | loop thread user µs/post | loop thread system | other threads "
          "(the SQLite worker) | total |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in ("r10-5k.thr", f"t10-{BASE}-r1.thr", f"t10-{BASE}-r2.thr"):
        windows = thread_cpu(name, 500)
        user, system, others = (median([w[i] for w in windows]) for i in range(3))
        print(f"| {name} | {len(windows)} | {user:.0f} | {system:.0f} | {others:.0f} | "
              f"{user + system + others:.0f} |")


def table_profile() -> None:
    print("\n## cProfile of the event loop's thread, rooms of 10 at 5,000/s, 10 s: "
          "per post, by package (profiled µs are inflated; read the order)")
    with tempfile.NamedTemporaryFile(suffix=".prof") as raw:
        raw.write(gzip.decompress((HERE / "cprofile-10-5k.prof.gz").read_bytes()))
        raw.flush()
        stats = pstats.Stats(raw.name).stats  # type: ignore[attr-defined]
    posts = next(value[1] for key, value in stats.items() if key[2] == "_acknowledge_post")
    seconds: collections.Counter[str] = collections.Counter()
    calls: collections.Counter[str] = collections.Counter()
    for (filename, _, function), (_, ncalls, own, _, _) in stats.items():
        if "/site-packages/" in filename:
            package = filename.split("/site-packages/")[1].split("/")[0]
        elif "/source/" in filename:
            package = "ours: " + filename.split("/source/")[1].split("/")[0]
        elif filename == "~":
            package = "built-in: " + function[:40]
        else:
            package = "stdlib: " + filename.split("/")[-1]
        seconds[package] += own
        calls[package] += ncalls
    print(f"posts profiled: {posts}; calls per post: {sum(calls.values()) / posts:.0f}; "
          f"profiled µs per post: {sum(seconds.values()) / posts * 1e6:.0f}")
    print("| where | calls per post | profiled µs per post (own time) |")
    print("|---|---:|---:|")
    for package, own in seconds.most_common(16):
        print(f"| {package} | {calls[package] / posts:.1f} | {own / posts * 1e6:.0f} |")


def ab_table(title: str, prefix: str, revisions: tuple[str, str], rounds: int,
             rates: tuple[int, ...]) -> None:
    print(f"\n## {title}")
    print("| rate | revision | CPU µs/delivery per run (median of its steps) | "
          "loop busy share | p50 ms | p99 ms | all steps' median CPU µs/delivery |")
    print("|---|---|---|---|---|---|---:|")
    for rate in rates:
        for revision in revisions:
            runs = [[step for step in steps(f"{prefix}-{revision}-r{n}.json")
                     if step["offered_per_s"] == rate] for n in range(1, rounds + 1)]
            everything = [step["server_cpu_us_per_delivery"] for run in runs for step in run]

            def per_run(pick: Any, runs: list[list[dict[str, Any]]] = runs) -> str:
                return " / ".join(f"{median([pick(step) for step in run]):g}" for run in runs)

            print(f"| {rate:,} | {revision} | "
                  f"{per_run(lambda step: step['server_cpu_us_per_delivery'])} | "
                  f"{per_run(lambda step: step['server_loop_busy_share'])} | "
                  f"{per_run(lambda step: step['latency_ms']['p50'])} | "
                  f"{per_run(lambda step: step['latency_ms']['p99'])} | "
                  f"{median(everything):g} |")


def table_rooms_of_1000() -> None:
    print("\n## Rooms of 1,000: the linger budget at 10 ms (default) and 0, fixed 10-s steps")
    print("| linger | offered/s | p50 ms | p90 ms | p99 ms | max ms | server CPU share | "
          "CPU µs/delivery | loadgen CPU share |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, name in (("10 ms", "r1000-base.json"), ("0", "r1000-l0.json")):
        for step in steps(name):
            latency = step["latency_ms"]
            print(f"| {label} | {step['offered_per_s']:,} | {latency['p50']} | {latency['p90']} "
                  f"| {latency['p99']} | {latency['max']} | {step['server_cpu_share']} | "
                  f"{step['server_cpu_us_per_delivery']} | {step['loadgen_cpu_share']} |")


def table_append_cost() -> None:
    data = json.loads((HERE / "append-cost.json").read_text())
    print(f"\n## The store's statements per room message (SQLite {data['sqlite_version']}, "
          "tmpfs, no worker, no loop)")
    print("| messages per commit | the node's schema µs | + indexing it later µs | "
          "without the search queue µs |")
    print("|---:|---:|---:|---:|")
    variants = data["variants"]
    for per_commit in ("1", "2", "4", "8"):
        schema = variants["schema"][per_commit]
        bare = variants["without_search_index"][per_commit]
        print(f"| {per_commit} | {schema['median_us']} | {schema['index_us']} | "
              f"{bare['median_us']} |")


def main() -> None:
    table_post_cpu()
    table_profile()
    ab_table("The send lane (prototype) against the node, rooms of 10, alternated 5 times",
             "t10", (BASE, LANE), 5, (5000,))
    ab_table("The send lane (prototype) against the node, rooms of 100, alternated twice",
             "l100", (BASE, LANE), 2, (50000, 60000, 80000))
    ab_table("The send lane as built against the node, rooms of 100, alternated three times",
             "n100", (BASE, LANE_BUILT), 3, (50000, 60000, 80000))
    ab_table("Six realtime modules compiled with mypyc, rooms of 100, alternated 3 times",
             "m100", (BASE, MYPYC), 3, (50000, 60000, 80000))
    ab_table("Six realtime modules compiled with mypyc, rooms of 10, alternated 3 times",
             "c10", (BASE, MYPYC), 3, (5000,))
    table_rooms_of_1000()
    table_append_cost()


if __name__ == "__main__":
    main()
