"""Start TopicsFlow nodes on a shared Redis and Mongo-wire store, and seed their rooms.

:func:`start_nodes` runs ``count`` processes of ``python -m topicsflow serve --port 0``
(testing profile, each with its own ``TOPICSFLOW_DATA_DIR`` and node id
``bench-<k>``), all on the same Redis (key prefix ``Substrate.name``) and the same
Mongo-wire database (``Substrate.name``), with ``TOPICSFLOW_CLUSTER=true`` when
``cluster`` is set (otherwise a plain node that merely uses Redis and Mongo); an
``embedded`` substrate starts the default node instead (SQLite, in-process bus).  It yields
one :class:`bench.servers.RunningServer` per node, in start order, once every node has
logged ``serving on``; each node's output goes to its own new file,
``<workdir>/<name>-<mode><count>-<node id>.log`` (``name`` must be fresh per start).
Nodes are pinned with ``taskset`` to ``cpus[k % len(cpus)]`` when ``cpus`` is given.
On exit every node gets SIGTERM, then SIGKILL after :data:`STOP_TIMEOUT_S`.

:func:`seed_rooms` seeds rooms in a child process (:mod:`bench.cluster_seed`) and
returns the accounts mapping (``{"rooms": [{"channel", "tokens"}], "idle_tokens": []}``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.node_process import REPOSITORY, pinned
from bench.servers import RunningServer

START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0
SEED_TIMEOUT_S = 900
SECRET_KEY = "bench-cluster-secret-key-" + "k" * 24
OPS_TOKEN = "bench-cluster-ops-token"


@dataclasses.dataclass(frozen=True)
class Substrate:
    """The shared services: Redis and Mongo-wire URLs and the run's database/prefix name."""

    redis_url: str
    mongodb_url: str
    name: str
    embedded: bool = False
    """The embedded node instead: SQLite in its data directory, no Redis (one node)."""


def data_dir(substrate: Substrate, workdir: Path, node_id: str, mode: str, count: int) -> Path:
    """The data directory of one node of a start (where an embedded node's SQLite is)."""
    return workdir / f"data-{substrate.name}-{mode}{count}-{node_id}"


def node_environment(substrate: Substrate, node_id: str, directory: Path, *, cluster: bool,
                     lease_seconds: float) -> dict[str, str]:
    """The caller's environment without ``TOPICSFLOW_*`` plus one node's settings."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("TOPICSFLOW_")
    }
    environment.update(
        TOPICSFLOW_PROFILE="testing", TOPICSFLOW_LOG_LEVEL="INFO",
        TOPICSFLOW_DATA_DIR=str(directory), TOPICSFLOW_NODE_ID=node_id,
        TOPICSFLOW_SECRET_KEY=SECRET_KEY, TOPICSFLOW_OPS_TOKEN=OPS_TOKEN,
        TOPICSFLOW_SHUTDOWN_GRACE_SECONDS="2",
    )
    if not substrate.embedded:
        environment.update(
            TOPICSFLOW_REDIS_URL=substrate.redis_url, TOPICSFLOW_MONGODB_URL=substrate.mongodb_url,
            TOPICSFLOW_MONGODB_DATABASE=substrate.name, TOPICSFLOW_REDIS_PREFIX=substrate.name,
        )
    if cluster:
        environment.update(TOPICSFLOW_CLUSTER="true",
                           TOPICSFLOW_LEASE_SECONDS=str(lease_seconds))
    return environment


def _wait_serving(process: subprocess.Popen[bytes], log_path: Path) -> int:
    """The node's HTTP port once its log says ``serving on``."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        text = log_path.read_text(errors="replace")
        if match := re.search(r"serving on http://[\d.]+:(\d+)", text):
            return int(match.group(1))
        if process.poll() is not None:
            raise RuntimeError(f"node exited ({process.returncode}): {text[-3000:]}")
        time.sleep(0.1)
    raise RuntimeError(f"node did not serve within {START_TIMEOUT_S} s; see {log_path}")


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for process in processes:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def start_nodes(
    count: int, substrate: Substrate, workdir: Path, *, cluster: bool,
    cpus: tuple[int, ...] | None = None, lease_seconds: float = 5.0,
) -> Iterator[list[RunningServer]]:
    """Run ``count`` nodes until the block ends; see the module docstring."""
    mode = "embedded" if substrate.embedded else "cluster" if cluster else "single"
    processes: list[subprocess.Popen[bytes]] = []
    servers: list[RunningServer] = []
    try:
        for index in range(count):
            node_id = f"bench-{index + 1}"
            stem = f"{substrate.name}-{mode}{count}-{node_id}"
            environment = node_environment(
                substrate, node_id, data_dir(substrate, workdir, node_id, mode, count),
                cluster=cluster, lease_seconds=lease_seconds)
            log_path = workdir / f"{stem}.log"
            cpu = cpus[index % len(cpus)] if cpus else None
            with open(log_path, "ab") as log:
                process = subprocess.Popen(
                    pinned([sys.executable, "-m", "topicsflow", "serve", "--port", "0"], cpu),
                    cwd=REPOSITORY, env=environment, stdin=subprocess.DEVNULL, stdout=log,
                    stderr=subprocess.STDOUT,
                )
            processes.append(process)
            port = _wait_serving(process, log_path)
            servers.append(RunningServer(
                name=f"topicsflow-{mode}{count}-{node_id}", pid=process.pid,
                protocol="topicsflow", websocket_url=f"ws://127.0.0.1:{port}/ws",
            ))
        yield servers
    finally:
        _stop(processes)


def seed_rooms(substrate: Substrate, sizes: list[int], workdir: Path) -> dict[str, Any]:
    """Seed rooms of ``sizes`` members into ``substrate`` (for an embedded node: into the
    SQLite store of its data directory, before it starts); the accounts mapping."""
    target = substrate.mongodb_url
    if substrate.embedded:
        target = "sqlite:" + str(data_dir(substrate, workdir, "bench-1", "embedded", 1))
    result = subprocess.run(
        [sys.executable, "-m", "bench.cluster_seed", target, substrate.name,
         json.dumps(sizes)],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=SEED_TIMEOUT_S, check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"seeding failed:\n{result.stderr[-3000:]}")
    accounts: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return accounts
