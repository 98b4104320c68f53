"""The node: one process, one root composition, one graceful shutdown.

:func:`serve_node` owns everything the node runs: the store and the Redis (or in-process)
realtime services, the fan-out hub, the WebSocket gateway and the HTTP facade on
Hypercorn.  It reports a :class:`NodeHandle` (bound addresses and services) through
``task_status.started``, so a test can bind port 0 and learn the port.  When ``shutdown``
is set it drains: the gateway refuses new sockets and says goodbye to open ones (1001),
Hypercorn stops accepting and finishes in-flight requests within
``settings.shutdown_grace_seconds``, then the stores close.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import Awaitable, Callable

import trio
from hypercorn.config import Config as HypercornConfig
from hypercorn.trio import serve

from actors.realtime.hub import Hub
from actors.realtime.presence import PresenceBook
from actors.realtime.session import SessionServices
from http_facade.app import create_app
from http_facade.context import FacadeContext
from http_facade.websocket.asgi_transport import AsgiApp
from http_facade.websocket.gateway import Gateway
from services.authentication import SessionAuthenticator
from services.content_filter import ContentFilter
from services.email import SmtpConfig, build_mailer
from services.passwords import PasswordHasher
from storage import open_store
from storage.realtime import open_realtime
from supervisors.cluster.fanout import ClusterHub
from supervisors.cluster.node import ClusterNode, open_cluster
from supervisors.cluster.presence import RENEW_SECONDS as PRESENCE_RENEW_SECONDS
from supervisors.cluster.presence import TTL_SECONDS as PRESENCE_TTL_SECONDS
from supervisors.cluster.presence import sweep_presence
from supervisors.domain import actor_kinds, build_domain
from supervisors.gc_pauses import watch_gc_pauses
from supervisors.monitor import NodeMonitor
from supervisors.registry import open_registry
from supervisors.retention import RetentionJob, retention_supervisor
from supervisors.stale_calls import call_actor_closer
from topicsflow.settings import Profile, Settings

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
    """Run the node until ``shutdown`` is set; report a :class:`NodeHandle` when listening."""
    async with contextlib.AsyncExitStack() as stack:
        store = await stack.enter_async_context(
            open_store(
                settings.mongodb_url, data_dir=settings.data_dir, database=settings.mongodb_database
            )
        )
        realtime = await stack.enter_async_context(
            open_realtime(settings.redis_url, prefix=settings.redis_prefix)
        )
        sessions = realtime.sessions if settings.uses_redis else store.sessions
        cluster: ClusterNode | None = None
        presence = PresenceBook(ttl=None if settings.cluster is None else PRESENCE_TTL_SECONDS)
        hub: Hub
        if settings.cluster is None:
            hub = Hub()
        else:
            hub = ClusterHub(settings.cluster.node_id)
            cluster = await stack.enter_async_context(
                open_cluster(settings.cluster, settings.secret_key, realtime, hub)
            )
        content_filter = ContentFilter.from_rules(settings.content_rules)
        registry = await stack.enter_async_context(
            open_registry(
                actor_kinds(
                    store, hub, alias_secret=settings.secret_key, content_filter=content_filter,
                    presence=presence,
                )
            )
        )
        domain = build_domain(store, registry)
        gateway = Gateway(
            settings,
            SessionServices(
                hub=hub,
                authenticator=SessionAuthenticator(sessions, store.users),
                channels=domain.channels,
                router=domain.router,
                connections=domain.connections,
                resync_on_gap=cluster is not None,
                presence_renew_seconds=None if cluster is None else PRESENCE_RENEW_SECONDS,
            ),
        )

        if cluster is not None:
            await cluster.join(registry, gateway)

        gc_pauses = stack.enter_context(watch_gc_pauses())
        monitor = NodeMonitor(
            node=None if cluster is None else cluster.node_id,
            cluster_status=None if cluster is None else cluster.status,
            hub=hub,
            supervisor_snapshot=registry.snapshot,
            connection_count=gateway.connection_count,
            direct_connection_count=gateway.direct_connection_count,
            gc_pauses=gc_pauses.statistics,
            storage_backend=store.backend,
            realtime_backend=realtime.backend,
        )

        async def redis_ready() -> None:
            await realtime.cache.get(("readyz",))

        context = FacadeContext(
            settings=settings,
            readiness={"storage": store.ping, "redis": redis_ready},
            store=store,
            realtime=realtime,
            sessions=sessions,
            mailer=build_mailer(
                settings.email_backend,
                sender=settings.email_from,
                smtp=SmtpConfig(
                    host=settings.smtp_host or "",
                    port=settings.smtp_port,
                    username=settings.smtp_username,
                    password=settings.smtp_password,
                    starttls=settings.smtp_starttls,
                ),
                sendgrid_api_key=settings.sendgrid_api_key,
                development=settings.profile is Profile.DEVELOPMENT,
            ),
            passwords=PasswordHasher(),
            hub=hub,
            gateway=gateway,
            registry=registry,
            monitor=monitor,
            content_filter=content_filter,
        )
        application = gateway.wrap(create_app(context))

        async def drain_then_stop() -> None:
            await shutdown.wait()
            gateway.drain()

        async with trio.open_nursery() as background:
            await background.start(monitor.run)
            if cluster is not None:
                await background.start(sweep_presence, presence, registry)
            retention = RetentionJob.from_settings(
                store, settings.retention, close_call=call_actor_closer(registry)
            )
            await background.start(retention_supervisor(retention).run)
            async with trio.open_nursery() as server:
                binds: list[str] = await server.start(
                    serve_asgi, application, hypercorn_config(settings), drain_then_stop
                )
                logger.info("serving on %s", ", ".join(binds))
                if cluster is not None:
                    await cluster.serving_at(binds[0])
                task_status.started(NodeHandle(binds=binds, context=context))
            background.cancel_scope.cancel()


async def serve_asgi(
    application: AsgiApp,
    config: HypercornConfig,
    shutdown_trigger: Callable[[], Awaitable[None]],
    *,
    task_status: trio.TaskStatus[list[str]] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Serve ``application`` with Hypercorn until ``shutdown_trigger`` returns."""
    await serve(
        application,  # type: ignore[arg-type]
        config,
        shutdown_trigger=shutdown_trigger,
        task_status=task_status,
        mode="asgi",
    )
