"""The node's tree: one process, one root, one graceful shutdown (docs/ARCHITECTURE.md).

:func:`serve_node` owns everything the node runs: the parts opened by
:func:`~topicsflow.node.services.open_node_services` (the store and the Redis or
in-process realtime services, the registry, the fan-out hub, the WebSocket gateway and the
HTTP facade) and the children it runs, Hypercorn among them.  It reports a
:class:`NodeHandle` (bound addresses and services) through ``task_status.started``, so a
test can bind port 0 and learn the port.  When ``shutdown``
is set it drains: the gateway refuses new sockets and says goodbye to open ones (1001),
Hypercorn stops accepting and finishes in-flight requests within
``settings.shutdown_grace_seconds``, then the stores close.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable

import trio
from hypercorn.config import Config as HypercornConfig
from hypercorn.trio import serve

from http_facade.context import FacadeContext
from http_facade.websocket.asgi_transport import AsgiApp
from http_facade.websocket.hypercorn_direct import contain_connection_failures
from supervisors.account_jobs import account_jobs_supervisor
from supervisors.cluster.presence import sweep_presence
from supervisors.offline_delivery import offline_delivery_supervisor
from supervisors.retention import RetentionJob, retention_supervisor
from supervisors.stale_calls import call_actor_closer
from topicsflow.node.services import open_node_services
from topicsflow.settings import Settings

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True, slots=True)
class NodeHandle:
    """What a started node reports: where it listens and its services (tests use both)."""

    binds: list[str]
    context: FacadeContext

    @property
    def base_url(self) -> str:
        """The first bound address, e.g. ``http://127.0.0.1:8000``."""
        return self.binds[0]


def hypercorn_config(settings: Settings) -> HypercornConfig:
    """Hypercorn's settings for the node: one bind, bounded drains, no server header."""
    config = HypercornConfig()
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    config.bind = [f"{host}:{settings.port}"]
    config.graceful_timeout = settings.shutdown_grace_seconds
    config.include_server_header = False
    config.accesslog = None  # topicsflow.access logs each request once, redacted
    config.errorlog = logger
    config.h11_max_incomplete_size = 16 * 1024
    config.websocket_max_message_size = 64 * 1024
    return config


async def serve_node(
    settings: Settings,
    shutdown: trio.Event,
    *,
    task_status: trio.TaskStatus[NodeHandle] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Run the node until ``shutdown`` is set; report a :class:`NodeHandle` when listening.

    The parts open in :func:`~topicsflow.node.services.open_node_services`; the children
    run here: the monitor, the presence sweep (cluster mode), the retention supervisor and
    the account-jobs schedule in one nursery, Hypercorn in a nested one, so that on
    shutdown the server drains first, then the children stop, then the parts close in
    reverse order.
    """
    async with open_node_services(settings) as node:

        async def drain_then_stop() -> None:
            await shutdown.wait()
            node.gateway.drain()

        async with trio.open_nursery() as background:
            await background.start(node.monitor.run)
            await background.start(node.gateway.check_sessions)
            if node.cluster is not None:
                await background.start(sweep_presence, node.presence, node.registry)
            retention = RetentionJob.from_settings(
                node.store, settings.retention, close_call=call_actor_closer(node.registry)
            )
            await background.start(retention_supervisor(retention).run)
            await background.start(account_jobs_supervisor(node.registry).run)
            if node.webhooks is not None:
                await background.start(node.webhooks.dispatch.run, node.registry.ref)
            if node.delivery is not None:
                await background.start(offline_delivery_supervisor(node.delivery).run)
            async with trio.open_nursery() as server:
                binds: list[str] = await server.start(
                    serve_asgi, node.application, hypercorn_config(settings), drain_then_stop
                )
                logger.info("serving on %s", ", ".join(binds))
                if node.cluster is not None:
                    await node.cluster.serving_at(binds[0])
                task_status.started(NodeHandle(binds=binds, context=node.context))
            background.cancel_scope.cancel()


async def serve_asgi(
    application: AsgiApp,
    config: HypercornConfig,
    shutdown_trigger: Callable[[], Awaitable[None]],
    *,
    task_status: trio.TaskStatus[list[str]] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Serve ``application`` with Hypercorn until ``shutdown_trigger`` returns (a failure
    inside one connection closes that connection only: ``contain_connection_failures``)."""
    contain_connection_failures()
    await serve(
        application,  # type: ignore[arg-type]
        config,
        shutdown_trigger=shutdown_trigger,
        task_status=task_status,
        mode="asgi",
    )
