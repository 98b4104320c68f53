"""Contract: pictures (one per subject) and the redaction of notifications."""

from __future__ import annotations

import pytest

from storage import NotFound, Store
from storage.records.pictures import Picture, PictureBlob
from tests.unit.storage.support import unique


def picture(subject: str, version: str) -> Picture:
    return Picture(
        subject=subject,
        version=version,
        content_type="image/webp",
        blobs=(PictureBlob(size=64, key=f"{version}-s"), PictureBlob(size=256, key=f"{version}-l")),
        set_by="u1",
        updated_at=1.5,
    )


async def test_one_picture_per_subject(store: Store) -> None:
    subject, other = unique("user:"), unique("room:")
    with pytest.raises(NotFound):
        await store.pictures.get(subject)
    assert await store.pictures.put(picture(subject, "aa")) is None
    first = await store.pictures.get(subject)
    assert first == picture(subject, "aa")
    assert await store.pictures.put(picture(subject, "bb")) == first
    await store.pictures.put(picture(other, "cc"))
    assert await store.pictures.versions([subject, other, unique("topic:"), subject]) == {
        subject: "bb", other: "cc"}
    assert await store.pictures.versions([]) == {}
    assert (await store.pictures.delete(subject)).version == "bb"
    with pytest.raises(NotFound):
        await store.pictures.delete(subject)
    assert await store.pictures.versions([subject]) == {}


async def test_redaction_empties_the_text_about_one_object(store: Store) -> None:
    subject, user = unique("post:"), unique("user")

    async def about(object_id: str | None, body: str, who: str = user) -> str:
        data = {"title": "New reply on Secret plans", "body": body, "subject": subject,
                "object_id": object_id}
        return (await store.notifications.create(user_id=who, kind="reply", data=data)).id

    someone = unique("user")
    gone = await about("c1", "the deleted words")
    await about("c1", "the deleted words", someone)
    kept = await about("c2", "still here")
    await store.notifications.redact(subject, "c1")
    found = {n.id: n.data for n in await store.notifications.list_for_user(user)}
    assert found[gone]["body"] == ""
    assert found[gone]["title"] == "New reply on Secret plans"
    assert found[kept]["body"] == "still here"
    (theirs,) = await store.notifications.list_for_user(someone)
    assert theirs.data["body"] == ""
    await store.notifications.redact(subject, title="A deleted post")
    after = await store.notifications.list_for_user(user)
    assert {(n.data["title"], n.data["body"]) for n in after} == {("A deleted post", "")}
    assert await store.notifications.unread_count(user) == 2
