"""Helpers shared by the storage contract suites (not a test module)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

from storage.blob import BlobStore

START = 1_800_000_000.0


class FakeClock:
    """A settable wall clock for stores: ``time()`` is what the store stores."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def unique(prefix: str) -> str:
    """A name no other test uses, so contract tests may share a database."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def stream(*chunks: bytes) -> AsyncIterator[bytes]:
    """An upload body made of ``chunks``."""
    for chunk in chunks:
        yield chunk


async def read_all(blobs: BlobStore, key: str) -> bytes:
    """The whole content of blob ``key``."""
    async with blobs.download(key) as chunks:
        return b"".join([chunk async for chunk in chunks])
