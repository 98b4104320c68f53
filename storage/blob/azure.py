"""Blobs in Azure Blob Storage through the aio SDK on trio (``TrioRequestsTransport``).

Uploads stage blocks of up to ``block_size`` bytes and commit the block list at the end,
so the body is never held whole and an oversized stream stops at the cap (its staged,
uncommitted blocks are discarded by the service). Download URLs are read-only SAS URLs.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import secrets
import time
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterator

from azure.core.exceptions import (
    AzureError,
    ResourceExistsError,
    ResourceNotFoundError,
    ServiceRequestError,
    ServiceResponseError,
)
from azure.core.pipeline.transport import TrioRequestsTransport
from azure.storage.blob import (
    BlobBlock,
    BlobSasPermissions,
    ContentSettings,
    generate_blob_sas,
)
from azure.storage.blob.aio import BlobServiceClient, ContainerClient

from storage.blob.protocols import StoredBlob
from storage.blob.signing import is_valid_key
from storage.errors import NotFound, StorageError, StorageUnavailable, TooLarge

BLOCK_SIZE = 4 * 1024 * 1024


@contextlib.contextmanager
def _azure_errors() -> Iterator[None]:
    try:
        yield
    except (ServiceRequestError, ServiceResponseError) as error:
        raise StorageUnavailable(f"azure blob: {error}") from error
    except AzureError as error:
        raise StorageError(f"azure blob: {error}") from error


class AzureBlobStore:
    """:class:`storage.blob.BlobStore` on one Azure Blob container."""

    def __init__(
        self,
        service: BlobServiceClient,
        container: ContainerClient,
        *,
        block_size: int = BLOCK_SIZE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._service = service
        self._container = container
        self._block_size = block_size
        self._clock = clock

    async def upload(
        self,
        chunks: AsyncIterable[bytes],
        *,
        max_size: int,
        content_type: str = "application/octet-stream",
    ) -> StoredBlob:
        key = secrets.token_hex(16)
        blob = self._container.get_blob_client(key)
        block_ids: list[BlobBlock] = []
        pending = bytearray()
        size = 0

        async def stage(data: bytes) -> None:
            block_id = base64.b64encode(f"{len(block_ids):08d}".encode()).decode()
            with _azure_errors():
                await blob.stage_block(block_id, data)
            block_ids.append(BlobBlock(block_id=block_id))

        async for chunk in chunks:
            size += len(chunk)
            if size > max_size:
                raise TooLarge(max_size)
            pending += chunk
            while len(pending) >= self._block_size:
                await stage(bytes(pending[: self._block_size]))
                del pending[: self._block_size]
        if pending or not block_ids:
            await stage(bytes(pending))
        with _azure_errors():
            await blob.commit_block_list(
                block_ids, content_settings=ContentSettings(content_type=content_type)
            )
        return StoredBlob(key=key, size=size)

    @contextlib.asynccontextmanager
    async def download(self, key: str) -> AsyncIterator[AsyncIterator[bytes]]:
        if not is_valid_key(key):
            raise NotFound("blob", key)
        try:
            with _azure_errors():
                downloader = await self._container.get_blob_client(key).download_blob()
        except StorageError as error:
            if isinstance(error.__cause__, ResourceNotFoundError):
                raise NotFound("blob", key) from error
            raise

        async def chunks() -> AsyncIterator[bytes]:
            with _azure_errors():
                async for chunk in downloader.chunks():
                    yield chunk

        yield chunks()

    async def delete(self, key: str) -> bool:
        if not is_valid_key(key):
            return False
        try:
            with _azure_errors():
                await self._container.get_blob_client(key).delete_blob()
        except StorageError as error:
            if isinstance(error.__cause__, ResourceNotFoundError):
                return False
            raise
        return True

    async def download_url(
        self, key: str, *, expires_in: float, filename: str | None = None
    ) -> str:
        if not is_valid_key(key):
            raise NotFound("blob", key)
        blob = self._container.get_blob_client(key)
        with _azure_errors():
            if not await blob.exists():
                raise NotFound("blob", key)
        credential = self._service.credential
        expiry = datetime.datetime.fromtimestamp(self._clock() + expires_in, tz=datetime.UTC)
        disposition = f'attachment; filename="{filename}"' if filename else None
        token = generate_blob_sas(
            account_name=credential.account_name,
            container_name=self._container.container_name,
            blob_name=key,
            account_key=credential.account_key,
            permission=BlobSasPermissions(read=True),
            expiry=expiry,
            content_disposition=disposition,
        )
        return f"{blob.url}?{token}"


@contextlib.asynccontextmanager
async def open_azure_blob_store(
    connection_string: str, container: str, *, clock: Callable[[], float] = time.time
) -> AsyncIterator[AzureBlobStore]:
    """Connect with an account-key connection string and create the container if missing."""
    service = BlobServiceClient.from_connection_string(
        connection_string, transport=TrioRequestsTransport()
    )
    async with service:
        container_client = service.get_container_client(container)
        try:
            with _azure_errors():
                await container_client.create_container()
        except StorageError as error:
            if not isinstance(error.__cause__, ResourceExistsError):
                raise
        yield AzureBlobStore(service, container_client, clock=clock)
