"""Login, session rotation, cookies, logout, and my sessions."""

from __future__ import annotations

import time

from http_facade.middleware.security import SESSION_COOKIE
from services.tokens import public_session_id
from storage.keys import hash_token
from tests.auth_support import PASSWORD, AppUnderTest, AuthDriver, bearer, open_app_driver
from topicsflow.settings import Profile


async def test_unknown_user_and_wrong_password_fail_alike(driver: AuthDriver) -> None:
    await driver.signup("alice")
    unknown = await driver.login("nobody", "whatever password")
    unknown_email = await driver.login("nobody@example.org", "whatever password")
    wrong = await driver.login("alice", "wrong password here")
    bodies = {(r.status_code, r.text) for r in (unknown, unknown_email, wrong)}
    assert len(bodies) == 1
    status, _ = bodies.pop()
    assert status == 401
    assert wrong.json()["error"]["code"] == "unauthorized"


async def test_bearer_login_and_me(driver: AuthDriver) -> None:
    alice = await driver.signup("alice")
    me = await driver.client.get("/api/users/me", headers=bearer(alice.token))
    assert me.status_code == 200
    assert me.json()["email"] == "alice@example.org"
    anonymous = await driver.client.get("/api/users/me")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "unauthorized"
    bogus = await driver.client.get("/api/users/me", headers=bearer("not-a-token"))
    assert bogus.status_code == 401
    basic = await driver.client.get("/api/users/me", headers={"Authorization": "Basic eDp5"})
    assert basic.status_code == 401


async def test_cookie_login_sets_an_httponly_lax_cookie_and_no_token(driver: AuthDriver) -> None:
    await driver.signup("alice")
    response = await driver.login("alice", session_transport="cookie")
    assert response.status_code == 200
    assert "token" not in response.json()
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    me = await driver.client.get("/api/users/me")
    assert me.status_code == 200


async def test_production_cookies_are_secure() -> None:
    async with open_app_driver(profile=Profile.PRODUCTION) as facade:
        await facade.driver.signup("alice")
        response = await facade.driver.login("alice", session_transport="cookie")
        assert "Secure" in response.headers["set-cookie"]


async def test_login_rotates_the_session_and_revokes_the_presented_one(
    driver: AuthDriver, facade: AppUnderTest
) -> None:
    await driver.signup("alice")
    first = await driver.login("alice", session_transport="cookie")
    old_token = driver.client.cookies[SESSION_COOKIE]
    second = await driver.client.post(
        "/api/auth/login",
        json={"login": "alice", "password": PASSWORD, "session_transport": "cookie"},
        headers={"Origin": "http://testserver.local"},
    )
    new_token = driver.client.cookies[SESSION_COOKIE]
    assert new_token != old_token
    assert first.json()["session_id"] != second.json()["session_id"]
    assert await facade.store.sessions.get(hash_token(old_token)) is None
    assert first.json()["session_id"] in facade.connections.revoked_logins
    stale = await driver.client.get("/api/users/me", headers=bearer(old_token))
    assert stale.status_code == 401


async def test_logout_revokes_and_clears_the_cookie(
    driver: AuthDriver, facade: AppUnderTest
) -> None:
    await driver.signup("alice")
    await driver.login("alice", session_transport="cookie")
    token = driver.client.cookies[SESSION_COOKIE]
    response = await driver.client.post(
        "/api/auth/logout", headers={"Origin": "http://testserver.local"}
    )
    assert response.status_code == 200
    assert f'{SESSION_COOKIE}=""' in response.headers["set-cookie"] or "Max-Age=0" in (
        response.headers["set-cookie"]
    )
    assert public_session_id(hash_token(token)) in facade.connections.revoked_logins
    assert await driver.me_status(token) == 401


async def test_cookie_writes_need_an_allowed_origin(driver: AuthDriver) -> None:
    await driver.signup("alice")
    await driver.login("alice", session_transport="cookie")
    refused = await driver.client.post(
        "/api/auth/logout", headers={"Origin": "https://evil.example"}
    )
    assert refused.status_code == 403


async def test_list_and_revoke_my_sessions(driver: AuthDriver, facade: AppUnderTest) -> None:
    alice = await driver.signup("alice")
    other = (await driver.login("alice")).json()
    listed = await driver.client.get("/api/auth/sessions", headers=bearer(alice.token))
    sessions = listed.json()["sessions"]
    assert {s["id"] for s in sessions} == {
        public_session_id(hash_token(alice.token)),
        other["session_id"],
    }
    assert [s["current"] for s in sessions].count(True) == 1
    assert all(s["ip_address"] == "198.51.100.1" for s in sessions)
    revoked = await driver.client.delete(
        f"/api/auth/sessions/{other['session_id']}", headers=bearer(alice.token)
    )
    assert revoked.status_code == 200
    assert other["session_id"] in facade.connections.revoked_logins
    gone = await driver.client.get("/api/users/me", headers=bearer(other["token"]))
    assert gone.status_code == 401
    again = await driver.client.delete(
        f"/api/auth/sessions/{other['session_id']}", headers=bearer(alice.token)
    )
    assert again.status_code == 404


async def test_another_users_session_cannot_be_revoked(driver: AuthDriver) -> None:
    alice = await driver.signup("alice")
    bob = await driver.signup("bob")
    bob_session = public_session_id(hash_token(bob.token))
    response = await driver.client.delete(
        f"/api/auth/sessions/{bob_session}", headers=bearer(alice.token)
    )
    assert response.status_code == 404
    assert await driver.me_status(bob.token) == 200


async def test_revoke_other_sessions_keeps_this_one(driver: AuthDriver) -> None:
    alice = await driver.signup("alice")
    others = [(await driver.login("alice")).json()["token"] for _ in range(2)]
    response = await driver.client.delete("/api/auth/sessions", headers=bearer(alice.token))
    assert response.json() == {"revoked": 2}
    for token in others:
        assert await driver.me_status(token) == 401
    assert await driver.me_status(alice.token) == 200


async def test_a_cookie_session_that_slides_gets_its_cookie_renewed() -> None:
    # The store's clock lags two minutes, so every use finds the last touch old enough.
    async with open_app_driver(store_clock=lambda: time.time() - 120) as facade:
        driver = facade.driver
        await driver.signup("alice")
        await driver.login("alice", session_transport="cookie")
        renewed = await driver.client.get("/api/users/me")
        assert renewed.status_code == 200
        assert renewed.headers["set-cookie"].startswith(f"{SESSION_COOKIE}=")
        token = driver.client.cookies[SESSION_COOKIE]
        driver.client.cookies.clear()
        by_bearer = await driver.client.get("/api/users/me", headers=bearer(token))
        assert "set-cookie" not in by_bearer.headers


async def test_the_login_routes_declare_their_403_body(driver: AuthDriver) -> None:
    document = (await driver.client.get("/openapi.json")).json()
    schemas = document["components"]["schemas"]
    for path in ("/api/auth/login", "/api/auth/login/two-factor"):
        declared = document["paths"][path]["post"]["responses"]["403"]
        schema = declared["content"]["application/json"]["schema"]
        assert schema["properties"]["error"] == {"$ref": "#/components/schemas/LoginRefusal"}
    refusal = schemas["LoginRefusal"]
    assert refusal["properties"]["code"] == {"enum": ["forbidden"]}
    assert refusal["properties"]["ban"] == {"$ref": "#/components/schemas/BanNotice"}
    assert refusal["required"] == ["code", "message"]
    assert schemas["BanNotice"]["required"] == ["reason", "expires_at"]
