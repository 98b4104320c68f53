"""Helpers of the moderation end-to-end tests (not a test module)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.node_support import LoggedIn, log_in_new_user
from topicsflow.node import NodeHandle

DEADLINE_S = 10


def auth(user: LoggedIn) -> dict[str, str]:
    """The bearer header of ``user``."""
    return {"Authorization": f"Bearer {user.token}"}


async def new_admin(node: NodeHandle, name: str) -> LoggedIn:
    """A logged-in global admin."""
    admin = await log_in_new_user(node, name)
    assert node.context.store is not None
    await node.context.store.users.set_admin(admin.user_id, True)
    return admin


async def topic_with_post(
    http: httpx.AsyncClient, owner: LoggedIn, author: LoggedIn
) -> tuple[str, str]:
    """A public topic of ``owner`` with a post by ``author``: ``(topic_id, post_id)``."""
    topic = await http.post("/api/topics", json={"title": "Gardening"}, headers=auth(owner))
    assert topic.status_code == 201, topic.text
    topic_id = topic.json()["id"]
    joined = await http.post(f"/api/topics/{topic_id}/join", headers=auth(author))
    assert joined.status_code in (200, 201), joined.text
    post = await http.post(
        "/api/posts", json={"topic_id": topic_id, "title": "spam spam"}, headers=auth(author)
    )
    assert post.status_code == 201, post.text
    return topic_id, post.json()["id"]


async def report(
    http: httpx.AsyncClient, reporter: LoggedIn, kind: str, item_id: str
) -> httpx.Response:
    """``reporter`` reports an item."""
    return await http.post(
        "/api/reports", json={"item_kind": kind, "item_id": item_id, "reason": "abuse"},
        headers=auth(reporter),
    )


async def act(
    http: httpx.AsyncClient, moderator: LoggedIn, report_id: str, action: str, **extra: Any
) -> httpx.Response:
    """``moderator`` takes ``action`` on the report."""
    return await http.post(
        f"/api/reports/{report_id}/actions",
        json={"action": action, "reason": "rule 1", **extra}, headers=auth(moderator),
    )
