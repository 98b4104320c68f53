"""Fixtures of the facade's unit tests: an in-process app over real (in-memory) stores."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.auth_support import AppUnderTest, AuthDriver, open_app_driver


@pytest.fixture
async def facade() -> AsyncIterator[AppUnderTest]:
    """A bare app on the in-memory SQLite store with in-process sessions and limits."""
    async with open_app_driver() as opened:
        yield opened


@pytest.fixture
def driver(facade: AppUnderTest) -> AuthDriver:
    """The account-flow driver of :func:`facade`."""
    return facade.driver
