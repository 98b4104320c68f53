"""Helpers of the file attachment tests: sample files, a node with a small upload cap."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import trio

from topicsflow.node import NodeHandle, serve_node
from topicsflow.settings import Profile, Settings

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
PDF = b"%PDF-1.7\n" + b"0" * 600
EXECUTABLE = b"MZ\x90\x00" + b"\x00" * 300
UPLOAD_CAP = 4096


@contextlib.asynccontextmanager
async def serve_test_node(tmp_path: Path, **overrides: object) -> AsyncIterator[NodeHandle]:
    """A node like the ``node`` fixture's, with ``overrides`` applied to its settings."""
    values: dict[str, object] = {
        "profile": Profile.TESTING, "port": 0, "data_dir": tmp_path, "secret_key": "k" * 40,
    }
    settings = Settings(**{**values, **overrides})  # type: ignore[arg-type]
    shutdown = trio.Event()
    async with trio.open_nursery() as nursery:
        handle: NodeHandle = await nursery.start(serve_node, settings, shutdown)
        yield handle
        shutdown.set()


def bearer(token: str) -> dict[str, str]:
    """The Authorization header of ``token``."""
    return {"Authorization": f"Bearer {token}"}


async def upload(
    api: httpx.AsyncClient, token: str, body: bytes, *, name: str, content_type: str
) -> httpx.Response:
    """POST ``body`` to ``/api/files`` as ``name``."""
    return await api.post(
        "/api/files",
        params={"filename": name},
        content=body,
        headers={**bearer(token), "Content-Type": content_type},
    )


async def fetch(
    api: httpx.AsyncClient, token: str, file_id: str, **params: object
) -> httpx.Response:
    """Get a signed link for ``file_id`` and download through it."""
    link = await api.get(f"/api/files/{file_id}/url", params=params, headers=bearer(token))
    if link.status_code != 200:
        return link
    return await api.get(link.json()["url"])
