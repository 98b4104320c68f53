"""Counters and a mergeable latency histogram for load-test bots.

Contract:

* :class:`LatencyHistogram` buckets latencies logarithmically (2 % wide buckets from
  10 µs), so percentiles are exact to within 2 % and histograms from several worker
  processes merge by adding counts.  ``to_json``/``from_json`` round-trip it as a
  ``{bucket: count}`` mapping.
* :class:`BotStats` is one worker's cumulative counters; :meth:`BotStats.merge` adds
  another worker's.  Everything is plain data so it crosses process boundaries as JSON.
"""

from __future__ import annotations

import dataclasses
import math
import os
from typing import Any

_BASE_MS = 0.01
_RATIO = 1.02
_LOG_RATIO = math.log(_RATIO)


def bucket_of(latency_ms: float) -> int:
    """The bucket holding ``latency_ms`` (non-positive latencies land in bucket 0)."""
    if latency_ms <= _BASE_MS:
        return 0
    return int(math.log(latency_ms / _BASE_MS) / _LOG_RATIO) + 1


def bucket_upper_ms(bucket: int) -> float:
    """The upper edge, in milliseconds, of ``bucket``."""
    return float(_BASE_MS * _RATIO**bucket)


class LatencyHistogram:
    """Counts of latencies per logarithmic bucket; see the module docstring."""

    def __init__(self, counts: dict[int, int] | None = None) -> None:
        self.counts: dict[int, int] = dict(counts or {})
        self.total = sum(self.counts.values())
        self.max_ms = max((bucket_upper_ms(b) for b in self.counts), default=0.0)

    def record(self, latency_ms: float) -> None:
        """Count one latency."""
        bucket = bucket_of(latency_ms)
        self.counts[bucket] = self.counts.get(bucket, 0) + 1
        self.total += 1
        self.max_ms = max(self.max_ms, latency_ms)

    def merge(self, other: LatencyHistogram) -> None:
        """Add ``other``'s counts to this histogram."""
        for bucket, count in other.counts.items():
            self.counts[bucket] = self.counts.get(bucket, 0) + count
        self.total += other.total
        self.max_ms = max(self.max_ms, other.max_ms)

    def percentile(self, fraction: float) -> float | None:
        """The latency (ms, bucket upper edge) below which ``fraction`` of counts fall."""
        if self.total == 0:
            return None
        wanted = max(1, math.ceil(fraction * self.total))
        seen = 0
        for bucket in sorted(self.counts):
            seen += self.counts[bucket]
            if seen >= wanted:
                return round(bucket_upper_ms(bucket), 3)
        return round(self.max_ms, 3)

    def to_json(self) -> dict[str, int]:
        """The counts with string keys (JSON objects need them)."""
        return {str(bucket): count for bucket, count in self.counts.items()}

    @classmethod
    def from_json(cls, data: dict[str, int]) -> LatencyHistogram:
        """The inverse of :meth:`to_json`."""
        return cls({int(bucket): int(count) for bucket, count in data.items()})


@dataclasses.dataclass
class BotStats:
    """One worker's (or, merged, the whole run's) cumulative counters."""

    connections: int = 0  # connected (and subscribed) at least once
    sent: int = 0  # messages acknowledged by the server

    received: int = 0
    errors: int = 0
    expected: int = 0
    cpu_seconds: float = 0.0
    latency: LatencyHistogram = dataclasses.field(default_factory=LatencyHistogram)

    def merge(self, other: BotStats) -> None:
        """Add ``other``'s counters to these."""
        self.connections += other.connections
        self.sent += other.sent
        self.received += other.received
        self.errors += other.errors
        self.expected += other.expected
        self.cpu_seconds += other.cpu_seconds
        self.latency.merge(other.latency)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready mapping of every counter."""
        return {
            "connections": self.connections, "sent": self.sent, "received": self.received,
            "errors": self.errors, "expected": self.expected,
            "cpu_seconds": round(self.cpu_seconds, 3),
            "latency": self.latency.to_json(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BotStats:
        """The inverse of :meth:`to_json`."""
        return cls(
            connections=int(data["connections"]), sent=int(data["sent"]),
            received=int(data["received"]), errors=int(data["errors"]),
            expected=int(data.get("expected", 0)),
            cpu_seconds=float(data["cpu_seconds"]),
            latency=LatencyHistogram.from_json(data["latency"]),
        )


def process_cpu_seconds(pid: int | str = "self") -> float:
    """User + system CPU seconds of process ``pid`` from ``/proc`` (0.0 if unreadable)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as file:
            fields = file.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")
