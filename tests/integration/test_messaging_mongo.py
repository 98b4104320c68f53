"""The direct-message, presence and notification end-to-end tests on a live node whose
store is the Mongo-wire server (the channel logs, read marks and mutes there)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.test_direct_messages import *  # noqa: F403
from tests.e2e.test_notifications import *  # noqa: F403
from tests.e2e.test_presence import *  # noqa: F403
from tests.integration.conftest import run_node
from topicsflow.node import NodeHandle
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
    async for handle in run_node(settings):
        yield handle
