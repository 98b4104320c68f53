"""The fault suite: real dependencies of the test's own, stopped, killed and replaced.

Each test starts its own Redis or Mongo-wire server (``tests/faults/dependencies.py``) —
never the suite's shared ones — and breaks it while a node serves.  ``scripts/test`` runs
the short form: each outage lasts ``OUTAGE_SECONDS`` (3 s).  The long form (30 s
outages) is the same tests with ``TOPICSFLOW_FAULT_SECONDS=30``: docs/STORAGE.md,
"Retries and outages".
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

# Fixtures for the node and its people, as in the end-to-end tests.
from tests.e2e.conftest import node, people  # noqa: F401
from tests.faults.dependencies import Dependency, own_ferretdb, own_redis


@pytest.fixture
async def redis(tmp_path: Path) -> AsyncIterator[Dependency]:
    """A running Redis of the test's own (:func:`own_redis`)."""
    with own_redis(tmp_path) as dependency:
        await dependency.start()
        yield dependency


@pytest.fixture
async def ferretdb(tmp_path: Path) -> AsyncIterator[Dependency]:
    """A running FerretDB of the test's own (:func:`own_ferretdb`)."""
    with own_ferretdb(tmp_path) as dependency:
        await dependency.start()
        yield dependency
