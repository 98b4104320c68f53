"""The node's parts, opened in order and closed in reverse: :func:`open_node_services`.

Everything the node serves with is built here — the store, the realtime services (Redis
or in-process), the cluster link in cluster mode, the actor registry with one supervisor
per kind, the WebSocket gateway and the facade's context — and nothing runs yet except
what those parts own (the registry's kind hosts, the cluster's links).  The running
children (monitor, sweeps, retention, the server) are :mod:`topicsflow.node.tree`'s.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import socket
from collections.abc import AsyncIterator

from actors.realtime.hub import Hub
from actors.realtime.presence import PresenceBook
from actors.realtime.session import SessionLimits, SessionServices
from actors.users.offline_delivery import OfflineInbox
from http_facade.app import create_app
from http_facade.context import FacadeContext
from http_facade.routes.auth.account_jobs import account_jobs_parts, bind_account_jobs
from http_facade.routes.push.routes import bind_push
from http_facade.websocket.asgi_transport import AsgiApp
from http_facade.websocket.gateway import Gateway
from services.authentication import SessionAuthenticator
from services.content_filter import ContentFilter
from services.email import Mailer, SmtpConfig, build_mailer
from services.passwords import PasswordHasher
from storage import Store, open_store
from storage.dependency import DependencyGate
from storage.mongo import MongoOptions
from storage.realtime import Realtime, open_realtime
from storage.realtime.cached_sessions import CachedSessions
from supervisors.account_jobs import account_jobs_kind
from supervisors.cluster.node import ClusterNode, open_cluster
from supervisors.cluster.presence import RENEW_SECONDS as PRESENCE_RENEW_SECONDS
from supervisors.cluster.presence import TTL_SECONDS as PRESENCE_TTL_SECONDS
from supervisors.domain import actor_kinds, build_domain
from supervisors.gc_pauses import watch_gc_pauses
from supervisors.idle_collector import open_idle_collector
from supervisors.loop_load import watch_loop_load
from supervisors.monitor import NodeMonitor
from supervisors.node_metrics import NodeMetrics
from supervisors.offline_delivery import OfflineDeliveryRuntime, open_offline_delivery
from supervisors.registry import Registry, open_registry
from supervisors.token_scopes import scoped_domain
from supervisors.tracing import open_tracing
from supervisors.webhooks import WebhookRuntime, open_webhooks
from topicsflow.node.observed_realtime import (
    NodeFrameCounter,
    ObservedClusterHub,
    ObservedFrameRouter,
    ObservedHub,
)
from topicsflow.node.observed_store import observe_store
from topicsflow.settings import Profile, Settings


@dataclasses.dataclass(frozen=True, slots=True)
class NodeServices:
    """The opened parts of one node; valid inside :func:`open_node_services`' block."""

    settings: Settings
    store: Store
    realtime: Realtime
    cluster: ClusterNode | None
    presence: PresenceBook
    registry: Registry
    gateway: Gateway
    monitor: NodeMonitor
    context: FacadeContext
    application: AsgiApp
    webhooks: WebhookRuntime | None = None
    delivery: OfflineDeliveryRuntime | None = None


@contextlib.asynccontextmanager
async def open_node_services(settings: Settings) -> AsyncIterator[NodeServices]:
    """Open the node's parts for ``settings``; they close in reverse order on exit."""
    async with contextlib.AsyncExitStack() as stack:
        metrics = NodeMetrics()
        await stack.enter_async_context(open_tracing(settings.otlp_endpoint, node_name(settings)))
        store = await stack.enter_async_context(
            open_store(
                settings.mongodb_url,
                data_dir=settings.data_dir,
                database=settings.mongodb_database,
                mongo_options=MongoOptions(deadline=settings.dependency_deadline_seconds),
            )
        )
        raw_store, store = store, observe_store(store, metrics)
        realtime = await stack.enter_async_context(
            open_realtime(
                settings.redis_url, prefix=settings.redis_prefix,
                deadline=settings.dependency_deadline_seconds,
            )
        )
        cluster: ClusterNode | None = None
        presence = PresenceBook(ttl=None if settings.cluster is None else PRESENCE_TTL_SECONDS)
        hub: Hub
        if settings.cluster is None:
            hub = ObservedHub(metrics)
        else:
            hub = ObservedClusterHub(settings.cluster.node_id, metrics)
            cluster = await stack.enter_async_context(
                open_cluster(settings.cluster, settings.secret_key, realtime, hub)
            )
        content_filter = ContentFilter.from_rules(settings.content_rules)
        webhooks = await stack.enter_async_context(
            open_webhooks(settings.webhooks, settings.secret_key, store, hub)
        )
        jobs = account_jobs_parts(settings, store, node=node_name(settings))
        offline = OfflineInbox(settings.delivery.queue_limit)
        registry = await stack.enter_async_context(
            open_registry(
                [
                    *actor_kinds(
                        store, hub, alias_secret=settings.secret_key,
                        content_filter=content_filter, presence=presence,
                        offline=offline, batch_linger=settings.batch_linger_ms / 1000,
                        cluster=settings.cluster is not None,
                    ),
                    *webhooks.kinds(),
                    account_jobs_kind(jobs),
                ]
            )
        )
        sessions = store.sessions if realtime.redis_sessions is None else CachedSessions(
            store.sessions, realtime.redis_sessions
        )
        domain = scoped_domain(build_domain(store, registry))
        gateway = Gateway(
            settings,
            SessionServices(
                hub=hub,
                authenticator=SessionAuthenticator(
                    sessions, store.users, api_tokens=store.api_tokens
                ),
                channels=domain.channels,
                router=ObservedFrameRouter(domain.router, metrics),
                frame_counter=NodeFrameCounter(metrics),
                connections=domain.connections,
                resync_on_gap=cluster is not None,
                presence_renew_seconds=None if cluster is None else PRESENCE_RENEW_SECONDS,
                limits=SessionLimits(heartbeat_timeout=settings.heartbeat_timeout_seconds),
            ),
        )
        if cluster is not None:
            await cluster.join(registry, gateway)
        mailer = node_mailer(settings)
        delivery = await open_offline_delivery(settings, store, mailer, registry.ref, offline)
        gc_pauses = stack.enter_context(watch_gc_pauses())
        loop_load = stack.enter_context(watch_loop_load())
        await stack.enter_async_context(open_idle_collector(loop_load.share))
        gates = dependency_gates(raw_store, realtime)
        monitor = NodeMonitor(
            node=None if cluster is None else cluster.node_id,
            cluster_status=None if cluster is None else cluster.status,
            hub=hub,
            supervisor_snapshot=registry.snapshot,
            connection_count=gateway.connection_count,
            direct_connection_count=gateway.direct_connection_count,
            gc_pauses=gc_pauses.statistics,
            loop_load=loop_load,
            storage_backend=store.backend,
            realtime_backend=realtime.backend,
            metrics=metrics,
            dependencies=lambda: tuple(gate.status() for gate in gates.values()),
        )

        async def redis_ready() -> None:
            await realtime.cache.get(("readyz",))

        context = FacadeContext(
            settings=settings,
            readiness={"storage": store.ping, "redis": redis_ready},
            store=store,
            realtime=realtime,
            sessions=sessions,
            mailer=mailer,
            passwords=PasswordHasher(),
            hub=hub,
            gateway=gateway,
            registry=registry,
            monitor=monitor,
            content_filter=content_filter,
            gates=gates,
        )
        app = create_app(context)
        bind_account_jobs(jobs, context, app)
        bind_push(app, delivery.keys)
        yield NodeServices(
            settings=settings, store=store, realtime=realtime, cluster=cluster,
            presence=presence, registry=registry, gateway=gateway, monitor=monitor,
            context=context, application=gateway.wrap(app),
            webhooks=webhooks, delivery=delivery,
        )


def node_name(settings: Settings) -> str:
    """The node's name in traces: its cluster id, else ``host:pid`` (like the monitor's)."""
    if settings.cluster is not None:
        return settings.cluster.node_id
    return f"{socket.gethostname()}:{os.getpid()}"


def dependency_gates(store: Store, realtime: Realtime) -> dict[str, DependencyGate]:
    """The deadline-and-breaker gates of the node's remote dependencies, by name."""
    gates: dict[str, DependencyGate] = {}
    store_gate = getattr(store, "gate", None)  # MongoDB has one; SQLite is local
    if isinstance(store_gate, DependencyGate):
        gates["mongo"] = store_gate
    if realtime.gate is not None:
        gates["redis"] = realtime.gate
    return gates


def node_mailer(settings: Settings) -> Mailer:
    """The mailer the settings name (wrapped for development, see :mod:`services.email`)."""
    return build_mailer(
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
    )
