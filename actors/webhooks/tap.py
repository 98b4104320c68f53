"""The node's webhook tap: events published on this node → ``webhook`` actors' queues.

Contract:

* :class:`WebhookIndex` knows, per channel, the active webhooks and their event kinds.
  Webhook actors update it as they change their webhook; :meth:`WebhookDispatch.run`
  reloads it from the store every few polls, for webhooks changed on other nodes.
* :meth:`WebhookDispatch.observe` is the hub's tap (``Hub.add_tap``): synchronous and
  never waiting, it keeps only events of tapped kinds on channels that have webhooks
  (and ``comment_created`` on ``post:`` channels while a topic webhook wants it) and
  puts them on a bounded queue of :data:`TAP_CAPACITY`; when that is full the events are
  dropped and counted (:attr:`WebhookDispatch.dropped`), never blocking the publisher.
  The hub calls it for events published on *this* node only, so in cluster mode every
  event is tapped once, on the node of the actor that published it.
* :meth:`WebhookDispatch.run` (a child of the node's background nursery) pumps that
  queue: per matching webhook it tells the webhook's actor :class:`Enqueue`, which
  persists the delivery before anything is attempted.  Every ``poll_seconds`` it wakes
  (:class:`Deliver`) the actors of webhooks whose ``retry_at`` has passed — after a
  restart that is how queued deliveries resume.

An event published but still in the tap's memory queue when the node dies is lost; once
enqueued, a delivery survives restarts (docs/WEBHOOKS.md, "Guarantees").
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Sequence

import trio

from actors.runtime.errors import ActorError
from actors.runtime.ref import ActorRef
from actors.webhooks.commands import WEBHOOK, Deliver, Enqueue
from actors.webhooks.events import (
    FRAME_EVENTS,
    MAX_BODY_BYTES,
    delivery_body,
    delivery_id,
    event_data,
)
from protocol.broadcast import BroadcastFrame
from protocol.feed_events import CommentCreated
from storage.errors import NotFound, StorageError
from storage.protocols import Store
from storage.records.webhooks import Webhook
from topicsflow.webhook_settings import WebhookSettings

logger = logging.getLogger(__name__)

TAP_CAPACITY = 4096
"""Events waiting between the hub and the pump."""
INDEX_LIMIT = 100_000
"""Active webhooks a node taps at most."""
RELOAD_EVERY_POLLS = 5
POST_TOPICS_CACHED = 4096
RefFactory = Callable[[str, str], ActorRef]
Tapped = tuple[str, tuple[BroadcastFrame, ...]]


class WebhookIndex:
    """Channel → {webhook id: event kinds} of the active webhooks (see module docstring)."""

    def __init__(self) -> None:
        self._by_channel: dict[str, dict[str, frozenset[str]]] = {}
        self._channel_of: dict[str, str] = {}
        self._comment_topics = 0

    @property
    def wants_comments(self) -> bool:
        """Whether some topic webhook subscribes to ``comment_created``."""
        return self._comment_topics > 0

    def has(self, channel: str) -> bool:
        return channel in self._by_channel

    def matching(self, channel: str, event: str) -> list[str]:
        """Ids of the webhooks of ``channel`` subscribed to ``event``."""
        return [
            webhook_id
            for webhook_id, events in self._by_channel.get(channel, {}).items()
            if event in events
        ]

    def update(self, webhook: Webhook) -> None:
        """Index ``webhook`` as it now is (removed when inactive)."""
        self.remove(webhook.id)
        if not webhook.active:
            return
        self._by_channel.setdefault(webhook.channel, {})[webhook.id] = frozenset(webhook.events)
        self._channel_of[webhook.id] = webhook.channel
        if webhook.scope == "topic" and "comment_created" in webhook.events:
            self._comment_topics += 1

    def remove(self, webhook_id: str) -> None:
        """Forget ``webhook_id`` (no error when absent)."""
        channel = self._channel_of.pop(webhook_id, None)
        if channel is None:
            return
        hooks = self._by_channel[channel]
        events = hooks.pop(webhook_id)
        if not hooks:
            del self._by_channel[channel]
        if channel.startswith("topic:") and "comment_created" in events:
            self._comment_topics -= 1

    def replace(self, webhooks: Sequence[Webhook]) -> None:
        """Index exactly ``webhooks``."""
        self._by_channel.clear()
        self._channel_of.clear()
        self._comment_topics = 0
        for webhook in webhooks:
            self.update(webhook)


class WebhookDispatch:
    """The hub tap, its pump and the retry scheduler of one node (module docstring)."""

    def __init__(
        self,
        store: Store,
        settings: WebhookSettings,
        *,
        clock: Callable[[], float] = time.time,
        capacity: int = TAP_CAPACITY,
    ) -> None:
        self.index = WebhookIndex()
        self.dropped = 0
        """Events dropped because the tap's queue was full or a body too large."""
        self._store = store
        self._settings = settings
        self._clock = clock
        self._send, self._receive = trio.open_memory_channel[Tapped](capacity)
        self._post_topics: dict[str, str] = {}

    def observe(self, channel: str, events: Sequence[BroadcastFrame]) -> None:
        """The hub's tap: keep what webhooks may want, never wait (module docstring)."""
        if not self.index.has(channel) and not (
            self.index.wants_comments and channel.startswith("post:")
        ):
            return
        kept = tuple(event for event in events if type(event.frame) in FRAME_EVENTS)
        if not kept:
            return
        try:
            self._send.send_nowait((channel, kept))
        except trio.WouldBlock:
            self.dropped += len(kept)

    async def run(
        self, ref: RefFactory, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED
    ) -> None:
        """Pump tapped events to the webhook actors and wake due ones, until cancelled."""
        await self._reload()
        async with trio.open_nursery() as nursery:
            nursery.start_soon(self._pump, ref)
            nursery.start_soon(self._schedule, ref)
            task_status.started()

    async def _reload(self) -> None:
        try:
            self.index.replace(await self._store.webhooks.list_active(INDEX_LIMIT))
        except StorageError as error:
            logger.warning("webhooks: reloading the index failed: %r", error)

    async def _schedule(self, ref: RefFactory) -> None:
        polls = 0
        while True:
            try:
                due = await self._store.webhooks.list_due(self._clock(), 500)
            except StorageError as error:
                logger.warning("webhooks: listing due retries failed: %r", error)
                due = []
            for webhook_id in due:
                # Busy or unavailable: the next poll tries again.
                with contextlib.suppress(ActorError):
                    ref(WEBHOOK, webhook_id).tell_nowait(Deliver())
            polls += 1
            if polls % RELOAD_EVERY_POLLS == 0:
                await self._reload()
            await trio.sleep(self._settings.poll_seconds)

    async def _pump(self, ref: RefFactory) -> None:
        async for channel, events in self._receive:
            for event in events:
                try:
                    await self._dispatch(ref, channel, event)
                except StorageError as error:
                    self.dropped += 1
                    logger.warning("webhooks: an event of %s was dropped: %r", channel, error)

    async def _dispatch(self, ref: RefFactory, channel: str, event: BroadcastFrame) -> None:
        found = event_data(event.frame)
        if found is None or event.seq is None:
            return
        kind, data = found
        scope_channel = channel
        if isinstance(event.frame, CommentCreated):
            topic_id = await self._topic_of_post(event.frame.comment.post_id)
            if topic_id is None:
                return
            scope_channel = f"topic:{topic_id}"
        occurred_at = int(self._clock() * 1000)
        for webhook_id in self.index.matching(scope_channel, kind):
            delivery = delivery_id(webhook_id, channel, event.seq, kind)
            body = delivery_body(delivery, kind, occurred_at, data)
            if len(body.encode()) > MAX_BODY_BYTES:
                self.dropped += 1
                continue
            message = Enqueue(delivery_id=delivery, event=kind, body=body)
            with trio.move_on_after(self._settings.timeout_seconds * 2) as scope:
                try:
                    await ref(WEBHOOK, webhook_id).tell(message)
                except ActorError as error:
                    self.dropped += 1
                    logger.warning("webhooks: enqueue to %s failed: %r", webhook_id, error)
            if scope.cancelled_caught:
                self.dropped += 1

    async def _topic_of_post(self, post_id: str) -> str | None:
        topic_id = self._post_topics.get(post_id)
        if topic_id is None:
            try:
                topic_id = (await self._store.posts.get(post_id)).topic_id
            except NotFound:
                return None
            if len(self._post_topics) >= POST_TOPICS_CACHED:
                self._post_topics.clear()
            self._post_topics[post_id] = topic_id
        return topic_id if self.index.has(f"topic:{topic_id}") else None
