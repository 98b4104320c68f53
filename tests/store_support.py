"""The store backends a contract runs on, and opening one for a test (not a test module).

A test written once runs on every backend through a fixture parametrised with
:data:`STORE_BACKENDS`: ``sqlite`` (the embedded store, in memory or in ``tmp_path``) and
``mongo`` (the Mongo-wire server started by ``scripts/test``, in a database of the test's
own, dropped afterwards).  The ``mongo`` run carries the ``mongo`` mark, so
``-m 'not mongo'`` keeps the SQLite runs.  A fixture that serves other tests too (the
end-to-end ``node``) takes the backend by indirect parametrisation: :func:`on_each_store`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import pymongo
import pytest
import trio

from storage import Store, open_store

SQLITE = "sqlite"
MONGO = "mongo"

STORE_BACKENDS = [
    pytest.param(SQLITE, id=SQLITE),
    pytest.param(MONGO, id=MONGO, marks=pytest.mark.mongo),
]


def on_each_store(fixture: str) -> pytest.MarkDecorator:
    """Parametrise ``fixture`` indirectly with :data:`STORE_BACKENDS` (as ``pytestmark``)."""
    return pytest.mark.parametrize(fixture, STORE_BACKENDS, indirect=True)


def requested_backend(request: pytest.FixtureRequest) -> str:
    """The backend a fixture was parametrised with; ``sqlite`` when it was not."""
    backend: str = getattr(request, "param", SQLITE)
    if backend not in (SQLITE, MONGO):
        raise ValueError(f"unknown store backend {backend!r}")
    return backend


async def drop_mongo_database(url: str, database: str) -> None:
    """Drop ``database`` on the Mongo-wire server at ``url`` (in a worker thread)."""

    def drop() -> None:
        client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(
            url, serverSelectionTimeoutMS=2000
        )
        try:
            client.drop_database(database)
        finally:
            client.close()

    await trio.to_thread.run_sync(drop)


@contextlib.asynccontextmanager
async def open_test_store(
    backend: str, request: pytest.FixtureRequest, clock: Callable[[], float]
) -> AsyncIterator[Store]:
    """A fresh store on ``backend`` whose stored times come from ``clock``.

    ``sqlite`` is in memory; ``mongo`` is a database named by the test's ``unique_name``
    fixture on the server of the ``mongodb_url`` fixture, dropped when the block ends.
    """
    if backend == SQLITE:
        async with open_store(None, clock=clock) as store:
            yield store
        return
    url: str = request.getfixturevalue("mongodb_url")
    database: str = request.getfixturevalue("unique_name")
    try:
        async with open_store(url, database=database, clock=clock) as store:
            yield store
    finally:
        await drop_mongo_database(url, database)
