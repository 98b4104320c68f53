"""The node: one process, one root composition, one graceful shutdown.

:func:`serve_node` owns everything the node runs — today the HTTP facade on Hypercorn;
storage clients, the actor supervisors and the bus listener join it as their issues land.
It reports the addresses it listens on through ``task_status.started`` (so a test can
bind port 0 and learn the port) and returns once ``shutdown`` is set and the facade has
drained within ``settings.shutdown_grace_seconds``.
"""

from __future__ import annotations

import logging

import trio
from hypercorn.config import Config as HypercornConfig
from hypercorn.trio import serve

from http_facade.app import create_app
from http_facade.context import FacadeContext
from topicsflow.settings import Profile, Settings

logger = logging.getLogger(__name__)


def hypercorn_config(settings: Settings) -> HypercornConfig:
    """Hypercorn's settings for the node: one bind, bounded drains, no server header."""
    config = HypercornConfig()
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    config.bind = [f"{host}:{settings.port}"]
    config.graceful_timeout = settings.shutdown_grace_seconds
    config.include_server_header = False
    config.accesslog = "-" if settings.profile is Profile.DEVELOPMENT else None
    config.errorlog = logger
    config.h11_max_incomplete_size = 16 * 1024
    config.websocket_max_message_size = 64 * 1024
    return config


async def serve_node(
    settings: Settings,
    shutdown: trio.Event,
    *,
    task_status: trio.TaskStatus[list[str]] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Run the node until ``shutdown`` is set; report the bound addresses when listening."""
    context = FacadeContext(settings=settings)
    app = create_app(context)
    async with trio.open_nursery() as nursery:
        binds: list[str] = await nursery.start(
            serve_with_shutdown, app, hypercorn_config(settings), shutdown
        )
        logger.info("serving on %s", ", ".join(binds))
        task_status.started(binds)


async def serve_with_shutdown(
    app: object,
    config: HypercornConfig,
    shutdown: trio.Event,
    *,
    task_status: trio.TaskStatus[list[str]] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Serve ``app`` with Hypercorn until ``shutdown`` is set."""
    await serve(app, config, shutdown_trigger=shutdown.wait, task_status=task_status)  # type: ignore[arg-type]
