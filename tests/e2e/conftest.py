"""A node served in-process on a free loopback port, for end-to-end tests over real sockets.

``node`` runs on the embedded SQLite store.  A module whose tests are a contract of every
store says ``pytestmark = on_each_store("node")`` (``tests/store_support.py``): each of its
tests then runs on SQLite and, marked ``mongo``, on the Mongo-wire server, with ids
``[sqlite]`` and ``[mongo]``.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import trio

from tests.browser_support import browser, page  # noqa: F401 (fixtures for browser tests)
from tests.e2e.community_support import People
from tests.e2e.node_support import (  # the helpers, importable from here as before
    OPS_TOKEN,
    LoggedIn,
    log_in_new_user,
    websocket_url,
)
from tests.store_support import MONGO, drop_mongo_database, requested_backend
from topicsflow.node import NodeHandle, serve_node
from topicsflow.settings import Profile, Settings

__all__ = ["OPS_TOKEN", "LoggedIn", "log_in_new_user", "websocket_url"]


@pytest.fixture
async def node(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[NodeHandle]:
    """A running node, drained after the test: on the embedded store in ``tmp_path``, or,
    parametrised ``mongo``, on a database of the test's own on the Mongo-wire server
    (dropped afterwards)."""
    backend = requested_backend(request)
    stores: dict[str, Any] = {}
    if backend == MONGO:
        stores = {
            "mongodb_url": request.getfixturevalue("mongodb_url"),
            "mongodb_database": request.getfixturevalue("unique_name"),
        }
    settings = Settings(
        profile=Profile.TESTING,
        port=0,
        data_dir=tmp_path,
        secret_key="k" * 40,
        ops_token=OPS_TOKEN,
        **stores,
    )
    try:
        shutdown = trio.Event()
        async with trio.open_nursery() as nursery:
            handle: NodeHandle = await nursery.start(serve_node, settings, shutdown)
            yield handle
            shutdown.set()
    finally:
        if backend == MONGO:
            await drop_mongo_database(stores["mongodb_url"], stores["mongodb_database"])


@pytest.fixture
async def people(node: NodeHandle) -> AsyncIterator[People]:
    """Users and clients on the test's node (``tests/e2e/community_support.py``)."""
    async with trio.open_nursery() as nursery, contextlib.AsyncExitStack() as stack:
        people = People(node, stack, nursery)
        yield people
        for client in people.clients:
            await client.close()
        nursery.cancel_scope.cancel()
