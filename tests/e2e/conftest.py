"""A node served in-process on a free loopback port, for end-to-end tests over real sockets."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import trio

from services.tokens import new_token
from storage.keys import hash_token
from topicsflow.node import NodeHandle, serve_node
from topicsflow.settings import Profile, Settings

OPS_TOKEN = "ops-token-for-tests"


@pytest.fixture
async def node(tmp_path: Path) -> AsyncIterator[NodeHandle]:
    """A running node on the embedded store in ``tmp_path``; drained after the test."""
    settings = Settings(
        profile=Profile.TESTING,
        port=0,
        data_dir=tmp_path,
        secret_key="k" * 40,
        ops_token=OPS_TOKEN,
    )
    shutdown = trio.Event()
    async with trio.open_nursery() as nursery:
        handle: NodeHandle = await nursery.start(serve_node, settings, shutdown)
        yield handle
        shutdown.set()


@dataclasses.dataclass(frozen=True)
class LoggedIn:
    """A user with a live login session."""

    user_id: str
    username: str
    token: str


async def log_in_new_user(node: NodeHandle, username: str) -> LoggedIn:
    """Create a user and a session straight in the node's stores (auth has its own tests)."""
    context = node.context
    assert context.store is not None
    assert context.sessions is not None
    user = await context.store.users.create(
        username=username, email=f"{username}@example.org", password_hash="unused"
    )
    token = new_token()
    await context.sessions.create(
        token_hash=hash_token(token), user_id=user.id, expires_at=time.time() + 3600
    )
    return LoggedIn(user_id=user.id, username=username, token=token)


def websocket_url(node: NodeHandle) -> str:
    """``ws://host:port/ws`` of the node."""
    return node.base_url.replace("http://", "ws://") + "/ws"
