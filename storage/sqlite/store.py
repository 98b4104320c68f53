"""The embedded SQLite store: every aggregate over one worker-owned connection."""

from __future__ import annotations

import contextlib
import functools
import sqlite3
from collections.abc import AsyncIterator, Callable
from typing import Literal

import trio

from storage.keys import IdGenerator
from storage.sqlite.api_tokens import SqliteApiTokens
from storage.sqlite.authored import SqliteAuthored
from storage.sqlite.calls_files import SqliteCalls, SqliteFiles
from storage.sqlite.channel_events import SqliteChannelEvents
from storage.sqlite.comments import SqliteComments
from storage.sqlite.context import SqliteContext
from storage.sqlite.credentials import SqliteSessions, SqliteTokens
from storage.sqlite.delivery import SqliteDelivery
from storage.sqlite.direct_messages import SqliteDirectMessages
from storage.sqlite.follows import SqliteFollows
from storage.sqlite.friends import SqliteFriends
from storage.sqlite.hidden import SqliteHidden
from storage.sqlite.messages import SqliteMessages
from storage.sqlite.notifications import SqliteNotifications
from storage.sqlite.pictures import SqlitePictures
from storage.sqlite.posts import SqlitePosts
from storage.sqlite.read_positions import SqliteReadPositions
from storage.sqlite.reports import SqliteReports
from storage.sqlite.room_directory import SqliteRoomDirectory
from storage.sqlite.rooms import SqliteRooms
from storage.sqlite.schema import configure, migrate
from storage.sqlite.search import SqliteSearch, run_indexer
from storage.sqlite.security import SqliteAccountRequests, SqlitePasskeys, SqliteSecurityEvents
from storage.sqlite.support import SqliteSupport
from storage.sqlite.topics import SqliteTopics
from storage.sqlite.users import SqliteUsers
from storage.sqlite.webhooks import SqliteWebhooks
from storage.sqlite.worker import SqliteWorker


class SqliteStore:
    """Implements :class:`storage.protocols.Store` on SQLite."""

    backend: Literal["sqlite", "mongo"] = "sqlite"

    def __init__(self, context: SqliteContext) -> None:
        self._worker = context.worker
        self.users = SqliteUsers(context)
        self.tokens = SqliteTokens(context)
        self.sessions = SqliteSessions(context)
        self.topics = SqliteTopics(context)
        self.posts = SqlitePosts(context)
        self.comments = SqliteComments(context)
        self.rooms = SqliteRooms(context)
        self.messages = SqliteMessages(context)
        self.direct_messages = SqliteDirectMessages(context)
        self.notifications = SqliteNotifications(context)
        self.reports = SqliteReports(context)
        self.calls = SqliteCalls(context)
        self.files = SqliteFiles(context)
        self.pictures = SqlitePictures(context)
        self.channel_events = SqliteChannelEvents(context)
        self.read_positions = SqliteReadPositions(context)
        self.room_directory = SqliteRoomDirectory(context)
        self.follows = SqliteFollows(context)
        self.authored = SqliteAuthored(context)
        self.search = SqliteSearch(context)
        self.passkeys = SqlitePasskeys(context)
        self.security_events = SqliteSecurityEvents(context)
        self.account_requests = SqliteAccountRequests(context)
        self.webhooks = SqliteWebhooks(context)
        self.api_tokens = SqliteApiTokens(context)
        self.friends = SqliteFriends(context)
        self.hidden = SqliteHidden(context)
        self.delivery = SqliteDelivery(context)
        self.support = SqliteSupport(context)

    async def ping(self) -> None:
        await self._worker.run(lambda connection: connection.execute("SELECT 1").fetchone())

    def statistics(self) -> dict[str, float]:
        return self._worker.statistics()


def _setup(connection: sqlite3.Connection, *, synchronous: str) -> None:
    configure(connection, synchronous=synchronous)
    migrate(connection)


@contextlib.asynccontextmanager
async def open_sqlite_store(
    path: str, *, synchronous: str = "FULL", clock: Callable[[], float]
) -> AsyncIterator[SqliteStore]:
    """Open (creating and migrating) the database at ``path`` (``":memory:"`` allowed).

    ``synchronous`` is SQLite's durability level: ``FULL`` syncs the WAL on every group
    commit (the durability rule), ``NORMAL`` only at checkpoints (tests, benchmarks).
    """
    worker = SqliteWorker(path, functools.partial(_setup, synchronous=synchronous))
    worker.start()
    try:
        store = SqliteStore(SqliteContext(worker=worker, ids=IdGenerator(clock), clock=clock))
        await store.ping()
        async with trio.open_nursery() as nursery:
            await nursery.start(run_indexer, store.search)
            yield store
            nursery.cancel_scope.cancel()
    finally:
        await worker.stop()
