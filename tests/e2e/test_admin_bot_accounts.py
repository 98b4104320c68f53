"""``POST /api/admin/bot-accounts``: operators create verified bot accounts with sessions."""

from __future__ import annotations

import httpx

from http_facade.operators import OPS_TOKEN_ACTOR
from http_facade.routes.admin.bots_schemas import MAX_BOT_ACCOUNTS
from tests.e2e.conftest import OPS_TOKEN, log_in_new_user
from tests.e2e.moderation_support import auth, new_admin
from topicsflow.node import NodeHandle

PATH = "/api/admin/bot-accounts"
OPS = {"Authorization": f"Bearer {OPS_TOKEN}"}


async def test_the_ops_token_creates_verified_accounts_with_working_sessions(
    node: NodeHandle,
) -> None:
    async with httpx.AsyncClient(base_url=node.base_url) as http:
        created = await http.post(PATH, json={"usernames": ["botx1", "botx2"]}, headers=OPS)
        assert created.status_code == 201, created.text
        accounts = created.json()["accounts"]
        assert [account["username"] for account in accounts] == ["botx1", "botx2"]
        for account in accounts:
            me = await http.get(
                "/api/users/me", headers={"Authorization": f"Bearer {account['token']}"}
            )
            assert me.status_code == 200, me.text
            assert me.json()["username"] == account["username"]
        login = await http.post(
            "/api/auth/login", json={"login": "botx1", "password": "!bot-account"}
        )
        assert login.status_code == 401
    assert node.context.store is not None
    user = await node.context.store.users.find_by_username("botx1")
    assert user is not None and user.email_verified
    assert user.email == "botx1@bots.invalid"
    audit = await node.context.store.reports.list_audit(target_id=user.id)
    assert [(entry.actor_id, entry.action) for entry in audit] == [
        (OPS_TOKEN_ACTOR, "user.create_bot")
    ]


async def test_an_admin_session_may_create_them_and_is_named_in_the_audit(
    node: NodeHandle,
) -> None:
    admin = await new_admin(node, "opsadmin")
    async with httpx.AsyncClient(base_url=node.base_url) as http:
        created = await http.post(PATH, json={"usernames": ["boty1"]}, headers=auth(admin))
    assert created.status_code == 201, created.text
    assert node.context.store is not None
    user_id = created.json()["accounts"][0]["user_id"]
    audit = await node.context.store.reports.list_audit(target_id=user_id)
    assert [entry.actor_id for entry in audit] == [admin.user_id]


async def test_others_are_refused_before_the_body_is_read(node: NodeHandle) -> None:
    plain = await log_in_new_user(node, "plainuser")
    async with httpx.AsyncClient(base_url=node.base_url) as http:
        anonymous = await http.post(PATH, json={"usernames": ["botz1"]})
        wrong = await http.post(
            PATH, json={"usernames": ["botz1"]}, headers={"Authorization": "Bearer nope"}
        )
        forbidden = await http.post(PATH, json={"bad": True}, headers=auth(plain))
    assert (anonymous.status_code, wrong.status_code, forbidden.status_code) == (401, 401, 403)
    assert node.context.store is not None
    assert await node.context.store.users.find_by_username("botz1") is None


async def test_a_bad_name_refuses_the_whole_request_before_anything_is_created(
    node: NodeHandle,
) -> None:
    await log_in_new_user(node, "taken")
    async with httpx.AsyncClient(base_url=node.base_url) as http:
        taken = await http.post(PATH, json={"usernames": ["botw1", "TAKEN"]}, headers=OPS)
        repeated = await http.post(PATH, json={"usernames": ["botw1", "BotW1"]}, headers=OPS)
        malformed = await http.post(PATH, json={"usernames": ["no spaces"]}, headers=OPS)
        too_many = await http.post(
            PATH, json={"usernames": [f"botv{n}" for n in range(MAX_BOT_ACCOUNTS + 1)]},
            headers=OPS,
        )
    assert taken.status_code == 409 and "'TAKEN'" in taken.json()["error"]["message"]
    assert repeated.status_code == 400 and "repeated" in repeated.json()["error"]["message"]
    assert (malformed.status_code, too_many.status_code) == (400, 400)
    assert node.context.store is not None
    assert await node.context.store.users.find_by_username("botw1") is None
    assert await node.context.store.users.find_by_username("botv0") is None
