"""A call between users connected to different nodes: ringing, state and every signal
cross, whichever node the call's actor lives on (real processes, Redis, Mongo wire)."""

from __future__ import annotations

from pathlib import Path

import pytest
import trio

from bots.client import open_client
from protocol.call_frames import (
    CallAccept,
    CallRinging,
    CallSignal,
    CallSignalReceived,
    CallStart,
    CallStateChanged,
)
from protocol.control_frames import Ack, CallCreated
from protocol.enums import CallState
from tests.e2e.cluster_support import open_cluster_processes
from tests.e2e.messaging_support import next_of

pytestmark = [pytest.mark.redis, pytest.mark.mongo, pytest.mark.timeout(300)]

DEADLINE_S = 60


async def test_signals_cross_nodes_both_ways(
    redis_url: str, mongodb_url: str, unique_name: str, tmp_path: Path
) -> None:
    async with open_cluster_processes(
        2, redis_url=redis_url, mongodb_url=mongodb_url, name=unique_name, data_dir=tmp_path
    ) as cluster:
        alice_id, alice_token = await cluster.user(f"alice{unique_name[-6:]}")
        bob_id, bob_token = await cluster.user(f"bob{unique_name[-6:]}")
        room_id = await cluster.room(alice_id, [bob_id])
        with trio.fail_after(DEADLINE_S):
            async with (
                open_client(cluster.nodes[0].websocket_url, token=alice_token) as alice,
                open_client(cluster.nodes[1].websocket_url, token=bob_token) as bob,
            ):
                await bob.subscribe(f"user:{bob_id}")
                reply = await alice.request(CallStart, room_id=room_id)
                assert isinstance(reply, Ack) and isinstance(reply.result, CallCreated)
                call_id, channel = reply.result.call_id, reply.result.channel
                await alice.subscribe(channel)
                ringing = await next_of(bob, CallRinging)
                assert ringing.call_id == call_id
                await bob.subscribe(channel)
                await bob.request(CallAccept, call_id=call_id)
                state = await next_of(alice, CallStateChanged)
                assert state.state == CallState.ACTIVE

                # The call's actor is on one of the nodes (or the other): one of the two
                # signals crosses from it to the other node, whichever it is.
                await alice.request(CallSignal, call_id=call_id, target_user_id=bob_id,
                                    kind="offer", payload="v=0 offer")
                await bob.request(CallSignal, call_id=call_id, target_user_id=alice_id,
                                  kind="answer", payload="v=0 answer")
                offer = await next_of(bob, CallSignalReceived)
                answer = await next_of(alice, CallSignalReceived)
        assert (offer.from_user_id, offer.kind, offer.payload) == (alice_id, "offer", "v=0 offer")
        assert (answer.from_user_id, answer.kind) == (bob_id, "answer")
        owner = await cluster.owner_of("call", call_id)
        assert owner is not None and owner.owner in {"node-1", "node-2"}
