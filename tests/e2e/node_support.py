"""Logging users in on a test node and reaching its WebSocket (not a test module).

``tests/e2e/conftest.py`` re-exports these for the modules that import them from there.
"""

from __future__ import annotations

import dataclasses
import time

from services.tokens import new_token
from storage.keys import hash_token
from topicsflow.node import NodeHandle

OPS_TOKEN = "ops-token-for-tests"


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
