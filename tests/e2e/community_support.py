"""Helpers of the topic, post and comment end-to-end contracts (not a test module).

The contracts (``test_community_*.py``) run on each store through the ``node`` fixture
(``pytestmark = on_each_store("node")``).  :class:`People` makes users with a REST client
each; the ``people`` fixture (``tests/e2e/conftest.py``) gives a test one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
import uuid
from typing import Any

import httpx
import msgspec
import trio

from bots.client import Client, ResumeIncomplete
from protocol.server_frames import ServerFrame
from services.tokens import new_token
from storage.keys import hash_token
from tests.e2e.node_support import websocket_url
from topicsflow.node import NodeHandle

DEADLINE_S = 30


@dataclasses.dataclass(frozen=True)
class Person:
    """A user with a live session and a REST client that sends its bearer token."""

    user_id: str
    token: str
    api: httpx.AsyncClient


class People:
    """Makes users on a node and opens their clients; everything closes with the test."""

    def __init__(
        self, node: NodeHandle, stack: contextlib.AsyncExitStack, nursery: trio.Nursery
    ) -> None:
        self.node = node
        self._stack = stack
        self._nursery = nursery
        self.clients: list[Client] = []

    async def new(self, name: str, *, admin: bool = False) -> Person:
        """A new user named ``name`` plus a unique suffix, logged in."""
        store, sessions = self.node.context.store, self.node.context.sessions
        assert store is not None
        assert sessions is not None
        username = f"{name}{uuid.uuid4().hex[:8]}"
        user = await store.users.create(
            username=username, email=f"{username}@example.org", password_hash="unused"
        )
        if admin:
            await store.users.set_admin(user.id, True)
        token = new_token()
        await sessions.create(
            token_hash=hash_token(token), user_id=user.id, expires_at=time.time() + 3600
        )
        api = await self._stack.enter_async_context(
            httpx.AsyncClient(
                base_url=self.node.base_url,
                headers={"Authorization": f"Bearer {token}"},
                timeout=DEADLINE_S,
            )
        )
        return Person(user_id=user.id, token=token, api=api)

    async def node_client(self) -> httpx.AsyncClient:
        """A REST client without credentials."""
        return await self._stack.enter_async_context(
            httpx.AsyncClient(base_url=self.node.base_url, timeout=DEADLINE_S)
        )

    async def connect(self, person: Person, **options: Any) -> Client:
        """A connected WebSocket client of ``person`` (closed with the test)."""
        client = Client(websocket_url(self.node), token=person.token, **options)
        await self._nursery.start(client.run)
        self.clients.append(client)
        return client


def ok(response: httpx.Response, status: int = 200) -> Any:
    """The JSON body of a response that must have ``status``."""
    assert response.status_code == status, (response.status_code, response.text)
    return response.json()


def refused(response: httpx.Response, status: int, code: str) -> str:
    """Check a refusal's status and error shape; return its message."""
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code, body
    message: str = body["error"]["message"]
    return message


async def new_topic(owner: Person, title: str | None = None, **fields: Any) -> dict[str, Any]:
    """A topic created over REST by ``owner``."""
    body = {"title": title or f"topic {uuid.uuid4().hex[:8]}", **fields}
    created: dict[str, Any] = ok(await owner.api.post("/api/topics", json=body), 201)
    return created


async def new_post(author: Person, topic_id: str, **fields: Any) -> dict[str, Any]:
    """A post created over REST by ``author``."""
    body = {"topic_id": topic_id, "title": f"post {uuid.uuid4().hex[:6]}", **fields}
    created: dict[str, Any] = ok(await author.api.post("/api/posts", json=body), 201)
    return created


async def new_comment(author: Person, post_id: str, **fields: Any) -> dict[str, Any]:
    """A comment created over REST by ``author``."""
    body = {"body": f"comment {uuid.uuid4().hex[:6]}", **fields}
    created: dict[str, Any] = ok(
        await author.api.post(f"/api/posts/{post_id}/comments", json=body), 201
    )
    return created


async def sequenced(client: Client, channel: str, count: int) -> list[ServerFrame]:
    """The next ``count`` sequenced events of ``channel`` (other frames are skipped)."""
    received: list[ServerFrame] = []
    with trio.fail_after(DEADLINE_S):
        while len(received) < count:
            event = await client.next_event()
            if isinstance(event, ResumeIncomplete):
                raise AssertionError(f"resume of {event.channel} was incomplete")
            if getattr(event, "channel", None) == channel and getattr(event, "seq", None):
                received.append(event)
    return received


async def collect(client: Client, counts: dict[str, int]) -> dict[str, list[ServerFrame]]:
    """The next sequenced events of several channels: ``counts[channel]`` of each."""
    received: dict[str, list[ServerFrame]] = {channel: [] for channel in counts}
    with trio.fail_after(DEADLINE_S):
        while any(len(received[channel]) < count for channel, count in counts.items()):
            event = await client.next_event()
            channel = getattr(event, "channel", None)
            if channel in received and getattr(event, "seq", None):
                received[channel].append(event)  # type: ignore[arg-type]
    return received


def encoded(frames: list[ServerFrame]) -> bytes:
    """The frames as JSON, to search for text that must not be there."""
    return b"\n".join(msgspec.json.encode(frame) for frame in frames)
