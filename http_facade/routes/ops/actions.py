"""What an operator may do to a running node, from the dashboard or a script.

Every route here is for operators (:func:`~http_facade.operators.operator_required`: the
``TOPICSFLOW_OPS_TOKEN`` bearer or an admin's session; 401 or 403 otherwise).  The three
actions are written to the moderation audit log (``GET /api/admin/audit``) with the
operator's name — the admin's user id, or ``ops-token``:

* ``POST /ops/actors/<kind>/<id>/passivate`` — the actor flushes its state and
  passivates once its mailbox is empty (``ops.actor.passivate``); its next message
  activates it again.  404 when it has no activation on this node.
* ``POST /ops/connections/<connection_id>/evict`` — the connection is closed with 1001
  and a ``goodbye`` (``ops.connection.evict``); the client may reconnect and resume.
* ``POST /ops/drain`` — the node refuses new WebSockets, closes the open ones with 1001
  and answers ``/readyz`` with 503 ``draining``, so a load balancer takes it out of
  rotation (``ops.node.drain``).  The process keeps serving HTTP until it is stopped.

And two listings the dashboard offers those actions from: ``GET /ops/actors/<kind>``
(activations of a kind, deepest mailbox first) and ``GET /ops/connections``.
"""

from __future__ import annotations

import heapq

import msgspec
from quart import Blueprint
from quart_schema import validate_querystring, validate_response

from actors.runtime.errors import UnknownActorKind
from actors.runtime.ref import Address
from actors.runtime.statistics import ActorStatistics
from http_facade.context import FacadeContext, current_context
from http_facade.errors import ApiError
from http_facade.node_access import store
from http_facade.operators import operator_required
from protocol.errors import ErrorCode
from protocol.fields import milliseconds

MAX_LISTED = 200

blueprint = Blueprint("ops_actions", __name__)


class ActorQuery(msgspec.Struct, frozen=True, kw_only=True):
    """How many activations to list (deepest mailboxes, then the busiest, first)."""

    limit: int = msgspec.field(default=50)


class ActorList(msgspec.Struct, frozen=True, kw_only=True):
    """Activations of one kind on this node."""

    kind: str
    actors: list[ActorStatistics]


class ConnectionInfo(msgspec.Struct, frozen=True, kw_only=True):
    """One open WebSocket on this node (``user_id`` is None before it authenticates)."""

    id: str
    user_id: str | None
    connected_at: int
    ephemeral_dropped: int


class ConnectionList(msgspec.Struct, frozen=True, kw_only=True):
    """Open WebSockets on this node, oldest first (at most 200), and how many there are."""

    total: int
    connections: list[ConnectionInfo]


class ActionDone(msgspec.Struct, frozen=True, kw_only=True):
    """What an operator's action did: its audit ``action`` and ``target``."""

    action: str
    target: str


def _context() -> FacadeContext:
    context = current_context()
    if context.registry is None or context.gateway is None or context.monitor is None:
        raise ApiError(ErrorCode.UNAVAILABLE, "the node has no actors or gateway")
    return context


async def _audited(operator_id: str, action: str, kind: str, target: str) -> ActionDone:
    await store().reports.append_audit(
        actor_id=operator_id, action=action, target_kind=kind, target_id=target,
        details="from the ops dashboard or API",
    )
    return ActionDone(action=action, target=target)


@blueprint.get("/ops/actors/<kind>")
@operator_required
@validate_querystring(ActorQuery)
@validate_response(ActorList)
async def list_actors(operator_id: str, kind: str, query_args: ActorQuery) -> ActorList:
    """Activations of ``kind`` on this node: deepest mailbox first, then the busiest."""
    registry = _context().registry
    assert registry is not None
    limit = min(max(query_args.limit, 1), MAX_LISTED)
    try:
        actors = registry.actors(kind, limit)
    except UnknownActorKind:
        raise ApiError(ErrorCode.NOT_FOUND, f"no actor kind {kind!r}") from None
    return ActorList(kind=kind, actors=actors)


@blueprint.post("/ops/actors/<kind>/<actor_id>/passivate")
@operator_required
@validate_response(ActionDone)
async def passivate_actor(operator_id: str, kind: str, actor_id: str) -> ActionDone:
    """Passivate one actor: it flushes and stops once its mailbox is empty (audited)."""
    registry = _context().registry
    assert registry is not None
    address = Address(kind, actor_id)
    if not registry.passivate(address):
        raise ApiError(ErrorCode.NOT_FOUND, "that actor has no activation on this node")
    return await _audited(operator_id, "ops.actor.passivate", "actor", str(address))


@blueprint.get("/ops/connections")
@operator_required
@validate_response(ConnectionList)
async def list_connections(operator_id: str) -> ConnectionList:
    """Open WebSockets on this node, oldest first."""
    gateway = _context().gateway
    assert gateway is not None
    # The oldest MAX_LISTED without sorting them all: the dashboard asks every second.
    oldest = heapq.nsmallest(
        MAX_LISTED, gateway.sessions(), key=lambda session: session.connected_at
    )
    return ConnectionList(
        total=gateway.connection_count(),
        connections=[
            ConnectionInfo(
                id=session.connection_id,
                user_id=None if session.principal is None else session.principal.user_id,
                connected_at=milliseconds(session.connected_at),
                ephemeral_dropped=session.ephemeral_dropped,
            )
            for session in oldest
        ],
    )


@blueprint.post("/ops/connections/<connection_id>/evict")
@operator_required
@validate_response(ActionDone)
async def evict_connection(operator_id: str, connection_id: str) -> ActionDone:
    """Close one WebSocket with 1001 (audited); the client may reconnect."""
    gateway = _context().gateway
    assert gateway is not None
    if not gateway.evict(connection_id):
        raise ApiError(ErrorCode.NOT_FOUND, "no such connection on this node")
    return await _audited(operator_id, "ops.connection.evict", "connection", connection_id)


@blueprint.post("/ops/drain")
@operator_required
@validate_response(ActionDone)
async def drain_node(operator_id: str) -> ActionDone:
    """Drain this node: refuse and close WebSockets, report not ready (audited)."""
    context = _context()
    assert context.gateway is not None and context.monitor is not None
    context.gateway.drain()
    context.monitor.draining = True
    return await _audited(operator_id, "ops.node.drain", "node", context.monitor.node)
