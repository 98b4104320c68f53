"""Fixtures shared by the whole suite: where the real services live.

``scripts/test`` starts Redis, a MongoDB-wire server (FerretDB) and Azurite and exports
their addresses.  A test that needs one of them and finds no address **fails** with the
reason the provisioning script recorded; it never skips.

The hooks at the end make pytest-timeout's default timeout (``timeout`` in pyproject.toml)
safe for trio tests: see ``tests/trio_timeout_support.py``.
"""

from __future__ import annotations

import inspect
import os
import uuid
from typing import Any

import pytest

from tests.trio_timeout_support import cancellable_test, run_with_timeout, set_timer


def service_address(variable: str, service: str) -> str:
    """The value ``scripts/test`` exported as ``variable``; fails the test, with the
    provisioning script's reason, when ``service`` could not be started."""
    value = os.environ.get(variable)
    if value:
        return value
    reason = os.environ.get(f"TOPICSFLOW_TEST_{service.upper()}_ERROR", "it was not started")
    pytest.fail(
        f"{variable} is not set: the {service} service is unavailable ({reason}). "
        "Run the suite through scripts/test, which starts it.",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def redis_url() -> str:
    """URL of the real Redis server started by ``scripts/test``."""
    return service_address("TOPICSFLOW_TEST_REDIS_URL", "redis")


@pytest.fixture(scope="session")
def mongodb_url() -> str:
    """URL of the MongoDB-wire server (FerretDB, or a real MongoDB if configured)."""
    return service_address("TOPICSFLOW_TEST_MONGODB_URL", "mongo")


@pytest.fixture(scope="session")
def azure_blob_connection_string() -> str:
    """Connection string of the Azurite blob service started by ``scripts/test``."""
    return service_address("TOPICSFLOW_TEST_AZURE_BLOB_CONNECTION_STRING", "azurite")


@pytest.fixture
def unique_name() -> str:
    """A short name unique to this test: database, key prefix or container name."""
    return "t" + uuid.uuid4().hex[:16]


@pytest.hookimpl(trylast=True)  # after pytest-trio has marked the async tests
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every trio test runs where a timeout can cancel it (tests/trio_timeout_support.py)."""
    for item in items:
        if not isinstance(item, pytest.Function) or item.get_closest_marker("trio") is None:
            continue
        item.add_marker(pytest.mark.trio(run=run_with_timeout), append=False)
        if inspect.iscoroutinefunction(item.obj) and not hasattr(item.obj, "hypothesis"):
            item.obj = cancellable_test(item.obj)


@pytest.hookimpl(tryfirst=True)
def pytest_timeout_set_timer(item: pytest.Item, settings: Any) -> bool | None:
    """pytest-timeout's timer, made safe for trio runs (tests/trio_timeout_support.py)."""
    return set_timer(item, settings)
