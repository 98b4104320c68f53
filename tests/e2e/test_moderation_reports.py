"""Reports and their actions, end to end: each action's effect is seen live and audited."""

from __future__ import annotations

import httpx
import pytest
import trio
import trio_websocket

from bots.client import open_client
from protocol.chat_events import MessageDeleted
from protocol.close_codes import CloseCode
from protocol.codecs import SUBPROTOCOL_JSON
from protocol.control_frames import Goodbye, ModerationWarning
from protocol.feed_events import PostDeleted
from tests.e2e.chat_support import make_room, send
from tests.e2e.conftest import log_in_new_user, websocket_url
from tests.e2e.messaging_support import next_of
from tests.e2e.moderation_support import (
    DEADLINE_S,
    act,
    auth,
    new_admin,
    report,
    topic_with_post,
)
from topicsflow.node import NodeHandle


async def test_deleting_a_reported_post_reaches_subscribers_and_the_audit(node: NodeHandle) -> None:
    owner, author = await log_in_new_user(node, "owner"), await log_in_new_user(node, "author")
    reader, admin = await log_in_new_user(node, "reader"), await new_admin(node, "admin")
    async with httpx.AsyncClient(base_url=node.base_url) as http:
        topic_id, post_id = await topic_with_post(http, owner, author)
        created = await report(http, reader, "post", post_id)
        assert created.status_code == 201, created.text
        assert created.json()["topic_id"] == topic_id
        assert (await report(http, reader, "post", post_id)).status_code == 409
        assert (await report(http, reader, "post", "no-such-post")).status_code == 404
        assert (await report(http, reader, "post", "bad%20id!")).status_code in (400, 404)
        with trio.fail_after(DEADLINE_S):
            async with open_client(websocket_url(node), token=reader.token) as client:
                await client.subscribe(f"topic:{topic_id}")
                done = await act(http, admin, created.json()["id"], "delete_content")
                assert done.status_code == 200, done.text
                assert done.json()["report"]["state"] == "resolved"
                deleted = await next_of(client, PostDeleted)
                assert isinstance(deleted, PostDeleted)
        assert (await http.get(f"/api/posts/{post_id}", headers=auth(reader))).status_code == 404
        again = await act(http, admin, created.json()["id"], "dismiss")
        assert again.status_code == 409
        audit = await http.get("/api/admin/audit", headers=auth(admin))
        entry = audit.json()["entries"][0]
        assert entry["action"] == "report.delete_content"
        assert entry["actor_id"] == admin.user_id
        assert entry["target_id"] == post_id
        assert "rule 1" in entry["details"]
        assert (await http.get("/api/admin/audit", headers=auth(owner))).status_code == 403


async def test_room_messages_are_reported_by_members_and_deleted_by_admins(
    node: NodeHandle,
) -> None:
    alice, bob = await log_in_new_user(node, "alice"), await log_in_new_user(node, "bob")
    outsider, admin = await log_in_new_user(node, "outsider"), await new_admin(node, "admin")
    room_id = await make_room(node, alice, bob)
    async with httpx.AsyncClient(base_url=node.base_url) as http:
        with trio.fail_after(DEADLINE_S):
            async with open_client(websocket_url(node), token=bob.token) as client:
                await client.subscribe(f"chat_room:{room_id}")
                async with open_client(websocket_url(node), token=alice.token) as sender:
                    accepted = await send(sender, f"chat_room:{room_id}", "rude words")
                item_id = f"{room_id}:{accepted.message_id}"
                assert (await report(http, outsider, "room_message", item_id)).status_code == 403
                created = await report(http, bob, "room_message", item_id)
                assert created.status_code == 201, created.text
                done = await act(http, admin, created.json()["id"], "delete_content")
                assert done.status_code == 200, done.text
                deleted = await next_of(client, MessageDeleted)
                assert isinstance(deleted, MessageDeleted)
        banned = await report(http, bob, "user", alice.user_id)
        room_ban = await act(http, admin, banned.json()["id"], "ban", ban_scope="room")
        assert room_ban.status_code == 400  # a user report names no room


async def test_a_warning_is_delivered_live_and_stored(node: NodeHandle) -> None:
    rude, victim, admin = (
        await log_in_new_user(node, "rude"), await log_in_new_user(node, "victim"),
        await new_admin(node, "admin"),
    )
    async with httpx.AsyncClient(base_url=node.base_url) as http:
        created = await report(http, victim, "user", rude.user_id)
        with trio.fail_after(DEADLINE_S):
            async with open_client(websocket_url(node), token=rude.token) as client:
                await client.subscribe(f"user:{rude.user_id}")
                done = await act(http, admin, created.json()["id"], "warn")
                assert done.status_code == 200, done.text
                warning = await next_of(client, ModerationWarning)
                assert isinstance(warning, ModerationWarning)
                assert warning.message == "rule 1"
                assert warning.moderator_id == admin.user_id
        assert node.context.store is not None
        stored = await node.context.store.notifications.list_for_user(rude.user_id)
        assert [notification.kind for notification in stored] == ["moderation_warning"]


async def test_a_global_ban_closes_live_sockets_and_refuses_the_user(node: NodeHandle) -> None:
    rude, victim, admin = (
        await log_in_new_user(node, "rude"), await log_in_new_user(node, "victim"),
        await new_admin(node, "admin"),
    )
    async with httpx.AsyncClient(base_url=node.base_url) as http:
        created = await report(http, victim, "user", rude.user_id)
        with trio.fail_after(DEADLINE_S):
            async with open_client(websocket_url(node), token=rude.token) as client:
                done = await act(http, admin, created.json()["id"], "ban", ban_seconds=3600)
                assert done.status_code == 200, done.text
                reasons = [event.reason async for event in client.events()
                           if isinstance(event, Goodbye)]
                assert reasons == ["banned"]
                assert client.close_code == CloseCode.FORBIDDEN
        assert (await http.get("/api/users/me", headers=auth(rude))).status_code == 401
        with pytest.raises(trio_websocket.ConnectionRejected) as refused:
            async with trio_websocket.open_websocket_url(
                websocket_url(node), subprotocols=[SUBPROTOCOL_JSON],
                extra_headers=[(b"authorization", f"Bearer {rude.token}".encode())],
            ):
                pass
        assert refused.value.status_code == 401
        unban = await http.post(
            f"/api/admin/users/{rude.user_id}/unban", json={"reason": "appeal"},
            headers=auth(admin),
        )
        assert unban.status_code == 200, unban.text
        assert unban.json()["user"]["banned"] is False
        assert (await http.get("/api/users/me", headers=auth(rude))).status_code == 200
        audit = (await http.get("/api/admin/audit", headers=auth(admin))).json()["entries"]
        assert [entry["action"] for entry in audit] == ["user.unban", "report.ban"]
        forbidden = await http.patch(
            "/api/users/me/preferences", json={"preferences": {"banned_until": None}},
            headers=auth(rude),
        )
        assert forbidden.status_code == 400


async def test_topic_moderators_work_their_queue_and_escalate(node: NodeHandle) -> None:
    owner, author = await log_in_new_user(node, "owner"), await log_in_new_user(node, "author")
    reader, admin = await log_in_new_user(node, "reader"), await new_admin(node, "admin")
    async with httpx.AsyncClient(base_url=node.base_url) as http:
        topic_id, post_id = await topic_with_post(http, owner, author)
        first = (await report(http, reader, "post", post_id)).json()
        second = (await report(http, owner, "user", author.user_id)).json()
        mine = await http.get("/api/reports", params={"topic_id": topic_id}, headers=auth(owner))
        assert [item["id"] for item in mine.json()["reports"]] == [first["id"]]
        assert (await http.get("/api/reports", headers=auth(owner))).status_code == 403
        refused = await http.get(
            "/api/reports", params={"topic_id": topic_id}, headers=auth(reader)
        )
        assert refused.status_code == 403
        page = await http.get("/api/reports", params={"limit": 1}, headers=auth(admin))
        assert [item["id"] for item in page.json()["reports"]] == [second["id"]]
        older = await http.get(
            "/api/reports", params={"limit": 1, "cursor": page.json()["next_cursor"]},
            headers=auth(admin),
        )
        assert [item["id"] for item in older.json()["reports"]] == [first["id"]]
        assert (await act(http, reader, first["id"], "dismiss")).status_code == 403
        assert (await act(http, owner, second["id"], "dismiss")).status_code == 403

        topic_ban = await act(http, owner, first["id"], "ban", ban_seconds=600)
        assert topic_ban.status_code == 200, topic_ban.text
        bans = await http.get(f"/api/topics/{topic_id}/bans", headers=auth(owner))
        assert [ban["user_id"] for ban in bans.json()["bans"]] == [author.user_id]
        assert (await act(http, owner, first["id"], "reopen")).status_code == 200
        escalated = await act(http, owner, first["id"], "escalate")
        assert escalated.json()["report"]["state"] == "reviewing"
        assert (await act(http, owner, first["id"], "dismiss")).status_code == 403
        dismissed = await act(http, admin, first["id"], "dismiss")
        assert dismissed.json()["report"]["state"] == "dismissed"
        actions = [
            entry["action"] for entry in
            (await http.get("/api/admin/audit", params={"topic_id": topic_id},
                            headers=auth(admin))).json()["entries"]
        ]
        assert actions == ["report.dismiss", "report.escalate", "report.reopen", "report.ban"]


async def test_direct_messages_are_reported_by_participants_only(node: NodeHandle) -> None:
    rude, victim = await log_in_new_user(node, "rude"), await log_in_new_user(node, "victim")
    outsider, admin = await log_in_new_user(node, "outsider"), await new_admin(node, "admin")
    assert node.context.store is not None
    message = await node.context.store.direct_messages.send(
        sender_id=rude.user_id, recipient_id=victim.user_id, body="rude words"
    )
    odd = await node.context.store.reports.create(
        reporter_id="content-filter", item_kind="telepathy", item_id="x", reason="filter"
    )
    async with httpx.AsyncClient(base_url=node.base_url) as http:
        assert (await report(http, outsider, "direct_message", message.id)).status_code == 404
        created = await report(http, victim, "direct_message", message.id)
        assert created.status_code == 201, created.text
        report_id = created.json()["id"]
        assert (await act(http, admin, report_id, "delete_content")).status_code == 400
        assert created.json()["state"] == "open"
        assert (await act(http, admin, report_id, "warn")).status_code == 200
        assert (await act(http, admin, odd.id, "ban")).status_code == 400
        assert (await act(http, admin, odd.id, "dismiss")).status_code == 200
