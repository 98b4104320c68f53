"""Drive ``bench/loadgen`` processes against one server and merge what they report.

:class:`LoadgenPool` writes the connection specs to a file, starts ``processes`` loadgen
processes (each takes every ``processes``-th spec; process *k* pinned with ``taskset`` to
``cpus[k % len(cpus)]``, so that given as many CPUs as processes each has its own),
waits for every ``ready`` line, and then runs steps: :meth:`LoadgenPool.step` sends the
same ``step`` command to all of them and merges their replies (counts and CPU seconds
add up, histograms add per bucket; ``loadgen_publish_cpu_seconds`` is their CPU over the
publishing window alone, without the grace period).  :func:`latency_figures` turns a merged
histogram into milliseconds.  Every wait on a loadgen is bounded; a loadgen that exits or stays
silent raises ``RuntimeError``.  The pool is a context manager: leaving it sends
``quit`` and kills what has not exited within a few seconds.
"""

from __future__ import annotations

import json
import queue
import subprocess
import threading
from collections import Counter
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from bench.node_process import pinned
from bench.servers import RunningServer

BUCKET_GROWTH = 1.02
READY_TIMEOUT_S = 600.0
STEP_MARGIN_S = 60.0


def _read_lines(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def latency_figures(buckets: Counter[int]) -> dict[str, float | None]:
    """p50, p90, p99, p99.9 and max in ms (bucket geometric midpoints, 2 % resolution)."""
    total = sum(buckets.values())
    figures: dict[str, float | None] = {}
    ordered = sorted(buckets.items())
    for label, quantile in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("p999", 0.999)):
        figures[label] = None
        cumulative = 0
        for index, count in ordered:
            cumulative += count
            if total and cumulative >= quantile * total:
                figures[label] = round(BUCKET_GROWTH ** (index + 0.5) / 1000, 2)
                break
    figures["max"] = round(BUCKET_GROWTH ** (ordered[-1][0] + 1) / 1000, 2) if ordered else None
    return figures


class LoadgenPool:
    """See the module docstring."""

    def __init__(
        self, binary: Path, server: RunningServer, specs: list[dict[str, Any]], *,
        processes: int, cpus: list[int] | None, workdir: Path, payload_bytes: int,
    ) -> None:
        self._binary = binary
        self._server = server
        self._specs = specs
        self._processes_wanted = max(1, min(processes, max(1, len(specs))))
        self._cpus: list[int | None] = list(cpus) if cpus else [None]
        self._workdir = workdir
        self._payload_bytes = payload_bytes
        self._processes: list[subprocess.Popen[str]] = []
        self._lines: list[queue.Queue[str | None]] = []
        self.ready: dict[str, Any] = {}

    def __enter__(self) -> LoadgenPool:
        spec_path = self._workdir / f"specs-{self._server.name}-{len(self._specs)}.json"
        spec_path.write_text(json.dumps(self._specs), encoding="utf-8")
        for shard in range(self._processes_wanted):
            command = [
                str(self._binary), "-protocol", self._server.protocol,
                "-url", self._server.websocket_url, "-spec", str(spec_path),
                "-shard", str(shard), "-shards", str(self._processes_wanted),
                "-payload-bytes", str(self._payload_bytes),
            ]
            if self._server.keepalive_seconds is not None:
                command += ["-keepalive", f"{self._server.keepalive_seconds:g}s"]
            with open(self._workdir / f"loadgen-{shard}.log", "a", encoding="utf-8") as log:
                process = subprocess.Popen(
                    pinned(command, self._cpus[shard % len(self._cpus)]), stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE, stderr=log, text=True, bufsize=1,
                )
            lines: queue.Queue[str | None] = queue.Queue()
            assert process.stdout is not None
            threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True).start()
            self._processes.append(process)
            self._lines.append(lines)
        try:
            replies = self._collect("ready", READY_TIMEOUT_S)
        except BaseException:
            self._stop()
            raise
        self.ready = {
            "processes": len(replies),
            "connected": sum(reply["connected"] for reply in replies),
            "failed": sum(reply["failed"] for reply in replies),
            "setup_seconds": round(max(reply["setup_seconds"] for reply in replies), 2),
            "errors_sample": [e for reply in replies for e in reply["errors_sample"]][:5],
        }
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop()

    def _stop(self) -> None:
        for process in self._processes:
            if process.poll() is None and process.stdin is not None:
                try:
                    process.stdin.write("quit\n")
                    process.stdin.flush()
                except OSError:
                    pass
        for process in self._processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def _collect(self, event: str, timeout: float) -> list[dict[str, Any]]:
        replies = []
        for index, lines in enumerate(self._lines):
            while True:
                try:
                    line = lines.get(timeout=timeout)
                except queue.Empty:
                    raise RuntimeError(f"loadgen {index} silent for {timeout} s") from None
                if line is None:
                    raise RuntimeError(
                        f"loadgen {index} exited ({self._processes[index].wait()}); see "
                        f"{self._workdir}/loadgen-{index}.log"
                    )
                reply = json.loads(line)
                if reply.get("event") == event:
                    replies.append(reply)
                    break
        return replies

    def step(
        self, step_id: int, *, rooms: int, publishers: int, rate: float, duration: float,
        grace: float,
    ) -> dict[str, Any]:
        """Run one step on every loadgen; merged figures (see the module docstring)."""
        command = f"step {step_id} {rooms} {publishers} {rate} {duration} {grace}\n"
        for process in self._processes:
            assert process.stdin is not None
            process.stdin.write(command)
            process.stdin.flush()
        replies = self._collect("step", duration + grace + STEP_MARGIN_S)
        buckets: Counter[int] = Counter()
        for reply in replies:
            for index, count in reply["histogram"]:
                buckets[int(index)] += int(count)
        merged: dict[str, Any] = {
            key: sum(reply[key] for reply in replies)
            for key in ("publishers", "sent", "received", "acked", "publish_errors",
                        "lost_connections", "lost_connections_total")
        }
        merged["loadgen_cpu_seconds"] = round(sum(r["cpu_seconds"] for r in replies), 3)
        merged["wall_seconds"] = round(max(r["wall_seconds"] for r in replies), 3)
        merged["loadgen_publish_cpu_seconds"] = round(
            sum(r.get("publish_cpu_seconds", r["cpu_seconds"]) for r in replies), 3)
        merged["loadgen_publish_wall_seconds"] = round(
            max(r.get("publish_wall_seconds", r["wall_seconds"]) for r in replies), 3)
        merged["latency_ms"] = latency_figures(buckets)
        merged["errors_sample"] = [e for reply in replies for e in reply["errors_sample"]][:3]
        return merged
