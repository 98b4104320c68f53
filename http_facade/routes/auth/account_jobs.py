"""Running the account-jobs actor (:mod:`actors.users.account_jobs`) while the app serves.

Started once per app that serves a node (one with an actor registry), before serving;
cancelled after.  Handlers wake it with :func:`kick_account_jobs` when an export is
asked for.  The actor reaches the blob store through the app (it opens while serving)
and tells users through their notification feed actors.
"""

from __future__ import annotations

import logging
from typing import cast

import trio
from quart import current_app
from quart.blueprints import BlueprintSetupState
from quart_trio import QuartTrio

from actors.users.account_jobs import AccountJobs
from actors.users.notification_feed import NOTIFICATION_FEED, Notify
from http_facade.context import EXTENSION_KEY, FacadeContext
from http_facade.node_access import tell_actor
from http_facade.routes.auth.dependencies import deliver
from http_facade.routes.files.blobs import BLOBS_KEY
from services.accounts.exports import export_link, link_key
from services.email import EmailMessage
from storage.blob import BlobStore
from storage.records.security import AccountRequest

logger = logging.getLogger(__name__)

JOBS_KEY = "topicsflow_account_jobs"
SCOPE_KEY = "topicsflow_account_jobs_scope"


def install_account_jobs(state: BlueprintSetupState) -> None:
    """Register the start and stop of the actor on the app (``record_once`` callback)."""
    app = cast(QuartTrio, state.app)

    @app.before_serving
    async def start_account_jobs() -> None:
        context: FacadeContext = app.extensions[EXTENSION_KEY]
        store, sessions, mailer, registry = (
            context.store, context.sessions, context.mailer, context.registry,
        )
        if store is None or sessions is None or mailer is None or registry is None:
            return
        settings = context.settings
        key = link_key(settings.secret_key)

        def send_email(message: EmailMessage) -> None:
            app.add_background_task(deliver, mailer, message)

        async def notify(user_id: str, message: Notify) -> None:
            await tell_actor(registry, NOTIFICATION_FEED, user_id, message)

        def blobs() -> BlobStore | None:
            found: BlobStore | None = app.extensions.get(BLOBS_KEY)
            return found

        def link_for(export: AccountRequest) -> str:
            return export_link(settings.public_url, key, export)

        jobs = AccountJobs(
            store,
            sessions=sessions,
            blobs=blobs,
            connections=context.gateway,
            send_email=send_email,
            notify=notify,
            link_for=link_for,
        )
        scope = trio.CancelScope()
        app.extensions[JOBS_KEY] = jobs
        app.extensions[SCOPE_KEY] = scope

        async def run() -> None:
            with scope:
                await jobs.run()

        app.add_background_task(run)

    @app.after_serving
    async def stop_account_jobs() -> None:
        scope: trio.CancelScope | None = app.extensions.pop(SCOPE_KEY, None)
        app.extensions.pop(JOBS_KEY, None)
        if scope is not None:
            scope.cancel()


def account_jobs() -> AccountJobs | None:
    """The serving app's account-jobs actor, if it runs one."""
    found: AccountJobs | None = current_app.extensions.get(JOBS_KEY)
    return found


def kick_account_jobs() -> None:
    """Wake the account-jobs actor (no-op where none runs)."""
    jobs = account_jobs()
    if jobs is not None:
        jobs.kick()
