"""Contract: blob stores, on each backend of the ``blobs`` fixture (local directory, Azurite)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from storage import NotFound, TooLarge
from storage.blob import BlobStore
from tests.unit.storage.support import read_all, stream


async def test_upload_download_delete(blobs: BlobStore) -> None:
    body = [b"a" * 70_000, "😀 ünïcode".encode(), b"", b"z" * 10]
    stored = await blobs.upload(stream(*body), max_size=1_000_000, content_type="text/plain")
    assert stored.size == sum(map(len, body))
    assert await read_all(blobs, stored.key) == b"".join(body)
    other = await blobs.upload(stream(b"x"), max_size=10)
    assert other.key != stored.key
    assert await blobs.delete(stored.key)
    assert not await blobs.delete(stored.key)
    with pytest.raises(NotFound):
        await read_all(blobs, stored.key)
    assert await read_all(blobs, other.key) == b"x"


async def test_empty_upload(blobs: BlobStore) -> None:
    stored = await blobs.upload(stream(), max_size=10)
    assert stored.size == 0 and await read_all(blobs, stored.key) == b""


async def test_size_cap_stops_reading(blobs: BlobStore) -> None:
    pulled: list[int] = []

    async def endless() -> AsyncIterator[bytes]:
        for index in range(1000):
            pulled.append(index)
            yield b"0123456789"

    with pytest.raises(TooLarge) as too_large:
        await blobs.upload(endless(), max_size=95)
    assert too_large.value.limit == 95 and len(pulled) == 10
    exact = await blobs.upload(stream(b"0123456789" * 9, b"01234"), max_size=95)
    assert exact.size == 95


async def test_unknown_and_hostile_keys(blobs: BlobStore) -> None:
    for key in ("0" * 32, "../../etc/passwd", "", "AB" * 16):
        with pytest.raises(NotFound):
            await read_all(blobs, key)
        assert not await blobs.delete(key)
        with pytest.raises(NotFound):
            await blobs.download_url(key, expires_in=60)
