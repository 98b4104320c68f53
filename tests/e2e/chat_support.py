"""Helpers of the chat-room end-to-end tests: a room with members, sending, reading.

Not a test module: the chat, call, file, gateway, moderation, notification and presence
tests share these.
"""

from __future__ import annotations

from actors.chat.commands import JoinRoom
from actors.chat.room import CHAT_ROOM
from bots.client import Client
from protocol.chat_events import MessageCreated
from protocol.client_frames import SendMessage
from protocol.control_frames import Ack, MessageAccepted
from tests.e2e.node_support import LoggedIn
from topicsflow.node import NodeHandle

DEADLINE_S = 30


async def make_room(node: NodeHandle, owner: LoggedIn, *members: LoggedIn) -> str:
    """A private group owned by ``owner`` that ``members`` were invited to and joined."""
    store, registry = node.context.store, node.context.registry
    assert store is not None
    assert registry is not None
    room = await store.rooms.create(owner_id=owner.user_id, name="lounge")
    for member in members:
        await store.rooms.members.invite(room.id, member.user_id, invited_by=owner.user_id)
        await registry.ref(CHAT_ROOM, room.id).ask(JoinRoom(user_id=member.user_id))
    return room.id


async def texts(client: Client, count: int) -> list[tuple[int, str]]:
    """The next ``count`` message_created events as (seq, text)."""
    received: list[tuple[int, str]] = []
    while len(received) < count:
        event = await client.next_event()
        if isinstance(event, MessageCreated):
            received.append((event.seq, event.message.text))
    return received


async def send(client: Client, channel: str, text: str) -> MessageAccepted:
    """Send ``text`` to ``channel``; the server's acceptance."""
    reply = await client.request(SendMessage, channel=channel, text=text)
    assert isinstance(reply, Ack)
    assert isinstance(reply.result, MessageAccepted)
    return reply.result
