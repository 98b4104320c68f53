"""The ``webhook`` actor: the single writer of one webhook, its queue and its log.

Contract:

* :class:`Enqueue` persists the delivery (bounded queue; beyond ``queue_limit`` it is
  dropped and counted in ``dropped``) and only then is the message done: a queued
  delivery survives crashes and restarts.  Deliveries leave the queue in order, one at a
  time (head of line): the head is retried until delivered, later ones wait.
* :class:`Deliver` (from the actor itself, and from the node's scheduler once
  ``retry_at`` has passed) attempts the head if due, logs the attempt, and then:
  delivered → dequeued, failures reset, the next one is tried at once; failed → retried
  after :func:`~actors.webhooks.delivery.retry_delay` of its attempt count; after
  ``disable_after`` consecutive failed attempts the webhook is disabled (its queue is
  kept) until re-enabled.  At least once: a delivery the receiver got but whose answer
  was lost is sent again with the same delivery id.
* Management commands (:mod:`actors.webhooks.commands`) are checked with
  :mod:`actors.webhooks.access`; every change is stored, then the node's index updated.
* Secrets are opened with the node's :class:`~services.webhook_signing.SecretBox` only
  to sign; they are never logged.
"""

from __future__ import annotations

import dataclasses
import logging
import random
import secrets
import time
from collections.abc import Callable

import httpx
import msgspec

from actors.runtime.actor import Actor, ActorContext
from actors.runtime.errors import ActorError
from actors.webhooks.access import require_manager
from actors.webhooks.commands import (
    Announce,
    DeleteWebhook,
    Deliver,
    EnableWebhook,
    Enqueue,
    PingWebhook,
    UpdateWebhook,
)
from actors.webhooks.delivery import AttemptResult, attempt, retry_delay
from actors.webhooks.events import PING, delivery_body
from actors.webhooks.tap import WebhookIndex
from protocol.errors import ErrorCode
from services.errors import DomainError
from services.webhook_signing import SecretBox
from storage.errors import NotFound
from storage.protocols import Store
from storage.records.webhooks import DeliveryAttempt, QueuedDelivery, Webhook
from topicsflow.webhook_settings import WebhookSettings

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True, slots=True)
class WebhookServices:
    """What every ``webhook`` actor of a node shares."""

    store: Store
    settings: WebhookSettings
    box: SecretBox
    client: httpx.AsyncClient
    index: WebhookIndex
    clock: Callable[[], float] = time.time
    rng: Callable[[], float] = random.random


class WebhookActor(Actor):
    """One webhook (see the module docstring); the actor id is the webhook id."""

    __slots__ = ("hook", "kicked", "services")

    def __init__(self, context: ActorContext, services: WebhookServices) -> None:
        super().__init__(context)
        self.services = services
        self.hook: Webhook | None = None
        self.kicked = False

    async def on_start(self) -> None:
        await self._load()

    async def _load(self) -> None:
        try:
            self.hook = await self.services.store.webhooks.get(self.address.id)
        except NotFound:
            self.hook = None
            self.services.index.remove(self.address.id)
        else:
            self.services.index.update(self.hook)

    async def on_receive(self, message: object) -> object:
        match message:
            case Enqueue():
                await self._enqueue(message)
                return None
            case Deliver():
                self.kicked = False
                await self._deliver_head()
                return None
            case Announce():
                await self._load()
                self._kick()
                return None
            case UpdateWebhook():
                await self._update(message)
                return None
            case EnableWebhook(user_id=user_id, is_admin=is_admin):
                require_manager(self.hook, user_id, is_admin=is_admin)
                await self._enable()
                return None
            case DeleteWebhook(user_id=user_id, is_admin=is_admin):
                require_manager(self.hook, user_id, is_admin=is_admin)
                await self.services.store.webhooks.delete(self.address.id)
                self.services.index.remove(self.address.id)
                self.hook = None
                self.context.stop()
                return None
            case PingWebhook(user_id=user_id, is_admin=is_admin):
                require_manager(self.hook, user_id, is_admin=is_admin)
                return await self._ping()
            case _:
                self.unhandled(message)

    # -- the queue -------------------------------------------------------------------

    async def _enqueue(self, message: Enqueue) -> None:
        hook = self.hook
        if hook is None or not hook.active:
            return
        settings = self.services.settings
        queued = await self.services.store.webhooks.enqueue(
            webhook_id=hook.id, delivery_id=message.delivery_id, event=message.event,
            body=message.body, limit=settings.queue_limit,
        )
        if not queued:
            await self._save(dropped=hook.dropped + 1)
            return
        if hook.retry_at is None:
            await self._save(retry_at=self.services.clock())
        self._kick()

    def _kick(self) -> None:
        """Have the head tried in a turn of its own (so enqueues never wait on HTTP)."""
        hook = self.hook
        if self.kicked or hook is None or not hook.active or hook.retry_at is None:
            return
        if hook.retry_at > self.services.clock():
            return
        try:
            self.context.self_ref.tell_nowait(Deliver())
        except ActorError:
            return  # a full mailbox: the scheduler wakes the actor once retry_at passed
        self.kicked = True

    async def _deliver_head(self) -> None:
        hook = self.hook
        now = self.services.clock()
        if hook is None or not hook.active or (hook.retry_at is not None and hook.retry_at > now):
            return
        store = self.services.store.webhooks
        head = await store.head(hook.id)
        if head is None:
            if hook.retry_at is not None:
                await self._save(retry_at=None)
            return
        result = await self._attempt(hook, head)
        number = head.attempts + 1
        await store.log_attempt(
            DeliveryAttempt(
                id="", webhook_id=hook.id, delivery_id=head.delivery_id, event=head.event,
                attempt=number, outcome=result.outcome, status_code=result.status_code,
                latency_ms=result.latency_ms, error=result.error,
                response_excerpt=result.response_excerpt, at=self.services.clock(),
            ),
            keep=self.services.settings.log_limit,
        )
        if result.outcome == "delivered":
            await store.dequeue(head.id)
            await self._save(consecutive_failures=0, retry_at=self.services.clock())
            self._kick()
            return
        await store.attempted(head.id, number)
        failures = hook.consecutive_failures + 1
        settings = self.services.settings
        if failures >= settings.disable_after:
            await self._save(
                consecutive_failures=failures, active=False,
                disabled_reason=f"disabled after {failures} consecutive failed attempts",
                retry_at=self.services.clock(),
            )
            logger.info("webhook %s disabled after %d failed attempts", hook.id, failures)
            return
        delay = retry_delay(
            number, base=settings.retry_base_seconds, cap=settings.retry_max_seconds,
            rng=self.services.rng,
        )
        await self._save(consecutive_failures=failures, retry_at=self.services.clock() + delay)

    async def _attempt(self, hook: Webhook, head: QueuedDelivery) -> AttemptResult:
        secret = self.services.box.open(hook.id, hook.secret)
        if secret is None:
            return AttemptResult("refused", error="the signing secret cannot be opened")
        return await attempt(
            self.services.client,
            url=hook.url, secret=secret, delivery_id=head.delivery_id, event=head.event,
            body=head.body.encode(), allow_private=self.services.settings.allow_private,
            deadline_seconds=self.services.settings.timeout_seconds,
        )

    # -- management ------------------------------------------------------------------

    async def _update(self, message: UpdateWebhook) -> None:
        hook = require_manager(self.hook, message.user_id, is_admin=message.is_admin)
        changes: dict[str, object] = {}
        if message.url is not None:
            changes["url"] = message.url
        if message.events is not None:
            changes["events"] = message.events
        if changes:
            await self._save(**changes)
        if message.active is True and not hook.active:
            await self._enable()
        elif message.active is False and hook.active:
            await self._save(active=False, disabled_reason="disabled by its owner")

    async def _enable(self) -> None:
        await self._save(
            active=True, disabled_reason="", consecutive_failures=0,
            retry_at=self.services.clock(),
        )
        self._kick()

    async def _ping(self) -> str:
        hook = self.hook
        assert hook is not None
        delivery = "d_ping_" + secrets.token_hex(12)
        now = self.services.clock()
        body = delivery_body(delivery, PING, int(now * 1000), {"webhook_id": hook.id})
        queued = await self.services.store.webhooks.enqueue(
            webhook_id=hook.id, delivery_id=delivery, event=PING, body=body,
            limit=self.services.settings.queue_limit,
        )
        if not queued:
            raise DomainError(ErrorCode.CONFLICT, "the webhook's delivery queue is full")
        if hook.retry_at is None:
            await self._save(retry_at=now)
        self._kick()
        return delivery

    async def _save(self, **changes: object) -> None:
        """Store the webhook with ``changes``, then index it."""
        hook = self.hook
        assert hook is not None
        changed = msgspec.structs.replace(hook, updated_at=self.services.clock(), **changes)
        self.hook = await self.services.store.webhooks.save(changed)
        self.services.index.update(self.hook)
