"""Fixtures of the integration suite: a live node on the embedded store or the services.

``node_backend`` is parametrised: ``embedded`` (SQLite and in-process sessions, rate
limits and bus) and ``services`` (the Mongo-wire server and Redis started by
``scripts/test``, in a database and key prefix of the test's own, removed afterwards).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import coredis
import httpx
import pymongo
import pytest
import trio

from services.email import OutboxMailer
from tests.auth_support import AuthDriver
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
        url, database = settings.mongodb_url, settings.mongodb_database

        def drop() -> None:
            mongo: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(
                url, serverSelectionTimeoutMS=2000
            )
            try:
                mongo.drop_database(database)
            finally:
                mongo.close()

        await trio.to_thread.run_sync(drop)


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


@pytest.fixture(params=BACKENDS)
async def live_node(
    request: pytest.FixtureRequest, tmp_path: Path, unique_name: str
) -> AsyncIterator[NodeHandle]:
    """A node on each backend (see the module docstring)."""
    async for handle in run_node(node_settings(request, tmp_path, unique_name)):
        yield handle


@pytest.fixture
async def live_driver(live_node: NodeHandle) -> AsyncIterator[AuthDriver]:
    """An :class:`AuthDriver` over real HTTP to :func:`live_node`."""
    assert isinstance(live_node.context.mailer, OutboxMailer)
    async with httpx.AsyncClient(base_url=live_node.base_url) as client:
        yield AuthDriver(client, live_node.context.mailer)
