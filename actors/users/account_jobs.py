"""The account-jobs actor: builds data exports and erases accounts whose grace is over.

Contract:

* One per node, a single task with a bounded mailbox of wake-ups: :meth:`AccountJobs.kick`
  (an export was asked for) wakes it at once, and it also wakes every ``interval``
  seconds (trio's clock).  Each turn (:meth:`AccountJobs.run_once`, also callable with a
  fake ``now``) takes the due work from the store by ``clock`` (or ``now``):

  - each ``pending`` export is claimed ``pending → building`` atomically (one node wins
    in a cluster), its archive collected (:mod:`actors.users.account_export`) and
    zipped in a worker thread, uploaded to the blob store, and the export becomes
    ``ready`` with ``expires_at``; the owner is told by a notification and an email
    carrying the signed single-use link.  An export that fails becomes ``failed`` (the
    error is logged, not shown);
  - each deletion whose ``due_at`` passed is carried out by
    :func:`actors.users.account_erasure.erase_account`.

* A turn that meets :class:`~storage.errors.StorageUnavailable` is logged and retried on
  the next wake-up; one failing job never stops the others.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import trio

from actors.users.account_erasure import erase_account
from actors.users.account_export import build_zip, collect
from actors.users.notification_feed import Notify
from services.accounts.context import EmailSender, LiveConnections
from services.accounts.exports import LINK_LIFETIME_SECONDS
from services.accounts.mails import export_ready_email
from storage.blob import BlobStore
from storage.errors import Conflict, StorageUnavailable
from storage.protocols import Store
from storage.protocols.identity import SessionStore
from storage.records.security import AccountRequest

logger = logging.getLogger(__name__)

MAX_ARCHIVE_BYTES = 256 * 1024 * 1024
JOBS_PER_TURN = 20


class AccountJobs:
    """See the module docstring.  ``blobs`` is asked for at each job (it opens later)."""

    def __init__(
        self,
        store: Store,
        *,
        sessions: SessionStore,
        blobs: Callable[[], BlobStore | None],
        connections: LiveConnections | None,
        send_email: EmailSender,
        notify: Callable[[str, Notify], Awaitable[None]],
        link_for: Callable[[AccountRequest], str],
        clock: Callable[[], float] = time.time,
        interval: float = 60.0,
    ) -> None:
        self._store = store
        self._sessions = sessions
        self._blobs = blobs
        self._connections = connections
        self._send_email = send_email
        self._notify = notify
        self._link_for = link_for
        self._clock = clock
        self._interval = interval
        self._wake_send, self._wake_receive = trio.open_memory_channel[None](1)

    def kick(self) -> None:
        """Wake the actor now (a wake-up already queued is enough)."""
        with contextlib.suppress(trio.WouldBlock):
            self._wake_send.send_nowait(None)

    async def run(self, *, task_status: Any = trio.TASK_STATUS_IGNORED) -> None:
        """Serve wake-ups until cancelled."""
        task_status.started()
        while True:
            with trio.move_on_after(self._interval):
                await self._wake_receive.receive()
            try:
                await self.run_once()
            except StorageUnavailable as error:
                logger.warning("account jobs postponed: %s", error)

    async def run_once(self, now: float | None = None) -> int:
        """Do the due exports and deletions; returns how many were done."""
        moment = self._clock() if now is None else now
        done = 0
        for export in await self._store.account_requests.list_due(
            "export", now=moment, limit=JOBS_PER_TURN
        ):
            done += await self._build(export, moment)
        for deletion in await self._store.account_requests.list_due(
            "deletion", now=moment, limit=JOBS_PER_TURN
        ):
            try:
                erased = await erase_account(
                    deletion,
                    store=self._store,
                    sessions=self._sessions,
                    blobs=self._blobs(),
                    connections=self._connections,
                    send_email=self._send_email,
                    now=moment,
                )
            except StorageUnavailable:
                raise
            except Exception:
                logger.exception("an account deletion failed; it is retried later")
                continue
            done += int(erased)
        return done

    async def _build(self, export: AccountRequest, now: float) -> int:
        requests = self._store.account_requests
        try:
            await requests.transition(export.id, from_states=("pending",), to_state="building")
        except Conflict:
            return 0
        blobs = self._blobs()
        try:
            if blobs is None:
                raise RuntimeError("no blob store to keep the archive in")
            archive = await collect(self._store, blobs, export.user_id)
            data = await build_zip(archive)

            async def chunks() -> Any:
                for start in range(0, len(data), 64 * 1024):
                    yield data[start : start + 64 * 1024]

            stored = await blobs.upload(
                chunks(), max_size=MAX_ARCHIVE_BYTES, content_type="application/zip"
            )
            ready = await requests.transition(
                export.id,
                from_states=("building",),
                to_state="ready",
                archive_key=stored.key,
                size=stored.size,
                expires_at=now + LINK_LIFETIME_SECONDS,
            )
        except StorageUnavailable:
            await requests.transition(export.id, from_states=("building",), to_state="pending")
            raise
        except Exception:
            logger.exception("a data export failed")
            await requests.transition(
                export.id, from_states=("building",), to_state="failed", error="build failed"
            )
            return 0
        await self._announce(ready)
        return 1

    async def _announce(self, export: AccountRequest) -> None:
        user = await self._store.users.get(export.user_id)
        link = self._link_for(export)
        hours = int(LINK_LIFETIME_SECONDS // 3600)
        self._send_email(export_ready_email(user.email, user.username, link, hours))
        await self._notify(
            user.id,
            Notify(
                kind="export_ready",
                title="Your data export is ready",
                body=f"The download link was emailed to you; it works once, for {hours} hours.",
                object_id=export.id,
            ),
        )
