"""Helpers of the direct-message, presence and notification end-to-end tests.

Everything waits on events (frames from the server, replies, actor answers); the only
loop that re-checks is :func:`wait_for_connections`, which waits for the node to notice
a closed socket — a condition with no event a client can see.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

import httpx
import trio
import trio_websocket

from actors.realtime.presence import PresenceView
from actors.users.commands import USER, GetPresence
from bots.client import Client
from protocol.client_frames import SendDirectMessage
from protocol.codecs import SUBPROTOCOL_JSON
from protocol.control_frames import Ack, MessageAccepted
from protocol.server_frames import ServerFrame
from tests.e2e.node_support import LoggedIn, websocket_url
from topicsflow.node import NodeHandle

DEADLINE_S = 30
Event = TypeVar("Event", bound=ServerFrame)


async def next_of(client: Client, event_type: type[Event], channel: str | None = None) -> Event:
    """The next event of ``event_type`` (on ``channel`` when given), skipping others."""
    while True:
        event = await client.next_event()
        if isinstance(event, event_type) and (
            channel is None or getattr(event, "channel", None) == channel
        ):
            return event


async def send_direct(
    client: Client, recipient: LoggedIn, text: str, **fields: Any
) -> MessageAccepted:
    """Send a direct message and return its ``message_accepted``."""
    reply = await client.request(
        SendDirectMessage, recipient_id=recipient.user_id, text=text, **fields
    )
    assert isinstance(reply, Ack)
    assert isinstance(reply.result, MessageAccepted)
    return reply.result


def api(node: NodeHandle, user: LoggedIn) -> httpx.AsyncClient:
    """A REST client of ``node`` sending ``user``'s bearer token."""
    return httpx.AsyncClient(
        base_url=node.base_url, headers={"Authorization": f"Bearer {user.token}"}
    )


async def presence_of(node: NodeHandle, user: LoggedIn) -> PresenceView:
    """The user's presence as their user actor knows it."""
    registry = node.context.registry
    assert registry is not None
    view: PresenceView = await registry.ref(USER, user.user_id).ask(GetPresence())
    return view


async def wait_for_connections(node: NodeHandle, user: LoggedIn, count: int) -> PresenceView:
    """Wait until the node counts ``count`` live connections of ``user``."""
    while True:
        view = await presence_of(node, user)
        if view.connections == count:
            return view
        await trio.sleep(0.01)


async def raw_replies(node: NodeHandle, user: LoggedIn, frames: list[dict[str, Any]]) -> list[Any]:
    """Send hand-written JSON frames (the SDK refuses to build invalid ones); return the
    reply to each, matched by ``id``."""
    replies = []
    async with trio_websocket.open_websocket_url(
        websocket_url(node),
        subprotocols=[SUBPROTOCOL_JSON],
        extra_headers=[(b"authorization", f"Bearer {user.token}".encode())],
    ) as socket:
        for frame in frames:
            await socket.send_message(json.dumps(frame))
            while True:
                reply = json.loads(await socket.get_message())
                if reply.get("id") == frame["id"]:
                    replies.append(reply)
                    break
    return replies
