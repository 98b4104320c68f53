"""W3 REST create/list at concurrency 50 and W4 actor churn, ours only (peers: n/a).

:func:`run_w3` points the loadgen's REST mode (``loadgen -rest create|list``, Go
``net/http``, pinned to the loadgen CPU) at a freshly started node: 50 workers create
private rooms (``POST /api/chat-rooms``) for ``seconds``, then list the caller's rooms
(``GET /api/chat-rooms``) for ``seconds``.  The node limits writes to 60 and reads to 300 per
minute per user, so each worker rotates through its share of the seeded idle users and
uses each at most 50 (create) or 250 (list) times; a run that still got 429s reports
them in ``statuses`` rather than hiding them.

:func:`run_w4` runs ``bench/actors.py --json`` (tells, asks, activations, idle actor
memory) from the same source as the node, pinned to the server CPU.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from bench.loadgen_driver import latency_figures
from bench.node_process import pinned
from bench.servers import RunningServer, process_cpu_seconds
from bench.specs import Spec

PER_TOKEN = {"create": 50, "list": 250}
W4_TIMEOUT_S = 600


def run_w3(
    server: RunningServer, specs: list[Spec], *, loadgen: Path, cpu: int | None,
    workdir: Path, seconds: float, concurrency: int = 50,
) -> dict[str, Any]:
    """Run W3 against ``server`` (ours); see the module docstring."""
    spec_path = workdir / "rest-specs.json"
    spec_path.write_text(json.dumps(specs), encoding="utf-8")
    base_url = server.websocket_url.replace("ws://", "http://").rsplit("/ws", 1)[0]
    results: dict[str, Any] = {"concurrency": concurrency}
    for kind in ("create", "list"):
        cpu_before = process_cpu_seconds(server.pid)
        command = [str(loadgen), "-rest", kind, "-url", base_url, "-spec", str(spec_path),
                   "-rest-concurrency", str(concurrency), "-rest-seconds", str(seconds),
                   "-rest-per-token", str(PER_TOKEN[kind])]
        output = subprocess.run(pinned(command, cpu), capture_output=True, text=True,
                                check=True, timeout=seconds + 120).stdout
        reply = json.loads(output.strip().splitlines()[-1])
        buckets = Counter({int(index): int(count) for index, count in reply.pop("histogram")})
        ok = sum(count for status, count in reply["statuses"].items() if status.startswith("2"))
        results[kind] = {
            **reply, "ok_per_s": round(ok / reply["wall_seconds"]),
            "latency_ms": latency_figures(buckets),
            "server_cpu_share": round(
                (process_cpu_seconds(server.pid) - cpu_before) / reply["wall_seconds"], 3),
            "loadgen_cpu_share": round(reply["cpu_seconds"] / reply["wall_seconds"], 3),
        }
        print(f"W3 {kind}: {results[kind]['ok_per_s']}/s statuses={reply['statuses']} "
              f"p99={results[kind]['latency_ms']['p99']} ms", file=sys.stderr)
    return results


def run_w4(source: Path, cpu: int | None) -> dict[str, Any]:
    """``bench/actors.py --json`` from ``source``; its JSON object."""
    command = pinned([sys.executable, str(source / "bench" / "actors.py"), "--json"], cpu)
    output = subprocess.run(command, cwd=source, capture_output=True, text=True, check=True,
                            timeout=W4_TIMEOUT_S).stdout
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    print(f"W4 actors: {result}", file=sys.stderr)
    return result
