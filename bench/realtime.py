"""Realtime benchmarks of a TopicsFlow node: W1 fan-out and W2 idle connections.

    .venv/bin/python bench/realtime.py [--smoke] [--json PATH] [--workers N]
        [--step-seconds S] [--room-sizes 100,1000] [--idle-connections N]
        [--skip-fanout] [--skip-idle] [--node-log PATH]

The node runs as a child process (``topicsflow serve`` on a free loopback port, testing
profile, SQLite in a temporary directory) pinned to CPU 0 with ``taskset``; the bot
workers are pinned to CPU 1.  Accounts are pre-seeded straight into the node's store
(:mod:`bots.seed`) before it starts.  ``--smoke`` runs a tiny version in seconds (rooms
of 5, 20 idle connections, 1-second steps).  ``--json`` writes every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import trio

# Run as a script, this file's directory comes first on sys.path: put the repository
# root there instead, so ``bench``, ``bots`` and the server packages import.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.fanout import run_fanout  # noqa: E402
from bench.idle import raise_file_limit, run_idle  # noqa: E402
from bench.node_process import pinned, start_node  # noqa: E402
from bots.seed import seed_accounts  # noqa: E402
from topicsflow.settings import Profile, Settings  # noqa: E402

IDLE_USERS = 200


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="a tiny run in seconds")
    parser.add_argument("--json", dest="json_path", help="write every figure as JSON here")
    parser.add_argument("--workers", type=int, default=2, help="bot worker processes")
    parser.add_argument("--step-seconds", type=float, default=10.0, help="W1 step length")
    parser.add_argument("--idle-connections", type=int, default=10_000, help="W2 target")
    parser.add_argument("--node-log", help="append the node's log (stderr) to this file")
    parser.add_argument("--room-sizes", default="100,1000", help="W1 room sizes")
    parser.add_argument("--skip-fanout", action="store_true")
    parser.add_argument("--skip-idle", action="store_true")
    return parser.parse_args(argv)


async def run_benchmarks(arguments: argparse.Namespace) -> dict[str, Any]:
    """Seed, start the node, run the workloads; every figure as JSON-ready data."""
    smoke = arguments.smoke
    room_sizes = [5] if smoke else [int(size) for size in arguments.room_sizes.split(",")]
    idle_target = 20 if smoke else arguments.idle_connections
    step_seconds = 1.0 if smoke else arguments.step_seconds
    raise_file_limit(idle_target + 512)
    worker_prefix = pinned([], 1)
    results: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "node_cpu": 0 if pinned([], 0) else None,
                    "bots_cpu": 1 if worker_prefix else None},
        "workers": arguments.workers, "smoke": smoke,
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    with tempfile.TemporaryDirectory(prefix="topicsflow-bench-") as directory:
        data_dir = Path(directory)
        settings = Settings(profile=Profile.TESTING, data_dir=data_dir, secret_key="b" * 40)
        accounts = await seed_accounts(settings, room_sizes, min(IDLE_USERS, idle_target))
        log_path = Path(arguments.node_log) if arguments.node_log else None
        async with start_node(data_dir, cpu=0, log_path=log_path) as node:
            if not arguments.skip_fanout:
                results["w1_fanout"] = await run_fanout(
                    node, accounts.rooms, workers=arguments.workers,
                    step_seconds=step_seconds, smoke=smoke, worker_prefix=worker_prefix,
                )
            if not arguments.skip_idle:
                results["w2_idle"] = await run_idle(
                    node, accounts, connections=idle_target, workers=arguments.workers,
                    hold_seconds=2.0 if smoke else 10.0, worker_prefix=worker_prefix,
                )
    return results


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks, print the figures, write ``--json``."""
    arguments = parse_arguments(argv)
    results = trio.run(run_benchmarks, arguments)
    text = json.dumps(results, indent=2)
    print(text)
    if arguments.json_path:
        Path(arguments.json_path).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
