"""The topic actor contract on the Mongo-wire server and a fake clock."""

from collections.abc import AsyncIterator
from typing import Any

import pymongo
import pytest
import trio

from storage import Store, open_store
from tests.unit.actors.contract_topic_actor import *  # noqa: F403
from tests.unit.storage.support import FakeClock

pytestmark = pytest.mark.mongo


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def store(mongodb_url: str, unique_name: str, clock: FakeClock) -> AsyncIterator[Store]:
    async with open_store(mongodb_url, database=unique_name, clock=clock.time) as opened:
        yield opened

    def drop() -> None:
        client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(
            mongodb_url, serverSelectionTimeoutMS=2000
        )
        try:
            client.drop_database(unique_name)
        finally:
            client.close()

    await trio.to_thread.run_sync(drop)
