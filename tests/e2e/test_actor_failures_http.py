"""A crashing actor over real HTTP: the mapped error, nothing internal, and recovery.

The room actor of a served node crashes while it handles a join (its store read
raises an unexpected error).  The client gets 500 ``internal`` with the mapped message
of ``http_facade.errors.actor_failure`` — not the generic "internal server error", and
none of the original exception's text — and the restarted actor serves the next join.
The other rows of the mapping are driven in process: ``tests/unit/http_facade/
test_actor_failures.py``.
"""

from __future__ import annotations

import httpx
import pytest

from storage.records import Ban
from tests.e2e.node_support import LoggedIn, log_in_new_user
from topicsflow.node import NodeHandle

SECRET = "disk-on-fire-91c2"


def auth(user: LoggedIn) -> dict[str, str]:
    return {"Authorization": f"Bearer {user.token}"}


async def test_a_crash_in_a_room_actor_is_500_internal_without_details(
    node: NodeHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, bob = await log_in_new_user(node, "alice"), await log_in_new_user(node, "bob")
    store = node.context.store
    assert store is not None
    async with httpx.AsyncClient(base_url=node.base_url) as http:
        created = await http.post(
            "/api/chat-rooms", json={"name": "Lounge"}, headers=auth(alice)
        )
        assert created.status_code == 201, created.text
        room_id = created.json()["id"]
        invited = await http.post(
            f"/api/chat-rooms/{room_id}/invitations", json={"user_id": bob.user_id},
            headers=auth(alice),
        )
        assert invited.status_code == 200, invited.text

        async def broken_get_ban(scope_id: str, user_id: str) -> Ban | None:
            raise RuntimeError(SECRET)

        with monkeypatch.context() as patch:
            patch.setattr(store.rooms.members, "get_ban", broken_get_ban)
            crashed = await http.post(f"/api/chat-rooms/{room_id}/join", headers=auth(bob))
        assert crashed.status_code == 500
        assert crashed.json() == {
            "error": {
                "code": "internal",
                "message": "the command failed; it may or may not have taken effect",
            }
        }
        for internal in (SECRET, "RuntimeError", "chat_room/", "JoinRoom"):
            assert internal not in crashed.text

        joined = await http.post(f"/api/chat-rooms/{room_id}/join", headers=auth(bob))
        assert joined.status_code == 200, joined.text
        assert joined.json()["message"] == "joined"
