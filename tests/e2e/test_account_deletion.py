"""Deleting an account end to end, on each store: the grace period and its cancel, then
the erasure by the account-jobs actor driven with a clock past the grace period.

After it: the password and the passkey no longer log in, the sessions' open WebSockets
are closed (``session_revoked``, 4001) and their tokens refused, the posts and comments
stay readable under the tombstone identity, files and notifications are gone, and the
moderation log keeps an ``account_deleted`` entry.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import httpx
import pytest

from bots.client import open_client
from services.email import OutboxMailer
from services.tokens import new_token
from storage.keys import hash_token
from tests.auth_support import AuthDriver, bearer
from tests.e2e.account_support import jobs_for, person
from tests.e2e.attachment_support import png
from tests.e2e.community_support import new_comment, new_post, new_topic, ok
from tests.e2e.file_support import PNG, upload
from tests.e2e.node_support import websocket_url
from tests.e2e.test_auth_revocation import assert_refused_everywhere, assert_revoked
from tests.store_support import on_each_store
from tests.webauthn_authenticator import SoftAuthenticator
from topicsflow.node import NodeHandle

pytestmark = on_each_store("node")


@pytest.fixture
async def driver(node: NodeHandle) -> AsyncIterator[AuthDriver]:
    assert isinstance(node.context.mailer, OutboxMailer)
    async with httpx.AsyncClient(base_url=node.base_url) as client:
        yield AuthDriver(client, node.context.mailer)


async def test_a_deleted_account_is_gone_and_its_content_stays_under_a_tombstone(
    node: NodeHandle, driver: AuthDriver
) -> None:
    store = node.context.store
    assert store is not None
    account = await driver.signup("alice")
    headers = bearer(account.token)
    authenticator = SoftAuthenticator(origin=node.context.settings.public_url)
    options = ok(await driver.client.post("/api/auth/passkeys/registration/options",
                                          headers=headers))["public_key"]
    ok(await driver.client.post("/api/auth/passkeys",
                                json={"credential": authenticator.create(options)},
                                headers=headers), 201)
    alice = person(node, account)
    async with alice.api:
        topic = await new_topic(alice)
        post = await new_post(alice, topic["id"], body="kept after deletion")
        comment = await new_comment(alice, post["id"], body="a kept comment")
        uploaded = ok(
            await upload(alice.api, alice.token, PNG, name="a.png", content_type="image/png"), 201
        )
        square = ok(await upload(alice.api, alice.token, png(), name="me.png",
                                 content_type="image/png"), 201)
        ok(await alice.api.put("/api/users/me/avatar", json={"file_id": square["id"]}))
    assert uploaded["owner_id"] == account.user_id
    await store.notifications.create(user_id=account.user_id, kind="test")

    # Ask, cancel, ask again: the grace period is the configured one.
    scheduled = ok(await driver.client.post("/api/auth/deletion", headers=headers), 202)
    grace = node.context.settings.account_deletion_grace_seconds
    assert scheduled["scheduled"] and scheduled["due_at"] / 1000 >= time.time() + grace - 60
    ok(await driver.client.delete("/api/auth/deletion", headers=headers))
    assert ok(await driver.client.get("/api/auth/deletion", headers=headers)) == {
        "scheduled": False, "due_at": None}
    assert (await driver.client.delete("/api/auth/deletion", headers=headers)).status_code == 404
    due_at = ok(await driver.client.post("/api/auth/deletion", headers=headers),
                202)["due_at"] / 1000  # milliseconds in views
    await driver.mail(account.email, "will be deleted", count=2)

    jobs = jobs_for(node).jobs
    assert await jobs.run_once(now=due_at - 1) == 0
    second = (await driver.login("alice")).json()["token"]
    api_token = ok(await driver.client.post(
        "/api/tokens", headers={"Authorization": f"Bearer {second}"},
        json={"name": "script", "scopes": ["read", "write"]},
    ), 201)["token"]
    async with (
        open_client(websocket_url(node), token=account.token) as first_socket,
        open_client(websocket_url(node), token=second) as second_socket,
        open_client(websocket_url(node), token=api_token) as token_socket,
    ):
        assert await jobs.run_once(now=due_at + 1) == 1
        await assert_revoked(first_socket)
        await assert_revoked(second_socket)
        await assert_revoked(token_socket)
    for token in (account.token, second, api_token):
        await assert_refused_everywhere(node, driver, token)
    assert await store.api_tokens.list_for_owner(account.user_id) == []
    assert (await driver.login("alice")).status_code == 401
    assert (await driver.login(account.email)).status_code == 401
    passkey = authenticator.get(ok(await driver.client.post(
        "/api/auth/login/passkey/options", json={}))["public_key"])
    assert (await driver.client.post("/api/auth/login/passkey",
                                     json={"credential": passkey})).status_code == 401
    await driver.mail(account.email, "was deleted")

    # Content stays, under the tombstone identity; personal data is gone.
    async with httpx.AsyncClient(base_url=node.base_url) as anonymous:
        profile = ok(await anonymous.get(f"/api/users/{account.user_id}"))
        avatar = await anonymous.get(f"/api/users/{account.user_id}/avatar")
    assert (profile["avatar_url"], avatar.status_code) == (None, 404)
    assert profile["username"].startswith("deleted-") and profile["display_name"] == (
        "Deleted user")
    kept_post = await store.posts.get(post["id"])
    assert kept_post.author_id == account.user_id and kept_post.body == "kept after deletion"
    kept_comment = await store.comments.get(comment["id"])
    assert kept_comment.body == "a kept comment"
    assert await store.files.list_for_owner(account.user_id) == []
    assert await store.notifications.list_for_user(account.user_id) == []
    assert await store.passkeys.list_for_user(account.user_id) == []
    assert await store.security_events.list_for_user(account.user_id) == []
    tombstone = await store.users.get(account.user_id)
    assert tombstone.email.endswith("@deleted.invalid") and tombstone.preferences == {}
    audit = await store.reports.list_audit(target_id=account.user_id)
    assert [entry.action for entry in audit] == ["account_deleted"]
    assert "alice" in audit[0].details
    # A second run finds nothing more to do.
    assert await jobs.run_once(now=due_at + 2) == 0


async def test_deletion_and_export_need_a_recent_authentication(
    node: NodeHandle, driver: AuthDriver
) -> None:
    # A session made without a login (no authentication on record) is not fresh.
    store, sessions = node.context.store, node.context.sessions
    assert store is not None and sessions is not None
    account = await driver.signup("alice")
    token = new_token()
    await sessions.create(token_hash=hash_token(token), user_id=account.user_id,
                          expires_at=time.time() + 3600)
    for path in ("/api/auth/deletion", "/api/auth/export",
                 "/api/auth/passkeys/registration/options", "/api/auth/two-factor/email/enable"):
        refused = await driver.client.post(path, headers=bearer(token))
        assert refused.status_code == 403, (path, refused.text)
        assert refused.json()["error"]["reauthenticate"] is True
    wrong = await driver.client.post("/api/auth/step-up", json={"password": "not it"},
                                     headers=bearer(token))
    assert wrong.status_code == 403
    confirmed = ok(await driver.client.post("/api/auth/step-up",
                                            json={"password": account.password},
                                            headers=bearer(token)))
    assert confirmed["expires_at"] / 1000 > time.time()
    scheduled = await driver.client.post("/api/auth/deletion", headers=bearer(token))
    assert scheduled.status_code == 202
