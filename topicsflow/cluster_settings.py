"""Cluster-mode settings (``TOPICSFLOW_CLUSTER*``, ``TOPICSFLOW_NODE_ID``, lease ttl).

Cluster mode is off unless ``TOPICSFLOW_CLUSTER=true``.  It needs the shared substrate —
``TOPICSFLOW_REDIS_URL`` and ``TOPICSFLOW_MONGODB_URL`` — and an explicit
``TOPICSFLOW_SECRET_KEY`` equal on every node (it authenticates node-to-node links and
signs what any node must verify).  :func:`check_cluster` enforces that.
"""

from __future__ import annotations

import dataclasses
import os
import re
import secrets
import socket


def default_node_id() -> str:
    """``host-pid-random``: unique per process, readable in the status endpoint."""
    host = re.sub(r"[^A-Za-z0-9.-]", "-", socket.gethostname())[:32] or "node"
    return f"{host}-{os.getpid()}-{secrets.token_hex(3)}"


def parse_node_id(raw: str) -> str:
    value = raw.strip()
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", value):
        raise ValueError("expected 1 to 64 letters, digits, '.', '_' or '-'")
    return value


@dataclasses.dataclass(frozen=True, slots=True)
class ClusterSettings:
    """How this node joins the cluster."""

    node_id: str
    peer_host: str = "127.0.0.1"
    """Where the node-to-node link listens."""
    peer_port: int = 0
    """0: any free port (announced through the membership record)."""
    advertise_host: str | None = None
    """The host other nodes dial (default: ``peer_host``)."""
    lease_seconds: float = 5.0
    """How long an actor's lease outlives its owner's last renewal: the failover bound."""

    @property
    def dial_host(self) -> str:
        return self.advertise_host or self.peer_host


def check_cluster(*, redis_url: str | None, mongodb_url: str | None, explicit_secret: bool
                  ) -> tuple[str, str] | None:
    """The first missing requirement of cluster mode as ``(variable, problem)``, else None."""
    if redis_url is None:
        return "REDIS_URL", "required when TOPICSFLOW_CLUSTER=true (leases, membership, bus)"
    if mongodb_url is None:
        return "MONGODB_URL", "required when TOPICSFLOW_CLUSTER=true (shared storage)"
    if not explicit_secret:
        return "SECRET_KEY", "required when TOPICSFLOW_CLUSTER=true (equal on every node)"
    return None
