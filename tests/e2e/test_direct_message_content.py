"""Direct messages carry GIFs and attachments, over real sockets on each store (issue 23).

A GIF and an attachment the sender uploaded are delivered live (``message_created`` on
``dm:<id>``) and kept in the history (REST), over the WebSocket and over REST alike;
a file id the sender did not upload is refused ``invalid`` on both paths, and nothing
is stored or announced.
"""

from __future__ import annotations

from typing import Any

import pytest
import trio

from bots.client import RequestFailed
from protocol.chat_events import MessageCreated
from protocol.client_frames import SendDirectMessage, SendMessage
from protocol.control_frames import Ack, MessageAccepted
from storage.keys import conversation_id
from tests.e2e.community_support import DEADLINE_S, People, Person, ok, refused
from tests.e2e.file_support import PNG, upload
from tests.e2e.messaging_support import next_of
from tests.store_support import on_each_store

pytestmark = on_each_store("node")

GIF = "https://media.example.org/cat.gif"


async def uploaded(person: Person) -> str:
    created = await upload(person.api, person.token, PNG, name="p.png", content_type="image/png")
    file_id: str = ok(created, 201)["id"]
    return file_id


async def history(person: Person, conversation: str) -> list[dict[str, Any]]:
    page = ok(await person.api.get(f"/api/messages/conversations/{conversation}"))
    messages: list[dict[str, Any]] = page["messages"]
    return messages


async def test_gifs_and_own_attachments_are_delivered_and_borrowed_ones_refused(
    people: People,
) -> None:
    alice, bob = await people.new("alice"), await people.new("bob")
    conversation = conversation_id(alice.user_id, bob.user_id)
    channel = f"dm:{conversation}"
    mine, bobs = await uploaded(alice), await uploaded(bob)
    alice_client, bob_client = await people.connect(alice), await people.connect(bob)
    with trio.fail_after(DEADLINE_S):
        opened = await alice_client.request(SendDirectMessage, recipient_id=bob.user_id, text="hi")
        assert isinstance(opened, Ack)
        await bob_client.subscribe(channel)
        gif = await alice_client.request(SendMessage, channel=channel, gif_url=GIF)
        assert isinstance(gif, Ack) and isinstance(gif.result, MessageAccepted)
        live = await next_of(bob_client, MessageCreated, channel)
        assert (live.message.gif_url, live.message.text, live.seq) == (GIF, "", gif.result.seq)
        attached = await alice_client.request(
            SendDirectMessage, recipient_id=bob.user_id, text="see", attachment_ids=[mine]
        )
        assert isinstance(attached, Ack)
        live = await next_of(bob_client, MessageCreated, channel)
        assert list(live.message.attachment_ids) == [mine]

        over_rest = ok(await alice.api.post(
            f"/api/messages/conversations/{conversation}/messages",
            json={"attachment_ids": [mine], "gif_url": GIF},
        ), 201)
        assert (over_rest["message"]["gif_url"], over_rest["message"]["attachment_ids"]) == (
            GIF, [mine],
        )
        live = await next_of(bob_client, MessageCreated, channel)
        assert live.seq == over_rest["seq"]

        before = await history(bob, conversation)
        for send in (
            alice.api.post("/api/messages/direct",
                           json={"recipient_id": bob.user_id, "attachment_ids": [bobs]}),
            alice.api.post(f"/api/messages/conversations/{conversation}/messages",
                           json={"text": "x", "attachment_ids": [mine, bobs]}),
            alice.api.post(f"/api/messages/conversations/{conversation}/messages",
                           json={"text": "x", "attachment_ids": ["nosuchfile"]}),
        ):
            message = refused(await send, 400, "invalid")
            assert "not one of your files" in message
        with pytest.raises(RequestFailed) as borrowed:
            await alice_client.request(
                SendMessage, channel=channel, text="borrowed", attachment_ids=[bobs]
            )
        assert borrowed.value.code == "invalid"
        assert await history(bob, conversation) == before

    seen = [(m["text"], m["gif_url"], m["attachment_ids"]) for m in before]
    assert seen == [("hi", None, []), ("", GIF, []), ("see", None, [mine]), ("", GIF, [mine])]
    assert [(m["gif_url"], m["attachment_ids"]) for m in await history(alice, conversation)] == [
        (gif_url, ids) for _, gif_url, ids in seen
    ]
