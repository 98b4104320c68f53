"""Wiring of outgoing webhooks into the node (docs/WEBHOOKS.md).

:func:`open_webhooks` opens what a node's webhooks share — the HTTP client (bounded
connections and timeouts), the secret box, the hub tap — and yields a
:class:`WebhookRuntime`: its :meth:`~WebhookRuntime.kinds` join the node's actor kinds,
its :attr:`~WebhookRuntime.dispatch` runs as a child of the node's background nursery.
The client closes after the registry (it is opened before it), so actors flushing at
shutdown never meet a closed client.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import AsyncIterator, Callable

import httpx

from actors.realtime.hub import Hub
from actors.webhooks.commands import WEBHOOK
from actors.webhooks.tap import WebhookDispatch
from actors.webhooks.webhook import WebhookActor, WebhookServices
from services.webhook_signing import SecretBox
from storage.protocols import Store
from supervisors.kind import ActorKind
from topicsflow.webhook_settings import WebhookSettings

MAX_CONNECTIONS = 64


@dataclasses.dataclass(frozen=True, slots=True)
class WebhookRuntime:
    """A node's webhook services (see the module docstring)."""

    services: WebhookServices
    dispatch: WebhookDispatch

    def kinds(self) -> list[ActorKind]:
        """The ``webhook`` actor kind."""
        services = self.services
        return [
            ActorKind(
                WEBHOOK,
                lambda context: WebhookActor(context, services),
                mailbox_capacity=256,
                idle_timeout=300.0,
                # A turn may hold one delivery attempt, bounded by the settings' timeout.
                ask_timeout=max(5.0, services.settings.timeout_seconds + 5.0),
            )
        ]


@contextlib.asynccontextmanager
async def open_webhooks(
    settings: WebhookSettings,
    node_secret_key: str,
    store: Store,
    hub: Hub,
    *,
    clock: Callable[[], float] = time.time,
) -> AsyncIterator[WebhookRuntime]:
    """The node's webhook runtime, its tap added to ``hub``; the client closes on exit."""
    timeout = httpx.Timeout(settings.timeout_seconds)
    limits = httpx.Limits(
        max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS // 2
    )
    async with httpx.AsyncClient(
        timeout=timeout, limits=limits, follow_redirects=False, trust_env=False
    ) as client:
        dispatch = WebhookDispatch(store, settings, clock=clock)
        services = WebhookServices(
            store=store, settings=settings, box=SecretBox(node_secret_key), client=client,
            index=dispatch.index, clock=clock,
        )
        hub.add_tap(dispatch.observe)
        yield WebhookRuntime(services=services, dispatch=dispatch)
