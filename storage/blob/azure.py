"""Blobs in Azure Blob Storage through the aio SDK on trio (``TrioRequestsTransport``).

Uploads stage blocks of up to ``block_size`` bytes and commit the block list at the end,
so the body is never held whole and an oversized stream stops at the cap (its staged,
uncommitted blocks are discarded by the service). Download URLs are read-only SAS URLs.

Every call goes through the blob service's :class:`~storage.dependency.DependencyGate`
(a deadline and a circuit breaker; its prober runs inside :func:`open_azure_blob_store`):
metadata calls get the gate's deadline, a block transfer :data:`TRANSFER_DEADLINE_S` at
least; reading a download's chunks, which lasts as long as the client reads, has none.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import secrets
import time
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterator

import trio
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
from azure.storage.blob.aio import BlobServiceClient, ContainerClient, LinearRetry

from storage.blob.protocols import StoredBlob
from storage.blob.signing import is_valid_key
from storage.dependency import DEFAULT_DEADLINE_S, DependencyGate
from storage.errors import NotFound, StorageError, StorageUnavailable, TooLarge

BLOCK_SIZE = 4 * 1024 * 1024
TRANSFER_DEADLINE_S = 30.0
"""The least time one block (up to :data:`BLOCK_SIZE`) may take to stage."""


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
        gate: DependencyGate | None = None,
    ) -> None:
        self._service = service
        self._container = container
        self.gate = gate or DependencyGate("azure_blob")
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
            transfer = max(TRANSFER_DEADLINE_S, self.gate.deadline)
            with self.gate.call(transfer), _azure_errors():
                await blob.stage_block(block_id, data, connection_timeout=transfer / 2)
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
        with self.gate.call(), _azure_errors():
            await blob.commit_block_list(
                block_ids, content_settings=ContentSettings(content_type=content_type)
            )
        return StoredBlob(key=key, size=size)

    @contextlib.asynccontextmanager
    async def download(self, key: str) -> AsyncIterator[AsyncIterator[bytes]]:
        if not is_valid_key(key):
            raise NotFound("blob", key)
        try:
            with self.gate.call(), _azure_errors():
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
            with self.gate.call(), _azure_errors():
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
        with self.gate.call(), _azure_errors():
            exists = await blob.exists()
        if not exists:
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
    connection_string: str,
    container: str,
    *,
    clock: Callable[[], float] = time.time,
    deadline: float = DEFAULT_DEADLINE_S,
) -> AsyncIterator[AzureBlobStore]:
    """Connect with an account-key connection string and create the container if missing;
    the gate's prober (a container properties read) runs inside the block."""
    # One retry, without waiting: the SDK's retry sleep reaches asyncio.sleep on trio (no
    # loop: RuntimeError), and waiting belongs to the gate's deadline anyway; the retry
    # covers a pooled connection the service had closed.  The transport runs requests in
    # worker threads that a deadline cannot interrupt, so requests' own timeouts (between
    # bytes from the service) are half the deadline: two attempts fit in it.
    # (This transport hands ``connection_timeout`` to requests as its one timeout: connect,
    # and between bytes.)
    transport = TrioRequestsTransport(connection_timeout=deadline / 2)
    service = BlobServiceClient.from_connection_string(
        connection_string, transport=transport,
        retry_policy=LinearRetry(backoff=0, random_jitter_range=0, retry_total=1),
    )
    async with service:
        container_client = service.get_container_client(container)
        try:
            with _azure_errors():
                await container_client.create_container()
        except StorageError as error:
            if not isinstance(error.__cause__, ResourceExistsError):
                raise

        async def probe() -> None:
            with _azure_errors():
                await container_client.get_container_properties()

        gate = DependencyGate("azure_blob", deadline=deadline, probe=probe)
        async with trio.open_nursery() as nursery:
            await nursery.start(gate.run)
            yield AzureBlobStore(service, container_client, clock=clock, gate=gate)
            nursery.cancel_scope.cancel()
