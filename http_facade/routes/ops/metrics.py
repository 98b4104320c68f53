"""``/metrics`` in Prometheus' text format: the node's state, read on each scrape.

A collector registered in a registry owned by the app (not prometheus-client's global
one) turns one :class:`~supervisors.monitor.NodeStatus` into gauges and counters; a
scrape therefore costs one in-memory snapshot, no storage query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Final

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeHistogramMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from supervisors.gc_pauses import GcPauses
from supervisors.monitor import NodeStatus
from supervisors.status import KindSnapshot, SupervisorSnapshot


def _kinds(snapshot: SupervisorSnapshot) -> Iterator[KindSnapshot]:
    if snapshot.kind is not None:
        yield snapshot.kind
    for child in snapshot.children:
        if child.supervisor is not None:
            yield from _kinds(child.supervisor)


MAILBOX_DEPTH_BOUNDS: Final = (0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
"""Buckets of ``topicsflow_mailbox_depth``: how many mailboxes hold at most that many."""

MailboxDepths = Callable[[Sequence[int]], Mapping[str, tuple[list[int], int, int]]]
"""Per kind: cumulative counts for the bounds, the number of mailboxes, the depths' sum
(:meth:`supervisors.registry.Registry.mailbox_depths`)."""


class NodeCollector(Collector):
    """Prometheus metrics of one node's status (and its mailboxes, when given)."""

    def __init__(
        self, status: Callable[[], NodeStatus], mailbox_depths: MailboxDepths | None = None
    ) -> None:
        self._status = status
        self._mailbox_depths = mailbox_depths

    def collect(self) -> Iterator[Metric]:
        status = self._status()
        yield GaugeMetricFamily("topicsflow_uptime_seconds", "Seconds since start", status.uptime_s)
        yield GaugeMetricFamily(
            "topicsflow_connections", "Open WebSocket connections", status.connections
        )
        yield GaugeMetricFamily(
            "topicsflow_connections_direct_write",
            "Open WebSocket connections whose frames are written straight to the socket",
            status.direct_write_connections,
        )
        yield GaugeMetricFamily(
            "topicsflow_event_loop_lag_seconds", "Last event-loop lag sample",
            status.loop_lag.last_ms / 1000,
        )
        yield GaugeMetricFamily(
            "topicsflow_event_loop_busy_ratio",
            "Share of the last quarter second the event loop spent running tasks",
            status.loop_lag.busy_share,
        )
        yield CounterMetricFamily(
            "topicsflow_event_loop_busy_seconds",
            "Wall seconds the event loop spent running tasks (its rate: the busy share)",
            status.loop_lag.busy_seconds_total,
        )
        batches = status.loop_lag.batches
        if batches is not None:
            yield HistogramMetricFamily(
                "topicsflow_event_loop_batch_seconds",
                "How long the event loop ran tasks between two looks for I/O",
                buckets=[
                    *((str(bound), float(count))
                      for bound, count in zip(batches.bounds_s, batches.at_most, strict=True)),
                    ("+Inf", float(batches.count)),
                ],
                sum_value=batches.total_seconds,
            )
        hub = status.hub
        yield GaugeMetricFamily(
            "topicsflow_subscriptions", "Channel subscriptions", hub.subscriptions
        )
        yield CounterMetricFamily(
            "topicsflow_events_published", "Events published to the hub", hub.published
        )
        yield CounterMetricFamily(
            "topicsflow_events_delivered", "Event deliveries to connections", hub.delivered
        )
        yield CounterMetricFamily(
            "topicsflow_slow_consumers_dropped", "Connections dropped as slow", hub.dropped_slow
        )
        active = GaugeMetricFamily("topicsflow_actors_active", "Active actors", labels=["kind"])
        restarts = CounterMetricFamily(
            "topicsflow_actor_restarts", "Actor restarts after failures", labels=["kind"]
        )
        activations = CounterMetricFamily(
            "topicsflow_actor_activations", "Actor activations", labels=["kind"]
        )
        deepest = GaugeMetricFamily(
            "topicsflow_mailbox_depth_max", "Deepest mailbox of the kind", labels=["kind"]
        )
        for kind in _kinds(status.supervisor):
            active.add_metric([kind.kind], kind.active)
            restarts.add_metric([kind.kind], kind.restarts)
            activations.add_metric([kind.kind], kind.activations)
            depth = max((mailbox.depth for mailbox in kind.top_mailboxes), default=0)
            deepest.add_metric([kind.kind], depth)
        passivations = CounterMetricFamily(
            "topicsflow_actor_passivations", "Actor passivations", labels=["kind"]
        )
        for kind in _kinds(status.supervisor):
            passivations.add_metric([kind.kind], kind.passivations)
        yield from (active, restarts, activations, passivations, deepest)
        if self._mailbox_depths is not None:
            yield _mailbox_depths(self._mailbox_depths(MAILBOX_DEPTH_BOUNDS))
        if status.gc is not None:
            yield from _gc_metrics(status.gc)
        cluster = status.cluster
        if cluster is not None:
            yield GaugeMetricFamily("topicsflow_cluster_nodes", "Live cluster nodes",
                                    len(cluster.nodes))
            yield GaugeMetricFamily("topicsflow_cluster_leases_held",
                                    "Actor leases this node holds", cluster.held_leases)
            yield CounterMetricFamily("topicsflow_cluster_forwarded",
                                      "Messages forwarded to other nodes", cluster.forwarded)
            yield CounterMetricFamily("topicsflow_cluster_leases_lost",
                                      "Leases this node lost", cluster.lost_leases)
            yield CounterMetricFamily("topicsflow_cluster_relay_dropped",
                                      "Events not relayed to other nodes", cluster.relay_dropped)
            yield CounterMetricFamily("topicsflow_cluster_relayed_in",
                                      "Events relayed here by other nodes", cluster.relayed_in)
            yield CounterMetricFamily("topicsflow_cluster_relay_gaps",
                                      "Times relayed events were missed", cluster.relay_gaps)
            yield CounterMetricFamily("topicsflow_cluster_links_accepted",
                                      "Peer links accepted from other nodes",
                                      cluster.links_accepted)


def _gc_metrics(pauses: GcPauses) -> Iterator[Metric]:
    collections = CounterMetricFamily(
        "topicsflow_gc_collections", "Cyclic GC collections", labels=["generation"]
    )
    paused = CounterMetricFamily(
        "topicsflow_gc_pause_seconds", "Time the cyclic GC held the process",
        labels=["generation"],
    )
    longest = GaugeMetricFamily(
        "topicsflow_gc_longest_pause_seconds", "Longest single cyclic GC collection",
        labels=["generation"],
    )
    for generation, count in enumerate(pauses.collections):
        label = [str(generation)]
        collections.add_metric(label, count)
        paused.add_metric(label, pauses.total_ms[generation] / 1000)
        longest.add_metric(label, pauses.longest_ms[generation] / 1000)
    yield from (collections, paused, longest)


def _mailbox_depths(
    depths: Mapping[str, tuple[list[int], int, int]],
) -> GaugeHistogramMetricFamily:
    family = GaugeHistogramMetricFamily(
        "topicsflow_mailbox_depth", "Messages queued per actor mailbox, now", labels=["kind"]
    )
    for kind, (cumulative, count, total) in depths.items():
        buckets = [(str(bound), float(n)) for bound, n in zip(MAILBOX_DEPTH_BOUNDS, cumulative,
                                                               strict=True)]
        buckets.append(("+Inf", float(count)))
        family.add_metric([kind], buckets, float(total))
    return family


def metrics_registry(
    status: Callable[[], NodeStatus], mailbox_depths: MailboxDepths | None = None
) -> CollectorRegistry:
    """A registry holding only this node's collector."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(NodeCollector(status, mailbox_depths))
    return registry


def render_metrics(*registries: CollectorRegistry) -> bytes:
    """The registries' metrics in the text exposition format, one after the other."""
    return b"".join(generate_latest(registry) for registry in registries)
