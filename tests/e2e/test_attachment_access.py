"""Contract: only the author's own files are attached; exactly the content's readers read them."""

from __future__ import annotations

from tests.e2e.attachment_support import fetch, png, private_room, private_topic, upload
from tests.e2e.community_support import People, new_topic, ok, refused
from tests.store_support import on_each_store

pytestmark = on_each_store("node")


def without_id(message: str, file_id: str) -> str:
    """A refusal's message with the file id it echoes taken out."""
    return message.replace(file_id, "<id>")


async def test_a_room_message_carries_only_its_authors_files(people: People) -> None:
    alice, bob, eve = [await people.new(name) for name in ("alice", "bob", "eve")]
    room_id = await private_room(alice, bob)
    path = f"/api/chat-rooms/{room_id}/messages"
    evidence = await upload(eve, png())
    borrowed = refused(
        await alice.api.post(path, json={"text": "mine now", "attachment_ids": [evidence]}),
        400, "invalid",
    )
    absent = refused(
        await alice.api.post(path, json={"text": "x", "attachment_ids": ["nosuchfile0000"]}),
        400, "invalid",
    )
    assert without_id(borrowed, evidence) == without_id(absent, "nosuchfile0000")
    history = ok(await alice.api.get(path))["messages"]
    assert history == []
    # The only way to the file would have been that message: nobody but eve reads it.
    for stranger in (alice, bob):
        for seq in (1, 2):
            got = await fetch(stranger, evidence, room_id=room_id, seq=seq)
            refused(got, 404, "not_found")

    own = await upload(alice, png(colour=(1, 2, 3)))
    sent = ok(await alice.api.post(path, json={"text": "look", "attachment_ids": [own]}), 201)
    seq = sent["seq"]
    as_bob = await fetch(bob, own, room_id=room_id, seq=seq)
    assert as_bob.status_code == 200
    assert as_bob.content == png(colour=(1, 2, 3))
    refused(await fetch(eve, own, room_id=room_id, seq=seq), 404, "not_found")
    refused(await fetch(eve, own), 404, "not_found")
    refused(await fetch(bob, own), 404, "not_found")  # no proof, no read


async def test_every_reader_of_a_post_reads_its_attachment(people: People) -> None:
    alice, bob, eve = [await people.new(name) for name in ("alice", "bob", "eve")]
    topic_id = await private_topic(alice, bob)
    own = await upload(bob, png(colour=(9, 9, 9)))
    post = ok(
        await bob.api.post(
            "/api/posts", json={"topic_id": topic_id, "title": "pic", "attachment_ids": [own]}
        ),
        201,
    )
    assert post["attachment_ids"] == [own]
    as_owner = await fetch(alice, own, post_id=post["id"])  # the topic's owner: the old 404
    assert as_owner.status_code == 200
    assert as_owner.content == png(colour=(9, 9, 9))
    refused(await fetch(eve, own, post_id=post["id"]), 404, "not_found")
    refused(await fetch(alice, own), 404, "not_found")

    borrowed = refused(
        await alice.api.post(
            "/api/posts", json={"topic_id": topic_id, "title": "x", "attachment_ids": [own]}
        ),
        400, "invalid",
    )
    absent = refused(
        await alice.api.post(
            "/api/posts",
            json={"topic_id": topic_id, "title": "x", "attachment_ids": ["nosuchfile0000"]},
        ),
        400, "invalid",
    )
    assert without_id(borrowed, own) == without_id(absent, "nosuchfile0000")
    # A post that does not carry the file proves nothing.
    other = ok(await alice.api.post("/api/posts", json={"topic_id": topic_id, "title": "y"}), 201)
    refused(await fetch(alice, own, post_id=other["id"]), 404, "not_found")

    ok(await bob.api.delete(f"/api/posts/{post['id']}"))
    refused(await fetch(alice, own, post_id=post["id"]), 404, "not_found")


async def test_a_public_topics_post_attachment_is_read_by_any_reader(people: People) -> None:
    alice, carol = await people.new("alice"), await people.new("carol")
    topic = await new_topic(alice)
    own = await upload(alice, png())
    post = ok(
        await alice.api.post(
            "/api/posts",
            json={"topic_id": topic["id"], "title": "hello", "attachment_ids": [own]},
        ),
        201,
    )
    got = await fetch(carol, own, post_id=post["id"])
    assert got.status_code == 200
    assert got.content == png()
    anonymous = await (await people.node_client()).get(
        f"/api/files/{own}", params={"post_id": post["id"]}
    )
    assert anonymous.status_code == 401


async def test_a_direct_message_attachment_is_for_its_two_participants(people: People) -> None:
    alice, bob, eve = [await people.new(name) for name in ("alice", "bob", "eve")]
    evidence = await upload(eve, png())
    send = {"recipient_id": bob.user_id, "text": "x", "attachment_ids": [evidence]}
    borrowed = refused(await alice.api.post("/api/messages/direct", json=send), 400, "invalid")
    absent = refused(
        await alice.api.post(
            "/api/messages/direct", json={**send, "attachment_ids": ["nosuchfile0000"]}
        ),
        400, "invalid",
    )
    assert without_id(borrowed, evidence) == without_id(absent, "nosuchfile0000")

    own = await upload(alice, png(colour=(4, 5, 6)))
    sent = ok(
        await alice.api.post("/api/messages/direct", json={**send, "attachment_ids": [own]}), 201
    )
    message_id = sent["message"]["id"]
    got = await fetch(bob, own, direct_message_id=message_id)
    assert got.status_code == 200
    assert got.content == png(colour=(4, 5, 6))
    refused(await fetch(eve, own, direct_message_id=message_id), 404, "not_found")
    conversation = sent["channel"].removeprefix("dm:")
    ok(
        await alice.api.delete(
            f"/api/messages/conversations/{conversation}/messages/{message_id}",
            params={"scope": "everyone"},
        )
    )
    refused(await fetch(bob, own, direct_message_id=message_id), 404, "not_found")
