"""The account jobs: building data exports and erasing accounts whose grace is over.

Contract of :class:`AccountJobs` (driven by :mod:`actors.users.account_jobs_actor`, or by
a test with a fake ``now``):

* :meth:`AccountJobs.run_once` takes the due work from the store by ``clock`` (or
  ``now``): ``pending`` exports, deletions whose grace period ended, and requests left
  ``building`` whose claim lapsed (their worker's node died).  Each is first **claimed**
  atomically for :data:`CLAIM_SECONDS` under a claimant name of its own
  (:meth:`~storage.protocols.security.AccountRequestStore.claim`): of several nodes one
  wins, and every later write of the job names the claim, so a worker whose claim lapsed
  and was taken over cannot finish it too.  A claim is renewed between the steps of a
  build and ends with the job.
* An export (:mod:`actors.users.account_export_job`) is collected, zipped in a worker
  thread and uploaded; it becomes ``ready`` and the owner is told by notification and by
  an email with the signed single-use link.  A request claimed more than
  :data:`MAX_EXPORT_ATTEMPTS` times (its builds kept crashing) becomes ``failed``.
* A deletion is carried out by :func:`actors.users.account_erasure.erase_account`, then
  ``done``; a retried erasure finishes what a crashed one left.
* :class:`~storage.errors.StorageUnavailable` gives the claim back (best effort) and
  propagates: an outage, not a crash.  Any other error propagates with the claim held;
  :meth:`release_held` (the actor's ``on_failure``) gives held claims back at once, so
  the restarted actor retries them; otherwise they lapse.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Literal

from actors.users.account_erasure import erase_account
from actors.users.account_export_job import announce_export, build_export
from actors.users.notification_feed import Notify
from services.accounts.context import LiveConnections
from services.accounts.exports import LINK_LIFETIME_SECONDS
from services.email import EmailMessage
from storage.blob import BlobStore
from storage.errors import Conflict, NotFound, StorageUnavailable
from storage.protocols import Store
from storage.protocols.identity import SessionStore
from storage.records.security import AccountRequest

logger = logging.getLogger(__name__)

JOBS_PER_TURN = 20
CLAIM_SECONDS = 300.0
"""How long a claim holds without renewal; a dead worker's job is due again after it."""
MAX_EXPORT_ATTEMPTS = 3
CLAIMABLE = ("pending", "building")

Mail = Callable[[EmailMessage], Awaitable[None]]
NotifyUser = Callable[[str, Notify], Awaitable[None]]


@dataclasses.dataclass(slots=True)
class AccountJobsParts:
    """What the jobs work with.  ``blobs`` and ``connections`` are looked up at each job:
    the node sets them once its app (which opens the blob store) and gateway exist."""

    store: Store
    sessions: SessionStore
    mail: Mail
    link_for: Callable[[AccountRequest], str]
    node: str = "node"
    clock: Callable[[], float] = time.time
    blobs: Callable[[], BlobStore | None] = lambda: None
    connections: Callable[[], LiveConnections | None] = lambda: None


class ClaimLost(Exception):
    """The job's claim lapsed and was taken by another worker."""


class AccountJobs:
    """See the module docstring.  ``notify`` tells a user's notification feed."""

    def __init__(self, parts: AccountJobsParts, notify: NotifyUser) -> None:
        self._parts = parts
        self._notify = notify
        self._held: dict[str, str] = {}  # request id -> claimant

    async def run_once(self, now: float | None = None) -> int:
        """Do the due exports and deletions; returns how many were completed."""
        moment = self._parts.clock() if now is None else now
        requests = self._parts.store.account_requests
        done = 0
        for export in await requests.list_due("export", now=moment, limit=JOBS_PER_TURN):
            done += await self._export(export.id, moment)
        for deletion in await requests.list_due("deletion", now=moment, limit=JOBS_PER_TURN):
            done += await self._erase(deletion.id, moment)
        return done

    async def release_held(self) -> None:
        """Give back every claim this worker holds (after a crash), so they are due now."""
        for request_id in list(self._held):
            await self._release(request_id)

    async def _claim(self, request_id: str, now: float) -> AccountRequest | None:
        claimant = f"{self._parts.node}/{secrets.token_hex(8)}"
        claimed = await self._parts.store.account_requests.claim(
            request_id, from_states=CLAIMABLE, to_state="building", claimant=claimant,
            now=now, until=now + CLAIM_SECONDS,
        )
        if claimed is not None:
            self._held[request_id] = claimant
        return claimed

    async def _renew(self, claim: AccountRequest, started: float, now: float) -> None:
        until = now + (time.monotonic() - started) + CLAIM_SECONDS
        renewed = await self._parts.store.account_requests.renew(
            claim.id, claimant=claim.claimed_by, until=until
        )
        if not renewed:
            raise ClaimLost(claim.id)

    async def _release(self, request_id: str) -> None:
        claimant = self._held.pop(request_id, None)
        if claimant is None:
            return
        try:
            await self._parts.store.account_requests.transition(
                request_id, from_states=("building",), to_state="pending", claimant=claimant
            )
        except (Conflict, NotFound):
            pass
        except Exception as error:  # the claim lapses instead
            logger.warning("an account job's claim was not given back: %r", error)

    async def _export(self, request_id: str, now: float) -> int:
        claim = await self._claim(request_id, now)
        if claim is None:
            return 0
        requests = self._parts.store.account_requests
        if claim.attempts > MAX_EXPORT_ATTEMPTS:
            logger.error("data export %s failed %d times; giving up", claim.id, claim.attempts - 1)
            with contextlib.suppress(Conflict):  # taken over meanwhile: theirs to finish
                await self._finish(claim, "failed", error="build failed")
            return 0
        started = time.monotonic()
        try:
            stored = await build_export(
                self._parts.store, self._parts.blobs(), claim.user_id,
                renew=lambda: self._renew(claim, started, now),
            )
            try:
                ready = await requests.transition(
                    claim.id, from_states=("building",), to_state="ready",
                    claimant=claim.claimed_by, archive_key=stored.key, size=stored.size,
                    expires_at=now + LINK_LIFETIME_SECONDS,
                )
            except Conflict:
                await _forget_blob(self._parts.blobs(), stored.key)
                raise ClaimLost(claim.id) from None
        except ClaimLost:
            self._held.pop(claim.id, None)
            logger.warning("data export %s was taken over by another worker", claim.id)
            return 0
        except StorageUnavailable:
            await self._release(claim.id)
            raise
        self._held.pop(claim.id, None)
        parts = self._parts
        await announce_export(
            ready, store=parts.store, mail=parts.mail, link_for=parts.link_for, notify=self._notify
        )
        return 1

    async def _erase(self, request_id: str, now: float) -> int:
        claim = await self._claim(request_id, now)
        if claim is None:
            return 0
        parts = self._parts
        try:
            await erase_account(
                claim, store=parts.store, sessions=parts.sessions, blobs=parts.blobs(),
                connections=parts.connections(), mail=parts.mail, now=now,
            )
            await self._finish(claim, "done")
        except Conflict:
            self._held.pop(claim.id, None)
            return 0
        except StorageUnavailable:
            await self._release(claim.id)
            raise
        return 1

    async def _finish(
        self, claim: AccountRequest, state: Literal["failed", "done"], *, error: str = ""
    ) -> None:
        self._held.pop(claim.id, None)
        await self._parts.store.account_requests.transition(
            claim.id, from_states=("building",), to_state=state, claimant=claim.claimed_by,
            error=error or None,
        )


async def _forget_blob(blobs: BlobStore | None, key: str) -> None:
    if blobs is None:
        return
    try:
        await blobs.delete(key)
    except Exception as error:
        logger.warning("an orphaned export archive was not removed: %r", error)
