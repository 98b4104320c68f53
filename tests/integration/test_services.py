"""Each real service answers over its real protocol, driven from trio.

These are the foundation's smoke tests: if one fails, the service ``scripts/test`` should
have started is missing or broken, and every deeper integration test would fail too.
"""

from __future__ import annotations

import functools

import coredis
import pymongo
import trio
from azure.core.pipeline.transport import TrioRequestsTransport
from azure.storage.blob.aio import BlobServiceClient


async def test_redis_round_trip_through_coredis(redis_url: str, unique_name: str) -> None:
    client = coredis.Redis.from_url(redis_url, decode_responses=False)
    async with client:
        key = f"{unique_name}:greeting"
        await client.set(key, "héllo".encode())
        assert await client.get(key) == "héllo".encode()
        assert await client.delete([key]) == 1


async def test_pymongo_insert_and_find_from_worker_threads(
    mongodb_url: str, unique_name: str
) -> None:
    client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(
        mongodb_url, serverSelectionTimeoutMS=5000
    )
    limiter = trio.CapacityLimiter(4)
    collection = client[unique_name]["smoke"]
    try:
        await trio.to_thread.run_sync(
            functools.partial(collection.insert_one, {"name": "topic", "count": 1}),
            limiter=limiter,
        )
        found = await trio.to_thread.run_sync(
            functools.partial(collection.find_one, {"name": "topic"}, {"_id": 0}),
            limiter=limiter,
        )
        assert found == {"name": "topic", "count": 1}
    finally:
        await trio.to_thread.run_sync(client.drop_database, unique_name, limiter=limiter)
        client.close()


async def test_azure_blob_upload_and_download_against_azurite(
    azure_blob_connection_string: str, unique_name: str
) -> None:
    service = BlobServiceClient.from_connection_string(
        azure_blob_connection_string, transport=TrioRequestsTransport()
    )
    async with service:
        container = service.get_container_client(unique_name)
        await container.create_container()
        try:
            payload = bytes(range(256)) * 64
            await container.upload_blob("probe.bin", payload)
            downloader = await container.download_blob("probe.bin")
            assert await downloader.readall() == payload
        finally:
            await container.delete_container()
