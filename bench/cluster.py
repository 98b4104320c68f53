"""W1 fan-out on a TopicsFlow cluster: 2 nodes against 1 (issue 12).

    .venv/bin/python bench/cluster.py [--smoke] [--json PATH]
        [--configs embedded:1,single:1,cluster:1,cluster:2] [--room-sizes 100]
        [--targets 1000,2000,5000,10000,20000] [--repetitions 1]
        [--step-seconds 5] [--grace-seconds 2] [--loadgens 2] [--node-cpus 0,1]
        [--redis-url URL --mongodb-url URL] [--services-state FILE] [--profile DIR]

Each configuration ``MODE:N`` (``cluster``: ``TOPICSFLOW_CLUSTER=true``; ``single``: a
plain node on the same Redis and Mongo-wire store; ``embedded``: the default node, on
SQLite in its data directory and the in-process bus, for the reference figure) gets
fresh nodes, a fresh database and Redis prefix, and freshly seeded rooms
(:mod:`bench.cluster_nodes`), then runs
:mod:`bench.w1`'s W1 with the members of every room dealt round-robin to the nodes
(:mod:`bench.cluster_w1`), ``--loadgens`` Go loadgen processes in all, split evenly over
the nodes.  Configurations run in the order given, once per repetition.  Nodes and
loadgens are not pinned unless ``--node-cpus`` / ``--loadgen-cpu`` say so (two nodes
pinned to one core would measure nothing).

Redis and FerretDB: ``--redis-url`` / ``--mongodb-url`` (default
``TOPICSFLOW_TEST_REDIS_URL`` / ``TOPICSFLOW_TEST_MONGODB_URL``); without them
``scripts/services.py`` starts both for the run and stops them after.  Their CPU is
reported when their pids are known (started here, or ``--services-state`` of
``services.py start``).  ``--profile DIR`` records every node of the configurations
with py-spy during W1 and prints their hottest functions (needs ptrace rights).

The JSON (``--json``) holds the settings, every step of every run and the summary
(:mod:`bench.cluster_report`); the summary and the step tables are printed as Markdown.
``--smoke`` runs ``cluster:1,cluster:2`` with rooms of 10, two 1-second steps, and exits
non-zero if a run delivered nothing or a connection failed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench import toolchain  # noqa: E402
from bench.cluster_nodes import Substrate, seed_rooms, start_nodes  # noqa: E402
from bench.cluster_report import steps_table, summarise, summary_table  # noqa: E402
from bench.cluster_w1 import run_cluster_w1  # noqa: E402
from bench.idle import raise_file_limit  # noqa: E402
from bench.node_process import REPOSITORY  # noqa: E402
from bench.profiling import hot_functions, py_spy_record  # noqa: E402
from bench.specs import fanout_specs  # noqa: E402
from bench.w1 import plan_steps  # noqa: E402

DEFAULT_TARGETS = "1000,2000,5000,10000,20000"
MODES = ("embedded", "single", "cluster")


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line of the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--json", dest="json_path")
    parser.add_argument("--configs", default="embedded:1,single:1,cluster:1,cluster:2")
    parser.add_argument("--room-sizes", default="100")
    parser.add_argument("--targets", default=DEFAULT_TARGETS,
                        help="W1 offered deliveries/s per step")
    parser.add_argument("--repetitions", type=int, default=1)
    parser.add_argument("--step-seconds", type=float, default=5.0)
    parser.add_argument("--grace-seconds", type=float, default=2.0)
    parser.add_argument("--loadgens", type=int, default=2,
                        help="loadgen processes in all, split evenly over the nodes")
    parser.add_argument("--payload-bytes", type=int, default=128)
    parser.add_argument("--node-cpus", default="", help="pin node k to CPU cpus[k %% len]")
    parser.add_argument("--loadgen-cpu", type=int, default=None)
    parser.add_argument("--lease-seconds", type=float, default=5.0)
    parser.add_argument("--redis-url", default=os.environ.get("TOPICSFLOW_TEST_REDIS_URL"))
    parser.add_argument("--mongodb-url", default=os.environ.get("TOPICSFLOW_TEST_MONGODB_URL"))
    parser.add_argument("--services-state", help="services.py state file (for service CPU)")
    parser.add_argument("--profile", help="py-spy every node during W1; raw stacks here")
    arguments = parser.parse_args(argv)
    if arguments.smoke:
        arguments.configs, arguments.room_sizes = "cluster:1,cluster:2", "10"
        arguments.targets = "20,50"
        arguments.step_seconds, arguments.grace_seconds, arguments.repetitions = 1.0, 0.5, 1
    return arguments


def _configurations(text: str) -> list[tuple[str, int]]:
    configurations = []
    for item in text.split(","):
        mode, _, count = item.strip().partition(":")
        if mode not in MODES or not count.isdigit() or int(count) < 1:
            raise SystemExit(f"bad configuration {item!r}: MODE:N, MODE one of {MODES}")
        if mode != "cluster" and int(count) != 1:
            raise SystemExit(f"a {mode} configuration has exactly one node")
        configurations.append((mode, int(count)))
    return configurations


def _service_pids(state_path: Path | None) -> dict[str, int]:
    if state_path is None or not state_path.exists():
        return {}
    pids = json.loads(state_path.read_text(encoding="utf-8")).get("pids", {})
    return {name: int(pid) for name, pid in pids.items()
            if name in ("redis", "ferretdb", "postgresql")}


@contextlib.contextmanager
def services(arguments: argparse.Namespace, workdir: Path
             ) -> Iterator[tuple[str, str, Path | None]]:
    """``(redis_url, mongodb_url, state file or None)``; starts both services when no URL
    is given and stops them on exit."""
    given_state = Path(arguments.services_state) if arguments.services_state else None
    if arguments.redis_url and arguments.mongodb_url:
        yield arguments.redis_url, arguments.mongodb_url, given_state
        return
    state = workdir / "services.json"
    script = str(REPOSITORY / "scripts" / "services.py")
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith("TOPICSFLOW_TEST_")}
    output = subprocess.run(
        [sys.executable, script, "start", "--state", str(state), "--only", "redis", "mongo"],
        env=environment, capture_output=True, text=True, check=True,
    ).stdout
    urls = dict(line.removeprefix("export ").split("=", 1) for line in output.splitlines()
                if line.startswith("export "))
    try:
        yield (urls["TOPICSFLOW_TEST_REDIS_URL"].strip("'"),
               urls["TOPICSFLOW_TEST_MONGODB_URL"].strip("'"), state)
    finally:
        subprocess.run([sys.executable, script, "stop", "--state", str(state)], check=False)


@contextlib.contextmanager
def _profiled(directory: str | None, pids: list[int], label: str) -> Iterator[None]:
    """py-spy on every pid while the block runs, when ``--profile`` asks for it."""
    if directory is None:
        yield
        return
    paths = [Path(directory) / f"{label}-node{index + 1}.txt" for index in range(len(pids))]
    paths[0].parent.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        for pid, path in zip(pids, paths, strict=True):
            stack.enter_context(py_spy_record(pid, path))
        yield
    for path in paths:
        print(json.dumps({"profile": str(path), **hot_functions(path)}, indent=1),
              file=sys.stderr)


def run_configuration(arguments: argparse.Namespace, urls: tuple[str, str],
                      service_pids: dict[str, int], mode: str, count: int, size: int,
                      workdir: Path, loadgen: Path) -> dict[str, Any]:
    """One configuration, one room size: fresh substrate names, seed, nodes, W1."""
    targets = tuple(int(target) for target in arguments.targets.split(","))
    rooms = max(step["rooms"] for step in plan_steps(size, targets))
    substrate = Substrate(urls[0], urls[1], f"benchcluster-{secrets.token_hex(4)}",
                          embedded=mode == "embedded")
    started = time.monotonic()
    accounts = seed_rooms(substrate, [size] * rooms, workdir)
    seeded = round(time.monotonic() - started, 1)
    label = f"{mode}{count}"
    specs = fanout_specs("topicsflow", size, rooms, accounts)
    cpus = tuple(int(c) for c in arguments.node_cpus.split(",") if c.strip()) or None
    with start_nodes(count, substrate, workdir, cluster=mode == "cluster", cpus=cpus,
                     lease_seconds=arguments.lease_seconds) as nodes, _profiled(
            arguments.profile, [node.pid for node in nodes], f"{label}-room{size}"):
        run = run_cluster_w1(
            nodes, specs, room_size=size, targets=targets, loadgen=loadgen,
            loadgens_per_node=max(1, arguments.loadgens // count), cpu=arguments.loadgen_cpu,
            workdir=workdir, step_seconds=arguments.step_seconds,
            grace_seconds=arguments.grace_seconds, payload_bytes=arguments.payload_bytes,
            service_pids=service_pids, label=label,
        )
    run.update(configuration=label, nodes=count, cluster=mode == "cluster",
               seed_seconds=seeded, database=substrate.name)
    return run


def run(arguments: argparse.Namespace) -> dict[str, Any]:
    """Every configuration, room size and repetition; the JSON-ready results."""
    configurations = _configurations(arguments.configs)
    sizes = [int(size) for size in arguments.room_sizes.split(",")]
    loadgen = toolchain.loadgen_binary()
    raise_file_limit(max(sizes) * 4 + 4096)
    results: dict[str, Any] = {
        "command": " ".join(sys.argv),
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average_at_start": os.getloadavg()},
        "settings": {key: value for key, value in vars(arguments).items()
                     if key not in ("json_path", "redis_url", "mongodb_url")},
        "runs": {},
    }
    runs: dict[int, dict[str, list[dict[str, Any]]]] = {}
    with tempfile.TemporaryDirectory(prefix="topicsflow-cluster-") as directory:
        workdir = Path(directory)
        with services(arguments, workdir) as (redis_url, mongodb_url, state):
            service_pids = _service_pids(state)
            for repetition in range(arguments.repetitions):
                for size in sizes:
                    for mode, count in configurations:
                        outcome = run_configuration(
                            arguments, (redis_url, mongodb_url), service_pids, mode, count,
                            size, workdir, loadgen)
                        runs.setdefault(size, {}).setdefault(f"{mode}{count}", []).append(
                            outcome)
                print(f"repetition {repetition + 1} done", file=sys.stderr)
    results["runs"] = {f"room_{size}": configs for size, configs in runs.items()}
    results["summary"] = summarise(runs)
    results["load_average_at_end"] = os.getloadavg()
    return results


def smoke_failures(results: dict[str, Any]) -> list[str]:
    """What fails a smoke run: nothing delivered or a failed connection."""
    failures = []
    for room, configurations in results["runs"].items():
        for label, repetitions in configurations.items():
            for outcome in repetitions:
                if not outcome["steps"] or outcome["steps"][0]["received"] == 0:
                    failures.append(f"{label} {room}: nothing delivered")
                failed = [setup for setup in outcome["setup"] if setup["failed"]]
                if failed:
                    failures.append(f"{label} {room}: {failed}")
    return failures


def main(argv: list[str] | None = None) -> int:
    """Run, print the Markdown tables, write the JSON; 1 on a smoke failure."""
    arguments = parse_arguments(argv)
    results = run(arguments)
    for configurations in results["runs"].values():
        for label, repetitions in configurations.items():
            for index, outcome in enumerate(repetitions):
                print(steps_table(f"{label} (repetition {index + 1})", outcome), end="\n\n")
    print(summary_table(results["summary"]))
    if arguments.json_path:
        Path(arguments.json_path).write_text(json.dumps(results, indent=1) + "\n",
                                             encoding="utf-8")
    if arguments.smoke and (failures := smoke_failures(results)):
        print("\n".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
