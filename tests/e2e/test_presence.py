"""Presence over real WebSockets: combined across devices, seen only where people meet."""

from __future__ import annotations

import trio

from bots.client import Client, open_client
from protocol.chat_events import MessageCreated, PresenceChanged
from protocol.client_frames import SetPresence
from protocol.enums import PresenceStatus
from protocol.server_frames import ServerFrame
from storage.keys import conversation_id
from tests.e2e.chat_support import make_room, send
from tests.e2e.conftest import LoggedIn, log_in_new_user, websocket_url
from tests.e2e.messaging_support import (
    DEADLINE_S,
    next_of,
    presence_of,
    send_direct,
    wait_for_connections,
)
from tests.store_support import on_each_store
from topicsflow.node import NodeHandle

pytestmark = on_each_store("node")


async def next_presence_or_message(client: Client, user: LoggedIn) -> ServerFrame:
    """The next ``presence_changed`` of ``user`` or ``message_created``, skipping others."""
    while True:
        event = await client.next_event()
        if isinstance(event, MessageCreated):
            return event
        if isinstance(event, PresenceChanged) and event.user_id == user.user_id:
            return event


async def next_presence(client: Client, user: LoggedIn) -> PresenceChanged:
    """The next ``presence_changed`` of ``user``."""
    while True:
        event = await next_of(client, PresenceChanged)
        if event.user_id == user.user_id:
            return event


async def test_presence_combines_every_device_of_a_user(node: NodeHandle) -> None:
    alice, bob = await log_in_new_user(node, "alice"), await log_in_new_user(node, "bob")
    room = f"chat_room:{await make_room(node, bob, alice)}"
    url = websocket_url(node)
    with trio.fail_after(DEADLINE_S):
        async with open_client(url, token=bob.token) as bob_client:
            await bob_client.subscribe(room)
            async with open_client(url, token=alice.token) as laptop:
                online = await next_presence(bob_client, alice)
                assert (online.user_id, online.status) == (alice.user_id, PresenceStatus.ONLINE)
                async with open_client(url, token=alice.token) as phone:
                    await wait_for_connections(node, alice, 2)

                    await laptop.request(SetPresence, status="away")
                    assert (await presence_of(node, alice)).status is PresenceStatus.ONLINE
                    await send(phone, room, "marker")
                    marker = await next_presence_or_message(bob_client, alice)
                    assert isinstance(marker, MessageCreated)  # no "away" while one is online

                    await phone.request(SetPresence, status="away")
                    away = await next_presence_or_message(bob_client, alice)
                    assert isinstance(away, PresenceChanged)
                    assert away.status is PresenceStatus.AWAY and away.last_seen_at is None

                    await laptop.request(SetPresence, status="online")
                    back = await next_presence(bob_client, alice)
                    assert back.status is PresenceStatus.ONLINE
                await wait_for_connections(node, alice, 1)
                assert (await presence_of(node, alice)).status is PresenceStatus.ONLINE
                await send(laptop, room, "second marker")
                still = await next_presence_or_message(bob_client, alice)
                assert isinstance(still, MessageCreated)  # one device closed: still online
            offline = await next_presence(bob_client, alice)
    assert (offline.user_id, offline.status) == (alice.user_id, PresenceStatus.OFFLINE)
    assert offline.last_seen_at is not None


async def test_presence_reaches_conversation_partners_and_no_one_else(node: NodeHandle) -> None:
    alice, carol = await log_in_new_user(node, "alice"), await log_in_new_user(node, "carol")
    eve = await log_in_new_user(node, "eve")
    elsewhere = f"chat_room:{await make_room(node, eve)}"
    url = websocket_url(node)
    with trio.fail_after(DEADLINE_S):
        async with (
            open_client(url, token=carol.token) as carol_client,
            open_client(url, token=eve.token) as eve_client,
        ):
            await send_direct(carol_client, alice, "are you there?")
            await carol_client.subscribe(f"dm:{conversation_id(alice.user_id, carol.user_id)}")
            await eve_client.subscribe(elsewhere)
            async with open_client(url, token=alice.token):
                seen = await next_presence(carol_client, alice)
                assert (seen.user_id, seen.status) == (alice.user_id, PresenceStatus.ONLINE)
                await send(eve_client, elsewhere, "marker")
                first = await next_presence_or_message(eve_client, alice)
                assert isinstance(first, MessageCreated)  # eve shares nothing with alice
