"""File attachments on local disk through a live node: types, names, cap, access, links."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from actors.chat.commands import PostMessage
from actors.chat.room import CHAT_ROOM
from protocol.control_frames import MessageAccepted
from tests.e2e.chat_support import make_room
from tests.e2e.conftest import log_in_new_user
from tests.e2e.file_support import (
    EXECUTABLE,
    PDF,
    PNG,
    UPLOAD_CAP,
    bearer,
    fetch,
    serve_test_node,
    upload,
)
from topicsflow.node import NodeHandle


async def test_upload_and_download_with_safe_headers(node: NodeHandle) -> None:
    alice = await log_in_new_user(node, "alice")
    async with httpx.AsyncClient(base_url=node.base_url) as api:
        created = await upload(
            api, alice.token, PNG, name="../../etc/.\x00pass\nwd.png", content_type="image/png"
        )
        assert created.status_code == 201, created.text
        body = created.json()
        assert body["name"] == "passwd.png"
        assert (body["content_type"], body["size"]) == ("image/png", len(PNG))
        downloaded = await fetch(api, alice.token, body["id"])
        assert downloaded.status_code == 200
        assert downloaded.content == PNG
        assert downloaded.headers["X-Content-Type-Options"] == "nosniff"
        assert downloaded.headers["Content-Disposition"].startswith("inline;")

        pdf = await upload(api, alice.token, PDF, name="r.pdf", content_type="application/pdf")
        got = await fetch(api, alice.token, pdf.json()["id"])
        assert got.headers["Content-Disposition"] == "attachment; filename*=UTF-8''r.pdf"

        tampered = await api.get(
            f"/api/files/{body['id']}/download",
            params={"expires": 9_999_999_999, "signature": "0" * 64},
        )
        assert tampered.status_code == 403
        gone = await api.delete(f"/api/files/{body['id']}", headers=bearer(alice.token))
        assert gone.status_code == 200
        assert (await fetch(api, alice.token, body["id"])).status_code == 404


async def test_disallowed_and_mislabelled_types_are_refused(node: NodeHandle) -> None:
    alice = await log_in_new_user(node, "alice")
    async with httpx.AsyncClient(base_url=node.base_url) as api:
        exe = await upload(
            api, alice.token, EXECUTABLE, name="a.exe", content_type="application/octet-stream"
        )
        assert exe.status_code == 415
        assert exe.json()["error"]["code"] == "unsupported"
        liar = await upload(api, alice.token, PDF, name="a.png", content_type="image/png")
        assert liar.status_code == 415
        text = await upload(
            api, alice.token, "héllo\n".encode(), name="n", content_type="text/plain"
        )
        assert text.json()["content_type"] == "text/plain"
        anonymous = await api.post(
            "/api/files",
            params={"filename": "x"},
            content=PNG,
            headers={"Content-Type": "image/png"},
        )
        assert anonymous.status_code == 401


async def test_only_the_owner_and_members_of_a_referencing_room_may_read(
    node: NodeHandle,
) -> None:
    alice, bob, eve = [await log_in_new_user(node, name) for name in ("alice", "bob", "eve")]
    room_id = await make_room(node, alice, bob)
    async with httpx.AsyncClient(base_url=node.base_url) as api:
        file_id = (
            await upload(api, alice.token, PNG, name="p.png", content_type="image/png")
        ).json()["id"]
        assert (await fetch(api, bob.token, file_id)).status_code == 404
        registry = node.context.registry
        assert registry is not None
        sent: MessageAccepted = await registry.ref(CHAT_ROOM, room_id).ask(
            PostMessage(user_id=alice.user_id, text="look", attachment_ids=(file_id,))
        )
        as_bob = await fetch(api, bob.token, file_id, room_id=room_id, seq=sent.seq)
        assert as_bob.status_code == 200
        assert as_bob.content == PNG
        as_eve = await fetch(api, eve.token, file_id, room_id=room_id, seq=sent.seq)
        assert as_eve.status_code == 404
        assert (
            await api.get("/api/files/..%2Fx/url", headers=bearer(bob.token))
        ).status_code == 404
        deleted = await api.delete(f"/api/files/{file_id}", headers=bearer(bob.token))
        assert deleted.status_code == 404


async def test_the_cap_cuts_off_a_streamed_body(tmp_path: Path) -> None:
    async with serve_test_node(tmp_path, max_upload_bytes=UPLOAD_CAP) as small:
        alice = await log_in_new_user(small, "alice")

        async def endless() -> AsyncIterator[bytes]:
            yield PNG[:16]
            for _ in range(24):
                yield b"\x00" * 1024

        async with httpx.AsyncClient(base_url=small.base_url) as api:
            too_big = await api.post(
                "/api/files",
                params={"filename": "big.png"},
                content=endless(),
                headers={**bearer(alice.token), "Content-Type": "image/png"},
            )
            assert too_big.status_code == 413
            declared = await upload(
                api, alice.token, PNG + b"\x00" * UPLOAD_CAP, name="b.png", content_type="image/png"
            )
            assert declared.status_code == 413
            fits = await upload(api, alice.token, PNG, name="ok.png", content_type="image/png")
            assert fits.status_code == 201
        blobs = list((tmp_path / "blobs").rglob("*"))
        assert [path for path in blobs if path.is_file()] != []
        assert not [path for path in (tmp_path / "blobs" / "incoming").iterdir()]


async def test_uploads_may_exceed_the_json_body_limit_up_to_their_own_cap(
    node: NodeHandle,
) -> None:
    alice = await log_in_new_user(node, "alice")
    settings = node.context.settings
    size = settings.max_request_bytes * 2
    assert size < settings.max_upload_bytes
    big_png = PNG + bytes(size - len(PNG))
    async with httpx.AsyncClient(base_url=node.base_url) as api:
        stored = await upload(api, alice.token, big_png, name="big.png", content_type="image/png")
        assert stored.status_code == 201
        assert stored.json()["size"] == size

        async def chunked_json() -> AsyncIterator[bytes]:
            yield b'{"name": "'
            yield b"x" * (settings.max_request_bytes + 10)
            yield b'"}'

        too_big = await api.post(
            "/api/chat-rooms",
            content=chunked_json(),
            headers={**bearer(alice.token), "Content-Type": "application/json"},
        )
        assert too_big.status_code == 413
        assert too_big.json()["error"]["code"] == "too_large"
