"""Call signalling over real WebSockets: ringing, relay among participants only, hang-up."""

from __future__ import annotations

import httpx
import pytest
import trio

from bots.client import Client, RequestFailed, open_client
from protocol.call_frames import (
    CallAccept,
    CallDecline,
    CallHangup,
    CallRinging,
    CallSignal,
    CallSignalReceived,
    CallStart,
    CallStateChanged,
)
from protocol.control_frames import Ack, CallCreated
from protocol.enums import CallState
from tests.e2e.chat_support import make_room
from tests.e2e.conftest import log_in_new_user, websocket_url
from tests.e2e.messaging_support import next_of
from topicsflow.node import NodeHandle

DEADLINE_S = 30


async def pending_signals(client: Client) -> list[CallSignalReceived]:
    """Every call_signal already delivered to ``client`` (waits briefly for stragglers)."""
    found: list[CallSignalReceived] = []
    with trio.move_on_after(0.3):
        while True:
            event = await client.next_event()
            if isinstance(event, CallSignalReceived):
                found.append(event)
    return found


async def test_a_room_call_rings_relays_among_participants_and_ends(node: NodeHandle) -> None:
    alice, bob, carol = [await log_in_new_user(node, name) for name in ("alice", "bob", "carol")]
    room_id = await make_room(node, alice, bob, carol)
    url = websocket_url(node)
    with trio.fail_after(DEADLINE_S):
        async with (
            open_client(url, token=alice.token) as alice_client,
            open_client(url, token=bob.token) as bob_client,
            open_client(url, token=carol.token) as carol_client,
        ):
            await bob_client.subscribe(f"user:{bob.user_id}")
            await carol_client.subscribe(f"user:{carol.user_id}")
            reply = await alice_client.request(CallStart, room_id=room_id)
            assert isinstance(reply, Ack)
            assert isinstance(reply.result, CallCreated)
            call_id, channel = reply.result.call_id, reply.result.channel
            await alice_client.subscribe(channel)
            for client in (bob_client, carol_client):
                ringing = await next_of(client, CallRinging)
                assert isinstance(ringing, CallRinging)
                assert (ringing.call_id, ringing.caller_id) == (call_id, alice.user_id)
                await client.subscribe(channel)

            await bob_client.request(CallAccept, call_id=call_id)
            state = await next_of(alice_client, CallStateChanged)
            assert isinstance(state, CallStateChanged)
            assert state.state == CallState.ACTIVE
            assert set(state.participant_ids) == {alice.user_id, bob.user_id}

            await alice_client.request(
                CallSignal,
                call_id=call_id,
                target_user_id=bob.user_id,
                kind="offer",
                payload="v=0 offer",
            )
            offer = await next_of(bob_client, CallSignalReceived)
            assert isinstance(offer, CallSignalReceived)
            assert (offer.from_user_id, offer.kind, offer.payload) == (
                alice.user_id,
                "offer",
                "v=0 offer",
            )
            await bob_client.request(
                CallSignal,
                call_id=call_id,
                target_user_id=alice.user_id,
                kind="answer",
                payload="v=0 answer",
            )
            await bob_client.request(
                CallSignal,
                call_id=call_id,
                target_user_id=alice.user_id,
                kind="ice",
                payload='{"candidate":"candidate:1 1 udp 1 10.0.0.1 5000 typ host"}',
            )
            answer = await next_of(alice_client, CallSignalReceived)
            ice = await next_of(alice_client, CallSignalReceived)
            assert isinstance(answer, CallSignalReceived)
            assert isinstance(ice, CallSignalReceived)
            assert (answer.kind, ice.kind) == ("answer", "ice")

            with pytest.raises(RequestFailed) as refused:
                await carol_client.request(
                    CallSignal,
                    call_id=call_id,
                    target_user_id=bob.user_id,
                    kind="offer",
                    payload="intrusion",
                )
            assert refused.value.code == "forbidden"
            with pytest.raises(RequestFailed) as not_target:
                await alice_client.request(
                    CallSignal,
                    call_id=call_id,
                    target_user_id=carol.user_id,
                    kind="offer",
                    payload="not joined",
                )
            assert not_target.value.code == "forbidden"
            assert await pending_signals(carol_client) == []

            await carol_client.request(CallDecline, call_id=call_id)
            await alice_client.request(CallHangup, call_id=call_id)
            while True:
                ended = await next_of(bob_client, CallStateChanged)
                assert isinstance(ended, CallStateChanged)
                if ended.state == CallState.ENDED:
                    break
            assert ended.ended_reason == "hangup"
            store = node.context.store
            assert store is not None
            assert (await store.calls.get(call_id)).outcome == "completed"


async def test_strangers_cannot_subscribe_and_blocked_users_cannot_be_called(
    node: NodeHandle,
) -> None:
    alice, bob, eve = [await log_in_new_user(node, name) for name in ("alice", "bob", "eve")]
    store = node.context.store
    assert store is not None
    await store.users.block(bob.user_id, eve.user_id)
    url = websocket_url(node)
    with trio.fail_after(DEADLINE_S):
        async with (
            open_client(url, token=alice.token) as alice_client,
            open_client(url, token=eve.token) as eve_client,
        ):
            reply = await alice_client.request(CallStart, callee_id=bob.user_id, media="video")
            assert isinstance(reply, Ack)
            assert isinstance(reply.result, CallCreated)
            with pytest.raises(RequestFailed) as forbidden:
                await eve_client.subscribe(reply.result.channel)
            assert forbidden.value.code == "forbidden"
            with pytest.raises(RequestFailed) as busy:
                await alice_client.request(CallStart, callee_id=bob.user_id)
            assert busy.value.code == "conflict"
            with pytest.raises(RequestFailed) as blocked:
                await eve_client.request(CallStart, callee_id=bob.user_id)
            assert blocked.value.code == "forbidden"
            with pytest.raises(RequestFailed) as unknown:
                await eve_client.request(CallAccept, call_id="nope")
            assert unknown.value.code == "not_found"


async def test_ice_servers_need_a_login(node: NodeHandle) -> None:
    alice = await log_in_new_user(node, "alice")
    async with httpx.AsyncClient(base_url=node.base_url) as api:
        anonymous = await api.get("/api/calls/ice-servers")
        assert anonymous.status_code == 401
        mine = await api.get(
            "/api/calls/ice-servers", headers={"Authorization": f"Bearer {alice.token}"}
        )
        assert mine.status_code == 200
        assert mine.json() == {"ice_servers": [], "ttl": 3600}
