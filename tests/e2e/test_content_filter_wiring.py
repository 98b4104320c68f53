"""The node's content rules reach every place users write: posts, comments, DMs, rooms."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import trio

from bots.client import RequestFailed, open_client
from protocol.client_frames import SendDirectMessage
from tests.e2e.conftest import LoggedIn, log_in_new_user, websocket_url
from topicsflow.content_rules import ContentRule, ContentRules
from topicsflow.node import NodeHandle, serve_node
from topicsflow.settings import Profile, Settings

RULES = ContentRules(
    rules=(
        ContentRule(name="banned", action="reject", words=("forbiddenword",)),
        ContentRule(name="rude", action="mask", words=("darn",)),
    )
)


@pytest.fixture
async def filtered_node(tmp_path: Path) -> AsyncIterator[NodeHandle]:
    settings = Settings(
        profile=Profile.TESTING,
        port=0,
        data_dir=tmp_path,
        secret_key="k" * 40,
        content_rules=RULES,
    )
    shutdown = trio.Event()
    async with trio.open_nursery() as nursery:
        yield await nursery.start(serve_node, settings, shutdown)
        shutdown.set()


def auth(user: LoggedIn) -> dict[str, str]:
    return {"Authorization": f"Bearer {user.token}"}


async def test_posts_and_comments_are_screened(filtered_node: NodeHandle) -> None:
    alice = await log_in_new_user(filtered_node, "alice")
    async with httpx.AsyncClient(base_url=filtered_node.base_url) as http:
        topic = await http.post("/api/topics", json={"title": "Gardening"}, headers=auth(alice))
        topic_id = topic.json()["id"]
        rejected = await http.post(
            "/api/posts",
            json={"topic_id": topic_id, "title": "hi", "body": "FORBIDDENWORD"},
            headers=auth(alice),
        )
        assert rejected.status_code == 400
        assert rejected.json()["error"]["code"] == "invalid"
        masked = await http.post(
            "/api/posts",
            json={"topic_id": topic_id, "title": "darn slugs", "body": "oh d.a.r.n"},
            headers=auth(alice),
        )
        post = masked.json()
        assert post["title"] == "**** slugs"
        assert "darn" not in post["body"]
        comment = await http.post(
            f"/api/posts/{post['id']}/comments", json={"body": "darn it"}, headers=auth(alice)
        )
        assert comment.json()["body"] == "**** it"


async def test_direct_messages_are_screened(filtered_node: NodeHandle) -> None:
    alice = await log_in_new_user(filtered_node, "alice")
    bob = await log_in_new_user(filtered_node, "bob")
    async with open_client(websocket_url(filtered_node), token=alice.token) as client:
        with pytest.raises(RequestFailed) as refused:
            await client.request(SendDirectMessage, recipient_id=bob.user_id, text="forbiddenword")
        assert refused.value.code == "invalid"
        await client.request(SendDirectMessage, recipient_id=bob.user_id, text="darn")
    assert filtered_node.context.store is not None
    (conversation,) = await filtered_node.context.store.direct_messages.conversations(bob.user_id)
    messages = await filtered_node.context.store.direct_messages.list_messages(
        conversation.id, viewer_id=bob.user_id
    )
    assert [message.body for message in messages] == ["****"]


async def test_names_that_match_a_rule_are_refused(filtered_node: NodeHandle) -> None:
    alice = await log_in_new_user(filtered_node, "alice")
    async with httpx.AsyncClient(base_url=filtered_node.base_url) as http:
        topic = await http.post("/api/topics", json={"title": "darn club"}, headers=auth(alice))
        assert topic.status_code == 400
        assert topic.json()["error"]["message"] == "this topic title is not allowed"
        room = await http.post("/api/chat-rooms", json={"name": "d4rn"}, headers=auth(alice))
        assert room.status_code == 400
        described = await http.post(
            "/api/chat-rooms", json={"name": "ok", "description": "darn"}, headers=auth(alice)
        )
        assert described.json()["description"] == "****"
        user = await http.post(
            "/api/auth/register",
            json={"username": "darn", "email": "d@example.org", "password": "a long passphrase"},
        )
        assert user.status_code == 400
