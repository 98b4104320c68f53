"""The one entry point that opens a store from configuration."""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import AsyncIterator, Callable

import trio

from storage.mongo import MongoOptions, open_mongo_store
from storage.protocols import Store
from storage.sqlite import open_sqlite_store

SQLITE_FILE = "topicsflow.sqlite3"
MONGO_COMMAND_LOGGER = "pymongo.command"


def quiet_mongo_command_log() -> None:
    """Keep pymongo's command log at INFO or above.

    At DEBUG it prints whole commands and replies, which carry password hashes and TOTP
    secrets; secrets never reach the logs, whatever level the rest runs at.
    """
    logger = logging.getLogger(MONGO_COMMAND_LOGGER)
    if logger.level < logging.INFO:
        logger.setLevel(logging.INFO)


@contextlib.asynccontextmanager
async def open_store(
    url: str | None,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    database: str = "topicsflow",
    clock: Callable[[], float] = time.time,
    mongo_options: MongoOptions | None = None,
    sqlite_synchronous: str = "FULL",
) -> AsyncIterator[Store]:
    """Open the store for ``url`` and close it on exit.

    * ``mongodb://…`` or ``mongodb+srv://…`` → MongoDB (``database`` unless the URL names
      one), indexes created idempotently.
    * ``None`` → embedded SQLite in ``data_dir/topicsflow.sqlite3`` (the directory is
      created); with ``data_dir=None`` too, an in-memory database (tests only).

    ``clock`` supplies every stored time (seconds since the epoch); tests pass a fake.
    """
    if url is not None and url.startswith(("mongodb://", "mongodb+srv://")):
        quiet_mongo_command_log()
        async with open_mongo_store(
            url, database=database, clock=clock, options=mongo_options
        ) as mongo_store:
            yield mongo_store
        return
    if url is not None:
        raise ValueError("the storage URL must be mongodb:// or mongodb+srv://, or None")
    path = ":memory:"
    if data_dir is not None:
        directory = trio.Path(data_dir)
        await directory.mkdir(parents=True, exist_ok=True)
        path = str(directory / SQLITE_FILE)
    async with open_sqlite_store(path, synchronous=sqlite_synchronous, clock=clock) as store:
        yield store
