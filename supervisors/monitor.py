"""The node's vital signs for operators: uptime, connections, event-loop lag, GC pauses,
actor tree.

:class:`NodeMonitor` samples event-loop lag in a background task (how late a short
sleep wakes up: the time other tasks held the loop) and assembles a :class:`NodeStatus`
on demand from the registry's supervisor snapshot, the hub and the gateway.  Assembling
a status reads in-memory figures only: it costs no I/O and no scan of storage.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable

import msgspec
import trio

from actors.realtime.hub import Hub, HubStatistics
from protocol.fields import milliseconds
from storage.dependency import GateStatus
from supervisors.cluster.node import ClusterStatus
from supervisors.gc_pauses import GcPauses
from supervisors.loop_load import BatchDurations, LoopLoad
from supervisors.node_metrics import NodeMetrics, StoreOperationFigures
from supervisors.status import SupervisorSnapshot

LAG_SAMPLE_INTERVAL_S = 0.5


class LoopLag(msgspec.Struct, frozen=True):
    """Event-loop lag in milliseconds: the last sample and the worst since start; and how
    busy the loop is."""

    last_ms: float
    max_ms: float
    busy_share: float = 0.0
    """The share of the last quarter second's wall time the loop spent running tasks
    rather than waiting for I/O (supervisors/loop_load.py): near 1.0 it is saturated."""
    busy_seconds_total: float = 0.0
    """Wall seconds the loop spent running tasks since start (the share over any window
    is this counter's increase over the window's length)."""
    batches: BatchDurations | None = None
    """The loop's batches of task steps since start, by duration: what a task that
    becomes ready waits for (supervisors/loop_load.py)."""


class NodeStatus(msgspec.Struct, frozen=True, kw_only=True):
    """Everything ``/ops/status`` reports about one node."""

    node: str
    started_at: int
    uptime_s: float
    storage_backend: str
    realtime_backend: str
    connections: int
    direct_write_connections: int = 0
    """Open WebSockets on the direct write path (frames written straight to the socket,
    see http_facade/websocket/hypercorn_direct.py); the others use plain ASGI messages."""
    loop_lag: LoopLag
    hub: HubStatistics
    supervisor: SupervisorSnapshot
    cluster: ClusterStatus | None = None
    """Cluster mode: the nodes, leases held here and relay figures."""
    gc: GcPauses | None = None
    """Pauses of the cyclic garbage collector since start (supervisors/gc_pauses.py)."""
    store: tuple[StoreOperationFigures, ...] = ()
    """Calls and time per store operation since start, slowest on average first."""
    draining: bool = False
    """An operator drained the node: it refuses new sockets and reports not ready."""
    dependencies: tuple[GateStatus, ...] = ()
    """Each remote dependency's deadline and circuit breaker (``storage.dependency``)."""


class NodeMonitor:
    """Samples loop lag and builds :class:`NodeStatus` snapshots."""

    def __init__(
        self,
        *,
        node: str | None = None,
        cluster_status: Callable[[], ClusterStatus] | None = None,
        hub: Hub,
        supervisor_snapshot: Callable[[], SupervisorSnapshot],
        connection_count: Callable[[], int],
        direct_connection_count: Callable[[], int] = lambda: 0,
        gc_pauses: Callable[[], GcPauses] | None = None,
        loop_load: LoopLoad | None = None,
        storage_backend: str,
        realtime_backend: str,
        metrics: NodeMetrics | None = None,
        dependencies: Callable[[], tuple[GateStatus, ...]] = tuple,
    ) -> None:
        self._dependencies = dependencies
        self._hub = hub
        self._supervisor_snapshot = supervisor_snapshot
        self._connection_count = connection_count
        self._direct_connection_count = direct_connection_count
        self._gc_pauses = gc_pauses
        self._loop_load = loop_load
        self._storage_backend = storage_backend
        self._realtime_backend = realtime_backend
        self.node = node or f"{socket.gethostname()}:{os.getpid()}"
        self._cluster_status = cluster_status
        self.started_at = time.time()
        self._last_lag = 0.0
        self._max_lag = 0.0
        self.metrics = metrics or NodeMetrics()
        """The node's traffic counters (HTTP, WebSocket frames, store operations)."""
        self.draining = False

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Sample event-loop lag forever."""
        task_status.started()
        while True:
            before = trio.current_time()
            await trio.sleep(LAG_SAMPLE_INTERVAL_S)
            self.record_lag(trio.current_time() - before - LAG_SAMPLE_INTERVAL_S)

    def record_lag(self, lag_seconds: float) -> None:
        """Record one lag sample (seconds late)."""
        self._last_lag = max(0.0, lag_seconds)
        self._max_lag = max(self._max_lag, self._last_lag)

    def _loop_lag(self) -> LoopLag:
        load = self._loop_load
        return LoopLag(
            last_ms=self._last_lag * 1000,
            max_ms=self._max_lag * 1000,
            busy_share=0.0 if load is None else round(load.share(), 3),
            busy_seconds_total=0.0 if load is None else round(load.busy_seconds, 6),
            batches=None if load is None else load.batch_durations(),
        )

    def status(self) -> NodeStatus:
        """The node's status now."""
        now = time.time()
        return NodeStatus(
            node=self.node,
            started_at=milliseconds(self.started_at),
            uptime_s=now - self.started_at,
            storage_backend=self._storage_backend,
            realtime_backend=self._realtime_backend,
            connections=self._connection_count(),
            direct_write_connections=self._direct_connection_count(),
            loop_lag=self._loop_lag(),
            hub=self._hub.statistics(),
            supervisor=self._supervisor_snapshot(),
            cluster=None if self._cluster_status is None else self._cluster_status(),
            gc=None if self._gc_pauses is None else self._gc_pauses(),
            store=self.metrics.store_figures(),
            draining=self.draining,
            dependencies=self._dependencies(),
        )
