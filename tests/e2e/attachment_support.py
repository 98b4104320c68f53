"""Helpers of the attachment and picture tests: uploads, signed fetches, rooms over REST."""

from __future__ import annotations

import io
from typing import Any

import httpx
from PIL import Image

from tests.e2e.community_support import Person, ok


def png(width: int = 300, height: int = 200, colour: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    """A small PNG image."""
    output = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(output, format="PNG")
    return output.getvalue()


async def upload(person: Person, body: bytes, *, content_type: str = "image/png") -> str:
    """Upload ``body`` as ``person``; the new file's id."""
    created = ok(
        await person.api.post(
            "/api/files",
            params={"filename": "a.png"},
            content=body,
            headers={"Content-Type": content_type},
        ),
        201,
    )
    file_id: str = created["id"]
    return file_id


async def fetch(person: Person, file_id: str, **proof: Any) -> httpx.Response:
    """Metadata, then a signed link and the bytes through it, as ``person`` with ``proof``.

    Checks that the metadata and the link routes agree; the download's response (or the
    refusal of both) is returned."""
    metadata = await person.api.get(f"/api/files/{file_id}", params=proof)
    link = await person.api.get(f"/api/files/{file_id}/url", params=proof)
    assert metadata.status_code == link.status_code, (metadata.text, link.text)
    if link.status_code != 200:
        return link
    return await person.api.get(link.json()["url"])


async def private_room(owner: Person, *members: Person) -> str:
    """A private room of ``owner`` that ``members`` were invited to and joined (REST)."""
    room = ok(await owner.api.post("/api/chat-rooms", json={"name": "lounge"}), 201)
    for member in members:
        path = f"/api/chat-rooms/{room['id']}"
        ok(await owner.api.post(f"{path}/invitations", json={"user_id": member.user_id}))
        ok(await member.api.post(f"{path}/join"))
    room_id: str = room["id"]
    return room_id


async def private_topic(owner: Person, *members: Person) -> str:
    """An invite-only topic of ``owner`` that ``members`` were invited to and joined."""
    topic = ok(await owner.api.post("/api/topics", json={"title": f"t{id(owner)}{len(members)}",
                                                          "invite_only": True}), 201)
    path = f"/api/topics/{topic['id']}"
    for member in members:
        ok(await owner.api.post(f"{path}/invitations", json={"user_id": member.user_id}), 201)
        ok(await member.api.post(f"{path}/invitations/accept"))
    topic_id: str = topic["id"]
    return topic_id
