"""Erasing a deleted account once its grace period is over (docs/AUTH.md "Deletion").

Contract of :func:`erase_account` for a due deletion request its caller claimed
(:mod:`actors.users.account_jobs`, which marks it ``done`` afterwards; a cancelled
request cannot be claimed):

* Erasing again after a crash part-way finishes the job: every step below is
  idempotent.  The moderation-log entry and the last mail come from the run that made
  the tombstone (a retry no longer knows the former name and address).
* The user record becomes a **tombstone**: same id (so their posts, comments, chat and
  direct messages stay readable and in place), username ``deleted-<id tail>``,
  display name "Deleted user", an address at ``deleted.invalid``, no password (none
  matches), no bio, avatar, preferences, blocks, second factors or admin flag.
* Gone with it: every session (in the session store, Redis or not; open WebSockets
  close with ``session_revoked``, 4001), passkeys, one-time tokens (pending email codes,
  challenges, links), notifications, the login audit, exports (their archives deleted),
  the user's files (records and bytes) and avatar, API tokens (a token's open sockets close with
  the user's), push subscriptions and offline-delivery preferences, friend requests and
  friendships, what the user hid and others' hiding of the user.
* The moderation log keeps one ``account_deleted`` entry naming the former username;
  reports, bans and earlier entries stay.  The old address gets one last mail.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable

from protocol.close_codes import CloseCode
from protocol.enums import GoodbyeReason
from services.accounts.context import LiveConnections
from services.accounts.identity_rules import TOMBSTONE_PREFIX
from services.accounts.mails import deletion_done_email
from services.email import EmailMessage
from storage.blob import BlobStore
from storage.errors import NotFound
from storage.protocols import Store
from storage.protocols.identity import SessionStore
from storage.records import User
from storage.records.security import AccountRequest

logger = logging.getLogger(__name__)

TOMBSTONE_DISPLAY_NAME = "Deleted user"
TOMBSTONE_EMAIL_DOMAIN = "deleted.invalid"
UNUSABLE_PASSWORD_HASH = "!deleted"  # noqa: S105 - not a hash: no password matches it


def tombstone_of(user: User, now: float) -> User:
    """The record that replaces a deleted user (see the module docstring)."""
    return User(
        id=user.id,
        username=f"{TOMBSTONE_PREFIX}{user.id[-14:]}",
        email=f"{user.id}@{TOMBSTONE_EMAIL_DOMAIN}",
        password_hash=UNUSABLE_PASSWORD_HASH,
        display_name=TOMBSTONE_DISPLAY_NAME,
        created_at=user.created_at,
        updated_at=now,
    )


async def erase_account(
    request: AccountRequest,
    *,
    store: Store,
    sessions: SessionStore,
    blobs: BlobStore | None,
    connections: LiveConnections | None,
    mail: Callable[[EmailMessage], Awaitable[None]],
    now: float,
) -> None:
    """Carry out one claimed deletion (see the module docstring)."""
    user = await store.users.get(request.user_id)
    first_run = not is_tombstone(user)
    exports = await store.account_requests.list_for_user(user.id, "export", limit=100)
    await store.account_requests.erase_account(tombstone_of(user, now) if first_run else user)
    await sessions.revoke_all(user.id)
    await store.api_tokens.remove_for_user(user.id)
    await store.delivery.erase_user(user.id)
    await store.friends.erase_user(user.id)
    await store.hidden.erase_user(user.id)
    if connections is not None:
        connections.disconnect_user(user.id, GoodbyeReason.SESSION_REVOKED, CloseCode.UNAUTHORIZED)
    archive_keys = [export.archive_key for export in exports if export.archive_key]
    with contextlib.suppress(NotFound):  # the avatar (docs/FILES.md "Pictures")
        avatar = await store.pictures.delete(f"user:{user.id}")
        archive_keys.extend(blob.key for blob in avatar.blobs)
    await _erase_files(store, blobs, user.id, archive_keys)
    if not first_run:
        return
    await store.reports.append_audit(
        actor_id=user.id,
        action="account_deleted",
        target_kind="user",
        target_id=user.id,
        details=f"former username {user.username}",
    )
    await mail(deletion_done_email(user.email, user.username))


def is_tombstone(user: User) -> bool:
    """Whether ``user`` is already the tombstone of a deleted account."""
    return user.email.endswith(f"@{TOMBSTONE_EMAIL_DOMAIN}") and user.username.startswith(
        TOMBSTONE_PREFIX
    )


async def _erase_files(
    store: Store, blobs: BlobStore | None, user_id: str, archive_keys: list[str]
) -> None:
    while True:
        page = await store.files.list_for_owner(user_id, limit=100)
        if not page:
            break
        for record in page:
            await store.files.delete(record.id)
            archive_keys.append(record.blob_key)
    if blobs is None:
        return
    for key in archive_keys:
        try:
            await blobs.delete(key)
        except NotFound:
            pass
        except Exception:
            logger.exception("a blob of a deleted account could not be removed")
