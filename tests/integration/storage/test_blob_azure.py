"""Azurite's own blob behaviour: SAS download URLs and uploads in several blocks.

The blob contract runs on Azurite too (``tests/unit/storage/test_contract_blob.py``, the
``azure`` runs).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import requests
import trio

from storage.blob import AzureBlobStore, open_azure_blob_store
from tests.unit.storage.support import stream

pytestmark = pytest.mark.azurite


@pytest.fixture
async def azure_blobs(
    azure_blob_connection_string: str, unique_name: str
) -> AsyncIterator[AzureBlobStore]:
    async with open_azure_blob_store(azure_blob_connection_string, unique_name) as store:
        yield store
        await store._container.delete_container()


async def test_sas_url_downloads(azure_blobs: AzureBlobStore) -> None:
    stored = await azure_blobs.upload(stream(b"shared ", b"bytes"), max_size=100)
    url = await azure_blobs.download_url(stored.key, expires_in=300, filename="notes.txt")
    response = await trio.to_thread.run_sync(lambda: requests.get(url, timeout=10))
    assert response.status_code == 200 and response.content == b"shared bytes"
    tampered = url.replace("sp=r", "sp=rw")
    refused = await trio.to_thread.run_sync(lambda: requests.get(tampered, timeout=10))
    assert refused.status_code == 403


async def test_large_upload_spans_blocks(
    azure_blob_connection_string: str, unique_name: str
) -> None:
    async with open_azure_blob_store(azure_blob_connection_string, unique_name) as store:
        small_blocks = AzureBlobStore(store._service, store._container, block_size=1000)
        stored = await small_blocks.upload(stream(*([b"q" * 700] * 5)), max_size=10_000)
        async with small_blocks.download(stored.key) as chunks:
            assert b"".join([chunk async for chunk in chunks]) == b"q" * 3500
