"""One data export's build and announcement (the steps :mod:`actors.users.account_jobs` runs).

Contract:

* :func:`build_export` collects the user's data (:func:`~actors.users.account_export.collect`),
  zips it in a worker thread behind a process-wide limiter
  (:func:`~actors.users.account_export.build_zip`) and uploads the archive; it calls
  ``renew`` between the steps (which raises when the claim was lost) and returns the
  stored blob.  Any failure propagates; nothing is written to the request here.
* :func:`announce_export` tells the owner of a ``ready`` export: a notification
  (``export_ready``) and an email with the signed single-use link.  A failure to tell is
  logged, never raised: the export is ready whatever the mail does.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from actors.users.account_export import build_zip, collect
from actors.users.notification_feed import Notify
from services.accounts.exports import LINK_LIFETIME_SECONDS
from services.accounts.mails import export_ready_email
from services.email import EmailMessage
from storage.blob import BlobStore, StoredBlob
from storage.errors import StorageUnavailable
from storage.protocols import Store
from storage.records.security import AccountRequest

logger = logging.getLogger(__name__)

MAX_ARCHIVE_BYTES = 256 * 1024 * 1024
CHUNK = 64 * 1024


class NoBlobStore(RuntimeError):
    """The node has no blob store (yet) to keep the archive in."""


async def build_export(
    store: Store, blobs: BlobStore | None, user_id: str, *, renew: Callable[[], Awaitable[None]]
) -> StoredBlob:
    """Collect, zip and upload ``user_id``'s archive (see the module docstring)."""
    if blobs is None:
        raise NoBlobStore("no blob store to keep the archive in")
    archive = await collect(store, blobs, user_id)
    await renew()
    data = await build_zip(archive)
    await renew()

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(data), CHUNK):
            yield data[start : start + CHUNK]

    return await blobs.upload(chunks(), max_size=MAX_ARCHIVE_BYTES, content_type="application/zip")


async def announce_export(
    export: AccountRequest,
    *,
    store: Store,
    mail: Callable[[EmailMessage], Awaitable[None]],
    link_for: Callable[[AccountRequest], str],
    notify: Callable[[str, Notify], Awaitable[None]],
) -> None:
    """Tell the owner of ``export`` that it is ready (see the module docstring)."""
    hours = int(LINK_LIFETIME_SECONDS // 3600)
    try:
        user = await store.users.get(export.user_id)
        await mail(export_ready_email(user.email, user.username, link_for(export), hours))
        await notify(
            user.id,
            Notify(
                kind="export_ready",
                title="Your data export is ready",
                body=f"The download link was emailed to you; it works once, for {hours} hours.",
                object_id=export.id,
            ),
        )
    except StorageUnavailable as error:
        logger.warning("the owner of export %s was not told: %s", export.id, error)
    except Exception:
        logger.exception("the owner of export %s was not told", export.id)
