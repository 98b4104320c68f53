"""How long ``/ops/status`` takes on a node under a benchmark, polled like a dashboard.

    BENCH_TOPICSFLOW_OPS_TOKEN=probe-token .venv/bin/python bench/compare.py ... &
    .venv/bin/python bench/ops_status_probe.py --token probe-token [--every 2] [--json PATH]

Waits for the benchmark's node (a ``python -m topicsflow serve`` process), finds its
listening port, and asks ``GET /ops/status`` with the ops token every ``--every`` seconds
until the node exits; prints each round trip in ms and, with ``--json``, writes them all.
Run beside ``bench/compare.py`` (which passes ``BENCH_TOPICSFLOW_*`` to the node): the
steps' p99 then show whether a status request holds up deliveries.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
import urllib.request
from pathlib import Path


def node_pid() -> int | None:
    """The pid of a running ``python -m topicsflow`` process, if any."""
    found = subprocess.run(["pgrep", "-f", "topicsflow"], capture_output=True, text=True)
    for pid in found.stdout.split():
        try:
            command = Path(f"/proc/{pid}/cmdline").read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if "-m\x00topicsflow" in command:
            return int(pid)
    return None


def listening_port(pid: int) -> int | None:
    """The TCP port process ``pid`` listens on (``ss -ltnp``), if it does yet."""
    listing = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True).stdout
    for line in listing.splitlines():
        if f"pid={pid}," in line:
            return int(line.split()[3].rsplit(":", 1)[1])
    return None


def main() -> None:
    """Poll until the node exits; print and record each round trip."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--token", required=True)
    parser.add_argument("--every", type=float, default=2.0)
    parser.add_argument("--json", dest="json_path")
    arguments = parser.parse_args()
    while (pid := node_pid()) is None:
        time.sleep(0.3)
    while (port := listening_port(pid)) is None:
        time.sleep(0.3)
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/ops/status",
        headers={"Authorization": f"Bearer {arguments.token}"},
    )
    rounds: list[dict[str, float]] = []
    while Path(f"/proc/{pid}").exists():
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                response.read()
        except OSError:
            time.sleep(arguments.every)
            continue
        took = (time.perf_counter() - started) * 1000
        rounds.append({"at": round(time.time(), 3), "ms": round(took, 2)})
        print(f"{time.strftime('%H:%M:%S')} /ops/status {took:.1f} ms", flush=True)
        time.sleep(arguments.every)
    if arguments.json_path:
        Path(arguments.json_path).write_text(json.dumps({"pid": pid, "rounds": rounds}) + "\n",
                                             encoding="utf-8")


if __name__ == "__main__":
    main()
