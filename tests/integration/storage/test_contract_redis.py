"""The realtime contract (and the session contract) on the real Redis server."""

from collections.abc import AsyncIterator

import pytest

from storage.protocols import SessionStore
from storage.realtime import Realtime, open_realtime
from tests.unit.storage.contract_leases import *  # noqa: F403
from tests.unit.storage.contract_realtime import *  # noqa: F403
from tests.unit.storage.contract_sessions import *  # noqa: F403
from tests.unit.storage.support import FakeClock

pytestmark = pytest.mark.redis


@pytest.fixture
async def realtime(redis_url: str, unique_name: str, clock: FakeClock) -> AsyncIterator[Realtime]:
    async with open_realtime(redis_url, prefix=unique_name, clock=clock.time) as opened:
        yield opened


@pytest.fixture
def sessions(realtime: Realtime) -> SessionStore:
    return realtime.sessions
