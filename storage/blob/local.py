"""Blobs as files under a directory, with HMAC-signed expiring download URLs."""

from __future__ import annotations

import contextlib
import os
import secrets
import time
import urllib.parse
from collections.abc import AsyncIterable, AsyncIterator, Callable

import trio

from storage.blob.protocols import DEFAULT_CHUNK, StoredBlob
from storage.blob.signing import is_valid_key, sign_download, verify_download
from storage.errors import NotFound, TooLarge


class LocalBlobStore:
    """:class:`storage.blob.BlobStore` on the filesystem.

    Files live at ``root/<first two hex digits>/<key>``; uploads are written to
    ``root/incoming`` and renamed into place only when complete, so a reader never
    sees a partial blob. URLs are ``{base_url}/{key}?expires=…&signature=…``.
    """

    def __init__(
        self,
        root: str | os.PathLike[str],
        *,
        secret: bytes,
        base_url: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if len(secret) < 16:
            raise ValueError("the signing secret needs at least 16 bytes")
        self._root = trio.Path(root)
        self._secret = secret
        self._base_url = base_url.rstrip("/")
        self._clock = clock

    def _path(self, key: str) -> trio.Path:
        if not is_valid_key(key):
            raise NotFound("blob", key)
        return self._root / key[:2] / key

    async def upload(
        self,
        chunks: AsyncIterable[bytes],
        *,
        max_size: int,
        content_type: str = "application/octet-stream",
    ) -> StoredBlob:
        key = secrets.token_hex(16)
        incoming = self._root / "incoming"
        await incoming.mkdir(parents=True, exist_ok=True)
        partial = incoming / key
        size = 0
        try:
            async with await partial.open("wb") as file:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > max_size:
                        raise TooLarge(max_size)
                    await file.write(chunk)
            final = self._path(key)
            await final.parent.mkdir(parents=True, exist_ok=True)
            await partial.rename(final)
        except BaseException:
            with trio.CancelScope(shield=True):
                await partial.unlink(missing_ok=True)
            raise
        return StoredBlob(key=key, size=size)

    @contextlib.asynccontextmanager
    async def download(self, key: str) -> AsyncIterator[AsyncIterator[bytes]]:
        try:
            file = await self._path(key).open("rb")
        except FileNotFoundError as error:
            raise NotFound("blob", key) from error

        async def chunks() -> AsyncIterator[bytes]:
            while chunk := await file.read(DEFAULT_CHUNK):
                yield chunk

        async with file:
            yield chunks()

    async def delete(self, key: str) -> bool:
        try:
            await self._path(key).unlink()
        except (FileNotFoundError, NotFound):
            return False
        return True

    async def download_url(
        self, key: str, *, expires_in: float, filename: str | None = None
    ) -> str:
        if not await self._path(key).exists():
            raise NotFound("blob", key)
        expires_at = int(self._clock() + expires_in)
        query = {"expires": expires_at, "signature": sign_download(key, expires_at, self._secret)}
        if filename:
            query["filename"] = filename
        return f"{self._base_url}/{key}?{urllib.parse.urlencode(query)}"

    def verify(self, key: str, expires_at: int, signature: str) -> bool:
        """Check a download URL's parameters (what the facade calls)."""
        return verify_download(key, expires_at, signature, secret=self._secret, now=self._clock())
