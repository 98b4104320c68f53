"""The topic, post and comment contracts on a live node over the Mongo-wire server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pymongo
import pytest
import trio

from tests.e2e.community_support import people  # noqa: F401
from tests.e2e.contract_community_comments import *  # noqa: F403
from tests.e2e.contract_community_concurrency import *  # noqa: F403
from tests.e2e.contract_community_members import *  # noqa: F403
from tests.e2e.contract_community_posts import *  # noqa: F403
from tests.e2e.contract_community_realtime import *  # noqa: F403
from tests.e2e.contract_community_topics import *  # noqa: F403
from topicsflow.node import NodeHandle, serve_node
from topicsflow.settings import Profile, Settings

pytestmark = pytest.mark.mongo


@pytest.fixture
async def node(mongodb_url: str, unique_name: str, tmp_path: Path) -> AsyncIterator[NodeHandle]:
    """A running node whose store is a fresh database on the Mongo-wire server."""
    settings = Settings(
        profile=Profile.TESTING,
        port=0,
        data_dir=tmp_path,
        secret_key="k" * 40,
        mongodb_url=mongodb_url,
        mongodb_database=unique_name,
    )
    shutdown = trio.Event()
    async with trio.open_nursery() as nursery:
        handle: NodeHandle = await nursery.start(serve_node, settings, shutdown)
        yield handle
        shutdown.set()

    def drop() -> None:
        client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(
            mongodb_url, serverSelectionTimeoutMS=2000
        )
        try:
            client.drop_database(unique_name)
        finally:
            client.close()

    await trio.to_thread.run_sync(drop)
