"""Operations endpoints: liveness, readiness, the supervisor status, metrics.

``GET /healthz`` answers 200 while the process serves requests.  ``GET /readyz`` runs
every readiness probe of the node concurrently under a deadline and answers 200 when all
pass, 503 otherwise, naming each dependency's state (never its address or credentials).

``GET /ops/status`` (the node's :class:`~supervisors.monitor.NodeStatus`: supervisor
tree, actor kinds, mailboxes, restarts and failures, connections, loop lag) and
``GET /metrics`` (Prometheus text: the node's state at scrape time, and the traffic
counted by :class:`~supervisors.node_metrics.NodeMetrics`) are for operators: the bearer
token must be ``TOPICSFLOW_OPS_TOKEN`` or the session of an admin.  Anyone else gets 401
or 403.  The dashboard (``GET /ops``) and the operators' actions are
:mod:`http_facade.routes.ops.dashboard` and :mod:`http_facade.routes.ops.actions`.
"""

from __future__ import annotations

from typing import Literal

import msgspec
import trio
from quart import Blueprint, Response, jsonify
from quart_schema import document_response, hide, security_scheme

from http_facade.context import ReadinessProbe, current_context
from http_facade.errors import ApiError
from http_facade.operators import require_operator_id
from http_facade.routes.ops.metrics import metrics_registry, render_metrics
from protocol.errors import ErrorCode
from supervisors.monitor import NodeMonitor, NodeStatus

PROBE_TIMEOUT_S = 2.0

blueprint = Blueprint("ops", __name__)


class Health(msgspec.Struct, frozen=True, kw_only=True):
    """The process serves."""

    status: Literal["ok"]


class Readiness(msgspec.Struct, frozen=True, kw_only=True):
    """Each dependency's state (``ok``, ``timeout`` or ``unavailable``; ``node`` is
    ``draining`` once an operator drained the node) and the verdict."""

    status: Literal["ok", "unavailable"]
    checks: dict[str, str]
    breakers: dict[str, BreakerView] = msgspec.field(default_factory=dict)
    """Each remote dependency's circuit breaker (``storage.dependency``)."""


class BreakerView(msgspec.Struct, frozen=True, kw_only=True):
    """A dependency's circuit breaker: ``closed`` (calls go through) or ``open`` (calls
    fail at once until its probe answers), its deadline, and its counts."""

    state: Literal["closed", "open"]
    deadline_s: float
    opened_for_s: float | None
    openings: int
    rejected: int
    timeouts: int


@blueprint.get("/healthz")
@document_response(Health)
async def healthz() -> Response:
    """Liveness: the process is up and serving."""
    return jsonify({"status": "ok"})


@blueprint.get("/readyz")
@document_response(Readiness)
@document_response(Readiness, 503)
async def readyz() -> Response:
    """Readiness: storage, Redis and the other dependencies answer within the deadline,
    and no operator drained the node."""
    probes = current_context().readiness
    states: dict[str, str] = {}

    async def run_probe(name: str, probe: ReadinessProbe) -> None:
        try:
            with trio.fail_after(PROBE_TIMEOUT_S):
                await probe()
        except trio.TooSlowError:
            states[name] = "timeout"
        except Exception:  # any failure of a dependency means "not ready"
            states[name] = "unavailable"
        else:
            states[name] = "ok"

    async with trio.open_nursery() as nursery:
        for name, probe in probes.items():
            nursery.start_soon(run_probe, name, probe)
    monitor = current_context().monitor
    if monitor is not None and monitor.draining:
        states["node"] = "draining"  # an operator drained it (POST /ops/drain)
    ready = all(state == "ok" for state in states.values())
    breakers = {}
    for name, gate in current_context().gates.items():
        status = gate.status()
        breakers[name] = {
            "state": status.state, "deadline_s": status.deadline_s,
            "opened_for_s": status.opened_for_s, "openings": status.openings,
            "rejected": status.rejected, "timeouts": status.timeouts,
        }
    response = jsonify(
        {"status": "ok" if ready else "unavailable", "checks": states, "breakers": breakers}
    )
    response.status_code = 200 if ready else 503
    return response


async def require_operator() -> NodeMonitor:
    """Admit the ops token or an admin's session; return the node's monitor."""
    context = current_context()
    if context.monitor is None:
        raise ApiError(ErrorCode.UNAVAILABLE, "the node has no monitor")
    await require_operator_id()
    return context.monitor


@blueprint.get("/ops/status")
@document_response(NodeStatus)
@security_scheme([{"bearer": []}, {"session_cookie": []}])
async def ops_status() -> Response:
    """The node's status: supervisor tree, actor kinds, hub, connections, loop lag."""
    monitor = await require_operator()
    return Response(
        msgspec.json.encode(monitor.status()), content_type="application/json"
    )


@blueprint.get("/metrics")
@hide  # Prometheus' text format, not part of the JSON API
async def metrics() -> Response:
    """The node's key figures in Prometheus' text exposition format."""
    monitor = await require_operator()
    context = current_context()
    depths = None if context.registry is None else context.registry.mailbox_depths
    body = render_metrics(metrics_registry(monitor.status, depths), monitor.metrics.registry)
    return Response(body, content_type="text/plain; version=0.0.4; charset=utf-8")
