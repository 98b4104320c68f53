"""Contract: ``/api/topics`` — create, read, change, delete, restore, list."""

from __future__ import annotations

from tests.e2e.community_support import People, new_topic, ok, refused
from tests.store_support import on_each_store

pytestmark = on_each_store("node")

HOSTILE = '<script>alert("x")</script> (.*)[^a]+$ {{7*7}} \u202e\u0001 \\u0000? '
HUGE_UNICODE = "\U0001d518\U0001d52b \U0001f469\u200d\U0001f467 e\u0301 \u4e2d\u6587 " * 40


async def test_topics_are_created_read_and_changed_with_text_kept_verbatim(
    people: People,
) -> None:
    alice, bob = await people.new("alice"), await people.new("bob")
    created = await new_topic(
        alice, "Straße Café", description=HOSTILE + HUGE_UNICODE, tags=["Python", " tips "]
    )
    assert created["owner_id"] == alice.user_id
    assert created["my_role"] == "owner" and created["member_count"] == 1
    assert created["description"] == HOSTILE + HUGE_UNICODE
    assert created["tags"] == ["python", "tips"]
    duplicate = await alice.api.post("/api/topics", json={"title": "STRASSE CAFÉ"})
    refused(duplicate, 409, "conflict")

    fetched = ok(await bob.api.get(f"/api/topics/{created['id']}"))
    assert fetched["title"] == "Straße Café" and fetched["my_role"] is None
    assert fetched["description"] == HOSTILE + HUGE_UNICODE

    changed = ok(
        await alice.api.patch(
            f"/api/topics/{created['id']}", json={"title": HOSTILE.strip(), "tags": []}
        )
    )
    assert changed["title"] == HOSTILE.strip() and changed["tags"] == []
    assert changed["description"] == HOSTILE + HUGE_UNICODE
    other = await new_topic(alice, "Another")
    taken = HOSTILE.strip().upper()
    refused(
        await alice.api.patch(f"/api/topics/{other['id']}", json={"title": taken}), 409, "conflict"
    )
    renamed = await alice.api.patch(f"/api/topics/{other['id']}", json={"title": "STRASSE café"})
    assert ok(renamed)["title"] == "STRASSE café"  # the first topic is called otherwise now
    refused(
        await bob.api.patch(f"/api/topics/{created['id']}", json={"title": "mine"}),
        403,
        "forbidden",
    )


async def test_lists_sort_filter_search_literally_and_page(people: People) -> None:
    alice, bob, carol = (
        await people.new("alice"),
        await people.new("bob"),
        await people.new("carol"),
    )
    quiet = await new_topic(alice, "Quiet corner", tags=["misc"])
    busy = await new_topic(alice, "C++ (beta) talk", description="templates", tags=["code"])
    newest = await new_topic(alice, "Newest", tags=["code", "misc"])
    for person in (bob, carol):
        ok(await person.api.post(f"/api/topics/{busy['id']}/join"))
    ok(await bob.api.post(f"/api/topics/{quiet['id']}/join"))

    async def titles(**params: object) -> list[str]:
        page = ok(await bob.api.get("/api/topics", params=params))
        return [topic["title"] for topic in page["topics"]]

    assert await titles(sort="members") == ["C++ (beta) talk", "Quiet corner", "Newest"]
    assert await titles(sort="created") == ["Newest", "C++ (beta) talk", "Quiet corner"]
    assert await titles(tag="CODE", sort="created") == ["Newest", "C++ (beta) talk"]
    assert await titles(q="++ (BETA") == ["C++ (beta) talk"]
    assert await titles(q="TEMPLATES") == ["C++ (beta) talk"]
    assert await titles(q="(") == ["C++ (beta) talk"]
    for pattern in (".*", "^Q", "[a-z]+", ")(", "\\", "e.t"):
        assert await titles(q=pattern) == [], pattern
    first = ok(await bob.api.get("/api/topics", params={"sort": "created", "limit": 2}))
    assert [topic["id"] for topic in first["topics"]] == [newest["id"], busy["id"]]
    assert first["next_cursor"] is not None
    second = ok(await bob.api.get(
        "/api/topics", params={"sort": "created", "cursor": first["next_cursor"], "limit": 2}
    ))
    assert [topic["id"] for topic in second["topics"]] == [quiet["id"]]
    assert second["next_cursor"] is None


async def test_invite_only_topics_never_empty_a_page_of_someone_outside(
    people: People,
) -> None:
    alice, bob = await people.new("alice"), await people.new("bob")
    public = await new_topic(alice, "Open to all")
    await new_topic(alice, "Members only", invite_only=True)
    page = ok(await bob.api.get("/api/topics", params={"sort": "created", "limit": 1}))
    assert [topic["id"] for topic in page["topics"]] == [public["id"]]
    everything = ok(await alice.api.get("/api/topics", params={"sort": "created"}))
    assert [topic["title"] for topic in everything["topics"]] == ["Members only", "Open to all"]


async def test_deleted_topics_vanish_until_an_admin_restores_them(people: People) -> None:
    alice, bob = await people.new("alice"), await people.new("bob")
    admin = await people.new("admin", admin=True)
    topic = await new_topic(alice)
    path = f"/api/topics/{topic['id']}"
    refused(await bob.api.delete(path), 403, "forbidden")
    ok(await alice.api.delete(path))
    refused(await bob.api.get(path), 404, "not_found")
    refused(await alice.api.post(f"{path}/join"), 404, "not_found")
    assert ok(await bob.api.get("/api/topics"))["topics"] == []
    refused(await alice.api.post(f"{path}/restore"), 403, "forbidden")
    restored = ok(await admin.api.post(f"{path}/restore"))
    assert restored["deleted_at"] is None
    audit = ok(await admin.api.get("/api/admin/audit", params={"target_id": topic["id"]}))
    assert [entry["action"] for entry in audit["entries"]] == ["topic.restore"]
    assert ok(await bob.api.get(path))["title"] == topic["title"]
    refused(await admin.api.post("/api/topics/unknown/restore"), 404, "not_found")


async def test_bad_input_is_refused_in_the_error_shape(people: People) -> None:
    alice = await people.new("alice")
    topic = await new_topic(alice)
    for missing in ("unknown", "x" * 65, "a.b", "%E2%80%AE"):
        refused(await alice.api.get(f"/api/topics/{missing}"), 404, "not_found")
    refused(await alice.api.post("/api/topics/unknown/join"), 404, "not_found")
    for body in (
        {"title": "t" * 121},
        {"title": ""},
        {"title": "   "},
        {"title": "ok", "colour": "red"},
        {"title": "ok", "tags": [f"t{number}" for number in range(11)]},
        {"title": "ok", "description": "d" * 2001},
        {"title": 5},
    ):
        refused(await alice.api.post("/api/topics", json=body), 400, "invalid")
    for params in (
        {"sort": "random"}, {"limit": 0}, {"limit": 101}, {"offset": 2}, {"cursor": "nope"},
        {"cursor": "eyJrIjoibyIsIm8iOi0xfQ"},  # {"k":"o","o":-1}
    ):
        refused(await alice.api.get("/api/topics", params=params), 400, "invalid")
    refused(
        await alice.api.patch(f"/api/topics/{topic['id']}", json={"owner_id": "x"}), 400, "invalid"
    )
    anonymous = await people.node_client()
    refused(await anonymous.get("/api/topics"), 401, "unauthorized")
    refused(await anonymous.post("/api/topics", json={"title": "x"}), 401, "unauthorized")
