"""Realtime benchmarks side by side: TopicsFlow against Flask-SocketIO (eventlet and gevent),
python-socketio and Centrifugo variants (issues 11 and 26).

    .venv/bin/python bench/compare.py [--smoke] [--json PATH] [--servers LIST]
        [--repetitions 5] [--room-sizes 100,1000] [--step-seconds 5] [--grace-seconds 2]
        [--targets LIST [--every-target] | --start-rate N] [--loadgens 1]
        [--idle-connections 10000]
        [--skip-w1] [--skip-w2 | --w2-servers LIST] [--plots DIR] [--workdir-parent DIR]
        [--no-install]

Each server (:mod:`bench.servers`) runs pinned to CPU 0 and the Go load generator
(``bench/loadgen``, :mod:`bench.loadgen_driver`) to the other CPUs, one process per CPU
(``--loadgens``; on a 2-CPU machine every loadgen shares CPU 1).  Every repetition starts
every server afresh for each workload, servers in the order given, so a repetition
interleaves them: W1 fan-out per room size (:mod:`bench.w1`: a knee search in steps of
at most 10 %, :mod:`bench.knee`, unless ``--targets`` fixes the rates: they stop at the
first step that misses 200 ms, unless ``--every-target``), then W2 idle
connections (:mod:`bench.w2`).  After the repetitions, ours only: W3 REST create/list at
concurrency 50 and W4 actor churn (:mod:`bench.w3_w4`).  Our node uses the embedded
SQLite store, seeded once with the rooms and users the loadgen logs in as
(:mod:`bench.server_source`), in a temporary directory under ``--workdir-parent``.  The
JSON (``--json``) holds the command, the versions of everything measured
(:mod:`bench.versions`), every step of every run, and the summary
(:mod:`bench.summary`): per latency limit (p99 ≤ 25, 50, 100, 200 ms) each server's
knee and ours/peer ratios as min/median/max over the repetitions, CPU per delivery at
50,000/s, and the targets of issue 26.  ``--plots`` draws p99 against delivered/s per
room size (:mod:`bench.plots`); :mod:`bench.tables` prints the Markdown tables.
Bench-only packages (``bench/requirements.txt``) are pip-installed into this venv first
unless ``--no-install``; the loadgen and Centrifugo are built with Go and cached in
``~/.cache/topicsflow``.

``--smoke`` proves the harness end to end in well under a minute: ours and
python-socketio only (no Centrifugo build), rooms of 10, two 1-second steps, 50 idle
connections, one repetition, 1-second W3 phases, no W4; it exits non-zero if a run
failed or delivered nothing (:func:`smoke_failures`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench import toolchain, versions  # noqa: E402
from bench.idle import raise_file_limit  # noqa: E402
from bench.knee import max_rooms  # noqa: E402
from bench.netstat import netdev_backlog  # noqa: E402
from bench.profiling import hot_functions, py_spy_record  # noqa: E402
from bench.server_source import prepare_source, seed  # noqa: E402
from bench.servers import SERVERS, RunningServer, our_node_settings, start_server  # noqa: E402
from bench.specs import fanout_specs, idle_specs  # noqa: E402
from bench.summary import summarise_w1, summarise_w2, targets  # noqa: E402
from bench.w1 import plan_steps, run_w1  # noqa: E402
from bench.w2 import run_w2  # noqa: E402
from bench.w3_w4 import run_w3, run_w4  # noqa: E402

SERVER_CPU, LOADGEN_CPU = 0, 1
# One loadgen process per CPU other than the server's where the machine has them.
LOADGEN_CPUS = list(range(1, os.cpu_count() or 2)) or [LOADGEN_CPU]
IDLE_USERS = 200
SMOKE_SERVERS = ("topicsflow", "python_socketio")
SMOKE_REQUIREMENTS = ("python-socketio", "python-engineio", "uvicorn")


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--json", dest="json_path")
    parser.add_argument("--servers", default=",".join(SERVERS))
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--room-sizes", default="100,1000")
    parser.add_argument("--targets", default="",
                        help="W1 offered deliveries/s per step, instead of the knee search")
    parser.add_argument("--every-target", action="store_true",
                        help="run every --targets rate, even after a step misses 200 ms")
    parser.add_argument("--start-rate", type=int, default=None,
                        help="the knee search's first rate (default: its ladder's first)")
    parser.add_argument("--step-seconds", type=float, default=5.0)
    parser.add_argument("--grace-seconds", type=float, default=2.0)
    parser.add_argument("--loadgens", type=int, default=1, help="loadgen processes")
    parser.add_argument("--payload-bytes", type=int, default=128)
    parser.add_argument("--idle-connections", type=int, default=10_000)
    parser.add_argument("--hold-seconds", type=float, default=5.0)
    parser.add_argument("--skip-w1", action="store_true")
    parser.add_argument("--skip-w2", action="store_true")
    parser.add_argument("--w2-servers", help="run W2 on these servers only (default: all)")
    parser.add_argument("--w3-seconds", type=float, default=10.0)
    parser.add_argument("--skip-w3", action="store_true")
    parser.add_argument("--skip-w4", action="store_true")
    parser.add_argument("--plots", help="directory for the W1 PNG plots")
    parser.add_argument("--profile", help="py-spy our node during W1; raw stacks to this dir")
    parser.add_argument("--workdir-parent", help="create the temporary working directory "
                        "(our node's SQLite store among it) here, e.g. /dev/shm")
    parser.add_argument("--log", help="send progress and the summary to this file; on a "
                        "smoke failure print the failures and the log's tail to stderr")
    parser.add_argument("--no-install", action="store_true")
    parser.add_argument("--server-source", default="worktree",
                        help="run our node from the working tree or `git archive REVISION`")
    arguments = parser.parse_args(argv)
    if arguments.smoke:
        arguments.servers = ",".join(SMOKE_SERVERS)
        arguments.repetitions, arguments.room_sizes, arguments.targets = 1, "10", "20,50"
        arguments.step_seconds, arguments.grace_seconds = 1.0, 0.5
        arguments.idle_connections, arguments.hold_seconds = 50, 0.5
        arguments.w3_seconds, arguments.skip_w4 = 1.0, True
    return arguments


@contextlib.contextmanager
def _profiled(directory: str | None, server: RunningServer, label: str) -> Iterator[None]:
    """py-spy on our node while the block runs, when ``--profile`` asks for it."""
    if directory is None or server.name != "topicsflow":
        yield
        return
    path = Path(directory) / f"topicsflow-{label}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    with py_spy_record(server.pid, path):
        yield
    print(json.dumps({"profile": str(path), **hot_functions(path)}, indent=1), file=sys.stderr)


def run(arguments: argparse.Namespace) -> dict[str, Any]:
    """Every workload, repetition and server; the JSON-ready results."""
    servers = [name.strip() for name in arguments.servers.split(",") if name.strip()]
    room_sizes = [int(size) for size in arguments.room_sizes.split(",")]
    step_targets = tuple(int(target) for target in arguments.targets.split(",") if target)
    if not arguments.no_install:
        only = SMOKE_REQUIREMENTS if arguments.smoke else None
        toolchain.ensure_requirements(only)
    loadgen = toolchain.loadgen_binary()
    if any(name.startswith("centrifugo") for name in servers):
        toolchain.centrifugo_binary()
    raise_file_limit(arguments.idle_connections + 4096)
    rooms_per_size = {
        size: max(step["rooms"] for step in plan_steps(size, step_targets)) if step_targets
        else max_rooms(size) for size in room_sizes}
    results: dict[str, Any] = {
        "command": " ".join(sys.argv),
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average_at_start": os.getloadavg(), "server_cpu": SERVER_CPU,
                    "loadgen_cpus": LOADGEN_CPUS[:arguments.loadgens],
                    "netdev_max_backlog": netdev_backlog()},
        "settings": {key: value for key, value in vars(arguments).items() if key != "json_path"},
        "node_settings": our_node_settings(),
        "versions": versions.collect(),
        "repetitions": [],
    }
    with tempfile.TemporaryDirectory(prefix="topicsflow-compare-",
                                     dir=arguments.workdir_parent) as directory:
        workdir = Path(directory)
        source, commit = prepare_source(arguments.server_source, workdir / "source")
        results["topicsflow_commit"] = commit
        accounts = None
        if "topicsflow" in servers:
            sizes = [size for size in room_sizes for _ in range(rooms_per_size[size])]
            accounts = seed(source, workdir / "topicsflow-data", sizes, IDLE_USERS)
        for repetition in range(arguments.repetitions):
            rep: dict[str, Any] = {}
            for name in servers:
                rep[name] = {}
                if not arguments.skip_w1:
                    rep[name]["w1"] = {}
                    for size in room_sizes:
                        specs = fanout_specs(name, size, rooms_per_size[size], accounts)
                        with start_server(name, workdir, cpu=SERVER_CPU,
                                          source=source) as server, _profiled(
                                arguments.profile, server, f"rep{repetition}-room{size}"):
                            rep[name]["w1"][f"room_{size}"] = run_w1(
                                server, specs, room_size=size, targets=step_targets or None,
                                start=arguments.start_rate, loadgen=loadgen,
                                loadgens=arguments.loadgens, cpus=LOADGEN_CPUS,
                                workdir=workdir, step_seconds=arguments.step_seconds,
                                grace_seconds=arguments.grace_seconds,
                                payload_bytes=arguments.payload_bytes,
                                every_target=arguments.every_target,
                            )
                if not arguments.skip_w2 and (
                        not arguments.w2_servers or name in arguments.w2_servers.split(",")):
                    specs = idle_specs(name, arguments.idle_connections, accounts)
                    with start_server(name, workdir, cpu=SERVER_CPU, source=source) as server:
                        rep[name]["w2"] = run_w2(server, specs, loadgen=loadgen,
                                                 cpu=LOADGEN_CPU, workdir=workdir,
                                                 hold_seconds=arguments.hold_seconds)
            print(f"repetition {repetition + 1} done", file=sys.stderr)
            results["repetitions"].append(rep)
            if arguments.json_path:  # what is done survives an interrupted run
                Path(f"{arguments.json_path}.partial").write_text(
                    json.dumps(results, indent=1) + "\n", encoding="utf-8")
        if "topicsflow" in servers and accounts is not None and not arguments.skip_w3:
            specs = idle_specs("topicsflow", len(accounts["idle_tokens"]), accounts)
            with start_server("topicsflow", workdir, cpu=SERVER_CPU, source=source) as server:
                results["w3_rest"] = run_w3(server, specs, loadgen=loadgen, cpu=LOADGEN_CPU,
                                            workdir=workdir, seconds=arguments.w3_seconds)
        if "topicsflow" in servers and not arguments.skip_w4:
            results["w4_actors"] = run_w4(source, SERVER_CPU)
    w1 = summarise_w1(results["repetitions"])
    w2 = summarise_w2(results["repetitions"])
    results["summary"] = {"w1": w1, "w2": w2, "targets": targets(w1, w2)}
    return results


def smoke_failures(results: dict[str, Any]) -> list[str]:
    """What fails a smoke run: nothing delivered, a failed connection, no REST success."""
    failures = []
    for rep in results["repetitions"]:
        for name, workloads in rep.items():
            for room, run in workloads.get("w1", {}).items():
                if not run["steps"] or run["steps"][0]["received"] == 0:
                    failures.append(f"{name} {room}: nothing delivered")
                elif run["setup"]["failed"]:
                    failures.append(f"{name} {room}: {run['setup']['errors_sample']}")
            idle = workloads.get("w2")
            if idle is not None and idle["failed"]:
                failures.append(f"{name} W2: {idle['errors_sample']}")
    for kind, figures in results.get("w3_rest", {}).items():
        if isinstance(figures, dict) and not figures.get("ok_per_s"):
            failures.append(f"W3 {kind}: no successful request ({figures.get('statuses')})")
    return failures


def main(argv: list[str] | None = None) -> int:
    """Run (output to ``--log`` when given); the exit status."""
    arguments = parse_arguments(argv)
    if not arguments.log:
        return _main(arguments)
    with (open(arguments.log, "w", encoding="utf-8") as log, contextlib.redirect_stdout(log),
          contextlib.redirect_stderr(log)):
        try:
            status = _main(arguments)
        except Exception:
            traceback.print_exc()
            status = 1
    if status:
        lines = Path(arguments.log).read_text(encoding="utf-8").splitlines()
        print("\n".join(["bench: failed; the log's tail:", *lines[-40:]]), file=sys.stderr)
    return status


def _main(arguments: argparse.Namespace) -> int:
    """Run, print the summary, write ``--json`` and ``--plots``."""
    results = run(arguments)
    print(json.dumps(results["summary"], indent=2))
    if arguments.json_path:
        Path(arguments.json_path).write_text(json.dumps(results, indent=1) + "\n",
                                             encoding="utf-8")
    if arguments.plots:
        from bench.plots import plot_w1

        for path in plot_w1(results, Path(arguments.plots)):
            print(f"plot: {path}", file=sys.stderr)
    if arguments.smoke:
        failures = smoke_failures(results)
        for failure in failures:
            print(f"smoke: {failure}", file=sys.stderr)
        return 1 if failures else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
