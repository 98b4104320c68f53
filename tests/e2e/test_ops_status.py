"""The operators' view: /ops/status and /metrics, their access rules, crashes made visible."""

from __future__ import annotations

import gc
import time

import httpx
import pytest
import trio

from actors.chat.commands import PostMessage
from actors.chat.room import CHAT_ROOM
from actors.runtime.errors import ActorCrashed
from tests.e2e.conftest import OPS_TOKEN, log_in_new_user
from topicsflow.node import NodeHandle


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("path", ["/ops/status", "/metrics"])
async def test_ops_routes_admit_only_the_ops_token_and_admins(node: NodeHandle, path: str) -> None:
    user = await log_in_new_user(node, "user")
    admin = await log_in_new_user(node, "boss")
    assert node.context.store is not None
    await node.context.store.users.set_admin(admin.user_id, True)
    async with httpx.AsyncClient(base_url=node.base_url) as client:
        anonymous = await client.get(path)
        wrong = await client.get(path, headers=bearer("not-the-token"))
        member = await client.get(path, headers=bearer(user.token))
        operator = await client.get(path, headers=bearer(OPS_TOKEN))
        administrator = await client.get(path, headers=bearer(admin.token))
    assert anonymous.status_code == 401
    assert wrong.status_code == 401
    assert member.status_code == 403
    assert member.json()["error"]["code"] == "forbidden"
    assert operator.status_code == 200
    assert administrator.status_code == 200


async def test_repeated_crashes_show_as_restarts_and_failures(
    node: NodeHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = await log_in_new_user(node, "alice")
    store, registry = node.context.store, node.context.registry
    assert store is not None
    assert registry is not None
    room = await store.rooms.create(owner_id=alice.user_id, name="fragile")

    async def broken_append(*arguments: object, **keywords: object) -> object:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(store.messages, "append", broken_append)
    for _ in range(2):
        with pytest.raises(ActorCrashed):
            await registry.ref(CHAT_ROOM, room.id).ask(
                PostMessage(user_id=alice.user_id, text="hello")
            )
    async with httpx.AsyncClient(base_url=node.base_url) as client:
        status = (await client.get("/ops/status", headers=bearer(OPS_TOKEN))).json()
        metrics = (await client.get("/metrics", headers=bearer(OPS_TOKEN))).text
    kinds = {}
    stack = [status["supervisor"]]
    while stack:
        supervisor = stack.pop()
        if supervisor.get("kind"):
            kinds[supervisor["kind"]["kind"]] = supervisor["kind"]
        stack.extend(
            child["supervisor"] for child in supervisor["children"] if child.get("supervisor")
        )
    chat = kinds[CHAT_ROOM]
    assert chat["restarts"] >= 2
    assert chat["last_failures"][-1]["error_type"] == "RuntimeError"
    assert 'topicsflow_actor_restarts_total{kind="chat_room"}' in metrics
    assert status["connections"] == 0
    assert status["storage_backend"] == "sqlite"


async def test_garbage_collector_pauses_are_reported(node: NodeHandle) -> None:
    gc.collect(0)  # one young collection at least, while the node watches
    async with httpx.AsyncClient(base_url=node.base_url) as client:
        status = (await client.get("/ops/status", headers=bearer(OPS_TOKEN))).json()
        metrics = (await client.get("/metrics", headers=bearer(OPS_TOKEN))).text
    pauses = status["gc"]
    assert len(pauses["collections"]) == len(pauses["longest_ms"]) == 3
    assert pauses["collections"][0] >= 1
    assert pauses["longest_ms"][0] <= pauses["total_ms"][0]
    assert 'topicsflow_gc_collections_total{generation="0"}' in metrics
    assert 'topicsflow_gc_longest_pause_seconds{generation="2"}' in metrics


async def test_the_event_loop_s_busy_time_is_reported(node: NodeHandle) -> None:
    async with httpx.AsyncClient(base_url=node.base_url) as client:
        first = (await client.get("/ops/status", headers=bearer(OPS_TOKEN))).json()
        metrics = (await client.get("/metrics", headers=bearer(OPS_TOKEN))).text
        second = (await client.get("/ops/status", headers=bearer(OPS_TOKEN))).json()
    busy = [status["loop_lag"]["busy_seconds_total"] for status in (first, second)]
    # The loop ran the requests themselves, so the node's instrument counted batches.
    assert 0.0 < busy[0] < busy[1]
    assert 0.0 <= second["loop_lag"]["busy_share"] <= 1.0
    assert "topicsflow_event_loop_busy_seconds_total " in metrics
    assert "topicsflow_event_loop_busy_ratio " in metrics
    batches = [status["loop_lag"]["batches"] for status in (first, second)]
    assert 0 < batches[0]["count"] < batches[1]["count"]
    assert batches[1]["at_most"][-1] <= batches[1]["count"]
    assert 'topicsflow_event_loop_batch_seconds_bucket{le="0.001"} ' in metrics
    assert 'topicsflow_event_loop_batch_seconds_bucket{le="+Inf"} ' in metrics
    assert "topicsflow_event_loop_batch_seconds_sum " in metrics


def _over_ten_ms(batches: dict[str, list[float] | int]) -> int:
    at_most = dict(zip(batches["bounds_s"], batches["at_most"], strict=True))  # type: ignore[call-overload]
    return int(batches["count"]) - int(at_most[0.01])  # type: ignore[call-overload]


async def test_a_batch_that_holds_the_loop_is_counted_as_long(node: NodeHandle) -> None:
    async with httpx.AsyncClient(base_url=node.base_url) as client:
        before = (await client.get("/ops/status", headers=bearer(OPS_TOKEN))).json()
        time.sleep(0.02)  # noqa: ASYNC251 - holds this run's loop (the node's) on purpose
        await trio.lowlevel.checkpoint()
        after = (await client.get("/ops/status", headers=bearer(OPS_TOKEN))).json()
    slow = [_over_ten_ms(status["loop_lag"]["batches"]) for status in (before, after)]
    assert slow[1] >= slow[0] + 1
