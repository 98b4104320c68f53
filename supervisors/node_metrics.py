"""The node's measured traffic: HTTP requests, WebSocket frames, store operations.

:class:`NodeMetrics` owns one prometheus-client ``CollectorRegistry`` (never the global
one: several nodes may share a process in tests) holding the families that are counted
as traffic happens:

* ``topicsflow_http_requests_total{route,method,status}`` and
  ``topicsflow_http_request_duration_seconds{route,method}`` — ``route`` is the route
  template (``/api/rooms/<room_id>``), ``unmatched`` for a path no route serves, so the
  label's values are bounded by the app's routes;
* ``topicsflow_ws_frames_in_total{type}`` (every client frame decoded: requests, pings,
  authentication, subscriptions) and ``topicsflow_ws_frames_out_total{type}`` (events
  delivered to connections, and each session's own replies, errors, pongs, goodbyes);
* ``topicsflow_store_operation_duration_seconds{operation}`` — ``messages.append``,
  ``users.get``…

The figures read from the node's state at scrape time (actors, mailboxes, hub, cluster)
are :mod:`http_facade.routes.ops.metrics`' collector.  Observing costs a lock and a
bucket search in prometheus-client; :meth:`store_child` and :meth:`frame_in_child` hand
out the labelled children so that hot paths look them up once.
"""

from __future__ import annotations

from typing import Final

import msgspec
from prometheus_client import CollectorRegistry, Counter, Histogram

LATENCY_BUCKETS: Final = (
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
)
"""Seconds: from an in-memory answer to a store that is struggling."""

UNMATCHED_ROUTE: Final = "unmatched"


class StoreOperationFigures(msgspec.Struct, frozen=True):
    """One store operation since start: how many calls and their total time."""

    operation: str
    calls: int
    total_ms: float


class NodeMetrics:
    """The counters and histograms above, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.http_requests = Counter(
            "topicsflow_http_requests", "HTTP requests answered",
            ["route", "method", "status"], registry=self.registry,
        )
        self.http_duration = Histogram(
            "topicsflow_http_request_duration_seconds", "HTTP request latency",
            ["route", "method"], buckets=LATENCY_BUCKETS, registry=self.registry,
        )
        self.ws_frames_in = Counter(
            "topicsflow_ws_frames_in", "WebSocket client frames decoded, by type",
            ["type"], registry=self.registry,
        )
        self.ws_frames_out = Counter(
            "topicsflow_ws_frames_out", "WebSocket frames written to connections, by type",
            ["type"], registry=self.registry,
        )
        self.store_duration = Histogram(
            "topicsflow_store_operation_duration_seconds", "Store operation latency",
            ["operation"], buckets=LATENCY_BUCKETS, registry=self.registry,
        )

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        """Count one answered HTTP request."""
        self.http_requests.labels(route, method, str(status)).inc()
        self.http_duration.labels(route, method).observe(seconds)

    def store_child(self, operation: str) -> Histogram:
        """The latency histogram of one store ``operation`` (look it up once)."""
        return self.store_duration.labels(operation)

    def frame_in_child(self, frame_type: str) -> Counter:
        """The counter of one request frame type."""
        return self.ws_frames_in.labels(frame_type)

    def frame_out_child(self, frame_type: str) -> Counter:
        """The counter of written frames of ``frame_type`` (a session's own replies)."""
        return self.ws_frames_out.labels(frame_type)

    def count_frames_out(self, frame_type: str, frames: int) -> None:
        """Count ``frames`` delivered event frames of ``frame_type``."""
        self.ws_frames_out.labels(frame_type).inc(frames)

    def store_figures(self) -> tuple[StoreOperationFigures, ...]:
        """Calls and total time per store operation since start, slowest on average first."""
        calls: dict[str, float] = {}
        totals: dict[str, float] = {}
        for family in self.store_duration.collect():
            for sample in family.samples:
                operation = sample.labels.get("operation", "")
                if sample.name.endswith("_count"):
                    calls[operation] = sample.value
                elif sample.name.endswith("_sum"):
                    totals[operation] = sample.value
        figures = [
            StoreOperationFigures(operation, int(count), round(totals.get(operation, 0) * 1000, 3))
            for operation, count in calls.items() if count
        ]
        figures.sort(key=lambda figure: figure.total_ms / figure.calls, reverse=True)
        return tuple(figures)
