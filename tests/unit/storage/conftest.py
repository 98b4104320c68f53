"""Fixtures of the unit storage suite: an in-memory SQLite store with a fake clock."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from storage import Store, open_store
from storage.protocols import SessionStore
from storage.realtime import Realtime, open_realtime
from tests.unit.storage.support import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def store(clock: FakeClock) -> AsyncIterator[Store]:
    async with open_store(None, clock=clock.time) as opened:
        yield opened


@pytest.fixture
def sessions(store: Store) -> SessionStore:
    return store.sessions


@pytest.fixture
async def realtime(clock: FakeClock) -> AsyncIterator[Realtime]:
    async with open_realtime(None, clock=clock.time) as opened:
        yield opened
