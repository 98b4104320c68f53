"""``/api/admin``: every route is for admins only; users, bans and stats for admins."""

from __future__ import annotations

import re

import httpx

from http_facade.app import create_app
from tests.e2e.conftest import log_in_new_user
from tests.e2e.moderation_support import auth, new_admin, report
from topicsflow.node import NodeHandle

PATH_PARAMETER = re.compile(r"<(?:\w+:)?\w+>")


def admin_routes(node: NodeHandle) -> list[tuple[str, str]]:
    """``(method, path)`` of every route under ``/api/admin``, parameters filled in."""
    app = create_app(node.context)  # the node's own app is wrapped by the gateway
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/admin"):
            continue
        for method in sorted(rule.methods or ()):
            if method not in ("HEAD", "OPTIONS"):
                routes.append((method, PATH_PARAMETER.sub("x", rule.rule)))
    return routes


async def test_every_admin_route_refuses_anonymous_and_plain_users(node: NodeHandle) -> None:
    user = await log_in_new_user(node, "plain")
    routes = admin_routes(node)
    assert len(routes) >= 5
    async with httpx.AsyncClient(base_url=node.base_url) as http:
        for method, path in routes:
            anonymous = await http.request(method, path, json={})
            assert anonymous.status_code == 401, (method, path)
            plain = await http.request(method, path, json={}, headers=auth(user))
            assert plain.status_code == 403, (method, path)


async def test_admins_list_users_ban_them_and_read_stats(node: NodeHandle) -> None:
    admin = await new_admin(node, "zadmin")
    alice, bob = await log_in_new_user(node, "alice"), await log_in_new_user(node, "alicia")
    async with httpx.AsyncClient(base_url=node.base_url) as http:
        found = await http.get("/api/admin/users", params={"prefix": "ali"}, headers=auth(admin))
        assert [user["username"] for user in found.json()["users"]] == ["alice", "alicia"]
        assert found.json()["users"][0]["email"] == "alice@example.org"
        admins = await http.get(
            "/api/admin/users", params={"is_admin": "true"}, headers=auth(admin)
        )
        assert [user["id"] for user in admins.json()["users"]] == [admin.user_id]

        banned = await http.put(
            f"/api/admin/users/{bob.user_id}/ban", json={"reason": "spam", "seconds": 60},
            headers=auth(admin),
        )
        assert banned.status_code == 200, banned.text
        assert banned.json()["user"]["banned"] is True
        assert (await http.get("/api/users/me", headers=auth(bob))).status_code == 401
        self_ban = await http.put(
            f"/api/admin/users/{admin.user_id}/ban", json={"reason": "x"}, headers=auth(admin)
        )
        assert self_ban.status_code == 400
        unknown = await http.put(
            "/api/admin/users/nobody/ban", json={"reason": "x"}, headers=auth(admin)
        )
        assert unknown.status_code == 404

        await report(http, alice, "user", bob.user_id)
        stats = await http.get("/api/admin/stats", headers=auth(admin))
        assert stats.status_code == 200, stats.text
        body = stats.json()
        assert body["users"] == {"count": 3, "capped": False}
        assert body["reports_by_state"]["open"] == {"count": 1, "capped": False}
        assert body["active_connections"] == 0
        assert body["events_per_minute"] >= 0
