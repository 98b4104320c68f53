"""The local filesystem blob store's own behaviour: signed URLs, partial uploads, secrets.

The blob contract runs on it too (``test_contract_blob.py``, the ``local`` runs).
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest

from storage.blob import LocalBlobStore, verify_download
from tests.unit.storage.support import FakeClock, stream


async def test_signed_url_round_trip(local_blobs: LocalBlobStore, clock: FakeClock) -> None:
    stored = await local_blobs.upload(stream(b"data"), max_size=10)
    url = await local_blobs.download_url(stored.key, expires_in=60, filename="a b.txt")
    parsed = urllib.parse.urlsplit(url)
    assert parsed.netloc == "files.example" and parsed.path == f"/{stored.key}"
    query = dict(urllib.parse.parse_qsl(parsed.query))
    expires, signature = int(query["expires"]), query["signature"]
    assert local_blobs.verify(stored.key, expires, signature)
    assert not local_blobs.verify(stored.key, expires + 1, signature)
    assert not local_blobs.verify("f" * 32, expires, signature)
    assert not verify_download(
        stored.key, expires, signature, secret=b"another secret 123", now=clock.now
    )
    clock.advance(61)
    assert not local_blobs.verify(stored.key, expires, signature)


async def test_partial_uploads_leave_nothing(local_blobs: LocalBlobStore, tmp_path: Path) -> None:
    with pytest.raises(Exception, match="exceeds"):
        await local_blobs.upload(stream(b"x" * 20), max_size=5)
    assert list((tmp_path / "blobs" / "incoming").iterdir()) == []


def test_short_secret_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        LocalBlobStore(tmp_path, secret=b"short", base_url="http://x")
