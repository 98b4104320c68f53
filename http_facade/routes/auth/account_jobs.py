"""The facade's side of the account-jobs actor (:mod:`actors.users.account_jobs_actor`).

The node runs the actor and its schedule (:mod:`supervisors.account_jobs`); the app only
enqueues.  Contract:

* :func:`account_jobs_parts` and :func:`bind_account_jobs` are what the node gives the
  actor from the facade's world: the signed export links, the sessions, mail delivered
  like the handlers' (:func:`~http_facade.routes.auth.dependencies.deliver`), the
  gateway's connections and the blob store the app opens while it serves.
* :func:`enqueue_export` tells the actor an export was recorded, through
  :func:`~http_facade.node_access.tell_actor`, waiting at most :data:`ENQUEUE_SECONDS`
  for room: the request is in the store already, so a wake-up that does not fit is left
  to the schedule.  It does nothing on an app without a registry.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

import trio
from quart import Quart

from actors.users.account_commands import ACCOUNT_JOBS, ACCOUNT_JOBS_ID, ExportRequested
from actors.users.account_jobs import AccountJobsParts
from http_facade.context import FacadeContext, current_context
from http_facade.node_access import tell_actor
from http_facade.routes.auth.dependencies import deliver
from http_facade.routes.files.blobs import BLOBS_KEY
from services.accounts.exports import export_link, link_key
from services.email import EmailMessage
from storage.blob import BlobStore
from storage.protocols import Store
from storage.records.security import AccountRequest
from topicsflow.settings import Settings

logger = logging.getLogger(__name__)

ENQUEUE_SECONDS = 0.5


def account_jobs_parts(settings: Settings, store: Store, *, node: str) -> AccountJobsParts:
    """The actor's parts before the facade exists (the kind is registered first);
    :func:`bind_account_jobs` completes them."""
    key = link_key(settings.secret_key)

    def link_for(export: AccountRequest) -> str:
        return export_link(settings.public_url, key, export)

    return AccountJobsParts(
        store=store, sessions=store.sessions, mail=_undelivered, link_for=link_for, node=node
    )


def bind_account_jobs(parts: AccountJobsParts, context: FacadeContext, app: Quart) -> None:
    """Give the actor the facade's sessions, mailer, gateway and (while ``app`` serves)
    blob store."""
    if context.sessions is not None:
        parts.sessions = context.sessions
    if context.mailer is not None:
        parts.mail = functools.partial(deliver, context.mailer)
    gateway = context.gateway
    parts.connections = lambda: gateway
    parts.blobs = served_blobs(app)


async def _undelivered(message: EmailMessage) -> None:
    logger.warning("an account-jobs email (%s) found no mailer", message.subject)


def served_blobs(app: Quart) -> Callable[[], BlobStore | None]:
    """The blob store ``app`` opened while it serves (None before and after)."""

    def blobs() -> BlobStore | None:
        found: BlobStore | None = app.extensions.get(BLOBS_KEY)
        return found

    return blobs


async def enqueue_export(export: AccountRequest) -> None:
    """Wake the account-jobs actor for ``export`` (see the module docstring)."""
    registry = current_context().registry
    if registry is None:
        return
    with trio.move_on_after(ENQUEUE_SECONDS):
        wake_up = ExportRequested(export_id=export.id)
        await tell_actor(registry, ACCOUNT_JOBS, ACCOUNT_JOBS_ID, wake_up)
