"""Contract: avatars, topic and room pictures — set, served to who may see them, removed."""

from __future__ import annotations

import io

import httpx
from PIL import Image

from tests.e2e.attachment_support import png, private_room, private_topic, upload
from tests.e2e.community_support import People, Person, ok, refused
from tests.e2e.file_support import PNG as CORRUPT_PNG
from tests.store_support import on_each_store

pytestmark = on_each_store("node")


def image_of(response: httpx.Response) -> Image.Image:
    """The WebP image a picture route answered."""
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "image/webp"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    return Image.open(io.BytesIO(response.content), formats=["WEBP"])


async def test_an_avatar_is_set_served_cached_and_removed(people: People) -> None:
    alice, bob = await people.new("alice"), await people.new("bob")
    anonymous = await people.node_client()
    exif = Image.Exif()
    exif[0x010F] = "SecretCamera"
    exif[0x8825] = {2: (1.0, 2.0, 3.0)}  # GPS
    source = io.BytesIO()
    Image.new("RGB", (640, 320), (10, 200, 10)).save(source, format="JPEG", exif=exif)
    file_id = await upload(alice, source.getvalue(), content_type="image/jpeg")

    refused(await bob.api.put("/api/users/me/avatar", json={"file_id": file_id}), 400, "invalid")
    view = ok(await alice.api.put("/api/users/me/avatar", json={"file_id": file_id}))
    assert view["sizes"] == [64, 256]
    assert view["url"] == f"/api/users/{alice.user_id}/avatar?v={view['version']}"
    assert ok(await alice.api.get("/api/users/me"))["avatar_url"] == view["url"]
    assert ok(await bob.api.get(f"/api/users/{alice.user_id}"))["avatar_url"] == view["url"]
    assert ok(await bob.api.get("/api/users/me"))["avatar_url"] is None
    found = ok(await bob.api.get("/api/search/users", params={"q": "alice"}))["users"]
    assert [(user["id"], user["avatar_url"]) for user in found] == [(alice.user_id, view["url"])]

    served = await anonymous.get(view["url"])
    large = image_of(served)
    assert large.size == (256, 256)
    assert not large.getexif()
    assert "exif" not in large.info
    assert "icc_profile" not in large.info
    assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    small = await anonymous.get(view["url"], params={"size": 40})
    assert image_of(small).size == (64, 64)
    unversioned = await anonymous.get(f"/api/users/{alice.user_id}/avatar")
    assert unversioned.headers["Cache-Control"] == "public, no-cache"
    etag = unversioned.headers["ETag"]
    again = await anonymous.get(
        f"/api/users/{alice.user_id}/avatar", headers={"If-None-Match": etag}
    )
    assert (again.status_code, again.content) == (304, b"")

    ok(await alice.api.delete("/api/users/me/avatar"))
    refused(await anonymous.get(view["url"]), 404, "not_found")
    assert ok(await alice.api.get("/api/users/me"))["avatar_url"] is None
    refused(await alice.api.delete("/api/users/me/avatar"), 404, "not_found")
    refused(await anonymous.get("/api/users/nosuchuser/avatar"), 404, "not_found")


async def test_what_is_not_a_usable_image_is_refused(people: People) -> None:
    alice = await people.new("alice")
    text = await upload(alice, b"just words\n", content_type="text/plain")
    refused(await alice.api.put("/api/users/me/avatar", json={"file_id": text}), 415, "unsupported")
    corrupt = await upload(alice, CORRUPT_PNG)
    refused(
        await alice.api.put("/api/users/me/avatar", json={"file_id": corrupt}), 415, "unsupported"
    )
    refused(
        await alice.api.put("/api/users/me/avatar", json={"file_id": "nosuchfile0000"}),
        400, "invalid",
    )
    assert ok(await alice.api.get("/api/users/me"))["avatar_url"] is None


async def _set_and_share(
    owner: Person, member: Person, outsider: Person, path: str, view_path: str
) -> None:
    file_id = await upload(owner, png())
    member_file = await upload(member, png())
    refused(await member.api.put(path, json={"file_id": member_file}), 403, "forbidden")
    view = ok(await owner.api.put(path, json={"file_id": file_id}))
    assert view["url"] == f"{path}?v={view['version']}"
    assert ok(await member.api.get(view_path))["picture_url"] == view["url"]
    assert image_of(await member.api.get(view["url"])).size == (256, 256)
    assert (await member.api.get(view["url"])).headers["Cache-Control"].startswith("private,")
    refused(await outsider.api.get(view["url"]), 404, "not_found")
    refused(await outsider.api.get(path), 404, "not_found")
    refused(await member.api.delete(path), 403, "forbidden")

    ok(await owner.api.delete(path))
    refused(await member.api.get(view["url"]), 404, "not_found")
    assert ok(await member.api.get(view_path))["picture_url"] is None


async def test_a_private_topics_picture_is_for_its_members(people: People) -> None:
    alice, bob, eve = [await people.new(name) for name in ("alice", "bob", "eve")]
    topic_id = await private_topic(alice, bob)
    path = f"/api/topics/{topic_id}/picture"
    await _set_and_share(alice, bob, eve, path, f"/api/topics/{topic_id}")
    file_id = await upload(alice, png())
    view = ok(await alice.api.put(path, json={"file_id": file_id}))
    listed = ok(await alice.api.get("/api/topics"))["topics"]
    assert [topic["picture_url"] for topic in listed if topic["id"] == topic_id] == [view["url"]]


async def test_a_private_rooms_picture_is_for_its_members(people: People) -> None:
    alice, bob, eve = [await people.new(name) for name in ("alice", "bob", "eve")]
    room_id = await private_room(alice, bob)
    path = f"/api/chat-rooms/{room_id}/picture"
    await _set_and_share(alice, bob, eve, path, f"/api/chat-rooms/{room_id}")
    file_id = await upload(alice, png())
    view = ok(await alice.api.put(path, json={"file_id": file_id}))
    mine = ok(await bob.api.get("/api/chat-rooms"))["rooms"]
    assert [room["picture_url"] for room in mine if room["id"] == room_id] == [view["url"]]
    blue = await upload(alice, png(50, 90, (0, 0, 255)))
    replaced = ok(await alice.api.put(path, json={"file_id": blue}))
    assert replaced["version"] != view["version"]
    old = await bob.api.get(view["url"])  # an old version's URL serves the current picture
    assert old.headers["Cache-Control"] == "private, no-cache"
