"""Offline delivery end to end, on each store: Web Push to a local push service that
checks the VAPID signature and decrypts the payload, the email digest in the testing
outbox with its unsubscribe link, no push for a user with an open WebSocket, failed
pushes (410 removes the subscription, 500 is retried), and the routes' rules."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import trio

from protocol.feed_events import Notification
from services.email import OutboxMailer
from tests.e2e.chat_support import make_room
from tests.e2e.community_support import People, Person, ok, refused
from tests.e2e.file_support import serve_test_node
from tests.e2e.messaging_support import next_of
from tests.e2e.node_support import LoggedIn
from tests.e2e.push_support import BrowserKeys, PushReceiver, push_receiver, verified_payload
from tests.store_support import MONGO, drop_mongo_database, on_each_store, requested_backend
from topicsflow.delivery_settings import DeliverySettings
from topicsflow.node import NodeHandle

pytestmark = on_each_store("push_node")

DELIVERY = DeliverySettings(
    push_allow_private=True, push_retry_base_seconds=0.01, push_attempts=3,
    max_push_subscriptions=3,
)


@pytest.fixture
async def push_node(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[NodeHandle]:
    """A node whose push endpoints may be on loopback (the local push service)."""
    stores: dict[str, Any] = {}
    if requested_backend(request) == MONGO:
        stores = {
            "mongodb_url": request.getfixturevalue("mongodb_url"),
            "mongodb_database": request.getfixturevalue("unique_name"),
        }
    try:
        async with serve_test_node(tmp_path, delivery=DELIVERY, **stores) as node:
            yield node
    finally:
        if stores:
            await drop_mongo_database(stores["mongodb_url"], stores["mongodb_database"])


@pytest.fixture
async def people(push_node: NodeHandle) -> AsyncIterator[People]:
    async with trio.open_nursery() as nursery, contextlib.AsyncExitStack() as stack:
        people = People(push_node, stack, nursery)
        yield people
        for client in people.clients:
            await client.close()
        nursery.cancel_scope.cancel()


@pytest.fixture
async def receiver() -> AsyncIterator[PushReceiver]:
    with push_receiver() as service:
        yield service


async def subscribe(person: Person, receiver: PushReceiver, path: str) -> BrowserKeys:
    keys = BrowserKeys()
    ok(await person.api.post(
        "/api/users/me/push-subscriptions", json=keys.json(receiver.url(path))
    ), 201)
    return keys


async def direct(sender: Person, recipient: Person, text: str) -> None:
    ok(await sender.api.post(
        "/api/messages/direct", json={"recipient_id": recipient.user_id, "text": text}
    ), 201)


async def vapid_key(api: httpx.AsyncClient) -> str:
    key: str = ok(await api.get("/api/push/vapid-public-key"))["public_key"]
    return key


async def test_a_dm_to_an_offline_user_is_pushed_signed_and_encrypted(
    people: People, receiver: PushReceiver, push_node: NodeHandle
) -> None:
    alice, bob = await people.new("alice"), await people.new("bob")
    keys = await subscribe(bob, receiver, "/push/bob")
    public_key = await vapid_key(await people.node_client())
    with trio.fail_after(20):
        await direct(alice, bob, "are you there?")
        request = await receiver.next()
    assert request.path == "/push/bob"
    payload = verified_payload(
        request, origin=receiver.origin, vapid_public_key=public_key, keys=keys
    )
    assert payload["kind"] == "direct_message"
    assert payload["body"] == "are you there?"
    assert payload["title"].startswith("New message from alice")
    assert payload["link"].startswith("/messages/")
    assert isinstance(payload["created_at"], int)
    assert (push_node.context.settings.data_dir / "vapid_private.pem").stat().st_mode & 0o077 == 0


async def test_a_room_mention_of_an_offline_user_is_pushed(
    people: People, receiver: PushReceiver, push_node: NodeHandle
) -> None:
    store = push_node.context.store
    assert store is not None
    alice, bob = await people.new("alice"), await people.new("bob")
    bob_name = (await store.users.get(bob.user_id)).username
    owner = LoggedIn(user_id=alice.user_id, username="alice", token=alice.token)
    member = LoggedIn(user_id=bob.user_id, username=bob_name, token=bob.token)
    room_id = await make_room(push_node, owner, member)
    keys = await subscribe(bob, receiver, "/push/bob")
    public_key = await vapid_key(await people.node_client())
    with trio.fail_after(20):
        ok(await alice.api.post(
            f"/api/chat-rooms/{room_id}/messages", json={"text": f"@{bob_name} look"}
        ), 201)
        request = await receiver.next()
    payload = verified_payload(
        request, origin=receiver.origin, vapid_public_key=public_key, keys=keys
    )
    assert (payload["kind"], payload["body"]) == ("mention", f"@{bob_name} look")
    assert payload["link"] == f"/rooms/{room_id}"


async def test_a_user_with_an_open_websocket_gets_no_push(
    people: People, receiver: PushReceiver
) -> None:
    alice, bob, carol = [await people.new(name) for name in ("alice", "bob", "carol")]
    await subscribe(bob, receiver, "/push/bob")
    await subscribe(carol, receiver, "/push/carol")
    bob_client = await people.connect(bob)
    await bob_client.subscribe(f"user:{bob.user_id}")
    with trio.fail_after(20):
        await direct(alice, bob, "live")
        # seen live: the feed has handed it to offline delivery, which takes items in order
        assert (await next_of(bob_client, Notification)).body == "live"
        await direct(alice, carol, "offline")
        request = await receiver.next()
    assert request.path == "/push/carol"
    with pytest.raises(trio.WouldBlock):
        receiver.requests.receive_nowait()


async def test_gone_subscriptions_are_removed_and_failures_retried(
    people: People, receiver: PushReceiver
) -> None:
    alice, bob = await people.new("alice"), await people.new("bob")
    await subscribe(bob, receiver, "/gone")
    await subscribe(bob, receiver, "/flaky")
    receiver.answer("/gone", 410)
    receiver.answer("/flaky", 500)
    with trio.fail_after(20):
        await direct(alice, bob, "hello")
        paths = sorted([(await receiver.next()).path for _ in range(3)])
        assert paths == ["/flaky", "/flaky", "/gone"]
        while True:  # the removal follows the 410 with no event a client can see
            listed = ok(await bob.api.get("/api/users/me/push-subscriptions"))
            if len(listed["subscriptions"]) == 1:
                break
            await trio.sleep(0.01)
    assert urlsplit(listed["subscriptions"][0]["endpoint"]).path == "/flaky"


async def wait_for_mail(outbox: OutboxMailer, address: str) -> list[Any]:
    """The mails to ``address`` once there is one: the digest job mails in its own task,
    with no event a client can see (like ``messaging_support.wait_for_connections``)."""
    while True:
        if outbox.to(address):
            return outbox.to(address)
        await trio.sleep(0.01)


async def test_the_email_digest_batches_and_its_link_unsubscribes(
    people: People, push_node: NodeHandle
) -> None:
    store, outbox = push_node.context.store, push_node.context.mailer
    assert store is not None and isinstance(outbox, OutboxMailer)
    alice, bob = await people.new("alice"), await people.new("bob")
    await store.users.set_email_verified(bob.user_id, True)
    bob_user = await store.users.get(bob.user_id)
    view = ok(await bob.api.put("/api/users/me/delivery", json={"mode": "email"}))
    assert view["mode"] == "email" and view["last_digest_at"] is None
    with trio.fail_after(20):
        await direct(alice, bob, "first while away")
        mails = await wait_for_mail(outbox, bob_user.email)
        await direct(alice, bob, "second while away")
        while True:  # queued by the delivery task, with no event to see
            if await store.delivery.digest_items(bob.user_id, 10):
                break
            await trio.sleep(0.01)
    assert len(mails) == 1
    mail = mails[0]
    assert "first while away" in mail.body and "alice" in mail.body
    preferences = await store.delivery.preferences(bob.user_id)
    assert preferences.last_digest_at is not None
    assert preferences.digest_due_at == preferences.last_digest_at + DELIVERY.digest_seconds
    assert len(outbox.to(bob_user.email)) == 1  # the second waits for the next interval
    link = urlsplit(mail.links[0])
    anonymous = await people.node_client()
    forged = link.query[:-3] + "AAA"
    refused(await anonymous.get(link.path, params=forged), 404, "not_found")
    assert ok(await anonymous.get(f"{link.path}?{link.query}"))["mode"] == "none"
    assert ok(await bob.api.get("/api/users/me/delivery"))["mode"] == "none"
    assert await store.delivery.digest_items(bob.user_id, 10) == []
    assert ok(await anonymous.post(f"{link.path}?{link.query}"))["mode"] == "none"


async def test_subscription_rules(people: People, receiver: PushReceiver) -> None:
    bob, eve = await people.new("bob"), await people.new("eve")
    anonymous = await people.node_client()
    refused(await anonymous.get("/api/users/me/push-subscriptions"), 401, "unauthorized")
    body = BrowserKeys().json(receiver.url("/push/1"))
    body["keys"]["p256dh"] = body["keys"]["p256dh"][:-4] + "AAAA"
    refused(await bob.api.post("/api/users/me/push-subscriptions", json=body), 400, "invalid")
    body = BrowserKeys().json(receiver.url("/push/1"))
    body["keys"]["auth"] = "A" * 30
    refused(await bob.api.post("/api/users/me/push-subscriptions", json=body), 400, "invalid")
    body = BrowserKeys().json("ftp://example.org/push")
    refused(await bob.api.post("/api/users/me/push-subscriptions", json=body), 400, "invalid")
    for number in range(3):
        await subscribe(bob, receiver, f"/push/{number}")
    again = await bob.api.post(
        "/api/users/me/push-subscriptions", json=BrowserKeys().json(receiver.url("/push/0"))
    )
    assert again.status_code == 201  # the same endpoint: keys replaced, no new one
    refused(await bob.api.post(
        "/api/users/me/push-subscriptions", json=BrowserKeys().json(receiver.url("/push/9"))
    ), 409, "conflict")
    listed = ok(await bob.api.get("/api/users/me/push-subscriptions", params={"limit": 2}))
    assert len(listed["subscriptions"]) == 2 and listed["next_cursor"]
    assert "auth" not in listed["subscriptions"][0]
    first = listed["subscriptions"][0]["id"]
    refused(await eve.api.delete(f"/api/users/me/push-subscriptions/{first}"), 404, "not_found")
    assert ok(await eve.api.get("/api/users/me/push-subscriptions"))["subscriptions"] == []
    ok(await bob.api.delete(f"/api/users/me/push-subscriptions/{first}"))
    refused(await bob.api.delete(f"/api/users/me/push-subscriptions/{first}"), 404, "not_found")
    # eve's browser takes over an endpoint bob had registered
    await subscribe(eve, receiver, "/push/1")
    remaining = ok(await bob.api.get("/api/users/me/push-subscriptions"))["subscriptions"]
    assert [urlsplit(item["endpoint"]).path for item in remaining] == ["/push/2"]
    refused(await bob.api.put("/api/users/me/delivery", json={"mode": "pager"}), 400, "invalid")
    assert ok(await bob.api.put("/api/users/me/delivery", json={"mode": "both"}))["mode"] == "both"


async def test_the_vapid_private_key_is_never_logged(
    people: People, caplog: pytest.LogCaptureFixture, push_node: NodeHandle
) -> None:
    caplog.set_level(logging.DEBUG)
    key = await vapid_key(await people.node_client())
    pem = (push_node.context.settings.data_dir / "vapid_private.pem").read_text()
    secret_line = pem.splitlines()[1]
    assert len(key) == 87  # 65 bytes, base64url
    assert all(secret_line not in record.getMessage() for record in caplog.records)
    configured = DeliverySettings(vapid_private_key=secret_line)
    assert secret_line not in repr(configured)
