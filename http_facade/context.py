"""What the HTTP facade needs from the node, handed to :func:`create_app` explicitly.

The facade holds no module-level state: the node builds one :class:`FacadeContext` and
the app factory stores it on the app, where handlers reach it through
:func:`current_context`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping

from quart import current_app

from topicsflow.settings import Settings

ReadinessProbe = Callable[[], Awaitable[None]]
"""An async check that returns when a dependency answers and raises when it does not."""

EXTENSION_KEY = "topicsflow"


@dataclasses.dataclass(frozen=True, slots=True)
class FacadeContext:
    """The node's services as the facade sees them.

    ``readiness`` maps a dependency's name (``storage``, ``redis``…) to its probe;
    ``/readyz`` runs them all.
    """

    settings: Settings
    readiness: Mapping[str, ReadinessProbe] = dataclasses.field(default_factory=dict)


def current_context() -> FacadeContext:
    """The context of the app handling the current request or WebSocket."""
    context: FacadeContext = current_app.extensions[EXTENSION_KEY]
    return context
