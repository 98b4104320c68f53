"""What the HTTP facade needs from the node, handed to :func:`create_app` explicitly.

The facade holds no module-level state: the node builds one :class:`FacadeContext` and
the app factory stores it on the app, where handlers reach it through
:func:`current_context`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING

from quart import current_app

from storage.dependency import DependencyGate
from topicsflow.settings import Settings

if TYPE_CHECKING:
    from actors.realtime.hub import Hub
    from http_facade.websocket.gateway import Gateway
    from services.content_filter import ContentFilter
    from services.email import Mailer
    from services.passwords import PasswordHasher
    from storage.protocols import Store
    from storage.protocols.identity import SessionStore
    from storage.realtime import Realtime
    from supervisors.monitor import NodeMonitor
    from supervisors.registry import Registry

ReadinessProbe = Callable[[], Awaitable[None]]
"""An async check that returns when a dependency answers and raises when it does not."""

EXTENSION_KEY = "topicsflow"


@dataclasses.dataclass(frozen=True, slots=True)
class FacadeContext:
    """The node's services as the facade sees them.

    ``readiness`` maps a dependency's name (``storage``, ``redis``…) to its probe;
    ``/readyz`` runs them all.  ``sessions`` is where login sessions live: Redis when
    configured, the embedded store otherwise.  The optional services are absent only in
    unit tests that build a bare app.
    """

    settings: Settings
    readiness: Mapping[str, ReadinessProbe] = dataclasses.field(default_factory=dict)
    store: Store | None = None
    realtime: Realtime | None = None
    sessions: SessionStore | None = None
    mailer: Mailer | None = None
    passwords: PasswordHasher | None = None
    hub: Hub | None = None
    gateway: Gateway | None = None
    registry: Registry | None = None
    monitor: NodeMonitor | None = None
    content_filter: ContentFilter | None = None
    gates: dict[str, DependencyGate] = dataclasses.field(default_factory=dict)
    """Each remote dependency's deadline and circuit breaker (``mongo``, ``redis``, and
    ``azure_blob`` while the app serves with Azure), for ``/readyz``; empty on the
    embedded node."""


def current_context() -> FacadeContext:
    """The context of the app handling the current request or WebSocket."""
    context: FacadeContext = current_app.extensions[EXTENSION_KEY]
    return context
