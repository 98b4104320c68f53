"""The topic actor contract on the embedded SQLite store (in memory) and a fake clock."""

from collections.abc import AsyncIterator

import pytest

from storage import Store, open_store
from tests.unit.actors.contract_topic_actor import *  # noqa: F403
from tests.unit.storage.support import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def store(clock: FakeClock) -> AsyncIterator[Store]:
    async with open_store(None, clock=clock.time) as opened:
        yield opened
