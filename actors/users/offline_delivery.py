"""Offline delivery: mentions and DMs for users with no open connection go out as Web
Push or into the email digest, as each user's preferences say (docs/NOTIFICATIONS.md).

Contract:

* :class:`OfflineInbox` is the hand-off from the notification feeds: a bounded in-memory
  queue per node.  :meth:`OfflineInbox.offer` never waits: when the queue is full the
  item is dropped and counted (the notification itself is stored and in the feed).
* :class:`OfflineDelivery` takes items one at a time, in order.  It asks the user's actor
  (``user``, :class:`~actors.users.commands.GetPresence`; in cluster mode the actor that
  holds every node's connections) whether the user has an open connection: if so, nothing
  more happens.  Otherwise, by ``store.delivery.preferences``: mode ``push`` or ``both``
  sends the item to each of the user's push subscriptions (a task per push, at most
  ``concurrency`` at once; 404/410 removes the subscription; other failures retry with
  doubling delays up to ``attempts`` tries); mode ``email`` or ``both`` queues it for the
  digest (:mod:`services.digest`) and wakes the digest job.
* A storage outage while handling one item is logged and the item is skipped; any other
  error crashes :meth:`OfflineDelivery.run`, whose supervisor restarts it on the same
  inbox (queued items are kept).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import msgspec
import trio

from actors.runtime.errors import DeliveryError
from actors.runtime.ref import ActorRef
from actors.users.commands import USER, GetPresence
from protocol.enums import NotificationKind
from protocol.fields import milliseconds
from services.push import PushSender, PushTarget
from storage.errors import StorageUnavailable
from storage.protocols import Store
from topicsflow.delivery_settings import DeliverySettings

logger = logging.getLogger(__name__)

OFFLINE_KINDS = frozenset({NotificationKind.MENTION, NotificationKind.DIRECT_MESSAGE})
"""Notification kinds delivered to users who are offline."""
PAYLOAD_BODY_LENGTH = 1000
"""Characters of a notification's body in a push payload (push services cap it at 4 kB)."""
PRESENCE_TIMEOUT = 5.0

RefFactory = Callable[[str, str], ActorRef]


class OfflineItem(msgspec.Struct, frozen=True, kw_only=True):
    """A stored notification that may need delivery outside the WebSocket."""

    user_id: str
    notification_id: str
    kind: str
    title: str
    body: str = ""
    link: str | None = None
    created_at: float


class PushPayload(msgspec.Struct, frozen=True, kw_only=True):
    """What a push message carries (JSON, encrypted for the subscription)."""

    notification_id: str
    kind: str
    title: str
    body: str
    link: str | None
    created_at: int


class OfflineInbox:
    """The bounded hand-off from the feeds; see the module docstring."""

    def __init__(self, capacity: int) -> None:
        self._send, self.receive = trio.open_memory_channel[OfflineItem](capacity)
        self.dropped = 0

    def offer(self, item: OfflineItem) -> bool:
        """Queue ``item`` without waiting; False (and counted) when the queue is full."""
        try:
            self._send.send_nowait(item)
        except trio.WouldBlock:
            self.dropped += 1
            logger.warning("offline delivery queue full: a %s notification dropped", item.kind)
            return False
        return True


class OfflineDelivery:
    """Delivers the inbox's items; see the module docstring."""

    def __init__(
        self,
        inbox: OfflineInbox,
        store: Store,
        ref: RefFactory,
        push: PushSender | None,
        settings: DeliverySettings,
        *,
        wake_digest: Callable[[], None] = lambda: None,
        concurrency: int = 16,
    ) -> None:
        self._inbox = inbox
        self._store = store
        self._ref = ref
        self._push = push
        self._settings = settings
        self._wake_digest = wake_digest
        self._pushes = trio.CapacityLimiter(concurrency)

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Handle items until cancelled."""
        task_status.started()
        async with trio.open_nursery() as nursery:
            async for item in self._inbox.receive:
                try:
                    await self._handle(item, nursery)
                except StorageUnavailable as error:
                    logger.warning("offline delivery skipped, storage unavailable: %s", error)

    async def _connected(self, user_id: str) -> bool:
        try:
            view = await self._ref(USER, user_id).ask(GetPresence(), timeout=PRESENCE_TIMEOUT)
        except (DeliveryError, trio.TooSlowError) as error:
            logger.info("presence unknown, delivering offline: %s", type(error).__name__)
            return False
        return int(getattr(view, "connections", 0)) > 0

    async def _handle(self, item: OfflineItem, nursery: trio.Nursery) -> None:
        if await self._connected(item.user_id):
            return
        delivery = self._store.delivery
        preferences = await delivery.preferences(item.user_id)
        if preferences.mode in ("push", "both") and self._push is not None:
            payload = msgspec.json.encode(PushPayload(
                notification_id=item.notification_id, kind=item.kind, title=item.title,
                body=item.body[:PAYLOAD_BODY_LENGTH], link=item.link,
                created_at=milliseconds(item.created_at),
            ))
            subscriptions = await delivery.subscriptions(
                item.user_id, limit=self._settings.max_push_subscriptions
            )
            for subscription in subscriptions:
                target = PushTarget(
                    endpoint=subscription.endpoint, p256dh=subscription.p256dh,
                    auth=subscription.auth,
                )
                token = object()
                await self._pushes.acquire_on_behalf_of(token)
                nursery.start_soon(self._push_with_retries, self._push, target, payload, token)
        if preferences.mode in ("email", "both"):
            await delivery.queue_digest(
                user_id=item.user_id, kind=item.kind, title=item.title, body=item.body,
                link=item.link, interval=self._settings.digest_seconds,
                limit=self._settings.digest_items,
            )
            self._wake_digest()

    async def _push_with_retries(
        self, push: PushSender, target: PushTarget, payload: bytes, token: object
    ) -> None:
        try:
            delay = self._settings.push_retry_base_seconds
            for attempt in range(1, self._settings.push_attempts + 1):
                outcome = await push.send(target, payload)
                if outcome == "gone":
                    await self._store.delivery.remove_endpoint(target.endpoint)
                    return
                if outcome != "retry":
                    return
                if attempt < self._settings.push_attempts:
                    await trio.sleep(delay)
                    delay *= 2
            logger.info("a push was given up after %d attempts", self._settings.push_attempts)
        except StorageUnavailable as error:
            logger.warning("a gone push subscription was not removed: %s", error)
        finally:
            self._pushes.release_on_behalf_of(token)
