"""Nodes of the integration tests on each backend: settings, serving, cleaning up.

Not a test module: ``tests/integration/conftest.py`` builds ``live_node`` from these, and
tests that serve a node of their own use them directly.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import coredis
import pytest
import trio

from tests.store_support import drop_mongo_database
from topicsflow.node import NodeHandle, serve_node
from topicsflow.settings import Profile, Settings

BACKENDS = [
    pytest.param("embedded", id="embedded"),
    pytest.param("services", id="services", marks=[pytest.mark.redis, pytest.mark.mongo]),
]


def node_settings(
    request: pytest.FixtureRequest, tmp_path: Path, unique_name: str, **overrides: Any
) -> Settings:
    """Settings of a test node on ``request.param``'s backend, listening on a free port."""
    base: dict[str, Any] = {
        "profile": Profile.TESTING,
        "port": 0,
        "data_dir": tmp_path,
        "secret_key": "s" * 40,
        **overrides,
    }
    if request.param == "services":
        base.update(
            mongodb_url=request.getfixturevalue("mongodb_url"),
            mongodb_database=unique_name,
            redis_url=request.getfixturevalue("redis_url"),
            redis_prefix=unique_name,
        )
    return Settings(**base)


async def forget_services(settings: Settings) -> None:
    """Drop the test's database and Redis keys (a no-op on the embedded backend)."""
    if settings.redis_url is not None:
        client: coredis.Redis[bytes] = coredis.Redis.from_url(settings.redis_url)
        async with client:
            keys = [key async for key in client.scan_iter(match=f"{settings.redis_prefix}:*")]
            if keys:
                await client.delete(keys)
    if settings.mongodb_url is not None:
        await drop_mongo_database(settings.mongodb_url, settings.mongodb_database)


async def run_node(settings: Settings) -> AsyncIterator[NodeHandle]:
    """Serve a node with ``settings`` for the duration of a fixture."""
    shutdown = trio.Event()
    try:
        async with trio.open_nursery() as nursery:
            handle: NodeHandle = await nursery.start(serve_node, settings, shutdown)
            yield handle
            shutdown.set()
    finally:
        await forget_services(settings)
