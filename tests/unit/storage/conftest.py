"""Fixtures of the storage contracts: each port on each of its implementations.

``store`` (``tests/unit/conftest.py``) runs a test on SQLite and the Mongo-wire server;
``sessions`` on both document stores and both realtime backends; ``realtime`` on the
in-process twins and the real Redis; ``blobs`` on a local directory and Azurite.  The runs
that need a service started by ``scripts/test`` carry its mark (``mongo``, ``redis``,
``azurite``), and each run's id names its backend.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from storage.blob import BlobStore, LocalBlobStore, open_azure_blob_store
from storage.protocols import SessionStore
from storage.realtime import Realtime, open_realtime
from tests.store_support import MONGO, SQLITE, open_test_store
from tests.unit.storage.support import FakeClock

MEMORY = "memory"
REDIS = "redis"
LOCAL = "local"
AZURE = "azure"

REALTIME_BACKENDS = [
    pytest.param(MEMORY, id=MEMORY),
    pytest.param(REDIS, id=REDIS, marks=pytest.mark.redis),
]
SESSION_BACKENDS = [
    pytest.param(SQLITE, id=SQLITE),
    pytest.param(MONGO, id=MONGO, marks=pytest.mark.mongo),
    *REALTIME_BACKENDS,
]
BLOB_BACKENDS = [
    pytest.param(LOCAL, id=LOCAL),
    pytest.param(AZURE, id=AZURE, marks=pytest.mark.azurite),
]

BLOB_SECRET = b"0123456789abcdef0123"


async def _open_realtime(
    backend: str, request: pytest.FixtureRequest, clock: FakeClock, stack: AsyncExitStack
) -> Realtime:
    if backend == MEMORY:
        return await stack.enter_async_context(open_realtime(None, clock=clock.time))
    url: str = request.getfixturevalue("redis_url")
    prefix: str = request.getfixturevalue("unique_name")
    return await stack.enter_async_context(open_realtime(url, prefix=prefix, clock=clock.time))


@pytest.fixture(params=REALTIME_BACKENDS)
async def realtime(request: pytest.FixtureRequest, clock: FakeClock) -> AsyncIterator[Realtime]:
    """Cache, rate limiter, bus, leases and members: in-process twins, then Redis."""
    async with AsyncExitStack() as stack:
        yield await _open_realtime(request.param, request, clock, stack)


@pytest.fixture(params=SESSION_BACKENDS)
async def sessions(request: pytest.FixtureRequest, clock: FakeClock) -> AsyncIterator[SessionStore]:
    """The session store of each document store and of each realtime backend."""
    async with AsyncExitStack() as stack:
        if request.param in (SQLITE, MONGO):
            store = await stack.enter_async_context(
                open_test_store(request.param, request, clock.time)
            )
            yield store.sessions
        else:
            yield (await _open_realtime(request.param, request, clock, stack)).sessions


@pytest.fixture
def local_blobs(tmp_path: Path, clock: FakeClock) -> LocalBlobStore:
    """A blob store in ``tmp_path`` whose signed URLs expire on ``clock``."""
    return LocalBlobStore(
        tmp_path / "blobs", secret=BLOB_SECRET, base_url="https://files.example/", clock=clock.time
    )


@pytest.fixture(params=BLOB_BACKENDS)
async def blobs(request: pytest.FixtureRequest) -> AsyncIterator[BlobStore]:
    """A local blob store, then a container of its own on Azurite (deleted afterwards)."""
    if request.param == LOCAL:
        yield request.getfixturevalue("local_blobs")
        return
    connection_string: str = request.getfixturevalue("azure_blob_connection_string")
    container: str = request.getfixturevalue("unique_name")
    async with open_azure_blob_store(connection_string, container) as azure:
        yield azure
        await azure._container.delete_container()
