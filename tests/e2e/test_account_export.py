"""A data export end to end, on each store: every kind of the user's data is in the
archive, nothing of another user's private data is, and the signed link works once."""

from __future__ import annotations

import io
import json
import urllib.parse
import zipfile
from collections.abc import AsyncIterator

import httpx
import pytest

from bots.client import open_client
from services.email import OutboxMailer
from tests.auth_support import AuthDriver, bearer
from tests.e2e.account_support import archive_text, entries, person
from tests.e2e.chat_support import make_room, send
from tests.e2e.community_support import new_comment, new_post, new_topic, ok
from tests.e2e.file_support import PNG, upload
from tests.e2e.messaging_support import send_direct
from tests.e2e.node_support import LoggedIn, websocket_url
from tests.store_support import on_each_store
from topicsflow.node import NodeHandle

pytestmark = on_each_store("node")


@pytest.fixture
async def driver(node: NodeHandle) -> AsyncIterator[AuthDriver]:
    assert isinstance(node.context.mailer, OutboxMailer)
    async with httpx.AsyncClient(base_url=node.base_url) as client:
        yield AuthDriver(client, node.context.mailer)


async def test_the_archive_holds_all_my_data_and_nothing_private_of_others(
    node: NodeHandle, driver: AuthDriver
) -> None:
    store = node.context.store
    assert store is not None
    alice_account = await driver.signup("alice")
    bob_account = await driver.signup("bob")
    alice, bob = person(node, alice_account), person(node, bob_account)
    async with alice.api, bob.api:
        topic = await new_topic(alice, description="alice's topic")
        post = await new_post(alice, topic["id"], body="alice's post body")
        ok(await bob.api.post(f"/api/topics/{topic['id']}/join"), 200)
        await new_comment(alice, post["id"], body="alice's comment")
        await new_comment(bob, post["id"], body="bob's public comment")
        uploaded = ok(await upload(alice.api, alice.token, PNG, name="cat.png",
                                   content_type="image/png"), 201)
        a_user = LoggedIn(alice.user_id, "alice", alice.token)
        b_user = LoggedIn(bob.user_id, "bob", bob.token)
        room_id = await make_room(node, a_user, b_user)
        async with (
            open_client(websocket_url(node), token=alice.token) as alice_ws,
            open_client(websocket_url(node), token=bob.token) as bob_ws,
        ):
            await send(alice_ws, f"chat_room:{room_id}", "alice in the lounge")
            await send_direct(alice_ws, b_user, "alice writes to bob")
            await send_direct(bob_ws, a_user, "bob's private words to alice")
        await store.notifications.create(user_id=alice.user_id, kind="test", data={"n": 1})

        requested = await driver.client.post("/api/auth/export", headers=bearer(alice.token))
        assert requested.status_code == 202, requested.text
        assert requested.json()["state"] in ("pending", "building", "ready")
        (mail,) = await driver.mail(alice_account.email, "data export is ready")
        (public_link,) = mail.links
        parts = urllib.parse.urlsplit(public_link)
        assert public_link.startswith(node.context.settings.public_url)
        link = f"{parts.path}?{parts.query}"  # the public URL is not this test node's port
        assert "signature=" in link and bob_account.email not in mail.body
        downloaded = await driver.client.get(link)
        assert downloaded.status_code == 200, downloaded.text
        assert downloaded.headers["content-type"] == "application/zip"
        # The link works once.
        again = await driver.client.get(link)
        assert again.status_code == 404 and again.json()["error"]["code"] == "not_found"
        listed = ok(await driver.client.get("/api/auth/export", headers=bearer(alice.token)))
        assert listed["exports"][0]["state"] == "downloaded"

    with zipfile.ZipFile(io.BytesIO(downloaded.content)) as bundle:
        files = {name: bundle.read(name) for name in bundle.namelist()}
    docs = {name[:-5]: json.loads(data) for name, data in files.items()
            if name.endswith(".json")}
    assert docs["profile"]["id"] == alice.user_id
    assert docs["profile"]["email"] == alice_account.email
    assert "password_hash" not in docs["profile"]
    assert [t["id"] for t in entries(docs["topics"])] == [topic["id"]]
    assert [p["body"] for p in entries(docs["posts"])] == ["alice's post body"]
    assert [c["body"] for c in entries(docs["comments"])] == ["alice's comment"]
    assert [m["body"] for m in entries(docs["messages"])] == ["alice in the lounge"]
    assert [m["body"] for m in entries(docs["direct_messages"])] == ["alice writes to bob"]
    assert [f["id"] for f in entries(docs["files"])] == [uploaded["id"]]
    assert files[f"files/{uploaded['id']}/cat.png"] == PNG
    kinds = [n["kind"] for n in entries(docs["notifications"])]
    assert "test" in kinds and "direct_message" in kinds
    logins = entries(docs["logins"])
    assert {e["kind"] for e in logins} >= {"login", "export_requested"}
    assert all(e["user_id"] == alice.user_id for e in logins)
    text = archive_text(files)
    for private in (bob_account.email, "bob's private words to alice", "bob's public comment",
                    bob_account.token):
        assert private not in text
    assert alice.token not in text
