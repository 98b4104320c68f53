"""A real webhook receiver on loopback for the webhook tests, and a node runner with
webhook settings (not a test module).

:class:`Receiver` is a small ASGI app served by Hypercorn on ``127.0.0.1``: it records
every request, answers each with the next status of its script (200 once the script is
used up), and lets a test wait for a condition on what it received — no sleeps.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import socket
import time
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
import trio
from hypercorn.config import Config
from hypercorn.trio import serve

from services.webhook_signing import verify
from tests.e2e.node_support import OPS_TOKEN
from tests.store_support import MONGO
from topicsflow.node import NodeHandle, serve_node
from topicsflow.settings import Profile, Settings
from topicsflow.webhook_settings import WebhookSettings

WAIT_S = 20

FAST = WebhookSettings(
    allow_private=True,
    timeout_seconds=3.0,
    retry_base_seconds=0.05,
    retry_max_seconds=0.2,
    disable_after=50,
    poll_seconds=0.05,
)
"""Test webhooks: loopback receivers allowed, retries within a fraction of a second."""


@dataclasses.dataclass(frozen=True)
class Received:
    """One request as the receiver saw it, and the status it answered."""

    headers: dict[str, str]
    body: bytes
    status: int

    @property
    def document(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.body)
        return loaded


class Receiver:
    """The recording ASGI app (module docstring)."""

    def __init__(self, statuses: Iterable[int] = ()) -> None:
        self.requests: list[Received] = []
        self._statuses = list(statuses)
        self._changed = trio.Event()

    @property
    def accepted(self) -> list[Received]:
        """The requests answered 2xx."""
        return [request for request in self.requests if 200 <= request.status < 300]

    def script(self, statuses: Iterable[int]) -> None:
        """Answer the next requests with ``statuses`` (then 200)."""
        self._statuses = list(statuses)

    async def wait_for(self, condition: Callable[[], bool]) -> None:
        """Return once ``condition()`` holds; fail after :data:`WAIT_S` seconds."""
        with trio.fail_after(WAIT_S):
            while not condition():
                self._changed = trio.Event()
                await self._changed.wait()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = bytearray()
        while True:
            message = await receive()
            body.extend(message.get("body", b""))
            if not message.get("more_body"):
                break
        status = self._statuses.pop(0) if self._statuses else 200
        headers = {name.decode().lower(): value.decode() for name, value in scope["headers"]}
        self.requests.append(Received(headers=headers, body=bytes(body), status=status))
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b"ok" if status < 300 else b"nope"})
        self._changed.set()


def signed_by(request: Received, secret: str) -> bool:
    """Whether ``request`` carries a valid signature by ``secret``."""
    return verify(
        secret,
        request.headers.get("x-topicsflow-timestamp"),
        request.headers.get("x-topicsflow-signature"),
        request.body,
        now=time.time(),
    )


@contextlib.asynccontextmanager
async def serving(app: Any, port: int = 0) -> AsyncIterator[str]:
    """Serve ``app`` on ``127.0.0.1:port``; yields its base URL; stops on exit."""
    config = Config()
    config.bind = [f"127.0.0.1:{port}"]
    config.accesslog = None
    config.graceful_timeout = 0.5
    stop = trio.Event()
    async with trio.open_nursery() as nursery:
        binds: list[str] = await nursery.start(
            lambda task_status: serve(
                app, config, shutdown_trigger=stop.wait, task_status=task_status, mode="asgi"
            )
        )
        yield binds[0]
        stop.set()


def free_port() -> int:
    """A loopback port nothing listens on (bound and released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def node_settings(
    request: pytest.FixtureRequest, backend: str, data_dir: Path, webhooks: WebhookSettings
) -> Settings:
    """Settings of a test node on ``backend`` (the test's own Mongo database, or SQLite in
    ``data_dir``) with ``webhooks``."""
    stores: dict[str, Any] = {}
    if backend == MONGO:
        stores = {
            "mongodb_url": request.getfixturevalue("mongodb_url"),
            "mongodb_database": request.getfixturevalue("unique_name"),
        }
    return Settings(
        profile=Profile.TESTING, port=0, data_dir=data_dir, secret_key="k" * 40,
        ops_token=OPS_TOKEN, webhooks=webhooks, **stores,
    )


@contextlib.asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[NodeHandle]:
    """A node served with ``settings`` until the block ends (then drained)."""
    shutdown = trio.Event()
    async with trio.open_nursery() as nursery:
        handle: NodeHandle = await nursery.start(serve_node, settings, shutdown)
        yield handle
        shutdown.set()


@dataclasses.dataclass(frozen=True)
class Nodes:
    """Starts nodes on one test store (SQLite in ``data_dir`` or the test's Mongo
    database): one after the other, as a restart does."""

    request: pytest.FixtureRequest
    backend: str
    data_dir: Path

    def run(self, webhooks: WebhookSettings = FAST) -> contextlib.AbstractAsyncContextManager[
        NodeHandle
    ]:
        """A node on the test's store with ``webhooks`` settings, drained on exit."""
        return running(node_settings(self.request, self.backend, self.data_dir, webhooks))
