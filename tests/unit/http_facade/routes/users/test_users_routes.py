"""``/api/users``: my profile and preferences, public profiles, search, blocks, admins."""

from __future__ import annotations

from tests.auth_support import AppUnderTest, AuthDriver, bearer


async def test_my_profile_reads_and_updates(driver: AuthDriver) -> None:
    alice = await driver.signup("alice")
    headers = bearer(alice.token)
    updated = await driver.client.patch(
        "/api/users/me", json={"display_name": "Alice A.", "bio": "hi"}, headers=headers
    )
    assert updated.status_code == 200
    body = updated.json()
    assert (body["display_name"], body["bio"], body["username"]) == ("Alice A.", "hi", "alice")
    renamed = await driver.client.patch(
        "/api/users/me", json={"username": "alicia"}, headers=headers
    )
    assert renamed.json()["username"] == "alicia"
    await driver.signup("bob")
    taken = await driver.client.patch("/api/users/me", json={"username": "BOB"}, headers=headers)
    assert taken.status_code == 409
    too_long = await driver.client.patch("/api/users/me", json={"bio": "x" * 1001}, headers=headers)
    assert too_long.status_code == 400
    admin_attempt = await driver.client.patch(
        "/api/users/me", json={"is_admin": True}, headers=headers
    )
    assert admin_attempt.status_code == 400


async def test_public_profiles_and_search_never_show_emails(driver: AuthDriver) -> None:
    alice = await driver.signup("alice")
    await driver.signup("alfred")
    public = await driver.client.get(f"/api/users/{alice.user_id}")
    assert public.status_code == 200
    assert public.json()["username"] == "alice" and "email" not in public.json()
    by_name = await driver.client.get("/api/users/by-name/ALICE")
    assert by_name.json()["id"] == alice.user_id and "email" not in by_name.json()
    assert (await driver.client.get("/api/users/by-name/nobody")).status_code == 404
    assert (await driver.client.get("/api/users/" + "f" * 26)).status_code == 404
    assert (await driver.client.get("/api/users?q=al")).status_code == 401
    found = await driver.client.get("/api/users?q=AL&limit=5", headers=bearer(alice.token))
    users = found.json()["users"]
    assert [user["username"] for user in users] == ["alfred", "alice"]
    assert all("email" not in user for user in users)
    assert "@" not in found.text
    bad_limit = await driver.client.get("/api/users?q=al&limit=0", headers=bearer(alice.token))
    assert bad_limit.status_code == 400


async def test_preferences_merge_and_are_bounded(driver: AuthDriver) -> None:
    alice = await driver.signup("alice")
    headers = bearer(alice.token)
    first = await driver.client.patch(
        "/api/users/me/preferences", json={"preferences": {"theme": "dark", "digest": True}},
        headers=headers,
    )
    assert first.status_code == 200
    second = await driver.client.patch(
        "/api/users/me/preferences", json={"preferences": {"theme": "light", "size": 3}},
        headers=headers,
    )
    assert second.json()["preferences"] == {"theme": "light", "digest": True, "size": 3}
    read = await driver.client.get("/api/users/me/preferences", headers=headers)
    assert read.json() == second.json()
    for bad in ({"$where": 1}, {"a.b": 1}, {"": 1}, {"x": [1]}, {"x": 10**20}, {"x": "y" * 300}):
        response = await driver.client.patch(
            "/api/users/me/preferences", json={"preferences": bad}, headers=headers
        )
        assert response.status_code == 400, bad
    too_many_at_once = {f"key{number}": number for number in range(51)}
    at_once = await driver.client.patch(
        "/api/users/me/preferences", json={"preferences": too_many_at_once}, headers=headers
    )
    assert at_once.status_code == 400
    for first_key in (0, 50):  # 3 stored + 94 new = 97, then 3 more fits, one more does not
        batch = {f"k{first_key + number}": number for number in range(47)}
        response = await driver.client.patch(
            "/api/users/me/preferences", json={"preferences": batch}, headers=headers
        )
        assert response.status_code == 200
    fits = {"x1": 1, "x2": 2, "x3": 3}
    assert (await driver.client.patch(
        "/api/users/me/preferences", json={"preferences": fits}, headers=headers
    )).status_code == 200
    over = await driver.client.patch(
        "/api/users/me/preferences", json={"preferences": {"x4": 4}}, headers=headers
    )
    assert over.status_code == 400


async def test_blocks(driver: AuthDriver) -> None:
    alice = await driver.signup("alice")
    bob = await driver.signup("bob")
    headers = bearer(alice.token)
    bob_path = f"/api/users/me/blocks/{bob.user_id}"
    for _ in range(2):
        assert (await driver.client.put(bob_path, headers=headers)).status_code == 200
    listed = await driver.client.get("/api/users/me/blocks", headers=headers)
    assert [user["id"] for user in listed.json()["users"]] == [bob.user_id]
    assert "email" not in listed.json()["users"][0]
    myself = await driver.client.put(f"/api/users/me/blocks/{alice.user_id}", headers=headers)
    assert myself.status_code == 400
    unknown = await driver.client.put("/api/users/me/blocks/" + "0" * 26, headers=headers)
    assert unknown.status_code == 404
    assert (await driver.client.delete(bob_path, headers=headers)).status_code == 200
    listed = await driver.client.get("/api/users/me/blocks", headers=headers)
    assert listed.json() == {"users": [], "next_cursor": None}


async def test_only_admins_set_the_admin_flag(driver: AuthDriver, facade: AppUnderTest) -> None:
    alice = await driver.signup("alice")
    bob = await driver.signup("bob")
    path = f"/api/users/{bob.user_id}/admin"
    assert (await driver.client.put(path, json={"is_admin": True})).status_code == 401
    refused = await driver.client.put(path, json={"is_admin": True}, headers=bearer(alice.token))
    assert refused.status_code == 403
    await facade.store.users.set_admin(alice.user_id, True)
    for loose in (0, "true", None):
        refused = await driver.client.put(
            path, json={"is_admin": loose}, headers=bearer(alice.token)
        )
        assert refused.status_code == 400, loose
    granted = await driver.client.put(path, json={"is_admin": True}, headers=bearer(alice.token))
    assert granted.json() == {"user_id": bob.user_id, "is_admin": True}
    assert (await driver.client.get("/api/users/me", headers=bearer(bob.token))).json()["is_admin"]
