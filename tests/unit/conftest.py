"""Fixtures of the unit suite: a fake store clock and a store on each backend.

``store`` is parametrised with the store backends (``tests/store_support.py``): a test that
asks for it runs on the in-memory SQLite store and, marked ``mongo``, on the Mongo-wire
server.  A module that needs one backend only defines its own ``store``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from storage import Store
from tests.store_support import STORE_BACKENDS, open_test_store
from tests.unit.storage.support import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    """The settable clock every stored time comes from."""
    return FakeClock()


@pytest.fixture(params=STORE_BACKENDS)
async def store(request: pytest.FixtureRequest, clock: FakeClock) -> AsyncIterator[Store]:
    """A fresh store on each backend, its times from ``clock``."""
    async with open_test_store(request.param, request, clock.time) as opened:
        yield opened
