"""Room moderation over REST on each store: a topic's rooms (privacy), the public
directory, moderators, the ban list and unban, invitations declined and withdrawn."""

from __future__ import annotations

import httpx

from tests.e2e.conftest import LoggedIn, log_in_new_user
from tests.e2e.file_support import bearer
from tests.store_support import on_each_store
from topicsflow.node import NodeHandle

pytestmark = on_each_store("node")


async def create_room(
    api: httpx.AsyncClient, owner: LoggedIn, name: str, **fields: object
) -> str:
    made = await api.post("/api/chat-rooms", headers=bearer(owner.token),
                          json={"name": name, **fields})
    assert made.status_code == 201, made.text
    room_id: str = made.json()["id"]
    return room_id


async def test_topic_rooms_and_directory(node: NodeHandle) -> None:
    alice, bob = await log_in_new_user(node, "alice"), await log_in_new_user(node, "bob")
    async with httpx.AsyncClient(base_url=node.base_url) as api:
        topic = await api.post("/api/topics", headers=bearer(alice.token),
                               json={"title": "Gardening", "description": "plants"})
        assert topic.status_code == 201, topic.text
        topic_id = topic.json()["id"]
        public = await create_room(api, alice, "Tomato Talk", topic_id=topic_id,
                                   is_private=False)
        secret = await create_room(api, alice, "Tomato secrets", topic_id=topic_id)
        for user, expected in ((alice, [public, secret]), (bob, [public])):
            listed = await api.get(f"/api/topics/{topic_id}/rooms", headers=bearer(user.token))
            assert listed.status_code == 200, listed.text
            assert [room["id"] for room in listed.json()["rooms"]] == expected

        found = await api.get("/api/chat-rooms/directory", params={"q": "TOMATO", "limit": 1},
                              headers=bearer(bob.token))
        assert found.status_code == 200, found.text
        assert [room["id"] for room in found.json()["rooms"]] == [public]
        following = await api.get(
            "/api/chat-rooms/directory",
            params={"q": "tomato", "cursor": found.json()["next_cursor"]},
            headers=bearer(bob.token),
        )
        assert following.json() == {"rooms": [], "next_cursor": None}
        pattern = await api.get("/api/chat-rooms/directory", params={"q": ".*"},
                                headers=bearer(bob.token))
        assert pattern.json()["rooms"] == []  # a plain substring, not a pattern


async def test_moderators_bans_and_invitations(node: NodeHandle) -> None:
    alice, bob = await log_in_new_user(node, "alice"), await log_in_new_user(node, "bob")
    carol, dave = await log_in_new_user(node, "carol"), await log_in_new_user(node, "dave")
    async with httpx.AsyncClient(base_url=node.base_url) as api:
        room = await create_room(api, alice, "crew")
        base = f"/api/chat-rooms/{room}"
        for user in (bob, carol):
            invited = await api.post(f"{base}/invitations", headers=bearer(alice.token),
                                     json={"user_id": user.user_id})
            assert invited.status_code == 200, invited.text
            assert (await api.post(f"{base}/join", headers=bearer(user.token))).status_code == 200

        # Moderators: the owner only.
        refused = await api.post(f"{base}/moderators", headers=bearer(bob.token),
                                 json={"user_id": carol.user_id})
        assert refused.status_code == 403
        promoted = await api.post(f"{base}/moderators", headers=bearer(alice.token),
                                  json={"user_id": bob.user_id})
        assert promoted.json() == {"user_id": bob.user_id, "role": "moderator"}

        # A moderator bans for good, sees the ban list and lifts it; carol may not.
        banned = await api.post(f"{base}/kick", headers=bearer(bob.token),
                                json={"user_id": carol.user_id, "ban": True})
        assert banned.status_code == 200, banned.text
        assert (await api.get(f"{base}/bans", headers=bearer(carol.token))).status_code == 403
        bans = await api.get(f"{base}/bans", headers=bearer(bob.token))
        assert [(b["user_id"], b["expires_at"]) for b in bans.json()["bans"]] == [
            (carol.user_id, None)
        ]
        rejoin = await api.post(f"{base}/join", headers=bearer(carol.token))
        assert rejoin.status_code == 403
        lifted = await api.delete(f"{base}/bans/{carol.user_id}", headers=bearer(bob.token))
        assert lifted.status_code == 200, lifted.text
        assert (await api.get(f"{base}/bans", headers=bearer(bob.token))).json()["bans"] == []
        again = await api.post(f"{base}/invitations", headers=bearer(alice.token),
                               json={"user_id": carol.user_id})
        assert again.status_code == 200, again.text
        assert (await api.post(f"{base}/join", headers=bearer(carol.token))).status_code == 200

        demoted = await api.delete(f"{base}/moderators/{bob.user_id}",
                                   headers=bearer(alice.token))
        assert demoted.json() == {"user_id": bob.user_id, "role": "member"}
        assert (await api.get(f"{base}/bans", headers=bearer(bob.token))).status_code == 403

        # Invitations: listed (mine; the room's for moderators), declined, withdrawn.
        await api.post(f"{base}/invitations", headers=bearer(carol.token),
                       json={"user_id": dave.user_id})
        mine = await api.get("/api/chat-rooms/invitations", headers=bearer(dave.token))
        assert [(i["room_id"], i["invited_by"]) for i in mine.json()["invitations"]] == [
            (room, carol.user_id)
        ]
        assert (await api.get(f"{base}/invitations", headers=bearer(bob.token))).status_code == 403
        listed = await api.get(f"{base}/invitations", headers=bearer(alice.token))
        assert [i["user_id"] for i in listed.json()["invitations"]] == [dave.user_id]
        declined = await api.delete(f"{base}/invitations/{dave.user_id}",
                                    headers=bearer(dave.token))
        assert declined.json()["message"] == "declined"
        assert (await api.post(f"{base}/join", headers=bearer(dave.token))).status_code == 403

        await api.post(f"{base}/invitations", headers=bearer(carol.token),
                       json={"user_id": dave.user_id})
        not_theirs = await api.delete(f"{base}/invitations/{dave.user_id}",
                                      headers=bearer(bob.token))
        assert not_theirs.status_code == 403
        withdrawn = await api.delete(f"{base}/invitations/{dave.user_id}",
                                     headers=bearer(carol.token))
        assert withdrawn.json()["message"] == "withdrawn"
        gone = await api.delete(f"{base}/invitations/{dave.user_id}", headers=bearer(alice.token))
        assert gone.status_code == 404
