"""``topicsflow status --url URL``: a node's ``/ops/status`` as a readable tree.

The command asks the node over HTTP with the ops token (``--token`` or
``TOPICSFLOW_OPS_TOKEN``) and prints the node's vital signs, then its supervision tree:
each supervisor with its strategy and restarts, each actor kind with its activations by
state, its deepest mailboxes and its last failures.  It exits 1 when the node cannot be
reached or refuses the token, with one line saying why.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from typing import Any

import httpx

TIMEOUT_S = 10.0


def add_status_parser(commands: Any) -> None:
    """Register the ``status`` sub-command."""
    status = commands.add_parser(
        "status",
        help="print a node's supervisor status as a tree",
        description="Fetch /ops/status from a running node and print it as a tree.",
    )
    status.add_argument("--url", default="http://127.0.0.1:8000", help="the node's base URL")
    status.add_argument("--token", help="the ops token (default: TOPICSFLOW_OPS_TOKEN)")
    status.add_argument("--json", action="store_true", help="print the raw JSON instead")


SLOW_BATCH_SECONDS = 0.01
"""A loop batch longer than this is reported: every task that became ready waited on it."""


def _batches_over(batches: dict[str, Any], seconds: float) -> str:
    """``batches`` (a :class:`supervisors.loop_load.BatchDurations` as JSON) in words: how
    many, and how many lasted longer than ``seconds`` (one of its bounds)."""
    count = batches["count"]
    at_most = dict(zip(batches["bounds_s"], batches["at_most"], strict=True))
    over = count - at_most.get(seconds, count)
    share = over / count if count else 0.0
    return f"{count} run, {over} over {seconds * 1000:.0f} ms ({share:.2%})"


def render_status(status: dict[str, Any]) -> Iterator[str]:
    """The lines of the readable tree for one ``/ops/status`` document."""
    lag = status["loop_lag"]
    hub = status["hub"]
    yield f"node {status['node']}  up {status['uptime_s']:.0f} s"
    yield (
        f"  storage {status['storage_backend']}, realtime {status['realtime_backend']}, "
        f"{status['connections']} connections, loop lag {lag['last_ms']:.1f} ms "
        f"(max {lag['max_ms']:.1f}), loop busy {lag.get('busy_share', 0.0):.0%}"
    )
    yield (
        f"  hub: {hub['channels']} channels, {hub['subscriptions']} subscriptions, "
        f"{hub['published']} published, {hub['dropped_slow']} slow consumers dropped"
    )
    batches = lag.get("batches")
    if batches:
        yield f"  loop batches: {_batches_over(batches, SLOW_BATCH_SECONDS)}"
    pauses = status.get("gc")
    if pauses:
        generations = ", ".join(
            f"gen {generation}: {count} ({total:.0f} ms, longest {longest:.1f} ms)"
            for generation, (count, total, longest) in enumerate(
                zip(pauses["collections"], pauses["total_ms"], pauses["longest_ms"], strict=True)
            )
        )
        yield f"  gc collections: {generations}"
    cluster = status.get("cluster")
    if cluster:
        yield (
            f"  cluster: {len(cluster['nodes'])} live nodes, {cluster['held_leases']} leases "
            f"held here, {cluster['forwarded']} forwarded, {cluster['lost_leases']} leases "
            f"lost, {cluster['relay_dropped']} relays dropped"
        )
        for member in cluster["nodes"]:
            here = "  (this node)" if member["node_id"] == cluster["node_id"] else ""
            yield (
                f"    node {member['node_id']}: {member['http_url'] or '-'}, "
                f"links {member['peer_address']}{here}"
            )
    yield from _supervisor(status["supervisor"], "  ")


def _supervisor(node: dict[str, Any], indent: str) -> Iterator[str]:
    yield f"{indent}supervisor {node['name']} ({node['strategy']}, {node['restarts']} restarts)"
    kind = node.get("kind")
    if kind:
        yield from _kind(kind, indent + "  ")
    for child in node.get("children", ()):
        if child.get("supervisor"):
            yield from _supervisor(child["supervisor"], indent + "  ")
        else:
            yield (
                f"{indent}  child {child['name']} [{child['state']}, {child['restart']}, "
                f"{child['restarts']} restarts]"
            )


def _kind(kind: dict[str, Any], indent: str) -> Iterator[str]:
    yield (
        f"{indent}kind {kind['kind']}: {kind['active']} active, {kind['activating']} "
        f"activating, {kind['restarting']} restarting; {kind['activations']} activations, "
        f"{kind['passivations']} passivations, {kind['restarts']} restarts"
    )
    for mailbox in kind.get("top_mailboxes", ()):
        yield (
            f"{indent}  mailbox {mailbox['id']}: {mailbox['depth']} queued "
            f"({mailbox['state']})"
        )
    for failure in kind.get("last_failures", ()):
        yield f"{indent}  failure {failure['name']}: {failure['error_type']}: {failure['message']}"


def run_status(arguments: argparse.Namespace) -> int:
    """Fetch and print the status; return the exit status."""
    token = arguments.token or os.environ.get("TOPICSFLOW_OPS_TOKEN")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    url = arguments.url.rstrip("/") + "/ops/status"
    try:
        response = httpx.get(url, headers=headers, timeout=TIMEOUT_S)
    except httpx.HTTPError as error:
        print(f"topicsflow: error: cannot reach {url}: {type(error).__name__}", file=sys.stderr)
        return 1
    if response.status_code != 200:
        print(
            f"topicsflow: error: {url} answered {response.status_code}"
            " (is the ops token right?)",
            file=sys.stderr,
        )
        return 1
    if arguments.json:
        print(response.text)
    else:
        print("\n".join(render_status(response.json())))
    return 0
