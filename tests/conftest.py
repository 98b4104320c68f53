"""Fixtures shared by the whole suite: where the real services live.

``scripts/test`` starts Redis, a MongoDB-wire server (FerretDB) and Azurite and exports
their addresses.  A test that needs one of them and finds no address **fails** with the
reason the provisioning script recorded; it never skips.
"""

from __future__ import annotations

import os
import uuid

import pytest


def _service_address(variable: str, service: str) -> str:
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
    return _service_address("TOPICSFLOW_TEST_REDIS_URL", "redis")


@pytest.fixture(scope="session")
def mongodb_url() -> str:
    """URL of the MongoDB-wire server (FerretDB, or a real MongoDB if configured)."""
    return _service_address("TOPICSFLOW_TEST_MONGODB_URL", "mongo")


@pytest.fixture(scope="session")
def azure_blob_connection_string() -> str:
    """Connection string of the Azurite blob service started by ``scripts/test``."""
    return _service_address("TOPICSFLOW_TEST_AZURE_BLOB_CONNECTION_STRING", "azurite")


@pytest.fixture
def unique_name() -> str:
    """A short name unique to this test: database, key prefix or container name."""
    return "t" + uuid.uuid4().hex[:16]
