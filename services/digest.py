"""The email digest of missed mentions and DMs, and its unsubscribe token.

Contract:

* :func:`unsubscribe_token` signs a user id (HMAC-SHA256 with the node's secret key, a
  purpose label inside the MAC); :func:`unsubscribed_user` returns the id of a valid token,
  else None.  The token does not expire: an old digest's link keeps working, and it can
  only ever switch that user's email digest off.
* :class:`DigestJob` mails the digests that are due (``store.delivery.due_digests``): one
  message per user listing the queued items (titles and snippets as plain text) with the
  unsubscribe link, then records it as sent, which holds the next one back for the
  interval.  Each digest is first claimed (``claim_digest``), so with several nodes one
  mails it.  Users without a verified address, or whose mode no longer includes email,
  get their queue dropped without a mail.  A mail the provider refuses stays queued and is
  retried :data:`CLAIM_SECONDS` later.  :meth:`DigestJob.run` polls every ``poll`` seconds (trio's
  clock); storage outages are logged and retried at the next poll.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from urllib.parse import quote

import trio

from services.email import EmailDeliveryError, EmailMessage, Mailer
from services.push import b64url, b64url_decode
from storage.errors import NotFound, StorageUnavailable
from storage.protocols import Store
from storage.records.delivery import DigestItem

logger = logging.getLogger(__name__)

PURPOSE = b"topicsflow digest unsubscribe\x00"
UNSUBSCRIBE_PATH = "/api/delivery/unsubscribe"
USERS_PER_POLL = 200
MAX_TOKEN_LENGTH = 200
CLAIM_SECONDS = 300.0
"""A claimed digest whose mail failed is due again this much later."""


def unsubscribe_token(secret_key: str, user_id: str) -> str:
    """The token of ``user_id``'s unsubscribe link."""
    mac = hmac.new(secret_key.encode(), PURPOSE + user_id.encode(), hashlib.sha256).digest()
    return f"{user_id}.{b64url(mac)}"


def unsubscribed_user(secret_key: str, token: str) -> str | None:
    """The user id ``token`` was signed for; None when it is not a valid token."""
    if len(token) > MAX_TOKEN_LENGTH:
        return None
    user_id, _, signature = token.rpartition(".")
    if not user_id:
        return None
    try:
        given = b64url_decode(signature)
    except ValueError:
        return None
    expected = hmac.new(secret_key.encode(), PURPOSE + user_id.encode(), hashlib.sha256).digest()
    return user_id if hmac.compare_digest(given, expected) else None


def digest_email(
    to: str, username: str, items: list[DigestItem], overflow: int, *,
    public_url: str, unsubscribe_link: str,
) -> EmailMessage:
    """The digest message: what ``username`` missed, oldest first, and how to stop it."""
    base = public_url.rstrip("/")
    lines = [f"Hello {username},", "", "While you were away:", ""]
    for item in items:
        lines.append(f"* {item.title}")
        if item.body:
            lines.append(f"  {item.body}")
        if item.link:
            lines.append(f"  {base}{item.link}")
    if overflow:
        lines.append(f"... and {overflow} more.")
    lines += [
        "", "To stop these emails, open this link (no login needed):", unsubscribe_link, "",
    ]
    count = len(items) + overflow
    return EmailMessage(
        to=to,
        subject=f"TopicsFlow: {count} new mention{'s' if count != 1 else ''} and messages",
        body="\n".join(lines),
        links=(unsubscribe_link,),
    )


class DigestJob:
    """Mails due digests; see the module docstring."""

    def __init__(
        self, store: Store, mailer: Mailer, *, secret_key: str, public_url: str,
        interval: float, poll: float, items: int, clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._mailer = mailer
        self._secret_key = secret_key
        self._public_url = public_url.rstrip("/")
        self._interval = interval
        self._poll = poll
        self._items = items
        self._clock = clock
        self.wake = trio.Event()
        """Set to poll at once (tests, and a digest queued with nothing mailed lately)."""

    async def send_due(self) -> int:
        """Mail every due digest (bounded per call); how many were mailed."""
        sent = 0
        for user_id in await self._store.delivery.due_digests(self._clock(), USERS_PER_POLL):
            sent += await self._send(user_id)
        return sent

    async def _send(self, user_id: str) -> int:
        delivery = self._store.delivery
        now = self._clock()
        if not await delivery.claim_digest(user_id, now, CLAIM_SECONDS):
            return 0  # another node took it
        items = await delivery.digest_items(user_id, self._items)
        preferences = await delivery.preferences(user_id)
        try:
            user = await self._store.users.get(user_id)
        except NotFound:
            user = None
        if user is None or not user.email_verified or preferences.mode not in ("email", "both"):
            await delivery.digest_sent(
                user_id, [item.id for item in items], at=now, interval=self._interval
            )
            return 0
        link = (
            f"{self._public_url}{UNSUBSCRIBE_PATH}"
            f"?token={quote(unsubscribe_token(self._secret_key, user_id))}"
        )
        message = digest_email(
            user.email, user.username, items, preferences.overflow,
            public_url=self._public_url, unsubscribe_link=link,
        )
        try:
            await self._mailer.send(message)
        except EmailDeliveryError as error:
            logger.warning("a digest was not mailed: %s", error)
            return 0
        await delivery.digest_sent(
            user_id, [item.id for item in items], at=now, interval=self._interval
        )
        return 1

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Poll for due digests every ``poll`` seconds (or when woken), until cancelled."""
        task_status.started()
        while True:
            try:
                await self.send_due()
            except StorageUnavailable as error:
                logger.warning("digests skipped, storage unavailable: %s", error)
            with trio.move_on_after(self._poll):
                await self.wake.wait()
            self.wake = trio.Event()
