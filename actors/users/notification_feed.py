"""The notification feed actor: one per user, the single writer of ``user:<id>``.

Contract:

* :class:`Notify` stores a notification (``store.notifications``), then appends its
  ``notification`` event to the user's channel log and publishes it: the user's live
  connections see it at once, a reconnecting one replays it by ``seq``.
* Every event of ``user:<id>`` goes through this actor, so the channel's events are
  published in ``seq`` order.  Senders (topic and post actors) ``tell`` it and never
  wait for the write; a crash restarts it with nothing in memory to lose.
* Mentions and DMs are also offered to the node's offline delivery
  (:mod:`actors.users.offline_delivery`) once stored, without waiting.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import msgspec

from actors.realtime.channel_log import UNSEQUENCED, ChannelLog
from actors.runtime.actor import Actor, ActorContext
from actors.runtime.errors import DeliveryError
from actors.users.offline_delivery import OFFLINE_KINDS, OfflineInbox, OfflineItem
from protocol import limits
from protocol.channels import ChannelKind, channel_name
from protocol.feed_events import Notification
from protocol.fields import milliseconds
from storage.protocols import Store
from storage.records import DataValue

logger = logging.getLogger(__name__)

NOTIFICATION_FEED = "notification_feed"
"""The actor kind name; the actor id is the user id."""


class Notify(msgspec.Struct, frozen=True, kw_only=True):
    """Notify the feed's user; replies the stored notification's id.

    ``title`` and ``body`` are cut to the protocol's limits; ``subject`` is the channel
    to open, ``object_id`` the object in it, ``link`` the web application path.
    """

    kind: str
    title: str
    body: str = ""
    actor_id: str | None = None
    subject: str | None = None
    object_id: str | None = None
    link: str | None = None


Notifier = Callable[[str, Notify], Awaitable[None]]
"""Delivers a :class:`Notify` to the feed of a user id."""


class NotificationFeedActor(Actor):
    """See the module docstring."""

    __slots__ = ("_channel", "_log", "_offline", "_store")

    def __init__(
        self, context: ActorContext, store: Store, log: ChannelLog,
        offline: OfflineInbox | None = None,
    ) -> None:
        super().__init__(context)
        self._store = store
        self._log = log
        self._offline = offline
        self._channel = channel_name(ChannelKind.USER, context.address.id)

    async def on_receive(self, message: object) -> object:
        match message:
            case Notify():
                return await self._notify(message)
            case _:
                self.unhandled(message)

    async def _notify(self, notify: Notify) -> str:
        title = notify.title[: limits.MAX_REASON_LENGTH]
        body = notify.body[: limits.MAX_HUMAN_TEXT_LENGTH]
        data: dict[str, DataValue] = {
            "title": title,
            "body": body,
            "actor_id": notify.actor_id,
            "subject": notify.subject,
            "object_id": notify.object_id,
            "link": notify.link,
        }
        stored = await self._store.notifications.create(
            user_id=self.address.id, kind=notify.kind, data=data
        )
        if self._offline is not None and notify.kind in OFFLINE_KINDS:
            self._offline.offer(OfflineItem(  # never waits: a full queue drops (counted)
                user_id=self.address.id, notification_id=stored.id, kind=notify.kind,
                title=title, body=body, link=notify.link, created_at=stored.created_at,
            ))
        await self._log.record(
            Notification(
                channel=self._channel,
                seq=UNSEQUENCED,
                notification_id=stored.id,
                kind=notify.kind,
                title=title,
                body=body,
                actor_id=notify.actor_id,
                subject=notify.subject,
                object_id=notify.object_id,
                link=notify.link,
                created_at=milliseconds(stored.created_at),
            )
        )
        return stored.id


def feed_notifier(context: ActorContext) -> Notifier:
    """A :data:`Notifier` that tells the users' feed actors through ``context``.

    Notifications are best effort for their senders: whatever caused one is already
    stored and acknowledged, so a feed that cannot take it (the node is shutting down) is
    logged, not raised.
    """

    async def notify(user_id: str, message: Notify) -> None:
        try:
            await context.ref(NOTIFICATION_FEED, user_id).tell(message)
        except DeliveryError as error:
            logger.warning("a %s notification was not delivered: %s", message.kind, error)

    return notify
