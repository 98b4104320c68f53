"""Outgoing webhooks end to end, on every store, against real receivers on loopback.

* A receiver failing twice then succeeding gets every event accepted exactly once, each
  signed, the failed delivery retried under the same delivery id, in order.
* Deliveries queued for a receiver that is down survive a restart of the node.
* A loopback target is refused without ``TOPICSFLOW_WEBHOOKS_ALLOW_PRIVATE``.
* Repeated failures disable a webhook; re-enabling delivers what was queued.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio

from tests.e2e.node_support import LoggedIn, log_in_new_user
from tests.e2e.webhook_support import (
    FAST,
    Nodes,
    Receiver,
    free_port,
    serving,
    signed_by,
)
from tests.store_support import MONGO, drop_mongo_database, on_each_store, requested_backend
from topicsflow.node import NodeHandle
from topicsflow.webhook_settings import WebhookSettings

pytestmark = on_each_store("node")

ROOM_EVENTS = ["message_created", "message_edited", "member_joined", "member_left"]


@pytest.fixture
async def node(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Nodes]:
    """Starts nodes on the test's store (the store is dropped afterwards)."""
    backend = requested_backend(request)
    try:
        yield Nodes(request, backend, tmp_path)
    finally:
        if backend == MONGO:
            await drop_mongo_database(
                request.getfixturevalue("mongodb_url"), request.getfixturevalue("unique_name")
            )


def auth(user: LoggedIn) -> dict[str, str]:
    return {"Authorization": f"Bearer {user.token}"}


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def new_room(http: httpx.AsyncClient, owner: LoggedIn) -> str:
    response = await http.post("/api/chat-rooms", json={"name": "hooks"}, headers=auth(owner))
    created = ok(response, 201)
    room_id: str = created["id"]
    return room_id


async def say(http: httpx.AsyncClient, user: LoggedIn, room_id: str, text: str) -> None:
    ok(
        await http.post(
            f"/api/chat-rooms/{room_id}/messages", json={"text": text}, headers=auth(user)
        ),
        201,
    )


async def subscribe(
    http: httpx.AsyncClient, owner: LoggedIn, room_id: str, url: str
) -> dict[str, Any]:
    created: dict[str, Any] = ok(
        await http.post(
            "/api/webhooks",
            json={"channel": f"chat_room:{room_id}", "url": url, "events": ROOM_EVENTS},
            headers=auth(owner),
        ),
        201,
    )
    return created


async def test_a_receiver_failing_twice_gets_each_event_once_signed(node: Nodes) -> None:
    receiver = Receiver(statuses=[500, 503])
    async with serving(receiver) as receiver_url, node.run() as handle:
        alice = await log_in_new_user(handle, "alice")
        async with httpx.AsyncClient(base_url=handle.base_url) as http:
            room_id = await new_room(http, alice)
            created = await subscribe(http, alice, room_id, receiver_url + "/hook")
            secret, webhook = created["secret"], created["webhook"]
            assert secret.startswith("whsec_")
            assert webhook["active"] is True
            assert webhook["channel"] == f"chat_room:{room_id}"
            assert isinstance(webhook["created_at"], int)
            assert "secret" not in webhook

            for number in range(3):
                await say(http, alice, room_id, f"hello {number}")
            await receiver.wait_for(lambda: len(receiver.accepted) == 3)

            documents = [request.document for request in receiver.accepted]
            assert [document["event"] for document in documents] == ["message_created"] * 3
            assert [document["data"]["message"]["text"] for document in documents] == [
                "hello 0", "hello 1", "hello 2",
            ]
            ids = [document["id"] for document in documents]
            assert len(set(ids)) == 3  # each event accepted exactly once
            assert all(isinstance(document["occurred_at"], int) for document in documents)
            # The first delivery was tried three times under one delivery id.
            assert [request.status for request in receiver.requests[:3]] == [500, 503, 200]
            assert {request.document["id"] for request in receiver.requests[:3]} == {ids[0]}
            assert all(signed_by(request, secret) for request in receiver.requests)
            assert not signed_by(receiver.requests[0], "whsec_wrong")
            for request in receiver.requests:
                assert request.headers["x-topicsflow-delivery"] == request.document["id"]
                assert request.headers["x-topicsflow-event"] == "message_created"

            # The receiver answers before the node records the answer: wait for the log.
            while True:
                recorded = ok(await http.get(
                    f"/api/webhooks/{webhook['id']}/deliveries", params={"limit": 10},
                    headers=auth(alice),
                ))["items"]
                if len(recorded) >= 5:
                    break
                await trio.sleep(0.05)
            log = ok(
                await http.get(
                    f"/api/webhooks/{webhook['id']}/deliveries", params={"limit": 2},
                    headers=auth(alice),
                )
            )
            assert [entry["outcome"] for entry in log["items"]] == ["delivered", "delivered"]
            rest = ok(
                await http.get(
                    f"/api/webhooks/{webhook['id']}/deliveries",
                    params={"limit": 10, "cursor": log["next_cursor"]}, headers=auth(alice),
                )
            )
            assert rest["next_cursor"] is None
            first = rest["items"][::-1]
            tries = [(entry["attempt"], entry["outcome"], entry["status_code"]) for entry in first]
            assert tries == [(1, "failed", 500), (2, "failed", 503), (3, "delivered", 200)]
            assert all(len(entry["response_excerpt"]) <= 256 for entry in first)
            assert all(entry["latency_ms"] >= 0 for entry in first)

            while True:  # the last delivery leaves the queue just after it is logged
                current = ok(await http.get(f"/api/webhooks/{webhook['id']}", headers=auth(alice)))
                if current["queued"] == 0:
                    break
                await _wait_a_turn(handle)
            assert current["consecutive_failures"] == 0
            mine = ok(await http.get("/api/webhooks", headers=auth(alice)))
            assert [item["id"] for item in mine["items"]] == [webhook["id"]]

            bob = await log_in_new_user(handle, "bob")
            hidden = await http.get(f"/api/webhooks/{webhook['id']}", headers=auth(bob))
            assert hidden.status_code == 404
            foreign = await http.post(
                "/api/webhooks",
                json={"channel": f"chat_room:{room_id}", "url": receiver_url,
                      "events": ["message_created"]},
                headers=auth(bob),
            )
            assert foreign.status_code == 403

            pinged = ok(
                await http.post(f"/api/webhooks/{webhook['id']}/ping", headers=auth(alice)), 202
            )
            await receiver.wait_for(
                lambda: any(
                    request.document["id"] == pinged["delivery_id"] for request in receiver.accepted
                )
            )
            assert receiver.accepted[-1].document["event"] == "ping"
            assert signed_by(receiver.accepted[-1], secret)

            deleted = ok(await http.delete(f"/api/webhooks/{webhook['id']}", headers=auth(alice)))
            assert deleted["deleted"] is True
            gone = await http.get(f"/api/webhooks/{webhook['id']}", headers=auth(alice))
            assert gone.status_code == 404


async def test_queued_deliveries_survive_a_restart(node: Nodes) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    patient = dataclasses.replace(FAST, retry_base_seconds=0.05, retry_max_seconds=0.1)
    async with node.run(patient) as first:
        alice = await log_in_new_user(first, "alice")
        async with httpx.AsyncClient(base_url=first.base_url) as http:
            room_id = await new_room(http, alice)
            webhook = (await subscribe(http, alice, room_id, url))["webhook"]
            for number in range(5):
                await say(http, alice, room_id, f"queued {number}")
            store = first.context.store
            assert store is not None
            # Wait until the five are queued and the receiver (down) has been tried.
            with_attempts = False
            while not with_attempts:
                queued = await store.webhooks.queued(webhook["id"])
                attempts = await store.webhooks.attempts(webhook["id"], before=None, limit=1)
                with_attempts = queued == 5 and bool(attempts)
                if not with_attempts:
                    await _wait_a_turn(first)
            assert attempts[0].outcome == "failed"
            token = alice.token

    receiver = Receiver()
    async with node.run(patient) as second, serving(receiver, port):
        await receiver.wait_for(lambda: len(receiver.accepted) == 5)
        texts = [request.document["data"]["message"]["text"] for request in receiver.accepted]
        assert texts == [f"queued {number}" for number in range(5)]
        async with httpx.AsyncClient(base_url=second.base_url) as http:
            # The receiver answers before the node takes the delivery off the queue: wait.
            while True:
                current = await http.get(
                    f"/api/webhooks/{webhook['id']}",
                    headers={"Authorization": f"Bearer {token}"},
                )
                # The login session, like the queue, outlived the first node.
                assert current.status_code == 200
                if current.json()["queued"] == 0:
                    break
                await _wait_a_turn(second)


async def _wait_a_turn(handle: NodeHandle) -> None:
    """Let the node's tasks run for one poll of the webhook scheduler, between two checks
    of a condition (the caller's loop is bounded by the test's timeout)."""
    await trio.sleep(FAST.poll_seconds)


async def test_a_private_target_is_refused_without_the_setting(node: Nodes) -> None:
    receiver = Receiver()
    async with serving(receiver) as receiver_url, node.run(WebhookSettings()) as handle:
        alice = await log_in_new_user(handle, "alice")
        async with httpx.AsyncClient(base_url=handle.base_url) as http:
            room_id = await new_room(http, alice)
            for target in (receiver_url, "http://10.1.2.3/hook", "http://[::1]:9/x",
                           "http://169.254.169.254/latest", "http://localhost:9/x"):
                refused = await http.post(
                    "/api/webhooks",
                    json={"channel": f"chat_room:{room_id}", "url": target,
                          "events": ["message_created"]},
                    headers=auth(alice),
                )
                assert refused.status_code == 400, target
                error = refused.json()["error"]
                assert error["code"] == "invalid"
                assert "non-public" in error["message"]
            assert receiver.requests == []


async def test_repeated_failures_disable_and_re_enabling_delivers(node: Nodes) -> None:
    receiver = Receiver(statuses=[500, 500, 500])
    settings = dataclasses.replace(FAST, disable_after=3)
    async with serving(receiver) as receiver_url, node.run(settings) as handle:
        alice = await log_in_new_user(handle, "alice")
        async with httpx.AsyncClient(base_url=handle.base_url) as http:
            room_id = await new_room(http, alice)
            webhook = (await subscribe(http, alice, room_id, receiver_url))["webhook"]
            await say(http, alice, room_id, "first")
            await receiver.wait_for(lambda: len(receiver.requests) == 3)
            hook_url = f"/api/webhooks/{webhook['id']}"
            store = handle.context.store
            assert store is not None
            stored = await store.webhooks.get(webhook["id"])
            while stored.active:  # the third failure is logged, then the webhook saved
                await _wait_a_turn(handle)
                stored = await store.webhooks.get(webhook["id"])
            disabled = ok(await http.get(hook_url, headers=auth(alice)))
            assert disabled["active"] is False
            assert "3 consecutive" in disabled["disabled_reason"]
            assert disabled["queued"] == 1

            await say(http, alice, room_id, "while disabled")  # not subscribed meanwhile
            enabled = ok(await http.post(f"{hook_url}/enable", headers=auth(alice)))
            assert enabled["active"] is True
            assert enabled["consecutive_failures"] == 0
            await receiver.wait_for(lambda: len(receiver.accepted) == 1)
            assert receiver.accepted[0].document["data"]["message"]["text"] == "first"
            assert len({request.document["id"] for request in receiver.requests}) == 1

            await say(http, alice, room_id, "after")
            await receiver.wait_for(lambda: len(receiver.accepted) == 2)
            assert receiver.accepted[1].document["data"]["message"]["text"] == "after"

            paused = ok(await http.patch(hook_url, json={"active": False}, headers=auth(alice)))
            assert paused["active"] is False
            assert paused["disabled_reason"] == "disabled by its owner"
            changed = ok(
                await http.patch(
                    hook_url, json={"active": True, "events": ["message_edited"]},
                    headers=auth(alice),
                )
            )
            assert changed["events"] == ["message_edited"]
            assert changed["active"] is True
            wrong = await http.patch(
                hook_url, json={"events": ["post_created"]}, headers=auth(alice)
            )
            assert wrong.status_code == 400
