"""Fixtures of the integration suite: a live node on the embedded store or the services.

``live_node`` is parametrised (``tests/integration/node_support.py``): ``embedded``
(SQLite and in-process sessions, rate limits and bus) and ``services`` (the Mongo-wire
server and Redis started by ``scripts/test``, in a database and key prefix of the test's
own, removed afterwards).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from services.email import OutboxMailer
from tests.auth_support import AuthDriver
from tests.integration.node_support import BACKENDS, node_settings, run_node
from topicsflow.node import NodeHandle


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
