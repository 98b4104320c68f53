"""The Mongo store: every aggregate over one pymongo client driven from worker threads."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any, Literal

import trio
from pymongo import MongoClient

from storage.dependency import DEFAULT_DEADLINE_S, DependencyGate
from storage.keys import IdGenerator
from storage.mongo.api_tokens import MongoApiTokens
from storage.mongo.authored import MongoAuthored
from storage.mongo.calls_files import MongoCalls, MongoFiles
from storage.mongo.channel_events import MongoChannelEvents
from storage.mongo.comments import MongoComments
from storage.mongo.credentials import MongoSessions, MongoTokens
from storage.mongo.delivery import MongoDelivery
from storage.mongo.direct_messages import MongoDirectMessages
from storage.mongo.documents import MongoContext
from storage.mongo.executor import MongoExecutor, RetryPolicy
from storage.mongo.follows import MongoFollows
from storage.mongo.friends import MongoFriends
from storage.mongo.hidden import MongoHidden
from storage.mongo.indexes import ensure_indexes
from storage.mongo.messages import MongoMessages
from storage.mongo.notifications import MongoNotifications
from storage.mongo.pictures import MongoPictures
from storage.mongo.posts import MongoPosts
from storage.mongo.read_positions import MongoReadPositions
from storage.mongo.reports import MongoReports
from storage.mongo.room_directory import MongoRoomDirectory
from storage.mongo.rooms import MongoRooms
from storage.mongo.search import MongoSearch
from storage.mongo.search_queue import CLOSE_FLUSH_SECONDS, SearchWriteQueue
from storage.mongo.security import MongoAccountRequests, MongoPasskeys, MongoSecurityEvents
from storage.mongo.support import MongoSupport
from storage.mongo.topics import MongoTopics
from storage.mongo.users import MongoUsers
from storage.mongo.webhooks import MongoWebhooks

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class MongoOptions:
    """Client limits. Every wait is bounded so an outage surfaces as StorageUnavailable."""

    pool_size: int = 16
    server_selection_timeout: float = 2.0
    connect_timeout: float = 2.0
    # Bounds a worker thread abandoned at the gate's deadline (it keeps a pool slot).
    socket_timeout: float = 5.0
    retry: RetryPolicy = dataclasses.field(default_factory=RetryPolicy)
    deadline: float = DEFAULT_DEADLINE_S
    """Seconds a call may take before it fails ``StorageUnavailable`` (the gate's)."""
    setup_deadline: float = 120.0
    """Seconds the index creation at start may take."""


class MongoStore:
    """Implements :class:`storage.protocols.Store` on MongoDB (or a Mongo-wire server)."""

    backend: Literal["sqlite", "mongo"] = "mongo"

    def __init__(self, context: MongoContext) -> None:
        self._context = context
        self.users = MongoUsers(context)
        self.tokens = MongoTokens(context)
        self.sessions = MongoSessions(context)
        self.topics = MongoTopics(context)
        self.posts = MongoPosts(context)
        self.comments = MongoComments(context)
        self.rooms = MongoRooms(context)
        self.messages = MongoMessages(context)
        self.direct_messages = MongoDirectMessages(context)
        self.notifications = MongoNotifications(context)
        self.reports = MongoReports(context)
        self.calls = MongoCalls(context)
        self.files = MongoFiles(context)
        self.pictures = MongoPictures(context)
        self.channel_events = MongoChannelEvents(context)
        self.read_positions = MongoReadPositions(context)
        self.room_directory = MongoRoomDirectory(context)
        self.follows = MongoFollows(context)
        self.authored = MongoAuthored(context)
        self.search = MongoSearch(context)
        self.passkeys = MongoPasskeys(context)
        self.security_events = MongoSecurityEvents(context)
        self.account_requests = MongoAccountRequests(context)
        self.api_tokens = MongoApiTokens(context)
        self.webhooks = MongoWebhooks(context)
        self.friends = MongoFriends(context)
        self.hidden = MongoHidden(context)
        self.delivery = MongoDelivery(context)
        self.support = MongoSupport(context)

    async def ping(self) -> None:
        database = self._context.database
        await self._context.executor.call(lambda: database.command("ping"))

    @property
    def gate(self) -> DependencyGate:
        """The deadline and circuit breaker every call goes through."""
        return self._context.executor.gate

    def statistics(self) -> dict[str, int]:
        search = {f"search_{name}": value
                  for name, value in self._context.search_writes.statistics().items()}
        return {**self._context.executor.statistics(), **search}


@contextlib.asynccontextmanager
async def open_mongo_store(
    url: str,
    *,
    database: str,
    clock: Callable[[], float],
    options: MongoOptions | None = None,
) -> AsyncIterator[MongoStore]:
    """Connect, create the indexes (idempotent) and yield the store; close on exit.

    ``database`` is used unless the URL names one. Raises ``StorageUnavailable`` when the
    server cannot be reached within the retry deadline.
    """
    options = options or MongoOptions()
    client: MongoClient[dict[str, Any]] = MongoClient(
        url,
        maxPoolSize=options.pool_size,
        serverSelectionTimeoutMS=int(options.server_selection_timeout * 1000),
        connectTimeoutMS=int(options.connect_timeout * 1000),
        socketTimeoutMS=int(options.socket_timeout * 1000),
        appname="topicsflow",
    )
    try:
        handle = client.get_default_database(database)

        async def probe() -> None:
            await trio.to_thread.run_sync(
                lambda: handle.command("ping"), abandon_on_cancel=True
            )

        gate = DependencyGate("mongo", deadline=options.deadline, probe=probe)
        executor = MongoExecutor(pool_size=options.pool_size, retry=options.retry, gate=gate)
        search_writes = SearchWriteQueue(handle, executor)
        context = MongoContext(
            database=handle, executor=executor, ids=IdGenerator(clock), clock=clock,
            search_writes=search_writes,
        )
        await executor.call(lambda: ensure_indexes(handle), deadline=options.setup_deadline)
        async with trio.open_nursery() as nursery:
            await nursery.start(gate.run)
            await nursery.start(search_writes.run)
            yield MongoStore(context)
            with trio.move_on_after(CLOSE_FLUSH_SECONDS) as flushing:
                await search_writes.flush()
            if flushing.cancelled_caught:
                logger.warning("closing with search-index writes not done: %s",
                               search_writes.statistics())
            nursery.cancel_scope.cancel()
    finally:
        await trio.to_thread.run_sync(client.close)
